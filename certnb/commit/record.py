"""`OutcomeRecord`: what a commit did to one edit — the one shape of a journal row, a result line and an
audit-log entry (pure: no I/O).

    >>> record = OutcomeRecord("u1", "c1", "endDate", "2026-12-31", "2027-12-31", "applied", status=200)
    >>> record.outcome, record.done
    (<Outcome.APPLIED: 'applied'>, True)
    >>> entry = record.audit_entry(who="adele@contoso.example")
    >>> entry["who"], entry["outcome"], OutcomeRecord.from_audit_entry(entry).committed_by
    ('adele@contoso.example', 'applied', 'adele@contoso.example')

The journal (certnb.staging.journal) stores these records as plain rows of its `outcomes` table
(`journal_row`, `from_journal_row`); the result table (result.py) shows them; the audit log (audit_log.py)
appends their `audit_entry`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from certnb.commit.outcome import Outcome

__all__ = ["AUDIT_KEYS", "RESULT_COLUMNS", "OutcomeRecord", "utc_now"]

RESULT_COLUMNS: tuple[str, ...] = (
    "userId", "id", "field", "before", "after", "outcome", "status", "code", "message", "requestId", "time",
    "earlier", "newId", "reason", "staged_by", "committed_by",
)
"""The columns of a commit result's table, one line per record (`newId`: the id Graph gave a create;
`reason`, `staged_by`, `committed_by`: why the edit was staged, and the signed-in accounts that staged and
committed it)."""

AUDIT_KEYS: tuple[str, ...] = (
    "who", "when", "userId", "id", "field", "before", "after", "outcome", "status", "code", "requestId",
    "message", "newId", "reason", "staged_by",
)
"""The keys of an audit-log entry, in the order they are written (`newId`: the id Graph gave a created
certification, on its `@create` entry; an undo that re-creates a deleted one names the old id as `before`;
`who` is the account that committed, `staged_by` the one that staged, `reason` why). An audit log may add
`userPrincipalName` and `displayName` (the person and the certification, as loaded: `AuditLog`)."""


def utc_now() -> str:
    """The time now as records carry it: UTC, ISO 8601 to the microsecond, "Z"."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class OutcomeRecord:
    """What one commit attempt did to one edit: the edit (`seq`, ids, field, before → after), its named
    `outcome` with Graph's status, code, message and request-id, the `attempt` number and the `time`;
    `earlier` when an earlier commit recorded it (the commit showing it sent nothing for the edit); `new_id`
    the id Graph gave the certification a `@create` edit created; `reason` and `staged_by` the edit's (why,
    and which account staged it), `committed_by` the account of the commit that recorded the outcome.

    `outcome` may be given as its name ("applied"); any other name is refused, naming the outcomes.
    """

    user_id: str
    cert_id: str
    field: str
    before: Any
    after: Any
    outcome: Outcome
    status: int | None = None
    code: str | None = None
    message: str | None = None
    request_id: str | None = None
    time: str = ""
    seq: int = 0
    earlier: bool = False
    attempt: int = 1
    new_id: str | None = None
    reason: str | None = None
    staged_by: str | None = None
    committed_by: str | None = None

    def __post_init__(self) -> None:
        if type(self.outcome) is not Outcome:
            object.__setattr__(self, "outcome", Outcome.named(self.outcome))

    @property
    def done(self) -> bool:
        """True when the server holds the new value."""
        return self.outcome.done

    def stamped(self, time: str) -> OutcomeRecord:
        """This record with `time`, unless it has one."""
        return self if self.time else replace(self, time=time)

    def as_earlier(self, earlier: bool = True) -> OutcomeRecord:
        """This record, marked as recorded by an earlier commit (or not)."""
        return self if self.earlier == earlier else replace(self, earlier=earlier)

    # -- the journal's plain rows (certnb.staging.outcome_writes.OUTCOME_FIELDS) ----------------------------

    def journal_row(self) -> tuple[Any, ...]:
        """The record as a row of the journal's `outcomes` table (before/after, the reason and the staging
        account stay in its `events`)."""
        return (self.seq, self.user_id, self.cert_id, self.field, self.attempt, self.outcome.value,
                self.status, self.code, self.request_id, self.message, self.time, self.done,
                self.committed_by)

    @classmethod
    def from_journal_row(cls, row: tuple[Any, ...]) -> OutcomeRecord:
        """A record from a journal row as `Journal.outcome_rows` reads it (the edit's before/after joined,
        then its reason and staging account, if read)."""
        seq, user_id, cert_id, field, attempt, outcome, status, code, request_id, message, time, _, \
            committed_by, before, after = row[:15]
        reason, staged_by = row[15:17] if len(row) >= 17 else (None, None)
        return cls(user_id, cert_id, field, before, after, Outcome.named(outcome), status, code, message,
                   request_id, time, seq, attempt=attempt, reason=reason, staged_by=staged_by,
                   committed_by=committed_by)

    # -- the audit log --------------------------------------------------------------------------------------

    def audit_entry(self, who: str | None, when: str = "") -> dict[str, Any]:
        """The record as an audit-log entry (`AUDIT_KEYS`): who did it, when, and how it ended."""
        return {"who": who, "when": self.time or when, "userId": self.user_id, "id": self.cert_id,
                "field": self.field, "before": self.before, "after": self.after,
                "outcome": self.outcome.value, "status": self.status, "code": self.code,
                "requestId": self.request_id, "message": self.message, "newId": self.new_id,
                "reason": self.reason, "staged_by": self.staged_by}

    @classmethod
    def from_audit_entry(cls, entry: Mapping[str, Any]) -> OutcomeRecord:
        """A record from an audit-log entry; its `who`, the committing account, is the `committed_by`."""
        return cls(str(entry["userId"]), str(entry["id"]), str(entry["field"]), entry.get("before"),
                   entry.get("after"), Outcome.named(str(entry["outcome"])), entry.get("status"),
                   entry.get("code"), entry.get("message"), entry.get("requestId"),
                   str(entry.get("when") or ""), new_id=entry.get("newId"), reason=entry.get("reason"),
                   staged_by=entry.get("staged_by"), committed_by=entry.get("who"))

    # -- the result table -----------------------------------------------------------------------------------

    def result_line(self) -> tuple[Any, ...]:
        """The record as a line of the result table (`RESULT_COLUMNS`; the outcome as its plain string)."""
        return (self.user_id, self.cert_id, self.field, self.before, self.after, self.outcome.value,
                self.status, self.code, self.message, self.request_id, self.time, self.earlier, self.new_id,
                self.reason, self.staged_by, self.committed_by)
