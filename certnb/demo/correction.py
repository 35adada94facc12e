"""The demo's bulk correction: normalise issuer spellings, then extend one issuer's expiring certifications.

Pure staging on a loaded frame and its audit: nothing here talks to Graph. The same two steps are what
notebook 3 teaches by hand.

    >>> from certnb.frame.build import build_frame
    >>> from certnb.staging import stage
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "issuingCompany": "Microsoft", "certificationId": "1",
    ...      "startDate": "2024-12-01", "endDate": "2026-12-12"},
    ...     {"id": "c2", "displayName": "AZ-900", "issuingCompany": "Microsoft", "certificationId": "2",
    ...      "startDate": "2025-01-01", "endDate": "2030-01-01"},
    ...     {"id": "c3", "displayName": "AZ-305", "issuingCompany": "MSFT", "certificationId": "3",
    ...      "startDate": "2025-01-01", "endDate": "2030-01-01"}]}])
    >>> staged = stage(df)
    >>> correction = stage_correction(staged, df, asof="2026-11-30")
    >>> correction.issuer, correction.spellings, correction.extended
    ('Microsoft', 1, 1)
    >>> [(e.field, e.before, e.after) for e in staged]
    [('issuingCompany', 'MSFT', 'Microsoft'), ('endDate', '2026-12-12', '2027-12-12')]
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from certnb.frame.audit import audit, expiring
from certnb.staging import Staged

__all__ = ["EXPIRING_DAYS", "Correction", "issuer_spellings", "stage_correction"]

EXPIRING_DAYS = 90
"""Certifications ending within this many days of `asof` are extended."""


@dataclass(frozen=True)
class Correction:
    """What `stage_correction` staged: the issuer whose certifications were extended, and how many edits."""

    issuer: str | None
    spellings: int
    extended: int

    def describe(self) -> str:
        """One line for the demo's output."""
        extended = (
            f"{self.extended} expiring {self.issuer} certification{'s' if self.extended != 1 else ''} "
            "extended by a year"
            if self.issuer
            else "no expiring certification to extend"
        )
        return f"{self.spellings} issuer spelling{'s' if self.spellings != 1 else ''} normalised, {extended}"


def issuer_spellings(frame: pd.DataFrame, findings: pd.DataFrame) -> pd.Series:
    """The audit's suggested issuer for every row it found spelled another way, by the frame's row label.

    >>> issuer_spellings(df, df.certs.audit()).to_dict()                # doctest: +SKIP
    {104: 'Microsoft', 105: 'Microsoft'}
    """
    found = findings[(findings["rule"] == "issuer-spelling") & findings["suggested"].notna()]
    labels = _labels(frame)
    suggested = {
        labels[(user, cert)]: value
        for user, cert, value in zip(found["userId"], found["id"], found["suggested"], strict=True)
        if (user, cert) in labels
    }
    return pd.Series(suggested, dtype=object)


def stage_correction(
    staged: Staged, frame: pd.DataFrame, asof: object = None, issuer: str | None = None
) -> Correction:
    """Stage the demo's correction on `staged`: issuer spellings as the audit suggests, then a year more for
    every certification of `issuer` ending within `EXPIRING_DAYS` days of `asof`.

    `issuer` defaults to the (normalised) issuer with the most expiring certifications. Staging is atomic per
    call (`EditsRefused` if any edit breaks a rule), so a refused step leaves nothing half-staged.
    """
    spellings = issuer_spellings(frame, audit(frame, asof))
    if len(spellings):
        staged.set(spellings.index, issuingCompany=spellings)
    # Decide on the issuers as they will be after the spelling fix, so "MSFT" counts as Microsoft.
    normalised = frame["issuingCompany"].astype(object).where(
        ~frame.index.isin(spellings.index), spellings.reindex(frame.index)
    )
    soon = expiring(frame, EXPIRING_DAYS, asof)
    if issuer is None and len(soon):
        counts = normalised[soon.index].dropna().astype(str).value_counts()
        # Most expiring first, ties by name: the same tenant always picks the same issuer.
        ranked = sorted((-int(n), str(name)) for name, n in counts.items())
        issuer = ranked[0][1] if ranked else None
    chosen = soon.index[(normalised[soon.index] == issuer).to_numpy(dtype=bool)] if issuer else soon.index[:0]
    if len(chosen):
        staged.apply(chosen, endDate=lambda row: row.endDate + pd.DateOffset(years=1))
    return Correction(issuer if len(chosen) else None, len(spellings), len(chosen))


def _labels(frame: pd.DataFrame) -> dict[tuple[str, str], object]:
    return {
        (str(user), str(cert)): label
        for label, user, cert in zip(frame.index, frame["userId"], frame["id"], strict=True)
    }
