"""A commit's outcome records in the staging journal: stored a round at a time, read back (resume, results).

The journal (certnb.staging.journal) keeps them as plain rows of its `outcomes` table and does not know what
they mean; this module turns `OutcomeRecord`s into those rows and back, through the journal's transaction.

    >>> from certnb.staging.edit import Edit
    >>> from certnb.staging.journal import Journal
    >>> journal = Journal(None)
    >>> [seq] = journal.append(staged=[Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31")])
    >>> edit = journal.replay()[1][("u1", "c1", "endDate")]
    >>> record_outcome(journal, edit, attempt=1, outcome="applied", status=200).done
    True
    >>> [(r.before, r.after, r.outcome.value) for r in outcome_records(journal)], journal.done_seqs() == {seq}
    ([('2026-12-31', '2027-12-31', 'applied')], True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from certnb.commit.outcome import Outcome
from certnb.commit.record import OutcomeRecord, utc_now
from certnb.staging.edit import Edit
from certnb.staging.journal import Journal
from certnb.staging.operations import CREATE

__all__ = ["latest_outcomes", "outcome_records", "record_outcome", "record_outcomes"]


def record_outcomes(journal: Journal, records: Iterable[OutcomeRecord]) -> list[OutcomeRecord]:
    """Store `records` in one journal transaction (one fsync), those without a time stamped now; returns
    them as stored. Refused with `JournalInUse` if the commit lease this journal holds was lost."""
    now = utc_now()
    stamped = [record if record.time else record.stamped(now) for record in records]
    with journal.transaction() as tx:
        tx.add_outcomes(record.journal_row() for record in stamped)
        tx.set_new_ids((r.seq, r.new_id) for r in stamped if r.new_id is not None and r.field == CREATE)
    return stamped


def record_outcome(
    journal: Journal,
    edit: Edit,
    *,
    attempt: int,
    outcome: str,
    status: int | None = None,
    code: str | None = None,
    request_id: str | None = None,
    message: str | None = None,
) -> OutcomeRecord:
    """Store what one commit attempt did to `edit` (durable when this returns); `outcome` is checked."""
    [record] = record_outcomes(journal, [OutcomeRecord(
        edit.user_id, edit.cert_id, edit.field, edit.before, edit.after, Outcome.named(outcome), status, code,
        message, request_id, seq=edit.seq, attempt=attempt,
    )])
    return record


def outcome_records(journal: Journal) -> list[OutcomeRecord]:
    """Every stored record, oldest first; a done `@create` carries the id Graph gave it (`new_id`)."""
    records = [OutcomeRecord.from_journal_row(row) for row in journal.outcome_rows()]
    if any(record.field == CREATE for record in records):
        given = {seq: new_id for seq, (_, _, new_id) in journal.sends().items() if new_id is not None}
        records = [replace(r, new_id=given.get(r.seq)) if r.field == CREATE and r.done else r
                   for r in records]
    return records


def latest_outcomes(journal: Journal) -> dict[int, OutcomeRecord]:
    """The most recent record of each edit, by the edit's `seq`."""
    return {record.seq: record for record in outcome_records(journal)}
