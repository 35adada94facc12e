"""A staging journal's SQLite file: what a path holds, how it is opened, the refusals (each names the path).

A journal is marked: its SQLite header carries `PRAGMA application_id` = `APPLICATION_ID` and its `meta` table
a `format` row. Opening a path (`open_journal`):

- a folder → `JournalIsDirectory`; a file in a folder that does not exist → `JournalFolderMissing`;
- no file, an empty file, or a SQLite database without tables → a new journal is created in it;
- a file that is not SQLite (garbage, text), or one SQLite finds malformed (truncated, overwritten)
  → `JournalDamaged`;
- a SQLite database with the marker → opened (a journal of format 1, written before the marker existed, is
  recognised by its `meta` format row beside `rows`, `events` and `outcomes`, and gets the marker; a journal
  of an older format is upgraded, `_upgrade`);
- any other SQLite database → `NotAJournal`. It is only read: no table is added and its journal mode stays.

SQLite errors met later, reading or writing, become the same refusals (`refusal`): a lock held too long by
another program → `JournalLocked`, a damaged page → `JournalDamaged`.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> db = open_journal(folder / "edits.journal", timeout=1.0)
    >>> db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    True
    >>> open_journal(folder, timeout=1.0)
    Traceback (most recent call last):
    ...
    certnb.errors.JournalIsDirectory: journal ... is a folder, not a file: ...
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from certnb.errors import (
    JournalDamaged,
    JournalError,
    JournalFolderMissing,
    JournalIsDirectory,
    JournalLocked,
    NotAJournal,
)
from certnb.staging.edit import WRITABLE_FIELDS

__all__ = ["APPLICATION_ID", "FORMAT_VERSION", "open_journal", "refusal"]

APPLICATION_ID = 0x636E626A
"""`PRAGMA application_id` of a certnb journal: the bytes "cnbj" (SQLite's header, offset 68)."""

FORMAT_VERSION = "5"
"""Format 2 added the marker and the `lease` table, format 3 the `done` column of `outcomes`, format 4 the
`sends` table (POSTs and DELETEs that went out, and the ids Graph gave created certifications), format 5 the
accountability columns (`reason` and `staged_by` of `events`, `committed_by` of `outcomes`); a journal of
format 1 to 4 is upgraded when opened (`_upgrade`, and the schema's new tables)."""

_TABLES = frozenset({"meta", "rows", "events", "outcomes"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    user_id TEXT NOT NULL, cert_id TEXT NOT NULL,
    user_principal_name TEXT, user_display_name TEXT, display_name TEXT,
    {loaded_columns}
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('stage', 'unstage', 'clear')),
    user_id TEXT, cert_id TEXT, field TEXT,
    before, after,
    time TEXT NOT NULL,
    reason TEXT, staged_by TEXT
);
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    edit_seq INTEGER NOT NULL,
    user_id TEXT NOT NULL, cert_id TEXT NOT NULL, field TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER, code TEXT, request_id TEXT, detail TEXT,
    time TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    committed_by TEXT
);
CREATE TABLE IF NOT EXISTS sends (
    edit_seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL, cert_id TEXT NOT NULL, method TEXT NOT NULL,
    time TEXT NOT NULL, last TEXT NOT NULL,
    new_id TEXT
);
CREATE TABLE IF NOT EXISTS lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, pid_space TEXT NOT NULL,
    since TEXT NOT NULL, heartbeat TEXT NOT NULL
);
"""
# One column per writable field holds a row's loaded values. Value columns have no declared type (SQLite
# "BLOB" affinity keeps values as given; a declared ANY would turn the text "35558864" into a number).
_SCHEMA = _SCHEMA.replace("{loaded_columns}", ", ".join(f'"{name}"' for name in WRITABLE_FIELDS))

# SQLite's primary result codes, by what they mean for the person holding the journal.
_LOCKED = ("SQLITE_BUSY", "SQLITE_LOCKED")
_UNWRITABLE = ("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_IOERR", "SQLITE_FULL")


def open_journal(path: Path | None, timeout: float, created: str = "") -> sqlite3.Connection:
    """A connection to the journal at `path` (created if new; in memory for None), or a `JournalError`.

    `timeout` is how long (seconds) a write waits for another process's write to end; `created` is the
    creation time recorded in a new journal.
    """
    if path is not None:
        _check_path(path)
    # check_same_thread=False: the commit runner and the lease heartbeat use the connection from their own
    # threads; the journal's lock serialises every use of it.
    db = sqlite3.connect(":memory:" if path is None else str(path), timeout=timeout,
                         check_same_thread=False, isolation_level=None)
    try:
        _prepare(db, path, created)
    except sqlite3.DatabaseError as error:
        db.close()
        refused = refusal(error, path, timeout)
        if refused is None:
            raise
        raise refused from None
    except BaseException:
        db.close()
        raise
    return db


def refusal(error: sqlite3.Error, path: Path | None, timeout: float) -> JournalError | None:
    """The `JournalError` a SQLite error means for the journal at `path` (None: a bug, not the file)."""
    name = str(getattr(error, "sqlite_errorname", ""))
    where = str(path) if path is not None else ":memory:"
    if name.startswith(_LOCKED):
        return JournalLocked(where, timeout)
    if name.startswith("SQLITE_NOTADB"):
        return JournalDamaged(where, "it is not a SQLite database")
    if name.startswith("SQLITE_CORRUPT"):
        return JournalDamaged(where, f"SQLite finds it malformed ({error}): truncated or overwritten")
    if name.startswith(_UNWRITABLE):
        return JournalError(where, f"journal {where} cannot be opened or written ({error}): check the "
                                   "permissions of the file and its folder and the free disk space, or pass "
                                   "journal= another path")
    return None


def _check_path(path: Path) -> None:
    """Refusals that need no SQLite: a folder, or a folder that does not exist.

    The file itself is never opened outside SQLite: closing any descriptor of a file drops every POSIX lock
    this process holds on it, those of another open journal connection included (SQLite's locking depends on
    them), so a damaged or foreign file is recognised by what SQLite reports.
    """
    if path.is_dir():
        raise JournalIsDirectory(str(path))
    if not path.parent.is_dir():
        raise JournalFolderMissing(str(path), str(path.parent))


def _prepare(db: sqlite3.Connection, path: Path | None, created: str) -> None:
    """Recognise (or create) the journal, then set it up; an unrelated or current one is only read."""
    found = _recognise(db, path)  # before anything is written, even the journal mode
    if path is not None:
        db.execute("PRAGMA journal_mode=WAL")  # a no-op for a journal: it is in WAL mode since it was created
    # FULL: every COMMIT is fsynced, so a call that returned is on disk (the WAL default, NORMAL, is not).
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA cache_size=-65536")  # 64 MiB: a 100,000-edit call fits in one pass
    if found == FORMAT_VERSION:
        return  # nothing to create or upgrade: a (possibly damaged) journal is not written to by opening it
    db.execute("BEGIN IMMEDIATE")
    try:
        # Again under the write lock: another process may have created the journal in the meantime.
        format_seen = _recognise(db, path)
        if format_seen not in (None, "1", "2", "3", "4", FORMAT_VERSION):
            raise JournalError(str(path), f"journal {path} is of format {format_seen}, written by a newer "
                                          f"certnb (this one reads format {FORMAT_VERSION}): upgrade certnb")
        for statement in filter(str.strip, _SCHEMA.split(";")):
            db.execute(statement)
        _upgrade(db)
        db.execute(f"PRAGMA application_id={APPLICATION_ID}")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT_VERSION,))
        db.execute("INSERT OR IGNORE INTO meta VALUES ('created', ?)", (created,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _upgrade(db: sqlite3.Connection) -> None:
    """Give an older journal the columns its format lacks (a no-op for a new one).

    Formats 1 and 2 kept no done flag: their commits left an edit done with the outcomes `applied` and
    `already_applied`, which is what the rows they recorded are marked with. From format 3 on, the commit
    says it in each row it writes, and the journal no longer needs to know what an outcome means. Formats 1
    to 4 kept no reasons nor accounts: their edits and outcomes read back with none (None).
    """
    columns = {name for _, name, *_ in db.execute("PRAGMA table_info(outcomes)")}
    if "done" not in columns:
        db.execute("ALTER TABLE outcomes ADD COLUMN done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1))")
        db.execute("UPDATE outcomes SET done = 1 WHERE outcome IN ('applied', 'already_applied')")
    if "committed_by" not in columns:
        db.execute("ALTER TABLE outcomes ADD COLUMN committed_by TEXT")
    events = {name for _, name, *_ in db.execute("PRAGMA table_info(events)")}
    for column in ("reason", "staged_by"):
        if column not in events:
            db.execute(f"ALTER TABLE events ADD COLUMN {column} TEXT")


def _recognise(db: sqlite3.Connection, path: Path | None) -> str | None:
    """The journal format the database holds (None: a new, empty database); `NotAJournal` for another's."""
    (application_id,) = db.execute("PRAGMA application_id").fetchone()
    tables = tuple(name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ))
    if application_id == 0 and not tables:
        return None
    if application_id in (0, APPLICATION_ID) and set(tables) >= _TABLES:
        try:
            found = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.OperationalError:
            found = None  # a `meta` table of another shape: someone else's
        if found is not None and (application_id == APPLICATION_ID or found[0] == "1"):
            return str(found[0])
    raise NotAJournal(str(path), tables)
