"""Walk parsed Graph certification JSON into one list per known member, and each object's shape per row.

The first step of building a frame (`certnb.frame.build`): every record and each nested object in it
(`inference`, `createdBy`, `createdBy.user`, ..., `source`; `certnb.frame.layout.NODES`) is read once, giving

- `columns[path]`: the value at that path in every row: a leaf's JSON value (`None` when missing; a list in
  `source.type` as a tuple, so the column can be factorized), a nested object as it came (`ABSENT` when
  missing, so a missing object is told from a `null` one);
- `shapes[path]` for the record (`()`) and each nested object: per row, which distinct key tuple the object
  had, numbered (`codes`, `uniques`). A non-object gets a stand-in's keys (`NULL_KEYS`, `ABSENT_KEYS`,
  `OTHER_KEYS`); an object whose `source.type` came as a list gets `LISTED` after its keys (contract §2).

    >>> walked = walk([{"id": "c1", "source": {"type": ["Import"]}}])
    >>> list(walked.columns[("source", "type")]), walked.shapes[("source",)][1]
    ([('Import',)], [('type', '[]')])

Two walkers give identical results: a compiled one (`certnb/frame/_walk.c`, built when the package is
installed with a C compiler) and `walk_python`, used when the extension is missing, refuses an input (a
non-str key, a dict of over 64 keys), or `CERTNB_PURE_PYTHON=1` is set. A million records are ~9 million
scattered dicts: reading them is bound by memory, so the compiled walker reads each record's whole tree in
one pass while it is in cache; the Python one reads each object once for all its members (an `itemgetter`
per distinct shape) with C-level `map`s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from certnb.frame.layout import (
    ABSENT,
    LEAVES,
    LIST_LEAF,
    LISTED,
    NODES,
    OTHER,
    TOP_LEVEL,
    children,
    stand_in,
)

_walk: ModuleType | None
try:
    from certnb.frame import _walk
except ImportError:  # built without a C compiler: the Python walker does the same, slower
    _walk = None

__all__ = ["COMPILED", "Cells", "Numbered", "Objects", "Parsed", "Walked", "walk", "walk_python"]

COMPILED: bool = _walk is not None
"""True when the compiled walker is installed (see the module docstring)."""

Numbered = tuple[Any, list[Any]]
"""A per-row shape column as `factorize` numbers it: (codes array, the distinct shapes)."""

NULL_KEYS, ABSENT_KEYS, OTHER_KEYS = (tuple(stand_in(v)) for v in (None, ABSENT, OTHER))
OBJECTS: tuple[tuple[str, ...], ...] = ((), *NODES)
"""The record and its nested objects, parents before children."""
NODE_SET = frozenset(NODES)


@dataclass
class Parsed:
    """A date or DateTimeOffset column as the compiled walker parsed it, in the same pass.

    `values` is int64: seconds since the epoch for a date, nanoseconds for a DateTimeOffset, NaT
    (`INT64_MIN`) where the value is missing or doubtful; `doubtful` holds `(row, value)` for every value
    not in Graph's own form (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS.fffffffZ`, contract §2) or outside pandas'
    nanosecond range: those are left to pandas, as the Python walker leaves every value.
    """

    values: np.ndarray[Any, Any]
    doubtful: list[tuple[int, Any]]


Objects = list[Any] | np.ndarray[Any, Any]
"""A column of JSON values: a list (Python walker) or an object array (compiled walker)."""
Cells = Objects | Parsed
"""One column as walked: its values, or, for a date or DateTimeOffset from the compiled walker, `Parsed`."""


@dataclass
class Walked:
    """What a walk found: `columns[path]` per leaf and nested object, `shapes[path]` per object."""

    columns: dict[tuple[str, ...], Cells]
    shapes: dict[tuple[str, ...], Numbered]

    def objects(self, path: tuple[str, ...]) -> Objects:
        """The values at `path`, which is a nested object or a leaf that is not a date."""
        column = self.columns[path]
        if isinstance(column, Parsed):
            raise TypeError(f"{'.'.join(path)} was parsed as a date; its values are not kept")
        return column


def walk(records: list[dict[str, Any]], *, pure: bool = False) -> Walked:
    """Walk records (plain dicts) with the compiled walker when there is one, else with `walk_python`."""
    if _walk is not None and not pure and os.environ.get("CERTNB_PURE_PYTHON", "") in ("", "0"):
        try:
            return _walk_compiled(records)
        except _walk.Unsupported:
            pass
    return walk_python(records)


def _members(parent: tuple[str, ...]) -> tuple[str, ...]:
    return children(parent) if parent else TOP_LEVEL


# What the compiled walker makes of a member's values (see _walk.c): kept, kept with a list as a tuple
# (the listed leaf, `source.type`), or parsed.
_KEEP, _KEEP_LIST_AS_TUPLE, _DATE, _DATETIME = 0, 1, 2, 3
_KIND = {
    **{f.path: _DATE if f.kind == "date" else _DATETIME for f in LEAVES if f.kind in ("date", "datetime")},
    **{(*parent, member): _KEEP_LIST_AS_TUPLE for parent, member in LIST_LEAF.items()},
}


def _spec() -> tuple[tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...], int], ...]:
    """The object tree as the compiled walker reads it: per object its members, each member's object index
    (-1 for a leaf), what becomes of its values (`_KIND`), and the member that may come as a list (-1 for
    none)."""
    index = {path: k for k, path in enumerate(OBJECTS)}
    spec = []
    for parent in OBJECTS:
        members = _members(parent)
        child = tuple(index.get((*parent, m), -1) for m in members)
        kinds = tuple(_KIND.get((*parent, m), _KEEP) for m in members)
        listed = members.index(LIST_LEAF[parent]) if parent in LIST_LEAF else -1
        spec.append((members, child, kinds, listed))
    return tuple(spec)


_SPEC = _spec()


def _walk_compiled(records: list[dict[str, Any]]) -> Walked:
    assert _walk is not None
    found = _walk.walk(records, _SPEC, (NULL_KEYS, ABSENT_KEYS, OTHER_KEYS), ABSENT, LISTED)
    columns: dict[tuple[str, ...], Cells] = {}
    shapes: dict[tuple[str, ...], Numbered] = {}
    for parent, (cells, codes, uniques) in zip(OBJECTS, found, strict=True):
        shapes[parent] = (np.frombuffer(codes, dtype=np.int64), uniques)
        for member, column in zip(_members(parent), cells, strict=True):
            columns[(*parent, member)] = Parsed(*column) if type(column) is tuple else column
    return Walked(columns, shapes)


def walk_python(records: list[dict[str, Any]]) -> Walked:
    """The walker in Python (see the module docstring): object by object, parents before children.

    >>> walk_python([{"id": "c1", "inference": None}]).shapes[("inference",)][1] == [NULL_KEYS]
    True
    """
    columns: dict[tuple[str, ...], Cells] = {}
    pulled: dict[tuple[str, ...], list[Any]] = {(): records}  # each object's values, as lists
    shapes: dict[tuple[str, ...], Numbered] = {(): numbered(list(map(tuple, records)))}
    for parent in OBJECTS:
        if parent:
            column = pulled[parent]
            # A non-object gets its stand-in's keys as its shape, so `_pull` reads no member from it.
            signature = [
                tuple(v)
                if type(v) is dict
                else (NULL_KEYS if v is None else ABSENT_KEYS if v is ABSENT else OTHER_KEYS)
                for v in column
            ]
            if parent in LIST_LEAF:  # remember that `source.type` came as a list (contract §2)
                member = LIST_LEAF[parent]
                listed = [type(v) is dict and type(v.get(member)) is list for v in column]
                signature = [
                    (*sig, LISTED) if is_list else sig for sig, is_list in zip(signature, listed, strict=True)
                ]
            shapes[parent] = numbered(signature)  # numbers, not a tuple per row: the shapes are few
        members = _members(parent)
        nodes = {m for m in members if (*parent, m) in NODE_SET}
        for member, cells in _pull(pulled[parent], shapes[parent], members, nodes).items():
            if parent in LIST_LEAF and member == LIST_LEAF[parent]:
                cells = [tuple(v) if type(v) is list else v for v in cells]  # hashable, as _walk.c keeps them
            pulled[(*parent, member)] = columns[(*parent, member)] = cells
    return Walked(columns, shapes)


def numbered(signature: list[Any]) -> Numbered:
    """Per-row shapes → (codes, distinct shapes in order of first appearance)."""
    codes, uniques = pd.factorize(pd.Series(signature, dtype=object), use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64), list(uniques)


_SLICE = 16_384  # rows whose member tuples exist at once while pulling


def _pull(
    parents: Sequence[Any], shape: Numbered, members: Sequence[str], nodes: set[str]
) -> dict[str, list[Any]]:
    """Each member's value in every parent object (`ABSENT` for a missing nested object, else `None`).

    Each object is touched once for all its members (an `itemgetter` per distinct shape, the shapes being
    few) rather than once per member: reading a million dicts is bound by memory, not by the lookups.
    """
    n = len(parents)
    codes, uniques = shape
    defaults = {m: ABSENT if m in nodes else None for m in members}
    columns: dict[str, Any] = {}
    for k, keys in enumerate(uniques):
        rows = None if len(uniques) == 1 else np.flatnonzero(codes == k)
        if rows is None:
            subset = parents
        elif len(rows) == 1:
            subset = [parents[int(rows[0])]]
        else:
            subset = list(itemgetter(*rows.tolist())(parents))
        present = [m for m in members if m in keys]
        if len(present) == 1:
            got = {present[0]: list(map(itemgetter(present[0]), subset))}
        elif present:
            # In slices, so the row tuples are few at a time (memory) and still in cache when split up.
            got = {m: [] for m in present}
            pick = itemgetter(*present)
            for start in range(0, len(subset), _SLICE):
                tuples = list(map(pick, subset[start : start + _SLICE]))
                for j, m in enumerate(present):
                    got[m].extend(map(itemgetter(j), tuples))
        else:
            got = {}
        if rows is None:
            return {m: got[m] if m in got else [defaults[m]] * n for m in members}
        for m, cells in got.items():
            if m not in columns:
                columns[m] = np.full(n, defaults[m], dtype=object)
            columns[m][rows] = np.fromiter(cells, dtype=object, count=len(cells))
    return {m: columns[m].tolist() if m in columns else [defaults[m]] * n for m in members}
