"""Cells whose value another system owns: read-only in the grid (unless its `Staged` says otherwise), marked,
and saying on hover who owns them.

Who owns a value is the frame's `sources`, read by `certnb.frame.owners` (an admin-controlled source that
lists the field, or the whole item). The grid follows the `owned=` its `Staged` was opened with
(`certnb.staging.ownership`): "refuse" (the default) makes such cells read-only, refused before anything is
staged, saying so in the grid's words; "warn" and "source" let the analyst edit them, and the message line
says what staging did with the edit (staged with a warning, or sent to `staged.source_fixes()`). The cell
stays marked in every mode.

Only rows some admin-controlled source supplies (the frame's `ownedBy` column) are looked at, once each, when
a window first shows them: a 100,000-row frame without `sources` costs nothing. New rows are nobody's.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "displayName": "Ines", "certifications": [
    ...     {"id": "c1", "displayName": "CISSP", "sources": [{"id": "wd", "properties": ["endDate"]}]}]}],
    ...     profile_sources=[{"id": "wd", "displayName": "Workday HR", "kind": "Workday"}])
    >>> cells = OwnedCells(df)
    >>> cells.owners(0, "endDate"), cells.owners(0, "startDate")
    (('Workday HR (Workday)',), ())
    >>> cells.hover(0, "endDate")
    'Owned by Workday HR (Workday): fix it in that system'
    >>> cells.refusal(0, "endDate", "Ines · CISSP")
    "Ines · CISSP: Expires is owned by Workday HR (Workday): fix it in that system (stage(df, owned='warn') \
lets the grid edit it)"
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from certnb.frame.owners import Ownership
from certnb.schema import LABELS
from certnb.staging.ownership import Owned, OwnedValueWarning, joined
from certnb.widgets.datagrid.columns import EDITABLE

__all__ = ["OwnedCells", "caught_owned", "hover_text", "routed_text", "warned_text"]


def hover_text(owners: tuple[str, ...]) -> str:
    """What hovering an owned cell says.

    >>> hover_text(("Workday HR (Workday)", "Microsoft Entra ID"))
    'Owned by Workday HR (Workday) and Microsoft Entra ID: fix it in those systems'
    """
    return f"Owned by {joined(owners)}: fix it in {'that system' if len(owners) == 1 else 'those systems'}"


def warned_text(field: str, owners: tuple[str, ...]) -> str:
    """The message line after an owned cell was staged with `owned="warn"`."""
    return (f"{LABELS.get(field, field)} staged, with a warning: it is owned by {joined(owners)}, whose next "
            "import may put the old value back")


def routed_text(field: str, owners: tuple[str, ...]) -> str:
    """The message line after an owned cell's edit was routed with `owned="source"` (nothing staged).

    >>> routed_text("endDate", ("Workday HR (Workday)",))
    'Expires sent to the list for Workday HR (Workday): staged.source_fixes()'
    """
    return f"{LABELS.get(field, field)} sent to the list for {joined(owners)}: staged.source_fixes()"


@contextmanager
def caught_owned() -> Iterator[list[warnings.WarningMessage]]:
    """Keep the `OwnedValueWarning`s staging raises (`owned="warn"`) instead of letting them out of a widget
    callback, where nobody reads them: the grid says so in its message line instead."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", OwnedValueWarning)
        yield caught


class OwnedCells:
    """Which cells of a frame's rows other systems own, by grid position, and what the grid says of them
    (`mode`: the `Staged`'s `owned`, "refuse", "warn" or "source")."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.base = len(frame)
        self._ownership = Ownership(frame)
        if not self._ownership:
            self._supplied = np.zeros(self.base, dtype=bool)
        elif "ownedBy" in frame.columns:  # a row no admin-controlled source supplies owns no field
            self._supplied = frame["ownedBy"].notna().to_numpy(dtype=bool)
        else:
            self._supplied = np.ones(self.base, dtype=bool)
        self._keys = (frame["userId"].astype(object).tolist(), frame["id"].astype(object).tolist())
        self._fields: dict[int, dict[str, tuple[str, ...]]] = {}  # position → field → owners, once read
        self._encoded: dict[int, str] = {}

    def _owned_fields(self, position: int) -> dict[str, tuple[str, ...]]:
        if position >= self.base or not self._supplied[position]:
            return {}
        found = self._fields.get(position)
        if found is None:
            key = (str(self._keys[0][position]), str(self._keys[1][position]))
            found = {f: o for f in EDITABLE if (o := self._ownership.owners(key, f))}
            self._fields[position] = found
        return found

    def owners(self, position: int, field: str) -> tuple[str, ...]:
        """Who owns `field` of the row at grid `position` (`()`: nobody)."""
        return self._owned_fields(position).get(field, ())

    def hover(self, position: int, field: str) -> str:
        """What hovering the cell says ("" when nobody owns it)."""
        owners = self.owners(position, field)
        return hover_text(owners) if owners else ""

    def refusal(self, position: int, field: str, who: str, mode: Owned = "refuse") -> str | None:
        """Why the grid refuses to edit the cell (`who`: the row as messages name it), else None: only with
        `mode="refuse"`, and only when someone owns it."""
        owners = self.owners(position, field)
        if mode != "refuse" or not owners:
            return None
        systems = "that system" if len(owners) == 1 else "those systems"
        return (f"{who}: {LABELS.get(field, field)} is owned by {joined(owners)}: fix it in {systems} "
                "(stage(df, owned='warn') lets the grid edit it)")

    def after_edit(self, position: int, field: str, mode: Owned) -> str:
        """What the message line says after an owned cell was edited with "warn" or "source" ("" else)."""
        owners = self.owners(position, field)
        if not owners or mode == "refuse":
            return ""
        return warned_text(field, owners) if mode == "warn" else routed_text(field, owners)

    def encoded(self, position: int) -> str:
        """The row's owned cells as a window carries them: JSON `[[hover text, [field, ...]], ...]`, one entry
        per owning set of sources (a row usually has one), "" when nobody owns any of its cells."""
        fields = self._owned_fields(position)
        if not fields:
            return ""
        found = self._encoded.get(position)
        if found is None:
            groups: dict[tuple[str, ...], list[str]] = {}
            for name, owners in fields.items():
                groups.setdefault(owners, []).append(name)
            found = json.dumps([[hover_text(o), names] for o, names in groups.items()])
            self._encoded[position] = found
        return found
