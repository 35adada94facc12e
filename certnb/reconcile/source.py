"""The system of record's export, read: who each row is about, and its certification's values, typed.

A source is a DataFrame or a CSV/Excel export (read with `certnb.frame.read_sheet`: BOM or not, `,` `;` or
tab, the CSV-injection quote taken off). Its columns are named by the HR or learning system; each is taken
as a certification field when it is named by Graph (`endDate`), by its certnb label (`Expires`), or mapped
explicitly (`columns={"Passed": "Valid from"}`). One column names the person (`on=`).

    >>> import pandas as pd
    >>> export = pd.DataFrame({"Email": ["Adele@Contoso.example"], "Title": ["AZ-104"],
    ...                        "Expires": ["30/06/2027"], "Department": ["IT"]})
    >>> source = read_source(export, on="email", date_format="%d/%m/%Y")
    >>> source.fields, source.ignored
    ({'displayName': 'Title', 'endDate': 'Expires'}, ('Department',))
    >>> source.rows[0].row, source.rows[0].person, source.rows[0].values["endDate"]
    (0, 'Adele@Contoso.example', Timestamp('2027-06-30 00:00:00'))

Cells are read as `certnb.read_edits` reads an edited sheet (`certnb.frame.cells.read_cell`): dates as
`YYYY-MM-DD`, Excel dates and serials, day/month/year when unambiguous or declared with `date_format=`.
A cell that cannot be read refuses the whole source, naming the source row, the person, the field by its
label, the value and why; nothing is guessed. Texts lose their surrounding spaces; an empty cell is no value.
Row numbers are the file's (the header is row 1); for a DataFrame, its integer index labels, else 1, 2, ….
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from certnb.errors import Unreadable, ValidationError
from certnb.frame.cells import read_cell
from certnb.frame.names import RowNames, refusal
from certnb.frame.spreadsheet import Formula, read_sheet
from certnb.schema import FIELDS_BY_COLUMN, LABELS, WRITABLE_COLUMNS, is_missing

__all__ = ["PERSON_KINDS", "PersonKind", "Source", "SourceRow", "read_source"]

PersonKind = Literal["userPrincipalName", "email", "employeeId"]
PERSON_KINDS: tuple[PersonKind, ...] = ("userPrincipalName", "email", "employeeId")
"""What a source's person column may hold: sign-in names, email addresses, or employee ids."""

_KINDS: dict[str, PersonKind] = {kind: kind for kind in PERSON_KINDS}
# Column names (casefolded, letters and digits only) that name a person's key in exports we know of.
_PERSON_NAMES: dict[PersonKind, frozenset[str]] = {
    "userPrincipalName": frozenset({"userprincipalname", "upn", "signinname", "login"}),
    "email": frozenset({"email", "mail", "emailaddress", "employeeemail", "workemail", "useremail"}),
    "employeeId": frozenset({"employeeid", "employeenumber", "personnelnumber", "staffid", "employeeno"}),
}
_REFUSALS_SPELLED = 10


@dataclass(frozen=True)
class SourceRow:
    """One row of the source: its row number, the person key as written, and the values it sets (frame
    types: dates as midnight Timestamps, texts stripped); empty cells are left out."""

    row: int
    person: str | None
    values: dict[str, Any]


@dataclass(frozen=True)
class Source:
    """A source as read: its `name` (file name, or "the DataFrame"), the person column and its `kind`, the
    certification `fields` it holds (field → source column), the columns it does not use (`ignored`) and
    its `rows`."""

    name: str
    kind: PersonKind
    person_column: str
    fields: dict[str, str]
    ignored: tuple[str, ...]
    rows: tuple[SourceRow, ...]

    @cached_property
    def _persons(self) -> dict[int, str | None]:
        return {r.row: r.person for r in self.rows}

    def person_at(self, row: int) -> str | None:
        """The person key source row `row` gives, as written."""
        return self._persons.get(row)

    def column(self, field: str) -> str:
        """The source column holding `field` ("Expires"), or the field's label when the source has none."""
        return self.fields.get(field, LABELS.get(field, field))


