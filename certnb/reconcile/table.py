"""`Reconciliation`: a source compared with Graph, as one table a person reads and decides on.

    >>> import certnb, pandas as pd
    >>> df = certnb.build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example",
    ...     "displayName": "Adele Vance", "certifications": [
    ...         {"id": "c1", "displayName": "AZ-104", "certificationId": "X1", "endDate": "2026-06-30"}]}])
    >>> hr = pd.DataFrame({"Email": ["adele@contoso.example", "left@contoso.example"],
    ...                    "Title": ["AZ-104", "PMP"], "Certification id": ["X1", "7"],
    ...                    "Expires": ["2027-06-30", "2028-01-31"]})
    >>> rec = certnb.reconcile(df, hr, on="email")
    >>> rec.counts[rec.counts > 0].to_dict()
    {'different': 1, 'unknown_person': 1}
    >>> rec.table.loc[0, "differences"]
    'Expires 2026-06-30 → 2027-06-30'

`table`: status, row (the source's), person, title, id (Graph's), candidates (an ambiguous row's Graph ids),
differences (Graph's value → the source's, by label), detail (what it means, what to do), userPrincipalName
and userId. Sorted by status (`STATUSES` order), then source row. `differences` has one line per differing
field; `counts` one number per status. `decide(row, graph_id)` settles an ambiguous row; `stage(staged)`
stages the source's side (`certnb.reconcile.stage`), `source_fixes()` lists what to change in the source to
agree with Graph instead.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from certnb.reconcile.match import (
    STATUS_TEXT,
    STATUSES,
    Claim,
    Entry,
    Held,
    Scope,
    Status,
    differing_fields,
    match,
)
from certnb.reconcile.people import Person
from certnb.reconcile.source import Source
from certnb.reconcile.stage import StageReport, Take, stage_reconciliation
from certnb.schema import LABELS, TEXT_DTYPE, is_missing

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = ["DIFFERENCE_COLUMNS", "TABLE_COLUMNS", "Reconciliation", "shown_value"]

TABLE_COLUMNS: tuple[str, ...] = (
    "status", "row", "person", "title", "id", "candidates", "differences", "detail", "userPrincipalName",
    "userId",
)
SOURCE_ACTIONS: dict[str, str] = {
    "only_in_source": "not in Graph: correct the row, or create it in Graph",
    "unknown_person": "person not in the tenant: left the company, or another email?",
    "ambiguous": "matches several Graph certifications: decide in the reconciliation",
}
"""What `source_fixes` asks of the source's owner for rows Graph cannot say how to fix."""
DIFFERENCE_COLUMNS: tuple[str, ...] = ("row", "person", "title", "id", "field", "label", "graph", "source")

def shown_value(value: Any) -> str:
    """A value as a difference shows it: dates as YYYY-MM-DD, no value as "(empty)".

    >>> shown_value(pd.Timestamp("2027-06-30")), shown_value(None), shown_value("AZ-104")
    ('2027-06-30', '(empty)', 'AZ-104')
    """
    if value is None or is_missing(value):
        return "(empty)"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


