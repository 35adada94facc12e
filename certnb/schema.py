"""THE field table: each personCertification property as DataFrame columns, dtype, writability, validator.

Every later layer reads this table instead of knowing Graph's JSON:

    Graph JSON ─frame/walk.py─► typed columns (COLUMNS, DTYPES) ─► frame ─► edit ─Field.validate─► wire value
               ─commit/plan.py─► minimal PATCH body (a nested property such as `inference` rebuilt whole)

Columns are Graph's own names; nested objects are flattened with dots (`inference.confidenceScore`,
`createdBy.user.displayName`, `source.type`). Each row starts with the user it belongs to (`userId`,
`userPrincipalName`, `userDisplayName`). Two read-only columns are *derived*, not read from a property of
their own: `sourceNames` and `ownedBy`, the names of the systems in `sources` and of those that own the
item's values (`certnb.frame.owners` says how); Graph never sees them.

    >>> FIELDS_BY_COLUMN["endDate"].validate(dt.date(2027, 1, 31))
    '2027-01-31'
    >>> FIELDS_BY_COLUMN["endDate"].from_wire("2027-01-31")
    Timestamp('2027-01-31 00:00:00')
    >>> FIELDS_BY_COLUMN["inference.confidenceScore"].path
    ('inference', 'confidenceScore')

Column values (what the frame holds): `str`; dates as naive midnight `pandas.Timestamp`
(dtype `datetime64[s]`); DateTimeOffsets as UTC `pandas.Timestamp` (`datetime64[ns, UTC]`: nanoseconds hold
Graph's 7 fraction digits losslessly); `bool`; `float`; `Audience`; lists as `list`; `None` when missing.

String limits. Graph publishes no maximum length for these properties [undocumented], so certnb picks limits
that no genuine value reaches but a pasted blob does: 1000 characters for names and references, 4000 for
`description` (free text, like other profile prose), 2048 for URLs (the common browser and proxy limit).
Control characters are refused except tab and newline: they are invisible in a notebook and in Graph's UI.
So are lone surrogates (`"\\ud800"`, half of a UTF-16 pair, which a Python `str` can hold): UTF-8, the
encoding of Graph's JSON (and of the journal), has no bytes for them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from certnb.audience import Audience

Kind = Literal["string", "date", "datetime", "flags", "url", "bool", "number", "list"]

NAME_MAX_LENGTH = 1000
DESCRIPTION_MAX_LENGTH = 4000
URL_MAX_LENGTH = 2048

SOURCE_NAMES_COLUMN = "sourceNames"
"""Derived from `sources`: the name of every system the item's values come from, "; "-separated."""
OWNED_BY_COLUMN = "ownedBy"
"""Derived from `sources`: the admin-controlled systems that own some of the item's values, "; "-separated."""

# The raw `allowedAudiences` text, kept only when it names members this client does not know, so that
# reading a newer service's value and writing the row back loses nothing (see certnb.audience).
AUDIENCE_WIRE_COLUMN = "allowedAudiences.wire"

TEXT_DTYPE = pd.StringDtype("python")
"""certnb's text columns: pandas' nullable `string` with Python storage. Plain `"string"` means Arrow storage
wherever pyarrow is installed, whose operations and speed differ; pinned, a frame behaves the same in every
environment (and still equals `"string"`)."""

KIND_DTYPES: dict[str, str] = {
    "string": "string", "url": "string", "date": "datetime64[s]", "datetime": "datetime64[ns, UTC]",
    "bool": "boolean", "number": "Float64", "flags": "object", "list": "object",
}
"""The pandas dtype of each kind of column (see the module docstring for the values they hold)."""

_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # Unicode category Cc, minus tab and newline
_SURROGATE = re.compile("[\ud800-\udfff]")  # Unicode category Cs: never a character on its own


