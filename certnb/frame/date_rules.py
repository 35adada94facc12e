"""The audit's date rules: expired, expiring within 30, 60 or 90 days, a missing end date where most
other holders of the certification have one, and dates in the wrong order; with the audit day (`as_day`)
and the `expired` / `expiring` selections the accessor offers.

A certification is valid through its end date, so it has expired when the end date is before the audit day.

    >>> ends = pd.DataFrame({"endDate": pd.to_datetime(["2026-01-01", "2026-12-12", "2027-06-01"])})
    >>> expired(ends, "2026-11-30").index.tolist(), expiring(ends, 30, "2026-11-30").index.tolist()
    ([0], [1])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from certnb.frame.findings import rule_table

__all__ = ["DATE_COLUMNS", "DATE_RULES", "as_day", "date_order_findings", "expired", "expiring",
           "expiry_findings", "missing_end_findings", "with_dates"]

DATE_RULES: dict[str, str] = {
    "expired": "error",
    "expiring-30": "warning",
    "expiring-60": "warning",
    "expiring-90": "info",
    "missing-end-date": "warning",
    "end-before-start": "error",
    "end-before-issue": "error",
    "start-after-issue": "error",
}
"""The rules of this module → severity, in report order."""


def as_day(asof: object = None) -> pd.Timestamp:
    """The audit day as a midnight Timestamp: `asof` (a date, Timestamp or 'YYYY-MM-DD'), default today.

    >>> as_day("2026-11-30")
    Timestamp('2026-11-30 00:00:00')
    """
    if asof is None:
        return pd.Timestamp(dt.date.today())
    try:
        day = pd.Timestamp(asof)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"asof must be a date such as '2026-11-30'; got {asof!r}") from None
    if day.tz is not None:
        day = day.tz_localize(None)
    return day.normalize().as_unit("s")


DATE_COLUMNS = ("issuedDate", "startDate", "endDate")


def with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its date columns as datetimes (a frame built by hand may hold text or objects).

    >>> with_dates(pd.DataFrame({"endDate": ["2026-06-30"]}))["endDate"].dtype
    dtype('<M8[s]')
    """
    untyped = [c for c in DATE_COLUMNS if c in frame and not pd.api.types.is_datetime64_dtype(frame[c])]
    if not untyped:
        return frame
    try:
        return frame.assign(
            **{c: pd.to_datetime(frame[c], format="ISO8601").astype("datetime64[s]") for c in untyped}
        )
    except (TypeError, ValueError) as refusal:
        raise ValueError(f"date columns must hold dates ('YYYY-MM-DD'); {refusal}") from None


def expired(frame: pd.DataFrame, asof: object = None) -> pd.DataFrame:
    """Rows whose `endDate` is before `asof` (a certification is valid through its end date), by end date.

    >>> ends = pd.DataFrame({"endDate": pd.to_datetime(["2026-01-01", "2027-01-01"])})
    >>> expired(ends, "2026-11-30").index.tolist()
    [0]
    """
    day = as_day(asof)
    end = with_dates(frame)["endDate"]
    chosen = end < day
    return frame[chosen].iloc[end[chosen].argsort(kind="stable")]


def expiring(frame: pd.DataFrame, days: int = 90, asof: object = None) -> pd.DataFrame:
    """Rows whose `endDate` falls within `days` days from `asof` (inclusive), soonest first.

    >>> ends = pd.DataFrame({"endDate": pd.to_datetime(["2026-12-12", "2027-06-01"])})
    >>> expiring(ends, 30, "2026-11-30").index.tolist()
    [0]
    """
    if not isinstance(days, int) or isinstance(days, bool) or days < 0:
        raise ValueError(f"days must be a whole number of days, 0 or more; got {days!r}")
    day = as_day(asof)
    end = with_dates(frame)["endDate"]
    chosen = (end >= day) & (end <= day + pd.Timedelta(days=days))
    return frame[chosen].iloc[end[chosen].argsort(kind="stable")]


def _date(value: Any) -> str:
    return "—" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _days(dates: pd.Series) -> list[str]:
    """Each date as 'YYYY-MM-DD' ('—' where missing), without a Timestamp per cell."""
    text = np.datetime_as_string(dates.to_numpy(dtype="datetime64[s]"), unit="D")
    return ["—" if t == "NaT" else t for t in text.tolist()]


