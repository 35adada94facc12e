"""`editor(df, staged, graph)`: the whole workflow in one view — grid, edit one, bulk edit, new, duplicates,
review, commit.

    >>> graph = certnb.connect(emulator=True, write=True, all_users=True)   # doctest: +SKIP
    >>> df = graph.load(users="all")                                        # doctest: +SKIP
    >>> staged = certnb.stage(df, journal="fixes.journal")                  # doctest: +SKIP
    >>> certnb.widgets.editor(df, staged, graph)                            # doctest: +SKIP

The editable grid (`certnb.widgets.grid`) sits on top: edit cells in place, or select rows (click,
shift-click, ctrl-click, "Select all shown"); below it, tabs hold the edit form (of the certification
selected last), the bulk edit (of everything selected), the new certification form, the merge of duplicates
(`certnb.widgets.merge`) and the review panel. Every part follows the `Staged`
(`Staged.on_change`), so staging from any form, the grid or code in a cell redraws the grid's cells, the
form's staged values, the bulk preview and the diff; a new selection drops the bulk preview made for the old
one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd

from certnb.staging import stage
from certnb.widgets.bulk import BulkEditForm
from certnb.widgets.datagrid import Grid
from certnb.widgets.form import CertificationForm
from certnb.widgets.merge import MergeDuplicates
from certnb.widgets.new_form import NewCertificationForm
from certnb.widgets.review import ReviewPanel

if TYPE_CHECKING:
    from certnb.session import Session
    from certnb.staging import Staged

__all__ = ["TAB_TITLES", "Editor", "editor"]

TAB_TITLES = ("Edit one", "Bulk edit", "New certification", "Duplicates", "Review & commit")


class Editor:
    """The grid, edit form, bulk form, merge form and review panel over one frame, one `Staged` and one
    session.

    `.value` is the `Staged` the forms stage into; `.grid`, `.form`, `.bulk`, `.new`, `.duplicates`,
    `.review` are the parts.
    """

    def __init__(self, frame: pd.DataFrame, staged: Staged, graph: Session | None = None, *,
                 asof: object = None) -> None:
        self.frame = frame
        self.staged = staged
        self.graph = graph
        self.grid = Grid(frame, staged, asof=asof)
        self.form = CertificationForm(frame, staged)
        self.bulk = BulkEditForm(frame, staged, rows=lambda: self.grid.value)
        self.new = NewCertificationForm(frame, staged)
        self.duplicates = MergeDuplicates(frame, staged)
        self.review = ReviewPanel(staged, graph, asof=asof)
        self.tabs = widgets.Tab(children=[self.form.widget, self.bulk.widget, self.new.widget,
                                          self.duplicates.widget, self.review.widget], titles=TAB_TITLES)
        self.grid.on_select(self._picked)
        self.review.on_change(self._committed)
        self.widget = widgets.VBox([self.grid, self.tabs])
        self.widget.add_class("certnb-editor")

    @property
    def value(self) -> Staged:
        """The staged edits."""
        return self.staged

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _picked(self) -> None:
        picked = self.grid.value
        latest = picked[-1] if picked else None
        if latest != self.form.label:
            self.form.load(latest)
        self.bulk.rows_changed()

    def _committed(self) -> None:
        self.grid.reload()
        self.form.load(self.form.label)


def editor(
    frame: pd.DataFrame, staged: Staged | None = None, graph: Session | None = None, *, asof: object = None,
) -> Editor:
    """The whole editing workflow over `frame` (see the module docstring); `staged` defaults to a fresh
    in-memory `certnb.stage(frame)`, and without `graph` everything but Commit and Undo works.

    >>> ed = editor(df, staged, graph, asof="2026-11-30")   # doctest: +SKIP
    >>> ed                                                  # shows the forms in a notebook  # doctest: +SKIP
    """
    staged = staged if staged is not None else stage(frame)
    return Editor(frame, staged, graph, asof=asof)
