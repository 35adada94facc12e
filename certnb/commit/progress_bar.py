"""The commit's progress bar: tqdm (a widget in a notebook, text in a terminal) with a live ETA, the outcomes
so far as its postfix, and the estimate before the first request; closed cleanly on error and interrupt.

    >>> with CommitBar(total=2, requests=2, show=False) as bar:   # small commits show nothing by default
    ...     bar.update(CommitProgress(2, 2, {"applied": 2}))
    >>> bar.shown
    False
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

from certnb.commit.progress import CommitProgress
from certnb.graph.limits import Estimate

__all__ = ["PROGRESS_THRESHOLD", "CommitBar", "show_bar"]

PROGRESS_THRESHOLD = 100  # edits; a smaller commit is done in seconds and needs no bar


def show_bar(progress: bool | None, edits: int) -> bool:
    """Whether a commit of `edits` edits shows a bar: as `progress` says, else above the threshold.

    >>> show_bar(None, 40), show_bar(None, 5_000), show_bar(True, 1), show_bar(False, 5_000)
    (False, True, True, False)
    """
    return progress if progress is not None else edits > PROGRESS_THRESHOLD


class CommitBar:
    """A context manager: the bar opens on enter (after printing the estimate), follows `update`, closes on
    exit whatever happened, so an interrupted commit leaves a finished bar, not a half-drawn one."""

    def __init__(self, total: int, requests: int, show: bool, estimate: Estimate | None = None) -> None:
        self.total = total
        self.requests = requests
        self.estimate = estimate
        self.shown = show
        self._bar: Any = None

    def __enter__(self) -> CommitBar:
        if self.shown:
            from tqdm.auto import tqdm

            if self.estimate is not None:
                # On stderr with the bar: what a script prints on stdout stays its own.
                edits = f"{self.total:,} edit{'s' if self.total != 1 else ''}"
                tqdm.write(f"Committing {edits}: {self.estimate}", file=sys.stderr)
            self._bar = tqdm(total=self.total, desc="committing", unit="edit")
        return self

    def update(self, progress: CommitProgress) -> None:
        """Move the bar to `progress.done`, the outcomes so far as its postfix ("applied=40, conflict=1")."""
        if self._bar is None:
            return
        self._bar.set_postfix({name.replace("_", " "): n for name, n in progress.counts.items()},
                              refresh=False)
        self._bar.update(progress.done - self._bar.n)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._bar is not None:
            if kind is not None:
                self._bar.set_description("stopped")
            self._bar.close()
            self._bar = None