def _days_left(ends: pd.Series, day: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
    """Whole days from `day` to each end date (floored, as `Series.dt.days`), and which rows have one."""
    end = ends.to_numpy()  # datetime64 in the column's own unit, NaT where missing
    known = ~np.isnat(end)
    left = np.zeros(len(end), dtype=np.int64)
    left[known] = (end[known] - day.to_datetime64()) // np.timedelta64(1, "D")
    return left, known


def expiry_findings(frame: pd.DataFrame, day: pd.Timestamp) -> Iterable[pd.DataFrame]:
    left, known = _days_left(frame["endDate"], day)
    today = _date(day)
    mask = known & (left < 0)
    ends, gone = _days(frame["endDate"][mask]), left[mask].tolist()
    yield rule_table(DATE_RULES, frame, mask, "expired", "endDate",
                 [f"expired on {e}, {-d} days before {today}" for e, d in zip(ends, gone, strict=True)],
                 "renew it and record the new end date, or remove it if it lapsed")
    for low, high in ((0, 30), (31, 60), (61, 90)):
        mask = known & (left >= low) & (left <= high)
        ends, soon = _days(frame["endDate"][mask]), left[mask].tolist()
        yield rule_table(DATE_RULES, frame, mask, f"expiring-{high}", "endDate",
                     [f"expires on {e}, in {d} days from {today}" for e, d in zip(ends, soon, strict=True)],
                     "plan the renewal before the end date")


def missing_end_findings(frame: pd.DataFrame, keys: pd.DataFrame, titles: np.ndarray | None = None
                         ) -> Iterable[pd.DataFrame]:
    """`missing-end-date` findings; `titles`: each row's title key as an integer (`record_rules.key_codes`,
    0 for none), if known: then titles are counted by integer, not by their text."""
    # A certification that never expires (ITIL, PSM) has no end date for everyone; only a missing end date
    # where most other holders of the same title have one is a finding.
    has_end = frame["endDate"].notna()
    if titles is None:  # "" first, so that it is 0
        titles = pd.factorize(np.concatenate([[""], keys["title"].to_numpy(dtype=object)]))[0][1:]
    dated = has_end.to_numpy(dtype=bool)
    holders = np.bincount(titles)[titles]
    with_end = np.bincount(titles, weights=dated)[titles]
    chosen = ~dated & (titles != 0) & (with_end * 2 > holders - 1) & (with_end > 0)
    validity = (frame["endDate"] - frame["issuedDate"]).where(has_end)
    typical = validity.groupby(titles).median()
    usual: list[Any] = typical.reindex(titles[chosen]).tolist() if chosen.any() else []
    issued = frame["issuedDate"][chosen].tolist()
    names = frame["displayName"][chosen].astype(object).tolist()
    spans = pd.Series(usual, dtype="timedelta64[s]")
    ends = (pd.Series(issued, dtype="datetime64[s]") + spans).dt.normalize()
    suggested: list[Any] = [None if pd.isna(e) else e for e in ends.tolist()]
    days = spans.dt.days.tolist()
    fixes = [f"set endDate (issued {a} + the usual {int(d)} days: {e})" if s is not None
             else "set endDate from the issuer's record"
             for a, d, e, s in zip(_days(pd.Series(issued, dtype="datetime64[s]")), days, _days(ends),
                                   suggested, strict=True)]
    yield rule_table(DATE_RULES, frame, chosen, "missing-end-date", "endDate",
                 [f"no end date, although other holders of {n!r} have one" for n in names],
                 fixes, suggested)


def date_order_findings(frame: pd.DataFrame, day: pd.Timestamp) -> Iterable[pd.DataFrame]:
    checks = (
        ("end-before-start", "endDate", "startDate", frame["endDate"] < frame["startDate"]),
        ("end-before-issue", "endDate", "issuedDate", frame["endDate"] < frame["issuedDate"]),
        ("start-after-issue", "startDate", "issuedDate", frame["startDate"] > frame["issuedDate"]),
    )
    for rule, field, other, mask in checks:
        chosen = mask.fillna(False).to_numpy(dtype=bool)
        mine, theirs = _days(frame[field][chosen]), _days(frame[other][chosen])
        yield rule_table(DATE_RULES, frame, chosen, rule, field,
                     [f"{field} {a} vs {other} {b}" for a, b in zip(mine, theirs, strict=True)],
                     "check both dates with the issuer; one was mistyped (often the year)")