def read_source(
    source: pd.DataFrame | str | Path,
    *,
    on: str | Mapping[str, str] = "email",
    columns: Sequence[str] | Mapping[str, str] | None = None,
    date_format: str | None = None,
    sep: str | None = None,
) -> Source:
    """Read a DataFrame or a CSV/.xlsx export (module docstring); `on` names the person column's kind
    (`"email"`, `"userPrincipalName"`, `"employeeId"`) or maps one column to it (`{"Work mail": "email"}`);
    `columns` picks the fields read (Graph names or labels), or maps source columns to them."""
    table, numbers, name = _table(source, sep)
    headers = [str(c).strip() for c in table.columns]
    table.columns = headers
    person_column, kind = _person_column(headers, on)
    fields = _fields(headers, person_column, columns)
    used = {person_column, *fields.values()}
    ignored = tuple(h for h in headers if h not in used and h)
    rows: list[SourceRow] = []
    problems: list[ValidationError] = []
    persons = table[person_column].tolist()
    cells = {f: table[c].tolist() for f, c in fields.items()}
    for n, (row, person_cell) in enumerate(zip(numbers, persons, strict=True)):
        person = _text(person_cell)
        values: dict[str, Any] = {}
        for field, column in fields.items():
            value = cells[field][n]
            try:
                read = read_cell(FIELDS_BY_COLUMN[field], _cell(value), date_format=date_format, sep=sep)
            except Unreadable as why:
                title = _text(cells["displayName"][n]) if "displayName" in cells else None
                names = RowNames.of(None, person, None, None, title)
                said = LABELS[field] + ("" if column == LABELS[field] else f" (column {column!r})")
                problems.append(refusal(names, field, value, f"{said}: {why}", row=row,
                                        where=f"source row {row}"))
                continue
            if isinstance(read, str):
                read = read.strip() or None
            if read is not None:
                values[field] = read
        rows.append(SourceRow(row, person, values))
    if problems:
        raise _unreadable(problems, name)
    return Source(name, kind, person_column, fields, ignored, tuple(rows))


def _table(source: pd.DataFrame | str | Path, sep: str | None) -> tuple[pd.DataFrame, list[int], str]:
    if isinstance(source, pd.DataFrame):
        index = source.index.tolist()
        integer = all(isinstance(label, int) and not isinstance(label, bool) for label in index)
        numbers = [int(label) for label in index] if integer else list(range(1, len(source) + 1))
        return source.reset_index(drop=True).astype(object), numbers, "the DataFrame"
    if not isinstance(source, str | Path):
        raise TypeError(f"source must be a DataFrame or the path of a CSV/.xlsx export; got "
                        f"{type(source).__name__}")
    sheet = read_sheet(source, sep=sep)
    numbers = list(sheet.rows) if len(sheet.rows) == len(sheet.table) else list(
        range(sheet.first_row, sheet.first_row + len(sheet.table)))
    return sheet.table, numbers, sheet.source


