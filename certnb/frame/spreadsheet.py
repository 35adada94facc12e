"""Certification frames to CSV and Excel files and back, as raw cells for `certnb.frame.changes` to read.

Exports keep one stable column order (`SHEET_COLUMNS`: the user, then Graph's property names as in
`certnb.schema.COLUMNS`) and the ids, so an edited file can be matched row by row with what was loaded:

- CSV: UTF-8 with a byte-order mark (so Excel reads accents right), dates `YYYY-MM-DD`, DateTimeOffsets in
  Graph's text, audiences in their wire text, booleans `true`/`false`, lists as JSON. A cell that starts
  with a formula trigger (`FORMULA_TRIGGERS`) or a quote is written with one `'` in front, so no
  spreadsheet program runs it (OWASP "CSV Injection"); `read_sheet` takes that quote off again.
- Excel (.xlsx, openpyxl): the same, except that dates are date cells formatted `yyyy-mm-dd`, so a user
  editing them in Excel gets a date picker and nothing is reinterpreted by the locale, and every text is a
  text cell marked as typed with a leading `'` (never a formula, whatever it starts with). Characters XML
  cannot carry (a lone CR, control characters) are written in Excel's own `_xHHHH_` form and read back.
  A formula found in an edited workbook is read as a `Formula`, never as a value it may not have.

    >>> import tempfile, pathlib
    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": "2027-01-31"}]}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "certs.csv"
    >>> _ = to_csv(df, path)
    >>> read_sheet(path).table.loc[0, "endDate"]
    '2027-01-31'
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.errors import ValidationError
from certnb.frame.layout import format_datetimes
from certnb.frame.names import label as field_label
from certnb.frame.names import names_at, refusal
from certnb.schema import AUDIENCE_WIRE_COLUMN, COLUMNS, FIELDS_BY_COLUMN, is_missing

SHEET_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c != AUDIENCE_WIRE_COLUMN)
"""The columns of an exported sheet, in order."""

DATE_CELL_FORMAT = "yyyy-mm-dd"

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Google Sheets read a CSV cell as a formula (OWASP)."""

