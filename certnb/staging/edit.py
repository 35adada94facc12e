"""One staged edit, the row it belongs to, and the rules an edit must pass before it is staged.

An `Edit` is keyed by (user id, certification id, field) and holds Graph wire values (contract §2): dates as
`"YYYY-MM-DD"`, audiences as `"contacts,organization"`, `None` to clear. `before` is what was loaded, `after`
what the PATCH will send. Fields are the frame's column names (`certnb.schema.WRITABLE_COLUMNS`): Graph's
JSON names, with the two `inference` members written `inference.confidenceScore` and
`inference.userHasVerifiedAccuracy`.

    >>> check_value("endDate", "2027-06-30")
    '2027-06-30'
    >>> check_value("createdDateTime", "2027-06-30")
    Traceback (most recent call last):
    ...
    certnb.staging.edit.Refusal: Created is read-only (set by Graph: createdDateTime); writable fields: ...

Refusals are collected per call and raised together as one `EditsRefused` (a `ValidationError`): a call
either stages every edit it names or none of them. A bulk call checks a whole column with `check_values`,
which gives exactly what `check_value` gives value by value, only faster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from certnb.errors import EditsRefused
from certnb.schema import FIELDS_BY_COLUMN, WRITABLE_COLUMNS

__all__ = [
    "DATE_ORDER",
    "WRITABLE_FIELDS",
    "Edit",
    "EditsRefused",
    "LoadedValues",
    "Refusal",
    "RowSnapshot",
    "check_date_order",
    "check_value",
    "check_values",
]

WRITABLE_FIELDS: tuple[str, ...] = WRITABLE_COLUMNS
"""The fields an edit may set, in schema order (contract §2, "writable by PATCH")."""

DATE_ORDER: tuple[tuple[str, str], ...] = (("startDate", "endDate"), ("issuedDate", "endDate"))
"""(earlier, later) pairs: a certification cannot expire before it became valid or was issued."""

_NOTHING_LOADED: Mapping[str, Any] = MappingProxyType({})
_WRITABLE_LIST = ", ".join(WRITABLE_FIELDS)
_FIELD_POSITION = {name: i for i, name in enumerate(WRITABLE_FIELDS)}
# Exact types whose equal values pass or fail a field's rule alike, with the same wire form when they pass
# (equal naive Timestamps are the same instant; an aware one never equals a naive one). Floats are not
# here: 0.0 == -0.0, yet the two are different wire values.
_SAME_WHEN_EQUAL = (str, dt.date, pd.Timestamp)
_UNSEEN: Any = object()


class Refusal(ValueError):
    """A value breaks a staging rule; the message is the rule, stated for the person who typed the value."""


class Edit(NamedTuple):
    """One staged change of one field of one certification, in Graph wire form.

    `seq` is the journal position that staged it: a re-staged cell gets a new `seq`, so commit outcomes
    recorded for an older value never count for a newer one. `reason` is why it was staged, as the person
    staging said it (`certnb.staging.reason`), and `staged_by` the signed-in account that staged it, if known.
    (A NamedTuple: a bulk call makes 100,000.)

    >>> Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31").key
    ('u1', 'c1', 'endDate')
    """

    user_id: str
    cert_id: str
    field: str
    before: Any
    after: Any
    seq: int = 0
    reason: str | None = None
    staged_by: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """(user id, certification id, field): at most one edit per key is staged."""
        return (self.user_id, self.cert_id, self.field)

    @property
    def row_key(self) -> tuple[str, str]:
        """(user id, certification id): the certification the edit belongs to."""
        return (self.user_id, self.cert_id)


class LoadedValues(Mapping[str, Any]):
    """A certification's loaded wire values, one per writable field, as a read-only mapping over one tuple.

    What `RowSnapshot.loaded` holds for rows staged from a frame or read back from a journal: a bulk call
    keeps 100,000 of them, and a tuple in `WRITABLE_FIELDS` order costs a tenth of a dict to build.

    >>> loaded = LoadedValues(("AZ-104", *[None] * 12))
    >>> loaded["displayName"], loaded.get("endDate"), len(loaded), loaded == dict(loaded)
    ('AZ-104', None, 13, True)
    """

    __slots__ = ("ordered",)

    def __init__(self, ordered: tuple[Any, ...]) -> None:
        if len(ordered) != len(WRITABLE_FIELDS):
            raise ValueError(f"LoadedValues needs {len(WRITABLE_FIELDS)} values, one per writable field")
        self.ordered = ordered  # in WRITABLE_FIELDS order

    def __getitem__(self, field_name: str) -> Any:
        return self.ordered[_FIELD_POSITION[field_name]]

    def get(self, field_name: str, default: Any = None) -> Any:
        position = _FIELD_POSITION.get(field_name)
        return default if position is None else self.ordered[position]

    def __iter__(self) -> Iterator[str]:
        return iter(WRITABLE_FIELDS)

    def __len__(self) -> int:
        return len(WRITABLE_FIELDS)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LoadedValues):
            return self.ordered == other.ordered
        return isinstance(other, Mapping) and dict(self) == dict(other)

    __hash__ = None  # type: ignore[assignment]  # equal to dicts, which are unhashable

    def __repr__(self) -> str:
        return f"LoadedValues({dict(self)!r})"


class RowSnapshot(NamedTuple):
    """A certification as loaded: who holds it and the wire value of every writable field.

    The journal keeps one per edited row, so a reopened journal needs no frame to show, check or plan its
    edits, and the commit runner can compare Graph's current values with what the user saw. `loaded` is any
    mapping of field → wire value; rows from a frame or a journal hold a `LoadedValues`.

    >>> RowSnapshot("u1", "c1", "a@x", "A", "AZ-104", {"endDate": "2027-01-31"}).value("startDate") is None
    True
    """

    user_id: str
    cert_id: str
    user_principal_name: str | None
    user_display_name: str | None
    display_name: str | None
    loaded: Mapping[str, Any] = _NOTHING_LOADED

    @property
    def key(self) -> tuple[str, str]:
        """(user id, certification id)."""
        return (self.user_id, self.cert_id)

    def value(self, field_name: str) -> Any:
        """The loaded wire value of a writable field (`None` when it was empty)."""
        return self.loaded.get(field_name)


def check_value(field_name: str, value: object) -> Any:
    """A value the user gave for a field → its Graph wire form, or `Refusal` stating the rule it breaks.

    Dates are accepted only as `datetime.date`, a time-less `pandas.Timestamp` or `"YYYY-MM-DD"`; nothing
    is guessed. `None`, `pandas.NA`, `NaT` and NaN clear the field (PATCH sends `null`, contract §2).

    >>> check_value("allowedAudiences", ["organization", "contacts"])
    'contacts,organization'
    """
    spec = FIELDS_BY_COLUMN.get(field_name)
    if spec is None:
        raise Refusal(f"{field_name!r} is not a certification field; writable fields: {_WRITABLE_LIST}")
    if spec.entity != "certification":
        raise Refusal(f"{spec.label} ({field_name!r}) is not a certification field but the person's; "
                      f"writable fields: {_WRITABLE_LIST}")
    if not spec.writable:
        raise Refusal(
            f"{spec.label} is read-only (set by Graph: {field_name}); writable fields: {_WRITABLE_LIST}"
        )
    try:
        return spec.validate(value)
    except ValueError as refusal:
        raise Refusal(str(refusal)) from None


def check_values(field_name: str, values: Sequence[object]) -> list[Any]:
    """`check_value` over a column of values: each value's wire form, or the `Refusal` it raises, in order.

    Exactly what `check_value` gives value by value (tests/staging/test_bulk_calls.py pins it), found
    faster: a value equal to one already accepted is not checked again, and date texts are parsed together.

    >>> check_values("endDate", ["2027-06-30", None, "2027-02-30"])
    ['2027-06-30', None, Refusal("Expires must be a date YYYY-MM-DD; got '2027-02-30' (no such day)")]
    """
    try:
        check_value(field_name, None)
    except Refusal as refusal:
        return [refusal] * len(values)  # the field itself is refused, whatever the value
    accepted: dict[type, dict[Any, Any]] = {kind: {} for kind in _SAME_WHEN_EQUAL}
    if FIELDS_BY_COLUMN[field_name].kind == "date":
        accepted[str] = _real_iso_dates(values)
    out: list[Any] = []
    for value in values:
        known = accepted.get(type(value))
        wire = _UNSEEN if known is None else known.get(value, _UNSEEN)
        if wire is _UNSEEN:
            try:
                wire = check_value(field_name, value)
            except Refusal as refusal:
                wire = refusal  # refusals are not remembered: their message names the value itself
            else:
                if known is not None:
                    known[value] = wire
        out.append(wire)
    return out


def _real_iso_dates(values: Sequence[object]) -> dict[Any, Any]:
    """The distinct texts among `values` that `check_value` accepts as dates as they are, each mapped to
    itself (its wire form): parsed together, kept only when the date prints back as the very same text.

    Printing back rules out what the parser tolerates and Graph does not ("2027-1-1", full-width digits);
    year 0 is the one date it prints that Python's calendar (and so `check_value`) has not.
    """
    texts = list({value for value in values if type(value) is str})
    if not texts:
        return {}
    days = pd.to_datetime(pd.Series(texts, dtype=object), format="%Y-%m-%d", errors="coerce")
    printed = np.datetime_as_string(days.to_numpy().astype("datetime64[D]")).tolist()
    return {text: text for text, back in zip(texts, printed, strict=True) if text == back >= "0001"}


def check_date_order(effective: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first (earlier, later) field pair whose wire dates are out of order, or `None`.

    `effective` holds a row's values as they would be after staging: loaded values overlaid with staged
    ones. Wire dates compare correctly as text (`YYYY-MM-DD`).

    >>> check_date_order({"startDate": "2027-01-01", "endDate": "2026-12-31"})
    ('startDate', 'endDate')
    """
    for earlier, later in DATE_ORDER:
        start, end = effective.get(earlier), effective.get(later)
        if isinstance(start, str) and isinstance(end, str) and end < start:
            return (earlier, later)
    return None


