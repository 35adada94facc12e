"""Named commit outcomes and `CommitResult`, the table a commit returns (one line per staged edit).

    applied          the PATCH carrying the edit succeeded (or failed with 429/5xx, yet the server holds it)
    already_applied  the server already held the new value; nothing was sent for it
    conflict         the server's value changed since it was loaded; not written (contract §2: no ETag)
    missing          the certification (or its user) no longer exists on the server
    rejected         Graph refused the PATCH with a 4xx; `code` and `message` say why
    failed           gave up after the allowed attempts (429, 5xx, dropped connections)

A result lists every staged edit; an outcome an earlier commit recorded (an edit that was already done, so
nothing was sent for it) is marked `earlier`, and the summary counts the two apart.

>>> result = CommitResult([Outcome("u1", "c1", "endDate", "2026-12-31", "2027-12-31", "applied", status=200)])
>>> result
1 applied
>>> result.table[["userId", "id", "field", "outcome", "earlier"]].values.tolist()
[['u1', 'c1', 'endDate', 'applied', False]]
>>> CommitResult([*result, Outcome("u1", "c2", "endDate", None, "2027-12-31", "applied", earlier=True)])
1 applied now, 1 applied earlier
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from certnb.staging.journal import DONE_OUTCOMES
from certnb.staging.journal import OUTCOMES as JOURNAL_OUTCOMES

if TYPE_CHECKING:
    from certnb.staging.staged import Staged

__all__ = ["DONE", "OUTCOMES", "RESULT_COLUMNS", "CommitResult", "Outcome"]

# Every end state of one edit in one commit, in the order the summary lists them (STYLE §9), and those after
# which the server holds the edit's new value (undo inverts only `applied`, undo.py): the journal's.
OUTCOMES = JOURNAL_OUTCOMES
DONE = DONE_OUTCOMES

RESULT_COLUMNS: tuple[str, ...] = (
    "userId", "id", "field", "before", "after", "outcome", "status", "code", "message", "requestId", "time",
    "earlier",
)
_SHOWN = 50  # rows shown by _repr_html_


@dataclass(frozen=True)
class Outcome:
    """What a commit did to one edit: its named outcome, with Graph's status, code, message and request-id;
    `earlier` when an earlier commit recorded it (this one sent nothing for the edit)."""

    user_id: str
    cert_id: str
    field: str
    before: Any
    after: Any
    outcome: str
    status: int | None = None
    code: str | None = None
    message: str | None = None
    request_id: str | None = None
    time: str = ""
    seq: int = 0
    earlier: bool = False

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome {self.outcome!r} is not one of {', '.join(OUTCOMES)}")

    @property
    def done(self) -> bool:
        """True when the server holds the new value."""
        return self.outcome in DONE


def _counts(outcomes: Iterable[Outcome]) -> list[tuple[str, int]]:
    """(readable outcome name, count) in `OUTCOMES` order, outcomes that did not occur left out."""
    found = Counter(o.outcome for o in outcomes)
    return [(name.replace("_", " "), found[name]) for name in OUTCOMES if found[name]]


class CommitResult:
    """The outcome of every staged edit of a commit: `.table` (a DataFrame), `.counts`, a one-line summary.

    Indexing and attribute access reach the table (`result["outcome"]`, `result.outcome`); `undo()` stages
    the inverse of what was applied.
    """

    def __init__(self, outcomes: Iterable[Outcome], staged: Staged | None = None,
                 audit_log: Any = None) -> None:
        self.outcomes: tuple[Outcome, ...] = tuple(outcomes)
        self.staged = staged
        self.audit_log = audit_log
        self.table = pd.DataFrame(
            [
                (o.user_id, o.cert_id, o.field, o.before, o.after, o.outcome, o.status, o.code, o.message,
                 o.request_id, o.time, o.earlier)
                for o in self.outcomes
            ],
            columns=list(RESULT_COLUMNS),
            dtype=object,
        )

    @property
    def counts(self) -> dict[str, int]:
        """Edits per outcome, in `OUTCOMES` order, outcomes that did not occur left out."""
        found = Counter(o.outcome for o in self.outcomes)
        return {name: found[name] for name in OUTCOMES if found[name]}

    @property
    def ok(self) -> bool:
        """True when every edit ended `applied` or `already_applied`."""
        return all(o.done for o in self.outcomes)

    def summary(self) -> str:
        """"12 applied, 1 conflict"; "3 applied now, 21 applied earlier" when earlier commits settled some
        edits; "nothing new to commit (21 applied earlier)"; or "nothing to commit"."""
        now = _counts(o for o in self.outcomes if not o.earlier)
        earlier = _counts(o for o in self.outcomes if o.earlier)
        if not earlier:
            return ", ".join(f"{n} {name}" for name, n in now) or "nothing to commit"
        then = ", ".join(f"{n} {name} earlier" for name, n in earlier)
        if not now:
            return f"nothing new to commit ({then})"
        return ", ".join(f"{n} {name} now" for name, n in now) + f", {then}"

    def undo(self, journal: Any = None) -> Staged:
        """Stage the inverse edits (after → before) of the applied ones into a new `Staged` (see undo.py)."""
        from certnb.commit.undo import undo_result

        return undo_result(self, journal=journal)

    def __len__(self) -> int:
        return len(self.outcomes)

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "table":
            raise AttributeError(name)
        try:
            return getattr(self.table, name)
        except AttributeError:
            raise AttributeError(f"CommitResult has no attribute {name!r} (nor has its table)") from None

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        shown = self.table.head(_SHOWN).to_html(index=False, na_rep="", escape=True)
        more = f"<p>… and {len(self) - _SHOWN} more rows (see .table)</p>" if len(self) > _SHOWN else ""
        return (f"<div class='certnb-commit'><p><b>{html.escape(self.summary())}</b></p>{shown}{more}</div>")
