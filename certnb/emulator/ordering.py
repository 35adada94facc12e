"""How `$orderby` orders JSON rows: nulls first (OData), values by their wire type, several keys, stable.

    >>> rows = [{"id": "a", "endDate": None}, {"id": "b", "endDate": "2026-01-01"},
    ...         {"id": "c", "endDate": "2025-01-01"}]
    >>> [r["id"] for r in order(rows, [("endDate", True)], {"endDate": "date"})]
    ['b', 'c', 'a']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

COMPARABLE = frozenset({"string", "flags", "date", "datetimeoffset", "bool", "number"})
"""The wire types `$orderby` and `$filter` compare."""


def instant(value: Any) -> dt.datetime | None:
    """A DateTimeOffset text as an aware datetime (no zone: UTC), else None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _sort_key(value: Any, wire_type: str) -> tuple[int, Any]:
    """Nulls first (OData), then values; a value of the wrong type sorts with the nulls rather than crash."""
    if value is None:
        return (0, "")
    if wire_type == "datetimeoffset":
        moment = instant(value)
        return (1, moment) if moment is not None else (0, "")
    if wire_type in ("bool", "number"):
        return (1, value) if isinstance(value, int | float) else (0, "")
    return (1, value) if isinstance(value, str) else (0, "")


def order(
    rows: list[Mapping[str, Any]], keys: Sequence[tuple[str, bool]], types: Mapping[str, str]
) -> list[Mapping[str, Any]]:
    """Rows sorted by several keys, each ascending or descending; stable, so ties keep insertion order."""
    for name, descending in reversed(keys):
        wire_type = types.get(name, "string")
        rows = sorted(rows, key=lambda row: _sort_key(row.get(name), wire_type), reverse=descending)
    return rows