@dataclass(frozen=True)
class Field:
    """One DataFrame column and the Graph property it comes from.

    >>> f = FIELDS_BY_COLUMN["createdBy.user.displayName"]
    >>> f.json, f.path, f.writable
    ('createdBy', ('createdBy', 'user', 'displayName'), False)
    """

    json: str  # the top-level Graph property (contract §2); for row context, the user's property
    column: str
    kind: Kind
    dtype: str  # pandas dtype name ("string" is TEXT_DTYPE: see pandas_dtype)
    writable: bool  # settable by PATCH (contract §2)
    path: tuple[str, ...]  # where the value sits inside the Graph JSON
    max_length: int | None = None
    entity: Literal["certification", "user"] = "certification"
    derived: bool = False  # computed from `json` when the frame is built (certnb.frame.owners); never sent

    def validate(self, value: object) -> Any:
        """Normalise a Python value to its Graph wire form, or raise `ValueError` stating the rule.

        `None`, `pandas.NA`, `pandas.NaT` and NaN mean "no value" and give `None` (PATCH clears it).

        >>> FIELDS_BY_COLUMN["startDate"].validate("2026-02-30")
        Traceback (most recent call last):
        ...
        ValueError: Valid from must be a date YYYY-MM-DD; got '2026-02-30' (no such day)
        """
        if is_missing(value):
            return None
        try:
            return _VALIDATORS[self.kind](self, value)
        except ValueError as refusal:
            raise ValueError(f"{self.label} {refusal}") from None  # the rule, named as the form names it

    def from_wire(self, value: object) -> Any:
        """Read a Graph JSON value into this column's Python form, tolerantly (see the module docstring).

        >>> FIELDS_BY_COLUMN["createdDateTime"].from_wire("2024-05-02T10:11:12.1234567Z").nanosecond
        700
        """
        if value is None:
            return None
        if self.kind in ("string", "url"):
            # `source.type` is a string in the docs but a list of strings in the current SDK (contract §2).
            return ",".join(map(str, value)) if isinstance(value, list) else str(value)
        if self.kind == "list":
            return list(value) if isinstance(value, list | tuple) else [value]
        try:
            return _READERS[self.kind](value)
        except (TypeError, ValueError) as refusal:
            raise ValueError(f"{self.column}: Graph sent {value!r}, not a {self.kind} ({refusal})") from None

    @property
    def label(self) -> str:
        """The name a person sees for this column in forms, the grid and messages ("Expires" for endDate).

        >>> FIELDS_BY_COLUMN["endDate"].label, FIELDS_BY_COLUMN["userPrincipalName"].label
        ('Expires', 'Sign-in name')
        """
        return LABELS.get(self.column, self.column)

    @property
    def pandas_dtype(self) -> Any:
        """This column's pandas dtype object, e.g. `StringDtype` for `"string"`."""
        return TEXT_DTYPE if self.dtype == "string" else pd.api.types.pandas_dtype(self.dtype)


def _field(column: str, kind: Kind, writable: bool = False, max_length: int | None = None) -> Field:
    path = tuple(column.split("."))
    if kind in ("string", "url") and max_length is None:
        max_length = URL_MAX_LENGTH if kind == "url" else NAME_MAX_LENGTH
    return Field(path[0], column, kind, KIND_DTYPES[kind], writable, path, max_length)


def _identity_set(name: str) -> list[Field]:
    return [
        _field(f"{name}.{party}.{part}", "string")
        for party in ("user", "application", "device")
        for part in ("displayName", "id")
    ]


ROW_CONTEXT: tuple[Field, ...] = (
    Field("id", "userId", "string", "string", False, ("id",), NAME_MAX_LENGTH, "user"),
    Field("userPrincipalName", "userPrincipalName", "string", "string", False, ("userPrincipalName",),
          NAME_MAX_LENGTH, "user"),
    Field("displayName", "userDisplayName", "string", "string", False, ("displayName",), NAME_MAX_LENGTH,
          "user"),
)

FIELDS: tuple[Field, ...] = (
    _field("id", "string"),
    _field("displayName", "string", writable=True),
    _field("issuingAuthority", "string", writable=True),
    _field("issuingCompany", "string", writable=True),
    _field("certificationId", "string", writable=True),
    _field("description", "string", writable=True, max_length=DESCRIPTION_MAX_LENGTH),
    _field("issuedDate", "date", writable=True),
    _field("startDate", "date", writable=True),
    _field("endDate", "date", writable=True),
    _field("webUrl", "url", writable=True),
    _field("thumbnailUrl", "url", writable=True),
    _field("allowedAudiences", "flags", writable=True),
    Field("allowedAudiences", AUDIENCE_WIRE_COLUMN, "string", "string", False, ("allowedAudiences",),
          NAME_MAX_LENGTH),
    _field("inference.confidenceScore", "number", writable=True),
    _field("inference.userHasVerifiedAccuracy", "bool", writable=True),
    _field("createdDateTime", "datetime"),
    *_identity_set("createdBy"),
    _field("lastModifiedDateTime", "datetime"),
    *_identity_set("lastModifiedBy"),
    _field("source.type", "string"),
    _field("isSearchable", "bool"),
    _field("sources", "list"),
    *(Field("sources", name, "string", "string", False, ("sources",), NAME_MAX_LENGTH, derived=True)
      for name in (SOURCE_NAMES_COLUMN, OWNED_BY_COLUMN)),
)
"""The certification columns, in frame order."""

