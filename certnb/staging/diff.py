"""The before/after view of staged edits: a DataFrame, shown in a notebook with the changes highlighted.

    >>> from certnb.staging.edit import Edit, RowSnapshot
    >>> rows = {("u1", "c1"): RowSnapshot("u1", "c1", "adele@contoso.example", "Adele", "AZ-104")}
    >>> d = Diff(diff_table([Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31", 1)], rows))
    >>> d.table[["field", "before", "after"]].values.tolist()
    [['endDate', '2026-12-31', '2027-12-31']]
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pandas as pd

from certnb.staging.edit import Edit, RowSnapshot

__all__ = ["DIFF_COLUMNS", "Diff", "diff_table"]

DIFF_COLUMNS: tuple[str, ...] = (
    "userId", "userPrincipalName", "id", "displayName", "field", "before", "after", "outcome",
)
"""`displayName` is the certification's title; `outcome` the latest commit outcome (None before a commit)."""

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
            e.field, e.before, e.after, (outcomes or {}).get(e.seq),
        ))
    return pd.DataFrame(lines, columns=list(DIFF_COLUMNS), dtype=object)


def _cell(value: Any) -> str:
    if value is None:
        return '<span class="certnb-empty">(empty)</span>'
    text = value if isinstance(value, str) else json.dumps(value)
    return html.escape(text)


class Diff:
    """Staged edits as a table (`.table`, a DataFrame); in a notebook, before struck through, after in green
    (in red, "(cleared)", where the edit empties a field that held a value).

    `len(diff)` counts edits; iterating yields one dict per edit.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table

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
        return f"<Diff: {count} staged edit{'s' if count != 1 else ''}>\n{self.table.to_string(index=False)}"

    def _repr_html_(self) -> str:
        count = len(self.table)
        header = f"<p><b>{count}</b> staged edit{'s' if count != 1 else ''}"
        certifications = self.table[["userId", "id"]].drop_duplicates().shape[0]
        header += f" on {certifications} certification{'s' if certifications != 1 else ''}</p>"
        style = (
            "<style>.certnb-diff td,.certnb-diff th{text-align:left;padding:2px 8px}"
            ".certnb-before{background:#fde2e1;text-decoration:line-through}"
            ".certnb-after{background:#dcf5dc;font-weight:bold}.certnb-empty{color:#888;font-style:italic}"
            ".certnb-cleared{background:#fde2e1;color:#b00020;font-weight:bold;font-style:italic}</style>"
        )
        heads = "".join(f"<th>{html.escape(c)}</th>" for c in DIFF_COLUMNS)
        body = []
        for line in self.table.head(_HTML_ROWS).itertuples(index=False, name=None):
            cells = dict(zip(DIFF_COLUMNS, line, strict=True))
            tds = []
            for column in DIFF_COLUMNS:
                value = cells[column]
                if column == "before":
                    tds.append(f'<td class="certnb-before">{_cell(value)}</td>')
                elif column == "after" and value is None and cells["before"] is not None:
                    tds.append('<td class="certnb-cleared">(cleared)</td>')  # a loss, not an addition
                elif column == "after":
                    tds.append(f'<td class="certnb-after">{_cell(value)}</td>')
                else:
                    tds.append(f"<td>{'' if value is None else html.escape(str(value))}</td>")
            body.append(f"<tr>{''.join(tds)}</tr>")
        more = f"<p>… and {count - _HTML_ROWS} more (see .table)</p>" if count > _HTML_ROWS else ""
        return (
            f'{style}<div class="certnb-diff">{header}<table class="certnb-diff">'
            f"<thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}</div>"
        )
