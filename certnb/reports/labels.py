"""What a manager reads in a report: column labels, dates as dates, Graph's names put in people's words.

Certification columns keep the labels the forms and the grid use (`certnb.schema.LABELS`: "Expires",
"Issuing company"); the report's own columns are named here.

    >>> label("endDate"), label("days_left"), label("severity")
    ('Expires', 'Days left', 'Severity')
    >>> day_text(pd.Timestamp("2020-08-04"))
    '4 Aug 2020'
    >>> in_words("endDate 2020-08-04 vs startDate 2021-08-04")
    'Expires 4 Aug 2020 vs Valid from 4 Aug 2021'
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from certnb.schema import FIELDS_BY_COLUMN, LABELS, is_missing

__all__ = ["DATE_EXCEL_FORMAT", "REPORT_LABELS", "day_text", "in_words", "label", "sentence", "value_text"]

REPORT_LABELS: dict[str, str] = {
    "userDisplayName": "Person",
    "displayName": "Certification",
    "issuingCompany": "Issuer",
    "rule": "Finding",
    "severity": "Severity",
    "field": "Field",
    "value": "Value",
    "detail": "What is wrong",
    "fix": "How to fix it",
    "suggested": "Suggested value",
    "explanation": "What it means",
    "count": "Findings",
    "before_count": "Before the correction",
    "after_count": "After the correction",
    "days_left": "Days left",
    "days_overdue": "Days since expiry",
    "status": "Status",
    "before": "Before",
    "after": "After",
    "outcome": "Outcome",
    "next_step": "What to do next",
    "reason": "Reason",
    "staged_by": "Staged by",
    "committed_by": "Committed by",
}
"""Labels of the report's columns where they differ from the forms' (`certnb.schema.LABELS`)."""

DATE_EXCEL_FORMAT = "d mmm yyyy"
"""How a report workbook shows a date cell (the cell holds a real date: sorting and filters work)."""

# camelCase names only: "id" or "sources" in a sentence are plain words.
_CAMEL = sorted((c for c in LABELS if "." not in c and c != c.lower()), key=len, reverse=True)
_GRAPH_NAMES = re.compile(r"\b(" + "|".join(map(re.escape, _CAMEL)) + r")\b")
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def label(column: str) -> str:
    """The header a report shows for `column`."""
    return REPORT_LABELS.get(column) or LABELS.get(column, column)


def day_text(value: Any) -> str:
    """A date as people write it, "4 Aug 2020" (unambiguous in every locale); empty for no date."""
    if is_missing(value):
        return ""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def in_words(text: str) -> str:
    """A finding's text with Graph's property names as their labels and ISO days as dates."""
    named = _GRAPH_NAMES.sub(lambda m: LABELS[m[1]], text)
    return _ISO_DAY.sub(lambda m: _day_or_same(m[0]), named)


def sentence(text: Any) -> str:
    """`in_words(text)` starting with a capital letter ("renew it" → "Renew it"); empty for no text."""
    if is_missing(text) or not str(text).strip():
        return ""
    words = in_words(str(text).strip())
    return words[:1].upper() + words[1:]


def value_text(value: Any, field: str | None = None) -> str:
    """A cell's value as a table shows it: dates as dates (also a date field's wire text), lists joined."""
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp | dt.date):
        return day_text(value)
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in FIELDS_BY_COLUMN and FIELDS_BY_COLUMN[field].kind == "date" and isinstance(value, str):
        return _day_or_same(value)
    return str(value)


def _day_or_same(text: str) -> str:
    try:
        return day_text(pd.Timestamp(text))
    except ValueError:
        return text
