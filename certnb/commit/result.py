"""`CommitResult`, the table a commit returns: one line per staged edit, with its named outcome.

A result lists every staged edit; an outcome an earlier commit recorded (an edit that was already done, so
nothing was sent for it) is marked `earlier`, and the summary counts the two apart.

>>> result = CommitResult([OutcomeRecord("u1", "c1", "endDate", "2026-12-31", "2027-12-31", "applied", 200)])
>>> result
1 applied
>>> result.table[["userId", "id", "field", "outcome", "earlier"]].values.tolist()
[['u1', 'c1', 'endDate', 'applied', False]]
>>> CommitResult([*result, OutcomeRecord("u1", "c2", "endDate", None, "2027-12-31", "applied", earlier=True)])
1 applied now, 1 applied earlier
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from certnb.commit.outcome import OUTCOMES, Outcome
from certnb.commit.record import RESULT_COLUMNS, OutcomeRecord
from certnb.commit.result_report import result_html, result_text
from certnb.commit.undo import Undo, undo_records
from certnb.staging.operations import CREATE, DELETE

if TYPE_CHECKING:
    from pathlib import Path

    from certnb.staging.edit import RowSnapshot
    from certnb.staging.staged import Staged

__all__ = ["CommitResult", "count_outcomes", "operations"]


def count_outcomes(records: Iterable[OutcomeRecord]) -> dict[str, int]:
    """Records per outcome name, in summary order (`OUTCOMES`), outcomes that did not occur left out.

    >>> count_outcomes([OutcomeRecord("u1", "c1", "endDate", None, "2027-12-31", "conflict")])
    {'conflict': 1}
    """
    found = Counter(record.outcome for record in records)
    return {outcome.value: found[outcome] for outcome in OUTCOMES if found[outcome]}


def operations(records: Iterable[OutcomeRecord]) -> list[OutcomeRecord]:
    """The records a summary counts: one per edit, one per create (its `@create` record; the fields it set
    travel in the same POST and end the same way), one per delete.

    >>> made = [OutcomeRecord("u1", "new-1", f, None, v, "applied") for f, v in [("@create", None),
    ...         ("displayName", "CKA"), ("endDate", "2029-11-01")]]
    >>> [r.field for r in operations(made)]
    ['@create']
    """
    kept = list(records)
    created = {(r.user_id, r.cert_id) for r in kept if r.field == CREATE}
    return [r for r in kept if r.field == CREATE or (r.user_id, r.cert_id) not in created]


def _spelt(counts: dict[str, int], suffix: str = "") -> str:
    return ", ".join(f"{n} {Outcome.named(name).label}{suffix}" for name, n in counts.items())


def _made(records: Iterable[OutcomeRecord]) -> str:
    """" (2 created, 1 deleted)": the creates and deletes among what is done, "" when there are none."""
    done = [r for r in records if r.done]
    created = sum(1 for r in done if r.field == CREATE)
    deleted = sum(1 for r in done if r.field == DELETE)
    parts = [f"{n} {what}" for n, what in ((created, "created"), (deleted, "deleted")) if n]
    return f" ({', '.join(parts)})" if parts else ""


class CommitResult:
    """The outcome of every staged edit of a commit: `.table` (a DataFrame), `.counts`, a one-line summary.

    Iterating yields `OutcomeRecord`s; indexing and attribute access reach the table (`result["outcome"]`,
    `result.outcome`); `undo()` stages the inverse of what was applied.
    """

    def __init__(self, records: Iterable[OutcomeRecord], staged: Staged | None = None,
                 audit_log: Path | None = None) -> None:
        self.outcomes: tuple[OutcomeRecord, ...] = tuple(records)
        self.staged = staged
        self.audit_log = audit_log
        self.table = pd.DataFrame([record.result_line() for record in self.outcomes],
                                  columns=list(RESULT_COLUMNS), dtype=object)

    @property
    def counts(self) -> dict[str, int]:
        """Operations per outcome (each edit, create and delete once: `operations`), in summary order,
        outcomes that did not occur left out."""
        return count_outcomes(operations(self.outcomes))

    @property
    def ok(self) -> bool:
        """True when every edit ended `applied` or `already_applied`."""
        return all(record.done for record in self.outcomes)

    def summary(self) -> str:
        """"12 applied, 1 conflict"; "3 applied now, 21 applied earlier" when earlier commits settled some
        edits; "nothing new to commit (21 applied earlier)"; or "nothing to commit"."""
        counted = operations(self.outcomes)
        now = count_outcomes(r for r in counted if not r.earlier)
        earlier = count_outcomes(r for r in counted if r.earlier)
        made = _made(r for r in counted if not r.earlier)  # what this commit created and deleted
        if not earlier:
            return (_spelt(now) or "nothing to commit") + made
        if not now:
            return f"nothing new to commit ({_spelt(earlier, ' earlier')})"
        return f"{_spelt(now, ' now')}{made}, {_spelt(earlier, ' earlier')}"

    def undo(self, journal: str | Path | None = None) -> Undo:
        """Stage the inverse edits (after → before) of the applied ones into a new `Staged` (see undo.py)."""
        return undo_records(self.outcomes, self.staged, journal=journal)

    def __len__(self) -> int:
        return len(self.outcomes)

    def __iter__(self) -> Iterator[OutcomeRecord]:
        return iter(self.outcomes)

    def __getitem__(self, key: Any) -> Any:
        return self.table[key]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("table", "outcomes"):
            raise AttributeError(name)
        try:
            return getattr(self.table, name)
        except AttributeError:
            raise AttributeError(f"CommitResult has no attribute {name!r} (nor has its table)") from None

    def __repr__(self) -> str:
        return result_text(self.summary(), operations(self.outcomes), self._rows())

    def _repr_html_(self) -> str:
        return result_html(self.summary(), self.counts, operations(self.outcomes), self._rows())

    def _rows(self) -> dict[tuple[str, str], RowSnapshot]:
        return self.staged.rows if self.staged is not None else {}
