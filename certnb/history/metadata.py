"""One kept audit's metadata (`Snapshot`): tenant, account, time taken, audit day, rows, certnb version.

It is stored as JSON beside the rows (Parquet key-value metadata, or a row of DuckDB's `snapshots` table),
with what the frame's `attrs` held: the tenant's source names and the users that could not be loaded.

    >>> kept = Snapshot("20261130T090000Z", "contoso", "adele@contoso.example",
    ...                 pd.Timestamp("2026-11-30T09:00:00Z"), pd.Timestamp("2026-11-30"), 12, "0.1.0")
    >>> Snapshot.from_json(kept.to_json()) == kept
    True
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from certnb.frame.load import FAILURE_COLUMNS, FAILURES_ATTR
from certnb.frame.owners import PROFILE_SOURCES_ATTR

__all__ = ["FORMAT", "Snapshot", "attrs_of", "restore_attrs"]

FORMAT = 1
"""The snapshot format's version, kept in each snapshot's metadata."""


@dataclass(frozen=True)
class Snapshot:
    """One kept audit: its id, tenant, signed-in account, UTC time taken, audit day, rows and certnb version.

    `findings` (rule → count) is kept when the audit's findings were given, so trends need not audit again;
    `profile_sources` and `failures` are the frame's `attrs` (source names; users that did not load).
    """

    id: str
    tenant: str | None
    account: str | None
    taken: pd.Timestamp
    asof: pd.Timestamp
    rows: int
    certnb: str
    findings: dict[str, int] | None = None
    profile_sources: dict[str, str] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> str:
        """The metadata as JSON text (what the Parquet key-value metadata or the DuckDB row holds)."""
        return json.dumps({
            "format": FORMAT, "id": self.id, "tenant": self.tenant, "account": self.account,
            "taken": self.taken.isoformat(), "asof": self.asof.date().isoformat(), "rows": self.rows,
            "certnb": self.certnb, "findings": self.findings, "profileSources": self.profile_sources,
            "failures": self.failures,
        }, separators=(",", ":"), default=str)

    @classmethod
    def from_json(cls, text: str | bytes) -> Snapshot:
        """The metadata `to_json` wrote."""
        data = json.loads(text)
        return cls(str(data["id"]), data.get("tenant"), data.get("account"), pd.Timestamp(data["taken"]),
                   pd.Timestamp(data["asof"]).as_unit("s"), int(data["rows"]), str(data.get("certnb", "")),
                   data.get("findings"), dict(data.get("profileSources") or {}),
                   list(data.get("failures") or []))

    def line(self) -> dict[str, Any]:
        """The snapshot as a row of `list_snapshots` (`SNAPSHOT_COLUMNS`)."""
        return {"id": self.id, "tenant": self.tenant, "account": self.account, "taken": self.taken,
                "asof": self.asof, "rows": self.rows, "certnb": self.certnb}


def attrs_of(frame: pd.DataFrame) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """What a snapshot keeps of `frame.attrs`: the source names (id → name) and the failures table's rows."""
    return _profile_sources(frame), _failures(frame)


def restore_attrs(frame: pd.DataFrame, kept: Snapshot) -> pd.DataFrame:
    """`frame` with the `attrs` a load had given it (the failures table) back from the snapshot's metadata."""
    if kept.failures:
        frame.attrs[FAILURES_ATTR] = pd.DataFrame(kept.failures, columns=list(FAILURE_COLUMNS))
    return frame


def _profile_sources(frame: pd.DataFrame) -> dict[str, str]:
    names = frame.attrs.get(PROFILE_SOURCES_ATTR)
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, Mapping) else {}


def _failures(frame: pd.DataFrame) -> list[dict[str, Any]]:
    table = frame.attrs.get(FAILURES_ATTR)
    if not isinstance(table, pd.DataFrame) or table.empty:
        return []
    return [{str(c): (None if pd.isna(v) else v) for c, v in row.items()}
            for row in table.reindex(columns=list(FAILURE_COLUMNS)).astype(object).to_dict("records")]
