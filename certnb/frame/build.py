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

Two read-only columns are derived from `sources` (`sourceNames`, `ownedBy`: `certnb.frame.owners`), named
by Microsoft's well-known ids, else by the tenant's profile sources given as `profile_sources=` (kept in
`df.attrs`, so later look-ups name them the same), else by id. `to_records` never writes them.

Unknown top-level properties (ones a newer Graph may add) become extra columns after the known ones, holding
the JSON values as they came. A row without a `Layout` (one added by hand) gets every known property, with
nested objects `null` when all their leaves are missing.

Building is column-wise and bound by memory, not by lookups: a million records are ~9 million scattered
Python dicts. `certnb.frame.walk` reads each record once (compiled, when installed with a C compiler, parsing
Graph's own date forms in the same pass), then each column is converted in bulk (strings validated by
`StringArray` in one pass, other dates with one `to_datetime`, audiences via `factorize`, user columns once
per user object), every list let go as soon as it is converted, and the cyclic garbage collector paused
meanwhile (it would walk every record again). `benchmarks/frame_build.py` measures it against
`pandas.json_normalize`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from operator import methodcaller
from typing import Any

import numpy as np
import pandas as pd

from certnb.collector import paused
from certnb.frame.columns import audiences, convert, remember, strings
from certnb.frame.layout import (
    BOOKKEEPING_COLUMN,
    LEAVES,
    LISTED,
    MARKER_OF,
    NODES,
    OTHER,
    TOP_LEVEL,
    Layout,
    children,
)
from certnb.frame.owners import PROFILE_SOURCES_ATTR, derived_columns, source_names
from certnb.frame.records import to_records
from certnb.frame.walk import Numbered, Objects, numbered, walk
from certnb.schema import AUDIENCE_WIRE_COLUMN, COLUMNS, OWNED_BY_COLUMN, ROW_CONTEXT, SOURCE_NAMES_COLUMN

__all__ = ["BOOKKEEPING_COLUMN", "Layout", "build_frame", "build_from_records", "join_frames", "to_records"]


ProfileSources = Iterable[Mapping[str, Any]] | Mapping[str, str] | None
"""The tenant's profile sources (`GET /admin/people/profileSources` items), or a mapping id → name."""


def build_frame(
    users: Iterable[Mapping[str, Any]], *, profile_sources: ProfileSources = None
) -> pd.DataFrame:
    """Users, each with a `certifications` list of Graph JSON, → the typed certification frame.

    The user mappings need `id`, `userPrincipalName`, `displayName` (missing ones give `<NA>`);
    `profile_sources` names the tenant's own sources (module docstring).

    >>> build_frame([{"id": "u1", "certifications": [{"id": "c1", "allowedAudiences": "me"}]}]).shape
    (1, 38)
    """
    records: list[Mapping[str, Any]] = []
    owners: list[Mapping[str, Any]] = []
    for user in users:
        certifications = user.get("certifications") or []
        records.extend(certifications)
        owners.extend([user] * len(certifications))
    return build_from_records(records, owners, profile_sources=profile_sources)


def build_from_records(
    records: Sequence[Mapping[str, Any]], users: Sequence[Mapping[str, Any]] | None = None, *,
    profile_sources: ProfileSources = None,
) -> pd.DataFrame:
    """Certification JSON records (and, aligned with them, the user each belongs to) → the typed frame.

    >>> build_from_records([{"id": "c1", "displayName": "AZ-104"}])["displayName"].tolist()
    ['AZ-104']
    """
    with paused():  # see certnb.collector
        return _build(records, users, source_names(profile_sources))


