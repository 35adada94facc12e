"""The named end states of one edit in one commit (STYLE §9): `Outcome`, a `StrEnum`, so it is its string.

    applied          the PATCH carrying the edit succeeded (or failed with 429/5xx, yet the server holds it)
    already_applied  the server already held the new value; nothing was sent for it
    conflict         the server's value changed since it was loaded; not written (contract §2: no ETag)
    missing          the certification (or its user) no longer exists on the server
    rejected         Graph refused the PATCH with a 4xx; `code` and `message` say why
    not_permitted    the tenant does not let this caller write it (permission.py): never retried
    failed           gave up after the allowed attempts (429, 5xx, dropped connections)

    >>> Outcome.APPLIED == "applied", Outcome("already_applied").done, Outcome.CONFLICT.done
    (True, True, False)
    >>> Outcome.NOT_PERMITTED.label
    'not permitted by this tenant'
    >>> Outcome.named("done")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: outcome 'done' is not one of applied, already_applied, ..., failed
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DONE", "OUTCOMES", "Outcome"]


class Outcome(StrEnum):
    """How one edit ended in one commit; members are listed in the order a result's summary counts them."""

    APPLIED = "applied"
    ALREADY_APPLIED = "already_applied"
    CONFLICT = "conflict"
    MISSING = "missing"
    REJECTED = "rejected"
    NOT_PERMITTED = "not_permitted"
    FAILED = "failed"

    @classmethod
    def named(cls, name: str) -> Outcome:
        """The outcome called `name`; a `ValueError` naming every outcome for any other name."""
        found = _BY_NAME.get(name)
        if found is None:
            raise ValueError(f"outcome {name!r} is not one of {', '.join(cls)}")
        return found

    @property
    def done(self) -> bool:
        """True when the server holds the edit's new value afterwards: no further PATCH is needed."""
        return self in DONE

    @property
    def label(self) -> str:
        """The name as a summary spells it: "already applied", "not permitted by this tenant"."""
        if self is Outcome.NOT_PERMITTED:
            return "not permitted by this tenant"
        return self.value.replace("_", " ")


_BY_NAME: dict[str, Outcome] = {outcome.value: outcome for outcome in Outcome}  # faster than Outcome(name)

OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
"""Every outcome, in summary order."""

DONE: frozenset[Outcome] = frozenset({Outcome.APPLIED, Outcome.ALREADY_APPLIED})
"""The outcomes after which an edit needs no further PATCH (undo inverts only `applied`: undo.py)."""
