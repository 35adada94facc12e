"""The trends of an audit history as one matplotlib Figure: expiries, findings by rule, issuers.

Built with `matplotlib.figure.Figure`, never pyplot, as `certnb.frame.plots` does (any backend, no global
state). Three panels share the time axis (when each snapshot was taken, UTC); each has its own legend, and
the busiest lines only (`top`), so a notebook's figure stays readable.

    >>> t = pd.DataFrame({"taken": pd.to_datetime(["2026-10-01", "2026-11-01"], utc=True),
    ...                   "asof": pd.to_datetime(["2026-10-01", "2026-11-01"]), "certifications": [4, 5],
    ...                   "expired": [1, 2], "expiring": [2, 1], "findings.expired": [1, 2],
    ...                   "issuer.ISACA": [4, 5]}, index=["s1", "s2"])
    >>> [a.get_title() for a in trends_figure(t).axes]
    ['Expired and expiring certifications', 'Findings by rule', 'Certifications per issuer']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from certnb.history.trends import EXPIRING_DAYS, FINDINGS_PREFIX, ISSUER_PREFIX

TOP = 8
"""Lines drawn per panel at most: the rules and issuers with the highest counts in the latest snapshot."""


def trends_figure(trends: pd.DataFrame, path: str | Path | None = None, top: int = TOP) -> Figure:
    """The trends table (`History.trends()`) as a Figure; saved as PNG when `path` is given."""
    figure = Figure(figsize=(9.0, 8.0), layout="constrained")
    expiries, findings, issuers = figure.subplots(3, 1, sharex=True)
    when = trends["taken"].dt.tz_convert("UTC").dt.tz_localize(None)
    expiries.plot(when, trends["expired"], marker="o", color="#c0392b", label="expired")
    expiries.plot(when, trends["expiring"], marker="o", color="#e67e22",
                  label=f"expiring within {EXPIRING_DAYS} days")
    expiries.set_title("Expired and expiring certifications")
    _lines(findings, when, trends, FINDINGS_PREFIX, top, "Findings by rule", "findings")
    _lines(issuers, when, trends, ISSUER_PREFIX, top, "Certifications per issuer", "certifications")
    expiries.set_ylabel("certifications")
    expiries.legend(loc="upper left", fontsize=8)
    issuers.set_xlabel("snapshot taken (UTC)")
    for axes in (expiries, findings, issuers):
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
    if path is not None:
        figure.savefig(Path(path), format="png", dpi=100)
    from certnb.frame.plots import _shown_inline

    _shown_inline()
    return figure


def _lines(axes: Axes, when: pd.Series, trends: pd.DataFrame, prefix: str, top: int, title: str,
           unit: str) -> None:
    columns = [c for c in trends.columns if c.startswith(prefix)]
    latest = trends[columns].iloc[-1] if len(trends) and columns else pd.Series(dtype="int64")
    chosen = latest.sort_values(ascending=False, kind="stable").index[:top].tolist()
    for column in chosen:
        axes.plot(when, trends[column], marker="o", label=column[len(prefix):])
    axes.set_title(title)
    axes.set_ylabel(unit)
    if chosen:
        shown = f" (top {top} of {len(columns)})" if len(columns) > top else ""
        axes.legend(loc="upper left", fontsize=8, title=f"latest counts{shown}",
                    title_fontsize=8)
