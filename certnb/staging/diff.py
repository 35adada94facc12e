"""The before/after view of staged edits: a DataFrame, shown in a notebook with the changes highlighted.

    >>> from certnb.staging.edit import Edit, RowSnapshot
    >>> rows = {("u1", "c1"): RowSnapshot("u1", "c1", "adele@contoso.example", "Adele", "AZ-104")}
    >>> d = Diff(diff_table([Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31", 1)], rows))
    >>> d.table[["field", "before", "after"]].values.tolist()
    [['endDate', '2026-12-31', '2027-12-31']]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pandas as pd

from certnb.staging.edit import Edit, RowSnapshot
from certnb.staging.review_html import lines_text, review_html
from certnb.staging.review_lines import ReviewLine, operation_lines

__all__ = ["DIFF_COLUMNS", "Diff", "diff_table"]

DIFF_COLUMNS: tuple[str, ...] = (
    "userId", "userPrincipalName", "id", "displayName", "field", "before", "after", "outcome", "reason",
    "staged_by",
)
"""`displayName` is the certification's title; `outcome` the latest commit outcome (None before a commit);
`reason` why the edit was staged and `staged_by` the account that staged it (None when not said)."""

_HTML_ROWS = 200  # a notebook shows this many; the table holds them all


def diff_table(
    edits: Iterable[Edit],
    rows: Mapping[tuple[str, str], RowSnapshot],
    outcomes: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """One line per edit (see `DIFF_COLUMNS`); values in Graph wire form, `None` for empty."""
    lines = []
    for e in edits:
        row = rows.get(e.row_key)
        lines.append((
            e.user_id, row.user_principal_name if row else None, e.cert_id, row.display_name if row else None,
            e.field, e.before, e.after, (outcomes or {}).get(e.seq), e.reason, e.staged_by,
        ))
    return pd.DataFrame(lines, columns=list(DIFF_COLUMNS), dtype=object)


class Diff:
    """Staged edits as a table (`.table`, a DataFrame, ids included); in a notebook, by person (`rows`, the
    loaded certifications, give their names), title and field label, before struck through, after in green
    (in red, "(cleared)", where the edit empties a field that held a value), without Graph's ids.

    `len(diff)` counts edits; iterating yields one dict per edit.
    """

    def __init__(self, table: pd.DataFrame,
                 rows: Mapping[tuple[str, str], RowSnapshot] | None = None) -> None:
        self.table = table
        self._names = {key[0]: row.user_display_name for key, row in (rows or {}).items()}

    def __len__(self) -> int:
        return len(self.table)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return ({str(k): v for k, v in line.items()} for line in self.table.to_dict("records"))

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table, to sort, filter or save."""
        return self.table.copy()

    def __repr__(self) -> str:
        if self.table.empty:
            return "<Diff: no staged edits>"
        count = len(self)
        return f"<Diff: {count} staged edit{'s' if count != 1 else ''}>\n{lines_text(self.lines())}"

    def lines(self, limit: int | None = None) -> list[ReviewLine]:
        """The edits (the first `limit` of them) as review lines: person, title, label, before → after,
        outcome."""
        table = self.table if limit is None else self.table.head(limit)
        return operation_lines(
            ReviewLine(Edit(uid, cid, field, before, after, 0, reason, staged_by), self._names.get(uid),
                       upn if upn is not None else uid, title, outcome=outcome)
            for uid, upn, cid, title, field, before, after, outcome, reason, staged_by
            in table[list(DIFF_COLUMNS)].itertuples(index=False, name=None)
        )

    def _repr_html_(self) -> str:
        counts = (len(self.table), self.table[["userId", "id"]].drop_duplicates().shape[0],
                  self.table["userId"].nunique())
        lines = self.lines(_HTML_ROWS)
        more = f"<p>… and {counts[0] - _HTML_ROWS} more (see .table)</p>" if counts[0] > _HTML_ROWS else ""
        return review_html(lines, [], None, counts=counts, css="certnb-diff certnb-review") + more
