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

A DELETE is checked against every loaded value: one gone already needs nothing (`already_applied`), one
changed since the load is not deleted (`conflict`). A POST has nothing to compare: whether a create whose
answer was lost landed is found by `find_created` in the person's list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from certnb.commit.outcome import Outcome
from certnb.commit.plan import PlannedPatch
from certnb.schema import FIELDS_BY_COLUMN
from certnb.staging.operations import same_certification

__all__ = ["CLOCK_SLACK", "Verdict", "canonical", "find_created", "server_value", "target_values", "verdict"]

CLOCK_SLACK = dt.timedelta(minutes=10)
"""How much earlier than our first send a created certification's `createdDateTime` may be (clocks differ)."""


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
        value = (patch.body or {}).get(prop)
        out[column] = (value.get(member) if isinstance(value, Mapping) else None) if member else value
    return out


def verdict(patch: PlannedPatch, current: Mapping[str, Any] | None) -> tuple[Verdict, str | None]:
    """(verdict, why) for a PATCH given the certification as the server holds it now (None: gone); see the
    module docstring."""
    if patch.method == "DELETE":
        return _delete_verdict(patch, current)
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


def _delete_verdict(patch: PlannedPatch, current: Mapping[str, Any] | None) -> tuple[Verdict, str | None]:
    if current is None:
        return Verdict.ALREADY_APPLIED, "already gone from Graph"
    for column, before in patch.expected.items():
        now = canonical(column, server_value(current, column))
        if now != canonical(column, before):
            label = FIELDS_BY_COLUMN[column].label if column in FIELDS_BY_COLUMN else column
            return Verdict.CONFLICT, (f"changed in Graph since the load, so not deleted: {label} is {now!r} "
                                      f"now, loaded as {before!r}")
    return Verdict.SEND, None


def find_created(
    patch: PlannedPatch, items: Iterable[Mapping[str, Any]], taken: set[str], since: str | None,
) -> str | None:
    """The id of the certification a POST created, found in the person's list (`items`), or None.

    A candidate is not one of `taken` (ids loaded, or claimed by another create) and was created no earlier
    than `since` (the first send, less `CLOCK_SLACK`); it holds what the POST sent (`same_certification`).
    Of several, the earliest created is taken, so two identical creates claim two certifications.

    >>> from certnb.commit.plan import PlannedPatch
    >>> from certnb.staging.edit import Edit
    >>> edits = (Edit("u1", "new-1", "@create", None, None), Edit("u1", "new-1", "displayName", None, "CKA"))
    >>> post = PlannedPatch("u1", "new-1", "", "", {"displayName": "CKA"}, edits, method="POST")
    >>> find_created(post, [{"id": "a", "displayName": "CKA", "createdDateTime": "2026-12-02T10:00:00Z"}],
    ...              set(), "2026-12-02T10:05:00.000000Z")
    'a'
    """
    earliest = _instant(since) - CLOCK_SLACK if since else None
    found: list[tuple[dt.datetime, str]] = []
    for item in items:
        item_id = str(item.get("id"))
        if item_id in taken or not same_certification(patch.sent, item):
            continue
        created = _instant(item.get("createdDateTime"))
        if earliest is not None and created < earliest:
            continue
        found.append((created, item_id))
    return min(found)[1] if found else None


def _instant(text: Any) -> dt.datetime:
    """A Graph or journal timestamp as an aware datetime (the far future when unreadable: never too old)."""
    if not isinstance(text, str):
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(_trim(text))
    except ValueError:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _trim(text: str) -> str:
    """Graph's 7 fraction digits cut to Python's 6, "Z" as "+00:00"."""
    body = text.strip().replace("Z", "+00:00")
    head, dot, rest = body.partition(".")
    if not dot:
        return body
    digits = "".join(c for c in rest if c.isdigit())
    zone = rest[len(digits):]
    return f"{head}.{digits[:6]}{zone}"
