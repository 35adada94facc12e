"""Commit's writes to the journal's `outcomes` and `sends` tables, in one journal transaction.

    >>> import sqlite3
    >>> db = sqlite3.connect(":memory:")
    >>> _ = db.execute(f"CREATE TABLE outcomes (id INTEGER PRIMARY KEY, {', '.join(OUTCOME_FIELDS)})")
    >>> OutcomeWrites(db).add_outcomes([(1, "u1", "c1", "endDate", 1, "applied", 200, None, None, None,
    ...                                  "2026-11-30T09:00Z", True, "megan@contoso.example")])
    >>> db.execute("SELECT edit_seq, outcome, done FROM outcomes").fetchall()
    [(1, 'applied', 1)]
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

__all__ = ["OUTCOME_COLUMNS", "OUTCOME_FIELDS", "OutcomeWrites"]

OUTCOME_FIELDS: tuple[str, ...] = (
    "edit_seq", "user_id", "cert_id", "field", "attempt", "outcome", "status", "code", "request_id", "detail",
    "time", "done", "committed_by",
)
"""A row of the `outcomes` table, as commit writes it (`OutcomeWrites.add_outcomes`); `done` is commit's word
that the edit needs no further PATCH, which is all staging reads of it (`done_seqs`, `Staged.pending`);
`committed_by` the signed-in account of the commit that recorded it."""

OUTCOME_COLUMNS: tuple[str, ...] = (
    "userId", "id", "field", "edit_seq", "attempt", "outcome", "status", "code", "request_id", "time",
    "detail", "reason", "staged_by", "committed_by",
)
"""The columns of the outcome table (`Staged.outcomes`)."""

_INSERT_OUTCOME = (f"INSERT INTO outcomes ({', '.join(OUTCOME_FIELDS)}) "
                   f"VALUES ({', '.join('?' * len(OUTCOME_FIELDS))})")


class OutcomeWrites:
    """Commit's writes in one journal transaction (`Journal.transaction`)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def add_outcomes(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Store outcome rows (each `OUTCOME_FIELDS`, in order)."""
        self._db.executemany(_INSERT_OUTCOME, rows)

    def add_sends(self, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
        """Note writes about to go out: (edit_seq, user_id, cert_id, method, time); the first time is kept
        as `time`, the latest as `last`."""
        rows = list(rows)
        self._db.executemany("INSERT OR IGNORE INTO sends (edit_seq, user_id, cert_id, method, time, last) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [(*row, row[4]) for row in rows])
        self._db.executemany("UPDATE sends SET last = ? WHERE edit_seq = ?",
                             [(row[4], row[0]) for row in rows])

    def set_new_ids(self, pairs: Iterable[tuple[int, str]]) -> None:
        """Record the id Graph gave each created certification: (edit_seq of its `@create`, id)."""
        self._db.executemany("UPDATE sends SET new_id = ? WHERE edit_seq = ?",
                             [(new_id, seq) for seq, new_id in pairs])

