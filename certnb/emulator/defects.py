"""The audit cases planted in synthetic tenants, at low rates: broken dates, ids and URLs, issuer spellings.

    >>> cert = {"startDate": "2025-03-01", "issuedDate": "2025-03-01", "endDate": "2028-03-01"}
    >>> DEFECTS["end_before_start"](cert); cert["endDate"]
    '2024-03-01'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from random import Random
from typing import Any

AUDIT_RATES: dict[str, float] = {
    "missing_end_date": 0.04,
    "end_before_start": 0.01,
    "end_before_issue": 0.01,
    "start_after_issue": 0.01,
    "missing_certification_id": 0.03,
    "relative_web_url": 0.01,
    "ftp_thumbnail_url": 0.01,
    "all_null": 0.01,
}
"""Per-certification rates of the mutually exclusive planted defects (`DEFECTS`)."""
ALL_NULL_PROPERTIES = (
    "allowedAudiences", "inference", "certificationId", "description", "endDate", "issuedDate",
    "issuingAuthority", "issuingCompany", "startDate", "thumbnailUrl", "webUrl",
)
"""What the `all_null` defect clears: every writable property except `displayName`."""
DUPLICATE_RATE = 0.02
ISSUER_VARIANT_RATE = 0.08
ISSUER_VARIANTS = ("Microsoft Corporation", "MSFT", "microsoft ")


def plant_defect(cert: dict[str, Any], rng: Random) -> None:
    """Plant at most one of the `AUDIT_RATES` defects in `cert`, then perhaps spell Microsoft another way."""
    roll = rng.random()
    for defect, rate in AUDIT_RATES.items():
        if roll < rate:
            DEFECTS[defect](cert)
            break
        roll -= rate
    if cert["issuingCompany"] == "Microsoft" and rng.random() < ISSUER_VARIANT_RATE:
        cert["issuingCompany"] = rng.choice(ISSUER_VARIANTS)


def _shift(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


def _missing_end_date(cert: dict[str, Any]) -> None:
    cert["endDate"] = None


def _end_before_start(cert: dict[str, Any]) -> None:
    cert["endDate"] = _shift(cert["startDate"], -365)  # the year typed one too low


def _end_before_issue(cert: dict[str, Any]) -> None:
    cert["startDate"] = _shift(cert["issuedDate"], -400)
    cert["endDate"] = _shift(cert["issuedDate"], -30)


def _start_after_issue(cert: dict[str, Any]) -> None:
    cert["startDate"] = _shift(cert["issuedDate"], 92)


def _missing_certification_id(cert: dict[str, Any]) -> None:
    cert["certificationId"] = None


def _relative_web_url(cert: dict[str, Any]) -> None:
    cert["webUrl"] = "/" + cert["webUrl"].split("/", 3)[3]


def _ftp_thumbnail_url(cert: dict[str, Any]) -> None:
    cert["thumbnailUrl"] = f"ftp://files.contoso.example/badges/{cert['id'][:8]}.png"


def _all_null(cert: dict[str, Any]) -> None:
    cert.update(dict.fromkeys(ALL_NULL_PROPERTIES))


DEFECTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "missing_end_date": _missing_end_date,
    "end_before_start": _end_before_start,
    "end_before_issue": _end_before_issue,
    "start_after_issue": _start_after_issue,
    "missing_certification_id": _missing_certification_id,
    "relative_web_url": _relative_web_url,
    "ftp_thumbnail_url": _ftp_thumbnail_url,
    "all_null": _all_null,
}

