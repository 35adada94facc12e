"""A certification frame back to Graph JSON: `to_records`, edits included, byte-exact for unedited rows.

>>> from certnb.frame.build import build_frame
>>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": None}]}])
>>> to_records(df)
[{'id': 'c1', 'endDate': None}]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from certnb.audience import Audience
from certnb.frame.layout import (
    ABSENT,
    BOOKKEEPING_COLUMN,
    COLUMN_OF,
    LEAVES,
    LIST_LEAF,
    LISTED,
    OTHER,
    TOP_LEVEL,
    TREE,
    Layout,
    children,
    format_datetimes,
)
from certnb.schema import AUDIENCE_WIRE_COLUMN, DTYPES, is_missing


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as Graph personCertification JSON, in row order (edits included).

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": None}]}])
    >>> df.loc[0, "endDate"] = pd.Timestamp("2027-03-01")
    >>> to_records(df)
    [{'id': 'c1', 'endDate': '2027-03-01'}]
    """
    wire = wire_columns(frame)
    layouts = frame[BOOKKEEPING_COLUMN].tolist() if BOOKKEEPING_COLUMN in frame else [None] * len(frame)
    typed = {column: frame[column].tolist() for column in wire}
    extra_names = [c for c in frame.columns if c not in DTYPES and c != BOOKKEEPING_COLUMN]
    extra_values = {c: [_plain(v) for v in frame[c].tolist()] for c in extra_names}
    records = []
    for i, layout in enumerate(layouts):
        cells = {column: values[i] for column, values in wire.items()}
        extras = {c: values[i] for c, values in extra_values.items()}
        if isinstance(layout, Layout):
            overrides = {
                path: value
                for path, cell, value in layout.raw
                if path not in COLUMN_OF or _same(typed[COLUMN_OF[path]][i], cell)
            }
            records.append(_assemble(layout, cells, overrides, extras))
        else:
            records.append(_assemble(None, cells, {}, extras))
    return records


def _same(now: Any, then: Any) -> bool:
    if is_missing(now) or is_missing(then):
        return is_missing(now) and is_missing(then)
    return bool(now == then)


def wire_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Each known certification column of `frame` as a list of Graph wire values (`None` when missing)."""
    wire: dict[str, list[Any]] = {}
    for f in LEAVES:
        if f.column not in frame:
            continue
        column = frame[f.column]
        if f.kind == "date":
            dates = pd.to_datetime(column)
            text = np.datetime_as_string(dates.to_numpy().astype("datetime64[D]"))
            wire[f.column] = [
                None if missing else t for t, missing in zip(text.tolist(), dates.isna(), strict=True)
            ]
        elif f.kind == "datetime":
            wire[f.column] = format_datetimes(pd.to_datetime(column, utc=True)).tolist()
        elif f.kind == "flags":
            wire[f.column] = [_audience_text(a, w) for a, w in zip(column, _wire_texts(frame), strict=True)]
        else:
            values = column.astype(object).where(column.notna(), None).tolist()
            wire[f.column] = [
                f.validate(v) if f.kind in ("bool", "number") and v is not None else v for v in values
            ]
    return wire


def _wire_texts(frame: pd.DataFrame) -> list[Any]:
    if AUDIENCE_WIRE_COLUMN in frame:
        return [None if is_missing(v) else v for v in frame[AUDIENCE_WIRE_COLUMN]]
    return [None] * len(frame)


def _audience_text(value: Any, wire: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, Audience) and Audience.unknownFutureValue in value and wire:
        return wire  # read from a newer service and not edited: give back exactly what it sent
    if isinstance(value, Audience):
        return value.to_wire()
    return Audience.validate(value).to_wire()


def _assemble(
    layout: Layout | None,
    cells: dict[str, Any],
    overrides: dict[tuple[str, ...], Any],
    extras: dict[str, Any],
) -> dict[str, Any]:
    """One record from its layout (or the default one), its wire cells, raw overrides and extra columns."""
    nodes = dict(layout.nodes) if layout else {}

    def leaf(path: tuple[str, ...]) -> Any:
        return overrides[path] if path in overrides else cells.get(COLUMN_OF[path])

    def node(path: tuple[str, ...]) -> Any:  # ABSENT means "leave the key out"
        shape = nodes.get(path, ABSENT) if layout else None
        members: dict[str, Any] = {}
        filled = False
        for child in children(path):
            at = (*path, child)
            if at in COLUMN_OF:
                value = leaf(at)
                if value is not None or not isinstance(shape, tuple) or child in shape:
                    members[child] = value
                filled = filled or value is not None
            else:
                value = node(at)
                if value is not ABSENT:
                    members[child] = value
                filled = filled or isinstance(value, dict)
        if isinstance(shape, tuple) and LISTED in shape:
            member = LIST_LEAF[path]
            if isinstance(members.get(member), str) and (*path, member) not in overrides:
                members[member] = members[member].split(",")
            shape = tuple(k for k in shape if k != LISTED)
        if isinstance(shape, tuple):
            order = [*shape, *(c for c in members if c not in shape)]
            return {
                k: members[k] if k in members else overrides[(*path, k)]
                for k in order
                if k in members or (*path, k) in overrides
            }
        if filled:
            return members
        if shape is OTHER:
            return overrides.get(path)
        return shape  # None (JSON null) or ABSENT

    record: dict[str, Any] = {}
    for key in layout.keys if layout else TOP_LEVEL:
        if isinstance(key, tuple):  # an OData annotation, (name, value)
            record[key[0]] = key[1]
        elif key in TREE:
            value = node((key,)) if TREE[key] else leaf((key,))
            if value is not ABSENT:
                record[key] = value
        elif key in extras:
            record[key] = extras[key]
        elif (key,) in overrides:
            record[key] = overrides[(key,)]
    for key in TOP_LEVEL:  # set by an edit although absent when loaded
        if key not in record:
            value = node((key,)) if TREE[key] else leaf((key,))
            if value is not None and value is not ABSENT:
                record[key] = value
    for key, value in extras.items():
        if key not in record and value is not None:
            record[key] = value
    return record


def _plain(value: Any) -> Any:
    return None if is_missing(value) else value
