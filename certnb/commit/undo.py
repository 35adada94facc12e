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
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certnb.commit.audit_log import read_audit_log
from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.journal import Journal
from certnb.staging.staged import Staged

if TYPE_CHECKING:
    import pandas as pd

    from certnb.commit.outcome import CommitResult

__all__ = ["Undo", "from_audit_log", "undo_result"]

# (userId, id, field, value before the commit, value the commit wrote)
_Applied = tuple[str, str, str, Any, Any]
WRITTEN = "applied"  # the one outcome whose new value this client wrote: what an undo reverts
LEFT = "already_applied"  # done, but not written by this client: an undo leaves it


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


def undo_result(result: CommitResult, journal: str | Path | None = None) -> Undo:
    """The inverse of what a commit wrote (its `applied` edits), staged in a new journal (default: next to
    the old); its `already_applied` edits are left alone and counted.

    >>> from certnb.commit.outcome import CommitResult
    >>> undo_result(CommitResult([])).edits
    []
    """
    staged = result.staged
    applied = [(o.user_id, o.cert_id, o.field, o.before, o.after) for o in result if o.outcome == WRITTEN]
    left = sum(o.outcome == LEFT for o in result)
    rows = staged.rows if staged is not None else {}
    frame = staged.frame if staged is not None else None
    source = staged.journal.path if staged is not None else None
    return _stage_inverse(applied, rows, frame, _undo_journal(journal, source), left)


def from_audit_log(
    path: str | Path, frame: pd.DataFrame | None = None, journal: str | Path | None = None
) -> Undo:
    """The inverse of every edit an audit log records as `applied` (its latest entry per field), staged
    anew; those it records as `already_applied` are left alone and counted.

    `frame` (any load holding those certifications) supplies the values of fields the log does not name.
    """
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for entry in read_audit_log(path):
        latest[(str(entry["userId"]), str(entry["id"]), str(entry["field"]))] = entry
    applied = [
        (*key, e.get("before"), e.get("after")) for key, e in latest.items() if e.get("outcome") == WRITTEN
    ]
    left = sum(e.get("outcome") == LEFT for e in latest.values())
    base: dict[tuple[str, str], RowSnapshot] = {}
    if frame is not None:
        from certnb.staging.rows import FrameRows

        rows = FrameRows(frame)
        for user_id, cert_id, *_ in applied:
            target = rows.target_for_key((user_id, cert_id), None)
            if target.position is not None:
                base[(user_id, cert_id)] = rows.snapshot(target)
    default = Path(str(path).removesuffix(".audit.jsonl"))
    return _stage_inverse(applied, base, frame, _undo_journal(journal, default), left)


def _stage_inverse(
    applied: Iterable[_Applied],
    base: Mapping[tuple[str, str], RowSnapshot],
    frame: pd.DataFrame | None,
    journal: Journal,
    left_alone: int,
) -> Undo:
    edits: list[Edit] = []
    written: dict[tuple[str, str], dict[str, Any]] = {}
    for user_id, cert_id, field, before, after in applied:
        if before == after:
            continue
        edits.append(Edit(user_id, cert_id, field, after, before))
        written.setdefault((user_id, cert_id), {})[field] = after
    snapshots = []
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
