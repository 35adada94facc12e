"""Audit history: keep every load as a snapshot, see trends across them, and what changed since an audit.

    snapshots.py  snapshot(df, path, ...) keeps a frame; list_snapshots, read_snapshot; store_at(path)
    metadata.py   Snapshot: tenant, account, time taken (UTC), audit day, rows, certnb version
    table.py      the frame ⇄ the stored table (typed columns to query, Graph's JSON to read back exactly)
    folder.py     a folder of Parquet files, one per snapshot
    database.py   one DuckDB file: `snapshots` and `certifications` tables
    trends.py     counts per snapshot: expired, expiring, findings by rule, per issuer
    changes.py    added, removed and changed certifications between two frames, with who and when
    plots.py      the trends as one matplotlib Figure
    history.py    History: the snapshots of one store, their trends, plot and changes

The package sits just above `certnb.frame` (it reads frames and audits them) and below staging: it never
imports staging, commit or the session. pyarrow and duckdb are imported when a snapshot is written or read,
so `import certnb` stays light.

    >>> import tempfile
    >>> from certnb.frame.build import build_frame
    >>> folder = tempfile.mkdtemp()
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": "2026-12-31"}]}])
    >>> _ = snapshot(df, folder, tenant="contoso", taken="2026-11-30T09:00:00Z")
    >>> history(folder).trends()[["certifications", "expiring"]].values.tolist()
    [[1, 1]]
"""

from __future__ import annotations

from certnb.history.changes import CHANGE_COLUMNS, changes
from certnb.history.history import History, history
from certnb.history.metadata import Snapshot
from certnb.history.snapshots import SNAPSHOT_COLUMNS, list_snapshots, read_snapshot, snapshot
from certnb.history.trends import TREND_COLUMNS

__all__ = [
    "CHANGE_COLUMNS",
    "SNAPSHOT_COLUMNS",
    "TREND_COLUMNS",
    "History",
    "Snapshot",
    "changes",
    "history",
    "list_snapshots",
    "read_snapshot",
    "snapshot",
]
