"""`ReviewPanel`: the review of the staged changes, Dry run, Commit with a confirmation, progress, the
results, and Undo (itself confirmed, then committed like any edit).

The review lists each change as the analyst thinks of it — person, certification title, field label,
before → after, the audit findings it fixes (for the day `asof`), its latest outcome — grouped by person or
by field (a toggle), under sentences that sum it up ("2 certifications of 2 people: Expires cleared"). It
is live: it follows the `Staged` (`Staged.on_change`: a grid cell, a form, code in another cell) and the
journal's commit outcomes (`Journal.on_outcomes`: a commit from code lands in it too). The dry run reads as
those sentences and the table, with the exact requests behind a disclosure; the results as coloured counts,
then what needs attention with what to do next (certnb.commit.result_report).

The panel drives the session's own calls: `session.plan(staged)` for the dry run and the counts it asks
about, `session.commit(staged, on_progress=...)` for the commit, whose reports move the progress bar.

    >>> panel = ReviewPanel(staged, graph)                  # doctest: +SKIP
    >>> panel.commit_button.click(); panel.confirm_button.click()   # doctest: +SKIP
    >>> panel.value                                         # doctest: +SKIP
    3 applied
    >>> panel.undo_button.click(); panel.confirm_button.click()     # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import html
from typing import TYPE_CHECKING

import ipywidgets as widgets  # type: ignore[import-untyped]

from certnb.commit import CommitPlan, CommitProgress, CommitResult
from certnb.session.session import dry_run
from certnb.staging.change_words import describe_changes
from certnb.staging.fixes import Fixes
from certnb.staging.review_html import review_html
from certnb.staging.review_lines import GROUPINGS, Grouping, ReviewLine, review_lines
from certnb.widgets.view import View

if TYPE_CHECKING:
    import pandas as pd

    from certnb.session import Session
    from certnb.staging import Staged

__all__ = ["ReviewPanel"]


class ReviewPanel(View):
    """Review and commit `staged` through the session `graph` (None: review and dry run only).

    `asof` is the day the audit findings a change fixes are judged for (default today); `findings` the
    frame's audit table if one was computed already (the editor's picker has one). `group_by` is "person"
    or "field" (the toggle, `.grouping`). `.value` is the latest `CommitResult` (None before the first
    commit); `.undo_staged` the inverse edits Undo staged; `lines()` the review's lines. Actions:
    `show_diff`, `dry_run`, `commit`, `confirm`, `cancel`, `undo`; `show_progress` is the commit's progress
    hook.
    """

    def __init__(self, staged: Staged, graph: Session | None = None, *, asof: object = None,
                 findings: pd.DataFrame | None = None, group_by: Grouping = "person") -> None:
        super().__init__()
        if group_by not in GROUPINGS:
            raise ValueError(f"group the review by one of {', '.join(GROUPINGS)}; got {group_by!r}")
        self.staged = staged
        self.graph = graph
        self.asof = asof
        self._findings = findings
        self._fixes: Fixes | None = None
        self.result: CommitResult | None = None
        self.undo_staged: Staged | None = None
        self._pending: Staged | None = None  # what Confirm will commit
        self._committing = False  # the panel's own commit redraws once, when it is done
        self._redraw_due = False  # a redraw is scheduled on the running event loop
        self.grouping = widgets.ToggleButtons(options=[("By person", "person"), ("By field", "field")],
                                              value=group_by, tooltips=["One group per person",
                                                                        "One group per field"])
        self.grouping.add_class("certnb-review-grouping")
        self.grouping.observe(lambda _change: self.act("group the review", self.show_diff), names="value")
        self.diff = widgets.HTML()
        self.diff.add_class("certnb-review")
        self.plan = widgets.HTML()
        self.results = widgets.HTML()
        self.results.add_class("certnb-results")
        self.dry_run_button = self.button("Dry run", "plan the commit", self.dry_run, icon="list",
                                          tooltip="Show the exact requests a commit would send")
        self.commit_button = self.button("Commit…", "start the commit", self.commit, css="certnb-commit",
                                         button_style="warning",
                                         icon="upload")
        self.undo_button = self.button("Undo", "undo the commit", self.undo, icon="undo", disabled=True)
        self.question = widgets.HTML()
        self.confirm_button = self.button("Confirm", "commit", self.confirm, css="certnb-confirm",
                                          button_style="danger")
        self.cancel_button = self.button("Cancel", "cancel", self.cancel)
        self.confirmation = widgets.HBox([self.question, self.confirm_button, self.cancel_button],
                                         layout=widgets.Layout(display="none"))
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="Commit",
                                            layout=widgets.Layout(display="none"))
        self.widget = widgets.VBox([
            self.grouping, self.diff,
            widgets.HBox([self.dry_run_button, self.commit_button, self.undo_button]),
            self.confirmation, self.progress, self.messages, self.plan, self.results,
        ])
        self.follow(staged, self.staged_changed)
        staged.journal.on_outcomes(self._outcomes_landed)
        self.show_diff()

    @property
    def value(self) -> CommitResult | None:
        """The latest commit result (of the last commit or undo)."""
        return self.result

    def lines(self) -> list[ReviewLine]:
        """The review's lines: each staged change with its person, title, label, fixes and latest outcome."""
        edits, frame = self.staged.edits, self.staged.frame
        fixes = self._fixer(frame).of(edits) if frame is not None else {}
        outcomes = self.staged.journal.latest_outcome_names()
        return review_lines(edits, self.staged.rows, fixes=fixes, outcomes=outcomes)

    def show_diff(self) -> None:
        """Redraw the review: the counts, the sentences, the changes grouped by person or field."""
        lines = self.lines()
        sentences = describe_changes(self.staged.edits)  # every edit: a create's line folds its fields in
        self.diff.value = review_html(lines, sentences, self.grouping.value)

    def _fixer(self, frame: pd.DataFrame) -> Fixes:
        if self._fixes is None:  # audited once: the frame is the load staging started from
            self._fixes = Fixes(frame, self.asof, self._findings)
        return self._fixes

    def redraw_soon(self) -> None:
        """Redraw the review: at once, or, inside a running event loop (a Jupyter kernel has one), once right
        after the current cell or widget message ends. Listeners run inside the staging call, so a grid edit
        would otherwise wait for the review (the fixes audit again); and ten edits in a cell redraw once."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.show_diff()
            return
        if not self._redraw_due:
            self._redraw_due = True
            loop.call_soon(self._redraw_now)

    def _redraw_now(self) -> None:
        self._redraw_due = False
        self.act("redraw the review", self.show_diff)

    def _outcomes_landed(self) -> None:
        if not self._committing:
            self.act("redraw after commit outcomes landed", self.redraw_soon)

    def staged_changed(self) -> None:
        """Redraw the review (`redraw_soon`); withdraw a Commit… question or a dry run made for the old edits
        at once (their counts would be stale, and Confirm would send edits the question did not show)."""
        self.redraw_soon()
        asked, planned = self._pending is self.staged, bool(self.plan.value)
        self.plan.value = ""
        if asked:
            self._pending = None
            self.confirmation.layout.display = "none"
            self.say("The staged edits changed: nothing was sent; press Commit… again to see the new count.",
                     "warning")
        elif planned:
            self.say("The staged edits changed: press Dry run again.")

    def dry_run(self) -> CommitPlan:
        """Show the commit plan: every PATCH a commit would send, with its body. Sends nothing."""
        plan = self.graph.plan(self.staged) if self.graph is not None else dry_run(self.staged)
        self.plan.value = plan._repr_html_()
        self.say(f"Dry run: {len(plan)} request{'s' if len(plan) != 1 else ''} planned, nothing sent.")
        return plan

    def commit(self) -> None:
        """Ask to confirm committing the pending staged edits (Confirm sends them)."""
        self._ask(self.staged, "Commit")

    def undo(self) -> None:
        """Stage the inverse of the last result's applied edits, and ask to confirm committing them."""
        if self.result is None:
            self.say("Nothing to undo: commit first.", "warning")
            return
        self.undo_staged = self.result.undo()
        self._ask(self.undo_staged, "Undo")

    def cancel(self) -> None:
        """Drop the pending confirmation; nothing is sent."""
        self._pending = None
        self.confirmation.layout.display = "none"
        self.say("Cancelled; nothing was sent.")

    def confirm(self) -> CommitResult | None:
        """Commit what is waiting for confirmation, with a progress bar; show the outcomes."""
        staged, self._pending = self._pending, None
        self.confirmation.layout.display = "none"
        if staged is None:
            self.say("Nothing is waiting for confirmation: press Commit… first.", "warning")
            return None
        if self.graph is None:
            raise ValueError("no Graph session: pass graph= (certnb.connect(...)) to commit")
        self.progress.max = max(len(self.graph.plan(staged)), 1)
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.progress.description = "Committing"
        self.progress.layout.display = ""
        self._committing = True
        try:
            result = self.graph.commit(staged, on_progress=self.show_progress)
        except Exception:
            self.progress.bar_style = "danger"
            self.show_diff()
            raise
        finally:
            self._committing = False
        self.result = result
        self.progress.value = self.progress.max
        self.progress.bar_style = "success" if result.ok else "warning"
        self.progress.description = "Done"
        self.results.value = result._repr_html_()
        self.undo_button.disabled = not any(o.done for o in result)
        self.say(f"{'Undo' if staged is not self.staged else 'Commit'}: {result.summary()}.",
                 "ok" if result.ok else "warning")
        self.show_diff()
        self.changed()
        return result

    def show_progress(self, progress: CommitProgress) -> None:
        """Move the bar to `progress.done` of `progress.total` (the commit reports after each round)."""
        self.progress.max = max(progress.total, 1)
        self.progress.value = min(progress.done, self.progress.max)

    def _ask(self, staged: Staged, doing: str) -> None:
        if self.graph is None:
            self.say("No Graph session: pass graph= to commit (Dry run works without one).", "warning")
            return
        plan = self.graph.plan(staged)
        if not len(plan):
            self.say(f"Nothing to {doing.lower()}: no pending edits.", "warning")
            return
        self._pending = staged
        self.question.value = (
            f"<b>{html.escape(doing)}:</b> send {len(plan)} PATCH request{'s' if len(plan) != 1 else ''} "
            f"carrying {len(plan.edits)} edit{'s' if len(plan.edits) != 1 else ''} to "
            f"{html.escape(self.graph.base_url)}?"
        )
        self.confirmation.layout.display = ""
        self.messages.value = ""
