"""Fixes to make at the source: edits of values another system owns, collected instead of staged
(`certnb.stage(df, owned="source")`), as a table for that system's owner and a file safe to send.

    >>> fixes = SourceFixes()
    >>> fixes.note(SourceFix("u1", "c1", "endDate", "Adele (adele@x)", "adele@x", "AZ-104", "2026-12-31",
    ...                      "2027-06-30", "Workday (HR connector)"))
    >>> fixes.table()[["person", "certification", "label", "graph", "wanted", "source"]].values.tolist()
    [['Adele (adele@x)', 'AZ-104', 'Expires', '2026-12-31', '2027-06-30', 'Workday (HR connector)']]

Graph keeps what the owning system sends: an edit there reaches Graph at its next import, an edit in Graph
does not last (`certnb.staging.ownership`). The table is kept by the `Staged` that collected it, in memory:
it is not journaled, so export it (`staged.export_source_fixes(path)`) before the kernel goes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from certnb.frame.names import label
from certnb.frame.spreadsheet import write_tables

__all__ = ["SOURCE_FIX_COLUMNS", "SourceFix", "SourceFixes"]

SOURCE_FIX_COLUMNS: tuple[str, ...] = ("person", "userPrincipalName", "certification", "label", "graph",
                                       "wanted", "source", "userId", "id", "field")
"""Columns of `staged.source_fixes()`: who and what, Graph's value, the value wanted, where to fix it, then
the ids and the field's Graph name for code."""

DELETE_WANTED = "(delete the certification)"


class SourceFix(NamedTuple):
    """One value to correct in the owning system (`field` None: the whole certification, to delete)."""

    user_id: str
    cert_id: str
    field: str | None
    person: str | None
    user_principal_name: str | None
    certification: str | None
    graph: Any
    wanted: Any
    source: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.user_id, self.cert_id, self.field or "")


class SourceFixes:
    """The source fixes a `Staged` collected, one per cell (a later one for the same cell replaces it)."""

    def __init__(self) -> None:
        self._fixes: dict[tuple[str, str, str], SourceFix] = {}

    def __len__(self) -> int:
        return len(self._fixes)

    def note(self, fix: SourceFix) -> None:
        """Keep `fix` (replacing one noted for the same cell)."""
        self._fixes[fix.key] = fix

    def drop(self, key: tuple[str, str, str]) -> bool:
        """Forget the fix of one cell (its value was set back to Graph's); True if there was one."""
        return self._fixes.pop(key, None) is not None

    def clear(self) -> None:
        self._fixes.clear()

    def table(self) -> pd.DataFrame:
        """The fixes as a table (`SOURCE_FIX_COLUMNS`), in the order they were noted."""
        rows = [(f.person, f.user_principal_name, f.certification,
                 "the certification" if f.field is None else label(f.field), f.graph,
                 DELETE_WANTED if f.field is None else f.wanted, f.source, f.user_id, f.cert_id,
                 f.field) for f in self._fixes.values()]
        return pd.DataFrame(rows, columns=list(SOURCE_FIX_COLUMNS), dtype=object)

    def export(self, path: str | Path) -> Path:
        """Write the table to `.xlsx` or `.csv`, safe to open: no cell runs as a formula (`write_tables`)."""
        return write_tables({"source fixes": self.table()}, path)
