"""Who owns each value: the frame's `sourceNames`/`ownedBy` columns, `df.certs.owner`/`owned`, the raw
annotations through every round trip, the tenant's source names at load, and the two audit rules."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from owned_tenant import (
    ORG_DATA,
    PROFILE_SOURCES,
    UNNAMED,
    USERS,
    WORKDAY,
    WORKDAY_NAME,
    label_of,
    owned_frame,
)

import certnb.frame  # noqa: F401  (registers df.certs)
from certnb.errors import GraphError
from certnb.frame.build import build_frame
from certnb.frame.changes import read_edits
from certnb.frame.load import PartialLoadWarning, load_certifications
from certnb.frame.owners import OWNED_COLUMNS, PROFILE_SOURCES_ATTR, source_names
from certnb.frame.records import to_records
from certnb.frame.spreadsheet import to_csv, to_excel

ASOF = "2026-11-30"


def cell(frame: pd.DataFrame, cert_id: str, column: str) -> Any:
    value = frame.loc[label_of(frame, cert_id), column]
    return None if pd.isna(value) else value


# ------------------------------------------------------------------------------------------------- columns


def test_the_frame_names_every_source_and_the_owners_of_each_item() -> None:
    df = owned_frame()
    assert df["sourceNames"].dtype == "string" and df["ownedBy"].dtype == "string"
    assert cell(df, "c-az104", "sourceNames") == f"{WORKDAY_NAME}; User initiated edits"
    assert cell(df, "c-az104", "ownedBy") == WORKDAY_NAME  # the user's own edits own nothing
    assert cell(df, "c-cka", "sourceNames") == "User initiated edits"
    assert cell(df, "c-cka", "ownedBy") is None
    assert cell(df, "c-itil", "ownedBy") == "Organizational Data in Microsoft 365"
    assert cell(df, "c-psm", "ownedBy") is None  # Microsoft account: Chloé edits it herself
    assert cell(df, "c-secplus", "ownedBy") == UNNAMED  # not in the tenant's list: its id
    assert cell(df, "c-plain", "sourceNames") is None and cell(df, "c-plain", "ownedBy") is None
    assert df["isSearchable"].dtype == "boolean"
    assert cell(df, "c-az104", "isSearchable") == True and cell(df, "c-cka", "isSearchable") == False  # noqa: E712


def test_without_the_tenants_list_a_connector_shows_its_id_and_microsofts_sources_their_names() -> None:
    df = owned_frame(named=False)
    assert cell(df, "c-az104", "ownedBy") == WORKDAY
    assert cell(df, "c-itil", "ownedBy") == "Organizational Data in Microsoft 365"
    assert PROFILE_SOURCES_ATTR not in df.attrs


def test_the_annotation_id_is_read_under_either_spelling_and_matched_without_case() -> None:
    spelled = [{"id": "u1", "certifications": [
        {"id": "a", "sources": [{"sourceId": ORG_DATA.upper(), "properties": ["endDate"]}]},
        {"id": "b", "sources": [{"id": "workday-hr", "properties": ["endDate"]}]},  # the alternate key
        {"id": "c", "sources": [{"isDefaultSource": True, "properties": ["endDate"]}]},  # no id: no owner
    ]}]
    df = build_frame(spelled, profile_sources=PROFILE_SOURCES)
    assert df["ownedBy"].tolist()[:2] == ["Organizational Data in Microsoft 365", WORKDAY_NAME]
    assert pd.isna(df["ownedBy"].iloc[2])
    assert source_names(PROFILE_SOURCES) == {WORKDAY: WORKDAY_NAME, "workday-hr": WORKDAY_NAME}


def test_owner_answers_per_field_by_column_or_label() -> None:
    df = owned_frame()
    az104 = label_of(df, "c-az104")
    assert df.certs.owner(az104, "endDate") == (WORKDAY_NAME,)
    assert df.certs.owner(az104, "Expires") == (WORKDAY_NAME,)
    assert df.certs.owner(az104, "issuingCompany") == (WORKDAY_NAME,)
    assert df.certs.owner(az104, "description") == ()  # from her own edits
    assert df.certs.owner(az104, "displayName") == ()  # no source lists it
    itil = label_of(df, "c-itil")
    assert df.certs.owner(itil, "displayName") == ("Organizational Data in Microsoft 365",)  # whole item
    assert df.certs.owner(itil, "inference.confidenceScore") == ("Organizational Data in Microsoft 365",)
    assert df.certs.owner(label_of(df, "c-psm"), "endDate") == ()
    with pytest.raises(KeyError, match="no certification field 'expiry'"):
        df.certs.owner(az104, "expiry")


def test_owned_lists_every_owned_value_once_with_its_source() -> None:
    df = owned_frame()
    owned = df.certs.owned()
    assert list(owned.columns) == list(OWNED_COLUMNS)
    az104 = owned[owned["id"] == "c-az104"]
    assert az104[["field", "label", "source", "sourceId"]].values.tolist() == [
        ["startDate", "Valid from", WORKDAY_NAME, WORKDAY], ["endDate", "Expires", WORKDAY_NAME, WORKDAY],
        ["issuingCompany", "Issuing company", WORKDAY_NAME, WORKDAY]]
    assert set(owned["id"]) == {"c-az104", "c-az900-hr", "c-itil", "c-secplus"}  # none of the personal ones
    assert len(owned[owned["id"] == "c-itil"]) == 13  # every writable field: no properties, the whole item
    assert owned.loc[owned["id"] == "c-az900-hr", "userDisplayName"].tolist() == ["Ben Walters"]


# ------------------------------------------------------------------------------------------- round trips


def test_to_records_gives_the_annotations_back_and_never_the_derived_columns() -> None:
    records = to_records(owned_frame())
    sent = [c for u in USERS for c in u["certifications"]]
    assert records == sent
    assert not any("sourceNames" in r or "ownedBy" in r for r in records)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_spreadsheet_round_trip_keeps_the_annotations_as_read_only_cells(tmp_path: Path,
                                                                          suffix: str) -> None:
    df = owned_frame()
    path = tmp_path / f"certs{suffix}"
    (to_csv if suffix == ".csv" else to_excel)(df, path)
    edits = read_edits(df, path)
    assert edits.changes.empty and edits.problems.empty  # the JSON of `sources` and the names read back equal
    if suffix == ".xlsx":
        sheet = load_workbook(path).active
        assert sheet is not None
        header = [c.value for c in sheet[1]]
        assert header[header.index("sources") + 1:][:2] == ["sourceNames", "ownedBy"]


def test_an_edited_owner_cell_is_reported_read_only_not_taken(tmp_path: Path) -> None:
    df = owned_frame()
    path = tmp_path / "certs.csv"
    to_csv(df, path)
    text = path.read_text(encoding="utf-8-sig").replace(WORKDAY_NAME, "Nobody", 1)
    path.write_text(text, encoding="utf-8-sig")
    edits = read_edits(df, path)
    assert edits.changes.empty
    [problem] = edits.problems.to_dict("records")
    assert (problem["row"], problem["field"]) == (2, "sourceNames")
    assert problem["value"] == "Nobody; User initiated edits"
    assert problem["problem"].startswith("Source names is read-only")


# ------------------------------------------------------------------------------------------- names at load


class Tenant:
    """A Graph stand-in at the seam `load_certifications` takes (its `GraphSession` protocol): the
    signed-in Adele's list, and the profile sources answered or refused as a tenant would."""

    def __init__(self, sources: list[dict[str, Any]] | GraphError) -> None:
        self.sources = sources
        self.asked: list[str] = []

    def me(self) -> dict[str, Any]:
        return {k: USERS[0][k] for k in ("id", "userPrincipalName", "displayName")}

    def get_all(self, path: str, params: Any = None) -> list[dict[str, Any]]:
        self.asked.append(path)
        if path == "/admin/people/profileSources":
            if isinstance(self.sources, GraphError):
                raise self.sources
            return self.sources
        return copy.deepcopy(USERS[0]["certifications"])

    def get_lists(self, paths: Any, *, on_first_pages: Any = None) -> list[Any]:
        raise AssertionError("one user: no lists")

    def batch(self, requests: Any, *, on_answered: Any = None) -> list[Any]:
        raise AssertionError("one user: no batch")


