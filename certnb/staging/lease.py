"""The commit lease: one committer per journal at a time, recorded in the journal itself.

A commit holds the lease while it runs (`with journal.lease(): ...`): the one row of the journal's `lease`
table, taken in a `BEGIN IMMEDIATE` transaction, so two processes cannot both take it. The row names the
holder (pid, host, when it took the lease) and carries a heartbeat the holder refreshes every `HEARTBEAT_S`
seconds from a background thread. The lease is released when the commit ends: normally, by an exception,
or by KeyboardInterrupt.

Another committer finds the row and is refused with `JournalInUse` (pid, host, since when), unless the
holder is certainly gone, in which case it takes the lease over:

1. same host (host name and process namespace) and the holder's pid is not running, or is a zombie: the
   holder died (SIGKILL, a crash, a restarted kernel);
2. same host and the same pid as the one asking, but no commit of this process holds that lease: it was left
   behind by an earlier run of a recycled pid;
3. any host: the heartbeat is older than `STALE_AFTER_S` seconds: the holder is gone or frozen (a machine that
   slept, a process stopped with Ctrl-Z). Host clocks must agree to well within that.

A pid that was recycled by an unrelated process keeps a dead holder's lease until its heartbeat is stale.

Taking over is safe because the holder checks the lease before it acts: before each round of PATCHes
(`confirm`) and in the very transaction that records outcomes. A frozen holder that wakes up to find the lease
taken is refused there (`JournalInUse` with `lost=True`) and sends nothing more; a write it had in flight is
found by the new holder's conflict check (already applied, or a conflict), never sent twice by certnb.

    >>> import sqlite3, threading
    >>> from certnb.staging.journal_file import open_journal
    >>> db, lock = open_journal(None, timeout=1.0), threading.Lock()
    >>> first = CommitLease.take(db, lock)
    >>> CommitLease.take(db, lock)
    Traceback (most recent call last):
    ...
    certnb.errors.JournalInUse: journal :memory: is being committed by process ...
    >>> first.release()
    >>> CommitLease.take(db, lock).release()
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from certnb.errors import JournalError, JournalInUse
from certnb.staging.transaction import Transaction

__all__ = ["HEARTBEAT_S", "STALE_AFTER_S", "CommitLease", "LeaseHolder", "holder", "pid_alive"]

HEARTBEAT_S = 10.0
"""Seconds between the holder's heartbeats."""

STALE_AFTER_S = 90.0
"""A lease whose heartbeat is older than this (seconds) is taken over, whoever holds it."""

_held_here: set[str] = set()  # tokens of the leases commits of this process hold now
_held_here_lock = threading.Lock()


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds a journal's commit lease: `pid` on `host`, since `since`, alive at `heartbeat` (UTC)."""

    pid: int
    host: str
    since: str
    heartbeat: str
    pid_space: str = ""
    token: str = ""

    def __repr__(self) -> str:  # the token only identifies the lease; still, it need not be on screen
        return f"LeaseHolder(pid={self.pid}, host={self.host!r}, since={self.since!r})"

    def stale(self, now: dt.datetime) -> bool:
        """True when the heartbeat is older than `STALE_AFTER_S` (or unreadable)."""
        try:
            beat = dt.datetime.fromisoformat(self.heartbeat.replace("Z", "+00:00"))
        except ValueError:
            return True
        return (now - beat).total_seconds() > STALE_AFTER_S


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _pid_space() -> str:
    """The process namespace (Linux: two containers on one host name do not see each other's pids)."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def pid_alive(pid: int) -> bool:
    """True unless process `pid` of this host is certainly gone (not running, or a zombie).

    >>> pid_alive(os.getpid())
    True
    """
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would end the process there: rely on the heartbeat
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, as another user
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        state = stat.rsplit(")", 1)[1].split()[0]  # the field after "(command name)"
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")  # a killed child its parent has not reaped yet is dead


def may_take_over(found: LeaseHolder, now: dt.datetime) -> bool:
    """The rule of the module docstring: True when `found`'s holder is certainly gone."""
    if found.stale(now):
        return True
    if found.host != socket.gethostname() or found.pid_space != _pid_space():
        return False
    if found.pid == os.getpid():
        with _held_here_lock:
            return found.token not in _held_here
    return not pid_alive(found.pid)


