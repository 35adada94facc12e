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

Dates are read from: `YYYY-MM-DD` (also with a midnight time, as Excel and pandas write it), Excel date cells,
Excel serial numbers (days since 1899-12-30, as a number or as digits), and day/month/year forms with `/`, `.`
or `-`. `03/04/2026` is ambiguous (3 April or March 4?), so it is a problem unless `date_format=` declares the
file's form (e.g. `"%d/%m/%Y"`); a form that only one reading allows (`25/12/2026`) is accepted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from certnb.audience import Audience
from certnb.errors import Unreadable, ValidationError
from certnb.frame.layout import format_datetimes
from certnb.frame.names import RowNames, label, names_at, refusal
from certnb.frame.spreadsheet import SHEET_COLUMNS, Formula, Sheet, read_sheet
from certnb.schema import FIELDS_BY_COLUMN, Field, is_missing

CHANGE_COLUMNS: tuple[str, ...] = ("row", "userId", "id", "field", "before", "after")
DELETE_COLUMNS: tuple[str, ...] = ("row", "userId", "id")
DELETE_HEADER = "delete"
"""The header (in any case) of the column that marks rows for deletion."""
REASON_HEADER = "reason"
"""The header (in any case) of a column saying why a row's changes are made: each of its changes gets a
`reason` column in `changes`, which staging journals with the edit (`Staged.from_changes`)."""
DELETE_MARKS = frozenset({"yes", "y", "x", "true", "1", "delete"})
KEEP_MARKS = frozenset({"no", "n", "false", "0"})
PROBLEM_COLUMNS: tuple[str, ...] = (
    "row", "userId", "id", "field", "value", "problem", "person", "certification", "label"
)
KEY_COLUMNS: tuple[str, str] = ("userId", "id")

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (the 1900 leap-year bug already folded in)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_LOCAL_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_SERIAL = re.compile(r"\d{1,7}(?:\.0+)?")


