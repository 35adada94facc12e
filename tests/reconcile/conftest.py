"""Fixtures of the reconcile tests: a small frame of two people, the sample tenant, and an emulator on it."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from hr_export import TENANT

from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame


@pytest.fixture
def frame() -> pd.DataFrame:
    """Ana holds AZ-104 (with an id) and a PMP without one (issuer spelled "MSFT"); Ben holds the same CKA
    twice (a duplicate, as Graph lets a person hold)."""
    return build_frame([
        {"id": "u-ana", "userPrincipalName": "ana.lopez@contoso.example", "displayName": "Ana Lopez",
         "certifications": [
            {"id": "c1", "displayName": "Microsoft Certified: Azure Administrator Associate",
             "certificationId": "AZ104-ANA", "issuingAuthority": "Microsoft", "issuingCompany": "Microsoft",
             "startDate": "2025-06-30", "endDate": "2026-06-30"},
            {"id": "c2", "displayName": "Project Management Professional (PMP)", "certificationId": None,
             "issuingAuthority": "PMI", "issuingCompany": "MSFT", "startDate": "2024-01-01",
             "endDate": "2027-01-01"}]},
        {"id": "u-ben", "userPrincipalName": "ben.okafor@contoso.example", "displayName": "Ben Okafor",
         "certifications": [
            {"id": "c3", "displayName": "Certified Kubernetes Administrator (CKA)", "certificationId": "LF-1",
             "issuingCompany": "The Linux Foundation", "endDate": "2027-03-01"},
            {"id": "c4", "displayName": "Certified Kubernetes Administrator (CKA)", "certificationId": "LF-1",
             "issuingCompany": "The Linux Foundation", "endDate": "2027-03-01"}]},
    ])


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A running emulator on the sample tenant (`graph`, `session`: tests/conftest.py)."""
    with Emulator(seed=str(TENANT)) as running:
        yield running
