"""The refusals of a staging call, in the analyst's words: the row rules (date order, one value per cell, a
spreadsheet's `before` from another load) and the `ValidationError` naming whose certification it is.

    >>> from certnb.staging.rows import Target
    >>> snapshot = RowSnapshot("u1", "c1", "adele@contoso.example", "Adele Vance", "AZ-104")
    >>> refusals = Refusals(None, {("u1", "c1"): snapshot})
    >>> print(refusals.problem(Target(0, ("u1", "c1")), "endDate", "2024-06-30",
    ...                        date_order_rule("startDate", "endDate", "2025-01-01", "2024-06-30")))
    Adele Vance (adele@contoso.example) · AZ-104: Expires 2024-06-30 is before Valid from 2025-01-01 \
(Expires must not be before Valid from)

Names come from `certnb.frame.names` (the one place that builds them): a row of the frame by its position,
else the journal's record of the load, else the (userId, id) the caller gave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from certnb.errors import ValidationError
from certnb.frame.names import RowNames, label, refusal
from certnb.staging.edit import DATE_ORDER, Edit, Refusal, RowSnapshot, check_date_order, check_value
from certnb.staging.rows import FrameRows, Target

__all__ = [
    "DATE_FIELDS",
    "Refusals",
    "before_mismatch_rule",
    "conflict_rule",
    "date_order_problems",
    "date_order_rule",
]

DATE_FIELDS = frozenset(name for pair in DATE_ORDER for name in pair)
"""The fields the date-order rule reads."""

Change = tuple[Target, Any, Any]  # (target row, the value as given, its wire value)


class Refusals:
    """Builds a call's `ValidationError`s: each names the row's person and certification (module docstring).

    `where` says where a row came from, when that is not the frame ("spreadsheet row 3").
    """

    def __init__(
        self,
        frame_rows: FrameRows | None,
        rows: Mapping[tuple[str, str], RowSnapshot],
        where: Callable[[Target], str | None] | None = None,
    ) -> None:
        self._frame_rows = frame_rows
        self._rows = rows
        self._where = where

    def names(self, target: Target) -> RowNames | None:
        """The person and certification a target names: from the frame, else the journal (`None`: unknown)."""
        if target.position is not None and self._frame_rows is not None:
            return self._frame_rows.names(target)
        if target.key is None:
            return None
        known = self._rows.get(target.key)
        if known is None:
            return None  # ids that name no loaded certification: the rule names them
        return RowNames.of(known.user_id, known.user_principal_name, known.user_display_name,
                           known.cert_id, known.display_name)

    def where(self, target: Target) -> str | None:
        """Where the row came from ("spreadsheet row 3"), or `None` for a row of the frame."""
        return None if self._where is None else self._where(target)

    def problem(self, target: Target, field: str, value: Any, rule: str, *,
                field_label: str | None = None) -> ValidationError:
        """The refusal of `value` for `field` on the target's row."""
        return refusal(self.names(target), field, value, rule, row=target.label, where=self.where(target),
                       field_label=field_label)


def date_order_rule(earlier: str, later: str, earlier_value: Any, later_value: Any) -> str:
    """The date-order rule, broken, in the form's words.

    >>> date_order_rule("issuedDate", "endDate", "2025-01-10", "2025-01-09")
    'Expires 2025-01-09 is before Issued 2025-01-10 (Expires must not be before Issued)'
    """
    first, then = label(earlier), label(later)
    return f"{then} {later_value} is before {first} {earlier_value} ({then} must not be before {first})"


def date_order_problems(
    changes: Mapping[tuple[str, str, str], Change],
    snapshots: Mapping[tuple[str, str], RowSnapshot],
    edits: Mapping[tuple[str, str, str], Edit],
    refusals: Refusals,
) -> list[ValidationError]:
    """End date before start/issue date, on each row's effective values (loaded ← staged ← this call); the
    field blamed is the later one when this call sets it, else the earlier one."""
    by_row: dict[tuple[str, str], dict[str, Change]] = {}
    for key, change in changes.items():
        if key[2] in DATE_FIELDS:
            by_row.setdefault((key[0], key[1]), {})[key[2]] = change
    problems = []
    for (user_id, cert_id), mine in by_row.items():
        loaded = snapshots[user_id, cert_id].loaded
        effective = {}
        for name in DATE_FIELDS:
            if name in mine:
                effective[name] = mine[name][2]
            else:
                staged = edits.get((user_id, cert_id, name)) if edits else None
                effective[name] = loaded.get(name) if staged is None else staged.after
        broken = check_date_order(effective)
        if broken is None:
            continue
        earlier, later = broken
        blamed = later if later in mine else earlier
        target, raw, _ = mine[blamed]
        rule = date_order_rule(earlier, later, effective[earlier], effective[later])
        problems.append(refusals.problem(target, blamed, raw, rule))
    return problems


def conflict_rule(refusals: Refusals, earlier: Change, field: str) -> str:
    """Two values for one cell in one call (e.g. two lines of a changes table): neither wins."""
    other = refusals.where(earlier[0]) or f"row {earlier[0].label!r}"
    return (f"conflicts with {other} of the same call, which sets {label(field)} of this certification to "
            f"{earlier[2]!r}; keep one of the two")


def before_mismatch_rule(field: str, before: Any, loaded: Any) -> str | None:
    """Why a changes table's `before` value refuses its line (`None`: it is the loaded value)."""
    try:
        given = check_value(field, before)
    except Refusal:
        return None  # e.g. audiences with members unknown to this client: nothing to compare
    if given == loaded:
        return None
    return (
        f"the table's before value of {label(field)} {given!r} is not the loaded value {loaded!r}: the file "
        "was exported from another load of the data; export it again from this frame"
    )
