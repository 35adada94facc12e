"""`StagedView`: what a `Staged` holds and how it reads (the edits, their rows, the diff, the outcomes).

`certnb.staging.staged_cells.StagedCells` is this plus staging cells, and `certnb.staging.staged.Staged` that
plus staging rows (new, deleted, from a spreadsheet, merged); the split keeps each concept's module short.
The state is built here from the journal's replay, so a reopened journal reads exactly as it was left.

    >>> from certnb.staging.journal import Journal
    >>> view = StagedView(None, Journal(None))
    >>> len(view), view.pending(), view.creates
    (0, [], {})
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.collector import paused
from certnb.staging.diff import Diff, diff_table
from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.journal import Journal, JournalSummary
from certnb.staging.known_rows import KnownRows
from certnb.staging.operations import CREATE, DELETE
from certnb.staging.outcome_writes import OUTCOME_COLUMNS
from certnb.staging.ownership import Owned, OwnedValues
from certnb.staging.reason import CallReason, staging_account
from certnb.staging.reason import require_reason as needs_reason
from certnb.staging.rows import FrameRows

__all__ = ["StagedView"]


class StagedView:
    """The staged edits and the rows they belong to, read-only: the base of `Staged` (which stages).

    `len(view)` counts edits; iterating yields `Edit`s in staging order.
    """

    def __init__(self, frame: pd.DataFrame | None, journal: Journal, *, resumed: bool = False,
                 owned: Owned = "refuse", require_reason: bool | None = None,
                 staged_by: str | None = None) -> None:
        self._require_reason = needs_reason(require_reason, frame)
        self._why = CallReason(staging_account(staged_by, frame))  # the reason of the call under way
        self._journal = journal
        self._owned = OwnedValues(frame, owned)
        self._listeners: list[Callable[[], None]] = []
        with paused():
            self._rows, self._edits = journal.replay()
            self._frame_rows = None if frame is None else FrameRows(frame)
            self._known = KnownRows(self._frame_rows, self._rows)
        self._resumed = journal.summary(self._edits.values()) if resumed else None


    def close(self) -> None:
        """Close the journal file (every accepted edit is already on disk)."""
        self._journal.close()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after every call that changes the staged edits (a notebook form showing counts
        redraws then, whoever staged). It runs inside that call, after the journal write: it must not raise.
        """
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # -- reading -----------------------------------------------------------------------------------------

    @property
    def journal(self) -> Journal:
        """The journal keeping these edits (and the commit outcomes)."""
        return self._journal

    @property
    def resumed(self) -> JournalSummary | None:
        """What the journal held when this `Staged` resumed it (None: it started afresh, or was empty)."""
        return self._resumed

    @property
    def frame(self) -> pd.DataFrame | None:
        """The frame edits are staged against (as it was when staging started), if one was given."""
        return None if self._frame_rows is None else self._frame_rows.frame

    @property
    def require_reason(self) -> bool:
        """True when every staging call must say why (`reason=`): `certnb.staging.reason`."""
        return self._require_reason

    @property
    def staged_by(self) -> str | None:
        """The signed-in account edits are staged by here (journaled with each edit), if known."""
        return self._why.staged_by

    @property
    def owned(self) -> Owned:
        """What an edit of a value another system owns does here: "refuse", "warn" or "source"."""
        return self._owned.mode

    def source_fixes(self) -> pd.DataFrame:
        """The edits of owned values routed here instead of staged (`owned="source"`): person, sign-in name,
        certification, field label, Graph's value, the wanted value and the owning source, one row per cell
        (`certnb.staging.source_fixes`). In memory only: `export_source_fixes` writes it to a file."""
        return self._owned.fixes.table()

    def export_source_fixes(self, path: str | Path) -> Path:
        """Write `source_fixes()` to `.xlsx` or `.csv` for the owning system's owner, safe to open (no cell
        runs as a formula)."""
        return self._owned.fixes.export(path)

    @property
    def edits(self) -> list[Edit]:
        """The staged edits, in staging order."""
        return list(self._edits.values())

    @property
    def rows(self) -> dict[tuple[str, str], RowSnapshot]:
        """The loaded values of every edited certification, by (userId, id)."""
        return dict(self._rows)

    def __len__(self) -> int:
        return len(self._edits)

    def __iter__(self) -> Iterator[Edit]:
        return iter(list(self._edits.values()))

    def __contains__(self, key: object) -> bool:
        return key in self._edits

    def __repr__(self) -> str:
        certifications = len({e.row_key for e in self._edits.values()})
        users = len({e.user_id for e in self._edits.values()})
        created, deleted = len(self.creates), len(self.deletes)
        operations = (f", {created} new" if created else "") + (f", {deleted} deleted" if deleted else "")
        if self._owned.fixes:
            operations += f", {len(self._owned.fixes)} to fix at the source"
        return (
            f"<Staged: {len(self)} edit{'s' if len(self) != 1 else ''} on {certifications} certification"
            f"{'s' if certifications != 1 else ''} of {users} user{'s' if users != 1 else ''}{operations}; "
            f"journal {self._journal.path or ':memory:'}"
            + (f", resumed: it held {self._resumed}>" if self._resumed else ">")
        )

    @property
    def creates(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The staged new certifications, by (userId, local id): each one's fields as wire values."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        for edit in self._edits.values():
            if edit.field == CREATE:
                out[edit.row_key] = {}
        for edit in self._edits.values():
            if edit.row_key in out and edit.field != CREATE:
                out[edit.row_key][edit.field] = edit.after
        return out

    @property
    def deletes(self) -> dict[tuple[str, str], RowSnapshot]:
        """The certifications staged for deletion, by (userId, id): each one's loaded values."""
        return {e.row_key: self._rows[e.row_key] for e in self._edits.values() if e.field == DELETE}

    def _repr_html_(self) -> str:
        resumed = f"<p>Resumed journal: it held {self._resumed}.</p>" if self._resumed else ""
        return resumed + self.diff()._repr_html_()

    def diff(self, field: str | Iterable[str] | None = None, user: str | None = None) -> Diff:
        """The before/after table of staged edits: userId, userPrincipalName, id, displayName, field, before,
        after, outcome (the latest commit outcome, if any); filter by `field` and by `user` (id or UPN).

        >>> StagedView(None, Journal(None)).diff(field="endDate").table.columns.tolist()[:4]
        ['userId', 'userPrincipalName', 'id', 'displayName']
        """
        fields = {field} if isinstance(field, str) else None if field is None else set(field)
        edits = [e for e in self._edits.values() if fields is None or e.field in fields]
        if user is not None:
            wanted = user.casefold()
            edits = [
                e for e in edits
                if e.user_id.casefold() == wanted
                or (self._rows[e.row_key].user_principal_name or "").casefold() == wanted
            ]
        latest = self._journal.latest_outcome_names()
        outcomes = {e.seq: latest[e.seq] for e in edits if e.seq in latest}
        return Diff(diff_table(edits, self._rows, outcomes), self._rows)

    def pending(self) -> list[Edit]:
        """The edits still to commit: staged, and not done (`applied`/`already_applied`) per the journal.

        The commit plan (`certnb.commit.plan.plan(staged)`, the dry run) sends exactly these.
        """
        done = self._journal.done_seqs()
        return [e for e in self._edits.values() if e.seq not in done]

    def outcomes(self) -> pd.DataFrame:
        """The commit outcome table recorded in the journal: userId, id, field, edit_seq, attempt, outcome,
        status, code, request_id, time, detail, then the edit's reason, the account that staged it and the
        one that committed it (reason, staged_by, committed_by), one line per recorded attempt, oldest first.

        >>> StagedView(None, Journal(None)).outcomes().columns.tolist()[:6]
        ['userId', 'id', 'field', 'edit_seq', 'attempt', 'outcome']
        """
        table = [(uid, cid, field, seq, attempt, outcome, status, code, request_id, time, detail, reason,
                  staged_by, committed_by)
                 for seq, uid, cid, field, attempt, outcome, status, code, request_id, detail, time, _,
                 committed_by, _, _, reason, staged_by in self._journal.outcome_rows()]
        return pd.DataFrame(table, columns=list(OUTCOME_COLUMNS), dtype=object)
