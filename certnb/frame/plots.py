"""Charts of a certification frame: expiries per month and a validity timeline (matplotlib).

Both return the matplotlib `Figure` (Jupyter shows it) and save it as PNG when `path` is given. They never
call `pyplot.show`, and build figures with `matplotlib.figure.Figure`, so they work on any backend (Agg
in tests and on servers) and leave pyplot's global state alone.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "startDate": "2025-01-01", "endDate": "2026-12-12"}]}])
    >>> fig = expiry_histogram(df, asof="2026-11-30")
    >>> fig.axes[0].get_title()
    'Certifications ending per month'
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from certnb.frame.audit import as_day


def expiry_histogram(
    frame: pd.DataFrame, asof: object = None, path: str | Path | None = None, months: int | None = None
) -> Figure:
    """Bars of certifications ending per month; months before `asof` in grey, a line at `asof`.

    `months` limits the chart to that many months from `asof`'s month on (default: every month present).
    """
    day = as_day(asof)
    end = frame["endDate"].dropna()
    months_of = end.dt.to_period("M")
    counts = months_of.value_counts().sort_index()
    if counts.empty:
        index = pd.period_range(day.to_period("M"), periods=1, freq="M")
    else:
        index = pd.period_range(min(counts.index.min(), day.to_period("M")), counts.index.max(), freq="M")
    if months is not None:
        index = pd.period_range(day.to_period("M"), periods=months, freq="M")
    counts = counts.reindex(index, fill_value=0)
    figure = Figure(figsize=(max(6.0, len(index) * 0.25), 3.5), layout="constrained")
    axes = figure.add_subplot()
    colours = ["#b0b0b0" if month < day.to_period("M") else "#3b75af" for month in counts.index]
    positions = range(len(counts))
    axes.bar(positions, counts.to_numpy(), color=colours)
    labels = [str(m) for m in counts.index]
    step = max(1, len(labels) // 24)
    axes.set_xticks(list(positions)[::step], labels[::step], rotation=90, fontsize=7)
    if day.to_period("M") in counts.index:
        axes.axvline(
            counts.index.get_loc(day.to_period("M")) - 0.5,
            color="#c0392b",
            linestyle="--",
            label=f"as of {day.date().isoformat()}",
        )
        axes.legend(loc="upper right", fontsize=8)
    axes.set_title("Certifications ending per month")
    axes.set_ylabel("certifications")
    _save(figure, path)
    _shown_inline()
    return figure


def timeline(
    frame: pd.DataFrame, asof: object = None, path: str | Path | None = None, limit: int = 60
) -> Figure:
    """Each certification's validity as a bar from start (or issue) to end date, grouped by user.

    Certifications without an end date run to the right edge, hatched; at most `limit` rows are drawn
    (those ending soonest after `asof` first), so the chart stays readable in a notebook.
    """
    day = as_day(asof)
    begin = frame["startDate"].fillna(frame["issuedDate"])
    rows = pd.DataFrame(
        {
            "user": frame["userPrincipalName"].fillna("(unknown)"),
            "name": frame["displayName"].fillna("(untitled)"),
            "begin": begin,
            "end": frame["endDate"],
        }
    ).dropna(subset=["begin"])
    rows = (
        rows.assign(order=(rows["end"] - day).abs()).sort_values(["order", "user"], kind="stable").head(limit)
    )
    rows = rows.sort_values(["user", "begin"], kind="stable")
    right = max([day + pd.Timedelta(days=365), *rows["end"].dropna()]) if len(rows) else day
    figure = Figure(figsize=(9.0, max(2.5, 0.22 * len(rows) + 1)), layout="constrained")
    axes = figure.add_subplot()
    users: list[Any] = rows["user"].tolist()
    names: list[Any] = rows["name"].tolist()
    begins: list[Any] = rows["begin"].tolist()
    ends: list[Any] = rows["end"].tolist()
    for position, (begin, end) in enumerate(zip(begins, ends, strict=True)):
        stop = end if not pd.isna(end) else right
        colour = (
            "#b0b0b0" if stop < day else ("#e67e22" if stop <= day + pd.Timedelta(days=90) else "#3b75af")
        )
        axes.barh(
            position,
            (stop - begin).days,
            left=float(date2num(begin)),  # type: ignore[no-untyped-call]
            color=colour,
            hatch="//" if pd.isna(end) else None,
        )
    labels = [f"{user.split('@')[0]} · {name[:40]}" for user, name in zip(users, names, strict=True)]
    axes.set_yticks(range(len(rows)), labels, fontsize=7)
    axes.invert_yaxis()
    axes.xaxis_date()
    when = float(date2num(day))  # type: ignore[no-untyped-call]
    axes.axvline(when, color="#c0392b", linestyle="--", label=f"as of {day.date().isoformat()}")
    axes.legend(loc="lower right", fontsize=8)
    axes.set_title("Certification validity")
    _save(figure, path)
    _shown_inline()
    return figure


def _shown_inline() -> None:
    """Let Jupyter draw a returned Figure as a PNG even before pyplot or `%matplotlib inline` ran.

    A `Figure` built without pyplot has no display formatter until the inline backend registers one; this
    registers the PNG formatter (for Figure only, as `%matplotlib inline` does) when an IPython shell runs.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    if Figure not in formatter.type_printers:
        from IPython.core.pylabtools import select_figure_formats

        select_figure_formats(shell, {"png"})  # type: ignore[no-untyped-call]


def _save(figure: Figure, path: str | Path | None, **options: Any) -> None:
    if path is not None:
        figure.savefig(Path(path), format="png", dpi=100, **options)
