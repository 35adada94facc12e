"""The staging journal: every accepted edit and every commit outcome, durable on disk before a call returns.

A journal is one SQLite file in WAL mode with `synchronous=FULL`: each staging call is one transaction, so
it is on disk when the call returns and a crash (or a killed kernel) loses nothing that was acknowledged,
while a bulk call of 100,000 edits costs one fsync, not 100,000.

    >>> import tempfile, pathlib
    >>> journal = Journal(pathlib.Path(tempfile.mkdtemp()) / "edits.journal")
    >>> row = RowSnapshot("u1", "c1", "a@x", "A", "AZ-104", {"endDate": "2026-12-31"})
    >>> [seq] = journal.append(rows=[row], staged=[Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31")])
    >>> rows, edits = journal.replay()
    >>> edits[("u1", "c1", "endDate")].after, edits[("u1", "c1", "endDate")].seq == seq
    ('2027-12-31', True)

What it holds (tables):

- `rows`: the frame's identity, one `RowSnapshot` per edited certification (the loaded wire values), so a
  reopened journal needs no frame;
- `events`: an append-only log of `stage`, `unstage` (tombstone) and `clear`; replaying it in order gives
  back the staged edits exactly, in their order;
- `outcomes`: commit progress, one record per (edit, attempt): outcome, HTTP status, Graph error code,
  request-id, time. The commit runner writes them with `record_outcome`; an edit whose latest outcome is
  `applied` or `already_applied` is done and left out of the next plan (resume).

The journal holds certification values and ids only: never a token, header or secret.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.errors import ConfigError
from certnb.schema import FIELDS
from certnb.staging.edit import WRITABLE_FIELDS, Edit, LoadedValues, RowSnapshot
from certnb.staging.transaction import Transaction, insert

__all__ = ["DONE_OUTCOMES", "OUTCOMES", "Journal", "OutcomeRecord"]

OUTCOMES: tuple[str, ...] = ("applied", "already_applied", "conflict", "missing", "rejected", "failed")
"""The named end states of one commit attempt of one edit (STYLE §9)."""

DONE_OUTCOMES: frozenset[str] = frozenset({"applied", "already_applied"})
"""Outcomes after which an edit needs no further PATCH."""

FORMAT_VERSION = "1"

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
    time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    edit_seq INTEGER NOT NULL,
    user_id TEXT NOT NULL, cert_id TEXT NOT NULL, field TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status INTEGER, code TEXT, request_id TEXT, detail TEXT,
    time TEXT NOT NULL
);
"""

# Values are stored as SQLite values, not JSON: wire values are text, numbers, booleans or null, and the
# field says which (booleans come back from SQLite as 0/1 and are turned back into bool by `_value`).
# One column per writable field holds a row's loaded values. Value columns have no declared type (SQLite
# "BLOB" affinity keeps values as given; a declared ANY would turn the text "35558864" into a number).
# Text UTF-8 cannot encode (a lone surrogate such as "\ud800", which Graph's JSON can send as an escape) is
# kept as a BLOB of its ASCII JSON text instead (`_stored`), which `_value` reads back to the very same str.
_LOADED_SQL = ", ".join(f'"{name}"' for name in WRITABLE_FIELDS)
_SCHEMA = _SCHEMA.replace("{loaded_columns}", ", ".join(f'"{name}"' for name in WRITABLE_FIELDS))
_BOOLEAN_FIELDS = frozenset(f.column for f in FIELDS if f.writable and f.kind == "bool")
_BOOLEAN_POSITIONS = tuple(i for i, name in enumerate(WRITABLE_FIELDS) if name in _BOOLEAN_FIELDS)
_ROW_VALUES = ("user_principal_name", "user_display_name", "display_name", *WRITABLE_FIELDS)
_ROW_HAS_BLOB = "'blob' IN (" + ", ".join(f'typeof("{name}")' for name in _ROW_VALUES) + ")"
_SURROGATE = re.compile("[\ud800-\udfff]")

