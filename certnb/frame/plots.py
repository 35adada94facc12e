"""Charts of a certification frame: expiries per month, a validity timeline, findings by rule (matplotlib).

Each returns the matplotlib `Figure` (Jupyter shows it) and saves it as PNG when `path` is given. They never
call `pyplot.show`, and build figures with `matplotlib.figure.Figure`, so they work on any backend (Agg
in tests and on servers) and leave pyplot's global state alone. Colours come from one palette
(`certnb.frame.palette`): expired, expiring and valid look the same in every chart and report.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "startDate": "2025-01-01", "endDate": "2026-12-12"}]}])
    >>> fig = expiry_histogram(df, asof="2026-11-30")
    >>> fig.axes[0].get_title(), fig.axes[0].get_xlabel()
    ('Certifications expiring per month', 'Month of expiry')
"""

from __future__ import annotations

import math
import sys
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from certnb.frame.audit import RULES, as_day
from certnb.frame.palette import (
    AS_OF_COLOUR,
    SEVERITY_COLOURS,
    SEVERITY_LABELS,
    STATUS_COLOURS,
    STATUS_LABELS,
    STATUSES,
    statuses,
)
from certnb.frame.rule_words import rule_title

__all__ = ["LABEL_POINTS", "expiry_histogram", "findings_by_rule", "month_ticks", "timeline",
           "timeline_label"]

LABEL_POINTS = 9.0
"""Font size of tick labels (points): readable on screen and on paper."""

_ISSUER_COLOURS = ("#2e6fb0", "#ef8f00", "#3a9a5b", "#8e5fb3", "#c2577a", "#5f8a99", "#9e9e9e")
_LABEL_WIDTH = 38  # characters per line of a timeline label
_LABEL_LINES = 2
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 36, 60, 120)


