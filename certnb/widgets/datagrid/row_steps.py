"""Row actions of the grid as undoable steps: add a row, type into a draft, delete rows, restore them,
withdraw a new row. Each goes through `Staged` (`add`, `delete`, `unstage`: never a second copy of its
rules) and is one `Step` of the grid's `History`.

A new row starts as a draft for a person (nothing staged: a create needs a title); typing its title stages
the create with every field typed so far (`Staged.add`, refused as it refuses). Deleting a loaded row stages
its delete (its staged edits go with it); deleting a new row withdraws its create, or drops the draft. A row
a commit has done (created, deleted) is past changing here.

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> from certnb.widgets.datagrid.table import GridTable
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "ann@x", "displayName": "Ann", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-900", "endDate": "2027-06-30"}]}])
    >>> staged = stage(df)
    >>> history = History(staged, GridTable(df))
    >>> row = add_row(history, find_person(people(df), "ann@x"), {"endDate": "2028-01-31"})
    >>> row.position, len(staged.creates)
    (1, 0)
    >>> edit_draft(history, 1, "displayName", "AZ-104").ok, list(staged.creates.values())
    (True, [{'endDate': '2028-01-31', 'displayName': 'AZ-104'}])
    >>> delete_rows(history, [0]).ok, list(staged.deletes)
    (True, [('u1', 'c1')])
    >>> history.undo(), history.undo(), len(staged.creates), len(staged.deletes)
    (True, True, 0, 0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from certnb.errors import EditsRefused
from certnb.schema import LABELS, is_missing
from certnb.staging.edit import Refusal, check_date_order, check_value
from certnb.staging.operations import CREATE, DELETE
from certnb.staging.refusals import date_order_rule
from certnb.widgets.datagrid.columns import EDITABLE
from certnb.widgets.datagrid.editing import UNSTAGED, CellResult, History, parse_cell
from certnb.widgets.datagrid.rows import Person, RowResult, SlotState

__all__ = ["add_row", "delete_rows", "edit_draft", "find_person", "people", "restore_rows"]

_NOT_THERE = SlotState(None, (), False)  # a slot before the step that made it


def people(frame: pd.DataFrame) -> list[Person]:
    """The frame's people, each once, in frame order (what the "Add row" box offers)."""
    if frame.empty:
        return []
    columns = [frame[c].astype(object).tolist() if c in frame else [None] * len(frame)
               for c in ("userId", "userPrincipalName", "userDisplayName")]
    found: dict[str, Person] = {}
    for user_id, upn, name in zip(*columns, strict=True):
        if not is_missing(user_id) and str(user_id) not in found:
            found[str(user_id)] = Person(str(user_id), None if is_missing(upn) else str(upn),
                                         None if is_missing(name) else str(name))
    return list(found.values())


def find_person(known: Sequence[Person], user: object) -> Person | None:
    """The person `user` names: a userId or sign-in name (any case), or a display name only one person has.
    Someone the frame does not hold is taken as given (a userId or UPN: Graph answers 404 if wrong), as
    `Staged.add` takes them; None for an empty name.

    >>> find_person([Person("u1", "ann@x", "Ann")], "ANN@X"), find_person([], "ben@x").user_id
    (Person(user_id='u1', user_principal_name='ann@x', display_name='Ann'), 'ben@x')
    """
    text = str(user).strip() if isinstance(user, str) else ""
    if not text:
        return None
    folded = text.casefold()
    for person in known:
        if folded in (person.user_id.casefold(), (person.user_principal_name or "").casefold()):
            return person
    named = [p for p in known if (p.display_name or "").casefold() == folded]
    if len(named) == 1:
        return named[0]
    return Person(text, text if "@" in text else None, None)


def _wire(name: str, value: Any) -> Any:
    """A given value as its field's wire value (typed text is read as a cell reads it); raises `Refusal`."""
    if name not in EDITABLE:
        raise Refusal(f"{LABELS.get(name, name)} is not editable in the grid")
    typed = isinstance(value, str | list | tuple) or value is None
    return check_value(name, parse_cell(name, value) if typed else value)


