"""A folder of snapshots: one Parquet file each, its metadata in the file's own key-value metadata.

`<folder>/certnb-<id>.parquet`, where the id is the UTC time taken (`20261130T090000Z`). The metadata
(`certnb.history.snapshots.Snapshot`, JSON under the key `certnb`) travels inside the file, so there is no
manifest to fall out of step: listing reads each file's footer only. A file is written beside its final
name and renamed into place, so a crash mid-write leaves no half snapshot. DuckDB reads the folder as one
table: `SELECT ... FROM read_parquet('audits/certnb-*.parquet')` (each row carries its `snapshotId`).

    >>> import tempfile
    >>> from certnb.frame.build import build_frame
    >>> from certnb.history.snapshots import snapshot
    >>> folder = tempfile.mkdtemp()
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1"}]}])
    >>> _ = snapshot(df, folder, taken="2026-11-30")
    >>> [p.name for p in FolderStore(folder).files()]
    ['certnb-20261130T000000Z.parquet']
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from certnb.errors import SnapshotError
from certnb.history.metadata import Snapshot, restore_attrs
from certnb.history.table import from_table, to_table

METADATA_KEY = b"certnb"
"""The Parquet key-value metadata key holding a snapshot's metadata (JSON)."""

PREFIX = "certnb-"
SUFFIX = ".parquet"


class FolderStore:
    """Snapshots as Parquet files in one folder (created on the first snapshot)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"<FolderStore {self.path}>"

    def files(self) -> list[Path]:
        """The snapshot files, by name (so oldest first)."""
        if self.path.exists() and not self.path.is_dir():
            raise SnapshotError(self.path, "is a file, not a folder of snapshots",
                                "name a folder, or a file ending .duckdb to keep snapshots in DuckDB")
        if not self.path.exists():
            return []
        return sorted(p for p in self.path.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())

    def ids(self) -> set[str]:
        return {p.name[len(PREFIX):-len(SUFFIX)] for p in self.files()}

    def write(self, frame: pd.DataFrame, kept: Snapshot) -> None:
        import pyarrow.parquet as pq

        self.files()  # refuses a path that is a file
        table = to_table(frame, kept.id)  # refuses a frame that is not a certification frame
        self.path.mkdir(parents=True, exist_ok=True)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               METADATA_KEY: kept.to_json().encode("utf-8")})
        final = self._file(kept.id)
        partial = final.with_name(f".{final.name}.partial")
        pq.write_table(table, partial, compression="zstd")
        os.replace(partial, final)

    def snapshots(self) -> list[Snapshot]:
        import pyarrow.parquet as pq

        kept = []
        for path in self.files():
            try:
                metadata = pq.read_schema(path).metadata or {}
            except (OSError, ValueError) as refusal:  # pyarrow's ArrowInvalid is a ValueError
                raise SnapshotError(path, f"is not readable as a Parquet snapshot ({refusal})",
                                    "move it out of the folder, or restore it from a backup") from None
            if METADATA_KEY not in metadata:
                raise SnapshotError(path, "is a Parquet file without certnb's snapshot metadata",
                                    "move it out of the snapshot folder")
            kept.append(Snapshot.from_json(metadata[METADATA_KEY]))
        return sorted(kept, key=lambda k: (k.taken, k.id))

    def read(self, kept: Snapshot) -> pd.DataFrame:
        import pyarrow.parquet as pq

        table = pq.read_table(self._file(kept.id))
        return restore_attrs(from_table(table, kept.profile_sources), kept)

    def _file(self, snapshot_id: str) -> Path:
        return self.path / f"{PREFIX}{snapshot_id}{SUFFIX}"
