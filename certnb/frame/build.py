"""Graph certification JSON ⇄ typed DataFrame, one row per certification, losslessly.

`build_frame` turns users with their `certifications` lists (the shape of a tenant seed, contract §10, or of
what `load_certifications` fetched) into a frame whose columns are `certnb.schema.COLUMNS` in that order,
typed by `certnb.schema.DTYPES`; `to_records` turns any such frame, edited or not, back into Graph JSON.

    >>> df = build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.com", "displayName": "Adele",
    ...                    "certifications": [{"id": "c1", "endDate": "2027-01-31", "inference": None}]}])
    >>> df.loc[0, "endDate"], df["endDate"].dtype
    (Timestamp('2027-01-31 00:00:00'), dtype('<M8[s]'))
    >>> to_records(df)
    [{'id': 'c1', 'endDate': '2027-01-31', 'inference': None}]

Lossless means `to_records(build_frame(users))` gives back every certification dict key for key, `null` and
absent keys included. The typed columns hold the values; what they cannot say lives in one bookkeeping column,
`_graph` (`BOOKKEEPING_COLUMN`), holding a `Layout` per row:

- the *shape*: which keys each record had, in order, and for each nested object (`inference`, `createdBy`,
  `createdBy.user`, ..., `source`) whether it was an object (and with which keys), `null`, or absent. Records
  from one service share a handful of shapes, so rows share `Layout` objects (a pointer a row);
- the *raw* values the typed columns cannot reproduce byte for byte: unknown keys inside known objects, OData
  annotations (`@odata.type`), `allowedAudiences` not in Graph's canonical order, a DateTimeOffset not in
  Graph's 7-digit form, `source.type` as a list, an integer `confidenceScore`, an unreadable date. A raw value
  is only given back while its cell still holds what was loaded; an edited cell wins.

Unknown top-level properties (ones a newer Graph may add) become extra columns after the known ones, holding
the JSON values as they came. A row without a `Layout` (one added by hand) gets every known property, with
nested objects `null` when all their leaves are missing.

Building is column-wise: each property is pulled out of the records once, then converted by pandas in bulk
(dates with one `to_datetime`, audiences via `factorize`); no Python code runs per cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from certnb.audience import Audience
from certnb.frame.layout import (
    ABSENT,
    BOOKKEEPING_COLUMN,
    LEAVES,
    LIST_LEAF,
    LISTED,
    MARKER_OF,
    NODES,
    NULL,
    OTHER,
    TOP_LEVEL,
    Layout,
    children,
    format_datetimes,
    stand_in,
)
from certnb.frame.records import to_records
from certnb.schema import AUDIENCE_WIRE_COLUMN, COLUMNS, ROW_CONTEXT, Field

__all__ = ["BOOKKEEPING_COLUMN", "Layout", "build_frame", "build_from_records", "to_records"]


def build_frame(users: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Users, each with a `certifications` list of Graph JSON, → the typed certification frame.

    The user mappings need `id`, `userPrincipalName`, `displayName` (missing ones give `<NA>`).

    >>> build_frame([{"id": "u1", "certifications": [{"id": "c1", "allowedAudiences": "me"}]}]).shape
    (1, 36)
    """
    records: list[Mapping[str, Any]] = []
    owners: list[Mapping[str, Any]] = []
    for user in users:
        certifications = user.get("certifications") or []
        records.extend(certifications)
        owners.extend([user] * len(certifications))
    return build_from_records(records, owners)


