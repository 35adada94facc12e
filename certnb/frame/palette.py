"""One palette for every chart and report: expired, expiring and valid look the same everywhere.

A certification's *status* on the audit day: `expired` (ended before it), `expiring` (ends within
`EXPIRING_DAYS`), `valid` (ends later), `no-end-date`. Severities of findings share the same three hues
(error red, warning amber, info blue), so a manager reading a chart and a table sees one code.

    >>> import pandas as pd
    >>> ends = pd.Series(pd.to_datetime(["2026-01-01", "2026-12-15", "2028-01-01", None]))
    >>> statuses(ends, asof="2026-11-30").tolist()
    ['expired', 'expiring', 'valid', 'no-end-date']
    >>> STATUS_COLOURS["expired"] == SEVERITY_COLOURS["error"]
    True
"""

from __future__ import annotations

import pandas as pd

from certnb.frame.audit import as_day

__all__ = [
    "AS_OF_COLOUR",
    "EXPIRING_DAYS",
    "SEVERITY_COLOURS",
    "SEVERITY_LABELS",
    "STATUSES",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "STATUS_TINTS",
    "statuses",
]

EXPIRING_DAYS = 90
"""Ending within this many days of the audit day counts as expiring (the audit's widest expiring rule)."""

STATUSES: tuple[str, ...] = ("expired", "expiring", "valid", "no-end-date")
"""The statuses, in the order charts stack and legends list them."""

STATUS_COLOURS: dict[str, str] = {
    "expired": "#c62828",
    "expiring": "#ef8f00",
    "valid": "#2e6fb0",
    "no-end-date": "#9e9e9e",
}
"""Bar and text colour of each status (colour-blind safe: red/amber/blue differ in lightness too)."""

STATUS_TINTS: dict[str, str] = {
    "expired": "#fde7e7",
    "expiring": "#fff1d6",
    "valid": "#e6f0fa",
    "no-end-date": "#f1f1f1",
}
"""The light background of each status: table rows, spreadsheet cells."""

STATUS_LABELS: dict[str, str] = {
    "expired": "Expired",
    "expiring": f"Expiring within {EXPIRING_DAYS} days",
    "valid": "Valid",
    "no-end-date": "No expiry date",
}

SEVERITY_COLOURS: dict[str, str] = {
    "error": STATUS_COLOURS["expired"],
    "warning": STATUS_COLOURS["expiring"],
    "info": STATUS_COLOURS["valid"],
}

SEVERITY_LABELS: dict[str, str] = {"error": "Error", "warning": "Warning", "info": "Note"}

AS_OF_COLOUR = "#333333"
"""The dashed line at the audit day."""


def statuses(end: pd.Series, asof: object = None, days: int = EXPIRING_DAYS) -> pd.Series:
    """Each end date's status on the day `asof` (default today), as a Series of `STATUSES` names."""
    day = as_day(asof)
    ends = pd.to_datetime(end)
    status = pd.Series("valid", index=end.index, dtype=object)
    status[ends <= day + pd.Timedelta(days=days)] = "expiring"
    status[ends < day] = "expired"
    status[ends.isna()] = "no-end-date"
    return status
