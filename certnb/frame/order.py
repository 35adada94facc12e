"""The findings' report order: by severity, rule (`RULES` order), user, certification id and field, ties
kept in the order the rules found them, missing text last (what a stable `sort_values` on those columns
of the rules' tables, concatenated, gives).

A finding's user and certification id are those of the frame row it is about (`certnb.frame.findings.ROW`),
so `RowOrder` ranks the frame's rows once, by userPrincipalName then id, and the findings are put in order
from their rows' ranks: a million rows' text is factorised once, not the text of 1.6 million findings; and
the rules' tables are written into one in that order, column by column, not concatenated and then sorted.

    >>> frame = pd.DataFrame({"userPrincipalName": ["b@x", "a@x", None], "id": ["c1", "c2", "c3"]})
    >>> rows = RowOrder(frame)
    >>> np.argsort(rows.ranks).tolist(), rows.unique_ids  # a@x, then b@x, then the missing user
    ([1, 0, 2], True)
    >>> found = [pd.DataFrame({"severity": ["info"], "rule": ["issuer-spelling"], "field": ["issuingCompany"],
    ...                        "_row": [1]}, dtype=object),
    ...          pd.DataFrame({"severity": ["error"] * 3, "rule": ["expired"] * 3, "field": ["endDate"] * 3,
    ...                        "_row": [2, 0, 1]}, dtype=object)]
    >>> rules, severities = {"expired": 0, "issuer-spelling": 1}, ("error", "warning", "info")
    >>> rows.order(found, rules, severities).tolist()  # errors by user (a@x, b@x, none), then the info
    [3, 2, 1, 0]
    >>> rows.in_order(found, rules, severities)["rule"].tolist()
    ['expired', 'expired', 'expired', 'issuer-spelling']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from certnb.frame.findings import ROW

__all__ = ["RowOrder"]

_LIMIT = 2**62  # the largest combined key kept in one int64 (a larger one is sorted key by key)


def _ranks(column: Any) -> tuple[np.ndarray, int]:
    """Each cell's rank among the column's distinct cells (equal cells, equal ranks; a missing cell last),
    and how many ranks there are."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cells = np.asarray(uniques, dtype=object).tolist()
    rank = np.empty(len(cells) + 1, dtype=np.int64)
    # The uniques are distinct, so any sort ranks them as a stable one would; Python's own sort of a list
    # compares them as `sort_values` does, twice as fast as numpy's sort of objects.
    rank[sorted(range(len(cells)), key=cells.__getitem__)] = np.arange(len(cells))
    rank[-1] = len(cells)  # a missing cell (code -1) sorts last
    return rank[codes], len(cells) + 1


def _names(parts: Sequence[pd.DataFrame], column: str, place: Mapping[str, int]) -> np.ndarray:
    """Each finding's place by its `column` (a rule or a severity name), over all the parts."""
    cells = np.concatenate([np.asarray(p[column], dtype=object) for p in parts])
    codes, names = pd.factorize(cells)
    return np.array([place[n] for n in np.asarray(names, dtype=object)], dtype=np.int64)[codes]


class RowOrder:
    """A frame's rows ranked by userPrincipalName, then id (`ranks`, each below `size`; equal rows share a
    rank), and whether every row's id is its own (`unique_ids`: then (userId, id) names one row)."""

    __slots__ = ("ranks", "size", "unique_ids")

    def __init__(self, frame: pd.DataFrame) -> None:
        users, user_count = _ranks(frame["userPrincipalName"])
        ids, id_count = _ranks(frame["id"])
        self.ranks: np.ndarray = users * id_count + ids
        self.size: int = user_count * id_count
        # As many distinct ids as rows with an id: no id twice (a missing id names no row).
        self.unique_ids: bool = id_count - 1 == int(np.count_nonzero(ids < id_count - 1))

    def order(self, parts: Sequence[pd.DataFrame], rules: Mapping[str, int], severities: Sequence[str]
              ) -> np.ndarray:
        """The positions of the findings `parts` (tables whose `ROW` names rows of this frame), taken as
        one table, in report order; `rules`: rule → its place in the report, `severities`: most severe
        first."""
        kind = (_names(parts, "severity", {s: i for i, s in enumerate(severities)}) * len(rules)
                + _names(parts, "rule", rules))
        rows = self.ranks[np.concatenate([np.asarray(p[ROW], dtype=np.int64) for p in parts])]
        fields, field_count = _ranks(np.concatenate([np.asarray(p["field"], dtype=object) for p in parts]))
        if len(severities) * len(rules) * self.size * field_count < _LIMIT:
            # One integer per finding, ordered as its (kind, row, field) are: one stable sort, not three.
            order: np.ndarray = np.argsort((kind * self.size + rows) * field_count + fields, kind="stable")
            return order
        return np.lexsort([fields, rows, kind])

    def in_order(self, parts: Sequence[pd.DataFrame], rules: Mapping[str, int], severities: Sequence[str]
                 ) -> dict[str, Any]:
        """The findings `parts` as one table in report order (`order`), without `ROW`: column → its cells
        (a Series of objects; where a part's column is typed, e.g. dates, the type concatenation gives
        it)."""
        order = self.order(parts, rules, severities)
        # Where each finding goes: every part's column is written into place at once (no concatenated copy
        # to sort), its cells kept as they are.
        to = np.empty(len(order), dtype=np.int64)
        to[order] = np.arange(len(order))
        starts = np.cumsum([0, *(len(p) for p in parts)])
        columns: dict[str, Any] = {}
        for column in (c for c in parts[0].columns if c != ROW):  # the rows have been used: not shown
            if any(p[column].dtype != object for p in parts):
                joined = pd.concat([p[[column]] for p in parts], ignore_index=True)[column]
                columns[column] = joined.iloc[order].reset_index(drop=True)
                continue
            cells = np.empty(len(order), dtype=object)
            for part, start, end in zip(parts, starts[:-1], starts[1:], strict=True):
                cells[to[start:end]] = part[column].to_numpy()
            columns[column] = pd.Series(cells, dtype=object, copy=False)  # objects, not inferred text
        return columns
