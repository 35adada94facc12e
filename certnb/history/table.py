"""A certification frame ⇄ the table a snapshot stores: typed columns to query, Graph's JSON to read back.

Every snapshot row holds the frame's typed columns (strings, dates, DateTimeOffsets, booleans, numbers), so
DuckDB or pandas can query them directly, and in `_graph` the certification's own Graph JSON
(`certnb.frame.to_records`, text). Reading a snapshot rebuilds the frame from that JSON with
`certnb.frame.build_from_records`, the one place that knows how a frame is made: columns, dtypes, the
bookkeeping `Layout` and unknown properties come back exactly as a load made them.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "allowedAudiences": "organization"}]}])
    >>> table = to_table(df, "s1")                                      # doctest: +SKIP
    >>> table.column("allowedAudiences").to_pylist()                    # doctest: +SKIP
    ['organization']
    >>> from_table(table, {}).equals(df)                                # doctest: +SKIP
    True

Two typed columns are stored as text, as Graph sends them: `allowedAudiences` (its wire form) and `sources`
(JSON). A lone surrogate (`"\\ud800"`, which UTF-8 and so Parquet cannot hold) is stored in the typed columns
as its escape; the certification's own values still read back exactly, from `_graph`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from certnb.audience import Audience
from certnb.frame.build import build_from_records
from certnb.frame.layout import BOOKKEEPING_COLUMN, USER_COLUMNS
from certnb.frame.records import to_records
from certnb.schema import COLUMNS

if TYPE_CHECKING:
    import pyarrow as pa

SNAPSHOT_COLUMN = "snapshotId"
"""The first column of every stored row: the id of the snapshot it belongs to."""

TEXT_COLUMNS: tuple[str, ...] = ("allowedAudiences", "sources")
"""Typed columns a snapshot stores as Graph's text (wire form, JSON)."""

_USER_KEYS = {"userId": "id", "userPrincipalName": "userPrincipalName", "userDisplayName": "displayName"}


def stored_frame(frame: pd.DataFrame, snapshot_id: str) -> pd.DataFrame:
    """The rows as a snapshot stores them: `snapshotId`, the typed columns, `_graph` (Graph JSON text).

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": "2027-01-31"}]}])
    >>> stored = stored_frame(df, "s1")
    >>> stored.loc[0, ["snapshotId", "id", "endDate", "_graph"]].tolist()
    ['s1', 'c1', Timestamp('2027-01-31 00:00:00'), '{"id":"c1","endDate":"2027-01-31"}']
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"a snapshot keeps a certification frame as certnb.load or certnb.build_frame made it; this one "
            f"lacks the column(s) {', '.join(missing)}"
        )
    data: dict[str, Any] = {SNAPSHOT_COLUMN: pd.array([snapshot_id] * len(frame), dtype="string")}
    for column in COLUMNS:
        values = frame[column]
        if column == "allowedAudiences":
            data[column] = pd.array([None if v is None or pd.isna(v) else _wire(v) for v in values],
                                    dtype="string")
        elif column == "sources":
            data[column] = pd.array([None if _absent(v) else _json(v) for v in values], dtype="string")
        elif isinstance(values.dtype, pd.StringDtype) or values.dtype == object:
            data[column] = _utf8(values)
        else:
            data[column] = values.to_numpy(copy=False) if values.dtype.kind == "M" else values.array
    data[BOOKKEEPING_COLUMN] = pd.array([_json(r) for r in to_records(frame)], dtype="string")
    return pd.DataFrame(data, columns=[SNAPSHOT_COLUMN, *COLUMNS, BOOKKEEPING_COLUMN])


def to_table(frame: pd.DataFrame, snapshot_id: str) -> pa.Table:
    """`stored_frame(frame, snapshot_id)` as an Arrow table (pyarrow, imported here: `import certnb` stays
    light)."""
    import pyarrow as pa

    return pa.Table.from_pandas(stored_frame(frame, snapshot_id), preserve_index=False)


def from_stored(stored: pd.DataFrame, profile_sources: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The certification frame a snapshot holds, rebuilt from its `_graph` JSON and user columns.

    `profile_sources` (id → name, as the snapshot kept them) names the tenant's own sources again.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": "2027-01-31"}]}])
    >>> from_stored(stored_frame(df, "s1")).equals(df)
    True
    """
    people: dict[tuple[Any, ...], dict[str, Any]] = {}
    users: list[dict[str, Any]] = []
    user_values = zip(*(_cells(stored[c]) for c in USER_COLUMNS), strict=True)
    for key in user_values:
        person = people.get(key)
        if person is None:  # one dict per person: the build reads each person once (certnb.frame.build)
            person = people[key] = {_USER_KEYS[c]: v for c, v in zip(USER_COLUMNS, key, strict=True)}
        users.append(person)
    records = [json.loads(text) for text in stored[BOOKKEEPING_COLUMN].tolist()]
    return build_from_records(records, users, profile_sources=dict(profile_sources or {}) or None)


def from_table(table: pa.Table, profile_sources: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The certification frame an Arrow table of `to_table` holds (see `from_stored`)."""
    columns = [c for c in (*USER_COLUMNS, BOOKKEEPING_COLUMN) if c in table.column_names]
    return from_stored(table.select(columns).to_pandas(), profile_sources)


def _cells(values: pd.Series) -> list[Any]:
    return [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v
            for v in values.tolist()]


def _wire(value: Any) -> str:
    return value.to_wire() if isinstance(value, Audience) else str(value)


def _absent(value: Any) -> bool:
    return value is None or (not isinstance(value, list | dict) and bool(pd.isna(value)))


def _json(value: Any) -> str:
    # ASCII JSON: a lone surrogate Graph sent becomes its escape, which UTF-8 (Parquet's strings) can hold.
    return json.dumps(value, separators=(",", ":"))


def _utf8(values: pd.Series) -> Any:
    """The strings as UTF-8 can hold them: a lone surrogate as its `\\udXXX` escape."""
    cells = [None if _absent(v) else str(v) for v in values.tolist()]
    if not all(v is None or v.isascii() or _encodes(v) for v in cells):
        cells = [v if v is None or _encodes(v) else v.encode("utf-8", "backslashreplace").decode("utf-8")
                 for v in cells]
    return pd.array(cells, dtype="string")


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
