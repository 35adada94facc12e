"""Outcome names, the result table's summary and display, and the conflict verdict (pure, no network)."""

from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum

import pytest

from certnb.commit.outcome import OUTCOMES, Outcome
from certnb.commit.plan import plan_commit
from certnb.commit.record import RESULT_COLUMNS, OutcomeRecord
from certnb.commit.result import CommitResult
from certnb.commit.verdict import Verdict, verdict
from certnb.staging.edit import Edit, RowSnapshot


def outcome(name: str, n: int = 0) -> OutcomeRecord:
    return OutcomeRecord("u1", f"c{n}", "endDate", "2026-12-31", "2027-12-31", name)


def test_summary_counts_in_outcome_order() -> None:
    result = CommitResult([outcome("conflict", 1), *(outcome("applied", n) for n in range(2, 14))])
    assert result.summary() == "12 applied, 1 conflict"
    # The repr starts with the summary, then names each edit needing attention and what to do next.
    assert repr(result).splitlines() == [
        "12 applied, 1 conflict",
        "  conflict · u1 · c1 · Expires → 2027-12-31: someone changed it in Graph since you loaded; reload "
        "and re-stage if yours should win",
    ]
    assert repr(CommitResult([outcome("applied")])) == "1 applied"
    assert CommitResult([outcome("already_applied"), outcome("missing")]).summary() == (
        "1 already applied, 1 missing"
    )
    assert repr(CommitResult([])) == "nothing to commit"


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of applied"):
        outcome("done")
    assert OUTCOMES == (
        "applied", "already_applied", "conflict", "missing", "rejected", "not_permitted", "failed"
    )


def test_html_escapes_values_and_is_bounded() -> None:
    many = [OutcomeRecord("u1", f"c{n}", "displayName", "a", "<b>x</b>", "applied") for n in range(60)]
    shown = CommitResult(many)._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in shown and "<b>x</b>" not in shown
    assert "and 10 more" in shown and shown.count("<tr") == 51


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


def test_outcomes_and_verdicts_are_named_enums_that_are_their_strings() -> None:
    assert issubclass(Outcome, StrEnum) and issubclass(Verdict, StrEnum)
    assert Outcome.APPLIED == "applied" and f"{Outcome.ALREADY_APPLIED}" == "already_applied"
    assert [o.done for o in OUTCOMES] == [True, True, False, False, False, False, False]
    assert Verdict.CONFLICT.outcome is Outcome.CONFLICT and Verdict.MISSING.outcome is Outcome.MISSING
    with pytest.raises(ValueError, match="`send` is no outcome"):
        _ = Verdict.SEND.outcome
    [patch] = plan_commit([Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31", 1)], {ROW.key: ROW})
    assert verdict(patch, {"endDate": "2027-12-31"})[0] is Verdict.ALREADY_APPLIED
    # A record takes the name and holds the member; the result table holds plain strings.
    result = CommitResult([outcome("already_applied")])
    assert next(iter(result)).outcome is Outcome.ALREADY_APPLIED
    assert [type(v) for v in result.table["outcome"]] == [str] and result.counts == {"already_applied": 1}
    assert [type(k) for k in result.counts] == [str]


def test_one_record_is_the_journal_row_the_audit_entry_and_the_result_line() -> None:
    record = OutcomeRecord("u1", "c1", "endDate", "2026-12-31", "2027-12-31", "conflict", None, None,
                           "endDate changed", None, "2026-11-30T09:00:00.000000Z", seq=7, attempt=2)
    stored = (*record.journal_row(), record.before, record.after)  # as the journal reads it back
    assert OutcomeRecord.from_journal_row(stored) == record
    entry = record.audit_entry(who="adele@contoso.example")
    # the log has neither seq nor attempt; its `who` is the account that committed
    assert OutcomeRecord.from_audit_entry(entry) == replace(record, seq=0, attempt=1,
                                                            committed_by="adele@contoso.example")
    assert dict(zip(RESULT_COLUMNS, record.result_line(), strict=True)) == {
        "userId": "u1", "id": "c1", "field": "endDate", "before": "2026-12-31", "after": "2027-12-31",
        "outcome": "conflict", "status": None, "code": None, "message": "endDate changed", "requestId": None,
        "time": "2026-11-30T09:00:00.000000Z", "earlier": False, "newId": None, "reason": None,
        "staged_by": None, "committed_by": None,
    }


def test_results_list_what_needs_attention_first_in_outcome_order_with_what_to_do_next() -> None:
    records = [
        OutcomeRecord("u1", "c1", "endDate", "2026-12-31", "2027-12-31", "applied", 200, request_id="r-1"),
        OutcomeRecord("u1", "c2", "endDate", "2026-12-31", None, "failed", 503, "serviceUnavailable",
                      "try later", "r-2"),
        OutcomeRecord("u1", "c3", "webUrl", None, "https://x.example", "rejected", 400, "invalidRequest",
                      "webUrl is not allowed", "r-3"),
        OutcomeRecord("u1", "c4", "endDate", "2026-12-31", "2027-12-31", "conflict", 200, request_id="r-4"),
        OutcomeRecord("u1", "c5", "endDate", "2026-12-31", "2027-12-31", "already_applied"),
    ]
    result = CommitResult(records)
    shown = result._repr_html_()
    assert re.findall(r"<tr class='certnb-row-(\w+)'>", shown) == [
        "conflict", "rejected", "failed", "applied", "already_applied"]
    visible, answers = shown.split("<details", 1)
    assert "Graph said: webUrl is not allowed" in visible and "Graph said: try later" in visible
    assert "invalidRequest" not in visible and "r-3" not in visible and "r-3" in answers
    assert "<th>Graph code</th>" in answers and "<th>Graph message</th>" in answers
    assert [line.split(" · ")[0] for line in repr(result).splitlines()[1:]] == [
        "  conflict", "  rejected", "  failed"]
    assert "· Expires cleared: Graph did not take it in time" in repr(result)
    # Nothing from Graph to show: no disclosure, and no column of empty cells.
    assert "<details" not in CommitResult([outcome("already_applied")])._repr_html_()
