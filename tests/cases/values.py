"""How the case files under tests/cases/ write values JSON cannot hold, shared by every runner of them.

A one-key object is a tag: `{"$date": "2026-01-31"}` is a `datetime.date`, `$datetime` a datetime,
`$timestamp` a pandas Timestamp, `$nat` NaT, `{"$repeat": ["x", 1000000]}` a 1 MB string.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from certnb.schema import is_missing


def decode(value: Any) -> Any:
    """The Python value a case file's JSON value stands for."""
    if isinstance(value, dict) and len(value) == 1:
        [(tag, text)] = value.items()
        if tag == "$date":
            return dt.date.fromisoformat(text)
        if tag == "$datetime":
            return dt.datetime.fromisoformat(text)
        if tag == "$timestamp":
            return pd.Timestamp(text)
        if tag == "$nat":
            return pd.NaT
        if tag == "$repeat":
            return text[0] * text[1]
    return value


def same(a: Any, b: Any) -> bool:
    """Equal, with every kind of missing (None, NA, NaT) equal to every other."""
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    return bool(a == b)
