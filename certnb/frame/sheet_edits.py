"""What comparing an edited spreadsheet with the loaded frame found: `SheetEdits` and its table columns.

    >>> SheetEdits(pd.DataFrame(columns=list(CHANGE_COLUMNS)), pd.DataFrame(columns=list(PROBLEM_COLUMNS)))
    <SheetEdits: 0 changed cells, 0 new, 0 to delete, 0 problems>
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

CHANGE_COLUMNS: tuple[str, ...] = ("row", "userId", "id", "field", "before", "after")
DELETE_COLUMNS: tuple[str, ...] = ("row", "userId", "id")
PROBLEM_COLUMNS: tuple[str, ...] = (
    "row", "userId", "id", "field", "value", "problem", "person", "certification", "label"
)
KEY_COLUMNS: tuple[str, str] = ("userId", "id")


@dataclass(frozen=True)
class SheetEdits:
    """The outcome of comparing a spreadsheet with the loaded frame.

    `changes`: one row per changed cell (`CHANGE_COLUMNS`, and `reason` when the file has a Reason column),
    `before`/`after` in the frame's Python types, ready to be staged as edits. `problems`: one row per cell,
    row or column that was not taken (`PROBLEM_COLUMNS`). `row` is the file's row number (the header is
    row 1); `person`, `certification` and `label` name the row's holder, its title and the field as the
    forms do (`certnb.frame.names`).
    """

    changes: pd.DataFrame
    problems: pd.DataFrame
    creates: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["row", "userId",
                                                                                 "userPrincipalName"]))
    """One row per new certification: the file row, its person, then its fields (empty cells left None)."""
    deletes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(DELETE_COLUMNS)))
    """One row per certification to delete: the file row (None for a removed row), userId, id."""
    removed: tuple[tuple[str, str], ...] = ()
    """(userId, id) of loaded certifications the file does not hold (deleted only with removed="delete")."""

    @property
    def ok(self) -> bool:
        """True when every edited cell could be taken."""
        return self.problems.empty

    def __repr__(self) -> str:
        parts = [f"{len(self.changes)} changed cell{'s' if len(self.changes) != 1 else ''}",
                 f"{len(self.creates)} new", f"{len(self.deletes)} to delete",
                 f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"]
        note = (f"; {len(self.removed)} loaded row{'s' if len(self.removed) != 1 else ''} not in the file "
                "(kept; removed='delete' deletes them)" if self.removed and self.deletes.empty else "")
        return f"<SheetEdits: {', '.join(parts)}{note}>"