_QUOTE = "'"
_EXCEL_TEXT_LIMIT = 32767  # characters in one Excel cell
# ST_Xstring (ECMA-376 §22.9.2.19): `_xHHHH_` stands for a character; a literal `_xHHHH_` escapes its `_`.
_XML_UNSAFE = re.compile("_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_XSTRING_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


@dataclass(frozen=True)
class Formula:
    """A formula cell of an edited workbook: its `text` (`'=B2'`), the `result` Excel saved with it (`None`
    when the file holds none, e.g. written by a program that does not calculate) and its `cell` reference.
    `certnb.frame.changes.read_edits` refuses it unless its result is the exported value."""

    text: str
    result: Any
    cell: str


@dataclass(frozen=True)
class Sheet:
    """A spreadsheet as read: `table` holds the cells as found (text from CSV; text, numbers, datetimes,
    booleans or `Formula`s from Excel; `None` for empty), `first_row` the file row number of the table's
    first row, `sep` the CSV separator (None for Excel), `source` the file's name, `rows` the file row number
    of each table row as the user sees it (the header is row 1; blank rows are not in the table)."""

    table: pd.DataFrame
    first_row: int
    sep: str | None
    source: str
    rows: tuple[int, ...] = ()


def sheet_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame's `SHEET_COLUMNS` as text cells (dates left as Timestamps for Excel), `None` when missing.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"certifications": [{"id": "c1", "isSearchable": True}]}])
    >>> sheet_values(df)["isSearchable"].tolist()
    ['true']
    """
    out: dict[str, Any] = {}
    for column in SHEET_COLUMNS:
        if column not in frame:
            continue
        values = frame[column]
        kind = FIELDS_BY_COLUMN[column].kind
        if kind == "date":
            out[column] = [None if pd.isna(v) else pd.Timestamp(v) for v in values]
        elif kind == "datetime":
            out[column] = format_datetimes(pd.to_datetime(values, utc=True)).tolist()
        elif kind == "bool":
            out[column] = [None if pd.isna(v) else ("true" if v else "false") for v in values]
        elif kind == "list":
            out[column] = [
                None if v is None or v is pd.NA else json.dumps(v, ensure_ascii=False) for v in values
            ]
        elif kind == "number":
            out[column] = [None if pd.isna(v) else repr(float(v)) for v in values]
        else:
            out[column] = [None if v is None or v is pd.NA else str(v) for v in values]
    return pd.DataFrame(out, index=frame.index, columns=list(out))


def to_csv(frame: pd.DataFrame, path: str | Path, *, sep: str = ",") -> Path:
    """Write the certifications as CSV: UTF-8 with BOM, ISO dates, `SHEET_COLUMNS` in order.

    `sep=";"` writes what Excel in many European locales expects. A cell that starts with a formula trigger or
    a quote gets a `'` in front (see `escape_csv_cell`).
    """
    cells = sheet_values(frame)
    for column in list(cells.columns):
        if FIELDS_BY_COLUMN[str(column)].kind == "date":
            cells[column] = [None if pd.isna(v) else v.date().isoformat() for v in cells[column]]
        else:
            cells[column] = [escape_csv_cell(v) if isinstance(v, str) else None for v in cells[column]]
    target = Path(path)
    cells.to_csv(target, sep=sep, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return target


def escape_csv_cell(text: str) -> str:
    """A text as written to a CSV cell: one `'` in front when it starts with a formula trigger or a quote.

    The quote keeps spreadsheet programs from running the cell as a formula (OWASP "CSV Injection"); a text
    that itself starts with a quote gets one too, so `unescape_csv_cell` can tell the two apart.

    >>> escape_csv_cell("=SUM(A1)"), escape_csv_cell("'quoted"), escape_csv_cell("CKA")
    ("'=SUM(A1)", "''quoted", 'CKA')
    """
    return _QUOTE + text if text.startswith((_QUOTE, *FORMULA_TRIGGERS)) else text


def unescape_csv_cell(text: str) -> str:
    """A CSV cell as its text: the one `'` that `escape_csv_cell` puts before a formula trigger or a quote
    comes off; any other leading quote is the text's own.

    So every exported text comes back exactly, and so does a re-save by a program that shows the quote
    (Excel) or takes it as its "this is text" marker and saves the bare text (only a text starting with two
    quotes loses one there).

    >>> unescape_csv_cell("'=SUM(A1)"), unescape_csv_cell("''quoted"), unescape_csv_cell("'quoted")
    ('=SUM(A1)', "'quoted", "'quoted")
    """
    if text.startswith(_QUOTE) and text[1:2] and text[1:2] in (_QUOTE, *FORMULA_TRIGGERS):
        return text[1:]
    return text


def to_excel(frame: pd.DataFrame, path: str | Path, *, sheet_name: str = "certifications") -> Path:
    """Write the certifications as an .xlsx workbook: text cells, date cells for dates, frozen header row.

    Every text is a text cell marked as typed with a leading `'` (Excel's `quotePrefix`), so `=SUM(A1)` stays
    the text it is and Excel runs nothing when the file opens. A text longer than an Excel cell holds
    (32,767 characters) is refused with a `ValidationError`; write CSV instead.
    """
    from openpyxl import Workbook  # an optional import: only spreadsheet users need openpyxl

    cells = sheet_values(frame)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = sheet_name
    for column, name in enumerate(cells.columns, 1):
        _put_text(sheet.cell(1, column), str(name))
    dates = {i for i, c in enumerate(cells.columns, 1) if FIELDS_BY_COLUMN[c].kind == "date"}
    for row, values in enumerate(cells.itertuples(index=False), 2):
        for column, value in enumerate(values, 1):
            if column in dates:  # empty ones too: a date typed in later shows as yyyy-mm-dd
                cell = sheet.cell(row, column)
                cell.value = None if is_missing(value) else value.to_pydatetime().date()
                cell.number_format = DATE_CELL_FORMAT
            elif isinstance(value, str) and value:
                try:
                    _put_text(sheet.cell(row, column), value, row=row, field=str(cells.columns[column - 1]))
                except ValidationError as refused:  # say whose certification it is, as every refusal does
                    raise refusal(names_at(frame, row - 2), refused.field, refused.value, refused.rule,
                                  row=row, where=refused.where) from None
    sheet.freeze_panes = "A2"
    target = Path(path)
    workbook.save(target)
    return target


def write_tables(tables: Mapping[str, pd.DataFrame] | pd.DataFrame, path: str | Path) -> Path:
    """Write report tables safe to open: `.xlsx` (a sheet per table) or `.csv` (one table), no live formula.

    For tables of any shape (a findings table, a summary): texts are text cells (CSV: a `'` before a formula
    trigger, as `to_csv`), dates are date cells, numbers stay numbers; headers frozen. pandas' own
    `to_excel`/`to_csv` would write a title such as `=HYPERLINK(...)` as a formula that runs on opening.

    >>> import tempfile, pathlib
    >>> table = pd.DataFrame({"displayName": ["=1+1", "CKA"], "n": [1, 2]})
    >>> out = write_tables({"findings": table}, pathlib.Path(tempfile.mkdtemp()) / "report.xlsx")
    >>> from openpyxl import load_workbook
    >>> [(c.value, c.data_type) for c in load_workbook(out)["findings"]["A"]]
    [('displayName', 's'), ('=1+1', 's'), ('CKA', 's')]
    """
    target = Path(path)
    named = {"table": tables} if isinstance(tables, pd.DataFrame) else dict(tables)
    if target.suffix.lower() == ".csv":
        if len(named) != 1:
            raise ValueError(f"a CSV file holds one table; got {len(named)}: write .xlsx for several")
        [table] = named.values()
        safe = table.map(lambda v: escape_csv_cell(v) if isinstance(v, str) else v)
        safe.columns = [escape_csv_cell(str(c)) for c in table.columns]
        safe.to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        return target
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, table in named.items():
        sheet = workbook.create_sheet(_sheet_title(name))
        for column, label in enumerate(table.columns, 1):
            _put_text(sheet.cell(1, column), str(label))
        for row, values in enumerate(table.itertuples(index=False), 2):
            for column, value in enumerate(values, 1):
                _put_value(sheet.cell(row, column), value, row=row, field=str(table.columns[column - 1]))
        sheet.freeze_panes = "A2"
    workbook.save(target)
    return target


def _sheet_title(name: str) -> str:
    """A name Excel accepts as a sheet title: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or "table"


def put_cell(cell: Any, value: Any, *, row: int = 1, field: str = "") -> None:
    """Put `value` in an openpyxl `cell` formula-safe: a text is a text cell (never a formula, whatever it
    starts with), a Timestamp a date cell, a number a number; `row`/`field` name it in a refusal."""
    _put_value(cell, value, row=row, field=field)


def _put_value(cell: Any, value: Any, *, row: int, field: str) -> None:
    if isinstance(value, str):
        _put_text(cell, value, row=row, field=field)
    elif is_missing(value):
        cell.value = None
    elif isinstance(value, pd.Timestamp):
        cell.value = value.tz_convert(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
        cell.number_format = DATE_CELL_FORMAT if value == value.normalize() else "yyyy-mm-dd hh:mm"
    elif isinstance(value, bool | int | float | dt.date):
        cell.value = value
    else:  # lists, flags, anything else: its text, as text
        _put_text(cell, str(value), row=row, field=field)


def _put_text(cell: Any, text: str, *, row: int = 1, field: str = "") -> None:
    stored = _XML_UNSAFE.sub(lambda m: f"_x{ord(m[0]):04X}_", text)
    if len(stored) > _EXCEL_TEXT_LIMIT:  # openpyxl would cut it short without a word
        rule = (f"{field_label(field)} is {len(stored):,} characters long; an Excel cell holds at most "
                f"{_EXCEL_TEXT_LIMIT:,}: export with to_csv instead")
        raise refusal(None, field, text, rule, row=row, where=f"spreadsheet row {row}")
    cell.value = stored
    cell.data_type = "s"  # openpyxl would make "=…" a formula and "#N/A" an error value
    cell.quotePrefix = True  # and Excel keeps it text when the cell is edited and entered again


def read_sheet(path: str | Path, *, sep: str | None = None) -> Sheet:
    """Read an exported (and maybe edited) CSV or .xlsx file as raw cells; nothing is converted yet.

    CSV: with or without BOM; the separator is `sep` or detected among `,`, `;` and tab from the header; the
    quote `to_csv` puts before a formula trigger comes off (`unescape_csv_cell`). Excel: a formula cell is
    read as a `Formula` (its text, the result saved with it, its reference).
    """
    source = Path(path)
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_excel(source)
    text = source.read_bytes().decode("utf-8-sig")
    if sep is None:
        first_line = text.splitlines()[0] if text else ""
        sep = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    rows = list(reader)
    if not rows:
        raise ValueError(f"{source}: the file is empty; expected a header row with {SHEET_COLUMNS[:4]} …")
    header, *body = rows
    width = len(header)
    numbered = [(n, r) for n, r in enumerate(body, 2) if any(r)]
    cells = [
        [(unescape_csv_cell(c) if c != "" else None) for c in (r + [""] * (width - len(r)))[:width]]
        for _, r in numbered
    ]
    table = pd.DataFrame(cells, columns=[h.strip() for h in header], dtype=object)
    return Sheet(table, 2, sep, source.name, tuple(n for n, _ in numbered))


def _read_excel(source: Path) -> Sheet:
    from openpyxl.utils import get_column_letter

    rows = _excel_rows(source, data_only=False)
    if not rows:
        raise ValueError(f"{source}: the workbook's first sheet is empty")
    formulas = [(r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if isinstance(v, Formula)]
    if formulas:  # openpyxl reads either a file's formulas or the results Excel saved with them: read both
        results = _excel_rows(source, data_only=True)
        for r, c in formulas:
            result = results[r][c] if r < len(results) and c < len(results[r]) else None
            rows[r][c] = Formula(rows[r][c].text, result, f"{get_column_letter(c + 1)}{r + 1}")
    header, *body = rows
    names = [str(h).strip() if h is not None else "" for h in header]
    numbered = [(n, r[: len(names)]) for n, r in enumerate(body, 2) if any(c is not None for c in r)]
    table = pd.DataFrame([r for _, r in numbered], columns=names, dtype=object)
    return Sheet(table, 2, None, source.name, tuple(n for n, _ in numbered))


def _excel_rows(source: Path, *, data_only: bool) -> list[list[Any]]:
    """The first sheet's cells, row by row from row 1: values as `_excel_cell` gives them, formula cells as a
    `Formula` without result (or, with `data_only`, the results Excel saved instead of the formulas)."""
    from openpyxl import load_workbook

    workbook = load_workbook(source, read_only=True, data_only=data_only)
    try:
        sheet = workbook.worksheets[0]
        return [[_excel_cell(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    finally:
        workbook.close()


def _excel_cell(value: Any, data_type: str) -> Any:
    if data_type == "f":
        text = getattr(value, "text", None) or str(value)  # openpyxl's ArrayFormula, DataTableFormula
        return Formula(_xstring(text), None, "")
    if isinstance(value, str):
        return _xstring(value) if value != "" else None
    if isinstance(value, dt.datetime | dt.date | bool | int | float) or value is None:
        return value
    return str(value)


def _xstring(text: str) -> str:
    """An Excel text as stored (`_x000D_` for a CR) → the text itself; openpyxl leaves the escapes in."""
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text
