"""Outcome names, the result table's summary and display, and the conflict verdict (pure, no network)."""

from __future__ import annotations

import pytest

from certnb.commit.outcome import OUTCOMES
from certnb.commit.plan import plan_commit
from certnb.commit.record import OutcomeRecord
from certnb.commit.result import CommitResult
from certnb.commit.verdict import verdict
from certnb.staging.edit import Edit, RowSnapshot


def outcome(name: str, n: int = 0) -> OutcomeRecord:
    return OutcomeRecord("u1", f"c{n}", "endDate", "2026-12-31", "2027-12-31", name)


def test_summary_counts_in_outcome_order() -> None:
    result = CommitResult([outcome("conflict", 1), *(outcome("applied", n) for n in range(2, 14))])
    assert repr(result) == "12 applied, 1 conflict"
    assert CommitResult([outcome("already_applied"), outcome("missing")]).summary() == (
        "1 already applied, 1 missing"
    )
    assert repr(CommitResult([])) == "nothing to commit"


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of applied"):
        outcome("done")
    assert OUTCOMES == ("applied", "already_applied", "conflict", "missing", "rejected", "failed")


def test_html_escapes_values_and_is_bounded() -> None:
    many = [OutcomeRecord("u1", f"c{n}", "displayName", "a", "<b>x</b>", "applied") for n in range(60)]
    shown = CommitResult(many)._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in shown and "<b>x</b>" not in shown
    assert "and 10 more rows" in shown and shown.count("<tr") == 51


def test_ok_only_when_every_edit_is_on_the_server() -> None:
    assert CommitResult([outcome("applied"), outcome("already_applied", 1)]).ok
    assert not CommitResult([outcome("applied"), outcome("failed", 1)]).ok


ROW = RowSnapshot("u1", "c1", "a@x", "A", "AZ-104", {
    "endDate": "2026-12-31", "allowedAudiences": "organization",
    "inference.confidenceScore": 0.5, "inference.userHasVerifiedAccuracy": False,
})


@pytest.mark.parametrize(("server", "expected"), [
    ({"endDate": "2026-12-31", "allowedAudiences": "organization"}, "send"),
    ({"endDate": "2027-12-31", "allowedAudiences": "contacts,organization"}, "already_applied"),
    ({"endDate": "2027-12-31", "allowedAudiences": "organization,contacts"}, "already_applied"),
    ({"endDate": "2027-12-31", "allowedAudiences": "organization"}, "send"),  # half there: send the rest
    ({"endDate": "2028-01-31", "allowedAudiences": "organization"}, "conflict"),
    ({"endDate": "2026-12-31", "allowedAudiences": "everyone"}, "conflict"),
    (None, "missing"),
])
def test_verdict(server: dict[str, str] | None, expected: str) -> None:
    [patch] = plan_commit([
        Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31", 1),
        Edit("u1", "c1", "allowedAudiences", "organization", "contacts,organization", 2),
    ], {ROW.key: ROW})
    assert verdict(patch, None if server is None else {"id": "c1", **server})[0] == expected


def test_verdict_checks_the_inference_member_sent_unchanged() -> None:
    [patch] = plan_commit([Edit("u1", "c1", "inference.confidenceScore", 0.5, 0.9, 1)], {ROW.key: ROW})
    loaded = {"confidenceScore": 0.5, "userHasVerifiedAccuracy": False}
    assert verdict(patch, {"inference": loaded})[0] == "send"
    # Someone verified it meanwhile: sending the whole object would undo that.
    assert verdict(patch, {"inference": {**loaded, "userHasVerifiedAccuracy": True}})[0] == "conflict"
