"""The frame side of staging: which rows a selection names, and each row's loaded values in wire form.

    >>> from certnb.frame.build import build_frame
    >>> rows = FrameRows(build_frame([{"id": "u1", "certifications": [{"id": "c1"}, {"id": "c2"}]}]))
    >>> [(t.label, t.key) for t in rows.select([True, False])]
    [(0, ('u1', 'c1'))]
    >>> rows.snapshot(rows.select(1)[0]).key
    ('u1', 'c2')

A selection is a row label, a list / `pandas.Index` / array of labels, a boolean mask (a Series aligned by
label, or an array with one value per row; missing values select nothing), a label slice, or a
`(userId, id)` pair. Rows that cannot be edited come back with a `problem` (unknown label, no ids, the same
certification twice), so a staging call can report every problem at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from certnb.audience import Audience
from certnb.schema import AUDIENCE_WIRE_COLUMN, FIELDS_BY_COLUMN, is_missing
from certnb.staging.edit import WRITABLE_FIELDS, RowSnapshot

__all__ = ["KEY_COLUMNS", "FrameRows", "Row", "Target", "is_key", "wire_column"]

KEY_COLUMNS = ("userId", "id")
_TITLE = WRITABLE_FIELDS.index("displayName")  # the certification's title, shown in the diff


class Target(NamedTuple):
    """One selected row: its label as the user knows it, its key, its frame position, or why it cannot be
    edited (`problem`)."""

    label: Any
    key: tuple[str, str] | None
    position: int | None = None
    problem: str | None = None


class Row(Mapping[str, Any]):
    """A row as loaded, handed to `Staged.apply` functions: `row["endDate"]` or `row.endDate`; `row.name` is
    its label. Values have the frame's types (dates are `pandas.Timestamp`, missing ones `NaT`/`<NA>`)."""

    __slots__ = ("_get", "_known", "_names", "name")

    def __init__(self, name: Any, names: tuple[str, ...], get: Callable[[str], Any],
                 known: frozenset[str] | None = None) -> None:
        self.name = name
        self._names = names
        self._known = frozenset(names) if known is None else known
        self._get = get

    def __getitem__(self, column: str) -> Any:
        if column not in self._known:
            raise KeyError(f"no column {column!r}; columns are: {', '.join(self._names)}")
        return self._get(column)

    def __getattr__(self, column: str) -> Any:
        try:
            return self[column]
        except KeyError as missing:
            raise AttributeError(str(missing)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __repr__(self) -> str:
        return f"Row({self.name!r})"


class FrameRows:
    """A certification frame, snapshotted, as rows to stage edits on (see the module docstring)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        missing = [c for c in (*KEY_COLUMNS, *WRITABLE_FIELDS) if c not in frame.columns]
        if missing:
            raise ValueError(
                "staging needs a certification frame (certnb.frame.build_frame / certnb.load); "
                "missing columns: " + ", ".join(missing)
            )
        # A shallow copy is a snapshot under pandas' copy-on-write: later edits of `frame` do not reach it.
        self.frame = frame.copy(deep=False)
        users = self.frame["userId"].tolist()
        certs = self.frame["id"].tolist()
        self._keys: list[tuple[str, str] | None] = [
            None if is_missing(u) or is_missing(c) else (str(u), str(c))
            for u, c in zip(users, certs, strict=True)
        ]
        self._position: dict[tuple[str, str], int] = {}
        self._duplicates: set[tuple[str, str]] = set()
        for position, key in enumerate(self._keys):
            if key is None:
                continue
            if key in self._position:
                self._duplicates.add(key)
            else:
                self._position[key] = position
        self._names = tuple(c for c in self.frame.columns if isinstance(c, str))
        self._known = frozenset(self._names)
        self._columns: dict[str, list[Any]] = {}
        self._wire: list[tuple[Any, ...]] | None = None

    def select(self, selection: Any) -> list[Target]:
        """The rows a selection names, in selection order."""
        frame = self.frame
        if is_key(selection) and selection not in frame.index:
            return [self.target_for_key(selection, selection)]
        positions: Iterable[int]
        if isinstance(selection, pd.Series) and (
            pd.api.types.is_bool_dtype(selection.dtype) or _is_mask(selection.to_numpy())
        ):
            mask = selection.reindex(frame.index, fill_value=False).fillna(False).astype(bool)
            positions = np.flatnonzero(mask.to_numpy())
        elif _is_mask(selection):
            if len(selection) != len(frame):
                rule = f"a boolean mask needs {len(frame)} values, one per row; got {len(selection)}"
                return [Target("mask", None, problem=rule)]
            # Missing values in a nullable mask (comparisons with <NA>) select nothing, as in pandas.
            mask = pd.array(selection, dtype="boolean").fillna(False)
            positions = np.flatnonzero(mask.to_numpy(dtype=bool))
        elif isinstance(selection, slice):
            chosen = frame.index.slice_indexer(selection.start, selection.stop, selection.step)
            positions = range(len(frame))[chosen]
        elif isinstance(selection, pd.Index | list | tuple | np.ndarray | set | frozenset):
            return [target for label in selection for target in self._targets_for_label(label)]
        else:
            return self._targets_for_label(selection)
        labels = frame.index.tolist()
        return [self._target_at(int(p), labels[int(p)]) for p in positions]

    def target_for_key(self, key: tuple[str, str], label: Any) -> Target:
        """The row holding certification `key`; one without a position (and with a problem) if none does."""
        if key in self._position:
            return self._target_at(self._position[key], label)
        return Target(label, (key[0], key[1]), None,
                      f"no certification {key[1]!r} of user {key[0]!r} in the frame")

    def snapshot(self, target: Target) -> RowSnapshot:
        """The loaded values of a row of the frame."""
        if target.key is None or target.position is None:
            raise ValueError(f"row {target.label!r} is not a certification of the frame")
        p = target.position
        loaded = self._wire_rows()[p]
        return RowSnapshot(
            target.key[0], target.key[1],
            _text(self._column("userPrincipalName")[p]), _text(self._column("userDisplayName")[p]),
            loaded[_TITLE], dict(zip(WRITABLE_FIELDS, loaded, strict=True)),
        )

    def row(self, target: Target) -> Row:
        """The row as loaded, for `Staged.apply` functions."""
        if target.position is None:
            raise ValueError(f"row {target.label!r} is not a certification of the frame")
        p = target.position
        return Row(target.label, self._names, lambda column: self._column(column)[p], self._known)

    def _targets_for_label(self, label: Any) -> list[Target]:
        if is_key(label) and label not in self.frame.index:
            return [self.target_for_key(label, label)]
        try:
            found = self.frame.index.get_loc(label)
        except (KeyError, TypeError):
            return [Target(label, None, problem="no such row in the frame")]
        if isinstance(found, int | np.integer):
            return [self._target_at(int(found), label)]
        positions = np.flatnonzero(found) if isinstance(found, np.ndarray) else range(len(self.frame))[found]
        return [self._target_at(int(p), label) for p in positions]

    def _target_at(self, position: int, label: Any) -> Target:
        key = self._keys[position]
        if key is None:
            return Target(label, None, position, "the row has no userId or certification id")
        if key in self._duplicates:
            return Target(label, key, position, f"the frame holds certification {key} more than once")
        return Target(label, key, position)

    def _column(self, column: str) -> list[Any]:
        if column not in self._columns:
            frame = self.frame
            self._columns[column] = frame[column].tolist() if column in frame else [None] * len(frame)
        return self._columns[column]

    def _wire_rows(self) -> list[tuple[Any, ...]]:
        """Each row's loaded writable values in wire form, in `WRITABLE_FIELDS` order (computed once)."""
        if self._wire is None:
            columns = [wire_column(self.frame, name) for name in WRITABLE_FIELDS]
            self._wire = list(zip(*columns, strict=True))
        return self._wire


def wire_column(frame: pd.DataFrame, name: str) -> list[Any]:
    """One writable column of a frame as Graph wire values, `None` where empty (a whole column at once).

    >>> from certnb.frame.build import build_frame
    >>> wire_column(build_frame([{"certifications": [{"id": "c1", "endDate": "2027-01-31"}]}]), "endDate")
    ['2027-01-31']
    """
    column = frame[name]
    kind = FIELDS_BY_COLUMN[name].kind
    missing = column.isna().tolist()
    if kind == "date":
        days = pd.to_datetime(column).to_numpy().astype("datetime64[D]")
        text = np.datetime_as_string(days).tolist()
        return [None if gone else t for t, gone in zip(text, missing, strict=True)]
    values = column.astype(object).tolist()
    if kind == "flags":
        raw = frame[AUDIENCE_WIRE_COLUMN].astype(object).tolist() if AUDIENCE_WIRE_COLUMN in frame else None
        texts: dict[Any, Any] = {}  # a tenant uses a handful of audience values: convert each once
        out = []
        for i, (value, gone) in enumerate(zip(values, missing, strict=True)):
            kept = None if raw is None or is_missing(raw[i]) else raw[i]
            if not isinstance(value, Audience):
                out.append(_audience_wire(value, kept, gone))
                continue
            if (value, kept, gone) not in texts:
                texts[(value, kept, gone)] = _audience_wire(value, kept, gone)
            out.append(texts[(value, kept, gone)])
        return out
    convert: Callable[[Any], Any] = {"number": float, "bool": bool}.get(kind, str)
    return [None if gone else convert(v) for v, gone in zip(values, missing, strict=True)]


def _audience_wire(value: Any, raw: Any, gone: bool) -> Any:
    if gone:
        return None
    if isinstance(value, Audience):
        if Audience.unknownFutureValue in value and isinstance(raw, str):
            return raw  # read from a newer service: its members are kept verbatim (see certnb.audience)
        return value.to_wire()
    return str(value)


def _is_mask(value: Any) -> bool:
    if not isinstance(value, np.ndarray | list | pd.api.extensions.ExtensionArray) or not len(value):
        return False
    return bool(pd.api.types.infer_dtype(value, skipna=True) == "boolean")


def is_key(value: Any) -> bool:
    """True for a `(userId, id)` pair of strings."""
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _text(value: Any) -> str | None:
    return None if is_missing(value) else str(value)
