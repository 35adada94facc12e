"""Summary tables of a certification frame: by issuer, by month of expiry, by user.

>>> from certnb.frame.build import build_frame
>>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
...     {"id": "c1", "issuingCompany": "ISACA", "endDate": "2026-12-12"}]}])
>>> summary(df, "issuer", asof="2026-11-30").loc["ISACA"].tolist()
[1, 1, 1, 0, 0]
"""

from __future__ import annotations

import pandas as pd

from certnb.frame.audit import as_day, with_dates

SUMMARY_COLUMNS: tuple[str, ...] = ("certifications", "valid", "expiring90", "expired", "noEndDate")
"""Counts per group: all, valid on `asof`, ending within 90 days, ended before `asof`, without end date."""

_GROUPS = {"issuer": "issuingCompany", "user": "userPrincipalName", "month": "expiryMonth"}


def summary(frame: pd.DataFrame, by: str = "issuer", asof: object = None) -> pd.DataFrame:
    """Counts (`SUMMARY_COLUMNS`) per issuer (`issuingCompany`), per user, or per month of `endDate`.

    Groups are sorted by name (months chronologically); blank issuers show as "(none)".

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"certifications": [{"id": "c1", "endDate": "2026-12-12"}]}])
    >>> summary(df, "month", asof="2026-11-30").index.tolist()
    ['2026-12']
    """
    if by not in _GROUPS:
        raise ValueError(f"by must be one of {', '.join(_GROUPS)}; got {by!r}")
    day = as_day(asof)
    end = with_dates(frame)["endDate"]
    counts = pd.DataFrame(
        {
            "certifications": 1,
            "valid": (end >= day).fillna(False) | end.isna(),
            "expiring90": ((end >= day) & (end <= day + pd.Timedelta(days=90))).fillna(False),
            "expired": (end < day).fillna(False),
            "noEndDate": end.isna(),
        },
        index=frame.index,
    ).astype("int64")
    if by == "month":
        key = end.dt.strftime("%Y-%m")
        counts = counts[end.notna()]
        key = key[end.notna()]
    else:
        key = frame[_GROUPS[by]].fillna("(none)").astype(str)
    table = counts.groupby(key.rename(by)).sum().sort_index()
    return table.astype("int64")
