"""Commit: staged edits → Graph. `plan.py` decides what to send (pure); the runner sends it.

>>> from certnb.commit import plan_commit
>>> len(plan_commit([], {}))
0
"""

from __future__ import annotations

from certnb.commit.plan import CommitPlan, PlannedPatch, plan_commit

__all__ = ["CommitPlan", "PlannedPatch", "plan_commit"]
