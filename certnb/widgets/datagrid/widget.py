"""`Grid`: the editable grid widget — an anywidget whose browser side (Tabulator, in static/grid.js) asks the
kernel for windows of rows and sends back edits, pastes, selections and undo/redo as custom messages.

All logic lives in the pure modules beside it (`table`, `window`, `editing`, `paste`); this class holds the
state of one grid (the current query and order, the selection) and turns messages into their calls. Every
method the browser reaches is an ordinary method too, so code and tests drive the grid the same way.
New rows and deletes: `add_row`, `delete_selected`, `restore`, `withdraw` (`row_steps`, `rows`). Cells other
systems own are read-only unless the `Staged` was opened with owned="warn" or "source" (`owned`). Selecting
rows (`select`, `select_labels`, `value`, `picked`) is `GridSelection`'s (`selection`).

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30"}]}])
    >>> g = Grid(df, stage(df), asof="2026-11-30")
    >>> g.edit(0, "endDate", "2027-06-30").ok, g.staged_count
    (True, 1)
    >>> g.add_row("a@x", displayName="AZ-305").ok, g.new_count, g.staged_count
    (True, 1, 2)
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anywidget
import numpy as np
import pandas as pd
import traitlets

from certnb.frame.audit import RULES
from certnb.schema import LABELS
from certnb.widgets.bulk_change import BulkChange, Preview, preview, stage_preview
from certnb.widgets.datagrid.columns import AUDIENCES, EDITABLE, column_specs
from certnb.widgets.datagrid.editing import CellResult, History, edit_cell
from certnb.widgets.datagrid.messages import HANDLERS
from certnb.widgets.datagrid.owned import caught_owned
from certnb.widgets.datagrid.paste import PasteResult, paste_block
from certnb.widgets.datagrid.row_steps import (
    add_row,
    delete_rows,
    edit_draft,
    find_person,
    people,
    restore_rows,
)
from certnb.widgets.datagrid.rows import RowResult
from certnb.widgets.datagrid.selection import GridSelection
from certnb.widgets.datagrid.table import GridTable
from certnb.widgets.datagrid.window import WINDOW, Query, encode_window, order

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["Grid"]

STATIC = Path(__file__).with_name("static")
Result = TypeVar("Result")
BACKGROUND_AUDIT_ROWS = 5_000  # above this many rows the first audit runs while the grid already shows rows


def _issuers(table: GridTable, limit: int = 200) -> list[str]:
    counts = Counter(v for v in table.loaded["issuingAuthority"].tolist() if v)
    return [name for name, _ in counts.most_common(limit)]


def _with_reason(method: Callable[..., Result]) -> Callable[..., Result]:
    """`method`, staging with the grid's `reason` (the toolbar's Reason box), if one is typed."""
    @functools.wraps(method)
    def staging(grid: Grid, *args: Any, **kwargs: Any) -> Result:
        with grid.staged.because(grid.reason or None):
            return method(grid, *args, **kwargs)
    return staging


class Grid(GridSelection, anywidget.AnyWidget):
    """The editable grid over `frame`, staging into `staged` (see the module and package docstrings).

    `grid.reason = "CHG-1042: renewals confirmed"` (or the toolbar's Reason box) is journaled with every edit
    the grid stages from then on; hovering a staged cell says why it was staged, and by whom.
    """

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
    staged_count = traitlets.Int(0).tag(sync=True)  # rows with anything staged: edits, new, deleted
    new_count = traitlets.Int(0).tag(sync=True)
    deleted_count = traitlets.Int(0).tag(sync=True)
    people: traitlets.List[dict[str, str]] = traitlets.List().tag(sync=True)  # the "Add row" box's choices
    can_undo = traitlets.Bool(False).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    audited = traitlets.Bool(False).tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)
    owned = traitlets.Unicode("refuse").tag(sync=True)  # the Staged's owned=; "refuse": owned cells read-only
    height = traitlets.Unicode("460px").tag(sync=True)
    reason = traitlets.Unicode("").tag(sync=True)  # why: journaled with every edit the grid stages

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
        self._ordered_shape: tuple[bool, ...] = ()  # which new rows were shown when `order` was made
        self.selection: dict[int, None] = {}  # positions, in the order they were picked
        self._anchor: int | None = None  # where a shift-click range starts (an index of the order)
        self._select_listeners: list[Callable[[], None]] = []
        self.columns = column_specs()
        self.rows = self.shown = len(frame)
        self.issuers = _issuers(self.table)
        self.audiences = list(AUDIENCES)
        self.rules = [{"rule": r, "severity": s} for r, s in RULES.items()]
        self.audited = self.table.audited
        self.owned = staged.owned
        self._people = people(frame)
        self.people = [{"value": p.user_principal_name or p.user_id, "label": p.display_name or ""}
                       for p in self._people]
        staged.on_change(self._staged_changed)
        self.table.refresh(staged)
        self._counts()
        self.on_msg(self._message)

    def __repr__(self) -> str:
        # What a plain-text view (and a notebook's text/plain) shows: counts, never ids or addresses.
        edits = "edit" if self.staged_count == 1 else "edits"
        counted = ((self.new_count, "new"), (self.deleted_count, "deleted"))
        rows = [f"{n:,} {what}" for n, what in counted if n]
        return (f"<Grid: {self.rows:,} certifications, {self.shown:,} shown,"
                f" {self.selected_count:,} selected, {self.staged_count:,} {edits} staged"
                + (f" ({', '.join(rows)})>" if rows else ">"))

    # -- reading ---------------------------------------------------------------------------------------------

    def rows_shown(self, start: int = 0, size: int = WINDOW) -> list[dict[str, Any]]:
        """Rows `start`.. of the current order as the browser gets them (decoded), for code and tests."""
        from certnb.widgets.datagrid.window import decode_window

        return decode_window(*encode_window(self.table, self.order, start, size, selected=self.selection))

    # -- the view --------------------------------------------------------------------------------------------

    def show(self, query: Query | None = None, **given: Any) -> int:
        """Show the rows `query` (or `Query(**given)`) picks, in its order; returns how many it shows."""
        query = query if query is not None else Query(**given)
        self.query = query
        self._ordered_shape = self._shape()
        self.order = order(self.table, query)
        self.shown = len(self.order)
        return self.shown

    # -- editing ---------------------------------------------------------------------------------------------

    @_with_reason
    def edit(self, row: Any, field: str, text: object, *, position: int | None = None) -> CellResult:
        """Type `text` into one cell (row label `row`, or frame `position`); staged if valid."""
        position = self._position(row) if position is None else position
        slots = self.table.rows
        if slots.is_slot(position) and slots.slot(position).is_draft and field in EDITABLE:
            return edit_draft(self.history, position, field, text)
        return edit_cell(self.history, position, field, text)

    def hover(self, row: Any, field: str, *, position: int | None = None) -> str:
        """What hovering a cell says of who owns its value ("Owned by Workday HR (Workday): fix it in that
        system"), "" when nobody does."""
        position = self._position(row) if position is None else position
        return self.table.owned.hover(position, field)

    @_with_reason
    def paste(self, start: int, field: str, text: str) -> PasteResult:
        """Paste Excel's clipboard `text` at index `start` of the current order, column `field`."""
        shown = [c["field"] for c in self.columns
                 if not c["hidden"] or self.show_ids]
        return paste_block(self.history, self.order, start, [str(f) for f in shown], field, text)

    @_with_reason
    def unstage_cell(self, row: Any, field: str, *, position: int | None = None) -> None:
        """Withdraw the staged edit of one cell (of a new row: empty it, which its title refuses)."""
        position = self._position(row) if position is None else position
        if self.table.rows.is_slot(position):
            self.note = "" if (done := self.edit(None, field, "", position=position)).ok else done.message
            return
        self.history.unstage(f"unstage {LABELS.get(field, field)}", [self.history.key(position, field)])

    def unstage_row(self, row: Any, *, position: int | None = None) -> None:
        """Withdraw every staged edit of one row."""
        position = self._position(row) if position is None else position
        if self.table.rows.is_slot(position):  # a new row's fields mean nothing without it: withdraw it
            self.withdraw(position)
            return
        self.history.unstage("unstage row", [self.history.key(position, f) for f in EDITABLE])

    # -- new rows and deletes --------------------------------------------------------------------------------

    @_with_reason
    def add_row(self, user: object, **fields: Any) -> RowResult:
        """A new row for `user` (userId, sign-in name, or a display name one person has): staged as a
        create at once when `fields` has a title (`displayName`), else a draft that is staged once its title
        is typed. One undo step."""
        return self._row_done(add_row(self.history, find_person(self._people, user), fields))

    @_with_reason
    def delete_selected(self) -> RowResult:
        """Stage the deletes of the selected rows (new rows: withdraw them). One undo step."""
        return self._row_done(delete_rows(self.history, list(self.selection)))

    @_with_reason
    def restore(self, row: Any = None, *, position: int | None = None) -> RowResult:
        """Withdraw the staged delete of one row (row label `row`, or grid `position`). One undo step."""
        position = self._position(row) if position is None else position
        return self._row_done(restore_rows(self.history, [position]))

    def withdraw(self, position: int) -> RowResult:
        """Withdraw a new row (its staged create, or the draft) at grid `position`. One undo step."""
        return self._row_done(delete_rows(self.history, [position], "withdraw new row"))

    def _row_done(self, result: RowResult) -> RowResult:
        self.note = "" if result.ok else result.message
        self._follow_shape()
        self._counts()
        return result

    def _shape(self) -> tuple[bool, ...]:
        """Which new rows are shown: when it changes, rows came or went."""
        return tuple(s.shown for s in self.table.rows)

    def _follow_shape(self) -> bool:
        """Order the rows again if new rows came or went since the order was made (the browser then fetches
        its rows again); True if it did. Other changes keep the order, as an edit does: a row edited out of a
        filter stays until the next query."""
        if self._ordered_shape == self._shape():
            return False
        self._ordered_shape = self._shape()
        self.order = order(self.table, self.query)
        self.shown = len(self.order)
        slots = self.table.rows
        self.selection = {p: None for p in self.selection if not slots.is_slot(p) or slots.slot(p).shown}
        self._counts()
        self.send({"type": "reorder"})
        return True

    @_with_reason
    def undo(self) -> bool:
        """Undo the latest grid step (edit, paste, unstage, bulk change, add, delete, restore)."""
        with caught_owned():  # owned="warn" warned when the edit was first staged
            done = self.history.undo()
        self._follow_shape()
        return done

    @_with_reason
    def redo(self) -> bool:
        """Redo the latest undone step."""
        with caught_owned():
            done = self.history.redo()
        self._follow_shape()
        return done

    def preview(self, change: BulkChange) -> Preview:
        """The before → after table of a bulk change on the selected rows (nothing staged yet)."""
        return preview(self.frame, list(self.value), change, self.staged)

    @_with_reason
    def stage_preview(self, shown: Preview) -> int:
        """Stage a confirmed preview (one undo step); the number of rows staged."""
        keys = [(str(u), str(i), str(f)) for u, i, f in zip(shown.table["userId"], shown.table["id"],
                                                            shown.table["field"], strict=True)]
        before = self.history.state(keys)
        count = stage_preview(self.staged, shown)  # with the grid's reason (`_with_reason`)
        self.history.record("bulk change", before)
        return count

    # -- following the Staged --------------------------------------------------------------------------------

    def _counts(self) -> None:
        table = self.table
        self.rows = table.base + sum(s.shown for s in table.rows)
        self.new_count = sum(s.shown and not s.is_draft and s.position not in table.done for s in table.rows)
        self.deleted_count = len(table.deleted - table.done)
        self.staged_count = len(set(table.staged) | table.deleted)
        self.can_undo = bool(self.history.done)
        self.can_redo = bool(self.history.undone)

    def _staged_changed(self) -> None:
        try:
            changed = self.table.refresh(self.staged)
            self._counts()
            if not self._follow_shape() and changed:  # else a create staged or withdrawn elsewhere: rows
                self._push_rows(changed)               # came or went, and the browser fetches them all

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
        """Read what a commit did from the journal (created, deleted rows) and tell the browser to fetch the
        rows it shows again."""
        self.table.refresh(self.staged)
        self._follow_shape()
        self._counts()
        self.send({"type": "reload"})

    def _audit_ended(self) -> None:
        self.audited = True
        self.send({"type": "reload"})

    # -- messages from the browser ---------------------------------------------------------------------------

    def _message(self, _widget: Any, content: dict[str, Any], _buffers: list[bytes]) -> None:
        kind = content.get("type")
        handler = HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return
        try:
            handler(self, content)
        except Exception as error:  # shown in the grid; the browser gets its reply either way
            self.note = f"Could not {kind}: {type(error).__name__}: {error}"
            self.send({"type": "failed", "id": content.get("id"), "message": self.note})
        self._counts()
