"""Findings as a table built column-wise: the rules that look at a million rows at once use it.

`findings_table(frame, mask, rule, severity, field, detail, fix, suggested)` makes one finding per row of
`frame` where `mask` holds, with the audit's columns (`certnb.frame.audit.FINDING_COLUMNS`), without a
Python dict per row. `detail`, `fix` and `suggested` are one value for all, or a Series (or an object array,
None where missing) aligned with `frame`.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"userId": ["u1", "u2"], "userPrincipalName": ["a@x", "b@x"], "id": ["c1", "c2"],
    ...                       "displayName": ["AZ-104", "PMP"], "issuingCompany": ["MSFT", "PMI"]})
    >>> table = findings_table(frame, frame["issuingCompany"] == "MSFT", "issuer-spelling", "info",
    ...                        "issuingCompany", "spelled 'Microsoft' elsewhere", "use 'Microsoft'",
    ...                        "Microsoft")
    >>> table[["id", "value", "suggested"]].values.tolist()
    [['c1', 'MSFT', 'Microsoft']]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["COLUMNS", "ROW", "findings_table", "rule_table", "suggested_changes"]

COLUMNS: tuple[str, ...] = (
    "rule",
    "severity",
    "userId",
    "userPrincipalName",
    "id",
    "displayName",
    "field",
    "value",
    "detail",
    "fix",
    "suggested",
)
"""The findings table's columns (`certnb.frame.audit.FINDING_COLUMNS`): `field`/`value` name the cell at
fault, `suggested` a value to stage."""

ROW = "_row"
"""The audit's own column, after `COLUMNS`: each finding's row position in the audited frame, so that the
findings are put in report order from the frame's rows (`certnb.frame.order`), not from their text; the
audit drops it before it returns the findings."""


def _objects(series: pd.Series) -> Any:
    """The series' cells as Python objects, a missing one as None."""
    return np.asarray(series.astype(object).where(series.notna(), None), dtype=object)


def _cells(values: Any, chosen: Any, n: int) -> Any:
    if isinstance(values, pd.Series):
        return _objects(values[chosen])  # the chosen rows only: a million cells as objects cost seconds
    if isinstance(values, np.ndarray):
        return values[chosen]  # an object array, one cell per row (None where missing): `Distinct.take`
    return [values] * n


def findings_table(
    frame: pd.DataFrame,
    mask: Any,
    rule: str,
    severity: str,
    field: str,
    detail: Any,
    fix: Any,
    suggested: Any = None,
) -> pd.DataFrame:
    """One finding of `rule` per row of `frame` where `mask` is true (NA counts as false); `ROW` holds the
    row's position in `frame`."""
    if isinstance(mask, np.ndarray) and mask.dtype == bool:
        chosen = mask
    else:
        chosen = np.asarray(pd.Series(mask, index=frame.index).fillna(False).to_numpy(dtype=bool))
    n = int(chosen.sum())
    columns: dict[str, Any] = {"rule": [rule] * n, "severity": [severity] * n}
    for name in ("userId", "userPrincipalName", "id", "displayName"):
        columns[name] = _objects(frame[name][chosen])
    columns["field"] = [field] * n
    columns["value"] = _objects(frame[field][chosen])
    columns["detail"] = _cells(detail, chosen, n)
    columns["fix"] = _cells(fix, chosen, n)
    columns["suggested"] = _cells(suggested, chosen, n)
    # Objects, not inferred text: pandas would check (and, with pyarrow installed, copy into Arrow) every
    # cell of a million findings, only for the audit to make its own text columns at the end.
    table = pd.DataFrame(columns, columns=list(COLUMNS), dtype=object)
    table[ROW] = np.flatnonzero(chosen)
    return table


def rule_table(rules: Mapping[str, str], frame: pd.DataFrame, mask: Any, rule: str, field: str, detail: Any,
               fix: Any, suggested: Any = None) -> pd.DataFrame:
    """`findings_table` for a rule of `rules` (rule → severity), where `detail`, `fix` and `suggested` may
    also be lists: one cell per chosen row, in the frame's order.

    >>> frame = pd.DataFrame({"userId": ["u1", "u2"], "userPrincipalName": ["a@x", "b@x"], "id": ["c1", "c2"],
    ...                       "displayName": ["AZ-104", "PMP"], "webUrl": ["x", "https://pmi.org"]})
    >>> rule_table({"bad-url": "error"}, frame, [True, False], "bad-url", "webUrl", ["not a link"],
    ...            "use the full address")[["severity", "id", "detail"]].values.tolist()
    [['error', 'c1', 'not a link']]
    """
    chosen = np.asarray(mask, dtype=bool)
    return findings_table(frame, chosen, rule, rules[rule], field, _spread(detail, chosen, frame.index),
                          _spread(fix, chosen, frame.index), _spread(suggested, chosen, frame.index))


def _spread(values: Any, chosen: Any, index: pd.Index) -> Any:
    if not isinstance(values, list):
        return values
    cells = np.full(len(index), None, dtype=object)
    cells[chosen] = values
    return pd.Series(cells, index=index, dtype=object)


def suggested_changes(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that suggest a value, as a changes table (userId, id, field, after) that
    `staged.from_changes` stages in one call; a finding without a suggestion is left out, and where two
    findings suggest values for one cell the first one (the audit sorts by severity) is taken.

    >>> found = pd.DataFrame({"userId": ["u1", "u1"], "id": ["c1", "c2"],
    ...                       "field": ["issuingCompany", "webUrl"],
    ...                       "suggested": ["Microsoft", None]})
    >>> suggested_changes(found).values.tolist()
    [['u1', 'c1', 'issuingCompany', 'Microsoft']]
    """
    chosen = findings[findings["suggested"].notna()]
    chosen = chosen[~chosen.duplicated(["userId", "id", "field"], keep="first")]
    return pd.DataFrame(
        {
            "userId": chosen["userId"].astype(object),
            "id": chosen["id"].astype(object),
            "field": chosen["field"].astype(object),
            "after": chosen["suggested"].astype(object),
        },
        columns=["userId", "id", "field", "after"],
    ).reset_index(drop=True)
