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
    certnb.staging.edit.Refusal: createdDateTime is read-only (set by Graph); writable fields: ...

Refusals are collected per call and raised together as one `EditsRefused` (a `ValidationError`): a call
either stages every edit it names or none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from certnb.errors import ValidationError
from certnb.schema import FIELDS_BY_COLUMN, WRITABLE_COLUMNS

__all__ = [
    "DATE_ORDER",
    "WRITABLE_FIELDS",
    "Edit",
    "EditsRefused",
    "Refusal",
    "RowSnapshot",
    "check_date_order",
    "check_value",
]

WRITABLE_FIELDS: tuple[str, ...] = WRITABLE_COLUMNS
"""The fields an edit may set, in schema order (contract §2, "writable by PATCH")."""

DATE_ORDER: tuple[tuple[str, str], ...] = (("startDate", "endDate"), ("issuedDate", "endDate"))
"""(earlier, later) pairs: a certification cannot expire before it became valid or was issued."""

_NOTHING_LOADED: Mapping[str, Any] = MappingProxyType({})
_MESSAGE_PROBLEMS = 50  # problems spelled out in an EditsRefused message; all are in `.problems`


class Refusal(ValueError):
    """A value breaks a staging rule; the message is the rule, stated for the person who typed the value."""


class Edit(NamedTuple):
    """One staged change of one field of one certification, in Graph wire form.

    `seq` is the journal position that staged it: a re-staged cell gets a new `seq`, so commit outcomes
    recorded for an older value never count for a newer one. (A NamedTuple: a bulk call makes 100,000.)

    >>> Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31").key
    ('u1', 'c1', 'endDate')
    """

    user_id: str
    cert_id: str
    field: str
    before: Any
    after: Any
    seq: int = 0

    @property
    def key(self) -> tuple[str, str, str]:
        """(user id, certification id, field): at most one edit per key is staged."""
        return (self.user_id, self.cert_id, self.field)

    @property
    def row_key(self) -> tuple[str, str]:
        """(user id, certification id): the certification the edit belongs to."""
        return (self.user_id, self.cert_id)


class RowSnapshot(NamedTuple):
    """A certification as loaded: who holds it and the wire value of every writable field.

    The journal keeps one per edited row, so a reopened journal needs no frame to show, check or plan its
    edits, and the commit runner can compare Graph's current values with what the user saw.

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
    writable = ", ".join(WRITABLE_FIELDS)
    if spec is None or spec.entity != "certification":
        raise Refusal(f"{field_name!r} is not a certification field; writable fields: {writable}")
    if not spec.writable:
        raise Refusal(f"{field_name} is read-only (set by Graph); writable fields: {writable}")
    try:
        return spec.validate(value)
    except ValueError as refusal:
        raise Refusal(str(refusal)) from None


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


class EditsRefused(ValidationError):
    """A staging call was refused as a whole: nothing was staged and nothing journaled.

    `problems` holds one `ValidationError` per refused (row, field), each naming the row, field, value and
    rule; `row`, `field`, `value` and `rule` of the error itself are those of the first problem.

    >>> err = EditsRefused([ValidationError(row=3, field="endDate", value="2027-02-30", rule="no such day")])
    >>> len(err.problems), err.field
    (1, 'endDate')
    """

    def __init__(self, problems: Iterable[ValidationError]) -> None:
        self.problems: tuple[ValidationError, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("EditsRefused needs at least one problem")
        first = self.problems[0]
        super().__init__(row=first.row, field=first.field, value=first.value, rule=first.rule)
        self.args = (self._describe(),)

    def _describe(self) -> str:
        count = len(self.problems)
        lines = [
            f"{count} edit{'s' if count != 1 else ''} refused; the whole call was refused, nothing was "
            "staged. Fix these and run the call again:"
        ]
        lines += [f"  {problem}" for problem in self.problems[:_MESSAGE_PROBLEMS]]
        if count > _MESSAGE_PROBLEMS:
            lines.append(f"  ... and {count - _MESSAGE_PROBLEMS} more (see .problems or .table())")
        return "\n".join(lines)

    def table(self) -> Any:
        """The problems as a DataFrame: row, field, value, rule (one line per refused edit)."""
        import pandas as pd

        return pd.DataFrame(
            [(p.row, p.field, p.value, p.rule) for p in self.problems],
            columns=["row", "field", "value", "rule"],
            dtype=object,
        )
