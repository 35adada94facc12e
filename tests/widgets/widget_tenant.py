"""The widget tests' tenant: three users whose certifications exercise every picker filter and form control.

`ASOF` is the day the tests audit for, so "expiring" and the audit findings never depend on today's date.
"""

from __future__ import annotations

import copy
from typing import Any

from certnb.emulator.server import Emulator

TENANT_ID = "6e8f0a2b-3c4d-4e5f-9a0b-1c2d3e4f5a6b"
ASOF = "2026-11-30"
Sent = list[tuple[dict[str, Any], list[bytes]]]  # what a grid sent to the browser: (content, buffers)
ADMIN = "admin@contoso.example"
BOB = "bob@contoso.example"
CAROL = "carol@contoso.example"
IDS = {ADMIN: "b1d2e3f4-0000-4a5b-8c9d-0e1f2a3b4c5d", BOB: "b1d2e3f4-0001-4a5b-8c9d-0e1f2a3b4c5d",
       CAROL: "b1d2e3f4-0002-4a5b-8c9d-0e1f2a3b4c5d"}


def _cert(cert_id: str, title: str, issuer: str, end: str | None, **more: Any) -> dict[str, Any]:
    return {"id": cert_id, "displayName": title, "issuingAuthority": issuer, "issuingCompany": issuer,
            "certificationId": f"REF-{cert_id}", "startDate": "2024-01-01", "issuedDate": "2024-01-01",
            "endDate": end, "allowedAudiences": "organization",
            "inference": {"confidenceScore": 0.5, "userHasVerifiedAccuracy": False}, **more}


_SEED: dict[str, Any] = {
    "tenant": {"id": TENANT_ID, "domain": "contoso.example"},
    "defaultUser": ADMIN,
    "users": [
        {"id": IDS[ADMIN], "userPrincipalName": ADMIN, "displayName": "Adele Admin", "certifications": [
            _cert("a1", "AZ-104", "Microsoft", "2026-12-15"),
            _cert("a2", "CISSP", "ISC2", "2029-01-31", webUrl="https://isc2.example/a2"),
        ]},
        {"id": IDS[BOB], "userPrincipalName": BOB, "displayName": "Bob Builder", "certifications": [
            _cert("b1", "AZ-900", "MSFT", "2027-06-30"),
            _cert("b2", "PMP", "PMI", None, webUrl="pmi.example/badge/b2"),
        ]},
        {"id": IDS[CAROL], "userPrincipalName": CAROL, "displayName": "Carol Coder", "certifications": [
            _cert("c1", "AZ-104", "Microsoft", "2026-01-31"),
            _cert("c2", "CKA", "CNCF", "2027-03-31"),
        ]},
    ],
}


def seed() -> dict[str, Any]:
    """A fresh copy of the seed (contract §10)."""
    return copy.deepcopy(_SEED)


def users() -> list[dict[str, Any]]:
    """The seed's users, as `build_frame` takes them (no emulator needed)."""
    return seed()["users"]


def held(emu: Emulator, upn: str, cert_id: str) -> dict[str, Any]:
    """One certification as the emulator holds it now."""
    user = next(u for u in emu.state()["users"] if u["userPrincipalName"] == upn)
    return next(c for c in user["certifications"] if c["id"] == cert_id)


def label_of(frame: Any, cert_id: str) -> Any:
    """The row label of a certification in a frame."""
    return frame.index[frame["id"] == cert_id][0]


def recording(widget: Any, sent: Sent, monkeypatch: Any) -> Any:
    """`widget` with its custom messages to the browser appended to `sent` instead of sent."""
    monkeypatch.setattr(widget, "send", lambda content, buffers=None: sent.append((content, buffers or [])))
    return widget
