"""Undo a commit: stage the inverse edits (after → before) of what it wrote, into a new `Staged` (`Undo`).

The inverse edits commit like any others, and their conflict check compares the server with the values the
commit wrote: if someone changed a certification since, the undo reports `conflict` instead of overwriting.

    >>> undo = result.undo()                                              # doctest: +SKIP
    >>> graph.commit(undo)                                                # doctest: +SKIP
    3 applied
    >>> undo = from_audit_log("edits.journal.audit.jsonl", frame=df)      # doctest: +SKIP

Only `applied` edits are inverted: what this client wrote. An `already_applied` edit found the new value on
the server already (someone else wrote it, or it was so from the start) and was never sent, so reverting it
would overwrite a value this client did not write; the undo leaves it, and says so (`Undo.left_alone`, and
its repr: "2 edits were already so on the server; undo leaves them"). One caveat: a PATCH that landed while
the process was killed, unrecorded, is found `already_applied` by the resumed commit (run.py) and is left
too; the note says how many, so they can be staged by hand.

`inference` is one object on the wire: undoing one of its members needs the other's value, taken from the
commit's journal (`result.undo()`) or from `frame`.

A create the commit made is undone by deleting it (by the id Graph gave it, `OutcomeRecord.new_id`; the
delete's conflict check compares with the values created), and a delete by creating the same values again:
the undo's `@create` edit names the deleted certification's id as its `before`, so the audit log links the
old id to the new one.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certnb.commit.audit_log import read_audit_records
from certnb.commit.outcome import Outcome
from certnb.commit.record import OutcomeRecord
from certnb.staging.edit import WRITABLE_FIELDS, Edit, LoadedValues, RowSnapshot
from certnb.staging.journal import Journal
from certnb.staging.operations import CREATE, DELETE, loaded_values, new_cert_id, values_json
from certnb.staging.rows import FrameRows
from certnb.staging.staged import Staged

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Undo", "from_audit_log", "undo_records"]

WRITTEN = Outcome.APPLIED  # the one outcome whose new value this client wrote: what an undo reverts
LEFT = Outcome.ALREADY_APPLIED  # done, but not written by this client: an undo leaves it


class Undo(Staged):
    """The staged inverse of a commit (a `Staged`: diff, plan, commit it like any other), which also says
    what it leaves alone: `left_alone` counts the commit's `already_applied` edits, not reverted.

    >>> from certnb.staging.journal import Journal
    >>> Undo(None, Journal(None), left_alone=2).note
    '2 edits were already so on the server; undo leaves them'
    """

    def __init__(self, frame: pd.DataFrame | None, journal: Journal, left_alone: int = 0) -> None:
        super().__init__(frame, journal)
        self.left_alone = left_alone

    @property
    def note(self) -> str:
        """What the undo leaves and why ("" when it leaves nothing)."""
        if not self.left_alone:
            return ""
        if self.left_alone == 1:
            return "1 edit was already so on the server; undo leaves it"
        return f"{self.left_alone} edits were already so on the server; undo leaves them"

    def __repr__(self) -> str:
        shown = super().__repr__()
        return f"{shown[:-1]}; {self.note}>" if self.note else shown

    def _repr_html_(self) -> str:
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return note + super()._repr_html_()


def undo_records(
    records: Iterable[OutcomeRecord], staged: Staged | None = None, journal: str | Path | None = None
) -> Undo:
    """The inverse of what a commit wrote (its `applied` records, `CommitResult.undo`), staged in a new
    journal (default: next to the journal of `staged`); its `already_applied` records are left alone and
    counted.

    >>> undo_records([]).edits
    []
    """
    rows = staged.rows if staged is not None else {}
    frame = staged.frame if staged is not None else None
    source = staged.journal.path if staged is not None else None
    return _stage_inverse(records, rows, frame, _undo_journal(journal, source))


def from_audit_log(
    path: str | Path, frame: pd.DataFrame | None = None, journal: str | Path | None = None
) -> Undo:
    """The inverse of every edit an audit log records as `applied` (its latest entry per field), staged
    anew; those it records as `already_applied` are left alone and counted.

    `frame` (any load holding those certifications) supplies the values of fields the log does not name.
    """
    latest: dict[tuple[str, str, str], OutcomeRecord] = {}
    for record in read_audit_records(path):
        latest[(record.user_id, record.cert_id, record.field)] = record
    base: dict[tuple[str, str], RowSnapshot] = {}
    if frame is not None:
        rows = FrameRows(frame)
        for record in latest.values():
            target = rows.target_for_key((record.user_id, record.cert_id), None)
            if record.outcome is WRITTEN and target.position is not None:
                base[(record.user_id, record.cert_id)] = rows.snapshot(target)
    default = Path(str(path).removesuffix(".audit.jsonl"))
    return _stage_inverse(latest.values(), base, frame, _undo_journal(journal, default))


def _stage_inverse(
    records: Iterable[OutcomeRecord],
    base: Mapping[tuple[str, str], RowSnapshot],
    frame: pd.DataFrame | None,
    journal: Journal,
) -> Undo:
    records = list(records)
    written: dict[tuple[str, str], dict[str, Any]] = {}
    left_alone = 0
    snapshots, edits, handled = _inverse_operations(records, base)
    for record in records:
        covered = (record.user_id, record.cert_id) in handled
        left_alone += record.outcome is LEFT and (not covered or record.field in (CREATE, DELETE))
        if covered:
            continue
        if record.outcome is not WRITTEN or record.before == record.after:
            continue
        edits.append(Edit(record.user_id, record.cert_id, record.field, record.after, record.before))
        written.setdefault((record.user_id, record.cert_id), {})[record.field] = record.after
    for key, values in written.items():
        known = base.get(key)
        # What the server should hold now: the load, overlaid with what the commit wrote.
        loaded = {**(dict(known.loaded) if known is not None else {}), **values}
        snapshots.append(RowSnapshot(
            key[0], key[1],
            known.user_principal_name if known is not None else None,
            known.user_display_name if known is not None else None,
            loaded.get("displayName", known.display_name if known is not None else None),
            loaded,
        ))
    if edits:
        journal.append(rows=snapshots, staged=edits)
    return Undo(frame, journal, left_alone)


def _inverse_operations(
    records: list[OutcomeRecord], base: Mapping[tuple[str, str], RowSnapshot],
) -> tuple[list[RowSnapshot], list[Edit], set[tuple[str, str]]]:
    """The inverse of the creates and deletes the commit made: rows, edits, and the certifications they
    cover (whose field records are part of them, not field edits of their own)."""
    rows: list[RowSnapshot] = []
    edits: list[Edit] = []
    handled: set[tuple[str, str]] = set()
    fields: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        if record.field not in (CREATE, DELETE):
            fields.setdefault((record.user_id, record.cert_id), {})[record.field] = record.after
    for record in records:
        key = (record.user_id, record.cert_id)
        if record.field not in (CREATE, DELETE):
            continue
        handled.add(key)
        if record.outcome is not WRITTEN:
            continue
        known = base.get(key)
        upn = known.user_principal_name if known is not None else None
        name = known.user_display_name if known is not None else None
        if record.field == CREATE and record.new_id is not None:
            values = {k: v for k, v in fields.get(key, {}).items() if v is not None}
            loaded = LoadedValues(tuple(values.get(f) for f in WRITABLE_FIELDS))
            rows.append(RowSnapshot(record.user_id, record.new_id, upn, name, values.get("displayName"),
                                    loaded))
            edits.append(Edit(record.user_id, record.new_id, DELETE, values_json(values), None))
        elif record.field == DELETE:
            values = loaded_values(record.before)
            cert_id = new_cert_id()
            rows.append(RowSnapshot(record.user_id, cert_id, upn, name, values.get("displayName"),
                                    LoadedValues((None,) * len(WRITABLE_FIELDS))))
            edits.append(Edit(record.user_id, cert_id, CREATE, record.cert_id, None))
            edits += [Edit(record.user_id, cert_id, f, None, v) for f, v in values.items()]
    return rows, edits, handled


def _undo_journal(given: str | Path | None, source: Path | None) -> Journal:
    """The undo's own journal: `given`, else `<source>.undo.journal` (`.undo-2.journal`, … if taken)."""
    if given is not None:
        return Journal(given)
    if source is None:
        return Journal(None)
    stem = source.name.removesuffix(".journal")
    candidate = source.with_name(f"{stem}.undo.journal")
    n = 2
    while candidate.exists():
        candidate = source.with_name(f"{stem}.undo-{n}.journal")
        n += 1
    return Journal(candidate)
