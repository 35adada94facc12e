"""`GridSelection`: which rows a `Grid` has picked, as the browser's clicks and code's row labels pick them.

Positions are the frame's (new rows after it); `value` gives row labels, in the order the rows were picked.

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> from certnb.widgets.datagrid.widget import Grid
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1"}, {"id": "c2"}, {"id": "c3"}]}])
    >>> g = Grid(df, stage(df), asof="2026-11-30")
    >>> g.select(0); g.select(2, "range"); g.value, g.selected_count
    ((0, 1, 2), 3)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from certnb.widgets.datagrid.table import GridTable

__all__ = ["GridSelection"]


class GridSelection:
    """The selection half of `Grid` (a mixin: the grid holds the state, initialised in `Grid.__init__`)."""

    if TYPE_CHECKING:  # what the grid gives this half
        frame: pd.DataFrame
        table: GridTable
        order: np.ndarray
        selection: dict[int, None]
        selected_count: int
        _anchor: int | None
        _select_listeners: list[Callable[[], None]]

        def send(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None: ...

    @property
    def value(self) -> tuple[Any, ...]:
        """The row labels of the selected certifications, in the order they were picked."""
        index = self.frame.index  # new rows are selected for "Delete selected" but have no label
        return tuple(index[p] for p in self.selection if p < self.table.base)

    @value.setter
    def value(self, labels: Iterable[Any]) -> None:
        self.select_labels(labels)

    @property
    def picked(self) -> pd.DataFrame:
        """The selected rows of the frame."""
        return self.frame.iloc[[p for p in self.selection if p < self.table.base]]

    def on_select(self, listener: Callable[[], None]) -> None:
        """Call `listener()` whenever the selection changes."""
        self._select_listeners.append(listener)

    def _position(self, row: Any) -> int:
        """A frame position from a row label (what code passes)."""
        found = self.frame.index.get_loc(row)
        if not isinstance(found, int | np.integer):
            raise KeyError(f"row label {row!r} is not one row of the frame")
        return int(found)


    def select(self, index: int | None = None, mode: str = "only") -> None:
        """Select by index of the current order: "only" (click), "toggle" (ctrl-click), "range"
        (shift-click, from the last click), "all" (everything the query shows), "none"."""
        if mode == "none":
            self.selection = {}
        elif mode == "all":
            self.selection = dict.fromkeys(self.order.tolist())
        elif index is not None and 0 <= index < len(self.order):
            position = int(self.order[index])
            if mode == "toggle":
                if position in self.selection:
                    del self.selection[position]
                else:
                    self.selection[position] = None
                self._anchor = index
            elif mode == "range" and self._anchor is not None:
                low, high = sorted((self._anchor, index))
                self.selection = dict.fromkeys(self.order[low:high + 1].tolist())
                if self._anchor > index:
                    self.selection = dict(reversed(self.selection.items()))
            else:
                self.selection = {position: None}
                self._anchor = index
        self._selection_changed()

    def select_labels(self, labels: Iterable[Any]) -> None:
        """Select rows by label (what code does)."""
        self.selection = dict.fromkeys(self._position(label) for label in labels)
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.selected_count = len(self.selection)
        self.send({"type": "selection", "positions": list(self.selection)[:50_000],
                   "all": len(self.selection) == len(self.order) and len(self.order) > 0})
        for listener in list(self._select_listeners):
            listener()
