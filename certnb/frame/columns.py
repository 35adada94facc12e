"""Typed columns from Graph wire values: strings, dates, DateTimeOffsets, audiences, numbers, `source.type`.

Each converter takes one column's cells (as pulled from the records by `build.py`) and returns the typed array
of `certnb.schema`'s dtype, in bulk; a cell the typed column cannot reproduce byte for byte is remembered in
`raw` (see `certnb.frame.layout`) so `to_records` can give it back while the cell is unedited.

    >>> strings(["a", None], "displayName").tolist()
    ['a', <NA>]
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from certnb.audience import Audience
from certnb.frame.layout import format_datetimes
from certnb.frame.walk import Cells, Objects, Parsed
from certnb.schema import TEXT_DTYPE, Field

__all__ = ["audiences", "convert", "remember", "strings"]


def strings(cells: Objects, column: str) -> pd.arrays.StringArray:
    # `StringArray` checks the types and maps None to <NA> in one C-level pass; only when it refuses do we
    # look closer, to name the bad value.
    try:
        return pd.arrays.StringArray(_objects(cells), dtype=TEXT_DTYPE)  # type: ignore[call-arg]  # pandas 3 takes dtype; the stubs lag
    except ValueError:
        pass
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    if kind not in ("string", "empty"):
        bad = next(c for c in cells if c is not None and not isinstance(c, str))
        raise ValueError(f"{column}: Graph sent {bad!r}, not a string")
    return pd.array(cells, dtype=TEXT_DTYPE)


def _objects(cells: Objects) -> np.ndarray[Any, Any]:
    """An object array of the cells (the walker's own when it made one; `fromiter` keeps a list one cell)."""
    if isinstance(cells, np.ndarray):
        return cells
    return np.fromiter(cells, dtype=object, count=len(cells))


def remember(raw: list[Any], i: int, path: tuple[str, ...], cell: Any, value: Any) -> None:
    if raw[i] is None:
        raw[i] = {}
    raw[i][path] = (cell, value)


def convert(f: Field, cells: Cells, raw: list[Any]) -> Any:
    """One column's JSON values → its typed array; what the type cannot hold exactly goes to `raw`."""
    if isinstance(cells, Parsed):
        return _parsed(f, cells, raw)
    if f.kind in ("string", "url"):
        if f.column == "source.type":
            return _source_types(f, cells, raw)
        return strings(cells, f.column)
    if f.kind == "date":
        return _dates(f, cells, raw)
    if f.kind == "datetime":
        return _datetimes(f, cells, raw)
    if f.kind == "flags":
        return audiences(f, cells, raw)[0]
    if f.kind == "bool":
        kind = pd.api.types.infer_dtype(cells, skipna=True)
        if kind not in ("boolean", "empty"):
            raise ValueError(f"{f.column}: Graph sent a non-boolean value ({kind})")
        return pd.array(cells, dtype="boolean")
    if f.kind == "number":
        kind = pd.api.types.infer_dtype(cells, skipna=True)
        if kind not in ("floating", "integer", "mixed-integer-float", "empty"):
            raise ValueError(f"{f.column}: Graph sent a non-numeric value ({kind})")
        if kind != "floating":
            for i, c in enumerate(cells):
                if type(c) is int:
                    remember(raw, i, f.path, float(c), c)
        return pd.array([None if c is None else float(c) for c in cells], dtype="Float64")
    # "list": kept as Python lists (a copy, so editing the frame never edits the records)
    column = np.empty(len(cells), dtype=object)
    column[:] = [list(c) if isinstance(c, list) else c for c in cells]
    return column


def _parsed(f: Field, parsed: Parsed, raw: list[Any]) -> Any:
    """A column the compiled walker parsed: its values, with the doubtful ones converted as `_dates` or
    `_datetimes` convert every value (so both walkers give the same cells and the same raw leftovers)."""
    values = parsed.values  # the walker's own array: nothing else holds it
    if parsed.doubtful:
        rows = [row for row, _ in parsed.doubtful]
        kept: list[Any] = [None] * len(rows)
        cells = [value for _, value in parsed.doubtful]
        converted = (_dates if f.kind == "date" else _datetimes)(f, cells, kept)
        values[rows] = np.asarray(converted.view("i8"))
        for row, leftovers in zip(rows, kept, strict=True):
            for path, (cell, value) in (leftovers or {}).items():
                remember(raw, row, path, cell, value)
    if f.kind == "date":
        return pd.array(values.view("datetime64[s]"))
    return pd.array(values.view("datetime64[ns]")).tz_localize("UTC")


def _dates(f: Field, cells: Objects, raw: list[Any]) -> Any:
    # Edm.Date is exactly YYYY-MM-DD in ASCII digits (contract §2); anything else is kept raw, shown as the
    # date pandas reads in it (`2026-1-5`) or NaT.
    texts = np.fromiter(cells, dtype=object, count=len(cells))  # fromiter: a list value stays one cell
    present = np.flatnonzero(pd.notna(texts))
    result = pd.to_datetime(texts, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
    canonical = np.fromiter(map(_canonical_date, texts[present]), dtype=bool, count=len(present))
    doubtful = present[~canonical | result.isna()[present]]
    for i in doubtful.tolist():
        remember(raw, i, f.path, result[i], cells[i])
    return result.array


_CANONICAL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _canonical_date(text: Any) -> bool:
    return type(text) is str and _CANONICAL_DATE.fullmatch(text) is not None


# Graph's own DateTimeOffset text (contract §2): text in this form that parses is given back unchanged by
# `format_datetimes`, so only other texts need the (slower) format-and-compare.
_CANONICAL_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{7}Z")


def _canonical(text: Any) -> bool:
    return type(text) is str and _CANONICAL_DATETIME.fullmatch(text) is not None


def _datetimes(f: Field, cells: Objects, raw: list[Any]) -> Any:
    texts = np.fromiter(cells, dtype=object, count=len(cells))
    present = pd.notna(texts)
    parsed = pd.to_datetime(texts, format="ISO8601", utc=True, errors="coerce").astype("datetime64[ns, UTC]")
    doubtful = np.flatnonzero(present)
    canonical = np.fromiter(map(_canonical, texts[doubtful]), dtype=bool, count=len(doubtful))
    doubtful = doubtful[~canonical | parsed.isna()[doubtful]]
    if len(doubtful):
        wire = format_datetimes(pd.Series(parsed[doubtful])).to_numpy()
        for i in doubtful[wire != texts[doubtful]].tolist():
            remember(raw, i, f.path, parsed[i], cells[i])
    return parsed.array


def audiences(f: Field, cells: Objects, raw: list[Any]) -> tuple[Any, Any]:
    """`allowedAudiences` → (the Audience column, the `AUDIENCE_WIRE_COLUMN` text), from one factorize.

    The wire text is kept only where it names members this client does not know (see certnb.schema).
    """
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    members = np.empty(len(uniques) + 1, dtype=object)  # the last slot is the -1 (missing) code
    canonical = np.zeros(len(uniques) + 1, dtype=bool)
    canonical[-1] = True
    wire = np.full(len(uniques) + 1, None, dtype=object)
    for k, text in enumerate(uniques):
        try:
            members[k] = Audience.parse(text) if isinstance(text, str) else None
        except ValueError:
            members[k] = None
        canonical[k] = members[k] is not None and members[k].to_wire() == text
        if Audience.unknownFutureValue in (members[k] or Audience(0)):
            canonical[k] = True  # kept whole in AUDIENCE_WIRE_COLUMN (see certnb.schema)
        if isinstance(text, str) and Audience.unknown_members(text):
            wire[k] = text
    column = members[codes]
    for i in np.flatnonzero(~canonical[codes]):
        remember(raw, int(i), f.path, column[i], cells[i])
    return column, pd.array(wire[codes], dtype=TEXT_DTYPE)


def _source_types(f: Field, cells: Objects, raw: list[Any]) -> Any:
    # `source.type` is a string in the docs and a list of strings in the SDK (contract §2): show it as text.
    # The walker gives a list as a tuple (hashable); the shape's LISTED marker says it came as a list.
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    text = [",".join(map(str, u)) if isinstance(u, tuple) else u for u in uniques]
    for u in uniques:
        if not isinstance(u, tuple | str):
            raise ValueError(f"{f.column}: Graph sent {u!r}, not a string or a list of strings")
    as_text = np.array([*text, None], dtype=object)[codes]
    lossy = [
        isinstance(u, tuple) and (not u or any(type(x) is not str or "," in x for x in u)) for u in uniques
    ]
    for i in np.flatnonzero(np.array([*lossy, False])[codes]):
        remember(raw, int(i), f.path, as_text[i], list(cells[i]))
    return pd.array(as_text, dtype=TEXT_DTYPE)
