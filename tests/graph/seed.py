"""The client tests' tenant: awkward UPNs, a user with many certifications (contract §1, §6)."""

from __future__ import annotations

from typing import Any

TENANT_ID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
ADELE = "adele@contoso.example"
MANY = "many@contoso.example"
MANY_CERTS = 11
# Contract §1: a UPN may hold ', #, +, &, %, / and non-ASCII letters; each must reach its own user.
AWKWARD = [
    "pat.o'brien@contoso.example",
    "hash#tag@contoso.example",
    "plus+one@contoso.example",
    "amp&co@contoso.example",
    "per%cent@contoso.example",
    "slash/ed@contoso.example",
    "zoë.ñuñez@contoso.example",
]


def _user(number: int, upn: str, certs: int = 1) -> dict[str, Any]:
    return {
        "id": f"0e8a1f7c-{number:04d}-4b2c-9d3e-4f5a6b7c8d9e",
        "userPrincipalName": upn,
        "displayName": upn.split("@")[0],
        "certifications": [
            {
                "id": f"cert-{number}-{k}",
                "displayName": f"{upn} #{k}",
                "issuingAuthority": "Contoso",
                "startDate": "2024-01-01",
                "createdDateTime": f"2024-01-{k + 1:02d}T00:00:00.0000000Z",
            }
            for k in range(certs)
        ],
    }


SEED: dict[str, Any] = {
    "tenant": {"id": TENANT_ID, "domain": "contoso.example"},
    "defaultUser": ADELE,
    "users": [
        _user(1, ADELE, 2),
        _user(2, MANY, MANY_CERTS),
        *(_user(10 + i, upn) for i, upn in enumerate(AWKWARD)),
    ],
}
