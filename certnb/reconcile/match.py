"""Which Graph certification each source row is: the matching rules and the statuses, pure.

    >>> held = [Held("adele", "c1", {"displayName": "AZ-104", "certificationId": "X1",
    ...                              "endDate": pd.Timestamp("2026-06-30")})]
    >>> claims = [Claim(2, "adele", {"displayName": "AZ-104", "certificationId": " x1 ",
    ...                              "endDate": pd.Timestamp("2027-06-30")})]
    >>> [entry] = match(held, claims, ["displayName", "endDate"])
    >>> entry.status, entry.graph_id, [d.field for d in entry.differences]
    ('different', 'c1', ['endDate'])

A source row and a Graph certification of the same person are the same certification when both have a
`certificationId` and the two are equal (trimmed, without case); otherwise when their titles are equal
(without case, repeated spaces collapsed) and so are their issuers, as `certnb.frame.audit.issuer_key`
reduces them ("MSFT" ≈ "Microsoft" ≈ "Microsoft Corporation"): either side's issuing authority or company
against either of the other's. A side that names no issuer does not rule a match out; a title always must
agree.

Statuses (`STATUSES`): `equal`; `different` (the compared fields that differ, Graph's value → the source's);
`only_in_source`; `only_in_graph`; `ambiguous` (a source row with two or more candidates, or a Graph
certification two source rows claim: never picked, a person decides, `decisions`); `unknown_person` (the
row's person is not in the tenant). Graph certifications count as `only_in_graph` for the people the
source names (`scope="people"`, the default: an export of one department says nothing about the others), or
for everyone (`scope="tenant"`). An empty source cell says nothing (it is not compared) unless
`clear_blanks=True`, when it means "no value" and differs from one set in Graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import pandas as pd

from certnb.frame.audit import issuer_key
from certnb.schema import FIELDS_BY_COLUMN, is_missing

__all__ = [
    "ISSUER_FIELDS",
    "STATUSES",
    "STATUS_TEXT",
    "Claim",
    "Difference",
    "Entry",
    "Held",
    "Status",
    "differing_fields",
    "identifies",
    "match",
    "same_value",
]

Status = Literal["equal", "different", "only_in_source", "only_in_graph", "ambiguous", "unknown_person"]
STATUSES: tuple[Status, ...] = (
    "equal", "different", "only_in_source", "only_in_graph", "ambiguous", "unknown_person"
)
"""The statuses, in report order."""

STATUS_TEXT: dict[str, tuple[str, str, str]] = {
    "equal": ("Equal", "#2e7d32", "nothing to do"),
    "different": ("Different", "#e65100", "stage() updates Graph from the source"),
    "only_in_source": ("Only in the source", "#1565c0", "stage() creates them in Graph"),
    "only_in_graph": ("Only in Graph", "#6a1b9a", "kept; stage(..., delete=True) deletes them"),
    "ambiguous": ("Ambiguous", "#c62828", "a person decides: rec.decide(row, graph_id)"),
    "unknown_person": ("Unknown person", "#616161", "not in the tenant (left the company?): never created"),
}
"""Status → (label, colour, what it means or what to do next)."""

ISSUER_FIELDS: tuple[str, ...] = ("issuingAuthority", "issuingCompany")
Scope = Literal["people", "tenant"]


@dataclass(frozen=True)
class Held:
    """A Graph certification: its holder (`People` key), its id, and its values by field (frame types)."""

    person: str
    id: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Claim:
    """A source row: its number, its person (`People` key; `None` when not in the tenant), its values."""

    row: int
    person: str | None
    values: Mapping[str, Any]


class Difference(NamedTuple):
    """A compared field whose values differ: Graph's value and the source's."""

    field: str
    graph: Any
    source: Any


@dataclass(frozen=True)
class Entry:
    """One line of a reconciliation: a source row, a Graph certification, or both.

    `candidates`: the Graph ids an ambiguous row could be; `rivals`: the other source rows claiming the same
    Graph certification; `decided`: the pair (or "none of them") was set by `decisions`.
    """

    status: Status
    row: int | None
    person: str | None
    graph_id: str | None
    differences: tuple[Difference, ...] = ()
    candidates: tuple[str, ...] = ()
    rivals: tuple[int, ...] = ()
    decided: bool = False


def _reference(values: Mapping[str, Any]) -> str | None:
    value = values.get("certificationId")
    if value is None or is_missing(value):
        return None
    return str(value).strip().casefold() or None


def _title(values: Mapping[str, Any]) -> str | None:
    value = values.get("displayName")
    if value is None or is_missing(value):
        return None
    return " ".join(str(value).split()).casefold() or None


def _issuers(values: Mapping[str, Any]) -> set[str]:
    found = set()
    for name in ISSUER_FIELDS:
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            found.add(issuer_key(value))
    return found


def identifies(source: Mapping[str, Any], graph: Mapping[str, Any]) -> bool:
    """True when a source row's values and a Graph certification's name the same certification (module
    docstring: the certification id when both have one, else title and issuer).

    >>> identifies({"displayName": "PMP ", "issuingCompany": "MSFT"},
    ...            {"displayName": "pmp", "issuingAuthority": "Microsoft Corporation"})
    True
    >>> identifies({"certificationId": "A1", "displayName": "PMP"},
    ...            {"certificationId": "B2", "displayName": "PMP"})
    False
    """
    ours, theirs = _reference(source), _reference(graph)
    if ours is not None and theirs is not None:
        return ours == theirs
    title = _title(source)
    if title is None or title != _title(graph):
        return False
    a, b = _issuers(source), _issuers(graph)
    return not a or not b or bool(a & b)


def same_value(name: str, graph: Any, source: Any, *, clear_blanks: bool = False) -> bool:
    """True when the source's value of field `name` agrees with Graph's (texts compared with repeated and
    surrounding spaces collapsed, case kept: a new spelling is a difference to stage; a certification id
    without case, as it is matched).

    >>> same_value("displayName", "AZ-104  Admin", "AZ-104 Admin"), same_value("endDate", pd.NaT, None)
    (True, True)
    """
    if source is None:
        return not clear_blanks or is_missing(graph)
    if is_missing(graph):
        return False
    kind = FIELDS_BY_COLUMN[name].kind
    if name == "certificationId":  # an issuer's reference: its case is how a system prints it, not a change
        return str(graph).strip().casefold() == str(source).strip().casefold()
    if kind in ("string", "url"):
        return " ".join(str(graph).split()) == " ".join(str(source).split())
    if kind == "number":
        return bool(float(graph) == float(source))
    if kind == "list":
        return bool(list(graph) == list(source))
    return bool(graph == source)


def match(
    held: Iterable[Held],
    claims: Sequence[Claim],
    fields: Sequence[str],
    decisions: Mapping[int, str | None] | None = None,
    *,
    scope: Scope = "people",
    clear_blanks: bool = False,
) -> list[Entry]:
    """Every source row's entry, in source order, then the Graph certifications no row claims.

    `decisions` maps a source row to the Graph id it is (or `None`: it is none of them, a new one); the
    caller checks that the id is one of that person's (see `Reconciliation.decide`).
    """
    decisions = decisions or {}
    by_person: dict[str, list[Held]] = {}
    by_id: dict[str, Held] = {}
    for certification in held:
        by_person.setdefault(certification.person, []).append(certification)
        by_id[certification.id] = certification
    taken = {graph_id for graph_id in decisions.values() if graph_id is not None}
    found: dict[int, list[Held]] = {}
    claimed_by: dict[str, list[int]] = {}
    for claim in claims:
        if claim.person is None or claim.row in decisions:
            continue
        candidates = [h for h in by_person.get(claim.person, ())
                      if h.id not in taken and identifies(claim.values, h.values)]
        found[claim.row] = candidates
        for candidate in candidates:
            claimed_by.setdefault(candidate.id, []).append(claim.row)

    def compared(claim: Claim, certification: Held, decided: bool) -> Entry:
        differences = tuple(
            Difference(name, certification.values.get(name), claim.values.get(name)) for name in fields
            if not same_value(name, certification.values.get(name), claim.values.get(name),
                              clear_blanks=clear_blanks)
        )
        return Entry("different" if differences else "equal", claim.row, claim.person, certification.id,
                     differences, decided=decided)

    entries: list[Entry] = []
    for claim in claims:
        if claim.person is None:
            entries.append(Entry("unknown_person", claim.row, None, None))
        elif claim.row in decisions:
            chosen = decisions[claim.row]
            if chosen is None:
                entries.append(Entry("only_in_source", claim.row, claim.person, None, decided=True))
            else:
                entries.append(compared(claim, by_id[chosen], True))
        else:
            candidates = found[claim.row]
            rivals = tuple(sorted({r for c in candidates for r in claimed_by[c.id] if r != claim.row}))
            if not candidates:
                entries.append(Entry("only_in_source", claim.row, claim.person, None))
            elif len(candidates) == 1 and not rivals:
                entries.append(compared(claim, candidates[0], False))
            else:
                entries.append(Entry("ambiguous", claim.row, claim.person, None,
                                     candidates=tuple(c.id for c in candidates), rivals=rivals))
    in_scope = set(by_person) if scope == "tenant" else {c.person for c in claims if c.person is not None}
    for person in (p for p in by_person if p in in_scope):
        for certification in by_person[person]:
            if certification.id not in taken and certification.id not in claimed_by:
                entries.append(Entry("only_in_graph", None, person, certification.id))
    return entries


def differing_fields(entries: Iterable[Entry]) -> pd.Series:
    """How many `different` entries each field differs in, most first (for the summary line)."""
    counts: dict[str, int] = {}
    for entry in entries:
        for difference in entry.differences:
            counts[difference.field] = counts.get(difference.field, 0) + 1
    return pd.Series(counts, dtype="int64").sort_values(ascending=False, kind="stable")
