"""`CommitProgress`: how far a commit is, given to `commit(..., on_progress=...)` after each journaled round.

    >>> progress = CommitProgress(done=40, total=120, counts={"applied": 39, "conflict": 1})
    >>> progress
    CommitProgress(done=40, total=120, counts={'applied': 39, 'conflict': 1})
    >>> progress.fraction
    0.3333333333333333
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["CommitProgress"]


@dataclass(frozen=True)
class CommitProgress:
    """After a round of outcomes is on disk: `done` of the `total` edits this commit sends have an outcome,
    `counts` says which (edits per outcome name, in summary order; the same as the result's `counts` once
    `done == total`, for a commit that resumes nothing). Edits an earlier commit settled are not counted."""

    done: int
    total: int
    counts: Mapping[str, int]

    @property
    def fraction(self) -> float:
        """`done / total` (1.0 for a commit with nothing to send)."""
        return self.done / self.total if self.total else 1.0