def join_frames(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames built from consecutive runs of records → the frame one build of all of them makes: rows in
    order, a fresh index, every part's unknown properties as columns (None in the rows of parts without).

    A whole-tenant load builds each page of users' certifications as it comes (certnb.frame.load), so the
    parsed JSON of one page is let go before the next, instead of all of it living until the end.

    >>> a = build_from_records([{"id": "c1", "displayName": "AZ-104"}])
    >>> b = build_from_records([{"id": "c2", "displayName": "CKA", "newProperty": 1}])
    >>> joined = join_frames([a, b])
    >>> joined[["id", "newProperty"]].values.tolist(), to_records(joined)[0]
    ([['c1', None], ['c2', 1]], {'id': 'c1', 'displayName': 'AZ-104'})
    """
    nonempty = [part for part in parts if len(part)]
    if len(nonempty) <= 1:
        return nonempty[0] if nonempty else (parts[0] if parts else build_from_records([]))
    known = {*COLUMNS, BOOKKEEPING_COLUMN}
    extra = list(dict.fromkeys(c for part in nonempty for c in part.columns if c not in known))
    frame = pd.concat([part[list(COLUMNS)] for part in nonempty], ignore_index=True)
    # An unknown property's column is typed from all its values, as one build types it (pandas infers
    # text for a column of strings): each part's values as objects, None where a part had no such column.
    data = {name: np.concatenate([_objects_of(part, name) for part in nonempty]) for name in extra}
    for name, column in pd.DataFrame(data, copy=False).items():
        frame[name] = column.to_numpy() if column.dtype == object else column.array
    frame[BOOKKEEPING_COLUMN] = np.concatenate([part[BOOKKEEPING_COLUMN].to_numpy() for part in nonempty])
    frame.attrs = dict(nonempty[0].attrs)
    return frame


def _objects_of(part: pd.DataFrame, name: str) -> Any:
    if name not in part.columns:
        return np.full(len(part), None, dtype=object)
    column = part[name]
    values = column.to_numpy(dtype=object)
    if column.dtype != object:  # a typed column's missing values (NaN, <NA>) were None in the records
        values[column.isna().to_numpy()] = None
    return values


def _build(records: Sequence[Mapping[str, Any]], users: Sequence[Mapping[str, Any]] | None,
           names: dict[str, str]) -> pd.DataFrame:
    n = len(records)
    owners = users if users is not None else [{}] * n
    if len(owners) != n:
        raise ValueError(f"got {n} certifications but {len(owners)} users; pass one user per certification")
    data: dict[str, Any] = {}
    data.update(_user_columns(owners))
    raw: list[dict[tuple[str, ...], tuple[Any, Any]] | None] = [None] * n

    # Plain dicts in a list, as json.loads gives them (anything else is copied into that form once).
    plain: list[dict[str, Any]]
    if n and set(map(type, records)) != {dict}:
        plain = [dict(r) for r in records]
    else:
        plain = records if type(records) is list else list(records)  # type: ignore[arg-type]
    walked = walk(plain)
    top_keys = _top_keys(plain, walked.shapes[()])
    shapes: list[Numbered] = [top_keys, *(walked.shapes[path] for path in NODES)]
    for f in LEAVES:  # each column let go as soon as it is converted, to keep the peak memory down
        if f.kind == "flags":  # the Audience column and the wire text it cannot hold, from one factorize
            data[f.column], data[AUDIENCE_WIRE_COLUMN] = audiences(f, walked.objects(f.path), raw)
        else:
            data[f.column] = convert(f, walked.columns.pop(f.path), raw)
    data[SOURCE_NAMES_COLUMN], data[OWNED_BY_COLUMN] = derived_columns(data["sources"], names)
    _keep_irregular_nodes({path: walked.objects(path) for path in NODES}, shapes[1:], raw)
    extra = _unknown_properties(plain, top_keys)
    data.update(extra)

    frame_layouts = _layouts(shapes, raw)
    frame = pd.DataFrame(data, columns=[*COLUMNS, *extra], copy=False)  # the arrays are ours alone
    frame[BOOKKEEPING_COLUMN] = frame_layouts
    if names:
        frame.attrs[PROFILE_SOURCES_ATTR] = names
    return frame


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


def _user_columns(owners: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """`userId`, `userPrincipalName`, `userDisplayName`: read once per user object, not once per row."""
    n = len(owners)
    codes, _ = pd.factorize(np.fromiter(map(id, owners), dtype=np.int64, count=n))
    first = np.full(int(codes.max()) + 1 if n else 0, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(n - 1, -1, -1, dtype=np.int64)
    people = [owners[i] for i in first.tolist()]
    columns = {}
    for f in ROW_CONTEXT:
        column = np.fromiter(map(methodcaller("get", f.json), people), dtype=object, count=len(people))
        columns[f.column] = strings(column, f.column).take(codes)  # checked once per user, then repeated
    return columns


def _top_keys(records: Sequence[Mapping[str, Any]], shape: Numbered) -> Numbered:
    """Each record's keys in order, numbered; OData annotations (`@odata.type`) as (name, value) pairs."""
    codes, uniques = shape
    annotated = [k for k, u in enumerate(uniques) if any(name.startswith("@") for name in u)]
    if not annotated:
        return codes, uniques
    keys: list[Any] = [uniques[c] for c in codes.tolist()]
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
    return numbered(keys)


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


def _keep_irregular_nodes(
    values: dict[tuple[str, ...], Objects], shapes: list[Numbered], raw: list[Any]
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
                        remember(raw, int(i), (*path, key), None, value[key])
            else:
                remember(raw, int(i), path, None, value)


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
