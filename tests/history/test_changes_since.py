"""What changed between two audits: added, removed and changed certifications, each changed field named by
its label with before and after; who and when from Graph's lastModifiedBy; a change no certnb audit log
holds is marked as made outside certnb."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import certnb
from certnb.frame.build import build_frame
from certnb.history import CHANGE_COLUMNS, changes

HR_SYNC = {"application": {"displayName": "Workday HR sync", "id": "app-1"}}
ADELE = {"user": {"displayName": "Adele Vance", "id": "u1"}}


def cert(cid: str, **values: Any) -> dict[str, Any]:
    return {"id": cid, "displayName": f"Certification {cid}", "issuingCompany": "ISACA",
            "endDate": "2027-01-31", "lastModifiedDateTime": "2026-10-01T08:00:00Z",
            "lastModifiedBy": ADELE, **values}


def frame(*certifications: dict[str, Any]) -> pd.DataFrame:
    return build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example",
                         "displayName": "Adele Vance",
                         "certifications": list(certifications)}])


BEFORE = frame(cert("kept"), cert("hr"), cert("ours"), cert("gone"))
AFTER = frame(
    cert("kept"),
    cert("hr", endDate="2028-01-31", issuingCompany="ISACA Inc.",
         lastModifiedDateTime="2026-11-03T02:00:00Z", lastModifiedBy=HR_SYNC),
    cert("ours", endDate="2027-12-31", lastModifiedDateTime="2026-11-05T10:00:00Z"),
    cert("new", lastModifiedDateTime="2026-11-06T10:00:00Z"),
)
LOG = [  # what certnb's commit wrote (certnb.commit.audit_log): the edit of "ours"
    {"who": "adele@contoso.example", "when": "2026-11-05T10:00:00Z", "userId": "u1", "id": "ours",
     "field": "endDate", "before": "2027-01-31", "after": "2027-12-31", "outcome": "applied"},
    {"who": "adele@contoso.example", "when": "2026-11-05T10:00:01Z", "userId": "u1", "id": "hr",
     "field": "endDate", "before": "2027-01-31", "after": "2029-01-31", "outcome": "conflict"},
]


def test_each_changed_field_with_who_and_when() -> None:
    found = changes(BEFORE, AFTER)
    assert list(found.columns) == list(CHANGE_COLUMNS)
    rows = found[["change", "id", "field", "label", "before", "after", "lastModifiedBy"]].values.tolist()
    assert rows == [
        ["changed", "hr", "issuingCompany", "Issuing company", "ISACA", "ISACA Inc.", "Workday HR sync"],
        ["changed", "hr", "endDate", "Expires", pd.Timestamp("2027-01-31"), pd.Timestamp("2028-01-31"),
         "Workday HR sync"],
        ["changed", "ours", "endDate", "Expires", pd.Timestamp("2027-01-31"), pd.Timestamp("2027-12-31"),
         "Adele Vance"],
        ["added", "new", pd.NA, pd.NA, None, None, "Adele Vance"],  # field and label: missing strings
        ["removed", "gone", pd.NA, pd.NA, None, None, pd.NA],
    ]
    assert found["lastModifiedDateTime"].tolist()[:2] == [pd.Timestamp("2026-11-03T02:00:00Z")] * 2
    assert pd.isna(found["lastModifiedDateTime"].iloc[-1])  # Graph keeps nothing of a deleted item
    assert found["person"].unique().tolist() == ["Adele Vance (adele@contoso.example)"]
    assert found["certification"].tolist()[0] == "Certification hr"
    assert found["outside"].isna().all()  # no audit log given: not known


def test_a_change_no_audit_log_holds_was_made_outside_certnb(tmp_path: Path) -> None:
    log = tmp_path / "edits.sqlite.audit.jsonl"
    log.write_text("\n".join(json.dumps(e) for e in LOG) + "\n{torn", encoding="utf-8")
    found = changes(BEFORE, AFTER, audit_log=log)
    names = found["id"] + " " + found["field"].fillna(found["change"])
    outside = dict(zip(names, found["outside"], strict=True))
    assert outside == {"hr issuingCompany": True, "hr endDate": True, "ours endDate": False,
                       "new added": True, "gone removed": True}
    created = {"when": "2026-11-06T10:00:00Z", "userId": "u1", "id": "new-local-1", "newId": "new",
               "field": "@create", "outcome": "applied"}
    deleted = {"when": "2026-11-06T10:00:00Z", "userId": "u1", "id": "gone", "field": "@delete",
               "outcome": "applied"}
    found = changes(BEFORE, AFTER, audit_log=[*LOG, created, deleted])
    assert found.set_index("change").loc[["added", "removed"], "outside"].tolist() == [False, False]


def test_log_entries_from_before_the_earlier_audit_do_not_count() -> None:
    found = changes(BEFORE, AFTER, audit_log=LOG, since="2026-11-06T00:00:00Z")
    assert found.loc[found["id"] == "ours", "outside"].tolist() == [True]


def test_no_change_is_an_empty_table() -> None:
    found = changes(BEFORE, BEFORE.copy())
    assert found.empty and list(found.columns) == list(CHANGE_COLUMNS)


def test_a_frame_with_a_certification_twice_is_refused() -> None:
    twice = pd.concat([BEFORE, BEFORE.iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="holds certification kept of user u1 twice"):
        changes(twice, AFTER)


@pytest.fixture(params=["audits", "audits.duckdb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / str(request.param)
    certnb.snapshot(BEFORE, path, taken="2026-11-01T09:00:00Z")
    certnb.snapshot(AFTER, path, taken="2026-11-30T09:00:00Z")
    return path


def test_changes_since_the_audit_before(store: Path) -> None:
    history = certnb.history(store)
    expected = changes(BEFORE, AFTER)
    for previous in (-2, 0, "20261101T090000Z", "2026-11-01", pd.Timestamp("2026-11-29T00:00Z")):
        pd.testing.assert_frame_equal(history.changes_since(previous), expected)
    # Against a frame of your own (a fresh load) and back in time.
    assert history.changes_since(-2, AFTER.iloc[:1])["change"].tolist() == ["removed"] * 3
    assert history.changes_since(-1, current=0)["change"].value_counts().to_dict() == {
        "changed": 3, "added": 1, "removed": 1}


def test_changes_since_uses_the_earlier_audit_time_for_the_log(store: Path) -> None:
    late = [{**LOG[0], "when": "2026-10-01T00:00:00Z"}]  # an edit of "ours" before the earlier audit
    found = certnb.history(store).changes_since(-2, audit_log=late)
    assert found.loc[found["id"] == "ours", "outside"].tolist() == [True]


def test_a_snapshot_that_is_not_there_is_named(store: Path) -> None:
    history = certnb.history(store)
    with pytest.raises(certnb.SnapshotError, match="holds 2 snapshots, so none at position 5"):
        history.changes_since(5)
    with pytest.raises(certnb.SnapshotError, match=r"no snapshot taken by 2026-10-01.*20261101T090000Z"):
        history.changes_since("2026-10-01")
    with pytest.raises(certnb.SnapshotError, match="no snapshot 'last week'"):
        history.changes_since("last week")
