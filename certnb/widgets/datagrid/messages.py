"""The browser's messages to the grid, each answered by one `Grid` method (the same ones code calls).

The browser side (static/grid.js) sends `{"type": ..., "id": ...}`; `Grid._message` looks the type up in
`HANDLERS` and shows a failure in the grid instead of raising (ipywidgets swallows a callback's exception).
Replies carry the request's `id`, so the browser matches them to what it asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from certnb.widgets.datagrid.editing import check_cell
from certnb.widgets.datagrid.window import WINDOW, Query, encode_window

if TYPE_CHECKING:
    from certnb.widgets.datagrid.rows import RowResult
    from certnb.widgets.datagrid.widget import Grid

__all__ = ["HANDLERS"]


def _window(grid: Grid, content: dict[str, Any]) -> None:
    query = Query.from_message(content.get("query") or {})
    if query != grid.query:
        grid.show(query)
    start = max(0, int(content.get("start", 0)))
    size = max(1, min(int(content.get("size", WINDOW)), 20_000))
    header, buffers = encode_window(grid.table, grid.order, start, size, selected=grid.selection)
    grid.send({"type": "window", "id": content.get("id"), **header}, buffers)


def _edit(grid: Grid, content: dict[str, Any]) -> None:
    result = grid.edit(None, str(content["field"]), content.get("value"), position=int(content["pos"]))
    grid.send({"type": "edited", "id": content.get("id"), "pos": result.position, "field": result.field,
               "ok": result.ok, "message": result.message, "text": result.text})


def _check(grid: Grid, content: dict[str, Any]) -> None:
    result = check_cell(grid.history, int(content["pos"]), str(content["field"]), content.get("value"))
    grid.send({"type": "checked", "id": content.get("id"), "ok": result.ok, "message": result.message})


def _paste(grid: Grid, content: dict[str, Any]) -> None:
    result = grid.paste(int(content["start"]), str(content["field"]), str(content.get("text", "")))
    grid.send({"type": "pasted", "id": content.get("id"), "staged": len(result.staged),
               "refused": [[p, f, m] for (p, f), m in result.refused.items()], "note": result.note})


def _select(grid: Grid, content: dict[str, Any]) -> None:
    index = content.get("index")
    grid.select(int(index) if isinstance(index, int) else None, str(content.get("mode", "only")))


def _unstage(grid: Grid, content: dict[str, Any]) -> None:
    field = content.get("field")
    if field:
        grid.unstage_cell(None, str(field), position=int(content["pos"]))
    else:
        grid.unstage_row(None, position=int(content["pos"]))


def _undo(grid: Grid, _content: dict[str, Any]) -> None:
    grid.undo()


def _redo(grid: Grid, _content: dict[str, Any]) -> None:
    grid.redo()


def _add(grid: Grid, content: dict[str, Any]) -> None:
    _reply_row(grid, content, grid.add_row(content.get("user")))


def _delete(grid: Grid, content: dict[str, Any]) -> None:
    _reply_row(grid, content, grid.delete_selected())


def _restore(grid: Grid, content: dict[str, Any]) -> None:
    _reply_row(grid, content, grid.restore(None, position=int(content["pos"])))


def _withdraw(grid: Grid, content: dict[str, Any]) -> None:
    _reply_row(grid, content, grid.withdraw(int(content["pos"])))


def _reply_row(grid: Grid, content: dict[str, Any], result: RowResult) -> None:
    found = np.flatnonzero(grid.order == result.position) if result.position is not None else None
    index = int(found[0]) if found is not None and len(found) else None  # where the browser scrolls to
    grid.send({"type": "row", "id": content.get("id"), "ok": result.ok, "message": result.message,
               "pos": result.position, "index": index})


HANDLERS: dict[str, Callable[[Grid, dict[str, Any]], None]] = {
    "window": _window,
    "edit": _edit,
    "check": _check,
    "paste": _paste,
    "select": _select,
    "unstage": _unstage,
    "undo": _undo,
    "redo": _redo,
    "add": _add,
    "delete": _delete,
    "restore": _restore,
    "withdraw": _withdraw,
}
