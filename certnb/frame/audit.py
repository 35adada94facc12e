"""The certification audit: rules over a certification frame, giving one findings table.

Every rule is a pure function of the frame and `asof` (the day the audit is for), so the same frame and the
same `asof` always give the same findings, sorted the same way. The rules live by kind: dates
(`certnb.frame.date_rules`), records (`certnb.frame.record_rules`), issuer spellings
(`certnb.frame.spelling`), the catalogue (`certnb.frame.catalogue_rules`) and owners
(`certnb.frame.owner_rules`); this module runs them over one factorisation of the frame's text columns
(`certnb.frame.distinct`) and writes the findings in report order (`certnb.frame.order`: from the rows
each finding is about, so no finding's text is sorted).

    >>> import json
    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-06-30", "certificationId": "X1"}]}])
    >>> audit(df, asof="2026-11-30")[["rule", "severity", "id"]].values.tolist()
    [['expired', 'error', 'c1']]

Rules (`RULES`): expired; expiring within 30, 60 or 90 days; a missing end date where most other holders
of the same certification have one; end before start or issue date; start after issue date; the same
certification twice for one user; an issuer spelled several ways (clustered: certnb.frame.spelling); from
the reference catalogue (certnb.frame.catalogue_rules): an unknown issuer, a title that is another name of a
catalogue title or awarded by another issuer, an exam code as the title, a `webUrl` on none of the issuer's
sites, an end date unusual for the certification's validity; a missing certificationId; URLs that are not
absolute http(s) URLs; and, where items carry `sources`, the same certification from two sources with
different values, and a suggested or staged fix of a value another system owns (`certnb.frame.owner_rules`).
"""

from __future__ import annotations

from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from pandas._libs import lib

from certnb.catalogue import Catalogue, default_catalogue
from certnb.frame.catalogue_rules import CATALOGUE_RULES, catalogue_findings
from certnb.frame.date_rules import (
    DATE_RULES,
    as_day,
    date_order_findings,
    expired,
    expiring,
    expiry_findings,
    missing_end_findings,
    with_dates,
)
from certnb.frame.distinct import DistinctColumns
from certnb.frame.findings import COLUMNS as FINDING_TABLE_COLUMNS
from certnb.frame.findings import ROW
from certnb.frame.issuers import issuer_groups, issuer_key
from certnb.frame.order import RowOrder
from certnb.frame.owner_rules import OWNER_RULES, disagreeing_sources, owned_suggestions, staged_owned_fixes
from certnb.frame.owners import Ownership
from certnb.frame.record_rules import (
    RECORD_RULES,
    certification_id_findings,
    duplicate_findings,
    duplicate_keys,
    key_codes,
    shared_certifications,
    url_findings,
)
from certnb.frame.spelling import ISSUER_FIELDS, issuer_spelling, spellings
from certnb.schema import TEXT_DTYPE

# The audit's helpers, importable from here as from their modules: the audit day and its selections
# (date_rules), what makes two records one certification (record_rules), and issuer names (issuers).
__all__ = [
    "FINDING_COLUMNS",
    "REQUIRED_COLUMNS",
    "RULES",
    "SEVERITY_ORDER",
    "as_day",
    "audit",
    "duplicate_keys",
    "expired",
    "expiring",
    "issuer_groups",
    "issuer_key",
    "with_dates",
]

FINDING_COLUMNS: tuple[str, ...] = FINDING_TABLE_COLUMNS
"""Columns of the findings table: `field`/`value` name the cell at fault, `suggested` a value to stage."""

RULES: dict[str, str] = {
    **DATE_RULES,
    "duplicate": RECORD_RULES["duplicate"],
    "issuer-spelling": "info",
    **CATALOGUE_RULES,
    "missing-certification-id": RECORD_RULES["missing-certification-id"],
    "bad-url": RECORD_RULES["bad-url"],
    **OWNER_RULES,
}
"""Rule name → severity (`error`, `warning`, `info`), in report order."""

SEVERITY_ORDER = ("error", "warning", "info")


REQUIRED_COLUMNS: tuple[str, ...] = (
    "userId",
    "userPrincipalName",
    "id",
    "displayName",
    "issuingCompany",
    "issuingAuthority",
    "certificationId",
    "issuedDate",
    "startDate",
    "endDate",
    "webUrl",
    "thumbnailUrl",
)
"""The columns the audit reads; `certnb.frame.accessor` checks for them."""