def _checked(fields: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The fields as wire values, or the first refusal (by label) and what passed."""
    out: dict[str, Any] = {}
    for name, value in fields.items():
        try:
            wire = _wire(name, value)
        except Refusal as refusal:
            return out, str(refusal)
        if wire is not None:
            out[name] = wire
    broken = check_date_order(out)
    if broken is not None:
        earlier, later = broken
        return out, date_order_rule(earlier, later, out[earlier], out[later])
    return out, None


def add_row(history: History, person: Person | None, fields: Mapping[str, Any]) -> RowResult:
    """A new row for `person` with `fields`: staged as a create at once if it has a title, else a draft."""
    if person is None:
        return RowResult(None, False, "Pick the person the new certification is for (name or sign-in name)")
    values, refused = _checked(fields)
    if refused is not None:
        return RowResult(None, False, f"{person.shown} · new certification: {refused}")
    table = history.table
    position = table.new_draft(person)
    slots = {position: _NOT_THERE}
    if values.get("displayName") is None:
        for name, wire in values.items():
            table.set_draft(position, name, wire)
        history.record("add row", {}, slots)
        return RowResult(position, True, f"New row for {person.shown}: type its title to stage it.")
    result = _stage_draft(history, position, values, "add row", slots)
    if not result.ok:
        table.rows.slot(position).shown = False  # refused: the row is not there
    return result


def _stage_draft(history: History, position: int, values: dict[str, Any], what: str,
                 slots: dict[int, SlotState]) -> RowResult:
    """Stage the draft at `position` as a create with `values` (a title among them), as one step."""
    staged, table = history.staged, history.table
    slot = table.rows.slot(position)
    held = set(staged.creates)
    table.expected = position
    try:
        staged.add(slot.person.user_id, values)
        table.refresh(staged)
    except EditsRefused as refused:
        return RowResult(position, False, str(refused.problems[0]))
    finally:
        table.expected = None
    new = [k for k in staged.creates if k not in held]
    if not new:
        return RowResult(position, False, f"{slot.person.shown} · {values['displayName']}: the same new "
                         "certification is already staged")
    keys = [(*new[0], name) for name in (CREATE, *values)]
    history.record(what, dict.fromkeys(keys, UNSTAGED), slots)
    return RowResult(position, True, f"New certification staged: {table.who(position)}.")


def edit_draft(history: History, position: int, name: str, text: object) -> CellResult:
    """Type `text` into a draft row's cell: kept in the draft (checked by the field's rule and the date
    order); a title stages the create with everything typed so far."""
    table = history.table
    slot = table.rows.slot(position)
    values, refused = _checked({**slot.draft, name: text})
    if refused is not None:
        return CellResult(position, name, False, refused)
    before = table.rows.states([position])
    if values.get("displayName") is not None:
        result = _stage_draft(history, position, values, "new row", before)
        return CellResult(position, name, result.ok, result.message if not result.ok else "",
                          text=str(table.text[name][position]))
    table.set_draft(position, name, values.get(name))
    history.record(f"edit {LABELS.get(name, name)}", {}, before)
    return CellResult(position, name, True, text=str(table.text[name][position]))


def _row_keys(history: History, rows: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Every key staged now on `rows` (userId, id), and each row's operation key."""
    wanted = set(rows)
    return [e.key for e in history.staged if e.row_key in wanted]


def delete_rows(history: History, positions: Iterable[int], what: str = "delete rows") -> RowResult:
    """Stage the deletes of the loaded rows at `positions` and withdraw the new ones (one step)."""
    table, staged = history.table, history.staged
    chosen = list(dict.fromkeys(positions))
    done = [p for p in chosen if p in table.done]
    if done and len(done) == len(chosen):
        return RowResult(done[0], False, str(table.locked(done[0])))
    loaded = [p for p in chosen if p < table.base and p not in table.deleted and p not in done]
    created = [p for p in chosen if table.rows.is_slot(p) and table.rows.slot(p).shown and p not in done]
    if not (loaded or created):
        return RowResult(None, False, "Nothing to delete: select rows that are not deleted yet")
    row_keys = [(str(table.loaded["userId"][p]), str(table.loaded["id"][p])) for p in loaded]
    creates = [s.key for s in map(table.rows.slot, created) if s.key is not None]
    keys = [*_row_keys(history, [*row_keys, *creates]), *((*k, DELETE) for k in row_keys)]
    slots = table.rows.states(created)
    before = history.state(keys)
    try:
        if row_keys:
            staged.delete(row_keys)
    except EditsRefused as refused:
        return RowResult(loaded[0], False, str(refused.problems[0]))
    for key in creates:
        staged.unstage((*key, CREATE))  # a create goes whole
    for position in created:
        table.rows.slot(position).shown = False
    history.record(what, before, slots)
    table.refresh(staged)
    words = [f"{n} {w}" for n, w in ((len(loaded), "staged for deletion"), (len(created), "new withdrawn"))
             if n]
    skipped = f" ({len(done)} done by the commit left as they are)" if done else ""
    return RowResult(chosen[0], True, f"{', '.join(words)}{skipped}.")


def restore_rows(history: History, positions: Iterable[int]) -> RowResult:
    """Withdraw the staged deletes of the rows at `positions` (one step)."""
    table = history.table
    chosen = [p for p in positions if p in table.deleted]
    locked = [p for p in chosen if p in table.done]
    if locked:
        return RowResult(locked[0], False, str(table.locked(locked[0])))
    if not chosen:
        return RowResult(None, False, "Nothing to restore: the row is not staged for deletion")
    keys = [(str(table.loaded["userId"][p]), str(table.loaded["id"][p]), DELETE) for p in chosen]
    history.unstage("restore", keys)
    table.refresh(history.staged)
    return RowResult(chosen[0], True, f"Restored: {table.who(chosen[0])}"
                     + (f" and {len(chosen) - 1} more." if len(chosen) > 1 else "."))
