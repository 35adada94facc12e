"""Staging on the sample tenant: ways in (set, apply, from_changes), ways out (unstage, clear), atomic
refusal of bulk calls, and the diff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from certnb.errors import ValidationError
from certnb.frame.changes import read_edits
from certnb.frame.spreadsheet import to_csv
from certnb.staging import EditsRefused, Staged, stage

YEAR = pd.DateOffset(years=1)


def wire(day: Any) -> str | None:
    return None if pd.isna(day) else pd.Timestamp(day).date().isoformat()


def test_set_by_label_records_loaded_and_new_value(tenant_frame: pd.DataFrame) -> None:
    staged = stage(tenant_frame)
    staged.set(0, endDate="2029-06-30", description="Renewed")
    user, cert = tenant_frame.at[0, "userId"], tenant_frame.at[0, "id"]
    assert [(e.user_id, e.cert_id, e.field, e.before, e.after) for e in staged] == [
        (user, cert, "endDate", "2028-08-01", "2029-06-30"),
        (user, cert, "description", "Audit, control and assure information systems.", "Renewed"),
    ]
    assert len(staged) == 2
    assert (user, cert, "endDate") in staged


@pytest.mark.parametrize(
    "selection",
    [
        pytest.param(lambda df: df["issuingAuthority"] == "ISACA", id="boolean-series"),
        pytest.param(lambda df: (df["issuingAuthority"] == "ISACA").to_numpy(), id="boolean-array"),
        pytest.param(lambda df: (df["issuingAuthority"] == "ISACA").astype(object), id="object-mask"),
        pytest.param(lambda df: df.index[df["issuingAuthority"] == "ISACA"], id="index"),
        pytest.param(lambda df: list(df.index[df["issuingAuthority"] == "ISACA"]), id="label-list"),
        pytest.param(lambda df: list(df.loc[df["issuingAuthority"] == "ISACA", ["userId", "id"]]
                                     .itertuples(index=False, name=None)), id="key-list"),
    ],
)
def test_selections_pick_the_same_rows(
    own_frame: pd.DataFrame, selection: Callable[[pd.DataFrame], Any]
) -> None:
    isaca = own_frame[own_frame["issuingAuthority"] == "ISACA"]
    assert len(isaca) > 1
    staged = stage(own_frame)
    staged.set(selection(own_frame), issuingCompany="ISACA Inc.")
    assert sorted(e.cert_id for e in staged) == sorted(isaca["id"])
    assert {e.after for e in staged} == {"ISACA Inc."}


def test_apply_extends_expiry_by_a_year(own_frame: pd.DataFrame) -> None:
    staged = stage(own_frame)
    has_end = own_frame["endDate"].notna()
    staged.apply(has_end, endDate=lambda row: row.endDate + YEAR)
    assert len(staged) == int(has_end.sum()) > 100
    expected = {(u, c): (wire(d), wire(d + YEAR)) for u, c, d in
                own_frame.loc[has_end, ["userId", "id", "endDate"]].itertuples(index=False)}
    assert {e.row_key: (e.before, e.after) for e in staged} == expected
    # The function sees the row as loaded, so running the cell again stages the same values.
    staged.apply(has_end, endDate=lambda row: row["endDate"] + YEAR)
    assert {e.row_key: (e.before, e.after) for e in staged} == expected


def test_apply_function_error_refuses_the_call_naming_the_row(tenant_frame: pd.DataFrame) -> None:
    staged = stage(tenant_frame)
    with pytest.raises(EditsRefused) as refused:
        staged.apply([0, 1], endDate=lambda row: row.endDate + YEAR if row.name == 0 else 1 / 0)
    [problem] = refused.value.problems
    assert (problem.row, problem.field) == (1, "endDate")
    assert "raised ZeroDivisionError" in problem.rule
    assert len(staged) == 0


def test_set_with_a_series_gives_one_value_per_row(tenant_frame: pd.DataFrame) -> None:
    rows = tenant_frame.index[:5]
    new_names = pd.Series([f"Title {i}" for i in rows], index=rows)
    staged = stage(tenant_frame).set(rows, displayName=new_names)
    assert [e.after for e in staged] == [f"Title {i}" for i in rows]


def test_bulk_call_with_several_bad_rows_is_refused_whole(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    journal = tmp_path / "edits.journal"
    staged = stage(tenant_frame, journal=journal)
    staged.set(0, description="kept from an earlier call")
    starts = tenant_frame["startDate"]
    # Rows 0..9 get 2024-03-01 as expiry; those that started later are refused; plus one unknown row.
    bad_rows = [i for i in range(10) if wire(starts[i]) is not None and wire(starts[i]) > "2024-03-01"]
    assert 2 <= len(bad_rows) < 10
    with pytest.raises(EditsRefused) as refused:
        staged.set([*range(10), 99999], endDate="2024-03-01")
    err = refused.value
    assert isinstance(err, ValidationError)
    assert [p.row for p in err.problems] == [99999, *bad_rows]
    assert {p.field for p in err.problems} == {"endDate"}
    message = str(err)
    lines = message.splitlines()[1:]
    assert lines[0] == "  Expires: no row labelled 99999 in the frame (value '2024-03-01')"
    for problem, line, i in zip(err.problems[1:], lines[1:], bad_rows, strict=True):
        assert problem.value == "2024-03-01" and problem.label == "Expires"
        person = f"{tenant_frame['userDisplayName'][i]} ({tenant_frame['userPrincipalName'][i]})"
        assert (problem.person, problem.certification) == (person, tenant_frame["displayName"][i])
        assert line == (f"  {person} · {tenant_frame['displayName'][i]}: Expires 2024-03-01 is before Valid "
                        f"from {wire(starts[i])} (Expires must not be before Valid from)")
    assert "row " not in message.replace("no row labelled", "") and "field '" not in message
    assert f"{len(bad_rows) + 1} edits refused" in message
    table = err.table()
    assert table[["row", "person", "certification", "field", "label"]].shape == (len(bad_rows) + 1, 5)
    assert table["label"].tolist() == ["Expires"] * (len(bad_rows) + 1)
    # Nothing of the refused call is staged or journaled; the earlier call's edit stays.
    assert [e.field for e in staged] == ["description"]
    assert [e.field for e in Staged.open(journal)] == ["description"]


def test_bad_constant_value_is_reported_per_row(tenant_frame: pd.DataFrame) -> None:
    with pytest.raises(EditsRefused) as refused:
        stage(tenant_frame).set([0, 1, 2], endDate="30.06.2027")
    assert [p.row for p in refused.value.problems] == [0, 1, 2]
    assert all("must be a date YYYY-MM-DD" in p.rule for p in refused.value.problems)


def test_mask_of_wrong_length_is_refused(tenant_frame: pd.DataFrame) -> None:
    with pytest.raises(EditsRefused, match="a boolean mask needs"):
        stage(tenant_frame).set(np.array([True, False]), description="x")


@pytest.mark.parametrize(
    ("selection", "given"),
    [
        pytest.param(lambda df: df["id"], "a Series of string values named 'id' does not name rows",
                     id="series-of-ids"),
        pytest.param(lambda df: pd.Series(df.index[:3]), "a Series of int64 values does not name rows",
                     id="series-of-labels"),
        pytest.param(lambda df: df[["endDate"]].isna(), "a DataFrame does not name rows", id="dataframe"),
        pytest.param(lambda df: {0: True}, "a dict does not name rows", id="dict"),
        pytest.param(lambda df: pd.concat([df["endDate"].isna()] * 2),
                     f"the boolean mask's index holds {200} labels more than once (0, 1, 2, 3, 4, …)",
                     id="mask-with-repeated-labels"),
    ],
)
def test_what_cannot_select_rows_is_refused_saying_what_can(
    tenant_frame: pd.DataFrame, selection: Callable[[pd.DataFrame], Any], given: str
) -> None:
    frame = tenant_frame.iloc[:200]
    with pytest.raises(EditsRefused) as refused:
        stage(frame).set(selection(frame), description="x")
    [problem] = refused.value.problems
    assert problem.row == "selection" and problem.field == "description"
    assert given in problem.rule
    assert len(str(refused.value)) < 800  # the rule, not a dump of the Series or frame given
    if "mask" not in given:
        assert "a boolean mask (a Series or array of True/False" in problem.rule


def test_a_boolean_index_is_a_mask(own_frame: pd.DataFrame) -> None:
    isaca = own_frame["issuingAuthority"] == "ISACA"
    staged = stage(own_frame).set(pd.Index(isaca.to_numpy()), description="x")
    assert sorted(e.cert_id for e in staged) == sorted(own_frame.loc[isaca, "id"])


def test_a_tuple_is_one_label_of_a_multiindex(tenant_frame: pd.DataFrame) -> None:
    frame = tenant_frame.set_index(["userPrincipalName", "id"], drop=False)
    upn, cert = frame.index[3]
    staged = stage(frame).set((upn, cert), description="x")
    upn_user = tenant_frame.at[3, "userId"]
    assert [e.row_key for e in staged] == [(upn_user, cert)]
    assert [e.row_key for e in stage(frame).set([(upn, cert)], description="x")] == [(upn_user, cert)]
    levels = r"\(the frame's index has the levels userPrincipalName, id: a label is a tuple of 2 values\)"
    with pytest.raises(EditsRefused, match=rf"of user '{upn}' in the frame, nor a row label {levels}"):
        stage(frame).set((upn, "no-such-certification"), description="x")
    unknown = rf"no row labelled \('{upn}', '{cert}', 'x'\) in the frame {levels}"
    with pytest.raises(EditsRefused, match=unknown):
        stage(frame).set((upn, cert, "x"), description="x")


def test_a_series_of_values_with_repeated_labels_is_refused(tenant_frame: pd.DataFrame) -> None:
    values = pd.Series(["a", "b", "c"], index=[0, 0, 1])
    with pytest.raises(EditsRefused) as refused:
        stage(tenant_frame).set([0, 1], description=values)
    assert {p.rule for p in refused.value.problems} == {
        "the Series given for Description holds 1 label more than once (0): give one value per row label"}


def test_duplicated_certification_rows_are_refused(tenant_frame: pd.DataFrame) -> None:
    doubled = pd.concat([tenant_frame.iloc[:2], tenant_frame.iloc[:1]], ignore_index=True)
    with pytest.raises(EditsRefused) as refused:
        stage(doubled).set(0, description="x")
    person = f"{doubled.at[0, 'userDisplayName']} ({doubled.at[0, 'userPrincipalName']})"
    assert str(refused.value).splitlines()[1] == (
        f"  {person} · {doubled.at[0, 'displayName']}: Description: the frame holds this certification more "
        f"than once (userId {doubled.at[0, 'userId']}, id {doubled.at[0, 'id']}): load it again, or drop the "
        "repeated rows (value 'x')")
    assert len(stage(doubled).set(1, description="x")) == 1


def test_frame_edited_after_staging_does_not_change_before_values(tenant_frame: pd.DataFrame) -> None:
    staged = stage(tenant_frame)
    loaded = wire(tenant_frame.at[0, "endDate"])
    tenant_frame.loc[0, "endDate"] = pd.Timestamp("2030-01-01")
    staged.set(0, endDate="2031-01-01")
    assert staged.edits[0].before == loaded


def test_unstage_one_edit_one_row_one_field_and_clear(tenant_frame: pd.DataFrame) -> None:
    staged = stage(tenant_frame)
    staged.set([0, 1, 2], description="d", certificationId="X-1")
    assert len(staged) == 6
    key0 = (tenant_frame.at[0, "userId"], tenant_frame.at[0, "id"])
    staged.unstage(0, field="description")
    assert (*key0, "description") not in staged and (*key0, "certificationId") in staged
    staged.unstage(1)
    assert {e.row_key for e in staged} == {key0, (tenant_frame.at[2, "userId"], tenant_frame.at[2, "id"])}
    staged.unstage(staged.edits[0])
    assert len(staged) == 2
    staged.unstage(field="certificationId")
    assert [e.field for e in staged] == ["description"]
    staged.clear()
    assert len(staged) == 0
    with pytest.raises(EditsRefused, match="every field: no row labelled 12345 in the frame"):
        staged.unstage(12345)


def test_from_changes_stages_a_spreadsheet_round_trip(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = to_csv(tenant_frame, tmp_path / "certs.csv")
    sheet = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    sheet.loc[0, "endDate"] = "2029-08-01"
    sheet.loc[2, "description"] = "Edited in Excel"
    sheet.to_csv(path, index=False, encoding="utf-8-sig")
    edits = read_edits(tenant_frame, path)
    assert edits.ok, edits.problems
    staged = stage(tenant_frame).from_changes(edits)
    assert {(e.cert_id, e.field, e.before, e.after) for e in staged} == {
        (tenant_frame.at[0, "id"], "endDate", "2028-08-01", "2029-08-01"),
        (tenant_frame.at[2, "id"], "description", None, "Edited in Excel"),
    }
    assert pd.isna(tenant_frame.at[2, "description"])


def test_from_changes_refuses_a_table_from_another_load(tenant_frame: pd.DataFrame) -> None:
    table = pd.DataFrame(
        [{"row": 7, "userId": tenant_frame.at[0, "userId"], "id": tenant_frame.at[0, "id"],
          "field": "endDate", "before": pd.Timestamp("2020-01-01"), "after": pd.Timestamp("2029-08-01")},
         {"row": 8, "userId": "nobody", "id": "nothing", "field": "endDate", "before": None,
          "after": "2029-01-01"}],
        dtype=object,
    )
    with pytest.raises(EditsRefused) as refused:
        stage(tenant_frame).from_changes(table)
    first, second = refused.value.problems
    assert (first.row, first.field) == (7, "endDate") and "not the loaded value '2028-08-01'" in first.rule
    assert second.row == 8 and "no certification 'nothing' of user 'nobody'" in second.rule
    # The file's row, then whose certification, in the analyst's words.
    megan = f"{tenant_frame.at[0, 'userDisplayName']} ({tenant_frame.at[0, 'userPrincipalName']})"
    assert (first.where, first.person, first.certification, first.label) == (
        "spreadsheet row 7", megan, tenant_frame.at[0, "displayName"], "Expires")
    lines = str(refused.value).splitlines()
    assert lines[1].startswith(f"  spreadsheet row 7 · {megan} · {tenant_frame.at[0, 'displayName']}: the "
                               "table's before value of Expires '2020-01-01' is not the loaded value")
    assert lines[2] == ("  spreadsheet row 8: Expires: no certification 'nothing' of user 'nobody' in the "
                        "frame (value '2029-01-01')")


def test_a_bad_value_typed_in_a_spreadsheet_is_refused_naming_its_row_person_and_label(
    tenant_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = to_csv(tenant_frame, tmp_path / "certs.csv")
    sheet = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    sheet.loc[1, "endDate"] = "1999-01-01"  # before it became valid: read fine, refused by the staging rules
    sheet.to_csv(path, index=False, encoding="utf-8-sig")
    edits = read_edits(tenant_frame, path)
    staged = stage(tenant_frame)
    with pytest.raises(EditsRefused) as refused:
        staged.from_changes(edits)
    [problem] = refused.value.problems
    person = f"{tenant_frame.at[1, 'userDisplayName']} ({tenant_frame.at[1, 'userPrincipalName']})"
    start = wire(tenant_frame.at[1, "startDate"])
    assert str(refused.value).splitlines()[1] == (
        f"  spreadsheet row 3 · {person} · {tenant_frame.at[1, 'displayName']}: Expires 1999-01-01 is before "
        f"Valid from {start} (Expires must not be before Valid from)")
    assert (problem.row, problem.field, problem.user_id) == (3, "endDate", tenant_frame.at[1, "userId"])
    assert len(staged) == 0


def test_diff_table_filters_and_html(tenant_frame: pd.DataFrame) -> None:
    staged = stage(tenant_frame)
    staged.set([0, 3], endDate=dt.date(2029, 1, 1))
    staged.set(3, description="<b>bold</b> & more")
    diff = staged.diff()
    assert list(diff.table.columns) == ["userId", "userPrincipalName", "id", "displayName", "field", "before",
                                        "after", "outcome", "reason", "staged_by"]
    assert len(diff) == 3
    first = next(iter(diff))
    assert first["userPrincipalName"] == "megan.bowen@contoso.example"
    assert first["displayName"] == "Certified Information Systems Auditor (CISA)"
    assert (first["field"], first["before"], first["after"]) == ("endDate", "2028-08-01", "2029-01-01")
    assert len(staged.diff(field="endDate")) == 2
    assert len(staged.diff(user="ZOE.ANGSTROM@contoso.example")) == 2
    assert len(staged.diff(user=tenant_frame.at[0, "userId"], field="description")) == 0
    html = staged._repr_html_()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html and "<b>bold</b> &" not in html
    assert 'class="certnb-before"' in html and 'class="certnb-after">2029-01-01<' in html
    assert "3</b> staged edits on 2 certifications" in html
    # The analyst's view: the person by name, the field by its label, no Graph ids.
    assert "Megan Bowen" in html and "<td>Expires</td>" in html and "<td>endDate</td>" not in html
    assert tenant_frame.at[0, "userId"] not in html and tenant_frame.at[0, "id"] not in html
    said = repr(diff).splitlines()  # a terminal reads the same, grouped by person
    assert said[0] == "<Diff: 3 staged edits>"
    assert "  Certified Information Systems Auditor (CISA) · Expires: 2028-08-01 → 2029-01-01" in said
    assert "3 edits on 2 certifications of 2 users" in repr(staged)


def test_a_clearing_edit_shows_red_as_cleared_not_green(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    # Emptying a field loses a value: the diff must not show it like an addition.
    staged = stage(tenant_frame, journal=tmp_path / "edits.journal")
    held = tenant_frame.at[0, "issuingCompany"]
    staged.set(0, issuingCompany=None)
    staged.set(1, issuingCompany="Contoso Academy")
    html = staged.diff()._repr_html_()
    assert '<td class="certnb-cleared">(cleared)</td>' in html
    assert f'class="certnb-before">{held}<' in html and 'class="certnb-after">Contoso Academy<' in html


def test_staging_without_a_frame_needs_keys(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    journal = tmp_path / "edits.journal"
    key = (tenant_frame.at[0, "userId"], tenant_frame.at[0, "id"])
    stage(tenant_frame, journal=journal).set(0, description="first")
    reopened = Staged.open(journal)  # no frame: rows known to the journal can still be edited by key
    reopened.set(key, endDate="2027-12-31")
    assert reopened.edits[1].before == "2028-08-01"
    with pytest.raises(EditsRefused, match="no frame to pick rows from"):
        reopened.set(0, description="x")
    with pytest.raises(EditsRefused, match=r"\(Expires must not be before Valid from\)"):
        reopened.set(key, endDate="2025-07-31")  # before its startDate 2025-08-01, from the journal's record


def test_loaded_values_are_what_the_frame_sends_back(own_frame: pd.DataFrame) -> None:
    """`before` of every edit is the Graph wire value the frame holds (as `to_records` writes it)."""
    from certnb.frame import to_records

    staged = stage(own_frame)
    staged.set(slice(None), {"inference.confidenceScore": 0.123}, certificationId="Z-1")
    records = {r["id"]: r for r in to_records(own_frame)}
    assert len(staged.rows) == len(own_frame)
    for row in staged.rows.values():
        record = records[row.cert_id]
        for name, value in row.loaded.items():
            prop, _, member = name.partition(".")
            sent = record.get(prop)
            sent = (sent or {}).get(member) if member else sent
            assert value == sent, (row.cert_id, name, value, sent)


def test_public_surface_is_pinned() -> None:
    import certnb.staging

    assert certnb.staging.__all__ == [
        "Diff", "Edit", "EditsRefused", "Journal", "OwnedValueWarning", "Row", "RowSnapshot", "Staged",
        "stage",
    ]
    assert all(hasattr(certnb.staging, name) for name in certnb.staging.__all__)
