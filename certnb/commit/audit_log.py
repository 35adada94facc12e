"""The audit log: who changed which certification field, when, from what to what, and how it ended.

One JSON object per line, appended and fsynced as outcomes are known, to a file that outlives the session
(default: next to the journal, `<journal>.audit.jsonl`). It holds values and ids, never a token or header.

    >>> import tempfile, pathlib
    >>> from certnb.commit.record import OutcomeRecord, utc_now
    >>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "edits.audit.jsonl", who="adele@contoso.example")
    >>> log.append([OutcomeRecord("u1", "c1", "endDate", "2026-12-31", "2027-12-31", "applied", status=200)])
    >>> [(e["who"], e["field"], e["after"], e["outcome"]) for e in read_audit_log(log.path)]
    [('adele@contoso.example', 'endDate', '2027-12-31', 'applied')]
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from certnb.commit.record import OutcomeRecord, utc_now

__all__ = ["AUDIT_SUFFIX", "AuditLog", "default_audit_path", "read_audit_log", "read_audit_records"]

AUDIT_SUFFIX = ".audit.jsonl"


def default_audit_path(journal_path: Path | None) -> Path | None:
    """`<journal>.audit.jsonl` next to a journal file; None for an in-memory journal."""
    return None if journal_path is None else journal_path.with_name(journal_path.name + AUDIT_SUFFIX)


class AuditLog:
    """An append-only JSON-lines audit file; `who` is the signed-in account's UPN."""

    def __init__(self, path: str | Path, who: str | None) -> None:
        self.path = Path(path)
        self.who = who

    def __repr__(self) -> str:
        return f"<AuditLog {self.path}>"

    def append(self, records: Iterable[OutcomeRecord]) -> None:
        """Append one line per record (`OutcomeRecord.audit_entry`) and fsync, so the lines survive a crash
        right after."""
        now = utc_now()
        lines = [json.dumps(record.audit_entry(self.who, now), ensure_ascii=False, separators=(",", ":"))
                 for record in records]
        if not lines:
            return
        # A `before` may hold a lone surrogate Graph sent ("\\ud800"), the one thing UTF-8 cannot encode. JSON
        # holds it only inside a string, where "backslashreplace" writes its JSON escape: read back exactly.
        with self.path.open("a", encoding="utf-8", errors="backslashreplace") as out:
            out.write("\n".join(lines) + "\n")
            out.flush()
            os.fsync(out.fileno())


def read_audit_records(path: str | Path) -> list[OutcomeRecord]:
    """Every entry of an audit log as an `OutcomeRecord`, oldest first (see `read_audit_log`)."""
    return [OutcomeRecord.from_audit_entry(entry) for entry in read_audit_log(path)]


def read_audit_log(path: str | Path) -> list[dict[str, Any]]:
    """Every entry of an audit log, oldest first (a torn last line, from a crash mid-write, is skipped)."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return entries
