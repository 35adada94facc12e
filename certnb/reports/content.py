"""What a report says, independent of its format: the headline numbers and the sections with their tables.

`report_content` turns a frame, its audit and (optionally) a commit result into a `ReportContent`; the HTML
page (html.py) and the workbook (workbook.py) each render the same content, so they never disagree.
Tables keep values typed (dates are Timestamps, counts ints) and columns by name; renderers label them.

    >>> from certnb.frame.build import build_frame
    >>> from certnb.frame.audit import audit
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "certificationId": "1", "endDate": "2026-12-12"}]}])
    >>> content = report_content(df, audit(df, "2026-11-30"), asof="2026-11-30")
    >>> [s.key for s in content.sections]
    ['rules', 'expired', 'expiring', 'findings']
    >>> content.section("expiring").table[["displayName", "days_left"]].values.tolist()
    [['AZ-104', 12]]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from certnb.frame.audit import RULES, as_day, expired, expiring
from certnb.frame.palette import EXPIRING_DAYS, SEVERITY_LABELS
from certnb.frame.rule_words import rule_sentence, rule_title
from certnb.reports.change_log import change_log
from certnb.reports.labels import sentence

__all__ = ["ROW_COLUMNS", "Card", "ReportContent", "Section", "report_content"]

ROW_COLUMNS: tuple[str, ...] = ("userDisplayName", "userPrincipalName", "displayName", "issuingCompany",
                                "endDate")
"""The certification columns the expired and expiring tables show."""

TONE_OF_SEVERITY = {"error": "expired", "warning": "expiring", "info": "valid"}
"""Findings share the palette's hues (`certnb.frame.palette`): error red, warning amber, info blue."""

_DATED_RULES = frozenset({"expired", "expiring-30", "expiring-60", "expiring-90"})


@dataclass(frozen=True)
class Card:
    """One headline number: its label, the number, and the palette tone it is shown in (or None)."""

    label: str
    value: int
    tone: str | None = None


@dataclass(frozen=True)
class Section:
    """One part of a report: a sheet of the workbook, a heading of the page.

    `table` has typed values under column names (`certnb.reports.labels.label` names them); `tones` is a
    palette status per row (`expired`, `expiring`, `valid`) or None for no highlight.
    """

    key: str
    title: str
    intro: str
    table: pd.DataFrame
    tones: Sequence[str | None] = ()
    date_columns: tuple[str, ...] = ()
    page_columns: tuple[str, ...] = ()

    @property
    def shown_on_page(self) -> list[str]:
        """The columns the HTML page shows (`page_columns`, default all): the workbook has every column."""
        return [c for c in self.page_columns if c in self.table] or list(self.table.columns)