@dataclass(frozen=True)
class SheetEdits:
    """The outcome of comparing a spreadsheet with the loaded frame.

    `changes`: one row per changed cell (`CHANGE_COLUMNS`, and `reason` when the file has a Reason column),
    `before`/`after` in the frame's Python types, ready to be staged as edits. `problems`: one row per cell,
    row or column that was not taken (`PROBLEM_COLUMNS`). `row` is the file's row number (the header is
    row 1); `person`, `certification` and `label` name the row's holder, its title and the field as the
    forms do (`certnb.frame.names`).
    """

    changes: pd.DataFrame
    problems: pd.DataFrame
    creates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["row", "userId",
                                                                                 "userPrincipalName"]))
    """One row per new certification: the file row, its person, then its fields (empty cells left None)."""
    deletes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(DELETE_COLUMNS)))
    """One row per certification to delete: the file row (None for a removed row), userId, id."""
    removed: tuple[tuple[str, str], ...] = ()
    """(userId, id) of loaded certifications the file does not hold (deleted only with removed="delete")."""

    @property
    def ok(self) -> bool:
        """True when every edited cell could be taken."""
        return self.problems.empty

    def __repr__(self) -> str:
        parts = [f"{len(self.changes)} changed cell{'s' if len(self.changes) != 1 else ''}",
                 f"{len(self.creates)} new", f"{len(self.deletes)} to delete",
                 f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"]
        note = (f"; {len(self.removed)} loaded row{'s' if len(self.removed) != 1 else ''} not in the file "
                "(kept; removed='delete' deletes them)" if self.removed and self.deletes.empty else "")
        return f"<SheetEdits: {', '.join(parts)}{note}>"


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
        (_text(u), _text(c)): i for i, (u, c) in enumerate(zip(loaded["userId"], loaded["id"], strict=True))
    }
    by_column = {c: loaded[c] for c in columns if c in loaded}  # looked up once, not once per cell
    seen: dict[tuple[Any, Any], int] = {}
    first = sheet.first_row
    numbers = sheet.rows if len(sheet.rows) == len(table) else range(first, first + len(table))
    for row, cells in zip(numbers, table.itertuples(index=False, name=None), strict=True):
        record = dict(zip(table.columns, cells, strict=False))
        formulas = {c: v for c, v in record.items() if isinstance(v, Formula) and c in SHEET_COLUMNS}
        record.update((c, v.result) for c, v in formulas.items())
        key = (_text(record.get("userId")), _text(record.get("id")))
        keyed = [(c, formulas[c]) for c in KEY_COLUMNS if c in formulas]
        if keyed and (key not in index or any(f.result is None for _, f in keyed)):
            for column, formula in keyed:
                named = formula.result is not None
                why = "its result names no loaded certification" if named else _formula_why(formula, None)
                found.refused.append((row, column, formula, why, None))
            continue
        if key[1] is None:
            if any(_text(v) is not None for c, v in record.items()
                   if c not in (marks, reasons)):  # a blank row is nothing
                found.new_row(row, record, columns)
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
                change["reason"] = _text(record.get(reasons))
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
    creates: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[tuple[int | None, str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    new_seen: dict[tuple[Any, ...], int] = field(default_factory=dict)
    with_reasons: bool = False  # the file has a Reason column

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
        same = _equal(f, before, after)
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
            dict(zip(CHANGE_COLUMNS, (row, *key, column, _plain(before), after), strict=True))
        )

    def marked(self, row: int, key: tuple[Any, Any], mark: Any) -> bool:
        """True when the row's delete cell marks it for deletion (then noted); a mark that is neither yes nor
        no is a problem (and the row is left alone)."""
        text = _text(mark)
        if text is None or text.casefold() in KEEP_MARKS:
            return False
        if text.casefold() in DELETE_MARKS:
            self.deletes.append((row, key[0], key[1]))
        else:
            self.problem(row, key, None, mark, f"the delete column holds {mark!r}: write yes to delete the "
                         "row, or leave it empty")
        return True

    def new_row(self, row: int, record: dict[str, Any], columns: list[str]) -> None:
        """A row without an id: a new certification for its person, or a problem if it names nobody."""
        person = (_text(record.get("userId")), _text(record.get("userPrincipalName")))
        title = _text(record.get("displayName"))
        if person == (None, None):
            self.new_problem(row, person, title, "id", None,
                             "no certification id and no person: a new row needs its person's "
                             "userPrincipalName (or userId)")
            return
        values: dict[str, Any] = {}
        readable = True
        for column in columns:
            f = FIELDS_BY_COLUMN[column]
            if not f.writable:
                continue  # createdDateTime and the like, copied with a row: Graph sets them
            try:
                values[column] = _plain(read_cell(f, record.get(column), date_format=self.date_format,
                                                  sep=self.sep))
            except Unreadable as refused:
                self.new_problem(row, person, title, column, record.get(column), str(refused))
                readable = False
        if not readable:
            return
        same = ((person[0] or "").casefold(), (person[1] or "").casefold(),
                *sorted((c, repr(v)) for c, v in values.items() if v is not None))
        if same in self.new_seen:
            self.new_problem(row, person, title, "id", None, "the same new certification appears again "
                             f"(first at row {self.new_seen[same]}); keep one")
            return
        self.new_seen[same] = row
        self.creates.append({"row": row, "userId": person[0], "userPrincipalName": person[1], **values})

    def new_problem(self, row: int, person: tuple[str | None, str | None], title: str | None,
                    column: str, value: Any, why: str) -> None:
        said = (person[1] or person[0], title, label(column))
        self.problems.append(dict(zip(PROBLEM_COLUMNS, (row, person[0], None, column, value, why, *said),
                                      strict=True)))

    def edits(self) -> SheetEdits:
        fields = [c for c in SHEET_COLUMNS if FIELDS_BY_COLUMN[c].writable]
        return SheetEdits(
            pd.DataFrame(self.changes, columns=[*CHANGE_COLUMNS, *(["reason"] if self.with_reasons else [])],
                         dtype=object),
            pd.DataFrame(self.problems, columns=list(PROBLEM_COLUMNS), dtype=object),
            pd.DataFrame(self.creates, columns=["row", "userId", "userPrincipalName", *fields], dtype=object),
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


def _text(value: Any) -> str | None:
    if value is None or is_missing(value):
        return None
    text = str(value).strip()
    return text or None


def _plain(value: Any) -> Any:
    return None if is_missing(value) else value


def read_cell(f: Field, value: Any, *, date_format: str | None = None, sep: str | None = None) -> Any:
    """One spreadsheet cell → the frame's Python value for column `f` (`None` when empty), or `Unreadable`.

    >>> read_cell(FIELDS_BY_COLUMN["endDate"], "46387")
    Timestamp('2026-12-31 00:00:00')
    >>> read_cell(FIELDS_BY_COLUMN["endDate"], "03/04/2026")
    Traceback (most recent call last):
    ...
    certnb.errors.Unreadable: ambiguous date '03/04/2026': 3 April or March 4? Pass date_format=...
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if f.kind == "date":
        return read_date(value, date_format)
    if f.kind == "datetime":
        try:
            moment = pd.Timestamp(value)
        except (TypeError, ValueError):
            raise Unreadable(f"not a date and time: {value!r}") from None
        return moment.tz_localize("UTC") if moment.tz is None else moment.tz_convert("UTC")
    if f.kind == "flags":
        try:
            return Audience.parse(str(value), strict=True)
        except ValueError as refusal:
            raise Unreadable(str(refusal)) from None
    if f.kind == "bool":
        return _bool(value)
    if f.kind == "number":
        return _number(value, sep)
    if f.kind == "list":
        try:
            return json.loads(value) if isinstance(value, str) else value
        except ValueError:
            raise Unreadable(f"not a JSON list: {value!r}") from None
    return value if isinstance(value, str) else _number_text(value)


def read_date(value: Any, date_format: str | None = None) -> pd.Timestamp:
    """A date cell in any form Excel leaves behind → a midnight Timestamp, or `Unreadable` saying why.

    >>> read_date("25/12/2026"), read_date(46387)
    (Timestamp('2026-12-25 00:00:00'), Timestamp('2026-12-31 00:00:00'))
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise Unreadable(f"a date was expected, got a time of day too: {value!r}")
        return _day(value.date())
    if isinstance(value, dt.date):
        return _day(value)
    if isinstance(value, bool):
        raise Unreadable(f"not a date: {value!r}")
    if isinstance(value, int | float):
        return _serial(float(value))
    text = str(value).strip()
    if date_format:
        try:
            return _day(dt.datetime.strptime(text, date_format).date())
        except ValueError:
            pass  # not in the declared form: ISO and serial numbers are still accepted below
    iso = _ISO_DATE.fullmatch(text)
    if iso:
        return _day(_date(int(iso[1]), int(iso[2]), int(iso[3]), text))
    if _SERIAL.fullmatch(text):
        return _serial(float(text))
    local = _LOCAL_DATE.fullmatch(text)
    if local:
        first, second, year = int(local[1]), int(local[3]), int(local[4])
        if date_format:
            raise Unreadable(f"date {text!r} is not in the declared form {date_format!r}")
        if first > 12 >= second:
            return _day(_date(year, second, first, text))
        if second > 12 >= first:
            return _day(_date(year, first, second, text))
        if first == second:
            return _day(_date(year, first, second, text))
        raise Unreadable(
            f"ambiguous date {text!r}: {first} {_month(second)} or {_month(first)} {second}? "
            "Pass date_format=... (e.g. '%d/%m/%Y')"
        )
    hint = f" (declared form {date_format!r})" if date_format else ""
    raise Unreadable(f"not a date: {text!r}; write YYYY-MM-DD{hint}")


def _month(number: int) -> str:
    return dt.date(2000, number, 1).strftime("%B")


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Unreadable(f"no such day: {text!r}") from None


def _day(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day).as_unit("s")


def _serial(number: float) -> pd.Timestamp:
    if not number.is_integer() or not 1 <= number <= 2958465:  # 2958465 = 9999-12-31
        raise Unreadable(f"not a date: {number!r} (an Excel date serial is a whole number of days)")
    return _day(_EXCEL_EPOCH + dt.timedelta(days=int(number)))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "yes", "1", "wahr", "vrai"):
        return True
    if text in ("false", "no", "0", "falsch", "faux"):
        return False
    raise Unreadable(f"not true or false: {value!r}")


def _number(value: Any, sep: str | None) -> float:
    if isinstance(value, bool):
        raise Unreadable(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if sep == ";" and re.fullmatch(r"-?\d+,\d+", text):
        text = text.replace(",", ".")  # a semicolon CSV is Excel in a decimal-comma locale
    try:
        return float(text)
    except ValueError:
        raise Unreadable(f"not a number: {value!r}") from None


def _number_text(value: Any) -> str:
    # Excel turns digit-only text (a certificationId) into a number; give back its digits.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _equal(f: Field, before: Any, after: Any) -> bool:
    # A blank text is an empty cell: a cell of only spaces reads as empty (`read_cell`), so it matches one.
    if is_missing(before) or (isinstance(before, str) and not before.strip() and f.kind in ("string", "url")):
        return after is None
    if after is None:
        return False
    if f.kind == "datetime":
        moment = pd.Timestamp(before)
        if after == moment:
            return True
        # A spreadsheet may show fewer fraction digits than Graph's seven: equal up to what is shown.
        shown = format_datetimes(pd.Series([after]))[0]
        digits = len(str(after).split(".")[1].rstrip("0+:Z").split("+")[0]) if "." in str(after) else 0
        return bool(moment.floor(pd.Timedelta(seconds=1) / 10**digits) == after) or shown == moment
    if f.kind == "flags":
        return isinstance(before, Audience) and before == after
    if f.kind == "number":
        return bool(float(before) == float(after))
    if f.kind == "list":
        return bool(list(before) == after)
    return bool(before == after)
