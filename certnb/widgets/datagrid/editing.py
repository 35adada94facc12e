"""Cell edits from the grid: typed text → the field's value, checked by the same rules as `Staged` (the
edit is staged through `Staged.set`, never a second copy of the rules), with the refusal worded by label.

A valid edit is staged (and journaled) at once; an invalid one stages nothing and comes back as a message
naming the field by its label ("Expires must be a date YYYY-MM-DD; got '2027-02-30' (no such day)").
Each grid action is one `Step` (what it staged or unstaged, and what became of new rows), so `History` can
undo and redo it: edits, creates and deletes alike (`certnb.widgets.datagrid.row_steps` makes the row steps).
A create withdrawn and staged again by an undo gets a new local id from `Staged.add`; the history reads the
old id as the new one from then on, and the row keeps its place.

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> from certnb.widgets.datagrid.table import GridTable
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "startDate": "2025-01-01", "endDate": "2026-06-30"}]}])
    >>> staged, table = stage(df), GridTable(df)
    >>> history = History(staged, table)
    >>> edit_cell(history, 0, "endDate", "2027-02-30").message
    "Expires must be a date YYYY-MM-DD; got '2027-02-30' (no such day)"
    >>> edit_cell(history, 0, "endDate", "2024-12-31").message
    'Expires 2024-12-31 is before Valid from 2025-01-01 (Expires must not be before Valid from)'
    >>> edit_cell(history, 0, "endDate", "2027-06-30").ok, [e.after for e in staged]
    (True, ['2027-06-30'])
    >>> history.undo(), len(staged), history.redo(), len(staged)
    (True, 0, True, 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from certnb.errors import EditsRefused
from certnb.schema import FIELDS_BY_COLUMN, LABELS
from certnb.staging.edit import DATE_ORDER, Refusal, check_date_order, check_value
from certnb.staging.operations import CREATE, DELETE, ROW_OPERATIONS
from certnb.staging.refusals import date_order_rule
from certnb.widgets.bulk_change import parse_text
from certnb.widgets.datagrid.columns import EDITABLE
from certnb.widgets.datagrid.owned import caught_owned
from certnb.widgets.datagrid.rows import SlotState, renamed_state

if TYPE_CHECKING:
    from certnb.staging import Staged
    from certnb.widgets.datagrid.table import GridTable

__all__ = ["UNSTAGED", "CellResult", "History", "Step", "check_cell", "edit_cell", "owned_refusal",
           "parse_cell"]

UNSTAGED: Any = object()
"""What a step records for a key that had nothing staged."""
Key = tuple[str, str, str]


def parse_cell(field_name: str, text: object) -> Any:
    """What a grid cell's text means for `field_name`: "" clears, audiences are comma-separated members.

    >>> parse_cell("allowedAudiences", ["organization", "contacts"]), parse_cell("endDate", " ")
    ('contacts,organization', None)
    """
    if isinstance(text, list | tuple):
        text = ",".join(str(t) for t in text)
    if field_name == "allowedAudiences":
        text = ",".join(sorted(p.strip() for p in str(text).split(",") if p.strip()))
        return check_value(field_name, text) if text else None
    return parse_text(field_name, "" if text is None else str(text))


@dataclass(frozen=True)
class CellResult:
    """What one cell edit did: `ok` (staged, or nothing to stage), or refused with `message`; an owned cell
    edited with owned="warn" or "source" is `ok` with `message` saying what staging did with it."""

    position: int
    field: str
    ok: bool
    message: str = ""
    text: str = ""  # the cell's effective text after the edit


@dataclass
class Step:
    """One grid action: each (userId, id, field) it touched, with what was staged before and after (a row
    operation is its `@create`/`@delete` key), and each new row's slot before and after."""

    what: str
    before: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    after: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    slots_before: dict[int, SlotState] = field(default_factory=dict)
    slots_after: dict[int, SlotState] = field(default_factory=dict)

    def rename(self, old: tuple[str, str], new: tuple[str, str]) -> None:
        """Read the create `old` as `new` from now on (it was staged again under a new local id)."""
        def keys(state: dict[Key, Any]) -> dict[Key, Any]:
            return {((*new, k[2]) if k[:2] == old else k): v for k, v in state.items()}
        self.before, self.after = keys(self.before), keys(self.after)
        for slots in (self.slots_before, self.slots_after):
            slots.update({p: renamed_state(s, old, new) for p, s in slots.items()})