OUTCOME_COLUMNS: tuple[str, ...] = (
    "userId", "id", "field", "edit_seq", "attempt", "outcome", "status", "code", "request_id", "time",
    "detail",
)
EXPORT_COLUMNS: tuple[str, ...] = (
    "record", "seq", "userId", "id", "field", "before", "after", "attempt", "outcome", "status", "code",
    "request_id", "time", "detail",
)


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """What one commit attempt did to one edit (see `OUTCOMES`)."""

    edit_seq: int
    user_id: str
    cert_id: str
    field: str
    attempt: int
    outcome: str
    status: int | None = None
    code: str | None = None
    request_id: str | None = None
    detail: str | None = None
    time: str = ""

    @property
    def done(self) -> bool:
        """True when the edit needs no further PATCH."""
        return self.outcome in DONE_OUTCOMES


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _value(field: str, stored: Any) -> Any:
    """A stored value back in wire form (SQLite keeps booleans as integers; see `_stored` for BLOBs)."""
    if type(stored) is bytes:
        return json.loads(stored)
    return bool(stored) if field in _BOOLEAN_FIELDS and stored is not None else stored


def _stored(value: Any) -> Any:
    """A value as SQLite can keep it: text UTF-8 cannot encode becomes the BLOB of its ASCII JSON text.

    >>> _stored("x\\ud800y"), _value("displayName", _stored("x\\ud800y")) == "x\\ud800y", _stored("Zoë")
    (b'"x\\\\ud800y"', True, 'Zoë')
    """
    if type(value) is str and _SURROGATE.search(value):
        return json.dumps(value).encode("ascii")
    return value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Journal:
    """An SQLite staging journal (see the module docstring); `path=None` keeps it in memory, not durable.

    >>> Journal(None).replay()
    ({}, {})
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path is None else Path(path)
        self._lock = threading.Lock()
        # check_same_thread=False: the commit runner may record outcomes from its worker thread; the lock
        # serialises every use of the one connection.
        self._db = sqlite3.connect(
            ":memory:" if self.path is None else str(self.path), check_same_thread=False, isolation_level=None
        )
        try:
            self._prepare()
        except sqlite3.DatabaseError:
            self._db.close()
            raise ConfigError(
                "journal", str(self.path), "a certnb staging journal, or the name of a file to create"
            ) from None
        version = self.meta().get("format")
        if version != FORMAT_VERSION:
            self._db.close()
            expected = f"a journal of format {FORMAT_VERSION}, not {version}"
            raise ConfigError("journal", str(self.path), expected)

    def _prepare(self) -> None:
        if self.path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: every COMMIT is fsynced, so a call that returned is on disk (the WAL default, NORMAL, is not).
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA cache_size=-65536")  # 64 MiB: a 100,000-edit call fits in one pass
        with self._transaction():
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self._db.execute(statement)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT_VERSION,))
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('created', ?)", (_now(),))

    def __repr__(self) -> str:
        return f"<Journal {self.path or ':memory:'}>"

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _transaction(self) -> Transaction:
        return Transaction(self._db, self._lock)

    def meta(self) -> dict[str, str]:
        """The journal's own facts: format version, creation time."""
        with self._lock:
            return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

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
            # Rolled back whole; written again with the text UTF-8 cannot encode kept as BLOBs (`_stored`),
            # which costs a look at every value, so only calls holding such text pay for it.
            return self._append(rows, staged, unstaged, clear, escaped=True)

    def _append(
        self, rows: list[RowSnapshot], edits: list[Edit], unstaged: list[tuple[str, str, str]], clear: bool,
        *, escaped: bool,
    ) -> list[int]:
        time = _now()
        with self._transaction():
            found = [(r.user_id, r.cert_id, r.user_principal_name, r.user_display_name, r.display_name,
                      *_in_order(r.loaded)) for r in rows]
            if escaped:
                found = [(*row[:2], *map(_stored, row[2:])) for row in found]
            insert(self._db, "rows", f"({', '.join('?' * (5 + len(WRITABLE_FIELDS)))})", found)
            if clear:
                self._db.execute("INSERT INTO events (kind, time) VALUES ('clear', ?)", (time,))
            insert(
                self._db, "events (kind, user_id, cert_id, field, time)", "('unstage', ?, ?, ?, ?)",
                [(*key, time) for key in unstaged],
            )
            if not edits:
                return []
            (last,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
            events = [(last + n, e.user_id, e.cert_id, e.field, e.before, e.after, time)
                      for n, e in enumerate(edits, start=1)]
            if escaped:
                events = [(*event[:4], _stored(event[4]), _stored(event[5]), time) for event in events]
            insert(self._db, "events (seq, kind, user_id, cert_id, field, before, after, time)",
                   "(?, 'stage', ?, ?, ?, ?, ?, ?)", events)
            return list(range(last + 1, last + 1 + len(edits)))

    def replay(self) -> tuple[dict[tuple[str, str], RowSnapshot], dict[tuple[str, str, str], Edit]]:
        """The recorded rows and the staged edits (in staging order), rebuilt from the event log."""
        rows = {(r[0], r[1]): r for r in self._rows()}
        with self._lock:
            events = self._db.execute(
                "SELECT seq, kind, user_id, cert_id, field, before, after, "
                "'blob' IN (typeof(before), typeof(after)) FROM events ORDER BY seq"
            ).fetchall()
        edits: dict[tuple[str, str, str], Edit] = {}
        for seq, kind, uid, cid, field, before, after, escaped in events:
            if kind == "stage":
                # Re-staging a cell replaces the edit in place, exactly as Staged does in memory.
                if escaped or field in _BOOLEAN_FIELDS:
                    before, after = _value(field, before), _value(field, after)
                edits[(uid, cid, field)] = Edit(uid, cid, field, before, after, seq)
            elif kind == "unstage":
                edits.pop((uid, cid, field), None)
            else:
                edits.clear()
        return rows, edits

    def _rows(self) -> list[RowSnapshot]:
        with self._lock:
            found = self._db.execute(
                "SELECT user_id, cert_id, user_principal_name, user_display_name, display_name, "
                f"{_LOADED_SQL}, {_ROW_HAS_BLOB} FROM rows"
            ).fetchall()
        new = RowSnapshot._make  # one tuple per row, without keyword handling: a journal holds 100,000
        snapshots = []
        for row in found:
            if row[-1]:  # text kept as BLOBs (`_stored`); booleans are never BLOBs
                row = tuple(_value("", value) for value in row)
            loaded = list(row[5:-1])
            for i in _BOOLEAN_POSITIONS:
                if loaded[i] is not None:
                    loaded[i] = bool(loaded[i])  # SQLite keeps booleans as 0/1
            snapshots.append(new((*row[:5], LoadedValues(tuple(loaded)))))
        return snapshots

    # -- commit progress -------------------------------------------------------------------------------

    def record_outcome(
        self,
        edit: Edit,
        *,
        attempt: int,
        outcome: str,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        detail: str | None = None,
    ) -> OutcomeRecord:
        """Record what one commit attempt did to `edit` (durable when this returns).

        >>> j = Journal(None)
        >>> j.record_outcome(Edit("u1", "c1", "endDate", None, "2027-01-01", seq=1), attempt=1,
        ...                  outcome="applied", status=200).done
        True
        """
        [record] = self.record_outcomes(
            [OutcomeRecord(edit.seq, edit.user_id, edit.cert_id, edit.field, attempt, outcome, status, code,
                           request_id, detail)]
        )
        return record

    def record_outcomes(self, records: Iterable[OutcomeRecord]) -> list[OutcomeRecord]:
        """Record many outcomes in one transaction (a `$batch` answer at a time); names are checked."""
        time = _now()
        stamped = []
        for record in records:
            if record.outcome not in OUTCOMES:
                raise ValueError(f"outcome {record.outcome!r} is not one of {', '.join(OUTCOMES)}")
            stamped.append(
                OutcomeRecord(record.edit_seq, record.user_id, record.cert_id, record.field, record.attempt,
                              record.outcome, record.status, record.code, record.request_id, record.detail,
                              record.time or time)
            )
        with self._transaction():
            self._db.executemany(
                "INSERT INTO outcomes (edit_seq, user_id, cert_id, field, attempt, outcome, status, code, "
                "request_id, detail, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (r.edit_seq, r.user_id, r.cert_id, r.field, r.attempt, r.outcome, r.status, r.code,
                     r.request_id, r.detail, r.time)
                    for r in stamped
                ),
            )
        return stamped

    def outcome_records(self) -> list[OutcomeRecord]:
        """Every recorded outcome, oldest first."""
        with self._lock:
            found = self._db.execute(
                "SELECT edit_seq, user_id, cert_id, field, attempt, outcome, status, code, request_id, "
                "detail, time FROM outcomes ORDER BY id"
            ).fetchall()
        return [OutcomeRecord(*values) for values in found]

    def outcomes(self) -> pd.DataFrame:
        """The outcome table: userId, id, field, edit_seq, attempt, outcome, status, code, request_id, time,
        detail, one line per recorded attempt, oldest first."""
        return pd.DataFrame(
            [
                (r.user_id, r.cert_id, r.field, r.edit_seq, r.attempt, r.outcome, r.status, r.code,
                 r.request_id, r.time, r.detail)
                for r in self.outcome_records()
            ],
            columns=list(OUTCOME_COLUMNS),
            dtype=object,
        )

    def latest_outcomes(self) -> dict[int, OutcomeRecord]:
        """The most recent outcome of each edit, by the edit's `seq`."""
        return {r.edit_seq: r for r in self.outcome_records()}

    def done_seqs(self) -> set[int]:
        """The `seq` of every edit whose latest outcome is `applied` or `already_applied`."""
        return {seq for seq, r in self.latest_outcomes().items() if r.done}

    # -- reading it as a person ------------------------------------------------------------------------

    def records(self) -> list[dict[str, Any]]:
        """Everything in the journal as plain records: rows, then events and outcomes in time order."""
        out: list[dict[str, Any]] = [
            {"record": "row", "userId": r.user_id, "id": r.cert_id,
             "userPrincipalName": r.user_principal_name, "userDisplayName": r.user_display_name,
             "displayName": r.display_name, "loaded": dict(r.loaded)}
            for r in self._rows()
        ]
        with self._lock:
            events = self._db.execute(
                "SELECT seq, kind, user_id, cert_id, field, before, after, time FROM events ORDER BY seq"
            ).fetchall()
        for seq, kind, uid, cid, field, before, after, time in events:
            record: dict[str, Any] = {"record": kind, "seq": seq, "time": time}
            if kind != "clear":
                record.update({"userId": uid, "id": cid, "field": field})
            if kind == "stage":
                record.update({"before": _value(field, before), "after": _value(field, after)})
            out.append(record)
        for r in self.outcome_records():
            out.append({
                "record": "outcome", "seq": r.edit_seq, "userId": r.user_id, "id": r.cert_id,
                "field": r.field, "attempt": r.attempt, "outcome": r.outcome, "status": r.status,
                "code": r.code, "request_id": r.request_id, "time": r.time, "detail": r.detail,
            })
        return out

    def export(self, path: str | Path) -> Path:
        """Write the journal for people and other tools: JSON lines (`.jsonl`/`.json`) or `.csv`.

        In CSV, `before`/`after` (and a row's `loaded` values, under `after`) are JSON text, so `null`
        and `""` stay different.
        """
        target = Path(path)
        records = self.records()
        # UTF-8 cannot encode only lone surrogates (see `_stored`), and JSON text holds them only inside
        # strings, where "backslashreplace" writes each as its JSON escape: a reader gets the very same text.
        if target.suffix.lower() in (".jsonl", ".json", ".ndjson"):
            with target.open("w", encoding="utf-8", errors="backslashreplace") as out:
                for record in records:
                    out.write(_json(record) + "\n")
        elif target.suffix.lower() == ".csv":
            with target.open("w", encoding="utf-8", errors="backslashreplace", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
                writer.writeheader()
                for record in records:
                    flat = dict(record)
                    if record["record"] == "row":
                        flat["after"] = record["loaded"]
                    for column in ("before", "after"):
                        if column in flat:
                            flat[column] = _json(flat[column])
                    writer.writerow(flat)
        else:
            raise ValueError(f"export to {target.name!r}: use a .jsonl or .csv file name")
        return target

    def close(self) -> None:
        """Close the file (everything is already on disk)."""
        with self._lock:
            self._db.close()


def _in_order(loaded: Mapping[str, Any]) -> Iterable[Any]:
    """A row's loaded values in `WRITABLE_FIELDS` order (the `rows` table's columns)."""
    return loaded.ordered if type(loaded) is LoadedValues else map(loaded.get, WRITABLE_FIELDS)