def _simple(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def _person_column(headers: Sequence[str], on: str | Mapping[str, str]) -> tuple[str, PersonKind]:
    if isinstance(on, Mapping):
        if len(on) != 1:
            raise ValueError(f"on= maps one source column to its kind, e.g. {{'Employee Email': 'email'}}; "
                             f"got {dict(on)!r}")
        [(column, kind)] = on.items()
        if kind not in _KINDS:
            raise ValueError(f"on={{{column!r}: {kind!r}}}: the kind must be one of "
                             f"{', '.join(PERSON_KINDS)}")
        found = _header(headers, column)
        if found is None:
            raise ValueError(f"on= names the column {column!r}, which the source does not have; its columns "
                             f"are: {', '.join(headers)}")
        return found, _KINDS[kind]
    if on not in _KINDS:
        raise ValueError(f"on must be one of {', '.join(PERSON_KINDS)}, or map a source column to one "
                         f"(on={{'Employee Email': 'email'}}); got {on!r}")
    chosen = _KINDS[on]
    names = _PERSON_NAMES[chosen]
    exact = [h for h in headers if _simple(h) in names or _simple(h) == _simple(chosen)]
    matching = exact or [h for h in headers if any(_simple(h).endswith(n) for n in names)]
    if len(matching) == 1:
        return matching[0], chosen
    what = "no column" if not matching else f"{len(matching)} columns ({', '.join(matching)})"
    raise ValueError(f"on={chosen!r}: the source has {what} that could hold it; name the column: "
                     f"on={{'<column>': {chosen!r}}} (columns: {', '.join(headers)})")


def _header(headers: Sequence[str], name: str) -> str | None:
    wanted = name.strip()
    return next((h for h in headers if h == wanted), None) or next(
        (h for h in headers if h.casefold() == wanted.casefold()), None)


def _writable_field(name: str) -> str | None:
    """The writable field a name means: its Graph name or its label, case-insensitively."""
    wanted = name.strip().casefold()
    for field in WRITABLE_COLUMNS:
        if wanted in (field.casefold(), LABELS.get(field, field).casefold()):
            return field
    return None


def _known_fields() -> str:
    return ", ".join(f"{LABELS.get(f, f)} ({f})" for f in WRITABLE_COLUMNS)


def _fields(
    headers: Sequence[str], person: str, columns: Sequence[str] | Mapping[str, str] | None
) -> dict[str, str]:
    """field → source column, in schema order."""
    automatic: dict[str, str] = {}
    for header in headers:
        field = _writable_field(header) if header != person else None
        if field is not None:
            automatic.setdefault(field, header)
    chosen: dict[str, str] = {}
    if columns is None:
        chosen = automatic
    elif isinstance(columns, Mapping):
        for column, target in columns.items():
            found = _header(headers, column)
            if found is None:
                raise ValueError(f"columns= maps {column!r}, which the source does not have; its columns "
                                 f"are: {', '.join(headers)}")
            field = _writable_field(target)
            if field is None:
                raise ValueError(f"columns= maps {column!r} to {target!r}, which is not a writable field; "
                                 f"fields are: {_known_fields()}")
            if field in chosen:
                raise ValueError(f"columns= maps both {chosen[field]!r} and {column!r} to {LABELS[field]}")
            chosen[field] = found
    elif isinstance(columns, str):
        raise TypeError("columns= is a list of fields, or a mapping {source column: field}; got one string")
    else:
        for name in columns:
            found = _header(headers, name)
            field = _writable_field(found if found is not None else name)
            if field is None or field not in automatic:
                raise ValueError(f"columns= names {name!r}, but no source column holds that field; the "
                                 f"source's fields are: {', '.join(automatic.values()) or 'none'} (map "
                                 f"other columns with columns={{'<column>': '<field>'}})")
            chosen[field] = automatic[field]
    if not chosen:
        raise ValueError(f"the source has no column naming a certification field (columns: "
                         f"{', '.join(headers)}); map them: columns={{'Certification': 'Title', ...}}")
    if "displayName" not in chosen and "certificationId" not in chosen:
        raise ValueError("the source needs a title or a certification id column to tell certifications "
                         "apart; map one: columns={'<column>': 'Title'} or {'<column>': 'certificationId'}")
    return {f: chosen[f] for f in WRITABLE_COLUMNS if f in chosen}


def _cell(value: Any) -> Any:
    if isinstance(value, Formula):
        if value.result is None:
            raise Unreadable(f"the formula {value.text!r} in cell {value.cell} has no saved result; type the "
                             "value itself")
        return value.result
    return None if is_missing(value) else value


def _text(value: Any) -> str | None:
    if isinstance(value, Formula):
        value = value.result
    if value is None or is_missing(value):
        return None
    return str(value).strip() or None


def _unreadable(problems: Sequence[ValidationError], name: str) -> ValidationError:
    """One error for the cells that could not be read: the first in full, the others by row and field."""
    first = problems[0]
    others = [f"row {p.row} {p.label}" for p in problems[1:]]
    listed = ", ".join(others[:_REFUSALS_SPELLED]) + (", …" if len(others) > _REFUSALS_SPELLED else "")
    more = f" ({len(others)} more cell{'s' if len(others) != 1 else ''}: {listed})" if others else ""
    rule = f"{first.rule}; in {name}: correct the cell and reconcile again{more}"
    return ValidationError(field=first.field, label=first.label, value=first.value, rule=rule, row=first.row,
                           person=first.person, certification=first.certification, where=first.where)