class History:
    """Undo/redo of the grid's staging steps over one `Staged` (and the `GridTable` mirroring it)."""

    def __init__(self, staged: Staged, table: GridTable) -> None:
        self.staged = staged
        self.table = table
        self.done: list[Step] = []
        self.undone: list[Step] = []

    def state(self, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Any]:
        """What is staged now for each (userId, id, field) key (a marker where nothing is)."""
        self.table.refresh(self.staged)
        return {key: self.table.staged_value(key, UNSTAGED) for key in keys}

    def stage(self, what: str, cells: Mapping[tuple[int, str], Any]) -> Step | None:
        """Stage `cells` ((position, field) → value) in one atomic call; refused as a whole."""
        before = self.state(self.key(p, f) for p, f in cells)
        if len(cells) == 1 and next(iter(cells))[0] < self.table.base:  # a typed cell: `Staged.set`'s path
            ((position, name), value), = cells.items()
            self.staged.set(self.table.frame.index[position], {name: value})
        else:
            self.staged.from_changes(self._changes(  # problems name the cell: row = its (position, field)
                (*self.key(p, f), value, (p, f)) for (p, f), value in cells.items()))
        return self.record(what, before)

    @staticmethod
    def _changes(lines: Iterable[tuple[str, str, str, Any, Any]]) -> pd.DataFrame:
        return pd.DataFrame(list(lines), columns=["userId", "id", "field", "after", "row"], dtype=object)

    def unstage(self, what: str, keys: Iterable[tuple[str, str, str]]) -> Step | None:
        """Withdraw the staged edits of `keys` (one journaled call)."""
        chosen = [k for k in keys if k in self.staged]
        if not chosen:
            return None
        before = self.state(chosen)
        for key in chosen:
            self.staged.unstage(key)
        return self.record(what, before)

    def record(self, what: str, before: dict[tuple[str, str, str], Any],
               slots: dict[int, SlotState] | None = None) -> Step | None:
        """Close a step begun with `before = state(keys)` (and `slots = table.rows.states(positions)` for
        new rows): kept for undo if it changed anything."""
        after = self.state(before)
        slots_after = self.table.rows.states(list(slots or {}))
        if after == before and slots_after == (slots or {}):
            return None
        step = Step(what, before, after, dict(slots or {}), slots_after)
        self.done.append(step)
        self.undone.clear()
        return step

    def undo(self) -> bool:
        """Put back what was staged before the latest step; False if there is nothing to undo."""
        if not self.done:
            return False
        step = self.done.pop()
        self.undone.append(step)
        self._restore(step, undoing=True)
        return True

    def redo(self) -> bool:
        """Stage again what the latest undone step staged; False if there is nothing to redo."""
        if not self.undone:
            return False
        step = self.undone.pop()
        self.done.append(step)
        self._restore(step, undoing=False)
        return True

    def _restore(self, step: Step, *, undoing: bool) -> None:
        """Stage what the step's before (undoing) or after state says: withdrawals, deletes, creates, then
        cell edits; then put its slots back."""
        def state() -> dict[Key, Any]:  # read afresh: staging a create again renames it in the step
            return step.before if undoing else step.after

        for key, value in state().items():
            if value is UNSTAGED and key in self.staged:  # checked each time: a create goes whole
                self.staged.unstage(key)
        doomed = [k[:2] for k, v in state().items() if v is not UNSTAGED and k[2] == DELETE
                  and k not in self.staged]
        if doomed:
            self.staged.delete(doomed)
        for row in [k[:2] for k, v in state().items() if k[2] == CREATE and v is not UNSTAGED
                    and k not in self.staged]:
            self._create_again(row, {k[2]: v for k, v in state().items() if k[:2] == row
                                     and k[2] not in ROW_OPERATIONS and v is not UNSTAGED})
        wanted = [(*k, v, k) for k, v in state().items() if v is not UNSTAGED and k[2] not in ROW_OPERATIONS]
        if wanted:  # a create's fields staged with it again stage nothing here
            self.staged.from_changes(self._changes(wanted))
        slots = step.slots_before if undoing else step.slots_after
        self.table.rows.put(slots)
        self.table.paint_slots(slots, self.staged)
        self.table.refresh(self.staged)

    def _create_again(self, row: tuple[str, str], fields: dict[str, Any]) -> None:
        """Stage the withdrawn create `row` again with `fields`, in its old slot; `Staged.add` gives it a new
        local id, which every step reads the old one as from now on."""
        held = set(self.staged.creates)
        self.table.expected = self.table.rows.by_key.get(row)
        try:
            self.staged.add(row[0], fields)
            self.table.refresh(self.staged)
        finally:
            self.table.expected = None
        new = [k for k in self.staged.creates if k not in held]
        if len(new) == 1:
            for kept in (*self.done, *self.undone):
                kept.rename(row, new[0])
            self.table.rows.rename(row, new[0])

    def key(self, position: int, name: str) -> tuple[str, str, str]:
        """The (userId, id, field) key of a cell (of a new row: its staged create's local id)."""
        return (str(self.table.loaded["userId"][position]), str(self.table.loaded["id"][position]), name)


