"""The audit log: who, when, what changed from what to what, how it ended; appended, next to the journal by
default, never a token."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from commit_tenant import ADMIN, committed, key, remote_patch, staged_on, user_id

from certnb.commit.audit_log import AuditLog, read_audit_log, read_audit_records
from certnb.commit.journal_outcomes import latest_outcomes
from certnb.commit.outcome import Outcome
from certnb.commit.record import OutcomeRecord
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph


def test_audit_log_records_every_outcome(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    staged = staged_on(graph, tmp_path / "edits.journal")
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    remote_patch(emu, 2, "cert-2-0", {"endDate": "2029-01-31"})
    started = dt.datetime.now(dt.UTC)
    committed(graph, staged)
    entries = read_audit_log(tmp_path / "edits.journal.audit.jsonl")
    seen = sorted((e["userId"], e["id"], e["field"], e["before"], e["after"], e["outcome"]) for e in entries)
    assert seen == [
        (user_id(1), "cert-1-0", "endDate", "2026-12-31", "2027-06-30", "applied"),
        (user_id(2), "cert-2-0", "endDate", "2026-12-31", "2027-06-30", "conflict"),
    ]
    assert {e["who"] for e in entries} == {ADMIN}
    assert all(dt.datetime.fromisoformat(e["when"]) >= started for e in entries)
    applied = next(e for e in entries if e["outcome"] == "applied")
    assert applied["status"] == 200 and applied["requestId"]


def test_audit_log_is_appended_and_holds_no_token(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    audit = tmp_path / "elsewhere" / "audit.jsonl"
    audit.parent.mkdir()
    for end in ("2027-06-30", "2028-06-30"):
        staged = staged_on(graph)
        staged.set(key(1, "cert-1-0"), endDate=end)
        committed(graph, staged, audit_log=audit)
    entries = read_audit_log(audit)
    assert [(e["before"], e["after"]) for e in entries] == [("2026-12-31", "2027-06-30"),
                                                              ("2027-06-30", "2028-06-30")]
    text = audit.read_text(encoding="utf-8")
    token = emu.access_token()
    assert token.split(".")[0] not in text and "Bearer" not in text and "authorization" not in text.lower()


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.audit.jsonl", who="x@contoso.example")
    log.append([OutcomeRecord("u1", "c1", "endDate", None, "2027-01-01", "applied", status=200)])
    with log.path.open("a", encoding="utf-8") as out:
        out.write('{"who": "x@contoso.example", "userI')  # the process died mid-write
    assert [e["id"] for e in read_audit_log(log.path)] == ["c1"]


def test_a_loaded_value_with_a_lone_surrogate_is_logged_and_read_back_exactly(tmp_path: Path) -> None:
    # Graph's JSON can send "\ud800" as an escape; correcting such a value logs it as the `before`.
    log = AuditLog(tmp_path / "a.audit.jsonl", who="x@contoso.example")
    log.append([OutcomeRecord("u1", "c1", "displayName", "AZ\ud800-104 Zoë", "AZ-104 Zoë", "applied",
                              status=200)])
    [entry] = read_audit_log(log.path)
    assert (entry["before"], entry["after"]) == ("AZ\ud800-104 Zoë", "AZ-104 Zoë")
    assert "Zoë" in log.path.read_text(encoding="utf-8")  # other text stays as it is


def test_the_result_the_journal_and_the_audit_log_tell_the_same_records(
    emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    staged = staged_on(graph, tmp_path / "edits.journal")
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30", description="renewed")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    remote_patch(emu, 2, "cert-2-0", {"endDate": "2029-01-31"})
    result = committed(graph, staged)
    latest = latest_outcomes(staged.journal)
    assert list(result) == [latest[e.seq] for e in staged.edits]  # the very records, stamps and all
    logged = read_audit_records(tmp_path / "edits.journal.audit.jsonl")  # in the order they were journaled
    by_edit = sorted(logged, key=lambda r: (r.user_id, r.cert_id, r.field))
    assert by_edit == [replace(r, seq=0, attempt=1) for r in sorted(  # the log keeps no seq or attempt
        result, key=lambda r: (r.user_id, r.cert_id, r.field))]
    assert {r.outcome for r in logged} == {Outcome.APPLIED, Outcome.CONFLICT}
