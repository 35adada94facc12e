"""An edited spreadsheet compared with the loaded frame: the changed cells, and what could not be read.

    >>> import tempfile, pathlib
    >>> from certnb.frame.build import build_frame
    >>> from certnb.frame.spreadsheet import to_csv
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": "2027-01-31"}]}])
    >>> path = to_csv(df, pathlib.Path(tempfile.mkdtemp()) / "certs.csv")
    >>> _ = path.write_text(path.read_text(encoding="utf-8-sig").replace("2027-01-31", "2028-01-31"))
    >>> edits = read_edits(df, path)
    >>> edits.changes[["id", "field", "before", "after"]].values.tolist()
    [['c1', 'endDate', Timestamp('2027-01-31 00:00:00'), Timestamp('2028-01-31 00:00:00')]]

Nothing is guessed. Rows are matched on (`userId`, `id`); an id or a column that is not in the loaded
frame, an edited read-only column, and a cell that cannot be read as its column's type are all reported in
`problems` (file row, ids, field, value, what is wrong), never turned into changes.

Creates and deletes (issue 16): a row without an `id` but with its person (`userPrincipalName` or `userId`)
is a new certification (`creates`, its writable cells read as for edits; read-only cells such as
`createdDateTime` copied from another row are ignored). A `delete` column (any case) marked `yes`, `y`,
`x`, `true`, `1` or `delete` stages the row's deletion (`deletes`; the row's other cells are then not
read). A loaded row missing from the file is listed in `removed` and deleted only when asked
(`removed="delete"`): a file is often a filtered copy, so a missing row means nothing by itself.
Cells are read as `certnb.frame.cells` says: dates in every form Excel leaves behind, and an ambiguous
`03/04/2026` is a problem unless `date_format=` declares the file's form (e.g. `"%d/%m/%Y"`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from certnb.errors import Unreadable, ValidationError
from certnb.frame.cells import cell_text, plain, read_cell, read_date, same_value
from certnb.frame.names import RowNames, label, names_at, refusal
from certnb.frame.new_rows import NewRows
from certnb.frame.sheet_edits import (
    CHANGE_COLUMNS,
    DELETE_COLUMNS,
    KEY_COLUMNS,
    PROBLEM_COLUMNS,
    SheetEdits,
)
from certnb.frame.spreadsheet import SHEET_COLUMNS, Formula, Sheet, read_sheet
from certnb.schema import FIELDS_BY_COLUMN, is_missing

__all__ = [  # read_edits and its words; the cells (cells.py) and SheetEdits (sheet_edits.py) moved
    "CHANGE_COLUMNS", "DELETE_COLUMNS", "DELETE_HEADER", "DELETE_MARKS", "KEEP_MARKS", "KEY_COLUMNS",
    "PROBLEM_COLUMNS", "REASON_HEADER", "SheetEdits", "read_cell", "read_date", "read_edits",
]

DELETE_HEADER = "delete"
"""The header (in any case) of the column that marks rows for deletion."""
REASON_HEADER = "reason"
"""The header (in any case) of a column saying why a row's changes are made: each of its changes gets a
`reason` column in `changes`, which staging journals with the edit (`Staged.from_changes`)."""
DELETE_MARKS = frozenset({"yes", "y", "x", "true", "1", "delete"})
KEEP_MARKS = frozenset({"no", "n", "false", "0"})


def read_edits(
    loaded: pd.DataFrame,
    edited: str | Path | Sheet,
    *,
    date_format: str | None = None,
    sep: str | None = None,
    removed: Literal["keep", "delete"] = "keep",
) -> SheetEdits:
    """Compare an edited CSV/.xlsx file (or a `Sheet`) with the frame it was exported from: the changed cells,
    the new rows, the rows marked for deletion (module docstring).

    `date_format` (a `strptime` form such as `"%d/%m/%Y"`) declares how the file writes dates, for files
    re-saved by Excel in a locale; ISO dates, date cells and serial numbers are read regardless.

    A formula in an .xlsx cell certnb reads is refused with a `ValidationError` (its row, column, formula and
    cell; every such cell is listed), unless the result Excel saved with it is the exported value, which
    changes nothing. A formula is not data: its result depends on other cells, and a file written by a
    program that does not calculate holds no result at all, which must not be read as a cleared field.

    `removed="delete"` stages the deletion of every loaded row the file no longer holds; by default they are
    only listed (`removed`).
    """
    if removed not in ("keep", "delete"):
        raise ValueError(f"removed= is 'keep' or 'delete'; got {removed!r}")
    sheet = edited if isinstance(edited, Sheet) else read_sheet(edited, sep=sep)
    table = sheet.table
    found = _Found(date_format, sheet.sep, loaded)
    missing_keys = [c for c in KEY_COLUMNS if c not in table.columns]
    if missing_keys:
        found.problem(
            None,
            (None, None),
            ", ".join(missing_keys),
            None,
            f"the file has no {' and no '.join(missing_keys)} column, so no row can be matched; export "
            "again with certnb.frame.to_csv / to_excel and edit that file",
        )
        return found.edits()
    columns = [c for c in table.columns if c in SHEET_COLUMNS and c not in KEY_COLUMNS]
    marks = next((c for c in table.columns if str(c).strip().casefold() == DELETE_HEADER), None)
    reasons = next((c for c in table.columns if str(c).strip().casefold() == REASON_HEADER), None)
    found.with_reasons = reasons is not None
    for unknown in (c for c in table.columns if c not in SHEET_COLUMNS and c not in (marks, reasons)):
        found.problem(
            None,
            (None, None),
            unknown,
            None,
            f"unknown column {unknown!r} ignored; columns are Graph's property names as exported",
        )

    index = found.index = {
        (cell_text(u), cell_text(c)): i
        for i, (u, c) in enumerate(zip(loaded["userId"], loaded["id"], strict=True))
    }
    by_column = {c: loaded[c] for c in columns if c in loaded}  # looked up once, not once per cell
    seen: dict[tuple[Any, Any], int] = {}
    first = sheet.first_row
    numbers = sheet.rows if len(sheet.rows) == len(table) else range(first, first + len(table))
    for row, cells in zip(numbers, table.itertuples(index=False, name=None), strict=True):
        record = dict(zip(table.columns, cells, strict=False))
        formulas = {c: v for c, v in record.items() if isinstance(v, Formula) and c in SHEET_COLUMNS}
        record.update((c, v.result) for c, v in formulas.items())
        key = (cell_text(record.get("userId")), cell_text(record.get("id")))
        keyed = [(c, formulas[c]) for c in KEY_COLUMNS if c in formulas]
        if keyed and (key not in index or any(f.result is None for _, f in keyed)):
            for column, formula in keyed:
                named = formula.result is not None
                why = "its result names no loaded certification" if named else _formula_why(formula, None)
                found.refused.append((row, column, formula, why, None))
            continue
        if key[1] is None:
            if any(cell_text(v) is not None for c, v in record.items()
                   if c not in (marks, reasons)):  # a blank row is nothing
                found.new.add(row, record, columns)
            continue
        if key in seen:
            found.problem(
                row, key, "id", key[1], f"the same row appears again (first at row {seen[key]}); keep one"
            )
            continue
        seen[key] = row
        if key not in index:
            found.problem(row, key, "id", key[1], "no such user and certification in the loaded frame; rows "
                          "cannot be re-keyed from a spreadsheet (leave id empty to add a new one)")
            continue
        if marks is not None and found.marked(row, key, record.get(marks)):
            continue
        first_change = len(found.changes)
        for column in columns:
            before = by_column[column].iat[index[key]] if column in by_column else None
            found.compare(row, key, column, record.get(column), before, formulas.get(column))
        if reasons is not None:  # the row's reason, on each change it makes
            for change in found.changes[first_change:]:
                change["reason"] = cell_text(record.get(reasons))
    if found.refused:
        raise _formula_refusal(found.refused, sheet.source)
    found.removed = [k for k in index if k not in seen]
    if removed == "delete":
        found.deletes += [(None, *k) for k in found.removed]
    return found.edits()


@dataclass
class _Found:
    """What `read_edits` found so far: changed cells, problems, and refused formula cells."""

    date_format: str | None
    sep: str | None
    loaded: pd.DataFrame
    index: dict[tuple[Any, Any], int] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    refused: list[tuple[int, str, Formula, str, RowNames | None]] = field(default_factory=list)
    deletes: list[tuple[int | None, str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    with_reasons: bool = False  # the file has a Reason column
    new: NewRows = field(init=False)  # the rows without an id

    def __post_init__(self) -> None:
        self.new = NewRows(self.date_format, self.sep, self.problems)

    def names(self, key: tuple[Any, Any]) -> RowNames | None:
        """The names of the loaded row a file row's ids match (`None`: no loaded row)."""
        position = self.index.get(key)
        return None if position is None else names_at(self.loaded, position)

    def problem(
        self, row: int | None, key: tuple[Any, Any], column: str | None, value: Any, why: str
    ) -> None:
        names = self.names(key) or RowNames(None, None, None, None)
        said = (names.person, names.certification, None if column is None else label(column))
        self.problems.append(
            dict(zip(PROBLEM_COLUMNS, (row, *key, column, value, why, *said), strict=True))
        )

    def compare(
        self,
        row: int,
        key: tuple[Any, Any],
        column: str,
        value: Any,
        before: Any,
        formula: Formula | None,
    ) -> None:
        """One cell against the loaded value: nothing, a change, a problem, or a refused formula."""
        f = FIELDS_BY_COLUMN[column]
        try:
            after = read_cell(f, value, date_format=self.date_format, sep=self.sep)
        except Unreadable as refusal:
            if formula is not None:
                why = f"its result {value!r} cannot be read: {refusal}"
                self.refused.append((row, column, formula, why, self.names(key)))
            else:
                self.problem(row, key, column, value, str(refusal))
            return
        same = same_value(f, before, after)
        if formula is not None and (formula.result is None or not same):
            self.refused.append((row, column, formula, _formula_why(formula, before), self.names(key)))
            return
        if same:
            return
        if not f.writable:
            why = f"{f.label} is read-only (set by Graph: {column}); the edit is not taken"
            self.problem(row, key, column, value, why)
            return
        self.changes.append(
            dict(zip(CHANGE_COLUMNS, (row, *key, column, plain(before), after), strict=True))
        )

    def marked(self, row: int, key: tuple[Any, Any], mark: Any) -> bool:
        """True when the row's delete cell marks it for deletion (then noted); a mark that is neither yes nor
        no is a problem (and the row is left alone)."""
        text = cell_text(mark)
        if text is None or text.casefold() in KEEP_MARKS:
            return False
        if text.casefold() in DELETE_MARKS:
            self.deletes.append((row, key[0], key[1]))
        else:
            self.problem(row, key, None, mark, f"the delete column holds {mark!r}: write yes to delete the "
                         "row, or leave it empty")
        return True

    def edits(self) -> SheetEdits:
        fields = [c for c in SHEET_COLUMNS if FIELDS_BY_COLUMN[c].writable]
        return SheetEdits(
            pd.DataFrame(self.changes, columns=[*CHANGE_COLUMNS, *(["reason"] if self.with_reasons else [])],
                         dtype=object),
            pd.DataFrame(self.problems, columns=list(PROBLEM_COLUMNS), dtype=object),
            pd.DataFrame(self.new.creates, columns=["row", "userId", "userPrincipalName", *fields],
                         dtype=object),
            pd.DataFrame(self.deletes, columns=list(DELETE_COLUMNS), dtype=object),
            tuple(self.removed),
        )


def _formula_why(formula: Formula, before: Any) -> str:
    if formula.result is None:
        return "the file has no result saved with it, so its value is unknown (never read as an empty cell)"
    shown = "an empty cell" if is_missing(before) else repr(before)
    return f"its result {formula.result!r} is not the exported value ({shown})"


def _formula_refusal(
    refused: list[tuple[int, str, Formula, str, RowNames | None]], source: str
) -> ValidationError:
    """One error for the formula cells `read_edits` cannot take: the first in full, the others by cell."""
    row, column, formula, why, names = refused[0]
    others = [f.cell for _, _, f, _, _ in refused[1:]]
    listed = ", ".join(others[:10]) + (", …" if len(others) > 10 else "")
    more = f" ({len(others)} more formula cell{'s' if len(others) > 1 else ''}: {listed})" if others else ""
    rule = (f"{label(column)} is the formula {formula.text!r}; a certnb sheet holds values, not formulas, "
            f"and {why}. In {source}, cell {formula.cell}: type the value itself (or undo the edit), save, "
            f"and read the file again{more}")
    return refusal(names, column, formula.text, rule, row=row, where=f"spreadsheet row {row}")