def test_load_reads_the_tenants_source_names_when_asked() -> None:
    tenant = Tenant(PROFILE_SOURCES)
    df = load_certifications(tenant, profile_sources=True)
    assert tenant.asked[0] == "/admin/people/profileSources"
    assert cell(df, "c-az104", "ownedBy") == WORKDAY_NAME
    assert df.certs.owner(label_of(df, "c-az104"), "endDate") == (WORKDAY_NAME,)


def test_load_does_not_ask_for_source_names_unless_told() -> None:
    tenant = Tenant(PROFILE_SOURCES)
    df = load_certifications(tenant)
    assert "/admin/people/profileSources" not in tenant.asked
    assert cell(df, "c-az104", "ownedBy") == WORKDAY


def test_a_refused_source_list_loads_all_the_same_showing_ids_and_saying_why() -> None:
    refused = GraphError(403, "Authorization_RequestDenied", "Insufficient privileges", request_id="r-42")
    with pytest.warns(PartialLoadWarning, match=r"403 Authorization_RequestDenied, request-id r-42.*"
                                                r"shown by id.*PeopleSettings\.Read\.All"):
        df = load_certifications(Tenant(refused), profile_sources=True)
    assert len(df) == 2 and cell(df, "c-az104", "ownedBy") == WORKDAY


