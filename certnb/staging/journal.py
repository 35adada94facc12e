"""The staging journal: every accepted edit and every commit outcome, durable on disk before a call returns.

A journal is one SQLite file in WAL mode with `synchronous=FULL`: each staging call is one transaction, so
it is on disk when the call returns and a crash (or a killed kernel) loses nothing that was acknowledged,
while a bulk call of 100,000 edits costs one fsync, not 100,000. Several processes may stage into one journal
at once (each call waits for the other's transaction, up to `timeout` seconds); one commits at a time (the
commit lease, `lease.py`). Opening a path that is not a journal is refused, naming it (`journal_file.py`).

    >>> import tempfile, pathlib
    >>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "edits.journal")
    >>> row = RowSnapshot("u1", "c1", "a@x", "A", "AZ-104", {"endDate": "2026-12-31"})
    >>> [seq] = journal.append(rows=[row], staged=[Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31")])
    >>> rows, edits = journal.replay()
    >>> edits[("u1", "c1", "endDate")].after, edits[("u1", "c1", "endDate")].seq == seq
    ('2027-12-31', True)
    >>> journal.summary().pending
    1

What it holds (tables):

- `meta`: format version, creation time, and the owner: the tenant, Graph root and account of its first
  commit (`owner`, `bind`): a journal is committed through that tenant and root only;
- `rows`: the frame's identity, one `RowSnapshot` per edited certification (the loaded wire values), so a
  reopened journal needs no frame;
- `events`: an append-only log of `stage`, `unstage` (tombstone) and `clear`; replaying it in order gives
  back the staged edits exactly, in their order;
- `outcomes`: commit progress, one row per (edit, attempt): outcome, HTTP status, Graph error code,
  request-id, time, and whether the edit is done. The journal does not know what the outcomes mean: the commit
  (certnb.commit) writes its rows through `transaction()` and reads them back (`outcome_rows`); staging reads
  only which edits are done (`done_seqs`: left out of the next plan, which is how a commit resumes) and the
  latest outcome's name (for the diff);
- `sends`: the POSTs and DELETEs a commit sent (noted before they go out) and the id Graph gave each created
  certification: after a lost answer or a killed process, the commit knows the write may have landed and
  looks before sending it again (exactly-once creates, certnb.commit.run);
- `lease`: who is committing from it now, if anyone (`lease.py`).

The journal holds certification values and ids only: never a token, header or secret.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from certnb.staging import journal_export
from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.journal_facts import JournalOwner, JournalSummary
from certnb.staging.journal_file import open_journal, refusal
from certnb.staging.journal_rows import ROW_PLACEHOLDERS, ROWS_SELECT, row_records, row_snapshots
from certnb.staging.journal_values import BOOLEAN_FIELDS, stored_value, wire_value
from certnb.staging.lease import CommitLease, LeaseHolder, holder
from certnb.staging.outcome_writes import OUTCOME_COLUMNS, OUTCOME_FIELDS, OutcomeWrites
from certnb.staging.transaction import Transaction, insert

__all__ = ["DEFAULT_TIMEOUT", "OUTCOME_COLUMNS", "OUTCOME_FIELDS", "Journal", "JournalOwner",
           "JournalSummary", "OutcomeWrites"]

DEFAULT_TIMEOUT = 10.0
"""Seconds a write waits for another process's write to the same journal before `JournalLocked`."""