def holder(db: sqlite3.Connection) -> LeaseHolder | None:
    """The lease row as it is (call under the journal's lock)."""
    row = db.execute("SELECT pid, host, since, heartbeat, pid_space, token FROM lease").fetchone()
    return None if row is None else LeaseHolder(*row)


class CommitLease:
    """This process's hold on a journal's commit lease; `take` it, `confirm` it, `release` it."""

    def __init__(
        self,
        db: sqlite3.Connection,
        lock: threading.Lock,
        token: str,
        path: str,
        refuse: Callable[[sqlite3.Error], JournalError | None] | None,
    ) -> None:
        self._db = db
        self._lock = lock
        self.token = token
        self.path = path
        self._refuse = refuse
        self._stop = threading.Event()
        self._beating = threading.Thread(target=self._beat, name=f"certnb lease {path}", daemon=True)

    def __repr__(self) -> str:
        return f"<CommitLease {self.path} pid={os.getpid()}>"

    @classmethod
    def take(
        cls,
        db: sqlite3.Connection,
        lock: threading.Lock,
        path: str = ":memory:",
        refuse: Callable[[sqlite3.Error], JournalError | None] | None = None,
    ) -> CommitLease:
        """Take the lease, or raise `JournalInUse` naming its live holder (see the module docstring)."""
        token = secrets.token_hex(16)
        now = _now()
        with Transaction(db, lock, refuse):
            found = holder(db)
            if found is not None and not may_take_over(found, now):
                raise JournalInUse(path, found.pid, found.host, _shown(found.since))
            db.execute(
                "INSERT OR REPLACE INTO lease VALUES (1, ?, ?, ?, ?, ?, ?)",
                (token, os.getpid(), socket.gethostname(), _pid_space(), _stamp(now), _stamp(now)),
            )
        with _held_here_lock:
            _held_here.add(token)
        lease = cls(db, lock, token, path, refuse)
        lease._beating.start()
        return lease

    def check(self, db: sqlite3.Connection) -> None:
        """Raise `JournalInUse(lost=True)` if the lease is no longer this one's (call under the lock)."""
        found = holder(db)
        if found is None or found.token != self.token:
            pid, host, since = (found.pid, found.host, _shown(found.since)) if found else (0, "(nobody)", "")
            raise JournalInUse(self.path, pid, host, since, lost=True)

    def confirm(self) -> None:
        """`check`, taking the journal's lock: before each round of writes."""
        with self._lock:
            self.check(self._db)

    def release(self) -> None:
        """Stop the heartbeat and give the lease up (it stays with a holder that took it over)."""
        with _held_here_lock:
            _held_here.discard(self.token)  # first: interrupted below, this process may take it over again
        self._stop.set()
        if self._beating.is_alive() and self._beating is not threading.current_thread():
            self._beating.join()
        with Transaction(self._db, self._lock, self._refuse):
            self._db.execute("DELETE FROM lease WHERE token = ?", (self.token,))

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                with Transaction(self._db, self._lock, self._refuse):
                    moved = self._db.execute(
                        "UPDATE lease SET heartbeat = ? WHERE token = ?", (_stamp(_now()), self.token)
                    ).rowcount
            except sqlite3.ProgrammingError:
                return  # the journal was closed
            except (sqlite3.Error, JournalError):
                continue  # e.g. locked by another process for now: the next beat tries again
            if not moved:
                return  # taken over: the commit learns it at its next confirm or record


def _shown(stamp: str) -> str:
    """'2026-11-30T09:00:00Z' → '2026-11-30 09:00:00 UTC'."""
    return stamp.replace("T", " ").replace("Z", " UTC") if stamp.endswith("Z") else stamp