def build_from_records(
    records: Sequence[Mapping[str, Any]], users: Sequence[Mapping[str, Any]] | None = None
) -> pd.DataFrame:
    """Certification JSON records (and, aligned with them, the user each belongs to) → the typed frame.

    >>> build_from_records([{"id": "c1", "displayName": "AZ-104"}])["displayName"].tolist()
    ['AZ-104']
    """
    n = len(records)
    owners = users if users is not None else [{}] * n
    if len(owners) != n:
        raise ValueError(f"got {n} certifications but {len(owners)} users; pass one user per certification")
    data: dict[str, Any] = {}
    for f in ROW_CONTEXT:
        data[f.column] = _strings([u.get(f.json) for u in owners], f.column)
    raw: list[dict[tuple[str, ...], tuple[Any, Any]] | None] = [None] * n

    # Pull each nested object out once, then each leaf out of its parent's list, with C-level `map`s.
    if n and set(map(type, records)) != {dict}:
        records = [dict(r) for r in records]
    values: dict[tuple[str, ...], list[Any]] = {}
    safe: dict[tuple[str, ...], list[Any]] = {(): list(records)}
    top_keys = _numbered(_top_keys(records))
    shapes: list[Numbered] = [top_keys]
    for path in NODES:
        column = list(map(dict.get, safe[path[:-1]], repeat(path[-1]), repeat(ABSENT)))
        values[path] = column
        safe[path] = [v if type(v) is dict else (NULL if v is None else stand_in(v)) for v in column]
        signature = list(map(tuple, safe[path]))
        if path in LIST_LEAF:  # remember that `source.type` came as a list (contract §2)
            member = LIST_LEAF[path]
            listed = [type(v.get(member)) is list for v in safe[path]]
            signature = [
                (*sig, LISTED) if is_list else sig for sig, is_list in zip(signature, listed, strict=True)
            ]
        shapes.append(_numbered(signature))  # numbers, not a tuple per row: the shapes are few
    for f in LEAVES:
        cells = list(map(dict.get, safe[f.path[:-1]], repeat(f.path[-1])))
        data[f.column] = _convert(f, cells, raw)
    data[AUDIENCE_WIRE_COLUMN] = _audience_wire(values_of(records, "allowedAudiences"))

    del safe
    _keep_irregular_nodes(values, shapes[1:], raw)
    extra = _unknown_properties(records, top_keys)
    data.update(extra)

    frame_layouts = _layouts(shapes, raw)
    frame = pd.DataFrame(data, columns=[*COLUMNS, *extra])
    frame[BOOKKEEPING_COLUMN] = frame_layouts
    return frame


Numbered = tuple[Any, list[Any]]
"""A per-row shape column as `factorize` numbers it: (codes array, the distinct shapes)."""


def _numbered(signature: list[Any]) -> Numbered:
    codes, uniques = pd.factorize(pd.Series(signature, dtype=object), use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), list(uniques)


