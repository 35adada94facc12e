"""Admission: which proposals of one staging call pass the per-cell rules, and what the call then changes.

Every staging call (`Staged.set`, `apply`, `from_changes`, the merge's fills) takes one path: its proposals
are admitted cell by cell (`admit`: the value's own rule, a staged delete or a new certification's title,
two values for one cell in the same call), the rules that need the whole row follow (dates in order, owned
values), and what passed becomes edits to stage and edits to withdraw (`settle`).

    >>> from certnb.staging.edit import RowSnapshot
    >>> from certnb.staging.rows import Target
    >>> from certnb.staging.refusals import Refusals
    >>> row = RowSnapshot("u1", "c1", "a@x", "A", "AZ-104", {"endDate": "2026-12-31"})
    >>> changes, problems = admit([(Target(0, ("u1", "c1")), "endDate", "2027-06-30", "2027-06-30")], {},
    ...                           Refusals(None, {("u1", "c1"): row}))
    >>> staged, unstaged = settle(changes, {("u1", "c1"): row}, {})
    >>> problems, [(e.field, e.before, e.after) for e in staged], unstaged
    ([], [('endDate', '2026-12-31', '2027-06-30')], [])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from certnb.errors import ValidationError
from certnb.staging.creates import has_title
from certnb.staging.edit import Edit, Refusal, RowSnapshot
from certnb.staging.operations import CREATE, DELETE
from certnb.staging.proposals import Proposal
from certnb.staging.refusals import Change, Refusals, conflict_rule

__all__ = ["Changes", "admit", "settle"]

Changes = dict[tuple[str, str, str], Change]
"""A call's admitted changes by (userId, id, field): (row, the value as given, its wire value)."""

_Key = tuple[str, str, str]


def admit(proposed: Iterable[Proposal], edits: Mapping[_Key, Edit],
          refusals: Refusals) -> tuple[Changes, list[ValidationError]]:
    """The proposals that pass the per-cell rules, by cell, and a problem for each one that does not;
    `edits` are the edits staged so far."""
    problems: list[ValidationError] = []
    changes: Changes = {}
    for target, name, raw, checked in proposed:
        if target.problem is not None:
            problems.append(refusals.problem(target, name, raw, target.problem))
        elif isinstance(checked, Refusal):
            problems.append(refusals.problem(target, name, raw, str(checked)))
        elif target.key is not None and (target.key[0], target.key[1], DELETE) in edits:
            problems.append(refusals.problem(target, name, raw, "the certification is staged for "
                                             "deletion: unstage the delete first to edit it"))
        elif (target.key is not None and name == "displayName" and not has_title(checked)
              and (target.key[0], target.key[1], CREATE) in edits):
            problems.append(refusals.problem(target, name, raw, "a new certification needs a title"))
        elif target.key is not None:
            key = (target.key[0], target.key[1], name)
            earlier = changes.get(key)
            if earlier is not None and earlier[2] != checked:
                rule = conflict_rule(refusals, earlier, name)
                problems.append(refusals.problem(target, name, raw, rule))
                continue
            changes[key] = (target, raw, checked)
    return changes, problems


def settle(changes: Changes, snapshots: Mapping[tuple[str, str], RowSnapshot],
           edits: Mapping[_Key, Edit]) -> tuple[list[Edit], list[_Key]]:
    """What admitted `changes` do to the staged `edits`: the edits to stage (a new value) and the keys to
    withdraw (a cell set back to its loaded value). A value already staged stages nothing again."""
    staged: list[Edit] = []
    unstaged: list[_Key] = []
    for key, (_, _, after) in changes.items():
        before = snapshots[key[0], key[1]].loaded.get(key[2])
        current = edits.get(key)
        if after == before:
            if current is not None:
                unstaged.append(key)  # set back to the loaded value: nothing left to change
        elif current is None or current.after != after:
            staged.append(Edit(key[0], key[1], key[2], before, after))
    return staged, unstaged
