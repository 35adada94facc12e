"""`Picker`: filter the certifications (user, issuer, expiring within N days, audit finding) and pick some.

The list shows one page of the matches at a time (thousands of rows stay quick to render), each line ending
with the fields staged on it; the selection survives paging. The filtering is `certnb.widgets.selection`.

    >>> picker = Picker(df, staged, asof="2026-11-30")                 # doctest: +SKIP
    >>> picker.expiring.value, picker.use_expiring.value = 90, True   # doctest: +SKIP
    >>> picker.select_all.click(); picker.value                       # doctest: +SKIP
    (3, 7, 12)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd

from certnb.frame.audit import RULES
from certnb.widgets.selection import (
    PAGE_SIZE,
    Criteria,
    issuers,
    page_count,
    page_of,
    pick,
    row_caption,
    rules_found,
    staged_fields,
    users,
)
from certnb.widgets.view import View

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["Picker"]


class Picker(View):
    """Filters, a paged selectable list of matching certifications, and the selection (`.value`: row labels).

    `asof` is the day "expiring" and the audit count from (default today); `page_size` the rows per page.
    """

    def __init__(
        self, frame: pd.DataFrame, staged: Staged | None = None, *, asof: object = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__()
        self.frame = frame
        self.staged = staged
        self.asof = asof
        self.page_size = page_size
        self.findings = frame.certs.audit(asof)
        self._page = 0
        self._selected: dict[Any, None] = {}  # insertion-ordered set of row labels
        self._quiet = False  # True while the list is changed by code, not by the user
        self.matches = frame

        wide = {"style": {"description_width": "90px"}}
        self.user = widgets.Combobox(description="User", placeholder="UPN, name or id", options=users(frame),
                                     ensure_option=False, continuous_update=False, **wide)
        self.issuer = widgets.Dropdown(description="Issuer", options=[("(any)", "")] + [
            (name, name) for name in issuers(frame)], value="", **wide)
        self.use_expiring = widgets.Checkbox(description="expiring within", value=False, indent=False,
                                             layout=widgets.Layout(width="130px"))
        self.expiring = widgets.BoundedIntText(value=90, min=0, max=36500,
                                               layout=widgets.Layout(width="80px"))
        rules = rules_found(self.findings)
        self.finding = widgets.Dropdown(description="Finding", options=[("(any)", "")] + [
            (f"{rule} ({RULES.get(rule, '?')})", rule) for rule in rules], value="", **wide)
        self.list = widgets.SelectMultiple(options=[], value=(), rows=12,
                                           layout=widgets.Layout(width="100%"))
        self.list.add_class("certnb-picker-list")
        self.summary = widgets.HTML()
        self.previous = self.button("◀ Previous", "show the previous page",
                                    lambda: self.show_page(self._page - 1))
        self.next = self.button("Next ▶", "show the next page", lambda: self.show_page(self._page + 1))
        self.select_all = self.button("Select all matches", "select every match", self.pick_all)
        self.clear = self.button("Clear selection", "clear the selection", lambda: self._set_value(()))

        for control in (self.user, self.issuer, self.use_expiring, self.expiring, self.finding):
            control.observe(lambda _change: self.act("filter", self.filter), names="value")
        self.list.observe(lambda change: self.act("pick", lambda: self._picked(change["new"])), names="value")

        self.widget = widgets.VBox([
            widgets.HBox([self.user, self.issuer, self.finding]),
            widgets.HBox([self.use_expiring, self.expiring, widgets.Label("days")]),
            self.list,
            widgets.HBox([self.previous, self.next, self.select_all, self.clear]),
            self.summary,
            self.messages,
        ])
        if staged is not None:
            self.follow(staged, self.refresh)  # the staged marks of each line
        self.filter()

    # -- reading -------------------------------------------------------------------------------------------
    @property
    def criteria(self) -> Criteria:
        """The criteria the filter controls describe."""
        return Criteria(
            user=self.user.value.strip() or None,
            issuer=self.issuer.value or None,  # "" is "(any)": a Dropdown's None means "nothing selected"
            expiring_within=int(self.expiring.value) if self.use_expiring.value else None,
            finding=self.finding.value or None,
        )

    @property
    def value(self) -> tuple[Any, ...]:
        """The picked row labels (of `frame`), in the order they were picked."""
        return tuple(self._selected)

    @value.setter
    def value(self, labels: Iterable[Any]) -> None:
        self._set_value(labels)

    @property
    def page(self) -> int:
        """The page shown (0-based)."""
        return self._page

    @property
    def picked(self) -> pd.DataFrame:
        """The picked rows of the frame."""
        return self.frame.loc[list(self._selected)]

    # -- actions -------------------------------------------------------------------------------------------
    def filter(self) -> None:
        """Apply the criteria: recompute the matches, keep only picked rows that still match, show page 1."""
        self.matches = pick(self.frame, self.criteria, asof=self.asof, findings=self.findings)
        matching = set(self.matches.index)
        kept = {label: None for label in self._selected if label in matching}
        dropped = len(kept) != len(self._selected)
        self._selected = kept
        self.messages.value = ""
        self.show_page(0)
        if dropped:
            self.changed()

    def show_page(self, page: int) -> None:
        """Show page `page` (0-based, clamped) of the matches, with the staged state of each row."""
        self._page = min(max(page, 0), page_count(len(self.matches), self.page_size) - 1)
        rows = page_of(self.matches, self._page, self.page_size)
        marks = staged_fields(self.staged)
        records: list[dict[str, Any]] = [
            {str(k): v for k, v in record.items()} for record in rows.to_dict("records")
        ]
        options = [(row_caption(record, marks), label)
                   for record, label in zip(records, rows.index.tolist(), strict=True)]
        self._quiet = True
        try:
            self.list.options = options
            self.list.value = tuple(label for label in rows.index if label in self._selected)
        finally:
            self._quiet = False
        self._summarise()

    def refresh(self) -> None:
        """Redraw the current page (after edits were staged or committed)."""
        self.show_page(self._page)

    def pick_all(self) -> None:
        """Pick every match (on every page)."""
        self._set_value(self.matches.index)

    def _set_value(self, labels: Iterable[Any]) -> None:
        known = set(self.frame.index)
        wanted = list(labels)
        unknown = [label for label in wanted if label not in known]
        if unknown:
            raise KeyError(f"not rows of the frame: {unknown[:5]}")
        self._selected = dict.fromkeys(wanted)
        self.show_page(self._page)
        self.changed()

    def _picked(self, page_value: tuple[Any, ...]) -> None:
        if self._quiet:
            return
        on_page = set(page_of(self.matches, self._page, self.page_size).index)
        chosen = set(page_value)
        # Labels picked on other pages stay; this page's picks are what the list now holds.
        kept = {label: None for label in self._selected if label not in on_page or label in chosen}
        kept.update((label, None) for label in page_value)
        self._selected = kept
        self._summarise()
        self.changed()

    def _summarise(self) -> None:
        pages = page_count(len(self.matches), self.page_size)
        self.previous.disabled = self._page == 0
        self.next.disabled = self._page >= pages - 1
        self.summary.value = (
            f"<b>{len(self.matches)}</b> matching of {len(self.frame)} certifications · page "
            f"{self._page + 1} of {pages} · <b>{len(self._selected)}</b> picked"
        )
