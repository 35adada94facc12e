"""A staging journal that cannot be used as asked: each error names the file and says what to do.

>>> JournalLocked("a.journal", 5).path
'a.journal'
"""

from __future__ import annotations

from certnb.errors.base import CertnbError

__all__ = [
    "JournalDamaged",
    "JournalError",
    "JournalFolderMissing",
    "JournalInUse",
    "JournalIsDirectory",
    "JournalLocked",
    "JournalNotEmpty",
    "JournalTenantMismatch",
    "NotAJournal",
]


class JournalError(CertnbError):
    """A staging journal cannot be used as asked; `path` names the file and the message says what to do."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(message)


class JournalIsDirectory(JournalError):
    """The journal path is a folder, not a file.

    >>> print(JournalIsDirectory("fixes"))
    journal fixes is a folder, not a file: pass journal= a file name, e.g. fixes/edits.journal
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, f"journal {path} is a folder, not a file: pass journal= a file name, e.g. "
                               f"{path.rstrip('/')}/edits.journal")


class JournalFolderMissing(JournalError):
    """The folder the journal would be created in does not exist (certnb creates no folders)."""

    def __init__(self, path: str, folder: str) -> None:
        self.folder = folder
        super().__init__(path, f"journal {path}: the folder {folder} does not exist (or is not a folder); "
                               "create it first, or pass journal= a file in an existing folder")


class NotAJournal(JournalError):
    """A SQLite database of something else (no certnb journal marker, other tables): left untouched."""

    def __init__(self, path: str, tables: tuple[str, ...]) -> None:
        self.tables = tables
        shown = ", ".join(tables[:8]) + (", …" if len(tables) > 8 else "")
        super().__init__(path, f"{path} is a SQLite database of something else (tables: {shown}), not "
                               "a certnb staging journal; certnb left it untouched. Pass journal= a new file "
                               "name (e.g. edits.journal) to start a journal")


class JournalDamaged(JournalError):
    """The file cannot be read as SQLite (garbage bytes, truncated, overwritten); `reason` says what."""

    def __init__(self, path: str, reason: str) -> None:
        self.reason = reason
        super().__init__(path, f"journal {path} cannot be read: {reason}. It is damaged, or not a certnb "
                               "staging journal at all; certnb left it untouched. Restore it from a backup, "
                               "or pass journal= a new file name (what was committed is in "
                               "<journal>.audit.jsonl)")


class JournalLocked(JournalError):
    """Another program holds a lock on the journal file (e.g. a database browser, or a stuck process)."""

    def __init__(self, path: str, waited: float) -> None:
        self.waited = waited
        super().__init__(path, f"journal {path} is locked by another program (waited {waited:g} s): close "
                               "whatever holds it open for writing (a database browser, another notebook's "
                               "long-running call), then try again")


class JournalInUse(JournalError):
    """Another process holds the journal's commit lease: `pid`, `host`, `since` name it (staging/lease.py).

    >>> print(JournalInUse("a.journal", 4242, "lab-7", "2026-11-30T09:00:00Z"))  # doctest: +ELLIPSIS
    journal a.journal is being committed by process 4242 on lab-7 since 2026-11-30T09:00:00Z: ...
    """

    def __init__(self, path: str, pid: int, host: str, since: str, *, lost: bool = False) -> None:
        self.pid = pid
        self.host = host
        self.since = since
        self.lost = lost
        if lost:
            text = (f"journal {path}: this commit lost its lease to process {pid} on {host} (since {since}) "
                    "and stopped before sending more; let that commit finish, then commit again to resume")
        else:
            text = (f"journal {path} is being committed by process {pid} on {host} since {since}: nothing "
                    "was sent. Wait for that commit to end (or stop it), then commit again: it resumes where "
                    "the other left off. A lease left by a process that died is taken over by itself")
        super().__init__(path, text)


class JournalNotEmpty(JournalError):
    """`certnb.stage(df, journal=path)` on a journal that already holds edits; `held` says what it holds."""

    def __init__(self, path: str, held: str) -> None:
        self.held = held
        super().__init__(path, f"journal {path} already holds {held}. To continue it, pass resume=True "
                               "(certnb.stage(df, journal=..., resume=True)) or use "
                               "certnb.Staged.open(path, df); to start afresh, pass another journal path")


class JournalTenantMismatch(JournalError):
    """The journal was committed through another tenant or Graph root; nothing was sent.

    `recorded` and `session` are (tenant id, Graph root) pairs: the journal's and this session's.
    """

    def __init__(self, path: str, recorded: tuple[str | None, str], session: tuple[str | None, str],
                 account: str | None = None) -> None:
        self.recorded = recorded
        self.session = session
        by = f", signed in as {account}" if account else ""
        super().__init__(path, f"journal {path} belongs to tenant {recorded[0] or '(unknown)'} at "
                               f"{recorded[1]} (first committed there{by}); this session is tenant "
                               f"{session[0] or '(unknown)'} at {session[1]}: nothing was sent. Connect to "
                               "the tenant and Graph root the journal belongs to, or stage the edits in a "
                               "new journal")
