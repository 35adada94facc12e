"""The control each writable field gets, and how its value converts to and from Graph's wire form.

    date    → DatePicker        (`datetime.date` or None ↔ `"YYYY-MM-DD"`)
    flags   → SelectMultiple    (member names ↔ `"contacts,organization"`)
    string  → Text (Textarea for `description`), url → Text   ("" ↔ None: an empty box clears the field)
    number  → Text              (the typed text; not a number is left for staging to refuse, with its rule)
    bool    → Dropdown          ("(empty)", "True", "False"; text values: a Dropdown's None means no choice)

The conversions are plain functions, so the edit form's logic is tested without widgets.

    >>> import datetime as dt
    >>> to_control("endDate", "2027-01-31")
    datetime.date(2027, 1, 31)
    >>> from_control("allowedAudiences", ("organization", "contacts"))
    ['organization', 'contacts']
    >>> changes({"endDate": dt.date(2027, 1, 31), "displayName": ""}, {"endDate": "2026-12-31"})
    {'endDate': datetime.date(2027, 1, 31)}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets  # type: ignore[import-untyped]

from certnb.audience import Audience
from certnb.schema import FIELDS_BY_COLUMN
from certnb.staging.edit import WRITABLE_FIELDS, Refusal, check_value

__all__ = ["AUDIENCE_CHOICES", "LABELS", "changes", "from_control", "make_control", "shown", "to_control"]

AUDIENCE_CHOICES: tuple[str, ...] = tuple(
    m.name for m in Audience if m.name and m is not Audience.unknownFutureValue
)
"""Audience members a user may pick (the sentinel only ever comes from the service, see certnb.audience)."""

LABELS: dict[str, str] = {column: FIELDS_BY_COLUMN[column].label for column in WRITABLE_FIELDS}
"""A short human label per writable field (`certnb.schema.LABELS`; its own name is shown beside it)."""

_BOOL_CHOICES = (("(empty)", ""), ("True", "True"), ("False", "False"))


def _kind(field: str) -> str:
    return FIELDS_BY_COLUMN[field].kind


def to_control(field: str, wire: Any) -> Any:
    """A wire value (as staged or loaded) → the value its control shows."""
    kind = _kind(field)
    if kind == "date":
        return None if wire is None else dt.date.fromisoformat(str(wire))
    if kind == "flags":
        if wire is None:
            return ()
        names = [name.strip() for name in str(wire).split(",")]
        return tuple(name for name in names if name in AUDIENCE_CHOICES)
    if kind == "bool":
        return "" if wire is None else str(bool(wire))
    if kind == "number":
        return "" if wire is None else repr(float(wire))
    return "" if wire is None else str(wire)


def from_control(field: str, value: Any) -> Any:
    """A control's value → the value to stage (`None` clears the field); staging validates it."""
    kind = _kind(field)
    if kind == "flags":
        return list(value) if value else None
    if kind == "number":
        text = str(value).strip()
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return text  # staging refuses it, naming the rule ("must be a number")
    if kind == "bool":
        return {"": None, "True": True, "False": False}.get(value, value)
    if kind in ("string", "url"):
        return value if value else None
    return value


def _same(field: str, value: Any, wire: Any) -> bool:
    """Whether a staged-to-be value equals a wire value (compared in wire form, "" as empty)."""
    try:
        return bool(check_value(field, value) == (wire if wire != "" else None))
    except Refusal:
        return False


def changes(controls: Mapping[str, Any], effective: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose control value differs from the effective wire value (staged, else loaded).

    Values come back ready to stage (see `from_control`); values staging will refuse count as changes.
    """
    found = {}
    for field in WRITABLE_FIELDS:
        if field not in controls:
            continue
        if controls[field] == to_control(field, effective.get(field)):
            continue  # untouched (also keeps audience members unknown to this client, which no control shows)
        value = from_control(field, controls[field])
        if not _same(field, value, effective.get(field)):
            found[field] = value
    return found


def shown(field: str, wire: Any) -> str:
    """A wire value as text for the "loaded / staged" notes ("(empty)" for None)."""
    if wire is None:
        return "(empty)"
    return str(wire) if _kind(field) != "number" else f"{float(wire):g}"


def make_control(field: str) -> Any:
    """A fresh, empty ipywidgets control for `field` (see the module docstring)."""
    kind = _kind(field)
    common: dict[str, Any] = {"description": LABELS.get(field, field),
                              "style": {"description_width": "140px"},
                              "layout": widgets.Layout(width="460px")}
    if kind == "date":
        return widgets.DatePicker(value=None, **common)
    if kind == "flags":
        return widgets.SelectMultiple(options=AUDIENCE_CHOICES, value=(), rows=4, **common)
    if kind == "bool":
        return widgets.Dropdown(options=_BOOL_CHOICES, value="", **common)
    if field == "description":
        return widgets.Textarea(value="", **common)
    placeholder = {"url": "https://…", "number": "0.0 – 1.0"}.get(kind, "")
    return widgets.Text(value="", placeholder=placeholder, **common)
