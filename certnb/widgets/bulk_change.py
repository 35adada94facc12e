"""Bulk changes over picked certifications: set or clear a field, shift dates, replace an issuer spelling.

Each change is a small frozen object; `preview` turns it into the before/after table of the rows it would
change (values in Graph wire form), and `stage_preview` stages that table in one atomic call. Plain
functions over the frame and the `Staged`: the bulk form is only their view.

Emptying a field is its own change, `ClearField`: a `SetField` or `ReplaceIssuer` whose value is empty is
refused, so a forgotten value box never clears a field on every picked row.

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "endDate": "2027-01-31", "issuingAuthority": "MSFT"},
    ...     {"id": "c2", "issuingAuthority": "Microsoft"}]}])
    >>> staged = stage(df)
    >>> p = preview(df, [0, 1], ShiftDates(1, "months"), staged)
    >>> p.table[["id", "field", "before", "after"]].values.tolist()
    [['c1', 'endDate', '2027-01-31', '2027-02-28']]
    >>> len(preview(df, [0, 1], ReplaceIssuer("MSFT", "Microsoft"), staged))
    1
    >>> preview(df, [0, 1], ClearField("endDate"), staged).table[["id", "before", "after"]].values.tolist()
    [['c1', '2027-01-31', None]]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from certnb.errors import EditsRefused, ValidationError
from certnb.frame.names import NAME_COLUMNS, RowNames, refusal
from certnb.schema import FIELDS_BY_COLUMN
from certnb.staging.edit import WRITABLE_FIELDS, Refusal, check_value
from certnb.staging.rows import wire_column
from certnb.widgets.controls import LABELS

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = [
    "CLEARABLE_FIELDS",
    "DATE_FIELDS",
    "ISSUER_FIELDS",
    "PREVIEW_COLUMNS",
    "UNITS",
    "BulkChange",
    "ClearField",
    "Preview",
    "ReplaceIssuer",
    "SetField",
    "ShiftDates",
    "parse_text",
    "preview",
    "stage_preview",
]

Unit = Literal["days", "months", "years"]
UNITS: tuple[Unit, ...] = ("days", "months", "years")
DATE_FIELDS = ("endDate", "startDate", "issuedDate")
ISSUER_FIELDS = ("issuingAuthority", "issuingCompany")
PREVIEW_COLUMNS = ("row", "userId", "userPrincipalName", "id", "displayName", "field", "before", "after")
CLEARABLE_FIELDS: tuple[str, ...] = WRITABLE_FIELDS
"""The fields `ClearField` may empty: every writable one, since every property but `id` may be null and a
PATCH clears one with an explicit null (contract §2)."""


@dataclass(frozen=True)
class SetField:
    """Set `field` to `value` on every picked row (`value` as `parse_text` reads typed text).

    An empty value is refused: clearing is `ClearField`, chosen on purpose."""

    field: str
    value: Any


@dataclass(frozen=True)
class ClearField:
    """Empty `field` on every picked row that has a value (the PATCH sends null, contract §2)."""

    field: str


@dataclass(frozen=True)
class ShiftDates:
    """Move a date field by `amount` days, months or years (negative: earlier), from its *loaded* value,
    so staging the same shift twice does not shift twice. Rows without the date are left alone.
    A month shift keeps the day where it can and clamps to the month's end (Jan 31 + 1 month = Feb 28)."""

    amount: int
    unit: Unit = "years"
    field: str = "endDate"


@dataclass(frozen=True)
class ReplaceIssuer:
    """Replace the spelling `old` (exactly, after trimming) with `new` in an issuer field."""

    old: str
    new: str
    field: str = "issuingAuthority"


BulkChange = SetField | ClearField | ShiftDates | ReplaceIssuer


@dataclass(frozen=True)
class Preview:
    """The rows a bulk change would change: `.table` (`PREVIEW_COLUMNS`), `len` = rows changed."""

    change: BulkChange
    table: pd.DataFrame

    def __len__(self) -> int:
        return len(self.table)

    def sample(self, n: int = 5) -> pd.DataFrame:
        """The first `n` changed rows, before → after."""
        return self.table.head(n)


def parse_text(field: str, text: str) -> Any:
    """Typed text → a value for `field`: "" clears; numbers and True/False are read; the rest stays text.

    >>> parse_text("inference.confidenceScore", "0.8"), parse_text("endDate", ""), parse_text("webUrl", "x")
    (0.8, None, 'x')
    """
    text = text.strip()
    if not text:
        return None
    kind = FIELDS_BY_COLUMN[field].kind if field in FIELDS_BY_COLUMN else "string"
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text  # staging refuses it with the rule
    if kind == "bool" and text.casefold() in ("true", "false"):
        return text.casefold() == "true"
    return text