def test_a_graph_without_the_route_says_so_rather_than_blaming_permissions() -> None:
    missing = GraphError(400, "BadRequest", "Resource not found for the segment 'admin'.")
    with pytest.warns(PartialLoadWarning,
                      match=r"\(400 BadRequest\); sources are shown by id: this Graph does not list them"):
        load_certifications(Tenant(missing), profile_sources=True)


# ------------------------------------------------------------------------------------------------- audit


def test_a_suggested_fix_of_an_owned_value_is_flagged_and_its_fix_says_where() -> None:
    findings = owned_frame().certs.audit(asof=ASOF)
    spelling = findings[(findings["rule"] == "issuer-spelling") & (findings["id"] == "c-az104")]
    assert spelling["suggested"].tolist() == ["Microsoft"]
    assert spelling["fix"].iloc[0] == (f"use 'Microsoft', in {WORKDAY_NAME} (it owns this value; a Graph "
                                       "edit would not last)")
    owned_fixes = findings[(findings["rule"] == "owned-fix") & (findings["field"] == "issuingCompany")]
    [owned] = owned_fixes.to_dict("records")
    assert (owned["severity"], owned["id"], owned["field"], owned["value"], owned["suggested"]) == (
        "warning", "c-az104", "issuingCompany", "MSFT", "Microsoft")
    assert owned["detail"] == (f"the audit suggests Issuing company 'Microsoft', but {WORKDAY_NAME} owns "
                               "Issuing company: Graph refuses the edit, or the next import puts the old "
                               "value back")
    assert owned["fix"] == (f"correct it in {WORKDAY_NAME} (staged.source_fixes() lists such fixes to send "
                            "there)")


def test_a_suggestion_on_a_value_nobody_owns_is_not_flagged() -> None:
    users = copy.deepcopy(USERS)
    users[0]["certifications"][0]["sources"][0]["properties"] = ["webUrl"]  # no suggestion touches it
    findings = build_frame(users, profile_sources=PROFILE_SOURCES).certs.audit(asof=ASOF)
    assert "owned-fix" not in set(findings["rule"])
    assert findings.loc[findings["rule"] == "issuer-spelling", "fix"].tolist() == ["use 'Microsoft'"]


def test_staged_edits_of_owned_values_are_findings_when_the_audit_is_given_them() -> None:
    df = owned_frame()
    edits = pd.DataFrame({"userId": ["u-adele", "u-adele"], "id": ["c-az104", "c-az104"],
                          "field": ["endDate", "description"],
                          "after": ["2027-12-31", "Azure admin (AZ-104)"]})
    findings = df.certs.audit(asof=ASOF, staged=edits)
    staged = findings[(findings["rule"] == "owned-fix") & (findings["field"] == "endDate")
                      & findings["detail"].str.startswith("an edit is staged")]
    assert staged[["id", "value", "suggested"]].values.tolist() == [
        ["c-az104", pd.Timestamp("2026-12-31"), "2027-12-31"]]
    assert staged["detail"].iloc[0].startswith("an edit is staged to set Expires '2027-12-31', but Workday")
    assert not ((findings["rule"] == "owned-fix") & (findings["field"] == "description")).any()


def test_the_same_certification_from_two_sources_with_different_values_is_a_finding() -> None:
    findings = owned_frame().certs.audit(asof=ASOF)
    disagree = findings[findings["rule"] == "sources-disagree"]
    assert disagree[["id", "field", "severity"]].values.tolist() == [
        ["c-az900-hr", "endDate", "warning"], ["c-az900-own", "endDate", "warning"]]
    hr = disagree[disagree["id"] == "c-az900-hr"].iloc[0]
    assert hr["detail"] == (f"Expires is 2027-06-18 here (from {WORKDAY_NAME}) but 2028-06-18 in c-az900-own "
                            "(from User initiated edits)")
    assert hr["fix"].startswith("decide which is right; correct the owning system's copy there")
    duplicates = findings[findings["rule"] == "duplicate"]
    assert {"c-az900-hr", "c-az900-own"} <= set(duplicates["id"])  # still a duplicate, too


def test_copies_from_two_sources_that_agree_are_no_disagreement() -> None:
    users = copy.deepcopy(USERS)
    users[1]["certifications"][1]["endDate"] = "2027-06-18"
    assert "sources-disagree" not in set(build_frame(users).certs.audit(asof=ASOF)["rule"])


def test_a_frame_without_sources_has_no_owner_findings() -> None:
    users = copy.deepcopy(USERS)
    for user in users:
        for certification in user["certifications"]:
            certification.pop("sources", None)
    df = build_frame(users)
    rules = set(df.certs.audit(asof=ASOF)["rule"])
    assert not rules & {"owned-fix", "sources-disagree"}
    assert df.certs.owned().empty and df["ownedBy"].isna().all()
