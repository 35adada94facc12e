"""`History`: the snapshots of one store, their trends and plot, and what changed since an earlier audit.

    >>> h = certnb.history("audits/")                       # doctest: +SKIP
    >>> h.snapshots[["id", "tenant", "account", "rows"]]    # doctest: +SKIP
    >>> h.trends()                                          # doctest: +SKIP
    >>> h.plot()                                            # doctest: +SKIP
    >>> h.changes_since(-2)                                 # doctest: +SKIP
    >>> h.changes_since("2026-11-01", audit_log="edits.sqlite.audit.jsonl")  # doctest: +SKIP

`snapshots` has one row per snapshot, oldest first; `trends()` counts expired, expiring, `findings.<rule>`
and `issuer.<name>` per snapshot; `plot()` draws them; `changes_since(-2)` compares the latest audit with
the one before it (who and when from Graph; `outside` from certnb's audit log when given).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from certnb.errors import SnapshotError
from certnb.history.changes import AuditLogs, changes
from certnb.history.metadata import Snapshot
from certnb.history.snapshots import Store, find, list_snapshots, store_at
from certnb.history.trends import counts, trends_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Which = str | int | dt.date | pd.Timestamp | pd.DataFrame | None
"""A snapshot: its id, its position (0 the oldest, -1 the latest), a day or time (the latest snapshot taken
by then), or a frame of your own (a fresh load)."""


def history(path: str | os.PathLike[str]) -> History:
    """The audit history kept at `path` (a folder of snapshots, or a `.duckdb` file).

    >>> certnb.history("audits/").trends()  # doctest: +SKIP
    """
    return History(path)


class History:
    """The snapshots kept at one path: `.snapshots`, `.trends()`, `.plot()`, `.changes_since(previous)`.

    Counts are computed once per snapshot and remembered; snapshots added later are picked up.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._store: Store = store_at(path)
        if not self._store.path.exists():
            raise SnapshotError(self._store.path, "does not exist",
                                "check the path, or keep a first snapshot with certnb.snapshot(df, path)")
        self._counts: dict[str, dict[str, int]] = {}

    @property
    def path(self) -> Path:
        """The folder or DuckDB file the snapshots are kept in."""
        return self._store.path

    def __repr__(self) -> str:
        kept = self._store.snapshots()
        span = f", {kept[0].taken:%Y-%m-%d %H:%M} … {kept[-1].taken:%Y-%m-%d %H:%M} UTC" if kept else ""
        return f"<History {self._store.path}: {len(kept)} snapshot{'s' * (len(kept) != 1)}{span}>"

    @property
    def snapshots(self) -> pd.DataFrame:
        """One row per snapshot (`certnb.history.SNAPSHOT_COLUMNS`), oldest first."""
        return list_snapshots(self._store.path)

    def read(self, which: Which = None) -> pd.DataFrame:
        """The frame kept as one snapshot (default: the latest; see `Which`)."""
        if isinstance(which, pd.DataFrame):
            return which
        return self._store.read(self._snapshot(which))

    def trends(self) -> pd.DataFrame:
        """Counts per snapshot (index: snapshot id): taken, asof, certifications, expired, expiring within
        90 days of the snapshot's asof, `findings.<rule>` and `issuer.<name>` (`certnb.history.trends`)."""
        rows = []
        for kept in self._store.snapshots():
            found = self._counts.get(kept.id)
            if found is None:
                found = self._counts[kept.id] = counts(self._store.read(kept), kept.asof, kept.findings)
            rows.append((kept.id, kept.taken, kept.asof, found))
        return trends_table(rows)

    def plot(self, path: str | os.PathLike[str] | None = None, top: int = 8) -> Figure:
        """The trends as a matplotlib Figure (expiries, findings by rule, issuers); PNG at `path` if given."""
        from certnb.history.plots import trends_figure

        return trends_figure(self.trends(), None if path is None else os.fspath(path), top=top)

    def changes_since(self, previous: Which, current: Which = None, *, audit_log: AuditLogs = None
                      ) -> pd.DataFrame:
        """What changed from the `previous` audit to `current` (default: the latest snapshot).

        One row per added or removed certification and per changed field, with who and when from Graph's
        `lastModifiedBy`/`lastModifiedDateTime`; with certnb's `audit_log` (paths or entries), `outside` says
        which changes certnb did not make (`certnb.history.changes`).
        """
        since = None if isinstance(previous, pd.DataFrame) else self._snapshot(previous).taken
        return changes(self.read(previous), self.read(current), audit_log=audit_log, since=since)

    def _snapshot(self, which: Which) -> Snapshot:
        kept = self._store.snapshots()
        if which is None or (isinstance(which, str) and any(k.id == which for k in kept)):
            return find(self._store, which)
        if not kept:
            return find(self._store, None)  # the store's own "holds no snapshot" error
        if isinstance(which, int) and not isinstance(which, bool):
            if not -len(kept) <= which < len(kept):
                raise SnapshotError(self._store.path,
                                    f"holds {len(kept)} snapshots, so none at position {which}",
                                    "use 0 for the oldest, -1 for the latest, or a snapshot id")
            return kept[which]
        bound = _until(which, self._store.path)
        earlier = [k for k in kept if k.taken < bound]
        if not earlier:
            raise SnapshotError(self._store.path, f"holds no snapshot taken by {which}",
                                f"the oldest was taken {kept[0].taken:%Y-%m-%d %H:%M} UTC (id {kept[0].id})")
        return earlier[-1]


def _until(which: Any, path: Path) -> pd.Timestamp:
    """The moment before which a snapshot counts as taken 'by' `which`: a day includes all of it."""
    try:
        moment = pd.Timestamp(which)
    except (TypeError, ValueError):
        raise SnapshotError(path, f"holds no snapshot {which!r}",
                            "name one by its id, its position (-1 the latest) or a day such as '2026-11-01'"
                            ) from None
    whole_day = (isinstance(which, dt.date) and not isinstance(which, dt.datetime)) or (
        isinstance(which, str) and len(which.strip()) == 10)
    if moment.tz is None:
        moment = moment.tz_localize("UTC")
    return moment + pd.Timedelta(days=1) if whole_day else moment + pd.Timedelta(microseconds=1)
