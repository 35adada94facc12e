"""Audit snapshots: keep a loaded frame with who took it, when and for which tenant; list them; read one back.

A store is a path you name. A folder holds one Parquet file per snapshot (`certnb.history.folder`); a path
ending `.duckdb` is one DuckDB file with a `snapshots` and a `certifications` table
(`certnb.history.database`). Either way each snapshot keeps its tenant, the signed-in account, when it was
taken (UTC), the day its audit is for (`asof`), the certnb version and the row count, and reads back as the
very frame that was kept (dtypes included).

    >>> import tempfile
    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": "2027-01-31"}]}])
    >>> folder = tempfile.mkdtemp()
    >>> kept = snapshot(df, folder, tenant="contoso", account="adele@contoso.example",
    ...                 taken="2026-11-30T09:00:00Z")
    >>> kept.id, kept.asof.date().isoformat(), kept.rows
    ('20261130T090000Z', '2026-11-30', 1)
    >>> read_snapshot(folder).equals(df)
    True
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Protocol

import pandas as pd

from certnb.errors import SnapshotError
from certnb.frame.audit import as_day
from certnb.history.metadata import Snapshot, attrs_of

__all__ = ["SNAPSHOT_COLUMNS", "Snapshot", "list_snapshots", "read_snapshot", "snapshot", "store_at"]

SNAPSHOT_COLUMNS: tuple[str, ...] = ("id", "tenant", "account", "taken", "asof", "rows", "certnb")
"""Columns of `list_snapshots(path)` (and of `History.snapshots`), one row per snapshot, oldest first."""


class Store(Protocol):
    """Where snapshots are kept: a folder of Parquet files or a DuckDB file."""

    path: Path

    def ids(self) -> set[str]: ...

    def write(self, frame: pd.DataFrame, kept: Snapshot) -> None: ...

    def snapshots(self) -> list[Snapshot]: ...

    def read(self, kept: Snapshot) -> pd.DataFrame: ...


def store_at(path: str | os.PathLike[str]) -> Store:
    """The store at `path`: a DuckDB file when it ends `.duckdb`, else a folder of Parquet files.

    >>> type(store_at("audits.duckdb")).__name__, type(store_at("audits")).__name__
    ('DatabaseStore', 'FolderStore')
    """
    where = Path(path)
    if where.suffix.lower() == ".duckdb":
        from certnb.history.database import DatabaseStore

        return DatabaseStore(where)
    from certnb.history.folder import FolderStore

    return FolderStore(where)


def snapshot(
    frame: pd.DataFrame, path: str | os.PathLike[str], *, tenant: str | None = None,
    account: str | None = None, asof: object = None, taken: object = None,
    findings: pd.DataFrame | None = None,
) -> Snapshot:
    """Keep `frame` as a new snapshot in the store at `path` (a folder, or a file ending `.duckdb`).

    `tenant` and `account` say whose audit it is (`session.load(..., snapshot=path)` fills them in);
    `taken` defaults to now (UTC), `asof` (the day the audit is for) to the day taken. `findings`, the
    audit's findings table (`certnb.audit(df, asof)`), is counted by rule and kept, so `History.trends()`
    need not audit the snapshot again. Returns the snapshot's metadata (`Snapshot`).

    >>> snapshot(df, "audits/", tenant="contoso", account="adele@contoso.example")  # doctest: +SKIP
    Snapshot(id='20261130T090000.123456Z', tenant='contoso', ...)
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError("snapshot keeps a certification frame (a DataFrame from load); got "
                        f"{type(frame).__name__}")
    moment = _utc(taken)
    store = store_at(path)
    kept = Snapshot(
        _new_id(moment, store.ids()), tenant, account, moment, as_day(asof if asof is not None else
                                                                    moment.tz_localize(None)),
        len(frame), _version(), _counts(findings), *attrs_of(frame),
    )
    store.write(frame, kept)
    return kept


def list_snapshots(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The snapshots kept at `path`, one row each (`SNAPSHOT_COLUMNS`), oldest first.

    >>> list_snapshots("audits/")[["id", "tenant", "rows"]]  # doctest: +SKIP
    """
    kept = _existing(path).snapshots()
    table = pd.DataFrame([k.line() for k in kept], columns=list(SNAPSHOT_COLUMNS))
    return table.astype({"id": "string", "tenant": "string", "account": "string", "certnb": "string",
                         "rows": "int64", "taken": "datetime64[us, UTC]", "asof": "datetime64[s]"})


def read_snapshot(path: str | os.PathLike[str], id: str | None = None) -> pd.DataFrame:
    """The frame kept as snapshot `id` at `path` (default: the latest), as it was when kept.

    >>> df = read_snapshot("audits/", "20261130T090000Z")  # doctest: +SKIP
    """
    store = _existing(path)
    return store.read(find(store, id))


def find(store: Store, id: str | None) -> Snapshot:
    """The snapshot called `id` in `store` (None: the latest); a `SnapshotError` naming the ids there."""
    kept = store.snapshots()
    if not kept:
        raise SnapshotError(store.path, "holds no certnb snapshot",
                            f"keep one with certnb.snapshot(df, {str(store.path)!r})")
    if id is None:
        return kept[-1]
    for one in kept:
        if one.id == id:
            return one
    shown = ", ".join(k.id for k in kept[-5:])
    raise SnapshotError(store.path, f"holds no snapshot {id!r}",
                        f"use one of its ids (the latest: {shown}) or certnb.history(path).snapshots")


def _existing(path: str | os.PathLike[str]) -> Store:
    store = store_at(path)
    if not store.path.exists():
        raise SnapshotError(store.path, "does not exist",
                            "check the path, or keep a first snapshot there with certnb.snapshot(df, path)")
    return store


def _utc(taken: object) -> pd.Timestamp:
    if taken is None:
        return pd.Timestamp(dt.datetime.now(dt.UTC))
    try:
        moment = pd.Timestamp(taken)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"taken must be a time such as '2026-11-30T09:00:00Z'; got {taken!r}") from None
    # A time without a zone is taken as UTC, as Graph's times are (contract §2).
    return moment.tz_localize("UTC") if moment.tz is None else moment.tz_convert("UTC")


def _new_id(moment: pd.Timestamp, taken_ids: set[str]) -> str:
    """The UTC time as a file-name-safe id (`20261130T090000Z`, microseconds when there are some), made
    unique in the store with `-2`, `-3`, ..."""
    fraction = f".{moment.microsecond:06d}" if moment.microsecond else ""
    stamp = f"{moment:%Y%m%dT%H%M%S}{fraction}Z"
    name, n = stamp, 1
    while name in taken_ids:
        n += 1
        name = f"{stamp}-{n}"
    return name


def _version() -> str:
    # Not `certnb.__version__`: importing the package root from here would import every layer above.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("certnb")
    except PackageNotFoundError:
        return "unknown"


def _counts(findings: pd.DataFrame | None) -> dict[str, int] | None:
    if findings is None:
        return None
    if "rule" not in findings.columns:
        raise ValueError("findings must be the audit's findings table (certnb.audit(df, asof)), with a rule "
                         "column")
    return {str(rule): int(n) for rule, n in findings["rule"].value_counts(sort=False).items()}
