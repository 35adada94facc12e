"""The audit log: who changed which certification field, when, why, from what to what, and how it ended.

One JSON object per line, appended and fsynced as outcomes are known, to a file that outlives the session
(default: next to the journal, `<journal>.audit.jsonl`). Each entry names the account that committed
(`who`), the one that staged (`staged_by`) and the reason given when staging (`reason`), with the person's
sign-in name and the certification's title as loaded. It holds values and ids, never a token or header.

    >>> import tempfile, pathlib
    >>> from certnb.commit.record import OutcomeRecord, utc_now
    >>> log = AuditLog(pathlib.Path(tempfile.mkdtemp()) / "edits.audit.jsonl", who="adele@contoso.example")
    >>> log.append([OutcomeRecord("u1", "c1", "endDate", "2026-12-31", "2027-12-31", "applied", status=200,
    ...                           reason="renewal confirmed", staged_by="megan@contoso.example")])
    >>> [(e["who"], e["field"], e["after"], e["outcome"], e["reason"]) for e in read_audit_log(log.path)]
    [('adele@contoso.example', 'endDate', '2027-12-31', 'applied', 'renewal confirmed')]

`AuditLog(path).who_changed(person=..., field=...)` answers "who changed Ana's expiry date, when and why"
from the file alone: one line per change that landed.

    >>> [change] = log.who_changed(person="u1", field="Expires").to_dict("records")
    >>> change["field"], change["after"], change["reason"], change["staged_by"], change["committed_by"]
    ('Expires', '2027-12-31', 'renewal confirmed', 'megan@contoso.example', 'adele@contoso.example')
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.commit.record import OutcomeRecord, utc_now
from certnb.schema import FIELDS_BY_COLUMN, LABELS
from certnb.staging.edit import RowSnapshot
from certnb.staging.operations import CREATE, DELETE

__all__ = ["AUDIT_SUFFIX", "CHANGE_COLUMNS", "AuditLog", "default_audit_path", "open_audit_log",
           "read_audit_log", "read_audit_records"]

AUDIT_SUFFIX = ".audit.jsonl"

CHANGE_COLUMNS: tuple[str, ...] = (
    "when", "person", "userId", "certification", "id", "field", "before", "after", "reason", "staged_by",
    "committed_by", "outcome", "requestId",
)
"""The columns of `AuditLog.who_changed`: when, whose certification, which field (its label), from what to
what, why, who staged it, who committed it, how it ended and Graph's request id."""

_OPERATION_LABELS = {CREATE: "the certification (created)", DELETE: "the certification (deleted)"}


def default_audit_path(journal_path: Path | None) -> Path | None:
    """`<journal>.audit.jsonl` next to a journal file; None for an in-memory journal."""
    return None if journal_path is None else journal_path.with_name(journal_path.name + AUDIT_SUFFIX)


class AuditLog:
    """An append-only JSON-lines audit file; `who` is the committing account's UPN (None: only read it);
    `rows` (a staged set's `rows`) name the person and the certification of each entry."""

    def __init__(self, path: str | Path, who: str | None = None,
                 rows: Mapping[tuple[str, str], RowSnapshot] | None = None) -> None:
        self.path = Path(path)
        self.who = who
        self._rows = rows or {}

    def __repr__(self) -> str:
        return f"<AuditLog {self.path}>"

    def append(self, records: Iterable[OutcomeRecord]) -> None:
        """Append one line per record (`OutcomeRecord.audit_entry`) and fsync, so the lines survive a crash
        right after."""
        now = utc_now()
        lines = [json.dumps(self._entry(record, now), ensure_ascii=False, separators=(",", ":"))
                 for record in records]
        if not lines:
            return
        # A `before` may hold a lone surrogate Graph sent ("\\ud800"), the one thing UTF-8 cannot encode. JSON
        # holds it only inside a string, where "backslashreplace" writes its JSON escape: read back exactly.
        with self.path.open("a", encoding="utf-8", errors="backslashreplace") as out:
            out.write("\n".join(lines) + "\n")
            out.flush()
            os.fsync(out.fileno())

    def _entry(self, record: OutcomeRecord, now: str) -> dict[str, Any]:
        entry = record.audit_entry(self.who, now)
        row = self._rows.get((record.user_id, record.cert_id))
        if row is not None:
            entry["userPrincipalName"] = row.user_principal_name
            entry["displayName"] = row.display_name
        return entry

    def who_changed(self, person: str | None = None, field: str | None = None,
                    certification: str | None = None, *,
                    outcomes: Iterable[str] = ("applied",)) -> pd.DataFrame:
        """Who changed what, when and why: one line per logged change that landed (`CHANGE_COLUMNS`), oldest
        first. `person` is a sign-in name or user id, `field` a label ("Expires") or a column ("endDate"),
        `certification` a title or id (all matched ignoring case); `outcomes` the outcomes to list (every
        attempt: `outcomes=("applied", "already_applied", "conflict", "failed", ...)`).

        >>> AuditLog("nothing-logged-yet.audit.jsonl").who_changed(person="ana@contoso.example").empty
        True
        """
        wanted_field = None if field is None else _column(field)
        kept = set(outcomes)
        lines = []
        for entry in (read_audit_log(self.path) if self.path.exists() else []):
            upn, title = entry.get("userPrincipalName"), entry.get("displayName")
            if entry.get("outcome") not in kept:
                continue
            if person is not None and not _named(person, entry.get("userId"), upn):
                continue
            if wanted_field is not None and entry.get("field") != wanted_field:
                continue
            if certification is not None and not _named(certification, entry.get("id"), title):
                continue
            name = str(entry.get("field"))
            lines.append((entry.get("when"), upn, entry.get("userId"), title, entry.get("id"),
                          _OPERATION_LABELS.get(name) or LABELS.get(name, name), entry.get("before"),
                          entry.get("after"), entry.get("reason"), entry.get("staged_by"), entry.get("who"),
                          entry.get("outcome"), entry.get("requestId")))
        return pd.DataFrame(lines, columns=list(CHANGE_COLUMNS), dtype=object)


def _named(wanted: str, *names: Any) -> bool:
    """True when `wanted` is one of `names`, ignoring case."""
    folded = wanted.casefold()
    return any(isinstance(name, str) and name.casefold() == folded for name in names)


def _column(field: str) -> str:
    """The column a field label ("Expires") or column name ("endDate") means; `KeyError` naming the known
    labels otherwise."""
    if field in FIELDS_BY_COLUMN or field in (CREATE, DELETE):
        return field
    for column, label in LABELS.items():
        if label.casefold() == field.casefold():
            return column
    raise KeyError(f"no certification field {field!r}; fields are: {', '.join(LABELS.values())}")


def open_audit_log(source: str | Path | Any) -> AuditLog:
    """The audit log at a path, or the one beside a `Staged`'s journal (`<journal>.audit.jsonl`), to read:
    `certnb.audit_log(staged).who_changed(person="ana@contoso.example", field="Expires")`.

    >>> open_audit_log("edits.journal.audit.jsonl")
    <AuditLog edits.journal.audit.jsonl>
    """
    journal = getattr(source, "journal", None)
    if journal is None:
        return AuditLog(source)
    path = default_audit_path(journal.path)
    if path is None:
        raise ValueError("this staging keeps its journal in memory, so its commits keep no audit log: pass "
                         "the audit_log= path the commit was given")
    return AuditLog(path)


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
