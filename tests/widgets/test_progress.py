"""The review panel's progress bar follows the commit's `on_progress` reports: done of total, then Done.

The panel hands its `show_progress` to `session.commit(staged, on_progress=...)` (no proxy around the
session); a session whose commit reports halfway shows that the bar moves with each report.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from widget_tenant import ADMIN, BOB, IDS, held

from certnb.commit import CommitProgress, CommitResult
from certnb.emulator.server import Emulator
from certnb.graph.auth import GraphAuth, StaticToken
from certnb.session import Session
from certnb.staging import Staged, stage
from certnb.widgets import ReviewPanel


@dataclass(frozen=True)
class Report:
    """A progress report of the shape `certnb.commit.CommitProgress` has."""

    done: int
    total: int
    counts: Mapping[str, int] = field(default_factory=dict)


class ReportingSession(Session):
    """A real session on the emulator whose commit reports once before it commits, and notes what the bar
    showed at that moment."""

    def __init__(self, emu: Emulator, report: Report, look: Callable[[], object]) -> None:
        super().__init__(emu.graph_url, GraphAuth(StaticToken(emu.access_token())), cloud=None,
                         scopes=("User.ReadWrite.All",), verify=emu.ca_file or True)
        self.report, self.look = report, look
        self.seen: list[object] = []

    def commit(self, staged: Staged, *, on_progress: Callable[[CommitProgress], None] | None = None,
               audit_log: str | os.PathLike[str] | None = None) -> CommitResult:
        assert on_progress is not None, "the panel passes its progress hook"
        on_progress(self.report)
        self.seen.append(self.look())
        return super().commit(staged, on_progress=on_progress, audit_log=audit_log)


def test_show_progress_moves_the_bar_to_done_of_total(staged: Staged) -> None:
    panel = ReviewPanel(staged)
    panel.show_progress(Report(3, 7, {"applied": 2, "conflict": 1}))
    assert (panel.progress.value, panel.progress.max) == (3, 7)
    panel.show_progress(Report(0, 0))  # nothing to do yet: the bar is empty, not broken
    assert (panel.progress.value, panel.progress.max) == (0, 1)


def test_the_bar_follows_the_commits_reports_then_shows_done(emu: Emulator) -> None:
    emu.reset()
    panel: ReviewPanel

    def bar() -> object:
        return panel.progress.value, panel.progress.max, panel.progress.bar_style

    with ReportingSession(emu, Report(1, 2, {"applied": 1}), bar) as session:
        staged = stage(session.load(users="all"))
        staged.set((IDS[BOB], "b1"), endDate="2028-06-30")
        staged.set((IDS[ADMIN], "a2"), endDate="2030-01-31")
        panel = ReviewPanel(staged, session)
        panel.commit_button.click()
        panel.confirm_button.click()
    assert session.seen == [(1, 2, "info")]  # halfway, as reported
    assert (panel.progress.value, panel.progress.max, panel.progress.bar_style) == (2, 2, "success")
    assert held(emu, BOB, "b1")["endDate"] == "2028-06-30"
    assert panel.value is not None and panel.value.counts == {"applied": 2}
