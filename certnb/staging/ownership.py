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
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, NamedTuple

from certnb.frame.names import label
from certnb.frame.owners import Ownership

__all__ = ["OWNED_CHOICES", "Owned", "OwnedChange", "OwnedValueWarning", "checked_choice", "joined",
           "owned_changes", "owned_rule", "warn_owned"]

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