COLUMNS: tuple[str, ...] = tuple(f.column for f in (*ROW_CONTEXT, *FIELDS))
DTYPES: dict[str, Any] = {f.column: f.pandas_dtype for f in (*ROW_CONTEXT, *FIELDS)}
FIELDS_BY_COLUMN: dict[str, Field] = {f.column: f for f in (*ROW_CONTEXT, *FIELDS)}
PROPERTIES: tuple[str, ...] = tuple(dict.fromkeys(f.json for f in FIELDS))
"""Graph's personCertification property names (contract §2)."""
WRITABLE: frozenset[str] = frozenset(f.json for f in FIELDS if f.writable)
"""Properties a PATCH may set (contract §2)."""
WRITABLE_COLUMNS: tuple[str, ...] = tuple(f.column for f in FIELDS if f.writable)


LABELS: dict[str, str] = {
    "userId": "Person id", "userPrincipalName": "Sign-in name", "userDisplayName": "Person",
    "id": "Certification id (Graph)", "displayName": "Title", "issuingAuthority": "Issuing authority",
    "issuingCompany": "Issuing company", "certificationId": "Certification id", "description": "Description",
    "issuedDate": "Issued", "startDate": "Valid from", "endDate": "Expires", "webUrl": "Web URL",
    "thumbnailUrl": "Thumbnail URL", "allowedAudiences": "Audiences",
    AUDIENCE_WIRE_COLUMN: "Audiences (as Graph sent them)", "inference.confidenceScore": "Confidence score",
    "inference.userHasVerifiedAccuracy": "Verified by user", "createdDateTime": "Created",
    "lastModifiedDateTime": "Last modified", "createdBy.user.displayName": "Created by",
    "lastModifiedBy.user.displayName": "Last modified by", "source.type": "Source",
    "isSearchable": "Searchable", "sources": "Sources", SOURCE_NAMES_COLUMN: "Source names",
    OWNED_BY_COLUMN: "Owned by",
}
"""The label a person sees for each column (forms, grid, review, messages); a column without one shows its
own name."""


def field_for(column: str) -> Field:
    """The `Field` of a column name, or `KeyError` listing the known columns.

    >>> field_for("endDate").kind
    'date'
    """
    try:
        return FIELDS_BY_COLUMN[column]
    except KeyError:
        raise KeyError(f"no certification column {column!r}; columns are: {', '.join(COLUMNS)}") from None


def is_missing(value: object) -> bool:
    """True for the "no value" markers a frame cell can hold: None, pandas.NA, pandas.NaT, NaN."""
    if isinstance(value, float):
        return math.isnan(value)
    return value is None or value is pd.NA or value is pd.NaT


# -- validators: one per kind; each returns the wire form or raises ValueError("must ...; got ...") --------


