"""`GridTable`: the grid's text cells, staged marks and audit findings, kept up to date as edits are staged.

Kernel-side and headless: every cell is held as text (dates `YYYY-MM-DD`, audiences `contacts,organization`,
`""` when empty), the *effective* value (the staged one where a cell is staged), so sorting, filtering and
the windows sent to the browser read one place. `refresh(staged)` folds in whatever the `Staged` holds now
(whoever staged it) and returns the positions whose cells changed.

Findings come from `certnb.frame.audit` (never a second copy of the rules): the whole frame is audited once,
and a row with staged edits is audited again on its own with the staged values, so a fixed expiry date
clears "expired". Rules that compare rows (duplicates, issuer spellings, a missing end date others have)
keep their first finding until a staged edit touches the field they name.

New rows (staged creates and drafts, `certnb.widgets.datagrid.rows`) come after the frame's rows, in slots
that keep their positions; `refresh` also follows the staged creates and deletes and, from the journal,
which of them a commit has done. New rows are not audited (the audit reads loaded rows).

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30", "certificationId": "X1"}]}])
    >>> table = GridTable(df, asof="2026-11-30")
    >>> table.text["endDate"][0], [f.rule for f in table.findings(0)]
    ('2026-06-30', ['expired'])
    >>> staged = stage(df)
    >>> _ = staged.set(0, endDate="2027-06-30")
    >>> table.refresh(staged), table.text["endDate"][0], table.findings(0)
    ([0], '2027-06-30', [])
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from certnb.frame.audit import audit
from certnb.schema import FIELDS_BY_COLUMN
from certnb.staging.operations import CREATE, DELETE
from certnb.staging.reason import why_words
from certnb.staging.rows import wire_column
from certnb.widgets.datagrid.columns import DATA_FIELDS, EDITABLE
from certnb.widgets.datagrid.owned import OwnedCells
from certnb.widgets.datagrid.rows import DELETED, DONE, DRAFT, NEW, Person, Slot, SlotRows

if TYPE_CHECKING:
    from certnb.staging import Staged
    from certnb.staging.edit import Edit

__all__ = ["CROSS_ROW_RULES", "Finding", "GridTable"]

CROSS_ROW_RULES = frozenset({"duplicate", "issuer-spelling", "missing-end-date"})
"""Rules that compare a row with others: re-auditing one row alone cannot tell them."""


class Finding(NamedTuple):
    """One audit finding of a row: the rule, its severity, the field at fault and the rule explained."""

    rule: str
    severity: str
    field: str
    detail: str


def _text(values: Iterable[Any]) -> np.ndarray:
    return np.array(["" if v is None else str(v) for v in values], dtype=object)


class GridTable:
    """The text of every grid cell (`.text[field][position]`, effective values) and each row's findings.

    `background=True` runs the first whole-frame audit in a thread (a 100,000-row audit takes seconds; the
    grid shows rows before it ends), then calls each of `on_findings`; `wait()` waits for it.
    """

    def __init__(self, frame: pd.DataFrame, asof: object = None, *, background: bool = False,
                 on_findings: Iterable[Callable[[], None]] = ()) -> None:
        self.frame = frame
        self.asof = asof
        self.size = self.base = len(frame)
        self.loaded: dict[str, np.ndarray] = {}
        for name in DATA_FIELDS:
            if name in FIELDS_BY_COLUMN and FIELDS_BY_COLUMN[name].writable:
                self.loaded[name] = _text(wire_column(frame, name))
            else:
                self.loaded[name] = _text(frame[name].astype(object).tolist()) if name in frame else _text(
                    [None] * self.size)
        self.text = {name: column.copy() for name, column in self.loaded.items()}
        keys = zip(self.loaded["userId"].tolist(), self.loaded["id"].tolist(), strict=True)
        self.positions: dict[tuple[str, str], int] = {key: i for i, key in enumerate(keys)}
        self.staged: dict[int, dict[str, tuple[Any, Any]]] = {}  # position → field → (before, after) wire
        self.why: dict[int, dict[str, str]] = {}  # position → field → why it was staged, and by whom
        self._edits: dict[tuple[str, str, str], Any] = {}
        self.rows = SlotRows(self.base)  # the new rows, after the frame's
        self.owned = OwnedCells(frame)  # cells other systems own (`certnb.widgets.datagrid.owned`)
        self.deleted: set[int] = set()  # positions staged for deletion
        self.done: set[int] = set()  # positions whose create or delete a commit has done
        self.expected: int | None = None  # the slot the next create new to the grid goes to (`SlotRows`)
        self._base: dict[int, list[Finding]] = {}
        self._alone: dict[int, list[Finding]] = {}  # re-audited rows with staged values
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.on_findings = list(on_findings)  # called (no arguments) when the first audit has ended
        if background:
            threading.Thread(target=self._audit_all, name="certnb-grid-audit", daemon=True).start()
        else:
            self._audit_all()

    # -- findings --------------------------------------------------------------------------------------------

    def _audit_all(self) -> None:
        try:
            base = self._by_position(audit(self.frame, self.asof))
        except Exception:  # a frame the audit cannot read: the grid still edits, without findings
            base = {}
        with self._lock:
            self._base = base
        try:
            for listener in list(self.on_findings):
                listener()
        finally:
            self._done.set()  # after the listeners: `wait()` returning means they have run

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the first whole-frame audit; True once it has ended."""
        return self._done.wait(timeout)

    @property
    def audited(self) -> bool:
        """True once the whole frame has been audited."""
        return self._done.is_set()

    def _by_position(self, table: pd.DataFrame) -> dict[int, list[Finding]]:
        out: dict[int, list[Finding]] = {}
        columns = [table[c].astype(object).tolist() for c in ("userId", "id", "rule", "severity", "field",
                                                                "detail")]
        for user_id, cert_id, rule, severity, field, detail in zip(*columns, strict=True):
            position = self.position_of((str(user_id), str(cert_id)))
            if position is not None:
                out.setdefault(position, []).append(Finding(rule, severity, field, detail))
        return out

    def findings(self, position: int) -> list[Finding]:
        """The audit findings of a row as it would be with its staged edits."""
        with self._lock:
            base = self._base.get(position, [])
            alone = self._alone.get(position)
        if alone is None:
            return list(base)
        touched = self.staged.get(position, {})
        kept = [f for f in base if f.rule in CROSS_ROW_RULES and f.field not in touched]
        return [*alone, *kept]

    def rule_mask(self, rule: str) -> np.ndarray:
        """Positions (as a boolean array) of rows with a finding of `rule`."""
        mask = np.zeros(self.size, dtype=bool)
        with self._lock:
            candidates = set(self._base) | set(self._alone)
        for position in candidates:
            if any(f.rule == rule for f in self.findings(position)):
                mask[position] = True
        return mask

    def _reaudit(self, positions: Iterable[int]) -> None:
        chosen = [p for p in positions if p in self.staged and p < self.base]
        with self._lock:
            for p in positions:
                if p not in self.staged:
                    self._alone.pop(p, None)
        if not chosen:
            return
        rows = self.frame.iloc[chosen].copy()
        for column_name in {name for p in chosen for name in self.staged[p]}:
            values = rows[column_name].astype(object).tolist()
            for i, p in enumerate(chosen):
                if column_name in self.staged[p]:
                    values[i] = FIELDS_BY_COLUMN[column_name].from_wire(self.staged[p][column_name][1])
            rows[column_name] = pd.Series(values, index=rows.index, dtype=object).astype(
                rows[column_name].dtype)
        found = self._by_position(audit(rows, self.asof))
        with self._lock:
            for p in chosen:
                self._alone[p] = [f for f in found.get(p, []) if f.rule not in CROSS_ROW_RULES]

    # -- staging ---------------------------------------------------------------------------------------------

    def refresh(self, staged: Staged) -> list[int]:
        """Fold in the edits `staged` holds now; the positions whose cells changed, in order."""
        now = {e.key: e for e in staged}
        changed = self._follow_rows(staged, now)
        for key in self._edits.keys() - now.keys():
            position = self.position_of(key[:2])
            if position is not None:
                self._restore(position, key[2])
                changed.add(position)
        for key, edit in now.items():
            if self._edits.get(key, _NOTHING) == edit.after:
                continue
            position = self.position_of(key[:2])
            if position is None or key[2] not in self.text:
                continue
            self.staged.setdefault(position, {})[key[2]] = (edit.before, edit.after)
            self.text[key[2]][position] = "" if edit.after is None else str(edit.after)
            changed.add(position)
        self._edits = {key: edit.after for key, edit in now.items()}
        self._follow_why(now.values(), changed)
        ordered = sorted(changed)
        self._reaudit(ordered)
        return ordered

    def _follow_why(self, edits: Iterable[Edit], changed: set[int]) -> None:
        """Each staged cell's reason and staging account in words (a staged cell's hover says them)."""
        why: dict[int, dict[str, str]] = {}
        for edit in edits:
            words = why_words(edit.reason, edit.staged_by) if edit.reason or edit.staged_by else ""
            position = self.position_of(edit.row_key) if words else None
            if position is not None:
                why.setdefault(position, {})[edit.field] = words
        changed.update(p for p in why.keys() | self.why.keys() if why.get(p) != self.why.get(p))
        self.why = why

    def position_of(self, key: tuple[str, str]) -> int | None:
        """The grid position of certification (userId, id): a loaded row's, or a staged create's slot."""
        found = self.positions.get(key)
        return found if found is not None else self.rows.by_key.get(key)

    def _follow_rows(self, staged: Staged, now: dict[tuple[str, str, str], Any]) -> set[int]:
        """Follow the staged creates (new rows), deletes and what a commit did; the positions that changed."""
        creates = staged.creates
        arrived = [k for k in creates if k not in self.rows.by_key]
        known = staged.rows if arrived else {}  # a copy of every row the journal knows: only when needed
        people = {k: Person(k[0], known[k].user_principal_name, known[k].user_display_name)
                  for k in arrived if k in known}
        grown = len(self.rows)
        changed = self.rows.follow(creates, people, self.expected)
        self.expected = None
        for slot in self.rows.slots[grown:]:
            self._grow(slot)
        for position in changed:
            self._paint(self.rows.slot(position), creates)
        deleted = {p for p in map(self.position_of, staged.deletes) if p is not None}
        changed |= deleted ^ self.deleted
        self.deleted = deleted
        done: set[int] = set()
        if creates or deleted:  # the journal's outcomes: read only when there are rows a commit could do
            pending = {e.key for e in staged.pending()}
            done = {p for k in now if k[2] in (CREATE, DELETE) and k not in pending
                    for p in [self.position_of(k[:2])] if p is not None}
        changed |= done ^ self.done
        self.done = done
        return changed

    def _grow(self, slot: Slot) -> None:
        """Room for a new row at the end of every column (its position is `slot.position`)."""
        self.size += 1
        for name in self.loaded:
            self.loaded[name] = np.append(self.loaded[name], "")
            self.text[name] = np.append(self.text[name], "")
        person = slot.person
        for name, value in (("userId", person.user_id), ("userPrincipalName", person.user_principal_name),
                            ("userDisplayName", person.display_name)):
            self.loaded[name][slot.position] = self.text[name][slot.position] = value or ""

    def _paint(self, slot: Slot, creates: dict[tuple[str, str], dict[str, Any]]) -> None:
        """A new row's cells: its create's fields, or its draft's."""
        values = creates.get(slot.key, {}) if slot.key is not None else slot.draft
        self.loaded["id"][slot.position] = self.text["id"][slot.position] = slot.key[1] if slot.key else ""
        for name in EDITABLE:
            value = values.get(name)
            self.text[name][slot.position] = "" if value is None else str(value)
        if slot.key is None or not slot.shown:  # a draft has nothing staged; a withdrawn create no longer
            self.staged.pop(slot.position, None)

    def paint_slots(self, positions: Iterable[int], staged: Staged) -> None:
        """Redraw new rows whose slots an undo or redo changed."""
        creates = staged.creates
        for position in positions:
            self._paint(self.rows.slot(position), creates)

    def new_draft(self, person: Person) -> int:
        """A new, empty draft row for `person`; its position."""
        position = self.rows.add_draft(person)
        self._grow(self.rows.slot(position))
        return position

    def set_draft(self, position: int, name: str, wire: Any) -> None:
        """Keep a value typed into a draft row (nothing is staged until it has a title)."""
        slot = self.rows.slot(position)
        if wire is None:
            slot.draft.pop(name, None)
        else:
            slot.draft[name] = wire
        self.text[name][position] = "" if wire is None else str(wire)

    def marks(self, position: int) -> int:
        """The row's marks as flag bits: NEW, DRAFT, DELETED, DONE (see `certnb.widgets.datagrid.rows`)."""
        flags = (DELETED if position in self.deleted else 0) | (DONE if position in self.done else 0)
        if self.rows.is_slot(position):
            flags |= DRAFT if self.rows.slot(position).is_draft else NEW
        return flags

    def shown_mask(self) -> np.ndarray:
        """Positions (a boolean array) the grid may show: every loaded row, the new rows not withdrawn."""
        mask = np.ones(self.size, dtype=bool)
        for slot in self.rows:
            mask[slot.position] = slot.shown
        return mask

    def who(self, position: int) -> str:
        """The row named as a message names it: "Bob Builder · AZ-900"."""
        person = self.text["userDisplayName"][position] or self.text["userPrincipalName"][position]
        title = self.text["displayName"][position] or "(no title yet)"
        return f"{person or self.text['userId'][position]} · {title}"

    def locked(self, position: int) -> str | None:
        """Why the row cannot be edited now (staged for deletion, or done by a commit), else None."""
        if position in self.done:
            if position in self.deleted:
                return f"{self.who(position)} was deleted by the commit; nothing is left to edit"
            return (f"{self.who(position)} was created by the commit: load the frame again to edit the "
                    "certification Graph holds")
        if position in self.deleted:
            return f"{self.who(position)} is staged for deletion: press Restore to edit it"
        return None

    def staged_value(self, key: tuple[str, str, str], default: Any = None) -> Any:
        """The wire value staged for (userId, id, field) as of the last `refresh`, else `default`."""
        return self._edits.get(key, default)

    def _restore(self, position: int, field: str) -> None:
        if field in self.text:
            self.text[field][position] = self.loaded[field][position]
        fields = self.staged.get(position, {})
        fields.pop(field, None)
        if not fields:
            self.staged.pop(position, None)


_NOTHING: Any = object()