_LATEST = "SELECT MAX(id) FROM outcomes GROUP BY edit_seq"  # the latest outcome row of each edit


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class Journal:
    """An SQLite staging journal (see the module docstring); `path=None` keeps it in memory, not durable.

    `timeout` is how long (seconds) a write waits for another process's write before `JournalLocked`.

    >>> Journal(None).replay()
    ({}, {})
    """

    def __init__(self, path: str | Path | None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = None if path is None else Path(path)
        self._lock = threading.Lock()
        self._db = open_journal(self.path, timeout, created=_now())
        self._refuse = partial(refusal, path=self.path, timeout=timeout)
        self._lease: CommitLease | None = None
        self._outcome_listeners: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        return f"<Journal {self.path or ':memory:'}>"

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _transaction(self) -> Transaction:
        return Transaction(self._db, self._lock, self._refuse)

    def _read(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[Any]:
        """The rows of one query, under the lock; SQLite's errors about the file become `JournalError`s."""
        with self._lock:
            try:
                return self._db.execute(sql, parameters).fetchall()
            except sqlite3.DatabaseError as error:
                refused = self._refuse(error)
                if refused is None:
                    raise
                raise refused from error

    def meta(self) -> dict[str, str]:
        """The journal's own facts: format version, creation time, owner."""
        return dict(self._read("SELECT key, value FROM meta"))

    def summary(self, edits: Iterable[Edit] | None = None) -> JournalSummary | None:
        """What the journal holds (None when it holds nothing); `edits`, if given, are its replayed edits."""
        if not self._read("SELECT EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM rows) "
                          "OR EXISTS (SELECT 1 FROM outcomes)")[0][0]:
            return None
        staged = list(self.replay()[1].values() if edits is None else edits)
        tried, finished = self.latest_outcome_names(), self.done_seqs()
        done = sum(1 for e in staged if e.seq in finished)
        failed = sum(1 for e in staged if e.seq in tried and e.seq not in finished)
        [(written,)] = self._read("SELECT MAX(time) FROM (SELECT MAX(time) AS time FROM events "
                                  "UNION ALL SELECT MAX(time) FROM outcomes)")
        return JournalSummary(len(staged), len(staged) - done, done, failed,
                              written or self.meta().get("created", ""))

    # -- who commits it ----------------------------------------------------------------------------------

    def owner(self) -> JournalOwner | None:
        """The tenant, Graph root and account the journal was first committed through (None: not yet)."""
        meta = self.meta()
        if "owner.root" not in meta:
            return None
        return JournalOwner(meta.get("owner.tenant") or None, meta["owner.root"],
                            meta.get("owner.account") or None, meta.get("owner.since", ""))

    def bind(self, tenant_id: str | None, graph_root: str, account: str | None) -> JournalOwner:
        """Record the owner if none is recorded yet (the first commit); returns the recorded one."""
        with self._transaction():
            for key, value in (("owner.tenant", tenant_id or ""), ("owner.root", graph_root),
                               ("owner.account", account or ""), ("owner.since", _now())):
                self._db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, value))
        return self.owner() or JournalOwner(tenant_id, graph_root, account)

    @contextmanager
    def lease(self) -> Iterator[CommitLease]:
        """Hold the commit lease for the block (`JournalInUse` if a live process holds it; see lease.py)."""
        taken = CommitLease.take(self._db, self._lock, str(self.path or ":memory:"), self._refuse)
        self._lease = taken
        try:
            yield taken
        finally:
            self._lease = None
            taken.release()

    def confirm_lease(self) -> None:
        """Raise `JournalInUse` if the lease this journal holds was taken over (a no-op without a lease)."""
        if self._lease is not None:
            self._lease.confirm()

    def lease_holder(self) -> LeaseHolder | None:
        """Who holds the commit lease now (None: nobody is committing)."""
        with self._lock:
            return holder(self._db)

    # -- staging ---------------------------------------------------------------------------------------

    def append(
        self,
        *,
        rows: Iterable[RowSnapshot] = (),
        staged: Iterable[Edit] = (),
        unstaged: Iterable[tuple[str, str, str]] = (),
        clear: bool = False,
    ) -> list[int]:
        """Record one staging call in one durable transaction; returns the `seq` of each staged edit.

        Order within the call: `clear` first, then tombstones for `unstaged` keys, then `staged` edits.
        """
        rows, staged, unstaged = list(rows), list(staged), list(unstaged)
        try:
            return self._append(rows, staged, unstaged, clear, escaped=False)
        except UnicodeEncodeError:
            # Rolled back whole; written again with text UTF-8 cannot encode kept as BLOBs (`journal_values`),
            # which costs a look at every value, so only calls holding such text pay for it.
            return self._append(rows, staged, unstaged, clear, escaped=True)

    def _append(
        self, rows: list[RowSnapshot], edits: list[Edit], unstaged: list[tuple[str, str, str]], clear: bool,
        *, escaped: bool,
    ) -> list[int]:
        time = _now()
        with self._transaction():
            insert(self._db, "rows", ROW_PLACEHOLDERS, row_records(rows, escaped=escaped))
            if clear:
                self._db.execute("INSERT INTO events (kind, time) VALUES ('clear', ?)", (time,))
            insert(
                self._db, "events (kind, user_id, cert_id, field, time)", "('unstage', ?, ?, ?, ?)",
                [(*key, time) for key in unstaged],
            )
            if not edits:
                return []
            (last,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
            events = [(last + n, e.user_id, e.cert_id, e.field, e.before, e.after, time, e.reason,
                       e.staged_by) for n, e in enumerate(edits, start=1)]
            if escaped:
                events = [(*event[:4], stored_value(event[4]), stored_value(event[5]), time,
                           stored_value(event[7]), event[8]) for event in events]
            insert(self._db, "events (seq, kind, user_id, cert_id, field, before, after, time, reason, "
                   "staged_by)", "(?, 'stage', ?, ?, ?, ?, ?, ?, ?, ?)", events)
            return list(range(last + 1, last + 1 + len(edits)))

    def replay(self) -> tuple[dict[tuple[str, str], RowSnapshot], dict[tuple[str, str, str], Edit]]:
        """The recorded rows and the staged edits (in staging order), rebuilt from the event log."""
        rows = {(r[0], r[1]): r for r in self._rows()}
        events = self._read(
            "SELECT seq, kind, user_id, cert_id, field, before, after, "
            "'blob' IN (typeof(before), typeof(after), typeof(reason)), reason, staged_by "
            "FROM events ORDER BY seq"
        )
        edits: dict[tuple[str, str, str], Edit] = {}
        for seq, kind, uid, cid, field, before, after, escaped, reason, staged_by in events:
            if kind == "stage":
                # Re-staging a cell replaces the edit in place, exactly as Staged does in memory.
                if escaped or field in BOOLEAN_FIELDS:
                    before, after = wire_value(field, before), wire_value(field, after)
                    reason = wire_value("", reason)
                edits[(uid, cid, field)] = Edit(uid, cid, field, before, after, seq, reason, staged_by)
            elif kind == "unstage":
                edits.pop((uid, cid, field), None)
            else:
                edits.clear()
        return rows, edits

    def _rows(self) -> list[RowSnapshot]:
        return row_snapshots(self._read(ROWS_SELECT))

    # -- commit progress: the commit's records, as plain rows ---------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[OutcomeWrites]:
        """One durable transaction for commit's writes (`with journal.transaction() as tx:`): what the block
        writes lands together when it ends, or not at all if it raises. Inside a commit lease, the lease is
        checked in that very transaction: a commit whose lease was taken over writes nothing more.

        >>> journal = Journal(None)
        >>> row = (1, "u1", "c1", "endDate", 1, "applied", 200, None, None, None, "2026-11-30T09:00Z", True,
        ...        "megan@contoso.example")
        >>> with journal.transaction() as tx:
        ...     tx.add_outcomes([row])  # OUTCOME_FIELDS
        >>> journal.done_seqs(), journal.latest_outcome_names()
        ({1}, {1: 'applied'})
        """
        with self._transaction():
            if self._lease is not None:
                self._lease.check(self._db)
            yield OutcomeWrites(self._db)
        for listener in list(self._outcome_listeners):
            listener()

    def on_outcomes(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after each transaction of commit outcomes lands (a review showing outcomes
        redraws then, whoever committed). It runs inside the commit: it must not raise."""
        self._outcome_listeners.append(listener)

    def outcome_rows(self) -> list[tuple[Any, ...]]:
        """Every stored outcome row, oldest first: `OUTCOME_FIELDS`, then the before and after values, the
        reason and the staging account of the edit it is about (from the event log)."""
        found = self._read(
            "SELECT o.edit_seq, o.user_id, o.cert_id, o.field, o.attempt, o.outcome, o.status, o.code, "
            "o.request_id, o.detail, o.time, o.done, o.committed_by, e.before, e.after, e.reason, "
            "e.staged_by FROM outcomes AS o LEFT JOIN events AS e ON e.seq = o.edit_seq ORDER BY o.id"
        )
        return [(*row[:11], bool(row[11]), row[12], wire_value(row[3], row[13]), wire_value(row[3], row[14]),
                 wire_value("", row[15]), row[16]) for row in found]

    def latest_outcome_names(self) -> dict[int, str]:
        """The latest stored outcome of each edit, as its name, by the edit's `seq`."""
        return dict(self._read(f"SELECT edit_seq, outcome FROM outcomes WHERE id IN ({_LATEST}) ORDER BY id"))

    def sends(self) -> dict[int, tuple[str, str, str | None]]:
        """The POSTs and DELETEs that went out, by edit `seq`: (method, first time sent, id Graph gave)."""
        found = self._read("SELECT edit_seq, method, time, new_id FROM sends")
        return {seq: (method, time, new_id) for seq, method, time, new_id in found}

    def last_send(self) -> str | None:
        """When the latest POST or DELETE went out (None: none did)."""
        [(last,)] = self._read("SELECT MAX(last) FROM sends")
        return str(last) if last is not None else None

    def done_seqs(self) -> set[int]:
        """The `seq` of every edit whose latest stored outcome row says done (needs no further PATCH)."""
        found = self._read(f"SELECT edit_seq FROM outcomes WHERE id IN ({_LATEST}) AND done")
        return {seq for (seq,) in found}

    # -- reading it as a person ------------------------------------------------------------------------

    def events(self) -> list[tuple[Any, ...]]:
        """The event log as stored: (seq, kind, userId, id, field, before, after, time, reason, staged_by),
        in order."""
        found = self._read(
            "SELECT seq, kind, user_id, cert_id, field, before, after, time, reason, staged_by FROM events "
            "ORDER BY seq"
        )
        return [(seq, kind, uid, cid, field, wire_value(field, before), wire_value(field, after), time,
                 wire_value("", reason), staged_by)
                for seq, kind, uid, cid, field, before, after, time, reason, staged_by in found]

    def snapshots(self) -> list[RowSnapshot]:
        """The recorded rows (the loaded values of every edited certification)."""
        return self._rows()

    def records(self) -> list[dict[str, Any]]:
        """Everything in the journal as plain records: rows, then events and outcomes in time order."""
        return journal_export.records(self)

    def export(self, path: str | Path) -> Path:
        """Write the journal for people and other tools: JSON lines (`.jsonl`/`.json`) or `.csv`.

        In CSV, `before`/`after` (and a row's `loaded` values, under `after`) are JSON text, so `null`
        and `""` stay different.
        """
        return journal_export.export(self, path)

    def close(self) -> None:
        """Close the file (everything is already on disk)."""
        with self._lock:
            self._db.close()
