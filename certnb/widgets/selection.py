"""Which certifications the picker shows: filter criteria, their options, pages, and each row's staged state.

Plain functions over the frame (no widgets), so the picker's logic is tested without a browser.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "issuingAuthority": "Microsoft", "endDate": "2026-12-12"},
    ...     {"id": "c2", "displayName": "CISSP", "issuingAuthority": "ISC2", "endDate": "2029-01-31"}]}])
    >>> pick(df, Criteria(expiring_within=30), asof="2026-11-30")["id"].tolist()
    ['c1']
    >>> pick(df, Criteria(issuer="isc2"))["id"].tolist()
    ['c2']
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from certnb.frame.audit import expiring
from certnb.schema import TEXT_DTYPE, is_missing

if TYPE_CHECKING:
    from certnb.staging import Staged

__all__ = [
    "ISSUER_COLUMNS",
    "PAGE_SIZE",
    "Criteria",
    "issuers",
    "page_count",
    "page_of",
    "pick",
    "row_caption",
    "rules_found",
    "staged_fields",
    "users",
]

PAGE_SIZE = 50  # rows per picker page: a <select> of thousands of options is slow to render and to scroll
ISSUER_COLUMNS = ("issuingAuthority", "issuingCompany")


@dataclass(frozen=True)
class Criteria:
    """What to show: every given criterion must hold (None = any).

    `user` matches a user id exactly or part of a UPN / display name, case-insensitively; `issuer` is an
    issuing authority or company, case-insensitively; `expiring_within` is days from `asof`; `finding` an
    audit rule name (`certnb.frame.audit.RULES`).

    >>> Criteria(user="adele", expiring_within=90)
    Criteria(user='adele', issuer=None, expiring_within=90, finding=None)
    """

    user: str | None = None
    issuer: str | None = None
    expiring_within: int | None = None
    finding: str | None = None


def pick(
    frame: pd.DataFrame, criteria: Criteria, asof: object = None, findings: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rows of `frame` meeting `criteria`, in frame order.

    `findings` is the audit table (`df.certs.audit(asof)`); it is computed here when a `finding` criterion is
    given without it (pass it in to audit a large frame once, not on every filter change).
    """
    mask = pd.Series(True, index=range(len(frame)))
    if criteria.user:
        wanted = criteria.user.strip().casefold()
        ids = frame["userId"].astype(TEXT_DTYPE).str.casefold()
        upns = frame["userPrincipalName"].astype(TEXT_DTYPE).str.casefold()
        names = _column(frame, "userDisplayName").str.casefold()
        hit = ids == wanted
        hit |= upns.str.contains(wanted, regex=False) | names.str.contains(wanted, regex=False)
        mask &= hit.fillna(False).to_numpy(dtype=bool)
    if criteria.issuer:
        wanted = criteria.issuer.strip().casefold()
        hit = pd.Series(False, index=frame.index)
        for column in ISSUER_COLUMNS:
            hit |= (_column(frame, column).str.strip().str.casefold() == wanted).fillna(False)
        mask &= hit.to_numpy(dtype=bool)
    if criteria.expiring_within is not None:
        soon = expiring(frame.reset_index(drop=True), criteria.expiring_within, asof)
        mask &= mask.index.isin(soon.index)
    if criteria.finding:
        table = findings if findings is not None else frame.certs.audit(asof)
        flagged = table.loc[table["rule"] == criteria.finding, ["userId", "id"]]
        keys = set(zip(flagged["userId"].astype(str), flagged["id"].astype(str), strict=True))
        row_keys = zip(frame["userId"].astype(str), frame["id"].astype(str), strict=True)
        mask &= pd.Series([key in keys for key in row_keys], index=mask.index)
    return frame[mask.to_numpy(dtype=bool)]


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype=TEXT_DTYPE)
    return frame[column].astype(TEXT_DTYPE)


def users(frame: pd.DataFrame) -> list[str]:
    """The UPNs in the frame, sorted case-insensitively (the picker's user choices)."""
    names = {str(u) for u in frame["userPrincipalName"].tolist() if not is_missing(u)}
    return sorted(names, key=str.casefold)


def issuers(frame: pd.DataFrame) -> list[str]:
    """Every issuing authority and company spelling in the frame, sorted case-insensitively."""
    names: set[str] = set()
    for column in ISSUER_COLUMNS:
        if column in frame:
            values = (str(v).strip() for v in frame[column].tolist() if not is_missing(v))
            names.update(v for v in values if v)
    return sorted(names, key=str.casefold)


def rules_found(findings: pd.DataFrame) -> list[str]:
    """The audit rules with at least one finding, in the audit's report order."""
    return list(dict.fromkeys(str(rule) for rule in findings["rule"].tolist()))


def page_count(rows: int, size: int = PAGE_SIZE) -> int:
    """Pages needed for `rows` rows (at least one, so an empty result still has a page 1).

    >>> page_count(0), page_count(50), page_count(51)
    (1, 1, 2)
    """
    return max(1, math.ceil(rows / size))


def page_of(frame: pd.DataFrame, page: int, size: int = PAGE_SIZE) -> pd.DataFrame:
    """Page `page` (0-based, clamped to the last page) of `frame`."""
    last = page_count(len(frame), size) - 1
    page = min(max(page, 0), last)
    return frame.iloc[page * size:(page + 1) * size]


def staged_fields(staged: Staged | None) -> dict[tuple[str, str], tuple[str, ...]]:
    """The staged fields of every edited certification, by (userId, id), in staging order."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for edit in staged or ():
        found[edit.row_key] = (*found.get(edit.row_key, ()), edit.field)
    return found


def row_caption(row: Mapping[str, Any], staged: Mapping[tuple[str, str], Iterable[str]]) -> str:
    """One line describing a certification for the picker list, ending with its staged fields if any.

    >>> row_caption({"userId": "u1", "id": "c1", "userPrincipalName": "adele@x", "displayName": "AZ-104",
    ...              "issuingAuthority": "Microsoft", "endDate": pd.Timestamp("2026-12-31")},
    ...             {("u1", "c1"): ("endDate",)})
    'adele@x · AZ-104 · Microsoft · ends 2026-12-31 · staged: endDate'
    """
    def text(value: Any) -> str:
        return "—" if is_missing(value) else str(value)

    end = row.get("endDate")
    ends = "no end date" if end is None or is_missing(end) else f"ends {pd.Timestamp(end).date().isoformat()}"
    issuer = row.get("issuingAuthority")
    if is_missing(issuer):
        issuer = row.get("issuingCompany")
    parts = [text(row.get("userPrincipalName")), text(row.get("displayName")), text(issuer), ends]
    fields = tuple(staged.get((str(row.get("userId")), str(row.get("id"))), ()))
    if fields:
        parts.append("staged: " + ", ".join(fields))
    return " · ".join(parts)
