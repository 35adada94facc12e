"""The Graph tests' tenant (awkward UPNs on purpose) and the short sign-in they use (contract §1, §9).

A plain module, not conftest.py, so test modules can import its names: `from graph_seed import ADELE, ...`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from certnb.emulator.server import Emulator

TENANT_ID = "5b1c0f2e-3d4a-4b5c-8d6e-7f8091a2b3c4"
CLIENT_ID = "0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b"


def _cert(n: int, title: str, end: str | None, created: str, **more: Any) -> dict[str, Any]:
    return {
        "id": f"cert-{n:02d}",
        "displayName": title,
        "issuingAuthority": "Microsoft" if n % 2 else "CNCF",
        "issuingCompany": None,
        "certificationId": f"ID-{n:02d}",
        "description": None,
        "issuedDate": "2024-01-15",
        "startDate": "2024-01-15",
        "endDate": end,
        "allowedAudiences": "organization",
        "inference": None,
        "thumbnailUrl": None,
        "webUrl": None,
        "createdDateTime": created,
        "lastModifiedDateTime": created,
        "createdBy": None,
        "lastModifiedBy": None,
        "source": {"type": ["User"]},
        **more,
    }


ADELE = {"id": "a0000000-0000-4000-8000-000000000001", "upn": "adele@fabrikam.example", "name": "Adele Vance"}
PATRICK = {
    "id": "a0000000-0000-4000-8000-000000000002",
    "upn": "patrick.o'brien@fabrikam.example",
    "name": "P O",
}
# Every character the contract (§1) says a UPN may carry, and one a path must encode (`/`).
ODD = {"id": "a0000000-0000-4000-8000-000000000003", "upn": "zoë#1+x&y%z/w@fabrikam.example", "name": "Zoë"}
DOLLAR = {"id": "a0000000-0000-4000-8000-000000000004", "upn": "$ops@fabrikam.example", "name": "Ops"}

# Adele's 12 certifications: created out of order, so the default order (createdDateTime) is observable.
ADELE_CERTS = [
    _cert(
        n,
        f"Cert {n:02d}",
        f"2026-{(n % 12) + 1:02d}-01" if n != 5 else None,
        f"2024-02-{(n * 7) % 28 + 1:02d}T10:00:00.{n:07d}Z",
    )
    for n in range(1, 13)
]

SEED: dict[str, Any] = {
    "tenant": {"id": TENANT_ID, "domain": "fabrikam.example"},
    "defaultUser": ADELE["upn"],
    "users": [
        {
            "id": ADELE["id"],
            "userPrincipalName": ADELE["upn"],
            "displayName": ADELE["name"],
            "mail": ADELE["upn"],
            "certifications": ADELE_CERTS,
        },
        {
            "id": PATRICK["id"],
            "userPrincipalName": PATRICK["upn"],
            "displayName": PATRICK["name"],
            "certifications": [_cert(20, "O'Brien's cert", "2025-06-30", "2024-03-01T00:00:00.0000000Z")],
        },
        {
            "id": ODD["id"],
            "userPrincipalName": ODD["upn"],
            "displayName": ODD["name"],
            "certifications": [_cert(30, "Zoë's cert", None, "2024-03-02T00:00:00.0000000Z")],
        },
        {
            "id": DOLLAR["id"],
            "userPrincipalName": DOLLAR["upn"],
            "displayName": DOLLAR["name"],
            "certifications": [],
        },
    ],
}

ALL = "User.ReadWrite.All"


def segment(key: str) -> str:
    """A user key as one percent-encoded path segment (what a client must send, contract §1)."""
    return quote(key, safe="")


def token(emu: Emulator, upn: str = ADELE["upn"], scopes: str = ALL) -> str:
    """An access token for `upn` with the delegated `scopes`, from the emulator's token endpoint."""
    response = httpx.post(
        f"{emu.url}/{emu.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "password",
            "client_id": CLIENT_ID,
            "username": upn,
            "password": "x",
            "scope": scopes,
        },
        verify=emu.verify(),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def app_token(emu: Emulator) -> str:
    """An app-only (client credentials) token, which Graph refuses for profiles (contract §4)."""
    response = httpx.post(
        f"{emu.url}/{emu.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": "s",
            "scope": "https://graph.microsoft.com/.default",
        },
        verify=emu.verify(),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


Signer = Callable[..., httpx.Client]
