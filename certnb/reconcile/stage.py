"""Staging the chosen side of a reconciliation: creates, updates and (only when asked) deletes.

`take="source"` (the system of record wins): each `only_in_source` row is staged as a new certification
(`Staged.add`) with the compared fields the row sets, each `different` entry as an edit of the Graph
certification setting the source's values (`Staged.set`), and, only with `delete=True`, each `only_in_graph`
certification as a delete (`Staged.delete`). `ambiguous` and `unknown_person` rows are never staged; they are
reported with the reason. Staging validates every value as it does for any edit; a refused row stages
nothing of itself, the others stage, and each refusal names "source row N", the person, the field by its
label, the value and the rule. Running it again stages nothing new (`Staged.add` and `set` are idempotent).

`take="graph"` (Graph wins) stages nothing: `StageReport.to_fix` lists what to change in the source
(`Reconciliation.source_fixes`), for `certnb.write_tables`.

    >>> import certnb, pandas as pd
    >>> df = certnb.build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example",
    ...     "certifications": [{"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30"}]}])
    >>> hr = pd.DataFrame({"Email": ["adele@contoso.example"] * 2, "Title": ["AZ-104", "PMP"],
    ...                    "Expires": ["2027-06-30", "2028-01-31"]})
    >>> staged = certnb.stage(df)
    >>> report = certnb.reconcile(df, hr).stage(staged)
    >>> report.created, report.updated, len(staged)
    ((1,), (0,), 4)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from certnb.errors import EditsRefused, ValidationError
from certnb.reconcile.match import STATUS_TEXT, Entry

if TYPE_CHECKING:
    from certnb.reconcile.table import Reconciliation
    from certnb.staging import Staged

__all__ = ["StageReport", "Take", "entries_for", "stage_reconciliation"]

Take = Literal["source", "graph"]
_REFUSALS_SHOWN = 20
_SKIPPED: tuple[str, ...] = ("status", "row", "person", "title", "id", "why")


@dataclass(frozen=True)
class StageReport:
    """What `Reconciliation.stage` did: source rows staged as creates (`created`) and updates (`updated`),
    Graph ids staged for deletion (`deleted`), the entries not staged and why (`skipped`: status, row,
    person, title, id, why), each refused row's `ValidationError`s (`refused`), the edits it added to the
    journal (`edits_added`: 0 when everything was staged already), and with `take="graph"` the list of
    changes to make in the source (`to_fix`)."""

    take: Take
    created: tuple[int, ...] = ()
    updated: tuple[int, ...] = ()
    deleted: tuple[str, ...] = ()
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(_SKIPPED)))
    refused: tuple[ValidationError, ...] = ()
    edits_added: int = 0
    to_fix: pd.DataFrame | None = None

    def refusals(self) -> pd.DataFrame:
        """The refusals as a table: row, where, person, certification, field, label, value, rule."""
        if not self.refused:
            empty: pd.DataFrame = EditsRefused([ValidationError(field="", value=None, rule="")]).table()
            return empty.iloc[0:0]
        table: pd.DataFrame = EditsRefused(self.refused).table()
        return table

    def __repr__(self) -> str:
        if self.take == "graph":
            count = 0 if self.to_fix is None else len(self.to_fix)
            return (f"Nothing staged (take='graph': Graph wins); {count} change{'s' if count != 1 else ''} "
                    "to make in the source are in .to_fix (certnb.write_tables(report.to_fix, path))")
        already = " (the rest were staged already)" if self.edits_added == 0 and (
            self.created or self.updated or self.deleted) else ""
        edits = f"{self.edits_added} edit{'s' if self.edits_added != 1 else ''}"
        lines = [f"Staged from the source: {len(self.created)} new certification"
                 f"{'s' if len(self.created) != 1 else ''}, {len(self.updated)} updated, "
                 f"{len(self.deleted)} deleted; {edits} added to the journal{already}"]
        if len(self.skipped):
            counts = self.skipped["status"].value_counts()
            said = ", ".join(f"{n} {_lower(STATUS_TEXT[str(s)][0])}" for s, n in counts.items())
            lines.append(f"Not staged: {said} (see .skipped)")
        if self.refused:
            rows = {p.row for p in self.refused}
            lines.append(f"Refused, nothing of these staged: {len(rows)} row{'s' if len(rows) != 1 else ''}"
                         f" ({len(self.refused)} problem{'s' if len(self.refused) != 1 else ''}):")
            lines += [f"  {p}" for p in self.refused[:_REFUSALS_SHOWN]]
            if len(self.refused) > _REFUSALS_SHOWN:
                lines.append(f"  ... and {len(self.refused) - _REFUSALS_SHOWN} more (.refusals())")
        return "\n".join(lines)


def stage_reconciliation(
    rec: Reconciliation,
    staged: Staged | None,
    *,
    take: Take = "source",
    create: bool = True,
    update: bool = True,
    delete: bool = False,
    rows: Any = None,
) -> StageReport:
    """Stage `rec`'s chosen side into `staged` (module docstring)."""
    if take not in ("source", "graph"):
        raise ValueError(f"take must be 'source' (the source wins: stage it into Graph) or 'graph' (Graph "
                         f"wins: list what to fix in the source); got {take!r}")
    if take == "graph":
        return StageReport("graph", to_fix=rec.source_fixes())
    if staged is None:
        raise TypeError("stage() needs the Staged to stage into: rec.stage(certnb.stage(df))")
    entries = entries_for(rec, rows)
    before = len(staged)
    created: list[int] = []
    updated: list[int] = []
    refused: list[ValidationError] = []
    skipped: list[tuple[Any, ...]] = []

    def skip(entry: Entry, why: str) -> None:
        line = rec._line(entry)
        skipped.append((entry.status, entry.row, line.get("person"), line.get("title"), entry.graph_id, why))

    for entry in entries:
        if entry.status in ("ambiguous", "unknown_person"):
            skip(entry, STATUS_TEXT[entry.status][2])
        elif entry.status == "only_in_source":
            if not create:
                skip(entry, "create=False")
                continue
            holder = rec._holder(entry)
            assert holder is not None  # only_in_source rows have a person of the tenant
            values = {f: v for f, v in rec._source_values(_row(entry)).items() if f in rec.fields}
            person = holder.user_id or holder.upn
            if _staged(staged.add, (person, values), entry, refused):
                created.append(_row(entry))
        elif entry.status == "different":
            if not update:
                skip(entry, "update=False")
                continue
            key = rec._graph_key(entry.graph_id or "")
            changes = {d.field: d.source for d in entry.differences}
            if _staged(staged.set, (key, changes), entry, refused):
                updated.append(_row(entry))
        elif entry.status == "only_in_graph" and not delete:
            skip(entry, "kept: delete=True deletes what only Graph holds")
    deleted: list[str] = []
    if delete:
        doomed = [e for e in entries if e.status == "only_in_graph"]
        keys = [rec._graph_key(e.graph_id or "") for e in doomed]
        if keys:
            try:
                staged.delete(keys)
                deleted = [e.graph_id or "" for e in doomed]
            except EditsRefused as refusal:
                refused += refusal.problems
    return StageReport("source", tuple(created), tuple(updated), tuple(deleted),
                       pd.DataFrame(skipped, columns=list(_SKIPPED), dtype=object), tuple(refused),
                       len(staged) - before)


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]  # "Only in Graph" → "only in Graph"


