"""Certification frames to CSV and Excel files and back, as raw cells for `certnb.frame.changes` to read.

Exports keep one stable column order (`SHEET_COLUMNS`: the user, then Graph's property names as in
`certnb.schema.COLUMNS`) and the ids, so an edited file can be matched row by row with what was loaded:

- CSV: UTF-8 with a byte-order mark (so Excel reads accents right), dates `YYYY-MM-DD`, DateTimeOffsets in
  Graph's text, audiences in their wire text, booleans `true`/`false`, lists as JSON.
- Excel (.xlsx, openpyxl): the same, except that dates are date cells formatted `yyyy-mm-dd`, so a user
  editing them in Excel gets a date picker and nothing is reinterpreted by the locale.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.frame.layout import format_datetimes
from certnb.schema import AUDIENCE_WIRE_COLUMN, COLUMNS, FIELDS_BY_COLUMN

SHEET_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c != AUDIENCE_WIRE_COLUMN)
"""The columns of an exported sheet, in order."""

DATE_CELL_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Sheet:
    """A spreadsheet as read: `table` holds the cells as found (text from CSV; text, numbers, datetimes or
    booleans from Excel; `None` for empty), `first_row` the file row number of the table's first row, `sep`
    the CSV separator (None for Excel), `source` the file's name."""

    table: pd.DataFrame
    first_row: int
    sep: str | None
    source: str


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

    `sep=";"` writes what Excel in many European locales expects.
    """
    cells = sheet_values(frame)
    for column in list(cells.columns):
        if FIELDS_BY_COLUMN[str(column)].kind == "date":
            cells[column] = [None if pd.isna(v) else v.date().isoformat() for v in cells[column]]
    target = Path(path)
    cells.to_csv(target, sep=sep, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return target


def to_excel(frame: pd.DataFrame, path: str | Path, *, sheet_name: str = "certifications") -> Path:
    """Write the certifications as an .xlsx workbook: text cells, date cells for dates, frozen header row."""
    from openpyxl import Workbook  # an optional import: only spreadsheet users need openpyxl

    cells = sheet_values(frame)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = sheet_name
    sheet.append(list(cells.columns))
    date_columns = [i for i, c in enumerate(cells.columns, 1) if FIELDS_BY_COLUMN[c].kind == "date"]
    for row in cells.itertuples(index=False):
        sheet.append([_excel_value(v) for v in row])
    for index in date_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = DATE_CELL_FORMAT
    sheet.freeze_panes = "A2"
    target = Path(path)
    workbook.save(target)
    return target


def read_sheet(path: str | Path, *, sep: str | None = None) -> Sheet:
    """Read an exported (and maybe edited) CSV or .xlsx file as raw cells; nothing is converted yet.

    CSV: with or without BOM; the separator is `sep` or detected among `,`, `;` and tab from the header.
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
    cells = [
        [(c if c != "" else None) for c in (r + [""] * (width - len(r)))[:width]] for r in body if any(r)
    ]
    table = pd.DataFrame(cells, columns=[h.strip() for h in header], dtype=object)
    return Sheet(table, 2, sep, source.name)


def _read_excel(source: Path) -> Sheet:
    from openpyxl import load_workbook

    workbook = load_workbook(source, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not rows:
        raise ValueError(f"{source}: the workbook's first sheet is empty")
    header, *body = rows
    names = [str(h).strip() if h is not None else "" for h in header]
    cells = [[_excel_cell(c) for c in r[: len(names)]] for r in body if any(c not in (None, "") for c in r)]
    return Sheet(pd.DataFrame(cells, columns=names, dtype=object), 2, None, source.name)


def _excel_cell(value: Any) -> Any:
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, dt.datetime | dt.date | bool | int | float) or value is None:
        return value
    return str(value)


def _excel_value(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date()
    return (
        None if value is None or value is pd.NaT or (isinstance(value, float) and value != value) else value
    )