def edit_cell(history: History, position: int, field_name: str, text: object) -> CellResult:
    """Check the typed `text` for one cell and stage it (see the module docstring)."""
    if field_name not in EDITABLE or not FIELDS_BY_COLUMN[field_name].writable:
        label = LABELS.get(field_name, field_name)
        return CellResult(position, field_name, False, f"{label} is not editable in the grid")
    table = history.table
    locked = table.locked(position) or owned_refusal(history, position, field_name)
    if locked is not None:
        return CellResult(position, field_name, False, locked)
    try:
        value = parse_cell(field_name, text)
        wire = check_value(field_name, value)
    except Refusal as refusal:
        return CellResult(position, field_name, False, str(refusal))
    try:
        with caught_owned() as warned:  # owned="warn": said in the message line, not as a stray warning
            history.stage(f"edit {LABELS.get(field_name, field_name)}", {(position, field_name): value})
    except EditsRefused as refused:
        return CellResult(position, field_name, False, refused.problems[0].rule)
    table.refresh(history.staged)
    changed = ("" if wire is None else str(wire)) != table.loaded[field_name][position]
    said = table.owned.after_edit(position, field_name, history.staged.owned) if warned or (
        changed and history.staged.owned == "source") else ""
    return CellResult(position, field_name, True, said, text=str(table.text[field_name][position]))


def owned_refusal(history: History, position: int, field_name: str) -> str | None:
    """Why the grid refuses to edit a cell another system owns (while its `Staged` refuses such edits)."""
    table = history.table
    return table.owned.refusal(position, field_name, table.who(position), history.staged.owned)


def check_cell(history: History, position: int, field_name: str, text: object) -> CellResult:
    """Check what is being typed into a cell, staging nothing: the field's rule, then the date order of
    the row as it would be (`check_date_order`, the rule `Staged` applies when staging).

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> from certnb.widgets.datagrid.table import GridTable
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "startDate": "2025-01-01"}]}])
    >>> check_cell(History(stage(df), GridTable(df)), 0, "endDate", "2024-01-01").message
    'Expires 2024-01-01 is before Valid from 2025-01-01 (Expires must not be before Valid from)'
    """
    table = history.table
    locked = table.locked(position) or owned_refusal(history, position, field_name)
    if locked is not None:
        return CellResult(position, field_name, False, locked)
    try:
        value = parse_cell(field_name, text)
        wire = check_value(field_name, value)
    except Refusal as refusal:
        return CellResult(position, field_name, False, str(refusal))
    dated = {name for pair in DATE_ORDER for name in pair}
    if field_name in dated:
        effective = {name: table.text[name][position] or None for name in dated}
        effective[field_name] = wire
        broken = check_date_order(effective)
        if broken is not None:
            earlier, later = broken
            rule = date_order_rule(earlier, later, effective[earlier], effective[later])
            return CellResult(position, field_name, False, rule)
    return CellResult(position, field_name, True, text="" if wire is None else str(wire))
