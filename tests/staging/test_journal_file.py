"""What a journal path may hold: a file of another program is never adopted, and a folder, a missing folder, a
lock held by another process and a damaged file each get their own JournalError naming the path."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pandas as pd
import pytest

from certnb.errors import (
    JournalDamaged,
    JournalError,
    JournalFolderMissing,
    JournalIsDirectory,
    JournalLocked,
    NotAJournal,
)
from certnb.staging import Journal, Staged, stage
from certnb.staging.journal_file import APPLICATION_ID


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_an_unrelated_sqlite_database_is_refused_and_left_untouched(
    tenant_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "inventory.db"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("CREATE TABLE laptops (serial TEXT, owner TEXT)")
        db.execute("INSERT INTO laptops VALUES ('SN-1', 'adele')")
    before = files_in(tmp_path)
    with pytest.raises(NotAJournal) as caught:
        stage(tenant_frame, journal=path)
    assert str(path) in str(caught.value) and "laptops" in str(caught.value)
    assert "not a certnb staging journal" in str(caught.value) and "new file name" in str(caught.value)
    assert files_in(tmp_path) == before  # no table added, no -wal file, journal mode unchanged
    with pytest.raises(NotAJournal):
        Staged.open(path)
    assert files_in(tmp_path) == before


def test_a_new_journal_is_marked_and_an_empty_sqlite_file_becomes_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # a SQLite file with no tables: nothing to lose
    for path in (tmp_path / "new.journal", empty):
        Journal(path).close()
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
            assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == ("5",)


def test_a_journal_of_format_1_is_opened_and_upgraded(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "old.journal"
    staged = stage(tenant_frame, journal=path).set(0, description="from an older certnb")
    staged.close()
    with closing(sqlite3.connect(path)) as db, db:  # as certnb wrote it before the marker existed
        db.execute("PRAGMA application_id = 0")
        db.execute("DROP TABLE lease")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'format'")
    reopened = Staged.open(path)
    assert [e.after for e in reopened] == ["from an older certnb"]
    reopened.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == ("5",)


def test_a_journal_of_format_2_keeps_its_done_edits_when_upgraded(
    tenant_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "format2.journal"
    staged = stage(tenant_frame, journal=path).set([0, 1, 2], description="fixed")
    first, second, third = staged.edits
    staged.close()
    with closing(sqlite3.connect(path)) as db, db:  # as certnb wrote it before outcomes had a done column
        db.execute("ALTER TABLE outcomes DROP COLUMN done")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
        db.executemany(
            "INSERT INTO outcomes (edit_seq, user_id, cert_id, field, attempt, outcome, time) "
            "VALUES (?, ?, ?, ?, 1, ?, '2026-11-30T09:00:00.000000Z')",
            [(e.seq, e.user_id, e.cert_id, e.field, outcome)
             for e, outcome in ((first, "applied"), (second, "already_applied"), (third, "failed"))],
        )
    reopened = Staged.open(path)
    assert reopened.pending() == [third]  # the two done edits stay done: a resumed commit leaves them out
    held = reopened.resumed
    assert held is not None and (held.applied, held.pending, held.failed) == (2, 1, 1)
    assert reopened.diff().table["outcome"].tolist() == ["applied", "already_applied", "failed"]
    reopened.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == ("5",)
        assert db.execute("SELECT outcome, done FROM outcomes ORDER BY id").fetchall() == [
            ("applied", 1), ("already_applied", 1), ("failed", 0)]


def test_a_folder_is_refused(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(JournalIsDirectory) as caught:
        stage(tenant_frame, journal=tmp_path)
    assert f"journal {tmp_path} is a folder" in str(caught.value)
    assert f"{tmp_path}/edits.journal" in str(caught.value)  # what to pass instead
    assert caught.value.path == str(tmp_path)


def test_a_missing_folder_is_refused_and_not_created(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "not-yet" / "edits.journal"
    with pytest.raises(JournalFolderMissing) as caught:
        stage(tenant_frame, journal=path)
    assert str(path) in str(caught.value) and f"the folder {tmp_path / 'not-yet'} does not exist" in str(
        caught.value)
    assert "create it first" in str(caught.value)
    assert not (tmp_path / "not-yet").exists()


LOCKER = textwrap.dedent("""
    import sqlite3, sys
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    if sys.argv[2] == "exclusive-mode":  # as a database browser may: nobody else may even read
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
    db.execute("BEGIN EXCLUSIVE")
    db.execute("INSERT INTO meta VALUES ('locker', 'was here')")  # takes the lock in exclusive mode
    print("locked", flush=True)
    sys.stdin.readline()  # hold the lock until told to let go; then exit without committing
""")


@contextmanager
def locked(path: Path, how: str) -> Iterator[None]:
    """Another process holds an exclusive lock on the journal for the block."""
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path), how], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert locker.stdout is not None and locker.stdin is not None
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.stdin.close()
        locker.wait(timeout=30)
        locker.stdout.close()


def test_staging_into_a_journal_another_process_has_locked_is_refused_naming_it(
    tenant_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "edits.journal"
    staged = Staged(tenant_frame, Journal(path, timeout=0.2)).set(0, description="before the lock")
    with locked(path, "transaction"), pytest.raises(JournalLocked) as caught:
        staged.set(1, description="while locked")
    assert f"journal {path} is locked by another program (waited 0.2 s)" in str(caught.value)
    assert "then try again" in str(caught.value)
    staged.set(1, description="after the lock")  # the refused call staged nothing; the journal works again
    assert [e.after for e in Staged.open(path)] == ["before the lock", "after the lock"]
    staged.close()


def test_opening_a_journal_another_process_has_locked_is_refused_naming_it(
    tenant_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "edits.journal"
    stage(tenant_frame, journal=path).set(0, description="staged").close()
    with locked(path, "exclusive-mode"), pytest.raises(JournalLocked) as caught:
        Journal(path, timeout=0.2)
    assert f"journal {path} is locked by another program" in str(caught.value)
    assert [e.after for e in Staged.open(path)] == ["staged"]


def damage(kind: str, journal: bytes) -> bytes:
    if kind == "garbage":
        return os.urandom(8192)
    if kind == "truncated":
        return journal[: len(journal) // 2]
    return journal[:4096] + os.urandom(4096) + journal[8192:]  # overwritten pages after the header


@pytest.mark.parametrize("kind", ["garbage", "truncated", "overwritten"])
def test_a_damaged_journal_is_refused_naming_it_and_left_as_it_is(
    kind: str, own_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "edits.journal"
    staged = stage(own_frame, journal=path).set(slice(None), description="many pages of edits")
    staged.close()
    path.write_bytes(damage(kind, path.read_bytes()))
    before = files_in(tmp_path)
    for attempt in (lambda: Staged.open(path), lambda: stage(own_frame, journal=path, resume=True)):
        with pytest.raises(JournalDamaged) as caught:
            attempt()
        assert f"journal {path} cannot be read" in str(caught.value)
        assert "Restore it from a backup, or pass journal= a new file name" in str(caught.value)
    assert files_in(tmp_path) == before
    assert issubclass(JournalDamaged, JournalError)
