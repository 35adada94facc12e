"""The reliability tests' tenant, scale and wire recorder (a plain module, imported by child processes too).

Scale: `make test` commits `SCALE` = 500 edits; `make soak` sets `CERTNB_SOAK=1` for 2,000 (and more kill
points). One edit per certification (a new `endDate`), so every edit is its own PATCH: the most requests.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import threading
from typing import Any

import httpx

SOAK = os.environ.get("CERTNB_SOAK", "") not in ("", "0")
SCALE = 2000 if SOAK else 500
CERTS_PER_USER = 10
TENANT_ID = "tenant-reliability"
ADMIN = "admin@contoso.example"
START, OLD_END = "2025-01-01", "2026-06-30"
OTHER_CLIENTS_END = "2031-12-31"  # what the second client writes: never a value the commit sends


def user_id(n: int) -> str:
    return f"u{n:05d}"


def cert_id(n: int, k: int) -> str:
    return f"c{n:05d}-{k:02d}"


def new_end(n: int, k: int) -> str:
    """The endDate the commit writes for certification k of user n: distinct per certification."""
    return f"{2027 + n % 3}-{k % 12 + 1:02d}-{(n + k) % 28 + 1:02d}"


def seed(edits: int = SCALE) -> dict[str, Any]:
    """`edits // CERTS_PER_USER` users with `CERTS_PER_USER` certifications each, plus an admin with none."""
    users = [{"id": "u-admin", "userPrincipalName": ADMIN, "displayName": "Admin", "password": "admin-pw",
              "certifications": []}]
    for n in range(edits // CERTS_PER_USER):
        users.append({
            "id": user_id(n), "userPrincipalName": f"user{n}@contoso.example", "displayName": f"User {n}",
            "certifications": [
                {"id": cert_id(n, k), "displayName": f"Cert {k}", "issuingAuthority": "Microsoft",
                 "startDate": START, "endDate": OLD_END, "allowedAudiences": "organization",
                 "createdDateTime": f"2025-01-01T00:00:{k:02d}.0000000Z"}
                for k in range(CERTS_PER_USER)
            ],
        })
    return {"tenant": {"id": TENANT_ID, "domain": "contoso.example"}, "defaultUser": ADMIN, "users": users}


def targets(edits: int = SCALE) -> list[tuple[str, str, str]]:
    """(userId, certification id, new endDate) of every edit, in staging order."""
    return [(user_id(n), cert_id(n, k), new_end(n, k))
            for n in range(edits // CERTS_PER_USER) for k in range(CERTS_PER_USER)]


# Server-set on every PATCH (contract §2): not part of the values a commit decides.
SERVER_SET = ("lastModifiedDateTime", "lastModifiedBy")


def comparable(state: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every certification of a state dump by (userId, id), without the server-set modification stamps."""
    return {
        (user["id"], cert["id"]): {k: v for k, v in cert.items() if k not in SERVER_SET}
        for user in state["users"] for cert in user["certifications"]
    }


def expected_state(
    initial: dict[str, Any], writes: dict[tuple[str, str], str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The initial state with `writes` ((userId, id) → endDate) applied, in `comparable` form."""
    expected = comparable(copy.deepcopy(initial))
    for key, end in writes.items():
        expected[key]["endDate"] = end
    return expected


class RecordingTransport(httpx.AsyncHTTPTransport):
    """A real HTTPS transport that also keeps every PATCH it carried (plain or inside `$batch`).

    Not a mock: requests go to the emulator unchanged; the record proves what the client sent.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.patches: list[tuple[str, str]] = []  # (path, compact JSON body)
        self._lock = threading.Lock()
        # Reads of these users' lists wait for `release`: lets a test order another client's writes before
        # the commit's conflict check of those certifications, without touching the commit itself.
        self.hold_reads_of: frozenset[str] = frozenset()
        self.release = threading.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        found: list[tuple[str, str]] = []
        if request.url.path.endswith("/$batch") and content:
            for item in json.loads(content).get("requests", []):
                if item.get("method") == "PATCH":
                    found.append((item["url"], json.dumps(item.get("body"), sort_keys=True)))
                elif item.get("method") == "GET" and self._held(item["url"]):
                    await asyncio.to_thread(self.release.wait, 60)
        elif request.method == "PATCH":
            found.append((request.url.path, json.dumps(json.loads(content or b"null"), sort_keys=True)))
        with self._lock:
            self.patches.extend(found)
        return await super().handle_async_request(request)

    def _held(self, url: str) -> bool:
        parts = url.split("?", 1)[0].split("/")
        return len(parts) > 2 and parts[1] == "users" and parts[2] in self.hold_reads_of

    def bodies_by_path(self) -> dict[str, set[str]]:
        with self._lock:
            result: dict[str, set[str]] = {}
            for path, body in self.patches:
                result.setdefault(path.split("?", 1)[0], set()).add(body)
            return result
