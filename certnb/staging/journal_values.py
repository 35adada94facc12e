"""How the journal keeps a wire value in SQLite, and reads it back exactly (`stored_value`, `wire_value`).

Values are stored as SQLite values, not JSON: wire values are text, numbers, booleans or null, and the field
says which (SQLite keeps booleans as 0/1; `wire_value` turns them back into bool). Text UTF-8 cannot encode
(a lone surrogate such as "\\ud800", which Graph's JSON can send as an escape) is kept as a BLOB of its ASCII
JSON text instead, which `wire_value` reads back to the very same str.

    >>> stored_value("x\\ud800y"), wire_value("displayName", stored_value("x\\ud800y")) == "x\\ud800y"
    (b'"x\\\\ud800y"', True)
    >>> stored_value("Zoë"), wire_value("inference.userHasVerifiedAccuracy", 1)
    ('Zoë', True)
"""

from __future__ import annotations

import json
import re
from typing import Any

from certnb.schema import FIELDS

__all__ = ["BOOLEAN_FIELDS", "stored_value", "wire_value"]

BOOLEAN_FIELDS = frozenset(f.column for f in FIELDS if f.writable and f.kind == "bool")
"""The writable fields whose wire values are booleans (SQLite gives them back as 0/1)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def wire_value(field: str, stored: Any) -> Any:
    """A stored value back in wire form (booleans from 0/1; see `stored_value` for BLOBs)."""
    if type(stored) is bytes:
        return json.loads(stored)
    return bool(stored) if field in BOOLEAN_FIELDS and stored is not None else stored


def stored_value(value: Any) -> Any:
    """A value as SQLite can keep it: text UTF-8 cannot encode becomes the BLOB of its ASCII JSON text."""
    if type(value) is str and _SURROGATE.search(value):
        return json.dumps(value).encode("ascii")
    return value
