"""`Staged`: the validated edits waiting to be committed, journaled to disk as they are accepted.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "startDate": "2025-01-01", "endDate": "2026-12-31"}]}])
    >>> staged = stage(df)                              # stage(df, journal="edits.journal") to keep them
    >>> _ = staged.set(0, endDate="2027-06-30")
    >>> [(e.field, e.before, e.after) for e in staged]
    [('endDate', '2026-12-31', '2027-06-30')]
    >>> _ = staged.set(0, endDate="2024-06-30")
    Traceback (most recent call last):
    ...
    certnb.errors.EditsRefused: 1 edit refused; the whole call was refused, nothing was staged. ...

Ways in: `set` (constant values, or a Series aligned by row label), `apply` (a function of the row),
`from_changes` (the spreadsheet round trip's `changes` table). Ways out: `unstage`, `clear`. Rows are picked
by a row label, a list or `pandas.Index` of labels, a boolean mask, a slice, or a `(userId, id)` pair (on a
frame indexed by a `MultiIndex`, a tuple is one label). The frame must be as `load` made it (its typed columns
of the schema's dtypes, each row label once: see `certnb.staging.frame_check`).

Every call is atomic: if any (row, field) breaks a rule, the whole call is refused with one `EditsRefused`
(a `certnb.ValidationError`) listing every problem, and nothing is staged or journaled, so a bulk edit never
half-applies. A value equal to the loaded one stages nothing (and withdraws an edit staged for that cell).

Every call takes `reason=` (why: a ticket number, who confirmed it), journaled with each edit and its staging
account; `stage(df, require_reason=True)` refuses a call without one (`certnb.staging.reason`).

Values another system owns (the frame's `sources`: `certnb.staging.ownership`) are refused by default;
`stage(df, owned="warn")` stages them with a warning, `owned="source"` lists them in `source_fixes()`
instead of staging them.

`before` values are the frame as it was when `stage` was called; a reopened journal's recorded values win
over a frame passed with it, so one journal belongs to one load of the data. That is why `stage(df,
journal=path)` refuses a journal that holds anything (`JournalNotEmpty`): resuming one is said out loud, with
`resume=True` or `Staged.open(path)`, and the resumed `Staged` shows what it held (`resumed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.collector import paused
from certnb.errors import JournalNotEmpty
from certnb.staging import merge, proposals
from certnb.staging.creates import given_rows, new_certifications, sheet_rows, spreadsheet_row
from certnb.staging.edit import Edit, EditsRefused, RowSnapshot
from certnb.staging.frame_check import check_frame
from certnb.staging.journal import Journal
from certnb.staging.merge import MergePlan
from certnb.staging.operations import CREATE, DELETE, create_edits, delete_edits
from certnb.staging.ownership import Owned, checked_choice
from certnb.staging.proposals import Proposal
from certnb.staging.reason import cell_reasons, creates_without_reason, refuse_missing
from certnb.staging.staged_cells import StagedCells

__all__ = ["Staged", "stage"]


def stage(frame: pd.DataFrame | None, journal: str | Path | None = None, *, resume: bool = False,
          owned: Owned = "refuse", require_reason: bool | None = None,
          staged_by: str | None = None) -> Staged:
    """Start staging edits on a certification frame; `journal` is the file that keeps them, so staged edits
    and commit progress survive a kernel restart. A journal that holds anything is refused (`JournalNotEmpty`,
    saying what it holds) unless `resume=True`, which continues it (as `Staged.open` does). `owned` says what
    an edit of a value another system owns does: "refuse" (the default), "warn" or "source" (module
    docstring). `require_reason=True` refuses staging without a `reason=`; `staged_by` is the account
    journaled with each edit (default: the session's that loaded `frame`): `certnb.staging.reason`.

    >>> stage(None).journal
    <Journal :memory:>
    """
    if frame is not None:
        check_frame(frame)  # before the journal is opened: a refused frame leaves no journal behind
    owned = checked_choice(owned)
    opened = Journal(journal)
    try:
        held = None if resume else opened.summary()
        if held is not None:
            raise JournalNotEmpty(str(opened.path), str(held))
        return Staged(frame, opened, resumed=resume, owned=owned, require_reason=require_reason,
                      staged_by=staged_by)
    except BaseException:  # refused, or damaged pages met while replaying: let the file go
        opened.close()
        raise


class Staged(StagedCells):
    """Validated edits keyed by (userId, certification id, field), each with its loaded and new value.

    `len(staged)` counts edits; iterating yields `Edit`s in staging order. See the module docstring. Staging
    cells (`set`, `apply`, `unstage`, `clear`) is `StagedCells`'s (certnb.staging.staged_cells).
    """

    @classmethod
    def open(cls, path: str | Path, frame: pd.DataFrame | None = None, *, owned: Owned = "refuse",
             require_reason: bool | None = None, staged_by: str | None = None) -> Staged:
        """Reopen a journal (after a crash or a kernel restart); `frame` is needed only to stage new rows.

        Raises `FileNotFoundError` if there is no journal at `path`. `resumed` says what it held.
        """
        if not Path(path).exists():
            raise FileNotFoundError(
                f"no staging journal at {path}; start one with certnb.stage(df, journal=...)"
            )
        if frame is not None:
            check_frame(frame)
        journal = Journal(path)
        try:
            return cls(frame, journal, resumed=True, owned=owned, require_reason=require_reason,
                       staged_by=staged_by)
        except BaseException:
            journal.close()
            raise

    # -- rows: from a spreadsheet, new ones, deleted ones, merged duplicates ------------------------------

    def from_changes(self, table: Any, *, reason: str | None = None) -> Staged:
        """Stage the `changes` table of a spreadsheet round trip (`certnb.frame.changes.read_edits`).

        Needs columns userId, id, field, after; a `before` column is checked against the loaded value (a
        mismatch means the file came from another load); a `row` column (the file's row) labels problems;
        a `reason` column gives each change its own reason (`reason=` is for the rows that leave it empty).
        """
        changes: pd.DataFrame = getattr(table, "changes", table)
        creates: pd.DataFrame | None = getattr(table, "creates", None)
        deletes: pd.DataFrame | None = getattr(table, "deletes", None)
        from_sheet = "row" in changes.columns  # the file's rows: problems say "spreadsheet row 3"
        where = spreadsheet_row if from_sheet else None
        with paused(), self._why.given(reason, cell_reasons(changes)):
            if (creates is None or creates.empty) and (deletes is None or deletes.empty):
                return self._stage(self._sheet_proposals(changes), where=where)
            # Creates, deletes and edits are all checked before any is journaled: refused as a whole.
            given = [(row, uid if uid is not None else upn,
                      {c: v for c, v in fields.items() if v is not None})
                     for row, uid, upn, fields in sheet_rows(creates)]
            passed, problems = new_certifications(self.frame, given, where="spreadsheet row {}")
            keys = [] if deletes is None else list(zip(deletes["userId"], deletes["id"], strict=True))
            doomed = self._known.select(keys)
            refusals = self._refusals(lambda target: None)
            problems += [refusals.problem(t, DELETE, None, t.problem or "no certification",
                                          field_label="the certification")
                         for t in doomed if t.problem is not None or t.key is None]
            owned = self._owned.deletes(doomed, self._created())
            problems += self._owned.delete_problems(owned, refusals)
            if self._require_reason and self._why.reason is None:  # checked before any of it is journaled
                problems += creates_without_reason(passed, refusals, doomed)
            try:
                self._stage(self._sheet_proposals(changes), where=where, check_only=True)
            except EditsRefused as refused:
                problems = [*refused.problems, *problems]
            if problems:
                raise EditsRefused(problems)
            self._stage(self._sheet_proposals(changes), where=where)
            rows, staged = create_edits(passed, self.creates)
            self._journal_rows(rows, staged, [])
            doomed, routed = self._owned.settle_deletes(doomed, owned, refusals, self._known.snapshot)
            if routed:
                self._changed()
            rows, staged, unstaged = delete_edits(doomed, self._edits, self._rows, self._known.snapshot)
            return self._journal_rows(rows, staged, unstaged)

    def _sheet_proposals(self, changes: pd.DataFrame) -> Iterable[Proposal]:
        return proposals.from_table(changes, self._known.target_for_key, self._before_mismatch)

    def add(self, user: Any, values: Any = None, /, *, reason: str | None = None, **fields: Any) -> Staged:
        """Stage new certifications: `staged.add("ben@contoso.example", displayName="AZ-104",
        issuingAuthority="Microsoft", endDate="2027-06-30")`, or `staged.add(new_rows)` with a DataFrame of
        them (a `userId` or `userPrincipalName` column, then field columns; empty cells set nothing). Also
        a list of such rows as dicts, several for one person (`add("ben@…", [{…}, {…}])`), or the same one
        for several people (`add(["ana@…", "ben@…"], displayName=…)`): `certnb.staging.creates.given_rows`.

        Checked as edits are (every value by its field's rule, dates in order) and a title is required; a
        certification the person already holds as loaded is refused (see `certnb.staging.creates`). Refused
        as a whole. Adding the very same certification again stages nothing, so re-running a cell is safe.
        Each new certification gets a local id ("new-…") until the commit creates it (`creates`).
        """
        with paused(), self._why.given(reason):
            return self._add(given_rows(user, values, fields), where=None)

    def _add(self, given: Iterable[tuple[Any, Any, Mapping[str, Any]]], where: str | None) -> Staged:
        passed, problems = new_certifications(self.frame, given, where=where)
        if problems:
            raise EditsRefused(problems)
        rows, staged = create_edits(passed, self.creates)
        return self._journal_rows(rows, staged, [])

    def delete(self, selection: Any, *, reason: str | None = None) -> Staged:
        """Stage the deletion of the selected certifications (selections as for `set`).

        A deleted certification's staged edits are withdrawn with it; deleting a staged create withdraws
        the create. The commit skips a delete as `conflict` if the certification changed on the server since
        the load, and counts one already gone as `already_applied`. Refused as a whole.
        """
        with paused(), self._why.given(reason):
            targets = self._known.select(selection)
            refusals = self._refusals()
            problems = [refusals.problem(t, DELETE, None, t.problem or "no certification",
                                         field_label="the certification")
                        for t in targets if t.problem is not None or t.key is None]
            owned = self._owned.deletes(targets, self._created())
            problems += self._owned.delete_problems(owned, refusals)
            if problems:
                raise EditsRefused(problems)
            targets, routed = self._owned.settle_deletes(targets, owned, refusals, self._known.snapshot)
            if routed:
                self._changed()
            rows, staged, unstaged = delete_edits(targets, self._edits, self._rows, self._known.snapshot)
            return self._journal_rows(rows, staged, unstaged)

    def merge_duplicates(self, chosen: Any, keep: Any = None,
                         resolve: Mapping[Any, Any] | None = None, *, reason: str | None = None) -> MergePlan:
        """Merge the duplicates among `chosen` (the findings of `df.certs.audit()`, rows of the frame, or a
        selection as for `set`): per group, set the fills on the keeper and delete the others. Returns the
        plan as staged (print it, or show it in a notebook; `.conflicts` is the table of conflicts).

        The rule, `keep=` and `resolve=`: `certnb.staging.merge` and `certnb.staging.merge_choices`;
        `certnb.staging.merge.plan_merges(df, chosen)` is the same plan as a preview, staging nothing. A fill
        leaves a value already staged for that cell as it is; the others' staged edits go with them. Refused
        as a whole; running it again stages nothing new.

        >>> plan = staged.merge_duplicates(df.certs.audit())          # doctest: +SKIP
        """
        if self._frame_rows is None:
            raise ValueError("merge_duplicates needs the frame the duplicates are in: Staged.open(path, df)")
        with paused(), self._why.given(reason):
            planned = merge.plan_on(self._frame_rows, chosen, keep, resolve, snapshot=self._known.snapshot)
            # An owned record's delete is refused before any fill is staged: a merge is refused as a whole.
            doomed = self._known.select(planned.deletes)
            owned_problems = self._owned.delete_problems(self._owned.deletes(doomed, self._created()),
                                                         self._refusals())
            if owned_problems:
                raise EditsRefused(owned_problems)
            sets, skipped = merge.to_stage(planned, self._edits.keys(), self.deletes.keys())
            before = {e.key: e.seq for e in self._edits.values()}
            proposed = (p for key, fields in sets.items()
                        for p in proposals.constant([self._known.target_for_key(key, key)], fields))
            self._stage(proposed)  # the fills, refused as a whole; then the deletes (their rows are known)
            self.delete(planned.deletes)
            added = sum(before.get(e.key) != e.seq for e in self._edits.values())
            return planned.staged_as(added, skipped)

    def _journal_rows(self, rows: list[RowSnapshot], staged: list[Edit],
                      unstaged: list[tuple[str, str, str]]) -> Staged:
        """Journal new rows, edits and withdrawals in one transaction, then keep them in memory."""
        if not (rows or staged or unstaged):
            return self
        staged = self._why.stamped(staged)
        if self._require_reason:  # creates and deletes: refused before any of them is journaled
            refuse_missing(staged, {**self._rows, **{row.key: row for row in rows}})
        seqs = self._journal.append(rows=rows, staged=staged, unstaged=unstaged)
        self._rows.update((row.key, row) for row in rows)
        for key in unstaged:
            self._edits.pop(key, None)
        for edit, seq in zip(staged, seqs, strict=True):
            self._edits[edit.key] = edit._replace(seq=seq)
        self._changed()
        return self

    def _created(self) -> frozenset[tuple[str, str]]:
        return frozenset(e.row_key for e in self._edits.values() if e.field == CREATE)
