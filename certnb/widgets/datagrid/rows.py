"""The grid's rows beyond the loaded ones, and the marks on rows: new (a staged create), draft (a new row
without a title yet), deleted (a staged delete), committed (the journal says the create or delete is done).

Pure bookkeeping, no staging. The frame's rows keep their positions 0..n-1; each new row gets a *slot*, a
position n, n+1, … that it keeps while the grid lives, so the browser's rows and the undo history can name it.
A slot is a draft (the person and the fields typed so far, nothing staged) until it has a title, then it is
bound to its staged create's key (userId, local id "new-…"). A create withdrawn from anywhere (the row's ×,
`staged.unstage`, a cleared `Staged`) hides its slot; an undo that stages it again binds the new create to
the same slot (`expect`), so the row comes back where it was.

After a commit the journal marks the create done: the row is shown as *created* (no longer "new"), read-only
(its id in Graph is known only after a reload), and it leaves the grid when the create is unstaged or the
`Staged` cleared. A committed delete stays struck through, marked *deleted in Graph*, without Restore.

    >>> rows = SlotRows(base=6)
    >>> draft = rows.add_draft(Person("u2", "bob@x", "Bob"))
    >>> draft, rows.slot(draft).is_draft
    (6, True)
    >>> rows.follow({("u2", "new-1"): {"displayName": "AZ-104"}}, expected=draft)
    {6}
    >>> rows.slot(6).key, rows.slot(6).is_draft
    (('u2', 'new-1'), False)
    >>> rows.follow({}), rows.slot(6).shown
    ({6}, False)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

__all__ = [
    "DELETED", "DONE", "DRAFT", "NEW", "Person", "RowResult", "Slot", "SlotRows", "SlotState",
    "renamed_state",
]

NEW, DELETED, DRAFT, DONE = 8, 16, 32, 64
"""Bits of a window row's flags byte (after STAGED, SELECTED, FINDINGS of `window`)."""

Key = tuple[str, str]


class Person(NamedTuple):
    """Whom a new row is for: userId, sign-in name and display name (as the frame or caller names them)."""

    user_id: str
    user_principal_name: str | None
    display_name: str | None

    @property
    def shown(self) -> str:
        """How a message names the person."""
        return self.display_name or self.user_principal_name or self.user_id


@dataclass(frozen=True)
class SlotState:
    """What a slot is at one moment (an undo step keeps one before and after): its create's key, its draft
    fields, whether it is shown."""

    key: Key | None
    draft: tuple[tuple[str, Any], ...]
    shown: bool


@dataclass
class Slot:
    """One new row: its position, the person, its staged create's key (None while a draft), the draft's
    fields (wire values, nothing staged), and whether the grid shows it."""

    position: int
    person: Person
    key: Key | None = None
    draft: dict[str, Any] = field(default_factory=dict)
    shown: bool = True

    @property
    def is_draft(self) -> bool:
        """True while the row has no staged create (it waits for a title)."""
        return self.key is None

    def state(self) -> SlotState:
        """The slot as an undo step keeps it."""
        return SlotState(self.key, tuple(sorted(self.draft.items())), self.shown)

    def put(self, state: SlotState) -> None:
        """Make the slot what `state` says (undo, redo)."""
        self.key, self.draft, self.shown = state.key, dict(state.draft), state.shown


@dataclass(frozen=True)
class RowResult:
    """What a row action did: `ok`, or refused with `message`; `position`: the row's (new rows: a slot)."""

    position: int | None
    ok: bool
    message: str = ""


class SlotRows:
    """The slots after the frame's `base` rows (see the module docstring)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.slots: list[Slot] = []
        self.by_key: dict[Key, int] = {}

    def __iter__(self) -> Iterator[Slot]:
        return iter(self.slots)

    def __len__(self) -> int:
        return len(self.slots)

    def slot(self, position: int) -> Slot:
        """The slot at grid `position` (KeyError for a loaded row's position)."""
        if not self.base <= position < self.base + len(self.slots):
            raise KeyError(f"position {position} is not a new row of the grid")
        return self.slots[position - self.base]

    def is_slot(self, position: int) -> bool:
        """True for the position of a new row (draft or staged create)."""
        return self.base <= position < self.base + len(self.slots)

    def add_draft(self, person: Person, draft: Mapping[str, Any] | None = None) -> int:
        """A new draft row for `person`; its position."""
        return self._append(Slot(self.base + len(self.slots), person, draft=dict(draft or {})))

    def _append(self, slot: Slot) -> int:
        self.slots.append(slot)
        if slot.key is not None:
            self.by_key[slot.key] = slot.position
        return slot.position

    def bind(self, position: int, key: Key) -> None:
        """Bind the slot at `position` to the staged create `key` (its draft is staged now)."""
        slot = self.slot(position)
        if slot.key is not None and self.by_key.get(slot.key) == position:
            del self.by_key[slot.key]
        slot.key, slot.draft, slot.shown = key, {}, True
        self.by_key[key] = position

    def follow(self, creates: Mapping[Key, Any], people: Mapping[Key, Person] | None = None,
               expected: int | None = None) -> set[int]:
        """Match the slots to the creates staged now: a create new to the grid takes the `expected` slot
        (an undo or a draft being staged), else a new slot (person from `people`, else its userId); a slot
        whose create is gone is hidden. The positions that changed."""
        changed: set[int] = set()
        for key in creates:
            if key in self.by_key:
                slot = self.slot(self.by_key[key])
                if not slot.shown:  # staged again under the same id (a journal replayed, say)
                    slot.shown = True
                    changed.add(slot.position)
                continue
            if expected is not None and self.is_slot(expected) and self.slot(expected).key not in creates:
                self.bind(expected, key)
                changed.add(expected)
                expected = None
                continue
            person = (people or {}).get(key) or Person(key[0], None, None)
            changed.add(self._append(Slot(self.base + len(self.slots), person, key=key)))
        for slot in self.slots:
            if slot.key is not None and slot.key not in creates and slot.shown:
                slot.shown = False
                changed.add(slot.position)
        return changed

    def rename(self, old: Key, new: Key) -> None:
        """The create `old` was staged again as `new` (a new local id): its slot follows it."""
        position = self.by_key.pop(old, None)
        if position is not None:
            self.by_key[new] = position
            slot = self.slot(position)
            if slot.key == old:
                slot.key = new

    def shown_positions(self) -> list[int]:
        """The positions of the new rows the grid shows, drafts included."""
        return [s.position for s in self.slots if s.shown]

    def states(self, positions: list[int]) -> dict[int, SlotState]:
        """The state of each slot among `positions` (loaded rows' positions are left out)."""
        return {p: self.slot(p).state() for p in positions if self.is_slot(p)}

    def put(self, states: Mapping[int, SlotState]) -> None:
        """Make each slot what its state says (undo, redo)."""
        for position, state in states.items():
            slot = self.slot(position)
            if slot.key is not None and self.by_key.get(slot.key) == position and slot.key != state.key:
                del self.by_key[slot.key]
            slot.put(state)
            if state.key is not None:
                self.by_key[state.key] = position


def renamed_state(state: SlotState, old: Key, new: Key) -> SlotState:
    """`state` with the create key `old` read as `new` (undo history after a create is staged again)."""
    return replace(state, key=new) if state.key == old else state
