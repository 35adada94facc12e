"""`StagedCells`: staging values into cells (`set`, `apply`), withdrawing them (`unstage`, `clear`), and the
one validating path every staging call takes (`_stage`): the base of `Staged`, which adds and deletes rows.

Every call is atomic: if any (row, field) breaks a rule, the whole call is refused with one `EditsRefused`
listing every problem, and nothing is staged or journaled (`certnb.staging.staged`).

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging.journal import Journal
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "displayName": "AZ-104"}]}])
    >>> cells = StagedCells(df, Journal(None))
    >>> [e.after for e in cells.set(0, displayName="AZ-305")], len(cells.unstage())
    (['AZ-305'], 0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Self

from certnb.collector import paused
from certnb.staging import proposals
from certnb.staging.admission import admit, settle
from certnb.staging.edit import Edit, EditsRefused
from certnb.staging.operations import CREATE
from certnb.staging.proposals import Proposal
from certnb.staging.reason import REASON_RULE
from certnb.staging.refusals import Refusals, before_mismatch_rule, date_order_problems
from certnb.staging.rows import Row, Target
from certnb.staging.staged_view import StagedView

__all__ = ["StagedCells"]


class StagedCells(StagedView):
    """Staged edits of cells: `set`, `apply`, `unstage`, `clear`, each validated and journaled as one call."""

    def because(self, reason: str | None) -> AbstractContextManager[None]:
        """Give every staging call in the block `reason`, unless it gives its own: `with staged.because(
        "CHG-1042"): staged.set(...); staged.delete(...)` (how a grid or a form stages with one reason).
        """
        return self._why.given(reason)

    def set(self, selection: Any, values: Mapping[str, Any] | None = None, /, *, reason: str | None = None,
            **fields: Any) -> Self:
        """Stage the same value(s) on the selected rows: `staged.set(mask, endDate="2027-06-30")`.

        A `pandas.Series` value gives one value per row, looked up by row label. Fields with dots
        (`inference.confidenceScore`) go in the `values` mapping. Refused as a whole (module docstring).
        `reason` says why ("CHG-1042: renewal confirmed"); every way of staging takes one.
        """
        with paused(), self._why.given(reason):
            return self._set(selection, {**(values or {}), **fields})

    def _set(self, selection: Any, given: Mapping[str, Any]) -> Self:
        frame_index = None if self._frame_rows is None else self._frame_rows.frame.index
        return self._stage(proposals.constant(self._known.select(selection), given, frame_index))

    def apply(
        self, selection: Any, functions: Mapping[str, Callable[[Row], Any]] | None = None, /,
        reason: str | None = None, **fields: Callable[[Row], Any],
    ) -> Self:
        """Stage computed values, one function per field, called with each selected row, e.g.
        `staged.apply(df.endDate.notna(), endDate=lambda row: row.endDate + pd.DateOffset(years=1))`.

        Each function gets the row *as loaded* (not with staged edits), so running the same cell twice stages
        the same values. A function that raises refuses the call, naming the row and field.
        """
        with paused(), self._why.given(reason):
            return self._apply(selection, {**(functions or {}), **fields})

    def _apply(self, selection: Any, given: Mapping[str, Callable[[Row], Any]]) -> Self:
        return self._stage(proposals.computed(self._known.select(selection), given, self._known.row))

    def unstage(self, selection: Any = None, field: str | Iterable[str] | None = None) -> Self:
        """Withdraw edits: of the selected rows (all of their fields, or just `field`), or of `field` on every
        row when no selection is given (every edit when neither is given); an `Edit` or a (userId, id, field)
        key withdraws that one edit. Tombstones are journaled, so a reopened journal agrees.
        """
        fields = {field} if isinstance(field, str) else None if field is None else set(field)
        if isinstance(selection, Edit):
            keys = [selection.key] if selection.key in self._edits else []
        elif isinstance(selection, tuple) and len(selection) == 3 and selection in self._edits:
            keys = [selection]
        elif selection is None:
            keys = [k for k in self._edits if fields is None or k[2] in fields]
        else:
            targets = self._known.select(selection)
            refusals = self._refusals()
            named = field if isinstance(field, str) else "*"
            problems = [
                refusals.problem(t, named, None, t.problem,
                                 field_label=None if isinstance(field, str) else "every field")
                for t in targets if t.problem is not None
            ]
            if problems:
                raise EditsRefused(problems)
            rows = {t.key for t in targets}
            keys = [k for k in self._edits if k[:2] in rows and (fields is None or k[2] in fields)]
        created = {k[:2] for k in keys if k[2] == CREATE}
        untitled = [k[:2] for k in keys if k[2] == "displayName" and k[:2] not in created
                    and (*k[:2], CREATE) in self._edits]
        if untitled:  # a create keeps its title while it is staged (Graph's POST needs one)
            refusals = self._refusals()
            raise EditsRefused([refusals.problem(
                self._known.target_for_key(row, row), "displayName", None,
                "a new certification needs a title: withdraw the whole new certification instead "
                f"(staged.unstage({row!r}))") for row in untitled])
        if created:  # a create goes whole: its fields mean nothing without it
            keys = list(dict.fromkeys([*keys, *(k for k in self._edits if k[:2] in created)]))
        if keys:
            self._journal.append(unstaged=keys)
            for key in keys:
                del self._edits[key]
            self._changed()
        return self

    def clear(self) -> Self:
        """Withdraw every staged edit (journaled, so a reopened journal is empty too) and every source fix."""
        self._journal.append(clear=True)
        self._edits.clear()
        self._owned.fixes.clear()
        self._changed()
        return self

    # -- the one path every staging call takes ------------------------------------------------------------

    def _stage(
        self, proposed: Iterable[Proposal], where: Callable[[Target], str | None] | None = None,
        *, check_only: bool = False,
    ) -> Self:
        """Validate every proposal, refuse the call if any fails, else (unless `check_only`) journal it in
        one transaction."""
        refusals = self._refusals(where)
        changes, problems = admit(proposed, self._edits, refusals)
        snapshots = self._known.snapshots(changes)
        problems += date_order_problems(changes, snapshots, self._edits, refusals)
        owned = self._owned.edits(changes, snapshots)  # values other systems own: certnb.staging.ownership
        problems += self._owned.edit_problems(owned, changes, refusals)
        if self._require_reason:  # each change that would stage an edit, named where it came from
            staged, _ = settle(changes, snapshots, self._edits)
            problems += [refusals.problem(changes[e.key][0], e.field, changes[e.key][1], REASON_RULE)
                         for e in self._why.stamped(staged) if e.reason is None]
        if problems:
            raise EditsRefused(problems)
        if check_only:
            return self
        fixes_changed = self._owned.settle_edits(owned, changes, snapshots, refusals)

        staged, unstaged = settle(changes, snapshots, self._edits)
        staged = self._why.stamped(staged)
        new_rows = [(k, s) for k, s in snapshots.items() if k not in self._rows]
        if not (staged or unstaged or new_rows):
            if fixes_changed:
                self._changed()
            return self
        seqs = self._journal.append(rows=[s for _, s in new_rows], staged=staged, unstaged=unstaged)
        self._rows.update(new_rows)
        for key in unstaged:
            del self._edits[key]
        for (user_id, cert_id, field, before, after, _, reason, staged_by), seq in zip(staged, seqs,
                                                                                      strict=True):
            self._edits[user_id, cert_id, field] = Edit(user_id, cert_id, field, before, after, seq, reason,
                                                        staged_by)
        if staged or unstaged or fixes_changed:
            self._changed()  # once a call: a form showing the counts redraws once
        return self

    def _refusals(self, where: Callable[[Target], str | None] | None = None) -> Refusals:
        return Refusals(self._frame_rows, self._rows, where)

    def _before_mismatch(self, target: Target, name: str, before: Any) -> str | None:
        return before_mismatch_rule(name, before, self._known.snapshot(target).value(name))
