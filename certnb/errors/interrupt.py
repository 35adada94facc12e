"""A run stopped by Ctrl-C or "interrupt kernel": a `KeyboardInterrupt` saying what was kept and what next.

>>> stop = CommitInterrupted("Stopped after 40 of 120 updates; nothing is lost.", done=40, total=120)
>>> isinstance(stop, KeyboardInterrupt), stop.done, stop.total
(True, 40, 120)
"""

from __future__ import annotations

__all__ = ["CommitInterrupted", "LoadInterrupted", "RunInterrupted"]


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a commit or a load. A `KeyboardInterrupt` (not an `Exception`), so an `except
    Exception` never swallows the interrupt; `done` of `total` items had finished; the message says what was
    kept and how to go on."""

    def __init__(self, message: str, *, done: int, total: int) -> None:
        super().__init__(message)
        self.done = done
        self.total = total

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CommitInterrupted(RunInterrupted):
    """A commit stopped part-way: every outcome received is journaled; committing again resumes it."""


class LoadInterrupted(RunInterrupted):
    """A load stopped part-way: no frame was made; loading again starts over."""
