"""The commit tests' tenant (a few users with certifications carrying every kind of writable value), and
the moves every commit test makes: load and stage, change something behind the commit's back, commit."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import httpx

from certnb.commit.result import CommitResult
from certnb.commit.run import commit
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph
from certnb.graph.urls import certifications_path
from certnb.staging import Staged, stage

TENANT_ID = "5d7e9a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
ADMIN = "admin@contoso.example"


def user_id(number: int) -> str:
    return f"a0c1e2f3-{number:04d}-4a5b-8c9d-0e1f2a3b4c5d"


def _user(number: int, certs: int) -> dict[str, Any]:
    upn = ADMIN if number == 0 else f"user{number}@contoso.example"
    return {
        "id": user_id(number),
        "userPrincipalName": upn,
        "displayName": f"User {number}",
        "certifications": [
            {
                "id": f"cert-{number}-{k}",
                "displayName": f"AZ-10{k}",
                "issuingAuthority": "Microsoft",
                "startDate": "2024-01-01",
                "endDate": "2026-12-31",
                "allowedAudiences": "organization",
                "inference": {"confidenceScore": 0.5, "userHasVerifiedAccuracy": False},
                "createdDateTime": f"2024-01-{k + 1:02d}T00:00:00.0000000Z",
            }
            for k in range(certs)
        ],
    }


def seed(users: int = 3, certs: int = 2) -> dict[str, Any]:
    """A seed (contract §10): `users` users (the first is the signed-in admin), `certs` certifications each.
    """
    return copy.deepcopy({
        "tenant": {"id": TENANT_ID, "domain": "contoso.example"},
        "defaultUser": ADMIN,
        "users": [_user(n, certs) for n in range(users)],
    })


def certification(state: dict[str, Any], user: int, cert: str) -> dict[str, Any] | None:
    """One certification as the emulator holds it now (None when it is gone)."""
    found = next(u for u in state["users"] if u["id"] == user_id(user))
    return next((c for c in found["certifications"] if c["id"] == cert), None)


def patches_sent(emu: Emulator) -> int:
    """PATCH calls the emulator saw ($batch items included)."""
    return sum(n for route, n in emu.stats()["by_route"].items() if route.startswith("PATCH "))


def key(user: int, cert: str) -> tuple[str, str]:
    return (user_id(user), cert)


def staged_on(graph: Graph, journal: Path | None = None) -> Staged:
    """Staging on a fresh load of the whole tenant."""
    return stage(graph.load(users="all"), journal=journal)


def remote_patch(emu: Emulator, user: int, cert: str, body: dict[str, Any]) -> None:
    """Someone else changes a certification (another session, straight over HTTP)."""
    url = emu.graph_url + certifications_path(user_id(user), cert)
    headers = {"Authorization": f"Bearer {emu.access_token()}"}
    reply = httpx.patch(url, json=body, headers=headers, verify=emu.verify(), timeout=10)
    assert reply.status_code == 200, reply.text


def committed(graph: Graph, staged: Staged, **options: Any) -> CommitResult:
    result = commit(graph, staged, **options)
    assert isinstance(result, CommitResult)
    return result