def _check_string(f: Field, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text (str); got {type(value).__name__} {value!r}")
    if f.max_length is not None and len(value) > f.max_length:
        raise ValueError(f"must be at most {f.max_length} characters; got {len(value)}")
    control = _CONTROL.search(value)
    if control:
        raise ValueError(
            "must not contain control characters (tab and newline are allowed); "
            f"got {control.group()!r} at position {control.start()} of {value[:60]!r}"
        )
    surrogate = _SURROGATE.search(value)
    if surrogate:
        raise ValueError(
            "must not contain a lone surrogate (half of a UTF-16 pair, which UTF-8 cannot encode); "
            f"got {surrogate.group()!r} at position {surrogate.start()} of {value[:60]!r}: write the "
            "character itself (e.g. '\\U0001f600', not '\\ud83d\\ude00')"
        )
    return str(value)


def _check_date(f: Field, value: object) -> str:
    if isinstance(value, pd.Timestamp):
        if value.tz is not None or value != value.normalize():
            raise ValueError(f"must be a date without a time of day or zone; got {value!r}")
        return value.date().isoformat()
    if isinstance(value, dt.datetime):
        raise ValueError(f"must be a date, not a datetime; got {value!r} (pass value.date() if meant)")
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(
            "must be a date (datetime.date, a time-less pandas.Timestamp or 'YYYY-MM-DD'); "
            f"got {type(value).__name__} {value!r}"
        )
    if not _DATE_TEXT.fullmatch(value):
        raise ValueError(f"must be a date YYYY-MM-DD; got {value!r}")
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"must be a date YYYY-MM-DD; got {value!r} (no such day)") from None


def _check_datetime(f: Field, value: object) -> str:
    if isinstance(value, str):
        try:
            value = pd.Timestamp(value)
        except ValueError:
            raise ValueError(f"must be an ISO 8601 date and time with a zone; got {value!r}") from None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(f"must be a date and time with a zone, e.g. '2024-05-02T10:11:12Z'; got {value!r}")
    return format_datetime(pd.Timestamp(value))


def format_datetime(moment: pd.Timestamp) -> str:
    """Graph's DateTimeOffset text: UTC, 7 fraction digits, `Z` (contract §2).

    >>> format_datetime(pd.Timestamp("2024-05-02T12:11:12.1234567+02:00"))
    '2024-05-02T10:11:12.1234567Z'
    """
    utc = moment.tz_convert("UTC")
    ticks = (utc.microsecond * 1000 + utc.nanosecond) // 100  # .NET ticks: 100 ns
    return f"{utc.strftime('%Y-%m-%dT%H:%M:%S')}.{ticks:07d}Z"


def _check_flags(f: Field, value: object) -> str:
    if not isinstance(value, Audience | str | Iterable):
        raise ValueError(f"must be an Audience or its wire text; got {type(value).__name__} {value!r}")
    return Audience.validate(value).to_wire()


def _check_url(f: Field, value: object) -> str:
    text = _check_string(f, value)
    if any(c.isspace() for c in text):
        raise ValueError(f"must be an absolute http(s) URL without spaces; got {text!r}")
    parts = urlsplit(text)
    if not parts.scheme:
        raise ValueError(f"must be an absolute http(s) URL; got {text!r} (relative: no scheme)")
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"must be an absolute http(s) URL; got {text!r} (scheme {parts.scheme!r})")
    if not parts.hostname:
        raise ValueError(f"must be an absolute http(s) URL; got {text!r} (no host)")
    return text


def _check_bool(f: Field, value: object) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"must be True or False; got {type(value).__name__} {value!r}")
    return bool(value)


def _check_number(f: Field, value: object) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"must be a number; got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number; got {value!r}")
    return float(value)


def _check_list(f: Field, value: object) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list; got {type(value).__name__} {value!r}")
    return list(value)


_VALIDATORS: dict[str, Callable[[Field, object], Any]] = {
    "string": _check_string, "url": _check_url, "date": _check_date, "datetime": _check_datetime,
    "flags": _check_flags, "bool": _check_bool, "number": _check_number, "list": _check_list,
}


def _read_date(value: object) -> pd.Timestamp:
    if not isinstance(value, str) or not _DATE_TEXT.fullmatch(value):
        raise ValueError("expected 'YYYY-MM-DD'")
    return pd.Timestamp(dt.date.fromisoformat(value)).as_unit("s")


def _read_datetime(value: object) -> pd.Timestamp:
    moment = pd.Timestamp(str(value))
    if moment.tz is None:
        raise ValueError("no time zone")
    return moment.tz_convert("UTC").as_unit("ns")


def _read_flags(value: object) -> Audience:
    if not isinstance(value, str):
        raise TypeError("expected comma-separated member names")
    return Audience.parse(value)


def _read_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def _read_number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("expected a number")
    return float(value)


_READERS: dict[str, Callable[[object], Any]] = {
    "flags": _read_flags, "date": _read_date, "datetime": _read_datetime, "bool": _read_bool,
    "number": _read_number,
}
