"""One write to a staging journal: a durable SQLite transaction, and the bulk INSERT it runs.

    >>> db, lock = sqlite3.connect(":memory:", isolation_level=None), threading.Lock()
    >>> with Transaction(db, lock):
    ...     _ = db.execute("CREATE TABLE t (x, y)")
    ...     insert(db, "t", "(?, ?)", [(n, n * n) for n in range(100)])
    >>> db.execute("SELECT count(*), sum(y) FROM t").fetchone()
    (100, 328350)

The journal (`certnb.staging.journal`) opens each transaction under its lock, so a call's rows and events
land together or not at all; it passes `refuse`, which turns a SQLite error about the file (locked by another
program, damaged) into the `certnb.errors.JournalError` that names it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from itertools import chain
from typing import Any, NoReturn

from certnb.errors import JournalError

__all__ = ["ROWS_PER_STATEMENT", "Transaction", "insert"]

ROWS_PER_STATEMENT = 32
"""Rows an INSERT statement carries in a bulk write (see `insert`)."""


def insert(db: sqlite3.Connection, into: str, row: str, values: list[tuple[Any, ...]]) -> None:
    """INSERT `values` (each filling the placeholders of `row`), `ROWS_PER_STATEMENT` rows per statement.

    Running a statement has a fixed cost beyond its rows, and SQLite rebuilds the `kind IN (...)` list of
    the `events` CHECK every time it runs one: 100,000 one-row INSERTs of events cost twice what the
    inserting does. With 32 rows a statement a bulk call writes its rows a fifth faster and its events twice.
    """
    whole = len(values) - len(values) % ROWS_PER_STATEMENT
    if whole:
        many = ", ".join([row] * ROWS_PER_STATEMENT)
        db.executemany(
            f"INSERT INTO {into} VALUES {many}",
            (
                tuple(chain.from_iterable(values[start:start + ROWS_PER_STATEMENT]))
                for start in range(0, whole, ROWS_PER_STATEMENT)
            ),
        )
    db.executemany(f"INSERT INTO {into} VALUES {row}", values[whole:])


class Transaction:
    """`BEGIN IMMEDIATE` … `COMMIT` (or `ROLLBACK`) under the journal's lock.

    >>> db, lock = sqlite3.connect(":memory:", isolation_level=None), threading.Lock()
    >>> _ = db.execute("CREATE TABLE t (x)")
    >>> try:
    ...     with Transaction(db, lock):
    ...         _ = db.execute("INSERT INTO t VALUES (1)")
    ...         raise KeyboardInterrupt  # e.g. the kernel interrupted mid-call: nothing of it is kept
    ... except KeyboardInterrupt:
    ...     pass
    >>> db.execute("SELECT count(*) FROM t").fetchone()
    (0,)
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        lock: threading.Lock,
        refuse: Callable[[sqlite3.Error], JournalError | None] | None = None,
    ) -> None:
        self._db = db
        self._lock = lock
        self._refuse = refuse

    def __enter__(self) -> None:
        self._lock.acquire()
        try:
            self._db.execute("BEGIN IMMEDIATE")  # waits (the connection's timeout) for another's write
        except sqlite3.DatabaseError as error:
            self._lock.release()
            self._raise(error)
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if kind is None:
                try:
                    self._db.execute("COMMIT")
                except sqlite3.DatabaseError as failed:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    self._raise(failed)
            elif self._db.in_transaction:  # some errors (disk full, I/O) have rolled it back already
                self._db.execute("ROLLBACK")
        finally:
            self._lock.release()
        if isinstance(error, sqlite3.DatabaseError):
            self._raise(error)

    def _raise(self, error: sqlite3.DatabaseError) -> NoReturn:
        refused = self._refuse(error) if self._refuse is not None else None
        if refused is None:
            raise error
        raise refused from error
