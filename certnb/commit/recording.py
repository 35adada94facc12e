"""Outcomes as they come in: noted, then written to the journal and the audit log a round at a time.

The runner (run.py) notes each edit's outcome as Graph's answer is read (`note`), and `flush`es before it
sends anything more: one journal transaction (one fsync) and one audit append a round, then `on_progress`
hears of it. A commit that stops (Ctrl-C, a lapsed sign-in) flushes what it had noted (`flush(quiet=True)`)
before it says so, so every outcome received is on disk; one lost in between is found on resume by the
conflict check (a PATCH that landed unrecorded reads `already_applied`).

    >>> recorder = OutcomeRecorder(journal, audit=None)      # doctest: +SKIP
    >>> recorder.note(patch, Outcome.APPLIED, response)      # doctest: +SKIP
    >>> recorder.flush()                                     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from certnb.commit.audit_log import AuditLog
from certnb.commit.journal_outcomes import outcome_records, record_outcomes
from certnb.commit.outcome import Outcome
from certnb.commit.plan import PlannedPatch
from certnb.commit.progress import CommitProgress
from certnb.commit.record import OutcomeRecord, utc_now
from certnb.commit.result import count_outcomes
from certnb.graph.batch import BatchResponse
from certnb.staging.edit import Edit
from certnb.staging.journal import Journal
from certnb.staging.operations import CREATE

__all__ = ["OnProgress", "OutcomeRecorder"]

OnProgress = Callable[[CommitProgress], None]
# an edit's outcome, Graph's answer, why, and the id Graph gave a created certification
_Noted = tuple[Edit, Outcome, BatchResponse | None, str | None, str | None]


class OutcomeRecorder:
    """The outcomes of one commit: noted, flushed a round at a time; `recorded` is what is on disk."""

    def __init__(self, journal: Journal, audit: AuditLog | None,
                 on_progress: OnProgress | None = None) -> None:
        self.journal = journal
        self.audit = audit
        self.on_progress = on_progress
        self.total = 0  # edits this commit settles (the plan's)
        self.recorded: list[OutcomeRecord] = []  # what this commit journaled so far
        self.attempts: dict[int, int] = {}  # attempt numbers as journaled: counted across commits
        self.unrecorded: list[_Noted] = []  # outcomes known, not journaled yet
        for record in outcome_records(journal):
            self.attempts[record.seq] = max(self.attempts.get(record.seq, 0), record.attempt)

    def note(self, patch: PlannedPatch, outcome: Outcome, response: BatchResponse | None = None,
             message: str | None = None, new_id: str | None = None) -> None:
        """Note the outcome of each edit the request carries; `flush` writes it before more is sent."""
        self.unrecorded += [(e, outcome, response, message, new_id if e.field == CREATE else None)
                            for e in patch.edits]

    def flush(self, *, quiet: bool = False) -> None:
        """Write the outcomes noted so far, stamped with one time: one journal transaction and one audit
        append; then tell `on_progress` (not when `quiet`: a commit that is stopping tells nobody)."""
        if not self.unrecorded:
            return
        time = utc_now()
        records = [self._outcome_record(*noted, time) for noted in self.unrecorded]
        self.unrecorded = []
        record_outcomes(self.journal, records)
        if self.audit is not None:
            self.audit.append(records)
        self.recorded += records
        if self.on_progress is not None and not quiet:
            self.on_progress(CommitProgress(len(self.recorded), self.total, count_outcomes(self.recorded)))

    def _outcome_record(self, edit: Edit, outcome: Outcome, response: BatchResponse | None,
                        message: str | None, new_id: str | None, time: str) -> OutcomeRecord:
        """The record of one edit's outcome, with Graph's status, error code and message, and request-id."""
        error = response.error if response is not None else None
        text = message
        if text is None and error is not None:
            text = error.message or error.hint()
        request_id = (error.request_id if error is not None else None) or (
            _header(response.headers, "request-id") if response is not None else None
        )
        return OutcomeRecord(edit.user_id, edit.cert_id, edit.field, edit.before, edit.after, outcome,
                             response.status if response is not None else None,
                             error.code if error is not None else None, text, request_id, time, edit.seq,
                             attempt=max(1, self.attempts.get(edit.seq, 0)), new_id=new_id)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