def audit(frame: pd.DataFrame, asof: object = None, staged: Any = None,
          catalogue: Catalogue | None = None) -> pd.DataFrame:
    """Every rule over `frame`, as a findings table (`FINDING_COLUMNS`), sorted by severity, rule and user.

    `staged` (a `certnb.Staged`, or a table with userId, id, field, after) adds an `owned-fix` finding for
    each staged edit of a value another system owns. `catalogue` is the reference catalogue the issuer and
    title rules use (default: the shipped one, `certnb.catalogue.load_catalogue(...)` extends it with your
    own files).

    >>> audit(pd.DataFrame(columns=list(REQUIRED_COLUMNS)), "2026-11-30").empty
    True
    """
    day = as_day(asof)
    frame = with_dates(frame)
    chosen = default_catalogue() if catalogue is None else catalogue
    findings: list[dict[str, Any]] = []
    tables: list[pd.DataFrame] = []
    cells = DistinctColumns(frame)
    keys = duplicate_keys(frame, cells)
    codes = key_codes(cells)
    shared = shared_certifications(frame, keys, codes)
    for found in chain(expiry_findings(frame, day), missing_end_findings(frame, keys, codes["title"]),
                       date_order_findings(frame, day), duplicate_findings(frame, shared),
                       certification_id_findings(frame, cells), url_findings(frame, cells)):
        if isinstance(found, pd.DataFrame):
            tables.append(found)
        else:
            findings.append(found)
    # Owners are asked about only for rows some source owns (suggestions, staged edits) and rows sharing a
    # certification (sources-disagree): index those.
    asked = shared | frame["ownedBy"].notna().to_numpy(dtype=bool) if "ownedBy" in frame.columns else None
    ownership = Ownership(frame, rows=asked)
    if "sources" in frame.columns:
        findings.extend(disagreeing_sources(frame, keys, ownership, shared))
    tables = [_as_records([*tables, pd.DataFrame(findings, columns=[*FINDING_COLUMNS, ROW])])]
    variants = {field: spellings(cells[field], chosen) for field in ISSUER_FIELDS}
    tables += [t for t in issuer_spelling(frame, chosen, RULES["issuer-spelling"], variants, cells) if len(t)]
    tables += [t for t in catalogue_findings(frame, chosen, variants, cells) if len(t)]
    tables = [t for t in tables if len(t)] or tables[:1]
    rows = RowOrder(frame)
    if "sources" in frame.columns:
        tables = _with_owned_fixes(frame, tables, staged, ownership, rows)
    columns = rows.in_order(tables, {r: i for i, r in enumerate(RULES)}, SEVERITY_ORDER)
    # The text columns made from the cells in place (no copies: a million findings' cells are the cost).
    text = {c: pd.array(columns[c], dtype=TEXT_DTYPE, copy=False) for c in FINDING_COLUMNS
            if c not in ("value", "suggested")}
    return pd.DataFrame({c: text.get(c, columns[c]) for c in FINDING_COLUMNS}, copy=False)


def _with_owned_fixes(frame: pd.DataFrame, tables: list[pd.DataFrame], staged: Any, ownership: Ownership,
                      rows: RowOrder) -> list[pd.DataFrame]:
    """The findings `tables` and, after them, an `owned-fix` finding for each suggestion (and staged edit)
    on a value another system owns, those suggestions' `fix` saying where to fix it instead
    (`certnb.frame.owner_rules`)."""
    if not ownership:
        return tables
    # Where no id is twice, a row is owned by its own `ownedBy` alone: only such rows' suggestions are asked.
    owned_rows = frame["ownedBy"].notna().to_numpy(dtype=bool) if rows.unique_ids and (
        "ownedBy" in frame.columns) else None
    amended, owned = [], []
    for table in tables:
        table, found = owned_suggestions(table, ownership, owned_rows)
        amended.append(table)
        owned += [found] if len(found) else []
    edits = list(staged_owned_fixes(frame, staged, ownership))
    if owned:
        found = owned[0] if len(owned) == 1 else pd.concat(owned, ignore_index=True)
        amended.append(_typed_like_records(found.astype(object)))
    if edits:
        amended.append(pd.DataFrame(edits, columns=[*FINDING_COLUMNS, ROW]))
    return amended


def _as_records(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The column-wise rules' tables as one, its `value` and `suggested` typed as a table made from one
    record per finding would type them (a column of dates alone becomes datetimes, NaT where empty): the
    findings stay what they were when these rules made a dict per finding."""
    found = [t for t in tables if len(t)]
    if not found:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, ROW])
    table = found[0] if len(found) == 1 else pd.concat(found, ignore_index=True)
    return _typed_like_records(table.astype(object))


def _typed_like_records(table: pd.DataFrame) -> pd.DataFrame:
    # The two conversions pandas applies to a column of a table made from records (DataFrame(list of
    # dicts): pandas.core.internals.construction.convert_object_array), without making the records.
    for column in ("value", "suggested"):
        # Every missing cell as None first, as those rules wrote it (a column-wise table may hold NaT).
        cells = table[column].to_numpy(dtype=object, copy=True)
        cells[pd.isna(cells)] = None
        cells = lib.maybe_convert_objects(cells)  # type: ignore[attr-defined]
        if cells.dtype == np.dtype("O"):
            cells = lib.maybe_convert_objects(  # type: ignore[attr-defined]
                cells, convert_numeric=False, convert_non_numeric=True,
                                              dtype_if_all_nat=np.dtype("M8[s]"))
        table[column] = cells
    return table
