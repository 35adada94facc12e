"""Edits of values another system owns: refused before anything is sent, staged with a warning, or routed
to the list of fixes to make in that system instead (`owned=` of `certnb.stage`).

Who owns a value is the frame's `sources` read by `certnb.frame.owners` (an admin-controlled source that
lists the field, or the whole item). Microsoft's docs say a person cannot edit such a value via Graph; an
edit that goes through anyway is put back by the source's next import. So by default staging refuses it,
naming the person, certification, field, value and owner:

    >>> from certnb.frame.build import build_frame
    >>> from certnb.errors import EditsRefused
    >>> from certnb.staging.staged import stage
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example", "displayName": "Adele",
    ...     "certifications": [{"id": "c1", "displayName": "AZ-104", "endDate": "2026-12-31",
    ...                         "sources": [{"sourceId": "wd-1", "properties": ["endDate"]}]}]}],
    ...     profile_sources=[{"id": "wd-1", "displayName": "Workday", "kind": "HR connector"}])
    >>> try:
    ...     stage(df).set(0, endDate="2027-06-30")
    ... except EditsRefused as refused:
    ...     print(refused.problems[0])
    Adele (adele@contoso.example) · AZ-104: Expires is owned by Workday (HR connector): fix it there, or \
pass owned='warn' to stage it anyway (owned='source' lists it in staged.source_fixes()) (value '2027-06-30')

`owned="warn"` stages such edits (journaled as any other) and says so with an `OwnedValueWarning`;
`owned="source"` stages the rest of the call and lists the owned ones in `staged.source_fixes()` (person,
certification, field, Graph's value, the wanted value, the owner), to send to that system's owner. A delete
of an item any admin-controlled source supplies is treated alike. Only rows of the frame are known to be
owned: a journal reopened without its frame (`Staged.open(path)`) has no `sources` to read.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, NamedTuple

import pandas as pd

from certnb.errors import ValidationError
from certnb.frame.names import label
from certnb.frame.owners import Ownership
from certnb.staging.edit import RowSnapshot
from certnb.staging.operations import DELETE
from certnb.staging.refusals import Refusals
from certnb.staging.rows import Target
from certnb.staging.source_fixes import SourceFix, SourceFixes

__all__ = ["OWNED_CHOICES", "Owned", "OwnedChange", "OwnedValueWarning", "OwnedValues", "checked_choice",
           "joined", "owned_changes", "owned_rule", "warn_owned"]

Owned = Literal["refuse", "warn", "source"]
OWNED_CHOICES: tuple[str, ...] = ("refuse", "warn", "source")
"""What staging does with an edit of an owned value: refuse the call, stage it with a warning, or route it
to `source_fixes()`."""
_WARNED = 5  # edits spelled out in one warning


class OwnedValueWarning(UserWarning):
    """Edits of values another system owns were staged (`owned="warn"`): Graph may refuse them, or the
    owning system's next import put the old values back."""


class OwnedChange(NamedTuple):
    """An edit of an owned value found in a staging call: its key, the wire value, and who owns it."""

    key: tuple[str, str, str]
    after: Any
    owners: tuple[str, ...]


def checked_choice(owned: object) -> Owned:
    """`owned` if it is one of `OWNED_CHOICES`, else `ValueError` naming them.

    >>> checked_choice("maybe")
    Traceback (most recent call last):
    ...
    ValueError: owned must be 'refuse', 'warn' or 'source'; got 'maybe'
    """
    if owned not in OWNED_CHOICES:
        raise ValueError(f"owned must be 'refuse', 'warn' or 'source'; got {owned!r}")
    return owned  # type: ignore[return-value]


