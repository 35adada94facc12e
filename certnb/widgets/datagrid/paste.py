"""Paste a block copied from Excel (tab-separated lines) into the grid, checked cell by cell.

The block lands from a cell down and to the right, over the rows in the grid's current order and the
editable columns as shown; cells past the last row or column, or on a read-only column, are dropped. Each
cell is checked by the field's rule; the valid ones are staged in one atomic call (one undo step), and
every refused cell comes back with its message (by label), staging nothing for it. Cells landing on a row
staged for deletion (or done by a commit, or a draft without a title) are refused, saying so, and so are
cells another system owns unless the `Staged` takes such edits (`certnb.widgets.datagrid.owned`).

    >>> parse_block("2027-01-31\\t\\n2027-02-28\\r\\n")
    [['2027-01-31', ''], ['2027-02-28']]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from certnb.errors import EditsRefused
from certnb.staging.edit import Refusal, check_value
from certnb.widgets.datagrid.columns import EDITABLE
from certnb.widgets.datagrid.editing import History, owned_refusal, parse_cell
from certnb.widgets.datagrid.owned import caught_owned

__all__ = ["PasteResult", "parse_block", "paste_block"]


def parse_block(text: str) -> list[list[str]]:
    """Excel's clipboard text → rows of cells (a trailing line break ends the block, it adds no row)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.split("\t") for line in lines]


@dataclass
class PasteResult:
    """What a paste did: the cells it staged, and each refused cell's message, by (position, field); `note`
    says what staging did with cells other systems own (owned="warn": staged with a warning; "source": sent
    to `staged.source_fixes()`, not staged)."""

    staged: list[tuple[int, str]] = field(default_factory=list)
    refused: dict[tuple[int, str], str] = field(default_factory=dict)
    note: str = ""


def _draft(history: History, position: int) -> str | None:
    rows = history.table.rows
    if rows.is_slot(position) and rows.slot(position).is_draft:
        return f"{history.table.who(position)} is a new row without a title: type its title before pasting"
    return None


def paste_block(history: History, order: np.ndarray, start_row: int, columns: Sequence[str],
                start_field: str, text: str) -> PasteResult:
    """Paste `text` at row `start_row` of `order` and column `start_field` of the shown `columns`."""
    result = PasteResult()
    if start_field not in columns:
        return result
    first = list(columns).index(start_field)
    cells: dict[tuple[int, str], Any] = {}
    owned: dict[tuple[int, str], None] = {}  # cells other systems own that the paste changes (warn, source)
    for r, line in enumerate(parse_block(text)):
        if start_row + r >= len(order):
            break
        position = int(order[start_row + r])
        locked = history.table.locked(position) or _draft(history, position)
        for c, typed in enumerate(line):
            if first + c >= len(columns) or columns[first + c] not in EDITABLE:
                continue
            name = columns[first + c]
            refused = locked or owned_refusal(history, position, name)
            if refused is not None:  # a deleted row, one done by a commit, a draft, an owned cell: per cell
                result.refused[position, name] = refused
                continue
            try:
                value = parse_cell(name, typed)
                wire = check_value(name, value)
            except Refusal as refusal:
                result.refused[position, name] = str(refusal)
                continue
            cells[position, name] = value
            if history.table.owned.owners(position, name) and (
                    "" if wire is None else str(wire)) != history.table.loaded[name][position]:
                owned[position, name] = None
    for _ in range(3):  # date order is checked across the row when staging: drop what it refuses, retry
        if not cells:
            break
        try:
            with caught_owned():  # owned="warn": the reply's note says so
                history.stage("paste", cells)
        except EditsRefused as refused:
            for problem in refused.problems:
                cell = problem.row if isinstance(problem.row, tuple) else None
                if cell is None or cell not in cells:
                    raise
                result.refused[cell] = problem.rule
                del cells[cell]
            continue
        result.staged = list(cells)
        break
    history.table.refresh(history.staged)
    mode = history.staged.owned
    taken = [cell for cell in owned if cell in result.staged]
    if mode == "source":  # routed to the source fixes: nothing of them is staged
        result.staged = [cell for cell in result.staged if cell not in owned]
    if taken:
        position, name = taken[0]
        result.note = (history.table.owned.after_edit(position, name, mode)
                       + (f" (and {len(taken) - 1} more owned cells)" if len(taken) > 1 else ""))
    return result
