"""Edits of values another system owns: refused before anything is sent (naming person, certification,
field, value and owner), staged with a warning (`owned="warn"`), or routed to `source_fixes()`
(`owned="source"`), through every way in: set, apply, from_changes, merge fills, deletes."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from owned_tenant import WORKDAY_NAME, label_of, owned_frame

import certnb
from certnb.errors import EditsRefused
from certnb.frame.changes import read_edits
from certnb.frame.spreadsheet import to_csv
from certnb.staging import Staged, stage
from certnb.staging.ownership import OwnedValueWarning
from certnb.staging.source_fixes import SOURCE_FIX_COLUMNS

ADELE = "Adele Vance (adele.vance@contoso.example)"
BEN = "Ben Walters (ben.walters@contoso.example)"
HINT = ("fix it there, or pass owned='warn' to stage it anyway (owned='source' lists it in "
        "staged.source_fixes())")


@pytest.fixture
def df() -> pd.DataFrame:
    return owned_frame()


def refused(call: object) -> list[str]:
    """The problems of a refused staging call, as printed."""
    assert isinstance(call, EditsRefused)
    return [str(p) for p in call.problems]


# ------------------------------------------------------------------------------------------------ refuse


def test_an_edit_of_an_owned_value_is_refused_naming_person_certification_field_value_and_owner(
    df: pd.DataFrame,
) -> None:
    staged = stage(df)
    with pytest.raises(EditsRefused) as caught:
        staged.set(label_of(df, "c-az104"), endDate="2027-12-31")
    assert refused(caught.value) == [
        f"{ADELE} · AZ-104: Expires is owned by {WORKDAY_NAME}: {HINT} (value '2027-12-31')"]
    [problem] = caught.value.problems
    assert (problem.person, problem.certification, problem.field, problem.label, problem.value) == (
        ADELE, "AZ-104", "endDate", "Expires", "2027-12-31")
    assert len(staged) == 0 and staged.journal.summary() is None  # nothing staged, nothing journaled


def test_the_whole_call_is_refused_when_one_of_its_edits_is_owned(df: pd.DataFrame) -> None:
    staged = stage(df)
    everyone = df["endDate"].notna()
    with pytest.raises(EditsRefused) as caught:
        staged.set(everyone, endDate="2029-01-31")
    owners = sorted(p.certification for p in caught.value.problems)
    assert owners == ["AZ-104", "Azure Fundamentals", "Security+"]  # Workday twice; the unnamed source
    assert len(staged) == 0


def test_the_fields_nobody_owns_stay_editable_and_a_value_set_back_changes_nothing(df: pd.DataFrame) -> None:
    staged = stage(df)
    az104 = label_of(df, "c-az104")
    staged.set(az104, description="Azure administrator", displayName="Microsoft Certified: AZ-104")
    staged.set(label_of(df, "c-psm"), endDate="2028-05-05")  # her Microsoft account: hers to edit
    staged.set(label_of(df, "c-plain"), endDate="2029-09-10")  # no sources at all
    staged.set(az104, endDate="2026-12-31")  # the loaded value: no change of what Workday owns
    assert sorted((e.cert_id, e.field) for e in staged) == [
        ("c-az104", "description"), ("c-az104", "displayName"), ("c-plain", "endDate"), ("c-psm", "endDate")]


def test_an_annotation_without_properties_owns_every_field(df: pd.DataFrame) -> None:
    with pytest.raises(EditsRefused) as caught:
        stage(df).set(label_of(df, "c-itil"), description="Service management")
    assert refused(caught.value) == [
        f"{BEN} · ITIL 4 Foundation: Description is owned by Organizational Data in Microsoft 365: {HINT} "
        "(value 'Service management')"]


def test_apply_is_refused_alike(df: pd.DataFrame) -> None:
    with pytest.raises(EditsRefused) as caught:
        stage(df).apply(df["id"] == "c-az900-hr",
                        endDate=lambda row: (row["endDate"] + pd.DateOffset(years=1)).date())
    assert refused(caught.value) == [
        f"{BEN} · Azure Fundamentals: Expires is owned by {WORKDAY_NAME}: {HINT} (value '2028-06-18')"]


def test_a_spreadsheets_edit_of_an_owned_value_is_refused_with_its_row(df: pd.DataFrame,
                                                                       tmp_path: Path) -> None:
    path = tmp_path / "certs.csv"
    to_csv(df, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    rows[0]["issuingCompany"] = "Microsoft"  # row 2 of the file: Adele's AZ-104, its issuer Workday's
    rows[1]["description"] = "Kubernetes"  # row 3: her CKA, hers to edit
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    staged = stage(df)
    with pytest.raises(EditsRefused) as caught:
        staged.from_changes(read_edits(df, path))
    assert refused(caught.value) == [
        f"spreadsheet row 2 · {ADELE} · AZ-104: Issuing company is owned by {WORKDAY_NAME}: {HINT} "
        "(value 'Microsoft')"]
    assert len(staged) == 0


def test_deleting_an_owned_certification_is_refused(df: pd.DataFrame) -> None:
    staged = stage(df)
    with pytest.raises(EditsRefused) as caught:
        staged.delete([label_of(df, "c-itil"), label_of(df, "c-cka")])
    assert refused(caught.value) == [
        f"{BEN} · ITIL 4 Foundation: the certification comes from Organizational Data in Microsoft 365: "
        "delete it there, or pass owned='warn' to stage the delete anyway (owned='source' lists it in "
        "staged.source_fixes())"]
    assert staged.deletes == {}
    staged.delete(label_of(df, "c-cka"))  # her own entry
    assert list(staged.deletes) == [("u-adele", "c-cka")]


def test_a_merge_that_would_delete_an_owned_record_is_refused_before_any_fill(df: pd.DataFrame) -> None:
    staged = stage(df)
    findings = df.certs.audit(asof="2026-11-30")
    with pytest.raises(EditsRefused) as caught:
        staged.merge_duplicates(findings, keep=["c-az900-own"])
    assert [p.certification for p in caught.value.problems] == ["Azure Fundamentals"]
    assert "comes from Workday (HR connector): delete it there" in str(caught.value)
    assert len(staged) == 0
    staged.merge_duplicates(findings)  # the rule keeps Workday's record and deletes Ben's own copy
    assert list(staged.deletes) == [("u-ben", "c-az900-own")]


def test_a_merge_fill_into_an_owned_field_is_refused() -> None:
    frame = owned_frame()
    held = frame.copy()
    held.loc[held["id"] == "c-az900-hr", "endDate"] = pd.NaT  # Workday's copy without an end date
    with pytest.raises(EditsRefused) as caught:
        stage(held).merge_duplicates(held.certs.audit(asof="2026-11-30"), keep=["c-az900-hr"])
    assert refused(caught.value) == [
        f"{BEN} · Azure Fundamentals: Expires is owned by {WORKDAY_NAME}: {HINT} (value '2028-06-18')"]


def test_owned_must_be_one_of_the_three_choices(df: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"owned must be 'refuse', 'warn' or 'source'; got 'ignore'"):
        stage(df, owned="ignore")  # type: ignore[arg-type]


# -------------------------------------------------------------------------------------------------- warn


def test_warn_stages_owned_edits_journals_them_and_says_so(df: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "fixes.journal"
    staged = stage(df, journal=path, owned="warn")
    assert staged.owned == "warn"
    with pytest.warns(OwnedValueWarning) as caught:
        staged.set(label_of(df, "c-az104"), endDate="2027-12-31", description="Azure administrator")
    [warning] = caught
    assert str(warning.message) == (
        "1 staged edit changes values other systems own (owned='warn'); Graph may refuse them, or the "
        f"owner's next import put the old values back:\n  {ADELE} · AZ-104: Expires '2027-12-31', owned by "
        f"{WORKDAY_NAME}")
    assert warning.filename == __file__  # said at the caller's line, not inside certnb
    assert sorted(e.field for e in staged) == ["description", "endDate"]
    staged.close()
    reopened = Staged.open(path, df, owned="warn")
    assert {(e.field, e.after) for e in reopened} == {("endDate", "2027-12-31"),
                                                      ("description", "Azure administrator")}
    reopened.close()


def test_warn_deletes_an_owned_certification_with_a_warning(df: pd.DataFrame) -> None:
    staged = stage(df, owned="warn")
    with pytest.warns(OwnedValueWarning, match=r"ITIL 4 Foundation: the certification, supplied by "
                                               r"Organizational Data in Microsoft 365, deleted"):
        staged.delete(label_of(df, "c-itil"))
    assert list(staged.deletes) == [("u-ben", "c-itil")]


def test_warn_says_nothing_when_no_owned_value_changes(df: pd.DataFrame) -> None:
    staged = stage(df, owned="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        staged.set(label_of(df, "c-cka"), endDate="2028-03-01")
    assert len(staged) == 1


def test_the_audit_flags_what_was_staged_anyway(df: pd.DataFrame) -> None:
    staged = stage(df, owned="warn")
    with pytest.warns(OwnedValueWarning):
        staged.set(label_of(df, "c-az104"), endDate="2027-12-31")
    findings = df.certs.audit(asof="2026-11-30", staged=staged)
    flagged = findings[(findings["rule"] == "owned-fix") & (findings["field"] == "endDate")
                       & findings["detail"].str.startswith("an edit is staged")]
    assert flagged[["id", "suggested"]].values.tolist() == [["c-az104", "2027-12-31"]]


# ------------------------------------------------------------------------------------------------ source


def test_source_routes_owned_edits_to_source_fixes_and_stages_the_rest(df: pd.DataFrame) -> None:
    staged = stage(df, owned="source")
    staged.set(label_of(df, "c-az104"), endDate="2027-12-31", description="Azure administrator")
    assert [(e.cert_id, e.field) for e in staged] == [("c-az104", "description")]
    fixes = staged.source_fixes()
    assert list(fixes.columns) == list(SOURCE_FIX_COLUMNS)
    assert fixes.to_dict("records") == [{
        "person": ADELE, "userPrincipalName": "adele.vance@contoso.example", "certification": "AZ-104",
        "label": "Expires", "graph": "2026-12-31", "wanted": "2027-12-31", "source": WORKDAY_NAME,
        "userId": "u-adele", "id": "c-az104", "field": "endDate"}]
    assert repr(staged).startswith("<Staged: 1 edit on 1 certification of 1 user, 1 to fix at the source;")


def test_source_keeps_the_latest_wanted_value_and_forgets_one_set_back(df: pd.DataFrame) -> None:
    staged = stage(df, owned="source")
    az104 = label_of(df, "c-az104")
    staged.set(az104, endDate="2027-12-31")
    staged.set(az104, endDate="2028-12-31")
    assert staged.source_fixes()["wanted"].tolist() == ["2028-12-31"]
    staged.set(az104, endDate="2026-12-31")  # Graph's value after all: nothing to fix there
    assert staged.source_fixes().empty and len(staged) == 0


def test_source_routes_deletes_and_spreadsheet_edits_too(df: pd.DataFrame, tmp_path: Path) -> None:
    staged = stage(df, owned="source")
    staged.delete([label_of(df, "c-itil"), label_of(df, "c-cka")])
    assert list(staged.deletes) == [("u-adele", "c-cka")]
    changes = pd.DataFrame({"userId": ["u-ben"], "id": ["c-az900-hr"], "field": ["endDate"],
                            "after": ["2028-06-18"]})
    staged.from_changes(changes)
    fixes = staged.source_fixes()
    assert fixes[["certification", "label", "graph", "wanted", "source"]].values.tolist() == [
        ["ITIL 4 Foundation", "the certification", "ITIL 4 Foundation", "(delete the certification)",
         "Organizational Data in Microsoft 365"],
        ["Azure Fundamentals", "Expires", "2027-06-18", "2028-06-18", WORKDAY_NAME]]
    staged.clear()
    assert staged.source_fixes().empty


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_source_fixes_export_opens_without_running_anything(df: pd.DataFrame, tmp_path: Path,
                                                                 suffix: str) -> None:
    staged = stage(df, owned="source")
    staged.set(label_of(df, "c-az104"), issuingCompany="=HYPERLINK(\"http://evil.example\",\"Microsoft\")")
    path = staged.export_source_fixes(tmp_path / f"fix-in-workday{suffix}")
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            [row] = list(csv.DictReader(handle))
        assert row["wanted"] == "'=HYPERLINK(\"http://evil.example\",\"Microsoft\")"  # quoted: text, not run
        assert (row["person"], row["label"], row["graph"], row["source"]) == (
            ADELE, "Issuing company", "MSFT", WORKDAY_NAME)
    else:
        sheet = load_workbook(path)["source fixes"]
        header = [c.value for c in sheet[1]]
        wanted = sheet.cell(2, header.index("wanted") + 1)
        assert (wanted.value, wanted.data_type) == ("=HYPERLINK(\"http://evil.example\",\"Microsoft\")", "s")


def test_the_public_stage_takes_owned(df: pd.DataFrame) -> None:
    staged = certnb.stage(df, owned="source")
    staged.set(label_of(df, "c-secplus"), endDate="2029-09-09")
    assert staged.source_fixes()["source"].tolist() == ["0f0e0d0c-0b0a-4909-8807-060504030201"]


def test_routing_journals_nothing_and_tells_listeners_once_a_call(df: pd.DataFrame) -> None:
    staged = stage(df, owned="source")
    calls: list[int] = []
    staged.on_change(lambda: calls.append(len(staged.source_fixes())))
    staged.set(df["id"].isin(["c-az104", "c-az900-hr"]), endDate="2029-01-31")
    assert calls == [2] and len(staged) == 0
    assert staged.journal.summary() is None and staged.journal.snapshots() == []  # nothing to commit
    staged.set(label_of(df, "c-az104"), endDate="2026-12-31")  # back to Graph's value: one fix fewer
    assert calls == [2, 1]


def test_the_review_never_says_a_staged_edit_fixes_an_owned_value() -> None:
    from certnb.staging.fixes import Fixes

    frame = owned_frame()
    staged = stage(frame, owned="warn")
    with pytest.warns(OwnedValueWarning):
        staged.set(label_of(frame, "c-az104"), issuingCompany="Microsoft")
    staged.set(label_of(frame, "c-az900-own"), endDate="2027-06-18")  # now agrees with Workday's copy
    fixed = Fixes(frame, asof="2026-11-30").of(staged)
    assert fixed[("u-adele", "c-az104", "issuingCompany")] == ("issuer-spelling",)  # not "owned-fix"
    assert fixed[("u-ben", "c-az900-own", "endDate")] == ("sources-disagree",)
