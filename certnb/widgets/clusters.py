"""`ClusterForm`: review clusters of spellings one at a time — members with counts and why, the name to
merge into, members left out or split off — then stage the accepted merges.

A thin view over `certnb.frame.cluster_review.ClusterReview` (`df.certs.clusters(field)`): every control
calls one of its methods, so what the form shows is what `review.stage(staged)` stages. Errors are shown in
the form (ipywidgets would only log them).

    >>> form = ClusterForm(df, staged, field="issuingCompany")   # doctest: +SKIP
    >>> form.cluster.value = 0; form.canonical.value = "Microsoft"  # doctest: +SKIP
    >>> form.members.value = ("MSFT",); form.exclude_button.click()  # doctest: +SKIP
    >>> form.accept.value = True; form.stage_button.click()     # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd

from certnb.clusters import METHODS
from certnb.frame.cluster_review import CLUSTER_FIELDS, ClusterReview
from certnb.widgets.view import View

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["ClusterForm"]

_WIDE = {"description_width": "140px"}


class ClusterForm(View):
    """The clusters of `field` by `method`: `.review` (the plain object), `.cluster` (the one shown),
    `.accept` (merge it?), `.canonical` (into which name), `.members` (selected spellings) with
    `exclude_button`, `include_button`, `split_button`; `stage_button` stages every accepted cluster."""

    def __init__(
        self, frame: pd.DataFrame, staged: Staged, field: str = "issuingAuthority", method: str = "default"
    ) -> None:
        super().__init__()
        self.frame = frame
        self.staged = staged
        self._drawing = False
        self.field = widgets.Dropdown(
            description="Field", options=list(CLUSTER_FIELDS), value=field, style=_WIDE
        )
        self.method = widgets.Dropdown(description="Method", options=list(METHODS), value=method, style=_WIDE)
        self.cluster = widgets.Dropdown(
            description="Cluster", style=_WIDE, layout=widgets.Layout(width="720px")
        )
        self.accept = widgets.Checkbox(description="Merge this cluster", value=False, indent=False)
        self.canonical = widgets.Text(
            description="Merge into", style=_WIDE, layout=widgets.Layout(width="720px")
        )
        self.members = widgets.SelectMultiple(
            description="Spellings", style=_WIDE, rows=8, layout=widgets.Layout(width="720px")
        )
        self.why = widgets.HTML()
        self.exclude_button = self.button("Leave selected as they are", "exclude the spellings", self.exclude)
        self.include_button = self.button("Merge selected again", "include the spellings", self.include)
        self.split_button = self.button("Split selected off", "split the cluster", self.split)
        self.stage_button = self.button(
            "Stage accepted merges",
            "stage the merges",
            self.stage,
            button_style="primary",
            css="certnb-clusters-stage",
        )
        self.heading = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.field, self.method]),
                self.heading,
                self.cluster,
                self.accept,
                self.canonical,
                self.members,
                widgets.HBox([self.exclude_button, self.include_button, self.split_button]),
                self.why,
                self.stage_button,
                self.messages,
            ]
        )
        self.field.observe(lambda _: self.act("cluster the field", self.recluster), "value")
        self.method.observe(lambda _: self.act("cluster the field", self.recluster), "value")
        self.cluster.observe(lambda _: self.act("show the cluster", self.draw), "value")
        self.accept.observe(lambda _: self.act("accept the cluster", self._accepted), "value")
        self.canonical.observe(lambda _: self.act("rename the cluster", self._renamed), "value")
        self.review = ClusterReview(frame, field, method)
        self.recluster()

    def recluster(self) -> None:
        """Cluster the chosen field by the chosen method again (decisions start afresh)."""
        self.review = ClusterReview(self.frame, self.field.value, self.method.value)
        self._options()
        self.draw()

    def _options(self) -> None:
        self._drawing = True
        try:
            self.cluster.options = [
                (f"{i + 1}. {d.canonical} ({len(d.cluster.members)} spellings, {d.cluster.rows} rows)", i)
                for i, d in enumerate(self.review.decisions)
            ]
            self.cluster.value = 0 if self.review.decisions else None
        finally:
            self._drawing = False

    def draw(self) -> None:
        """Show the chosen cluster's decision."""
        accepted = sum(d.accepted for d in self.review.decisions)
        self.heading.value = (
            f"<b>{len(self.review)} clusters</b> of {html.escape(self.review.field)} "
            f"({html.escape(self.review.method)}), {accepted} accepted, "
            f"{len(self.review.changes())} rows would change"
        )
        which = self.cluster.value
        self._drawing = True
        try:
            if which is None:
                self.members.options, self.canonical.value, self.accept.value = [], "", False
                self.why.value = "<i>No spellings to merge.</i>"
                return
            decision = self.review.decisions[which]
            self.accept.value = decision.accepted
            self.canonical.value = decision.canonical
            self.members.options = [
                (
                    f"{m.spelling!r} ×{m.count}"
                    + ("  (left as is)" if m.spelling in decision.excluded else ""),
                    m.spelling,
                )
                for m in decision.cluster.members
            ]
            self.why.value = (
                "<ul>"
                + "".join(
                    f"<li>{html.escape(m.spelling)}: {html.escape(m.why)}</li>"
                    for m in decision.cluster.members
                )
                + "</ul>"
            )
        finally:
            self._drawing = False

    def _accepted(self) -> None:
        if self._drawing or self.cluster.value is None:
            return
        (self.review.accept if self.accept.value else self.review.reject)(self.cluster.value)
        self.draw()

    def _renamed(self) -> None:
        if self._drawing or self.cluster.value is None or not self.canonical.value.strip():
            return
        self.review.rename(self.cluster.value, self.canonical.value)
        self.draw()

    def _selected(self) -> tuple[str, ...]:
        chosen = tuple(self.members.value)
        if not chosen:
            raise ValueError("select one or more spellings first")
        return chosen

    def exclude(self) -> None:
        """Leave the selected spellings as they are."""
        self.review.exclude(self.cluster.value, *self._selected())
        self.draw()

    def include(self) -> None:
        """Merge the selected spellings again."""
        self.review.include(self.cluster.value, *self._selected())
        self.draw()

    def split(self) -> None:
        """Move the selected spellings into a cluster of their own (shown next)."""
        new = self.review.split(self.cluster.value, self._selected())
        self._options()
        self.cluster.value = new
        self.draw()

    def stage(self) -> Any:
        """Stage every accepted cluster's merges (ordinary edits: journaled, undoable)."""
        count = len(self.review.changes())
        if not count:
            self.say("Nothing to stage: accept a cluster first.", "warning")
            return self.staged
        self.review.stage(self.staged)
        self.say(f"Staged {count} edit{'s' if count != 1 else ''} of {self.review.field}.", "ok")
        self.changed()
        return self.staged
