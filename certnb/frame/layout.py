"""The bookkeeping that makes a certification frame lossless: each row's `Layout`, and the field tree.

`certnb.frame.build` records a `Layout` per row in the `_graph` column (`BOOKKEEPING_COLUMN`);
`certnb.frame.records` reads it back to rebuild Graph JSON exactly. See `certnb.frame.build` for what a
Layout holds and why.

    >>> NODES[:2]
    (('inference',), ('createdBy',))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from certnb.schema import AUDIENCE_WIRE_COLUMN, FIELDS, ROW_CONTEXT, Field

BOOKKEEPING_COLUMN = "_graph"
"""The column holding each row's `Layout`: what `to_records` needs beyond the typed cells."""

USER_COLUMNS: tuple[str, ...] = tuple(f.column for f in ROW_CONTEXT)


class Marker:
    """A named sentinel (absent key, non-object where an object belongs); repr is its name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT = Marker("ABSENT")
OTHER = Marker("OTHER")
LISTED = "[]"  # in a node's keys: its string leaf (`source.type`) came as a list of strings

LIST_LEAF: dict[tuple[str, ...], str] = {("source",): "type"}

# Stand-in objects for a nested value that is not an object, so one `map(dict.get, ...)` reads every row;
# `tuple(stand_in)` is its shape key, turned back into the marker when a Layout is made.
STAND_INS: dict[Any, dict[str, None]] = {
    None: {"\0null": None},
    ABSENT: {"\0absent": None},
    OTHER: {"\0other": None},
}
MARKER_OF: dict[tuple[str, ...], Any] = {tuple(d): marker for marker, d in STAND_INS.items()}


NULL = STAND_INS[None]


def stand_in(value: Any) -> dict[str, None]:
    return STAND_INS[value if value is None or value is ABSENT else OTHER]


# The nested objects of personCertification (contract §2) and their known members, from the field table.
Tree = dict[str, "Tree"]


def _known_tree() -> Tree:
    tree: Tree = {}
    for f in FIELDS:
        if f.column == AUDIENCE_WIRE_COLUMN or f.derived:
            continue
        node = tree
        for key in f.path:
            node = node.setdefault(key, {})
    return tree


TREE = _known_tree()
NODES: tuple[tuple[str, ...], ...] = ()  # paths of the nested objects, parents before children


def _nodes(tree: Tree, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for key, children in tree.items():
        if children:
            found.append((*prefix, key))
            found.extend(_nodes(children, (*prefix, key)))
    return found


NODES = tuple(_nodes(TREE))
LEAVES: tuple[Field, ...] = tuple(f for f in FIELDS if f.column != AUDIENCE_WIRE_COLUMN and not f.derived)
"""The fields read from a path of their own (the audience wire text and the derived columns are not)."""
TOP_LEVEL: tuple[str, ...] = tuple(TREE)


def children(path: tuple[str, ...]) -> tuple[str, ...]:
    node = TREE
    for key in path:
        node = node[key]
    return tuple(node)


@dataclass(frozen=True)
class Layout:
    """How one certification's JSON was shaped, and the raw values its typed cells cannot reproduce.

    `keys` is the record's top-level keys in order; `nodes` maps each nested-object path to its keys (a
    tuple), `None` (JSON null), `ABSENT` or `OTHER` (raw kept); `raw` holds `(path, cell at load, raw JSON)`.

    >>> from certnb.frame.build import build_frame
    >>> build_frame([{"certifications": [{"id": "c1"}]}]).loc[0, "_graph"].keys
    ('id',)
    """

    keys: tuple[str, ...]
    nodes: tuple[tuple[tuple[str, ...], object], ...]
    raw: tuple[tuple[tuple[str, ...], Any, Any], ...] = field(default=())


COLUMN_OF: dict[tuple[str, ...], str] = {f.path: f.column for f in LEAVES}


def format_datetimes(moments: pd.Series) -> pd.Series:
    """Graph's DateTimeOffset text for a whole UTC datetime column: 7 fraction digits and `Z` (contract §2).

    >>> format_datetimes(pd.Series(pd.to_datetime(["2024-05-02T10:11:12.1234567Z"]))).tolist()
    ['2024-05-02T10:11:12.1234567Z']
    """
    naive = moments.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[ns]")
    text = np.datetime_as_string(naive, unit="ns")
    out = pd.Series([t[:27] + "Z" for t in text.tolist()], index=moments.index, dtype=object)
    return out.where(moments.notna(), None)
