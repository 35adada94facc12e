"""`Grid`: the editable grid widget — an anywidget whose browser side (Tabulator, in static/grid.js) asks the
kernel for windows of rows and sends back edits, pastes, selections and undo/redo as custom messages.

All logic lives in the pure modules beside it (`table`, `window`, `editing`, `paste`); this class holds the
state of one grid (the current query and order, the selection) and turns messages into their calls. Every
method the browser reaches is an ordinary method too, so code and tests drive the grid the same way.

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30"}]}])
    >>> g = Grid(df, stage(df), asof="2026-11-30")
    >>> g.edit(0, "endDate", "2027-06-30").ok, g.staged_count
    (True, 1)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anywidget
import numpy as np
import pandas as pd
import traitlets

from certnb.frame.audit import RULES
from certnb.schema import LABELS
from certnb.widgets.bulk_change import BulkChange, Preview, preview, stage_preview
from certnb.widgets.datagrid.columns import AUDIENCES, EDITABLE, column_specs
from certnb.widgets.datagrid.editing import CellResult, History, check_cell, edit_cell
from certnb.widgets.datagrid.paste import PasteResult, paste_block
from certnb.widgets.datagrid.table import GridTable
from certnb.widgets.datagrid.window import WINDOW, Query, encode_window, order

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["Grid"]

STATIC = Path(__file__).with_name("static")
BACKGROUND_AUDIT_ROWS = 5_000  # above this many rows the first audit runs while the grid already shows rows


def _issuers(table: GridTable, limit: int = 200) -> list[str]:
    counts = Counter(v for v in table.loaded["issuingAuthority"].tolist() if v)
    return [name for name, _ in counts.most_common(limit)]


class Grid(anywidget.AnyWidget):
    """The editable grid over `frame`, staging into `staged` (see the module and package docstrings)."""

    _esm = STATIC / "grid.js"
    _css = STATIC / "grid.css"

    columns: traitlets.List[dict[str, object]] = traitlets.List().tag(sync=True)
    rows = traitlets.Int(0).tag(sync=True)  # rows of the frame
    shown = traitlets.Int(0).tag(sync=True)  # rows the current query shows
    window = traitlets.Int(WINDOW).tag(sync=True)
    show_ids = traitlets.Bool(False).tag(sync=True)
    issuers: traitlets.List[str] = traitlets.List().tag(sync=True)
    audiences: traitlets.List[str] = traitlets.List().tag(sync=True)
    rules: traitlets.List[dict[str, str]] = traitlets.List().tag(sync=True)
    selected_count = traitlets.Int(0).tag(sync=True)
    staged_count = traitlets.Int(0).tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    audited = traitlets.Bool(False).tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Unicode("460px").tag(sync=True)

    def __init__(self, frame: pd.DataFrame, staged: Staged, *, asof: object = None,
                 background: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frame = frame
        self.staged = staged
        self.table = GridTable(frame, asof, background=len(frame) > BACKGROUND_AUDIT_ROWS
                               if background is None else background, on_findings=[self._audit_ended])
        self.history = History(staged, self.table)
        self.query = Query()
        self.order = order(self.table, self.query)
        self.selection: dict[int, None] = {}  # positions, in the order they were picked
        self._anchor: int | None = None  # where a shift-click range starts (an index of the order)
        self._select_listeners: list[Callable[[], None]] = []
        self.columns = column_specs()
        self.rows = self.shown = len(frame)
        self.issuers = _issuers(self.table)
        self.audiences = list(AUDIENCES)
        self.rules = [{"rule": r, "severity": s} for r, s in RULES.items()]
        self.audited = self.table.audited
        staged.on_change(self._staged_changed)
        self.table.refresh(staged)
        self._counts()
        self.on_msg(self._message)

    def __repr__(self) -> str:
        # What a plain-text view (and a notebook's text/plain) shows: counts, never ids or addresses.
        edits = "edit" if self.staged_count == 1 else "edits"
        return (f"<Grid: {self.rows:,} certifications, {self.shown:,} shown,"
                f" {self.selected_count:,} selected, {self.staged_count:,} {edits} staged>")

    # -- reading ---------------------------------------------------------------------------------------------

    @property
    def value(self) -> tuple[Any, ...]:
        """The row labels of the selected certifications, in the order they were picked."""
        index = self.frame.index
        return tuple(index[p] for p in self.selection)

    @value.setter
    def value(self, labels: Iterable[Any]) -> None:
        self.select_labels(labels)

    @property
    def picked(self) -> pd.DataFrame:
        """The selected rows of the frame."""
        return self.frame.iloc[list(self.selection)]

    def on_select(self, listener: Callable[[], None]) -> None:
        """Call `listener()` whenever the selection changes."""
        self._select_listeners.append(listener)

    def rows_shown(self, start: int = 0, size: int = WINDOW) -> list[dict[str, Any]]:
        """Rows `start`.. of the current order as the browser gets them (decoded), for code and tests."""
        from certnb.widgets.datagrid.window import decode_window

        return decode_window(*encode_window(self.table, self.order, start, size, selected=self.selection))

    # -- the view --------------------------------------------------------------------------------------------

    def show(self, query: Query | None = None, **given: Any) -> int:
        """Show the rows `query` (or `Query(**given)`) picks, in its order; returns how many it shows."""
        query = query if query is not None else Query(**given)
        self.query = query
        self.order = order(self.table, query)
        self.shown = len(self.order)
        return self.shown

    def _position(self, row: Any) -> int:
        """A frame position from a row label (what code passes)."""
        found = self.frame.index.get_loc(row)
        if not isinstance(found, int | np.integer):
            raise KeyError(f"row label {row!r} is not one row of the frame")
        return int(found)

    # -- selection -------------------------------------------------------------------------------------------

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

    # -- editing ---------------------------------------------------------------------------------------------

    def edit(self, row: Any, field: str, text: object, *, position: int | None = None) -> CellResult:
        """Type `text` into one cell (row label `row`, or frame `position`); staged if valid."""
        position = self._position(row) if position is None else position
        return edit_cell(self.history, position, field, text)

    def paste(self, start: int, field: str, text: str) -> PasteResult:
        """Paste Excel's clipboard `text` at index `start` of the current order, column `field`."""
        shown = [c["field"] for c in self.columns
                 if not c["hidden"] or self.show_ids]
        return paste_block(self.history, self.order, start, [str(f) for f in shown], field, text)

    def unstage_cell(self, row: Any, field: str, *, position: int | None = None) -> None:
        """Withdraw the staged edit of one cell."""
        position = self._position(row) if position is None else position
        self.history.unstage(f"unstage {LABELS.get(field, field)}", [self.history.key(position, field)])

    def unstage_row(self, row: Any, *, position: int | None = None) -> None:
        """Withdraw every staged edit of one row."""
        position = self._position(row) if position is None else position
        self.history.unstage("unstage row", [self.history.key(position, f) for f in EDITABLE])

    def undo(self) -> bool:
        """Undo the latest grid step (edit, paste, unstage, bulk change)."""
        return self.history.undo()

    def redo(self) -> bool:
        """Redo the latest undone step."""
        return self.history.redo()

    def preview(self, change: BulkChange) -> Preview:
        """The before → after table of a bulk change on the selected rows (nothing staged yet)."""
        return preview(self.frame, list(self.value), change, self.staged)

    def stage_preview(self, shown: Preview) -> int:
        """Stage a confirmed preview (one undo step); the number of rows staged."""
        keys = [(str(u), str(i), str(f)) for u, i, f in zip(shown.table["userId"], shown.table["id"],
                                                            shown.table["field"], strict=True)]
        before = self.history.state(keys)
        count = stage_preview(self.staged, shown)
        self.history.record("bulk change", before)
        return count

    # -- following the Staged --------------------------------------------------------------------------------

    def _counts(self) -> None:
        self.staged_count = len(self.table.staged)
        self.can_undo = bool(self.history.done)
        self.can_redo = bool(self.history.undone)

    def _staged_changed(self) -> None:
        try:
            changed = self.table.refresh(self.staged)
            self._counts()
            if changed:
                self._push_rows(changed)
        except Exception as error:  # a listener must not raise (Staged.on_change): show it instead
            self.note = f"The grid could not redraw: {type(error).__name__}: {error}"

    def _push_rows(self, positions: list[int]) -> None:
        if len(positions) > 2 * WINDOW:
            self.send({"type": "reload"})  # a bulk change: the browser reloads what it shows
            return
        header, buffers = encode_window(self.table, np.array(positions, dtype=np.int32), 0, len(positions),
                                        selected=self.selection)
        self.send({"type": "rows", **header}, buffers)

    def reload(self) -> None:
        """Tell the browser to fetch the rows it shows again (after a commit, say)."""
        self.send({"type": "reload"})

    def _audit_ended(self) -> None:
        self.audited = True
        self.send({"type": "reload"})

    # -- messages from the browser ---------------------------------------------------------------------------

    def _message(self, _widget: Any, content: dict[str, Any], _buffers: list[bytes]) -> None:
        kind = content.get("type")
        handler = getattr(self, f"_on_{kind}", None) if isinstance(kind, str) else None
        if handler is None:
            return
        try:
            handler(content)
        except Exception as error:  # shown in the grid; the browser gets its reply either way
            self.note = f"Could not {kind}: {type(error).__name__}: {error}"
            self.send({"type": "failed", "id": content.get("id"), "message": self.note})
        self._counts()

    def _on_window(self, content: dict[str, Any]) -> None:
        query = Query.from_message(content.get("query") or {})
        if query != self.query:
            self.show(query)
        start = max(0, int(content.get("start", 0)))
        size = max(1, min(int(content.get("size", WINDOW)), 20_000))
        header, buffers = encode_window(self.table, self.order, start, size, selected=self.selection)
        self.send({"type": "window", "id": content.get("id"), **header}, buffers)

    def _on_edit(self, content: dict[str, Any]) -> None:
        result = self.edit(None, str(content["field"]), content.get("value"), position=int(content["pos"]))
        self.send({"type": "edited", "id": content.get("id"), "pos": result.position, "field": result.field,
                   "ok": result.ok, "message": result.message, "text": result.text})

    def _on_check(self, content: dict[str, Any]) -> None:
        result = check_cell(self.history, int(content["pos"]), str(content["field"]), content.get("value"))
        self.send({"type": "checked", "id": content.get("id"), "ok": result.ok, "message": result.message})

    def _on_paste(self, content: dict[str, Any]) -> None:
        result = self.paste(int(content["start"]), str(content["field"]), str(content.get("text", "")))
        self.send({"type": "pasted", "id": content.get("id"), "staged": len(result.staged),
                   "refused": [[p, f, m] for (p, f), m in result.refused.items()]})

    def _on_select(self, content: dict[str, Any]) -> None:
        index = content.get("index")
        self.select(int(index) if isinstance(index, int) else None, str(content.get("mode", "only")))

    def _on_unstage(self, content: dict[str, Any]) -> None:
        field = content.get("field")
        if field:
            self.unstage_cell(None, str(field), position=int(content["pos"]))
        else:
            self.unstage_row(None, position=int(content["pos"]))

    def _on_undo(self, _content: dict[str, Any]) -> None:
        self.undo()

    def _on_redo(self, _content: dict[str, Any]) -> None:
        self.redo()
