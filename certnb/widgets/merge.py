"""`MergeDuplicates`: merge duplicate certifications group by group — the records side by side, the keeper
marked and choosable, each conflict with a choice of value, "Stage this merge" and "Stage all".

A thin view over `certnb.staging.merge`: the groups and the rule come from `plan_merges`, staging goes
through `Staged.merge_duplicates` with the form's choices as `keep=` and `resolve=`, so what the form shows
is what is staged (fills on the keeper, deletes of the others). Refusals and errors are shown in the form.

    >>> form = MergeDuplicates(df, staged)                       # doctest: +SKIP
    >>> form.group.value = 2; form.keeper.value = "bfbe68ea-…"    # doctest: +SKIP
    >>> form.conflict_choices["endDate"].value = "2028-04-29"     # doctest: +SKIP
    >>> form.stage_button.click()                                # doctest: +SKIP
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd

from certnb.schema import LABELS
from certnb.staging.merge import MergeGroup, MergePlan, plan_merges
from certnb.staging.merge_report import MERGE_STYLE, group_html, value_text
from certnb.staging.review_html import STYLE
from certnb.widgets.view import View

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["MergeDuplicates"]

_WIDE = {"description_width": "140px"}


class MergeDuplicates(View):
    """The merge form over the duplicates among `chosen` (default: the whole frame, so every group).

    `.value` is the plan with the form's choices (a preview until staged); `.group` picks the group shown,
    `.keeper` its record to keep, `.conflict_choices` {field: Dropdown} the value each conflict keeps
    (None: the keeper's own). Actions: `stage()` (this group), `stage_all()`.
    """

    def __init__(self, frame: pd.DataFrame, staged: Staged, chosen: Any = None) -> None:
        super().__init__()
        self.frame = frame
        self.staged = staged
        self.chosen = frame if chosen is None else chosen
        self.base = plan_merges(frame, self.chosen)  # the groups, as the rule plans them
        self._keep: dict[int, str] = {}
        self._resolve: dict[tuple[int, str], Any] = {}
        self._drawing = False
        self.heading = widgets.HTML()
        self.group = widgets.Dropdown(description="Group", style=_WIDE, layout=widgets.Layout(width="720px"),
                                      options=[(f"{n}. {g.person} · {g.title}", n - 1)
                                               for n, g in enumerate(self.base, start=1)])
        self.keeper = widgets.Dropdown(description="Keep", style=_WIDE, layout=widgets.Layout(width="720px"))
        self.keeper.add_class("certnb-merge-keeper")
        self.conflict_choices: dict[str, Any] = {}
        self.conflicts = widgets.VBox()
        self.preview = widgets.HTML()
        self.preview.add_class("certnb-merge-preview")
        self.stage_button = self.button("Stage this merge", "stage the merge", self.stage,
                                        css="certnb-merge-stage", button_style="primary", icon="compress")
        self.stage_all_button = self.button("Stage all", "stage every merge", self.stage_all,
                                            css="certnb-merge-stage-all", icon="check-double")
        self.group.observe(lambda _change: self._guarded(self._show_group), names="value")
        self.keeper.observe(lambda change: self._guarded(lambda: self._kept(change["new"])), names="value")
        self.widget = widgets.VBox([
            self.heading, self.group, self.keeper, self.conflicts, self.preview,
            widgets.HBox([self.stage_button, self.stage_all_button]), self.messages,
        ])
        self.widget.add_class("certnb-merge-form")
        self.follow(staged, self._show_preview)
        self._show_group()

    @property
    def value(self) -> MergePlan:
        """Every group's merge with the form's choices (keepers and conflict values), as a preview."""
        return plan_merges(self.frame, self.chosen, keep=self._keeps(), resolve=self._resolutions())

    @property
    def current(self) -> MergeGroup | None:
        """The group shown, with the form's choices (None: there are no duplicates)."""
        if not self.base.groups:
            return None
        position: int = self.group.value
        return self.value.groups[position]

    def stage(self) -> None:
        """Stage the merge of the group shown (its fills on the keeper, the deletes of the others)."""
        position = self.group.value
        if position is None:
            self.say("There are no duplicates to merge.", "warning")
            return
        keys = list(self.base.groups[position].keys)
        keep = {k: v for k, v in self._keeps().items() if k == keys[0]}
        resolve = {k: v for k, v in self._resolutions().items() if k[0] == keys[0]}
        staged = self.staged.merge_duplicates(keys, keep=keep, resolve=resolve)
        self._said(staged, "this merge")

    def stage_all(self) -> None:
        """Stage the merge of every group, each with the keeper and values chosen in the form."""
        if not self.base.groups:
            self.say("There are no duplicates to merge.", "warning")
            return
        staged = self.staged.merge_duplicates(self.chosen, keep=self._keeps(), resolve=self._resolutions())
        self._said(staged, f"all {len(staged)} merges")

    # -- drawing -----------------------------------------------------------------------------------------

    def _guarded(self, action: Any) -> None:
        if not self._drawing:
            self.act("show the merge", action)

    def _show_group(self) -> None:
        position = self.group.value
        self.heading.value = (f"<b>Merge duplicates</b>: {html.escape(_counts(self.base))}. The most "
                              "complete record is kept (then the latest modified); its empty fields are "
                              "filled where the others agree; conflicts are shown, never guessed.")
        if position is None:
            self.heading.value = f"<b>Merge duplicates</b>: {html.escape(self.base.note)}"
            self.keeper.options, self.conflicts.children, self.preview.value = [], [], ""
            self.stage_button.disabled = self.stage_all_button.disabled = True
            return
        group = self.base.groups[position]
        self._drawing = True
        try:
            self.keeper.options = [(_record_words(group, r.id), r.id) for r in sorted(
                group.records, key=lambda r: r.id != group.keeper)]
            self.keeper.value = self._keep.get(position, group.keeper)
        finally:
            self._drawing = False
        self._draw_conflicts()
        self._show_preview()

    def _kept(self, cert_id: str) -> None:
        position = self.group.value
        if position is None:
            return
        if cert_id == self.base.groups[position].keeper:
            self._keep.pop(position, None)
        else:
            self._keep[position] = cert_id
        self._draw_conflicts()
        self._show_preview()

    def _draw_conflicts(self) -> None:
        group = self.current
        self.conflict_choices = {}
        if group is None:
            self.conflicts.children = []
            return
        rows = []
        position = self.group.value
        for name, held in group.conflicts.items():
            keeps = group.records[0].values.get(name)
            leave = (f"leave as is: {value_text(name, keeps)} (the keeper's)" if keeps is not None
                     else "leave empty")
            values = list(dict.fromkeys(held.values()))
            options = [(leave, None)] + [
                (f"{value_text(name, v)} ({', '.join(group.short(i) for i, w in held.items() if w == v)})", v)
                for v in values]
            choice = widgets.Dropdown(description=LABELS.get(name, name), options=options, style=_WIDE,
                                      value=self._resolve.get((position, name)),
                                      layout=widgets.Layout(width="720px"))
            choice.add_class(f"certnb-merge-conflict-{name.replace('.', '-')}")
            choice.observe(lambda change, name=name: self._guarded(
                lambda: self._resolved(name, change["new"])), names="value")
            self.conflict_choices[name] = choice
            rows.append(choice)
        heading = widgets.HTML("<b>Conflicts</b>: the records disagree; pick the value to keep")
        self.conflicts.children = [heading, *rows] if rows else []

    def _resolved(self, name: str, value: Any) -> None:
        position = self.group.value
        if value is None:
            self._resolve.pop((position, name), None)
        else:
            self._resolve[(position, name)] = value
        self._show_preview()

    def _show_preview(self) -> None:
        group = self.current
        if group is None:
            return
        deleting = self.staged.deletes
        done = all(key in deleting for key in group.keys[1:])
        state = ("<p class='certnb-merge-staged' style='color:#1a7f37'><b>✓ Staged</b>: the others are "
                 "staged for deletion; commit in Review &amp; commit.</p>" if done else "")
        self.preview.value = (f"{STYLE}{MERGE_STYLE}<div class='certnb-merge certnb-review'>{state}"
                              f"{group_html(group, self.group.value + 1)}</div>")
        self.stage_button.disabled = self.stage_all_button.disabled = False

    # -- the choices, as keep= and resolve= ----------------------------------------------------------------

    def _keeps(self) -> dict[tuple[str, str], str]:
        return {self.base.groups[p].keys[0]: cert_id for p, cert_id in self._keep.items()}

    def _resolutions(self) -> dict[tuple[tuple[str, str], str], Any]:
        return {(self.base.groups[p].keys[0], name): v for (p, name), v in self._resolve.items()}

    def _said(self, plan: MergePlan, what: str) -> None:
        if plan.staged:
            edits = f"{plan.staged} edit{'s' if plan.staged != 1 else ''}"
            self.say(f"Staged {what}: {edits} (fills on the keepers, deletes of the others). They are sent "
                     "when you commit.", "ok")
        else:
            self.say(f"Nothing new staged: {what} {'is' if what == 'this merge' else 'are'} staged already.")
        self.changed()


def _counts(plan: MergePlan) -> str:
    groups, deletes = len(plan.groups), len(plan.deletes)
    return (f"{groups} group{'s' if groups != 1 else ''} of duplicates, {deletes} record"
            f"{'s' if deletes != 1 else ''} to delete")


def _record_words(group: MergeGroup, cert_id: str) -> str:
    record = next(r for r in group.records if r.id == cert_id)
    stamp = "never" if record.last_modified is None else record.last_modified.strftime("%Y-%m-%d %H:%M")
    rule = " — the rule's choice" if cert_id == group.keeper else ""
    return f"{group.short(cert_id)} · {record.filled} fields filled · modified {stamp}{rule}"