@dataclass(frozen=True)
class ReportContent:
    """A report's content: who and when, the headline cards, the sections, and the data the charts draw."""

    tenant: str
    asof: pd.Timestamp
    account: str | None
    cards: tuple[Card, ...]
    sections: tuple[Section, ...]
    frame: pd.DataFrame
    findings: pd.DataFrame
    notes: tuple[str, ...] = ()
    generated: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))

    def section(self, key: str) -> Section:
        """The section called `key` (KeyError naming the sections otherwise)."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"no section {key!r}; sections are: {', '.join(s.key for s in self.sections)}")


def report_content(
    frame: pd.DataFrame,
    findings: pd.DataFrame,
    result: Any = None,
    *,
    asof: object = None,
    findings_after: pd.DataFrame | None = None,
    tenant: str | None = None,
    account: str | None = None,
    notes: Sequence[str] = (),
) -> ReportContent:
    """The content of a report on `frame` and its audit `findings` as of `asof` (default today).

    `result` (a `CommitResult`) adds the change log; `findings_after` (the audit of the tenant read back
    after the commit) adds an "after" count per rule next to the "before" one; `notes` are sentences shown
    under the headline numbers (what was checked, by whom).
    """
    day = as_day(asof)
    lapsed, soon = expired(frame, day), expiring(frame, EXPIRING_DAYS, day)
    severities = findings["severity"].value_counts() if len(findings) else pd.Series(dtype="int64")
    cards = [
        Card("People", int(frame["userId"].nunique()) if len(frame) else 0),
        Card("Certifications", len(frame)),
        Card("Expired", len(lapsed), "expired" if len(lapsed) else None),
        Card(f"Expiring within {EXPIRING_DAYS} days", len(soon), "expiring" if len(soon) else None),
        *(Card(f"{SEVERITY_LABELS[s]}s", int(severities.get(s, 0))) for s in ("error", "warning", "info")),
    ]
    sections = [
        _rules(findings, findings_after),
        _certifications("expired", "Expired certifications", lapsed, day, "expired",
                        "Certifications whose expiry date has passed, most recently expired first."),
        _certifications("expiring", f"Expiring within {EXPIRING_DAYS} days", soon, day, "expiring",
                        "Certifications that expire soon, soonest first: their holders should renew them."),
        _findings(findings),
    ]
    if result is not None:
        records = list(result)
        staged = getattr(result, "staged", None)
        log = change_log(records, staged.rows if staged is not None else None)
        done = sum(1 for r in records if r.outcome.done)
        cards.append(Card("Changes applied", done, "valid" if done == len(records) else "expiring"))
        sections.append(Section(
            "changes", "Changes made", f"What the correction changed in Graph: {result.summary()}. Each line "
            "shows the value before and after; the ones needing attention come first.", log,
            [None if o in ("Applied", "Already applied") else "expired" for o in log["outcome"]]))
    return ReportContent(
        tenant=tenant or "tenant", asof=day, account=account, cards=tuple(cards), sections=tuple(sections),
        frame=frame, findings=findings, notes=tuple(notes),
    )


def _rules(before: pd.DataFrame, after: pd.DataFrame | None) -> Section:
    counts = before["rule"].value_counts() if len(before) else pd.Series(dtype="int64")
    later = after["rule"].value_counts() if after is not None and len(after) else pd.Series(dtype="int64")
    present = set(counts.index) | set(later.index)
    order = [r for r in RULES if r in present] + sorted(present - set(RULES))
    table = pd.DataFrame({
        "rule": [rule_title(r) for r in order],
        "severity": [SEVERITY_LABELS.get(RULES.get(r, "info"), "Note") for r in order],
        "explanation": [rule_sentence(r) for r in order],
        "before_count" if after is not None else "count": [int(counts.get(r, 0)) for r in order],
    })
    if after is not None:
        table["after_count"] = [int(later.get(r, 0)) for r in order]
    intro = "How many findings each audit rule raised, and what the rule means."
    if after is not None:
        intro += " “Before” is the tenant as loaded, “after” as read back from Graph after the correction."
    return Section("rules", "Findings by rule", intro, table,
                   [TONE_OF_SEVERITY.get(RULES.get(r, "info")) for r in order])


def _certifications(key: str, title: str, rows: pd.DataFrame, day: pd.Timestamp, tone: str,
                    intro: str) -> Section:
    table = pd.DataFrame({c: rows[c] for c in ROW_COLUMNS if c in rows}).reset_index(drop=True)
    days: list[int] = (rows["endDate"] - day).dt.days.astype("int64").tolist() if len(rows) else []
    if key == "expired":
        table = table.assign(days_overdue=[-int(d) for d in days]).iloc[::-1].reset_index(drop=True)
    else:
        table = table.assign(days_left=[int(d) for d in days])
    return Section(key, f"{title} ({len(table)})", intro, table.astype({"endDate": "datetime64[us]"}),
                   [tone] * len(table), ("endDate",))


def _findings(findings: pd.DataFrame) -> Section:
    shown = findings[~findings["rule"].isin(_DATED_RULES)] if len(findings) else findings
    table = pd.DataFrame({
        "severity": [SEVERITY_LABELS.get(s, s) for s in shown["severity"]],
        "rule": [rule_title(r) for r in shown["rule"]],
        "userPrincipalName": shown["userPrincipalName"].to_numpy(dtype=object),
        "displayName": shown["displayName"].to_numpy(dtype=object),
        "field": [sentence(f) for f in shown["field"]],
        "value": shown["value"].to_numpy(dtype=object),
        "detail": [sentence(d) for d in shown["detail"]],
        "fix": [sentence(f) for f in shown["fix"]],
        "suggested": shown["suggested"].to_numpy(dtype=object),
    })
    return Section("findings", f"Other findings to review ({len(table)})",
                   "Every finding besides expiry (listed above), most severe first, and what to do about it.",
                   table, [TONE_OF_SEVERITY.get(s) for s in shown["severity"]],
                   page_columns=("severity", "rule", "userPrincipalName", "displayName", "detail", "fix"))
