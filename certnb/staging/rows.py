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

Everything here works a column at a time, because a bulk call names 100,000 rows: labels are looked up
with one `get_indexer`, a Series' values are read out at once (`cells`), and loaded values are converted
to wire form a column at a time for just the rows a call touches (`FrameRows.snapshots`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from certnb.audience import Audience
from certnb.frame.names import NAME_COLUMNS, RowNames
from certnb.schema import AUDIENCE_WIRE_COLUMN, FIELDS_BY_COLUMN, is_missing
from certnb.staging.edit import WRITABLE_FIELDS, LoadedValues, RowSnapshot
from certnb.staging.frame_check import check_frame, repeated_labels

__all__ = ["KEY_COLUMNS", "NO_VALUE", "FrameRows", "Row", "Target", "cells", "is_key", "wire_column"]

KEY_COLUMNS = ("userId", "id")
NO_VALUE: Any = object()
"""What `cells` gives a row the Series holds no value for."""
# What a selection may be (`FrameRows.select`), as a refusal states it.
_SELECTIONS = (
    "rows are named by a row label, a list or pandas.Index of labels, a boolean mask (a Series or array of "
    "True/False, e.g. df['endDate'].isna()), a slice of labels, or a (userId, id) pair"
)

_TITLE = WRITABLE_FIELDS.index("displayName")  # the certification's title, shown in the diff
_PEOPLE = ("userPrincipalName", "userDisplayName")
_SNAPSHOT_COLUMNS = (*_PEOPLE, *WRITABLE_FIELDS, AUDIENCE_WIRE_COLUMN)


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
        check_frame(frame)  # as load made it: typed columns of the schema's dtypes, one row per label
        # A shallow copy is a snapshot under pandas' copy-on-write: later edits of `frame` do not reach it.
        self.frame = frame.copy(deep=False)
        users = self.frame["userId"].tolist()
        certs = self.frame["id"].tolist()
        self._keys: list[tuple[str, str] | None] = [
            (u, c) if type(u) is str and type(c) is str  # the usual case, and str(u) would give u itself
            else None if is_missing(u) or is_missing(c) else (str(u), str(c))
            for u, c in zip(users, certs, strict=True)
        ]
        # The first position of each key (a reversed dict keeps the earliest), and the keys held twice.
        self._position: dict[tuple[str, str] | None, int] = dict(
            zip(reversed(self._keys), range(len(self._keys) - 1, -1, -1), strict=True)
        )
        self._position.pop(None, None)
        self._duplicates: set[tuple[str, str]] = set()
        if len(self._position) < sum(key is not None for key in self._keys):
            self._duplicates = {
                key for position, key in enumerate(self._keys)
                if key is not None and self._position[key] != position
            }
        self._names = tuple(c for c in self.frame.columns if isinstance(c, str))
        self._known = frozenset(self._names)
        self._columns: dict[str, list[Any]] = {}
        self._name_columns: tuple[list[Any], ...] | None = None

    def select(self, selection: Any) -> list[Target]:
        """The rows a selection names, in selection order (selections: `certnb.staging.staged`)."""
        frame = self.frame
        if is_key(selection) and selection not in frame.index:
            return [self._target_for_pair(selection)]
        positions: Iterable[int]
        if isinstance(selection, pd.Series):
            refused = _series_refusal(selection)
            if refused is not None:
                return [Target("selection", None, problem=refused)]
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
        elif isinstance(selection, tuple) and isinstance(frame.index, pd.MultiIndex):
            return self._targets_for_label(selection)  # one label of the MultiIndex, not a list of labels
        elif isinstance(selection, pd.Index | list | tuple | np.ndarray | set | frozenset):
            return self._targets_for_labels(list(selection))
        elif not pd.api.types.is_hashable(selection):  # a DataFrame, a dict, ...: no label is one
            return [Target("selection", None, problem=f"a {type(selection).__name__} does not name rows; "
                           f"{_SELECTIONS}")]
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
        [snapshot] = self.snapshots([target])
        return snapshot

    def snapshots(self, targets: Sequence[Target]) -> list[RowSnapshot]:
        """The loaded values of rows of the frame, in order; only these rows are converted to wire form."""
        keys, positions = [], []
        for target in targets:
            if target.key is None or target.position is None:
                raise ValueError(f"row {target.label!r} is not a certification of the frame")
            keys.append(target.key)
            positions.append(target.position)
        frame = self.frame[[c for c in _SNAPSHOT_COLUMNS if c in self.frame]]
        if positions != list(range(len(frame))):
            frame = frame.take(positions)
        wire = [wire_column(frame, name) for name in WRITABLE_FIELDS]
        upns, names = (_texts(frame[c]) if c in frame else [None] * len(frame) for c in _PEOPLE)
        new = RowSnapshot._make  # a tuple per row, built from columns: no per-row lookups
        return [
            new((key[0], key[1], upn, name, loaded[_TITLE], LoadedValues(loaded)))
            for key, upn, name, loaded in zip(keys, upns, names, zip(*wire, strict=True), strict=True)
        ]

    def names(self, target: Target) -> RowNames:
        """Who holds the target's row and its title, for a refusal (its columns read once, then cached)."""
        if target.position is None:
            raise ValueError(f"row {target.label!r} is not a certification of the frame")
        if self._name_columns is None:
            self._name_columns = tuple(self._column(column) for column in NAME_COLUMNS)
        p = target.position
        user_id, upn, user_name, cert_id, title = self._name_columns
        return RowNames.of(user_id[p], upn[p], user_name[p], cert_id[p], title[p])

    def row(self, target: Target) -> Row:
        """The row as loaded, for `Staged.apply` functions."""
        if target.position is None:
            raise ValueError(f"row {target.label!r} is not a certification of the frame")
        p = target.position
        return Row(target.label, self._names, lambda column: self._column(column)[p], self._known)

    def _targets_for_labels(self, labels: list[Any]) -> list[Target]:
        """Each label's rows, in order; labels of the frame's own dtype are looked up all at once."""
        index = self.frame.index  # unique (`check_frame`)
        if not labels or isinstance(index, pd.MultiIndex):
            return [target for label in labels for target in self._targets_for_label(label)]
        wanted = pd.Index(labels, tupleize_cols=False)
        if wanted.dtype != index.dtype:  # e.g. (userId, id) pairs: each is looked at on its own
            return [target for label in labels for target in self._targets_for_label(label)]
        found = index.get_indexer(wanted).tolist()
        targets = []
        for label, position in zip(labels, found, strict=True):
            if position >= 0:
                targets.append(self._target_at(position, label))
            else:  # not a label of the frame: maybe a (userId, id) pair, else a problem
                targets += self._targets_for_label(label)
        return targets

    def _targets_for_label(self, label: Any) -> list[Target]:
        if is_key(label) and label not in self.frame.index:
            return [self._target_for_pair(label)]
        index = self.frame.index
        try:
            found = index.get_loc(label)
        except (KeyError, TypeError):
            return [Target(label, None, problem=f"no row labelled {label!r} in the frame{_levels(index)}")]
        if isinstance(found, int | np.integer):
            return [self._target_at(int(found), label)]
        positions = np.flatnonzero(found) if isinstance(found, np.ndarray) else range(len(self.frame))[found]
        return [self._target_at(int(p), label) for p in positions]

    def _target_for_pair(self, pair: tuple[str, str]) -> Target:
        """The row a (userId, id) pair names; on a MultiIndex the problem says it is no label either."""
        target = self.target_for_key(pair, pair)
        if target.position is None and isinstance(self.frame.index, pd.MultiIndex):
            return target._replace(problem=f"{target.problem}, nor a row label{_levels(self.frame.index)}")
        return target

    def _target_at(self, position: int, label: Any) -> Target:
        key = self._keys[position]
        if key is None:
            return Target(label, None, position, "the row has no userId or certification id")
        if key in self._duplicates:
            return Target(label, key, position, "the frame holds this certification more than once (userId "
                          f"{key[0]}, id {key[1]}): load it again, or drop the repeated rows")
        return Target(label, key, position)

    def _column(self, column: str) -> list[Any]:
        if column not in self._columns:
            frame = self.frame
            self._columns[column] = frame[column].tolist() if column in frame else [None] * len(frame)
        return self._columns[column]


def cells(series: pd.Series, targets: Sequence[Target], frame_index: pd.Index | None) -> list[Any]:
    """The value `series` holds for each target's label (`series[label]`), `NO_VALUE` where it holds none.

    >>> from certnb.frame.build import build_frame
    >>> rows = FrameRows(build_frame([{"id": "u1", "certifications": [{"id": "c1"}, {"id": "c2"}]}]))
    >>> cells(pd.Series(["a"], index=[1]), rows.select([0, 1]), rows.frame.index) == [NO_VALUE, "a"]
    True
    """
    index = series.index
    # A Series indexed like the frame (the usual `df[...]`-derived one) is read by position, all at once,
    # as the very objects `series[label]` gives: numbers and booleans as numpy scalars (or <NA>), which
    # `tolist()` would turn into Python ones; anything else (text, Timestamps, objects) as `tolist()` has it.
    aligned = frame_index is not None and index.is_unique and index.equals(frame_index)
    values = [] if not aligned else list(series.array) if series.dtype.kind in "biufc" else series.tolist()
    out = []
    for target in targets:
        # A (userId, id) pair that named the row is the target's label, not the frame's label of the row.
        if aligned and target.position is not None and not is_key(target.label):
            out.append(values[target.position])
        elif target.label in index:
            out.append(series[target.label])
        else:
            out.append(NO_VALUE)
    return out


def wire_column(frame: pd.DataFrame, name: str) -> list[Any]:
    """One writable column of a frame as Graph wire values, `None` where empty (a whole column at once).

    >>> from certnb.frame.build import build_frame
    >>> wire_column(build_frame([{"certifications": [{"id": "c1", "endDate": "2027-01-31"}]}]), "endDate")
    ['2027-01-31']
    """
    column = frame[name]
    kind = FIELDS_BY_COLUMN[name].kind
    out: list[Any]
    if kind in ("string", "url") and isinstance(column.dtype, pd.StringDtype):
        out = column.array.to_numpy(dtype=object, na_value=None).tolist()  # str already: nothing to convert
        return out
    missing = column.isna().to_numpy(dtype=bool)
    if kind != "date":
        return _converted(frame, column, kind, missing.tolist())
    days = pd.to_datetime(column).to_numpy().astype("datetime64[D]")
    # A frame holds a few thousand distinct dates: print each once, and share the texts.
    codes, distinct = pd.factorize(days, use_na_sentinel=False)
    texts = np.array(np.datetime_as_string(distinct).tolist(), dtype=object)[codes]
    texts[missing] = None
    out = texts.tolist()
    return out


def _converted(frame: pd.DataFrame, column: pd.Series, kind: str, missing: list[bool]) -> list[Any]:
    """`wire_column` of numbers, booleans, audiences and columns of unexpected dtypes: value by value."""
    values = column.astype(object).tolist()
    if kind == "flags":
        raw = frame[AUDIENCE_WIRE_COLUMN].tolist() if AUDIENCE_WIRE_COLUMN in frame else [None] * len(frame)
        # A tenant uses a handful of audience values, each one shared object: convert each object once.
        texts_of: dict[int, Any] = {}
        out = []
        for value, kept, gone in zip(values, raw, missing, strict=True):
            if kept is not None and is_missing(kept):
                kept = None
            if gone or kept is not None or not isinstance(value, Audience):
                out.append(_audience_wire(value, kept, gone))
                continue
            text = texts_of.get(id(value))
            if text is None:
                text = texts_of[id(value)] = _audience_wire(value, None, False)
            out.append(text)
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
    if not isinstance(value, np.ndarray | list | pd.Index | pd.api.extensions.ExtensionArray):
        return False
    if not len(value):
        return False
    return bool(pd.api.types.infer_dtype(value, skipna=True) == "boolean")


def _levels(index: pd.Index) -> str:
    """What a label of a MultiIndex is, for a refusal ("" for a flat index)."""
    if not isinstance(index, pd.MultiIndex):
        return ""
    levels = ", ".join(str(name) for name in index.names)
    return f" (the frame's index has the levels {levels}: a label is a tuple of {index.nlevels} values)"


def _series_refusal(selection: pd.Series) -> str | None:
    """Why a Series cannot select rows (`None` when it is a boolean mask that can)."""
    if not (pd.api.types.is_bool_dtype(selection.dtype) or _is_mask(selection.to_numpy())):
        named = "" if selection.name is None else f" named {selection.name!r}"
        return (
            f"a Series of {selection.dtype} values{named} does not name rows: pass series.index for the rows "
            f"it came from, or list(series) if its values are row labels; {_SELECTIONS}"
        )
    if not selection.index.is_unique:
        return (
            f"the boolean mask's index holds {repeated_labels(selection.index)}: a mask needs one value per "
            "row label, e.g. a condition on this frame's own columns (df['endDate'].isna())"
        )
    return None


def is_key(value: Any) -> bool:
    """True for a `(userId, id)` pair of strings."""
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value)


def _texts(column: pd.Series) -> list[str | None]:
    return [v if type(v) is str else None if is_missing(v) else str(v) for v in column.tolist()]
