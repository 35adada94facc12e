"""Snapshots in one DuckDB file: a `snapshots` table (one row each) and a `certifications` table (every row).

`certifications` has the snapshot's id (`snapshotId`) first, then the frame's typed columns, then `_graph`
(the certification's Graph JSON, from which a snapshot reads back exactly: `certnb.history.table`).
`snapshots` has `id`, `tenant`, `account`, `taken` (UTC), `asof`, `rows`, `certnb` and `metadata` (the
whole `Snapshot` as JSON). Both are plain tables, for SQL of your own:

    SELECT s.taken, count(*) AS expired
    FROM certifications c JOIN snapshots s ON s.id = c.snapshotId
    WHERE c.endDate < s.asof GROUP BY s.taken ORDER BY s.taken

DuckDB keeps times to the microsecond, so in SQL `createdDateTime` and `lastModifiedDateTime` lose Graph's
seventh fraction digit; the frame a snapshot reads back keeps it (from `_graph`). One snapshot is one
transaction: a crash mid-write leaves the file as it was. DuckDB lets one process write a file at a time.

    >>> import pathlib, tempfile
    >>> from certnb.frame.build import build_frame
    >>> from certnb.history.snapshots import snapshot
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "audits.duckdb"
    >>> _ = snapshot(build_frame([{"id": "u1", "certifications": [{"id": "c1"}]}]), path, taken="2026-11-30")
    >>> [k.id for k in DatabaseStore(path).snapshots()]
    ['20261130T000000Z']
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.errors import SnapshotError
from certnb.history.metadata import Snapshot, restore_attrs
from certnb.history.table import SNAPSHOT_COLUMN, from_table, to_table

SNAPSHOTS_TABLE = "snapshots"
CERTIFICATIONS_TABLE = "certifications"

_CREATE_SNAPSHOTS = (
    f"CREATE TABLE IF NOT EXISTS {SNAPSHOTS_TABLE} (id VARCHAR PRIMARY KEY, tenant VARCHAR, account VARCHAR, "
    "taken TIMESTAMPTZ, \"asof\" DATE, rows BIGINT, certnb VARCHAR, metadata VARCHAR)"
)


class DatabaseStore:
    """Snapshots in a DuckDB file (created on the first snapshot)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"<DatabaseStore {self.path}>"

    def ids(self) -> set[str]:
        return {k.id for k in self.snapshots()}

    def write(self, frame: pd.DataFrame, kept: Snapshot) -> None:
        table = to_table(frame, kept.id)
        with self._connection(create=True) as db:
            db.execute("BEGIN TRANSACTION")
            try:
                db.execute(_CREATE_SNAPSHOTS)
                db.register("incoming", table)
                if _has_table(db, CERTIFICATIONS_TABLE):
                    db.execute(f"INSERT INTO {CERTIFICATIONS_TABLE} BY NAME SELECT * FROM incoming")
                else:
                    db.execute(f"CREATE TABLE {CERTIFICATIONS_TABLE} AS SELECT * FROM incoming")
                db.unregister("incoming")
                db.execute(
                    f"INSERT INTO {SNAPSHOTS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [kept.id, kept.tenant, kept.account, kept.taken.to_pydatetime(), kept.asof.date(),
                     kept.rows, kept.certnb, kept.to_json()],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def snapshots(self) -> list[Snapshot]:
        if not self.path.exists():
            return []
        with self._connection() as db:
            if not _has_table(db, SNAPSHOTS_TABLE):
                raise SnapshotError(self.path, "is a DuckDB file without certnb's snapshots table",
                                    "name another file (a new one is created on the first snapshot)")
            rows = db.execute(f"SELECT metadata FROM {SNAPSHOTS_TABLE}").fetchall()
        return sorted((Snapshot.from_json(text) for (text,) in rows), key=lambda k: (k.taken, k.id))

    def read(self, kept: Snapshot) -> pd.DataFrame:
        with self._connection() as db:
            table = db.sql(
                f"SELECT * EXCLUDE ({SNAPSHOT_COLUMN}) FROM {CERTIFICATIONS_TABLE} "
                f"WHERE {SNAPSHOT_COLUMN} = $id ORDER BY rowid", params={"id": kept.id}
            ).to_arrow_table()
        return restore_attrs(from_table(table, kept.profile_sources), kept)

    @contextmanager
    def _connection(self, create: bool = False) -> Iterator[Any]:
        import duckdb

        if self.path.is_dir():
            raise SnapshotError(self.path, "is a folder, not a DuckDB file",
                                "name a file ending .duckdb, or a folder (no .duckdb) for Parquet files")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = duckdb.connect(str(self.path), read_only=not create)
        except duckdb.Error as refusal:
            raise SnapshotError(self.path, f"cannot be opened as a DuckDB file ({refusal})",
                                "close other programs using it, or name another file") from None
        try:
            yield db
        finally:
            db.close()


def _has_table(db: Any, name: str) -> bool:
    query = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    found = db.execute(query, [name]).fetchone()
    return bool(found and found[0])