def expiry_histogram(
    frame: pd.DataFrame,
    asof: object = None,
    path: str | Path | None = None,
    months: int | None = None,
    stack: str = "status",
    width: float = 9.0,
) -> Figure:
    """Bars of certifications expiring per month, stacked by status (expired/expiring/valid) or by issuer.

    `months` limits the chart to that many months from `asof`'s month on (default: every month present);
    `stack="issuer"` stacks the five most frequent issuers and the rest; `width` is in inches. Month labels
    thin out to stay readable at any width.
    """
    if stack not in ("status", "issuer"):
        raise ValueError(f"stack must be 'status' or 'issuer'; got {stack!r}")
    day = as_day(asof)
    dated = frame[frame["endDate"].notna()]
    month = dated["endDate"].dt.to_period("M")
    if months is not None:
        index = pd.period_range(day.to_period("M"), periods=months, freq="M")
    elif len(month):
        index = pd.period_range(min(month.min(), day.to_period("M")), month.max(), freq="M")
    else:
        index = pd.period_range(day.to_period("M"), periods=1, freq="M")
    groups, colours = _stack_groups(dated, day, stack)
    counts = pd.crosstab(month, groups).reindex(index=index, columns=list(colours), fill_value=0)
    counts = counts.loc[:, counts.sum() > 0] if counts.to_numpy().sum() else counts.iloc[:, :1]

    figure = Figure(figsize=(width, 3.8), layout="constrained")
    axes = figure.add_subplot()
    bottom = pd.Series(0, index=counts.index)
    positions = list(range(len(index)))
    for name in counts.columns:
        label = STATUS_LABELS.get(name, name) if stack == "status" else name
        axes.bar(positions, counts[name].to_numpy(), bottom=bottom.to_numpy(), color=colours[name],
                 label=label, width=0.8)
        bottom += counts[name]
    ticks, texts = month_ticks(index, width)
    axes.set_xticks(ticks, texts, fontsize=LABEL_POINTS)
    axes.tick_params(axis="y", labelsize=LABEL_POINTS)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(-0.6, len(index) - 0.4)
    if day.to_period("M") in index:
        at = float(index.get_loc(day.to_period("M"))) + (day.day - 1) / day.days_in_month - 0.4  # type: ignore[arg-type]
        axes.axvline(at, color=AS_OF_COLOUR, linestyle="--", linewidth=1,
                     label=f"Audit day {day.date().isoformat()}")
    axes.set_title("Certifications expiring per month")
    axes.set_xlabel("Month of expiry", fontsize=10)
    axes.set_ylabel("Certifications", fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(loc="outside lower center", ncols=max(1, min(4, int(width / 2.2))), fontsize=LABEL_POINTS,
                  frameon=False)
    _save(figure, path)
    _shown_inline()
    return figure


def timeline(
    frame: pd.DataFrame, asof: object = None, path: str | Path | None = None, limit: int = 60
) -> Figure:
    """Each certification's validity as a bar from its start (or issue) date to its expiry, soonest first.

    Bars are coloured by status, those without an expiry date run to the right edge, hatched. At most
    `limit` rows are drawn (the ones expiring closest to `asof`); labels wrap at word boundaries and end
    in "…" only after a whole word (the full text is in the report's tables).
    """
    day = as_day(asof)
    rows = _timeline_rows(frame, day, limit)
    right = max([day + pd.Timedelta(days=365), *rows["end"].dropna()]) if len(rows) else day
    labels = [timeline_label(person, title) for person, title in zip(rows["person"], rows["title"],
                                                                       strict=True)]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    figure = Figure(figsize=(10.0, max(2.8, (0.2 + 0.17 * lines) * len(rows) + 1.6)), layout="constrained")
    axes = figure.add_subplot()
    for position, (begin, end, status) in enumerate(zip(rows["begin"], rows["end"], rows["status"],
                                                        strict=True)):
        stop = end if not pd.isna(end) else right
        axes.barh(position, (stop - begin).days, left=float(date2num(begin)),  # type: ignore[no-untyped-call]
                  color=STATUS_COLOURS[status], hatch="//" if pd.isna(end) else None, height=0.7,
                  edgecolor="white" if pd.isna(end) else None)
    axes.set_yticks(range(len(rows)), labels, fontsize=LABEL_POINTS)
    axes.tick_params(axis="x", labelsize=LABEL_POINTS)
    axes.set_ylim(len(rows) - 0.5, -0.5)  # soonest on top, no empty band above or below
    axes.xaxis_date()
    locator = AutoDateLocator(maxticks=8)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    when = float(date2num(day))  # type: ignore[no-untyped-call]
    axes.axvline(when, color=AS_OF_COLOUR, linestyle="--", linewidth=1)
    shown = [s for s in STATUSES if s in set(rows["status"])]
    handles: list[Any] = [Patch(color=STATUS_COLOURS[s], label=STATUS_LABELS[s]) for s in shown]
    handles.append(Line2D([], [], color=AS_OF_COLOUR, linestyle="--", label=f"Audit day {day.date()}"))
    axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=LABEL_POINTS,
                frameon=False)
    axes.set_title("Certification validity, soonest expiry first")
    axes.set_xlabel("Valid from → expires", fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    _save(figure, path)
    _shown_inline()
    return figure


def rule_colour(rule: str) -> str:
    """A rule's bar colour: an expiry rule's status colour (expired red, expiring amber, whatever their
    severity), else its severity's.

    >>> rule_colour("expiring-90") == STATUS_COLOURS["expiring"]
    True
    """
    if rule == "expired":
        return STATUS_COLOURS["expired"]
    if rule.startswith("expiring-"):
        return STATUS_COLOURS["expiring"]
    return SEVERITY_COLOURS[RULES.get(rule, "info")]


def findings_by_rule(findings: pd.DataFrame, path: str | Path | None = None) -> Figure:
    """Horizontal bars of findings per audit rule, in the audit's rule order, coloured by severity, except the
    expiry rules, which take their status's colour (`rule_colour`) as in every other chart and the report."""
    counts = findings["rule"].value_counts() if len(findings) else pd.Series(dtype="int64")
    order = [r for r in RULES if r in counts.index] + sorted(set(counts.index) - set(RULES))
    figure = Figure(figsize=(8.0, max(2.2, 0.38 * len(order) + 1.2)), layout="constrained")
    axes = figure.add_subplot()
    values = [int(counts[r]) for r in order]
    colours = [rule_colour(r) for r in order]
    axes.barh(range(len(order)), values, color=colours, height=0.65)
    for position, value in enumerate(values):
        axes.annotate(f"{value:,}", (value, position), xytext=(4, 0), textcoords="offset points",
                      va="center", fontsize=LABEL_POINTS)
    axes.set_yticks(range(len(order)), [rule_title(r) for r in order], fontsize=LABEL_POINTS)
    axes.tick_params(axis="x", labelsize=LABEL_POINTS)
    axes.invert_yaxis()
    axes.set_xlim(0, max(values, default=1) * 1.15 + 0.5)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    keys = {SEVERITY_COLOURS["error"]: "Error, or expired", SEVERITY_COLOURS["warning"]: "Warning, or "
            "expiring", SEVERITY_COLOURS["info"]: SEVERITY_LABELS["info"]}
    present = [c for c in keys if c in colours] or [SEVERITY_COLOURS["info"]]
    axes.legend(handles=[Patch(color=c, label=keys[c]) for c in present],
                loc="lower right", fontsize=LABEL_POINTS, frameon=False)
    axes.set_title("Audit findings by rule")
    axes.set_xlabel("Findings", fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    _save(figure, path)
    _shown_inline()
    return figure


def timeline_label(person: str, title: str) -> str:
    """A timeline row's label: "person · title" wrapped at word boundaries, "…" after a whole word if long.

    >>> print(timeline_label("Adele Vance", "Microsoft Certified: Azure Solutions Architect Expert "
    ...                      "and a very long tail of words"))
    Adele Vance · Microsoft Certified:
    Azure Solutions Architect Expert and a …
    """
    lines = textwrap.wrap(f"{person} · {title}", _LABEL_WIDTH, break_long_words=False,
                          break_on_hyphens=False)
    if len(lines) > _LABEL_LINES:
        last = lines[_LABEL_LINES - 1]
        lines = [*lines[: _LABEL_LINES - 1], f"{last} …"]
    return "\n".join(lines)


def _timeline_rows(frame: pd.DataFrame, day: pd.Timestamp, limit: int) -> pd.DataFrame:
    person = frame["userDisplayName"] if "userDisplayName" in frame else frame["userPrincipalName"]
    rows = pd.DataFrame(
        {
            "person": person.fillna(frame["userPrincipalName"]).fillna("(unknown)").astype(str),
            "title": frame["displayName"].fillna("(untitled)").astype(str),
            "begin": frame["startDate"].fillna(frame["issuedDate"]),
            "end": frame["endDate"],
        }
    ).dropna(subset=["begin"])
    far = pd.Timedelta(days=1_000_000)  # no end date: chosen last
    distance = (rows["end"] - day).abs().fillna(far)
    rows = rows.assign(distance=distance).sort_values("distance", kind="stable").head(limit)
    rows = rows.sort_values(["end", "person"], kind="stable", na_position="last")
    return rows.assign(status=statuses(rows["end"], day))


def _stack_groups(dated: pd.DataFrame, day: pd.Timestamp, stack: str) -> tuple[pd.Series, dict[str, str]]:
    if stack == "status":
        return statuses(dated["endDate"], day), {s: STATUS_COLOURS[s] for s in STATUSES[:3]}
    issuer = dated["issuingCompany"].fillna(dated["issuingAuthority"]).fillna("(no issuer)").astype(str)
    top = issuer.value_counts().index[:5].tolist()
    grouped = issuer.where(issuer.isin(top), "Other issuers")
    names = [*top, "Other issuers"]
    return grouped, dict(zip(names, _ISSUER_COLOURS, strict=False))


def month_ticks(index: pd.PeriodIndex, width: float) -> tuple[list[int], list[str]]:
    """Positions and labels of the month ticks: every 1, 2, 3, 6, 12… months so that they fit `width` inches.

    Ticks fall on months a step divides (Jan, Apr, Jul, Oct for 3), so they read as a calendar; a month
    label carries its year on January and on the first tick; yearly ticks show the year alone.

    >>> month_ticks(pd.period_range("2026-11", periods=4, freq="M"), width=9)
    ([0, 1, 2, 3], ['Nov\\n2026', 'Dec', 'Jan\\n2027', 'Feb'])
    >>> month_ticks(pd.period_range("2020-08", "2028-10", freq="M"), width=5)[1]
    ['2021', '2022', '2023', '2024', '2025', '2026', '2027', '2028']
    """
    fits = max(1, int(width / 0.55))  # a 9 pt "Sep" or "2027" and some air
    step = next((s for s in _MONTH_STEPS if math.ceil(len(index) / s) <= fits), _MONTH_STEPS[-1])
    if step < 12:
        ticks = [i for i, m in enumerate(index) if (m.month - 1) % step == 0] or [0]
        texts = [f"{index[i]:%b}\n{index[i]:%Y}" if n == 0 or index[i].month == 1 else f"{index[i]:%b}"
                 for n, i in enumerate(ticks)]
        return ticks, texts
    years = step // 12
    ticks = [i for i, m in enumerate(index) if m.month == 1 and m.year % years == 1 % years] or [0]
    return ticks, [f"{index[i]:%Y}" for i in ticks]


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
