"""Proposals: what a staging call asks for, as (row, field, raw value, checked value), before the row rules.

Each way in to `Staged` (`set`, `apply`, `from_changes`) turns its arguments into proposals here, checking a
whole column of values at once (`check_values`); `Staged._stage` then applies the rules that need the row
(editable, one value per cell, date order) and journals the lot, or refuses it whole.

    >>> from certnb.staging.rows import Target
    >>> asked = constant([Target(0, ("u", "c"))], {"endDate": "2027-01-31"})
    >>> [(target.label, name, checked) for target, name, _, checked in asked]
    [(0, 'endDate', '2027-01-31')]

A checked value is the wire value, or a `Refusal` naming the rule the value breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pandas as pd

from certnb.frame.names import label as field_label
from certnb.staging.edit import Refusal, check_value, check_values
from certnb.staging.frame_check import repeated_labels
from certnb.staging.rows import NO_VALUE, Row, Target, cells

__all__ = ["Proposal", "computed", "constant", "from_table"]

Proposal = tuple[Target, str, Any, Any]
"""(target row, field, the value as given, its wire value or a `Refusal`)."""


def constant(
    targets: list[Target], given: Mapping[str, Any], frame_index: pd.Index | None = None
) -> Iterator[Proposal]:
    """`set`: one value for every row (checked once), or a Series looked up by row label."""
    columns: list[tuple[str, list[Any], list[Any]]] = []  # per field: each target's raw and checked value
    for name, value in given.items():
        if not isinstance(value, pd.Series):
            columns.append((name, [value] * len(targets), [_checked(name, value)] * len(targets)))
            continue
        if not value.index.is_unique:  # `series[label]` would be a Series, not one value
            repeated = repeated_labels(value.index)
            refused = Refusal(f"the Series given for {field_label(name)} holds {repeated}: give one value "
                              "per row label")
            columns.append((name, [None] * len(targets), [refused] * len(targets)))
            continue
        raws = cells(value, targets, frame_index)
        checked = iter(check_values(name, [raw for raw in raws if raw is not NO_VALUE]))
        columns.append((name, [None if raw is NO_VALUE else raw for raw in raws], [
            Refusal(f"the Series given for {field_label(name)} has no value for this certification (no label "
                    f"{target.label!r} in its index)")
            if raw is NO_VALUE else next(checked)
            for target, raw in zip(targets, raws, strict=True)
        ]))
    return _row_by_row(targets, columns)


def computed(
    targets: list[Target], given: Mapping[str, Callable[[Row], Any]], row_of: Callable[[Target], Row]
) -> Iterator[Proposal]:
    """`apply`: each field's function called with each row that can be edited, in row order."""
    raws: dict[str, list[Any]] = {name: [] for name in given}
    failures: dict[tuple[int, str], Refusal] = {}
    for i, target in enumerate(targets):  # row by row, as the user's functions expect to be called
        row = row_of(target) if target.problem is None else None
        for name, function in given.items():
            try:
                raws[name].append(None if row is None else function(row))
            except Exception as error:  # the user's function: report it, don't crash the call
                raws[name].append(None)
                failures[(i, name)] = Refusal(
                    f"the function given for {field_label(name)} raised {type(error).__name__}: {error}"
                )
    columns: list[tuple[str, list[Any], list[Any]]] = []
    for name, values in raws.items():
        checked = [
            None if target.problem is not None else failures.get((i, name), wire)
            for i, (target, wire) in enumerate(zip(targets, check_values(name, values), strict=True))
        ]
        columns.append((name, values, checked))
    return _row_by_row(targets, columns)


def from_table(
    changes: pd.DataFrame,
    target_for_key: Callable[[tuple[str, str], Any], Target],
    before_mismatch: Callable[[Target, str, Any], str | None],
) -> Iterator[Proposal]:
    """`from_changes`: one proposal per line of a changes table, its `before` compared with the load."""
    missing = [c for c in ("userId", "id", "field", "after") if c not in changes.columns]
    if missing:
        raise ValueError(
            f"a changes table needs columns userId, id, field, after; missing: {', '.join(missing)}"
        )
    records = changes.to_dict("records")
    labels = changes["row"].tolist() if "row" in changes.columns else changes.index.tolist()
    names = [str(record["field"]) for record in records]
    afters = [record["after"] for record in records]
    lines: dict[str, list[int]] = {}  # each field's values are checked together
    for i, name in enumerate(names):
        lines.setdefault(name, []).append(i)
    checked: list[Any] = [None] * len(records)
    for name, where in lines.items():
        for i, wire in zip(where, check_values(name, [afters[i] for i in where]), strict=True):
            checked[i] = wire
    for label, record, name, raw, wire in zip(labels, records, names, afters, checked, strict=True):
        target = target_for_key((str(record["userId"]), str(record["id"])), label)
        if target.problem is None and "before" in record and not isinstance(wire, Refusal):
            mismatch = before_mismatch(target, name, record["before"])
            if mismatch:
                wire = Refusal(mismatch)
        yield target, name, raw, wire


def _row_by_row(targets: list[Target], columns: list[tuple[str, list[Any], list[Any]]]) -> Iterator[Proposal]:
    """(target, field, raw, checked) for each target, then each field: a call's proposals in order."""
    for i, target in enumerate(targets):
        for name, raws, checked in columns:
            yield target, name, raws[i], checked[i]


def _checked(name: str, raw: Any) -> Any:
    try:
        return check_value(name, raw)
    except Refusal as refusal:
        return refusal
