"""Commit: staged edits → Graph, as plan → run → outcomes (STYLE §9).

    plan.py       what to send: one minimal PATCH per certification (pure, no I/O)
    run.py        the only I/O: conflict re-reads, PATCHes through $batch, re-reads after doubtful writes
    outcome.py    the named end states and the result table
    audit_log.py  who changed what, when, with which outcome (JSON lines that outlive the session)
    undo.py       the inverse edits of a commit, staged to commit like any others

>>> from certnb.commit import plan_commit
>>> len(plan_commit([], {}))
0
"""

from __future__ import annotations

from certnb.commit.outcome import CommitResult, Outcome
from certnb.commit.plan import CommitPlan, PlannedPatch, plan_commit
from certnb.commit.run import commit
from certnb.commit.undo import from_audit_log

__all__ = ["CommitPlan", "CommitResult", "Outcome", "PlannedPatch", "commit", "from_audit_log", "plan_commit"]
