"""Commit: staged edits → Graph, as plan → run → outcomes (STYLE §9).

    run.py               `commit(graph, staged, on_progress=..., progress=...)`: the shell of a commit (the
                         lease, the tenant check, the bar, what a stop says)
    interruption.py      a commit stopped part-way (Ctrl-C, a lapsed sign-in): what was kept, how to resume
    runner.py            the only I/O: conflict re-reads, PATCHes through $batch, re-reads after doubtful
                         writes
    recording.py         outcomes noted as answers come, journaled and audited a round at a time
    progress_bar.py      the tqdm bar: live ETA, outcomes so far, the estimate first; closed on any stop
    result.py            `CommitResult`, the table a commit returns; `.undo()`
    result_report.py     the results in words: coloured counts, what needs attention and what to do next
    undo.py              the inverse edits of a commit, staged to commit like any others
    audit_log.py         who changed what, when, with which outcome (JSON lines that outlive the session)
    journal_outcomes.py  the records as the staging journal stores them (plain rows of its outcomes table)
    record.py            `OutcomeRecord`: the one shape of a journal row, a result line, an audit-log entry
    verdict.py           what the server's current values mean for a planned PATCH (pure)
    plan.py              what to send: one minimal PATCH per certification (pure, no I/O); `plan(staged)`
                         is the dry run
    plan_report.py       the dry run in words: sentences, the changes, the exact requests behind a disclosure
    progress.py          `CommitProgress`, what `on_progress` hears after each journaled round
    permission.py        which answers to a write mean "not permitted by this tenant" (pure), and the advice
    outcome.py           `Outcome`, the named end states (a StrEnum)

A module imports only modules listed below it (and staging, frame, graph, schema, errors), so no two import
each other, however indirectly.

>>> from certnb.commit import plan_commit
>>> len(plan_commit([], {}))
0
"""

from __future__ import annotations

from certnb.commit.outcome import Outcome
from certnb.commit.plan import CommitPlan, PlannedPatch, plan_commit
from certnb.commit.progress import CommitProgress
from certnb.commit.record import OutcomeRecord
from certnb.commit.result import CommitResult
from certnb.commit.run import commit
from certnb.commit.undo import from_audit_log
from certnb.commit.verdict import Verdict

__all__ = ["CommitPlan", "CommitProgress", "CommitResult", "Outcome", "OutcomeRecord", "PlannedPatch",
           "Verdict", "commit", "from_audit_log", "plan_commit"]