def _row(entry: Entry) -> int:
    assert entry.row is not None  # creates and updates come from source rows
    return entry.row


def _staged(
    call: Callable[..., object], arguments: tuple[Any, ...], entry: Entry, refused: list[ValidationError]
) -> bool:
    """Run one row's staging call; its refusal is kept, re-said as the source's row."""
    try:
        call(*arguments)
    except EditsRefused as refusal:
        refused += [_from_source(problem, _row(entry)) for problem in refusal.problems]
        return False
    return True


def _from_source(problem: ValidationError, row: int) -> ValidationError:
    return ValidationError(field=problem.field, label=problem.label, value=problem.value, rule=problem.rule,
                           row=row, person=problem.person, user_id=problem.user_id,
                           certification=problem.certification, cert_id=problem.cert_id,
                           where=f"source row {row}")


def entries_for(rec: Reconciliation, rows: Any) -> list[Entry]:
    """The entries `rows` names: `None` (all), a subset of `rec.table`, or source rows and Graph ids."""
    if rows is None:
        return rec.entries
    if isinstance(rows, pd.DataFrame):
        numbers = {int(r) for r in rows["row"].dropna()} if "row" in rows else set()
        ids = {str(i) for i in rows.loc[rows["row"].isna() if "row" in rows else slice(None), "id"].dropna()}
    else:
        wanted = list(rows) if isinstance(rows, Iterable) and not isinstance(rows, str) else [rows]
        numbers = {int(r) for r in wanted if isinstance(r, int) and not isinstance(r, bool)}
        ids = {r for r in wanted if isinstance(r, str)}
        unknown = [r for r in wanted if not isinstance(r, int | str) or isinstance(r, bool)]
        if unknown:
            raise TypeError(f"rows= names source rows (numbers) or Graph ids (text); got {unknown[:3]!r}")
    return [e for e in rec.entries if (e.row in numbers) or (e.row is None and e.graph_id in ids)]