def joined(names: Iterable[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def owned_rule(field: str | None, owners: tuple[str, ...]) -> str:
    """The refusal of an edit (or delete, `field` None) of an owned value, in the forms' words.

    >>> owned_rule("endDate", ("Workday (HR connector)",))
    "Expires is owned by Workday (HR connector): fix it there, or pass owned='warn' to stage it anyway \
(owned='source' lists it in staged.source_fixes())"
    """
    if field is None:
        return (f"the certification comes from {joined(owners)}: delete it there, or pass owned='warn' to "
                "stage the delete anyway (owned='source' lists it in staged.source_fixes())")
    return (f"{label(field)} is owned by {joined(owners)}: fix it there, or pass owned='warn' to stage it "
            "anyway (owned='source' lists it in staged.source_fixes())")


def owned_changes(ownership: Ownership, changes: Iterable[tuple[tuple[str, str, str], Any, Any]]
                  ) -> list[OwnedChange]:
    """The changes (key, wire value, loaded value) that would change a value an admin source owns; a value
    set back to the loaded one changes nothing and is left alone."""
    if not ownership:
        return []
    found = []
    for key, after, before in changes:
        if after == before:
            continue
        owning = ownership.owners((key[0], key[1]), key[2])
        if owning:
            found.append(OwnedChange(key, after, owning))
    return found


_PACKAGE = str(Path(__file__).resolve().parents[1])  # certnb/


def _caller_level() -> int:
    """The `stacklevel` of the first frame outside certnb: the notebook cell that made the call, however
    deep inside staging the warning is raised."""
    frame, level = sys._getframe(1), 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1  # type: ignore[assignment]
    return level


def warn_owned(lines: list[str]) -> None:
    """One `OwnedValueWarning` for a call's staged edits of owned values (`lines`: who, what, whose),
    attributed to the caller's line."""
    if not lines:
        return
    shown = "\n".join(f"  {line}" for line in lines[:_WARNED])
    more = f"\n  ... and {len(lines) - _WARNED} more" if len(lines) > _WARNED else ""
    count = len(lines)
    warnings.warn(
        f"{count} staged edit{'s' if count != 1 else ''} change{'s' if count == 1 else ''} values other "
        "systems own (owned='warn'); Graph may refuse them, or the owner's next import put the old values "
        f"back:\n{shown}{more}",
        OwnedValueWarning,
        stacklevel=_caller_level(),
    )


Change = tuple[Target, Any, Any]  # a staging call's change of one cell: (row, the value as given, wire value)
OwnedItem = tuple[Target, tuple[str, ...]]  # a certification to delete, and who supplies it


class OwnedValues:
    """What one `Staged` does with edits and deletes of values other systems own (`owned`), and the source
    fixes it collected; `Staged` asks it at the two places every edit and every delete pass through."""

    def __init__(self, frame: pd.DataFrame | None, owned: object) -> None:
        self.mode: Owned = checked_choice(owned)
        self.ownership = Ownership(frame)
        self.fixes = SourceFixes()

    # -- edits (Staged._stage) -------------------------------------------------------------------------

    def edits(self, changes: dict[tuple[str, str, str], Change],
              snapshots: dict[tuple[str, str], RowSnapshot]) -> list[OwnedChange]:
        """The changes of a call that would change an owned value."""
        return owned_changes(self.ownership, ((key, after, snapshots[key[0], key[1]].loaded.get(key[2]))
                                              for key, (_, _, after) in changes.items()))

    def edit_problems(self, owned: list[OwnedChange], changes: dict[tuple[str, str, str], Change],
                      refusals: Refusals) -> list[ValidationError]:
        """The refusals of those changes (none unless `owned="refuse"`), each with the value as Graph
        would get it (a date as YYYY-MM-DD), not as typed."""
        if self.mode != "refuse":
            return []
        return [refusals.problem(changes[c.key][0], c.key[2], c.after, owned_rule(c.key[2], c.owners))
                for c in owned]

    def settle_edits(self, owned: list[OwnedChange], changes: dict[tuple[str, str, str], Change],
                     snapshots: dict[tuple[str, str], RowSnapshot], refusals: Refusals) -> bool:
        """A call that passed: warn of its owned changes (`"warn"`), or take them out of `changes` (and
        their rows, if nothing else changes there, out of `snapshots`) as source fixes (`"source"`). A cell
        set back to Graph's value forgets its fix. True when the source fixes changed."""
        before = len(self.fixes)
        forgotten = False
        for key, (_, _, after) in changes.items():
            if after == snapshots[key[0], key[1]].loaded.get(key[2]):
                forgotten = self.fixes.drop(key) or forgotten
        if self.mode == "warn":
            warn_owned([f"{refusals.problem(changes[c.key][0], c.key[2], c.after, '').subject}: "
                        f"{label(c.key[2])} {c.after!r}, owned by {joined(c.owners)}" for c in owned])
        elif self.mode == "source" and owned:
            for c in owned:
                target = changes.pop(c.key)[0]
                self._note(target, c.key[2], snapshots[c.key[0], c.key[1]], c.after, c.owners, refusals)
            kept = {(k[0], k[1]) for k in changes}
            for row in [k for k in snapshots if k not in kept]:
                del snapshots[row]
        return forgotten or len(self.fixes) != before or (self.mode == "source" and bool(owned))

    # -- deletes (Staged.delete, from_changes, merge_duplicates) -----------------------------------------

    def deletes(self, targets: Iterable[Target], created: frozenset[tuple[str, str]]) -> list[OwnedItem]:
        """The targets whose certification an admin-controlled source supplies (a staged create is
        nobody's)."""
        found = []
        for target in targets:
            if target.key is None or target.key in created:
                continue
            owners = self.ownership.item_owners(target.key)
            if owners:
                found.append((target, owners))
        return found

    def delete_problems(self, owned: list[OwnedItem], refusals: Refusals) -> list[ValidationError]:
        """The refusals of those deletes (none unless `owned="refuse"`)."""
        if self.mode != "refuse":
            return []
        return [refusals.problem(t, DELETE, None, owned_rule(None, owners), field_label="the certification")
                for t, owners in owned]

    def settle_deletes(self, targets: list[Target], owned: list[OwnedItem], refusals: Refusals,
                       snapshot: Callable[[Target], RowSnapshot]) -> tuple[list[Target], bool]:
        """The targets to delete: all of them (warning of the owned ones, `"warn"`), or those no source
        supplies, the others noted as source fixes (`"source"`); and whether the source fixes changed."""
        if not owned:
            return targets, False
        if self.mode != "source":
            warn_owned([f"{refusals.names(t)}: the certification, supplied by {joined(o)}, deleted"
                        for t, o in owned])
            return targets, False
        for target, owners in owned:
            self._note(target, None, snapshot(target), None, owners, refusals)
        routed = {t.key for t, _ in owned}
        return [t for t in targets if t.key not in routed], True

    def _note(self, target: Target, field: str | None, snapshot: RowSnapshot, wanted: Any,
              owners: tuple[str, ...], refusals: Refusals) -> None:
        names = refusals.names(target)
        graph = snapshot.display_name if field is None else snapshot.loaded.get(field)
        self.fixes.note(SourceFix(
            snapshot.user_id, snapshot.cert_id, field, None if names is None else names.person,
            snapshot.user_principal_name, None if names is None else names.certification, graph, wanted,
            joined(owners)))