def preview(
    frame: pd.DataFrame, labels: Sequence[Any], change: BulkChange, staged: Staged
) -> Preview:
    """The before/after table of `change` on the rows `labels` of `frame`, only rows whose value changes.

    `before` is the effective value (staged, else loaded). A value that breaks a field rule raises
    `EditsRefused` naming the row; date order is checked when staging.
    """
    field = change.field
    allowed = CLEARABLE_FIELDS if isinstance(change, ClearField) else WRITABLE_FIELDS
    if field not in allowed:
        kind = "clearable" if isinstance(change, ClearField) else "writable"
        rule = f"{LABELS.get(field, field)} is not a {kind} field; {kind}: {', '.join(allowed)}"
        raise EditsRefused([refusal(None, field, None, rule, row="all picked", where=_EVERY_PICKED)])
    constant = _checked(change, field)
    if isinstance(constant, Refusal):
        raise EditsRefused([
            refusal(None, field, _raw(change), str(constant), row="all picked", where=_EVERY_PICKED)
        ])
    rows = frame.loc[list(labels)]
    loaded = wire_column(rows, field) if len(rows) else []
    staged_after = {e.row_key: e.after for e in staged if e.field == field}
    lines = []
    problems: list[ValidationError] = []
    records = rows[[c for c in NAME_COLUMNS if c in rows]].astype(object).to_dict("records")
    for label, record, was in zip(rows.index.tolist(), records, loaded, strict=True):
        key = (str(record["userId"]), str(record["id"]))
        before = staged_after.get(key, was)
        try:
            after = constant if constant is not _PER_ROW else _after(change, was, before)
        except Refusal as refused:
            problems.append(refusal(RowNames.of_record(record), field, None, str(refused), row=label))
            continue
        if after is _UNCHANGED or after == before:
            continue
        lines.append((label, key[0], record["userPrincipalName"], key[1], record["displayName"], field,
                      before, after))
    if problems:
        raise EditsRefused(problems)
    table = pd.DataFrame(lines, columns=list(PREVIEW_COLUMNS), dtype=object)
    return Preview(change, table)


_EVERY_PICKED = "every picked certification"
_PER_ROW = object()
_UNCHANGED = object()


def _raw(change: BulkChange) -> Any:
    return change.value if isinstance(change, SetField) else getattr(change, "new", None)


def _empty(wire: Any) -> bool:
    return wire is None or (isinstance(wire, str) and not wire.strip())


def _labels(fields: Sequence[str]) -> str:
    """Fields as the forms name them, with the Graph name a code caller typed: "Expires (endDate)"."""
    return ", ".join(f"{LABELS.get(f, f)} ({f})" for f in fields)


def _use_clear(field: str, where: str) -> Refusal:
    label = LABELS.get(field, field)
    return Refusal(f"an empty value would clear {label} ({field}) on {where}; to empty it on purpose, "
                   'choose "Clear field"')


def _checked(change: BulkChange, field: str) -> Any:
    """The one wire value a constant change sets (a `Refusal` if invalid), or `_PER_ROW`."""
    if isinstance(change, ClearField):
        return None
    if isinstance(change, SetField):
        try:
            wire = check_value(field, change.value)
        except Refusal as refusal:
            return refusal
        return _use_clear(field, "every picked certification") if _empty(wire) else wire
    if isinstance(change, ReplaceIssuer) and _empty(change.new):
        return _use_clear(field, f"every picked certification spelled {change.old.strip()!r}")
    return _PER_ROW


def _after(change: BulkChange, loaded: Any, before: Any) -> Any:
    if isinstance(change, ShiftDates):
        if change.field not in DATE_FIELDS:
            raise Refusal(f"only dates shift ({_labels(DATE_FIELDS)}); got {_labels([change.field])}")
        if change.unit not in UNITS:
            raise Refusal(f"shift by {', '.join(UNITS)}; got {change.unit!r}")
        if loaded is None:
            return _UNCHANGED
        amount = int(change.amount)
        offset = {"days": pd.DateOffset(days=amount), "months": pd.DateOffset(months=amount),
                  "years": pd.DateOffset(years=amount)}[change.unit]
        moved = pd.Timestamp(loaded) + offset
        return check_value(change.field, dt.date(moved.year, moved.month, moved.day))
    if isinstance(change, ReplaceIssuer):
        if change.field not in ISSUER_FIELDS:
            raise Refusal(f"issuer spellings live in {_labels(ISSUER_FIELDS)}; got {_labels([change.field])}")
        if not isinstance(before, str) or before.strip() != change.old.strip():
            return _UNCHANGED
        return check_value(change.field, change.new.strip())
    raise Refusal(f"unknown bulk change {change!r}")


def stage_preview(staged: Staged, table: pd.DataFrame | Preview, reason: str | None = None) -> int:
    """Stage a preview's `after` values in one atomic call (refused as a whole, see `Staged.set`), with
    `reason` (why) journaled on each edit.

    Returns the number of rows staged.
    """
    lines = table.table if isinstance(table, Preview) else table
    if lines.empty:
        return 0
    by_field: dict[str, list[tuple[Any, Any]]] = {}
    for label, field, after in zip(lines["row"], lines["field"], lines["after"], strict=True):
        by_field.setdefault(str(field), []).append((label, after))
    labels = list(dict.fromkeys(label for pairs in by_field.values() for label, _ in pairs))
    values = {field: pd.Series([a for _, a in pairs], index=[label for label, _ in pairs], dtype=object)
              for field, pairs in by_field.items()}
    staged.set(labels, values, reason=reason)
    return len(labels)
