"""The branch of the exception tree for audit snapshots (drawn in `certnb.errors`).

>>> print(SnapshotError("audits/", "holds no certnb snapshot", "keep one with certnb.snapshot(df, path)"))
audits/: holds no certnb snapshot; keep one with certnb.snapshot(df, path)
"""

from __future__ import annotations

from pathlib import Path

from certnb.errors.base import CertnbError

__all__ = ["SnapshotError"]


class SnapshotError(CertnbError):
    """A snapshot store or a snapshot in it cannot be used as asked; `path` names the folder or DuckDB file.

    The message says what is wrong and what to do next.
    """

    def __init__(self, path: str | Path, problem: str, next_step: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}; {next_step}")