def _layouts(shapes: list[Numbered], raw: list[Any]) -> Any:
    """One `Layout` per row, shared by rows of the same shape: the per-object shape numbers are combined,
    and a Layout made once per distinct combination."""
    n = len(raw)
    combined = np.zeros(n, dtype=np.int64)
    for codes, uniques in shapes:
        combined, _ = pd.factorize(combined * len(uniques) + codes)
    combined = np.asarray(combined, dtype=np.int64)
    first = np.full(int(combined.max()) + 1 if n else 0, -1, dtype=np.int64)
    first[combined[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
    shared = np.empty(len(first), dtype=object)
    for k, row in enumerate(first.tolist()):
        shared[k] = _layout(tuple(uniques[codes[row]] for codes, uniques in shapes), None)
    layouts = shared[combined] if n else np.empty(0, dtype=object)
    # Rows with raw leftovers get their own Layout, shared again when the leftovers are equal.
    kept_rows: dict[Any, Layout] = {}
    for i, kept in enumerate(raw):
        if kept is None:
            continue
        row_signature = tuple(uniques[codes[i]] for codes, uniques in shapes)
        frozen = _frozen(kept)
        key = None if frozen is None else (row_signature, frozen)
        layout = kept_rows.get(key) if key is not None else None
        if layout is None:
            layout = _layout(row_signature, kept)
            if key is not None:
                kept_rows[key] = layout
        layouts[i] = layout
    return layouts


def _top_keys(records: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Each record's keys in order; OData annotations (`@odata.type`) as (name, value) pairs, kept whole."""
    keys: list[Any] = [tuple(r) for r in records]
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object), use_na_sentinel=False)
    annotated = [k for k, u in enumerate(uniques) if any(name.startswith("@") for name in u)]
    if not annotated:
        return keys
    memo: dict[Any, tuple[Any, ...]] = {}
    for k in annotated:
        names = uniques[k]
        rows = np.flatnonzero(codes == k).tolist()
        values = list(zip(*([records[i][n] for i in rows] for n in names if n.startswith("@")), strict=True))
        for i, found in zip(rows, values, strict=True):
            try:
                keys[i] = memo[names, found]
            except KeyError:
                pairs = iter(found)
                keys[i] = memo[names, found] = tuple(
                    (n, next(pairs)) if n.startswith("@") else n for n in names
                )
            except TypeError:  # an unhashable annotation value: kept as it is, unshared
                pairs = iter(found)
                keys[i] = tuple((n, next(pairs)) if n.startswith("@") else n for n in names)
    return keys


def _frozen(kept: dict[tuple[str, ...], tuple[Any, Any]] | None) -> Any:
    """A hashable stand-in for raw leftovers (lists as tuples), or None when they hold other values."""
    if not kept:
        return ()
    parts = []
    for path, (cell, value) in kept.items():
        frozen = tuple(value) if type(value) is list else value
        if not isinstance(cell, str | float | int | type(None)) or not isinstance(
            frozen, str | float | int | tuple | type(None)
        ):
            return None
        try:
            hash(frozen)
        except TypeError:
            return None
        parts.append((path, type(cell).__name__, cell, type(value).__name__, frozen))
    return tuple(parts)


def values_of(records: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    """The value of one top-level property in every record (`None` when absent)."""
    return [r.get(key) for r in records]


def _layout(signature: tuple[Any, ...], raw: dict[tuple[str, ...], tuple[Any, Any]] | None) -> Layout:
    keys, *nodes = signature
    return Layout(
        keys,
        tuple((path, MARKER_OF.get(node, node)) for path, node in zip(NODES, nodes, strict=True)),
        tuple((path, cell, value) for path, (cell, value) in raw.items()) if raw else (),
    )


def _strings(cells: list[Any], column: str) -> pd.arrays.StringArray:
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    if kind not in ("string", "empty"):
        bad = next(c for c in cells if c is not None and not isinstance(c, str))
        raise ValueError(f"{column}: Graph sent {bad!r}, not a string")
    return pd.array(cells, dtype="string")  # type: ignore[return-value]


def _remember(raw: list[Any], i: int, path: tuple[str, ...], cell: Any, value: Any) -> None:
    if raw[i] is None:
        raw[i] = {}
    raw[i][path] = (cell, value)


def _convert(f: Field, cells: list[Any], raw: list[Any]) -> Any:
    """One column's JSON values → its typed array; what the type cannot hold exactly goes to `raw`."""
    if f.kind in ("string", "url"):
        if f.column == "source.type":
            return _source_types(f, cells, raw)
        return _strings(cells, f.column)
    if f.kind == "date":
        return _dates(f, cells, raw)
    if f.kind == "datetime":
        return _datetimes(f, cells, raw)
    if f.kind == "flags":
        return _audiences(f, cells, raw)
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
                    _remember(raw, i, f.path, float(c), c)
        return pd.array([None if c is None else float(c) for c in cells], dtype="Float64")
    # "list": kept as Python lists (a copy, so editing the frame never edits the records)
    column = np.empty(len(cells), dtype=object)
    column[:] = [list(c) if isinstance(c, list) else c for c in cells]
    return column


def _dates(f: Field, cells: list[Any], raw: list[Any]) -> Any:
    # Edm.Date is exactly YYYY-MM-DD (contract §2); anything else is kept raw and shows as NaT.
    parsed = pd.to_datetime(pd.Series(cells, dtype=object), format="%Y-%m-%d", errors="coerce")
    result = parsed.astype("datetime64[s]")
    bad = parsed.isna().to_numpy() & ~pd.isna(pd.Series(cells, dtype=object)).to_numpy()
    texts = pd.Series(cells, dtype=object)
    present = texts.notna().to_numpy()
    lengths = np.full(len(cells), 10, dtype=np.int64)
    lengths[present] = np.fromiter(
        map(len, texts[present].tolist()), dtype=np.int64, count=int(present.sum())
    )
    for i in np.flatnonzero(bad | (lengths != 10)):
        _remember(raw, int(i), f.path, result.iat[int(i)], cells[i])
    return result.array


def _datetimes(f: Field, cells: list[Any], raw: list[Any]) -> Any:
    series = pd.Series(cells, dtype=object)
    parsed = pd.to_datetime(series, format="ISO8601", utc=True, errors="coerce").astype("datetime64[ns, UTC]")
    wire = format_datetimes(parsed)
    mismatch = (wire.to_numpy() != series.to_numpy()) & series.notna().to_numpy()
    for i in np.flatnonzero(mismatch):
        _remember(raw, int(i), f.path, parsed.iat[int(i)], cells[i])
    return parsed.array


def _audiences(f: Field, cells: list[Any], raw: list[Any]) -> Any:
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    members = np.empty(len(uniques) + 1, dtype=object)  # the last slot is the -1 (missing) code
    canonical = np.zeros(len(uniques) + 1, dtype=bool)
    canonical[-1] = True
    for k, text in enumerate(uniques):
        try:
            members[k] = Audience.parse(text) if isinstance(text, str) else None
        except ValueError:
            members[k] = None
        canonical[k] = members[k] is not None and members[k].to_wire() == text
        if Audience.unknownFutureValue in (members[k] or Audience(0)):
            canonical[k] = True  # kept whole in AUDIENCE_WIRE_COLUMN (see certnb.schema)
    column = members[codes]
    for i in np.flatnonzero(~canonical[codes]):
        _remember(raw, int(i), f.path, column[i], cells[i])
    return column


def _audience_wire(cells: list[Any]) -> Any:
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=True)
    kept = np.array(
        [u if isinstance(u, str) and Audience.unknown_members(u) else None for u in uniques] + [None],
        dtype=object,
    )
    return pd.array(kept[codes], dtype="string")


def _source_types(f: Field, cells: list[Any], raw: list[Any]) -> Any:
    # `source.type` is a string in the docs and a list of strings in the SDK (contract §2): show it as text.
    hashable = pd.Series([tuple(c) if isinstance(c, list) else c for c in cells], dtype=object)
    codes, uniques = pd.factorize(hashable, use_na_sentinel=True)
    text = [",".join(map(str, u)) if isinstance(u, tuple) else u for u in uniques]
    for u in uniques:
        if not isinstance(u, tuple | str):
            raise ValueError(f"{f.column}: Graph sent {u!r}, not a string or a list of strings")
    as_text = np.array([*text, None], dtype=object)[codes]
    lossy = [
        isinstance(u, tuple) and (not u or any(type(x) is not str or "," in x for x in u)) for u in uniques
    ]
    for i in np.flatnonzero(np.array([*lossy, False])[codes]):
        _remember(raw, int(i), f.path, as_text[i], cells[i])
    return pd.array(as_text, dtype="string")


def _keep_irregular_nodes(
    values: dict[tuple[str, ...], list[Any]], shapes: list[Numbered], raw: list[Any]
) -> None:
    """Keep raw what a nested object holds beyond the known members (decided once per distinct shape)."""
    for path, (codes, uniques) in zip(NODES, shapes, strict=True):
        known = {*children(path), LISTED}
        odd = np.array(
            [MARKER_OF.get(u) is OTHER or (u not in MARKER_OF and not known.issuperset(u)) for u in uniques]
        )
        for i in np.flatnonzero(odd[codes]):
            value = values[path][i]
            if type(value) is dict:
                for key in value:
                    if key not in known:
                        _remember(raw, int(i), (*path, key), None, value[key])
            else:
                _remember(raw, int(i), path, None, value)


def _unknown_properties(records: Sequence[Mapping[str, Any]], keys: Numbered) -> dict[str, Any]:
    """Top-level properties the field table does not know: a column each (annotations are in the shape)."""
    known = set(TOP_LEVEL)
    names: dict[str, None] = {}
    odd_rows: list[int] = []
    codes, uniques = keys
    odd = np.array([any(type(n) is str and n not in known for n in u) for u in uniques], dtype=bool)
    for k, u in enumerate(uniques):
        if odd[k]:
            names.update((n, None) for n in u if type(n) is str and n not in known)
    odd_rows.extend(np.flatnonzero(odd[codes]).tolist())
    columns: dict[str, Any] = {}
    for name in names:
        column = np.full(len(records), None, dtype=object)
        for i in odd_rows:
            column[i] = records[i].get(name)
        columns[name] = column
    return columns
