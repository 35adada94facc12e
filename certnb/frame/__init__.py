"""Certifications as typed DataFrames: build and load them, audit them, round-trip them via spreadsheets.

Importing this package registers the `df.certs` accessor (certnb.frame.accessor).

    >>> from certnb.frame import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [{"id": "c1", "endDate": "2026-06-30"}]}])
    >>> df.certs.expired(asof="2026-11-30")["id"].tolist()
    ['c1']
"""

from __future__ import annotations

from certnb.errors import Unreadable
from certnb.frame.accessor import CertsAccessor
from certnb.frame.audit import FINDING_COLUMNS, RULES, audit, expired, expiring
from certnb.frame.build import build_frame, build_from_records
from certnb.frame.changes import read_edits
from certnb.frame.layout import BOOKKEEPING_COLUMN, Layout
from certnb.frame.load import PartialLoadWarning, load_certifications, load_failures
from certnb.frame.records import to_records
from certnb.frame.sheet_edits import SheetEdits
from certnb.frame.spreadsheet import SHEET_COLUMNS, read_sheet, to_csv, to_excel, write_tables
from certnb.frame.summary import summary

__all__ = [
    "BOOKKEEPING_COLUMN",
    "FINDING_COLUMNS",
    "RULES",
    "SHEET_COLUMNS",
    "CertsAccessor",
    "Layout",
    "PartialLoadWarning",
    "SheetEdits",
    "Unreadable",
    "audit",
    "build_frame",
    "build_from_records",
    "expired",
    "expiring",
    "load_certifications",
    "load_failures",
    "read_edits",
    "read_sheet",
    "summary",
    "to_csv",
    "to_excel",
    "to_records",
    "write_tables",
]
