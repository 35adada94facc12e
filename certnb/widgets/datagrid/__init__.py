"""`grid(df, staged)`: the editable grid — sort, filter, search, select, edit, paste, unstage, undo; add rows
(staged creates), delete and restore rows (staged deletes).

    table.py     the cells as text (effective values), staged marks, audit findings per row     — pure
    window.py    query → row order; windows of rows as binary columnar chunks                    — pure
    columns.py   which columns an analyst reads, their labels and editors (from the schema)      — pure
    editing.py   a cell edit → checked and staged through `Staged`; undo/redo of grid steps
    paste.py     a block pasted from Excel, checked cell by cell
    rows.py      new rows (drafts, staged creates) in slots after the frame's rows; row marks     — pure
    row_steps.py add a row, type into a draft, delete, restore, withdraw: undoable steps via `Staged`
    messages.py  the browser's messages, each answered by one `Grid` method
    widget.py    `Grid`, the anywidget: traits and the Python API (static/grid.js, Tabulator)

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30"}]}])
    >>> g = grid(df, stage(df), asof="2026-11-30")
    >>> g.edit(0, "endDate", "2026-02-30").message
    "Expires must be a date YYYY-MM-DD; got '2026-02-30' (no such day)"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from certnb.staging import stage
from certnb.widgets.datagrid.widget import Grid

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["Grid", "grid"]


def grid(frame: pd.DataFrame, staged: Staged | None = None, *, asof: object = None) -> Grid:
    """The editable grid over `frame`, staging into `staged` (default: a fresh in-memory `stage(frame)`).

    >>> g = grid(df, staged)            # doctest: +SKIP
    >>> g                               # shows the grid in a notebook  # doctest: +SKIP
    """
    return Grid(frame, staged if staged is not None else stage(frame), asof=asof)
