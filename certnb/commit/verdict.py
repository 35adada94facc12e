"""The verdict: what the server's current values mean for one planned PATCH (pure, no I/O).

Graph has no ETag for profile items (contract §2): the runner (run.py) re-reads each certification and
compares the server's values with the loaded ("before") ones and with the new ones, both in canonical wire
form. A value that is neither means someone changed it since the load: `conflict`, and nothing is sent.

    >>> from certnb.commit.plan import plan_commit
    >>> from certnb.staging.edit import Edit
    >>> [p] = plan_commit([Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31", 1)], {})
    >>> verdict(p, {"id": "c1", "endDate": "2026-12-31"})
    (<Verdict.SEND: 'send'>, None)
    >>> verdict(p, {"id": "c1", "endDate": "2027-12-31"})
    (<Verdict.ALREADY_APPLIED: 'already_applied'>, None)
    >>> verdict(p, {"id": "c1", "endDate": "2028-01-31"})
    (<Verdict.CONFLICT: 'conflict'>, "Expires is '2028-01-31' in Graph now, loaded as '2026-12-31'")
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from certnb.commit.outcome import Outcome
from certnb.commit.plan import PlannedPatch
from certnb.schema import FIELDS_BY_COLUMN

__all__ = ["Verdict", "canonical", "server_value", "target_values", "verdict"]


class Verdict(StrEnum):
    """What to do with a planned PATCH: `send` it, or record the outcome of the same name (outcome.py)."""

    SEND = "send"
    ALREADY_APPLIED = "already_applied"
    CONFLICT = "conflict"
    MISSING = "missing"

    @property
    def outcome(self) -> Outcome:
        """The outcome this verdict records (`send` records none: a `ValueError`).

        >>> Verdict.CONFLICT.outcome
        <Outcome.CONFLICT: 'conflict'>
        """
        if self is Verdict.SEND:
            raise ValueError("the verdict `send` is no outcome: the PATCH is sent, and its answer decides")
        return Outcome(self.value)


def canonical(column: str, value: Any) -> Any:
    """A wire value in canonical form, so equal values compare equal (audience member order, numbers)."""
    spec = FIELDS_BY_COLUMN.get(column)
    if spec is None:
        return value
    try:
        return spec.validate(value)
    except ValueError:
        return value  # a value this client would not write (unknown audience member): compare it as is


def server_value(entity: Mapping[str, Any], column: str) -> Any:
    """The value of a frame column (`endDate`, `inference.confidenceScore`) in a Graph entity."""
    value: Any = entity
    for key in column.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def target_values(patch: PlannedPatch) -> dict[str, Any]:
    """The value of every column `patch.expected` names once the PATCH is applied."""
    out = {}
    for column in patch.expected:
        prop, _, member = column.partition(".")
        value = patch.body.get(prop)
        out[column] = (value.get(member) if isinstance(value, Mapping) else None) if member else value
    return out


def verdict(patch: PlannedPatch, current: Mapping[str, Any] | None) -> tuple[Verdict, str | None]:
    """(verdict, why) for a PATCH given the certification as the server holds it now (None: gone); see the
    module docstring."""
    if current is None:
        return Verdict.MISSING, "the certification no longer exists on the server"
    targets = target_values(patch)
    at_target = True
    for column, before in patch.expected.items():
        now = canonical(column, server_value(current, column))
        if now == canonical(column, targets[column]):
            continue
        at_target = False
        if now != canonical(column, before):
            label = FIELDS_BY_COLUMN[column].label if column in FIELDS_BY_COLUMN else column
            return Verdict.CONFLICT, f"{label} is {now!r} in Graph now, loaded as {before!r}"
    return (Verdict.ALREADY_APPLIED, None) if at_target else (Verdict.SEND, None)