class Reconciliation:
    """A source compared with a loaded frame (module docstring); made by `certnb.reconcile`."""

    def __init__(
        self,
        source: Source,
        held: Mapping[str, Held],
        graph: Mapping[str, tuple[str, Person, Any]],
        claims: Mapping[int, Claim],
        persons: Mapping[str, Person],
        fields: tuple[str, ...],
        *,
        scope: Scope,
        clear_blanks: bool,
        tenant: str,
    ) -> None:
        self.source = source
        self.fields = fields
        self.scope: Scope = scope
        self.clear_blanks = clear_blanks
        self._held = dict(held)
        self._graph = dict(graph)  # Graph id → (userId, holder, title)
        self._claims = dict(claims)
        self._persons = dict(persons)
        self._tenant = tenant
        self._decisions: dict[int, str | None] = {}
        self._entries = self._match()

    # -- the comparison ------------------------------------------------------------------------------------

    def _match(self) -> list[Entry]:
        return match(self._held.values(), list(self._claims.values()), self.fields, self._decisions,
                     scope=self.scope, clear_blanks=self.clear_blanks)

    @property
    def entries(self) -> list[Entry]:
        """The reconciliation's entries (`certnb.reconcile.match.Entry`), in source order then Graph's."""
        return list(self._entries)

    @property
    def decisions(self) -> dict[int, str | None]:
        """The rows a person decided: source row → Graph id (`None`: none of them, a new certification)."""
        return dict(self._decisions)

    def decide(self, row: int, graph_id: str | None) -> Reconciliation:
        """Say which Graph certification source row `row` is (`None`: none of them; it is new), e.g. for an
        ambiguous row: `rec.decide(14, rec.ambiguous["candidates"].iloc[0][0])`. Any other Graph certification
        of the person that the decision leaves unmatched then shows as `only_in_graph`.
        """
        claim = self._claims.get(row)
        if claim is None:
            raise ValueError(f"the source has no row {row}; rows are {min(self._claims, default=0)}–"
                             f"{max(self._claims, default=0)}")
        if claim.person is None:
            raise ValueError(f"source row {row}: its person ({self.source.person_at(row)}) is not in the "
                             "tenant, so no Graph certification can be theirs")
        if graph_id is not None:
            held = self._held.get(graph_id)
            person = self._persons[claim.person].shown
            if held is None or held.person != claim.person:
                theirs = [h.id for h in self._held.values() if h.person == claim.person]
                raise ValueError(f"source row {row}: {graph_id!r} is not a certification of {person} in the "
                                 f"loaded frame; theirs are: {', '.join(theirs) or 'none'}")
            other = next((r for r, g in self._decisions.items() if g == graph_id and r != row), None)
            if other is not None:
                raise ValueError(f"source row {row}: {graph_id!r} was already decided to be source row "
                                 f"{other}; decide that row again first")
        self._decisions[row] = graph_id
        self._entries = self._match()
        return self

    # -- reading ---------------------------------------------------------------------------------------------

    @property
    def table(self) -> pd.DataFrame:
        """One row per entry: `TABLE_COLUMNS`, sorted by status then source row (module docstring)."""
        rank = {status: i for i, status in enumerate(STATUSES)}
        ordered = sorted(self._entries, key=lambda e: (rank[e.status], e.row is None, e.row or 0,
                                                        e.person or "", self._title(e)))
        table = pd.DataFrame([self._line(e) for e in ordered], columns=list(TABLE_COLUMNS))
        table["row"] = table["row"].astype("Int64")
        for column in ("status", "person", "title", "id", "differences", "detail", "userPrincipalName",
                       "userId"):
            table[column] = table[column].astype(TEXT_DTYPE)
        return table

    def _person(self, entry: Entry) -> Person | None:
        return None if entry.person is None else self._persons.get(entry.person)

    def _title(self, entry: Entry) -> str:
        if entry.row is not None:
            values = self._claims[entry.row].values
            title = values.get("displayName") or values.get("certificationId")
            if title:
                return str(title)
        if entry.graph_id is not None:
            return str(self._graph[entry.graph_id][2] or entry.graph_id)
        if entry.candidates:
            return str(self._graph[entry.candidates[0]][2] or "")
        return ""

    def _line(self, entry: Entry) -> dict[str, Any]:
        person = self._person(entry)
        shown = person.shown if person is not None else self._source_person(entry.row)
        return {
            "status": entry.status, "row": entry.row, "person": shown, "title": self._title(entry),
            "id": entry.graph_id, "candidates": entry.candidates or None,
            "differences": "; ".join(f"{LABELS.get(d.field, d.field)} {shown_value(d.graph)} → "
                                     f"{shown_value(d.source)}" for d in entry.differences) or None,
            "detail": self._detail(entry),
            "userPrincipalName": None if person is None else person.upn,
            "userId": None if person is None else person.user_id,
        }

    def _source_person(self, row: int | None) -> str | None:
        return None if row is None else self.source.person_at(row)

    def _detail(self, entry: Entry) -> str:
        if entry.status == "ambiguous":
            parts = []
            if len(entry.candidates) > 1:
                parts.append(f"{len(entry.candidates)} Graph certifications match")
            if entry.rivals:
                rows = ", ".join(map(str, entry.rivals))
                parts.append(f"source row{'s' if len(entry.rivals) > 1 else ''} {rows} match the same one")
            return f"{'; '.join(parts)}: rec.decide({entry.row}, <one of the candidates, or None>)"
        if entry.status == "unknown_person":
            return f"{self._source_person(entry.row)} is not in the tenant (left the company?); never created"
        if entry.decided:
            return "as decided" if entry.graph_id is not None else "decided: none of the candidates; new"
        if entry.status == "only_in_graph":
            return "not in the source; kept unless stage(..., delete=True)"
        return ""

    @property
    def counts(self) -> pd.Series:
        """How many entries have each status (every status, in `STATUSES` order)."""
        found = pd.Series([e.status for e in self._entries], dtype="object").value_counts()
        return pd.Series({s: int(found.get(s, 0)) for s in STATUSES}, name="count", dtype="int64")

    @property
    def differences(self) -> pd.DataFrame:
        """One row per differing field of each `different` entry: row, person, title, id, field, label,
        graph (its value in Graph), source (its value in the source)."""
        lines = []
        for entry in self._entries:
            person = self._person(entry)
            for difference in entry.differences:
                lines.append((entry.row, person.shown if person else None, self._title(entry), entry.graph_id,
                              difference.field, LABELS.get(difference.field, difference.field),
                              difference.graph, difference.source))
        return pd.DataFrame(lines, columns=list(DIFFERENCE_COLUMNS), dtype=object)

    def _status(self, status: Status) -> pd.DataFrame:
        table = self.table
        return table[table["status"] == status]

    @property
    def equal(self) -> pd.DataFrame:
        """The table's `equal` rows."""
        return self._status("equal")

    @property
    def different(self) -> pd.DataFrame:
        """The table's `different` rows (`differences` for one line per field)."""
        return self._status("different")

    @property
    def only_in_source(self) -> pd.DataFrame:
        """The table's `only_in_source` rows: new certifications, to create."""
        return self._status("only_in_source")

    @property
    def only_in_graph(self) -> pd.DataFrame:
        """The table's `only_in_graph` rows: deleted only when asked."""
        return self._status("only_in_graph")

    @property
    def ambiguous(self) -> pd.DataFrame:
        """The table's `ambiguous` rows, with their `candidates`: decide each one (`decide`)."""
        return self._status("ambiguous")

    @property
    def unknown_person(self) -> pd.DataFrame:
        """The table's `unknown_person` rows: people the tenant does not have."""
        return self._status("unknown_person")

    # -- acting ------------------------------------------------------------------------------------------

    def stage(
        self,
        staged: Staged | None,
        *,
        take: Take = "source",
        create: bool = True,
        update: bool = True,
        delete: bool = False,
        rows: Any = None,
    ) -> StageReport:
        """Stage the source's side into `staged`: creates (`only_in_source`), updates (`different`, the
        source's values win) and, only with `delete=True`, deletes (`only_in_graph`); `rows` limits it to
        some source rows / Graph ids (or a subset of `table`). `take="graph"` stages nothing and lists what
        to change in the source instead. See `certnb.reconcile.stage`.
        """
        return stage_reconciliation(self, staged, take=take, create=create, update=update, delete=delete,
                                    rows=rows)

    def source_fixes(self) -> pd.DataFrame:
        """What to change in the source for it to agree with Graph: one row per field to change, row to add
        or row to look at (row, person, title, action, field, label, source, graph); write it with
        `certnb.write_tables(rec.source_fixes(), "fix-in-hr.xlsx")`."""
        lines: list[tuple[Any, ...]] = []
        for entry in self._entries:
            person = self._person(entry)
            who = person.shown if person is not None else self._source_person(entry.row)
            title = self._title(entry)
            if entry.status == "different":
                lines += [(entry.row, who, title, "change", d.field, LABELS.get(d.field, d.field), d.source,
                           d.graph) for d in entry.differences]
            elif entry.status == "only_in_graph":
                held = self._held[entry.graph_id or ""]
                for name in self.fields:
                    value = held.values.get(name)
                    if value is not None and not is_missing(value):
                        lines.append((None, who, title, "add", name, LABELS.get(name, name), None, value))
            elif entry.status in SOURCE_ACTIONS:
                lines.append((entry.row, who, title, SOURCE_ACTIONS[entry.status], None, None, None, None))
        return pd.DataFrame(lines, columns=["row", "person", "title", "action", "field", "label", "source",
                                            "graph"], dtype=object)

    # -- for certnb.reconcile.stage ----------------------------------------------------------------------

    def _source_values(self, row: int) -> Mapping[str, Any]:
        return self._claims[row].values

    def _graph_key(self, graph_id: str) -> tuple[str, str]:
        return self._graph[graph_id][0], graph_id

    def _holder(self, entry: Entry) -> Person | None:
        return self._person(entry)

    # -- display -----------------------------------------------------------------------------------------

    def _summary(self) -> tuple[str, list[tuple[str, int, str]]]:
        counts = self.counts
        people = len({c.person for c in self._claims.values() if c.person is not None})
        scope = (f"the {people} {'person' if people == 1 else 'people'} it names" if self.scope == "people"
                 else "everyone in the tenant")
        head = (f"Reconciliation of {self.source.name} ({len(self._claims)} rows, compared: "
                f"{', '.join(LABELS.get(f, f) for f in self.fields)}) with {self._tenant} (scope: {scope})")
        by_field = differing_fields(self._entries)
        lines = []
        for status in STATUSES:
            label, _, meaning = STATUS_TEXT[status]
            if status == "different" and len(by_field):
                meaning = ", ".join(f"{LABELS.get(str(f), str(f))} {n}" for f, n in by_field.items()) + (
                    "; " + meaning)
            lines.append((label, int(counts[status]), meaning))
        return head, lines

    def __repr__(self) -> str:
        head, lines = self._summary()
        width = max(len(label) for label, _, _ in lines)
        body = [f"  {label:<{width}} {count:>5}   {meaning}" for label, count, meaning in lines]
        decided = f"\n  decided by hand: {len(self._decisions)} row(s)" if self._decisions else ""
        return "\n".join([head, *body]) + decided

    def _repr_html_(self) -> str:
        head, lines = self._summary()
        rows = "".join(
            f"<tr><td style='text-align:left'><span style='display:inline-block;width:0.8em;height:0.8em;"
            f"background:{STATUS_TEXT[status][1]};border-radius:2px;margin-right:0.4em'></span>"
            f"{html.escape(label)}</td><td style='text-align:right;font-weight:bold;color:"
            f"{STATUS_TEXT[status][1] if count else '#9e9e9e'}'>{count}</td>"
            f"<td style='text-align:left'>{html.escape(meaning)}</td></tr>"
            for status, (label, count, meaning) in zip(STATUSES, lines, strict=True)
        )
        waiting = self.ambiguous
        decide = ""
        if len(waiting):
            items = "".join(
                f"<li>source row {row} · {html.escape(str(person))} · {html.escape(str(title))}: "
                f"{html.escape(', '.join(candidates))}</li>" for row, person, title, candidates in zip(
                    waiting["row"].head(20), waiting["person"], waiting["title"], waiting["candidates"],
                    strict=False))
            decide = f"<p>To decide ({len(waiting)}):</p><ul>{items}</ul>"
        return (f"<div class='certnb-reconciliation'><p>{html.escape(head)}</p>"
                f"<table><thead><tr><th>status</th><th>count</th><th>meaning, next step</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>{decide}</div>")
