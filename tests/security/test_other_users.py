"""A `User.ReadWrite` token changes its own profile and nobody else's (contract §4), whatever the path says.

Paths are sent byte for byte (http.client, no client-side normalisation of `..` or percent-escapes), as plain
requests and as `$batch` items; afterwards Bob's certifications are exactly as seeded. The certnb client too:
staging and committing an edit of Bob's certification with Adele's `User.ReadWrite` session is refused.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest

import certnb
from certnb.emulator.server import Emulator

ADELE_ID, BOB_ID = "a0000000-0000-4000-8000-0000000000ad", "b0000000-0000-4000-8000-0000000000b0"
ADELE, BOB = "adele@contoso.example", "bob@contoso.example"
SEED = {
    "tenant": {"id": "tenant-security", "domain": "contoso.example"},
    "defaultUser": ADELE,
    "users": [
        {"id": ADELE_ID, "userPrincipalName": ADELE, "displayName": "Adele", "password": "adele-pw",
         "certifications": [{"id": "c-adele", "displayName": "AZ-104", "endDate": "2026-12-31"}]},
        {"id": BOB_ID, "userPrincipalName": BOB, "displayName": "Bob", "password": "bob-pw",
         "certifications": [{"id": "c-bob", "displayName": "CKA", "endDate": "2026-12-31"}]},
    ],
}
CERTS = "profile/certifications"

# Every way we know of to name Bob's certification (or Bob's collection) from Adele's session.
HOSTILE_PATHS = [
    f"/users/{BOB_ID}/{CERTS}/c-bob",
    f"/users/{BOB}/{CERTS}/c-bob",
    f"/users/{BOB.upper()}/{CERTS}/c-bob",
    f"/users/bob%40contoso.example/{CERTS}/c-bob",
    f"/users('{BOB}')/{CERTS}/c-bob",
    f"/users/%2e%2e/users/{BOB_ID}/{CERTS}/c-bob",
    f"/users/%2E%2E/{CERTS}/c-bob",
    f"/users/..%2F{BOB_ID}/{CERTS}/c-bob",
    f"/users/{ADELE_ID}%2F..%2F{BOB_ID}/{CERTS}/c-bob",
    f"/users/{ADELE_ID}/../{BOB_ID}/{CERTS}/c-bob",
    f"/me/../users/{BOB_ID}/{CERTS}/c-bob",
    f"/me/%2e%2e/users/{BOB_ID}/{CERTS}/c-bob",
    f"/me/{CERTS}/..%2F..%2F..%2Fusers%2F{BOB_ID}%2F{CERTS.replace('/', '%2F')}%2Fc-bob",
    f"/me/{CERTS}/../../../users/{BOB_ID}/{CERTS}/c-bob",
    f"/users/%252e%252e/users/{BOB_ID}/{CERTS}/c-bob",
    f"/users/{BOB_ID}%00/{CERTS}/c-bob",
    f"/users/{BOB_ID}/{CERTS}/c-bob/",
    f"/users/{BOB_ID}/{CERTS}/c-bob?$select=id",
    f"/users/{BOB_ID}/./{CERTS}/c-bob",
    f"//users/{BOB_ID}/{CERTS}/c-bob",
    f"/me/{CERTS}/c-bob",  # Bob's certification id under Adele's own collection
]


class Raw:
    """Requests with the path sent exactly as written (http.client does not normalise it)."""

    def __init__(self, emu: Emulator, token: str) -> None:
        parts = urlsplit(emu.url)
        context = emu.verify()
        assert isinstance(context, ssl.SSLContext)
        self.host, self.port, self.context, self.token = parts.hostname, parts.port, context, token

    def send(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        connection = http.client.HTTPSConnection(str(self.host), self.port, context=self.context, timeout=10)
        try:
            headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
            payload = None if body is None else json.dumps(body).encode()
            connection.putrequest(method, "/beta" + path, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(payload or b"")))
            connection.endheaders(payload)
            reply = connection.getresponse()
            data = reply.read()
            return reply.status, json.loads(data) if data else None
        finally:
            connection.close()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


@pytest.fixture
def adele(emu: Emulator) -> Raw:
    emu.reset()
    return Raw(emu, emu.access_token(ADELE, scopes="User.ReadWrite"))


def bobs_certifications(emu: Emulator) -> list[dict[str, Any]]:
    [bob] = [u for u in emu.state()["users"] if u["id"] == BOB_ID]
    certifications: list[dict[str, Any]] = bob["certifications"]
    return certifications


def test_adele_can_change_her_own(adele: Raw) -> None:
    status, body = adele.send("PATCH", f"/me/{CERTS}/c-adele", {"displayName": "AZ-104 (renewed)"})
    assert status == 200 and body["displayName"] == "AZ-104 (renewed)"
    status, _ = adele.send("PATCH", f"/users/{ADELE_ID}/{CERTS}/c-adele", {"displayName": "AZ-104"})
    assert status == 200


def test_user_readwrite_all_does_reach_bob(emu: Emulator) -> None:
    """The control: with the `.All` scope the plain paths work, so the refusals are the scope's doing."""
    emu.reset()
    admin = Raw(emu, emu.access_token(ADELE, scopes="User.ReadWrite.All"))
    for path in HOSTILE_PATHS[:4]:
        status, body = admin.send("PATCH", path, {"displayName": "renamed"})
        assert status == 200 and body["id"] == "c-bob", path
    emu.reset()


@pytest.mark.parametrize("path", HOSTILE_PATHS)
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_no_path_reaches_bobs_certification(emu: Emulator, adele: Raw, method: str, path: str) -> None:
    before = bobs_certifications(emu)
    body = {"displayName": "owned"} if method == "PATCH" else None
    status, answer = adele.send(method, path, body)
    assert 400 <= status < 500, (status, answer)
    assert answer["error"]["code"] and answer["error"]["innerError"]["request-id"]
    assert bobs_certifications(emu) == before


def test_no_create_in_bobs_profile(emu: Emulator, adele: Raw) -> None:
    before = bobs_certifications(emu)
    for path in (f"/users/{BOB_ID}/{CERTS}", f"/users/{BOB}/{CERTS}", f"/me/../users/{BOB_ID}/{CERTS}"):
        status, _ = adele.send("POST", path, {"displayName": "planted"})
        assert status in (400, 403, 404), path
    assert bobs_certifications(emu) == before


def test_no_batch_item_reaches_bobs_certification(emu: Emulator, adele: Raw) -> None:
    before = bobs_certifications(emu)
    for start in range(0, len(HOSTILE_PATHS), 20):
        items = [
            {"id": str(n), "method": "PATCH", "url": path, "body": {"displayName": "owned"},
             "headers": {"Content-Type": "application/json"}}
            for n, path in enumerate(HOSTILE_PATHS[start:start + 20])
        ]
        status, answer = adele.send("POST", "/$batch", {"requests": items})
        if status == 200:
            statuses = {r["id"]: r["status"] for r in answer["responses"]}
            assert all(400 <= s < 500 for s in statuses.values()), statuses
        else:
            assert status == 400
    # Absolute URLs and a nested $batch inside a batch do not escape either.
    nested = [{"id": "1", "method": "PATCH", "url": f"https://graph.microsoft.com/beta/users/{BOB_ID}/{CERTS}/c-bob",
               "body": {"displayName": "owned"}, "headers": {"Content-Type": "application/json"}},
              {"id": "2", "method": "POST", "url": "/$batch", "headers": {"Content-Type": "application/json"},
               "body": {"requests": [{"id": "a", "method": "PATCH", "url": f"/users/{BOB_ID}/{CERTS}/c-bob",
                                      "body": {"displayName": "owned"},
                                      "headers": {"Content-Type": "application/json"}}]}}]
    status, answer = adele.send("POST", "/$batch", {"requests": nested})
    if status == 200:
        assert all(400 <= r["status"] < 500 for r in answer["responses"]), answer
    assert bobs_certifications(emu) == before


def test_certnb_commit_with_user_readwrite_cannot_change_bob(emu: Emulator, tmp_path: Any) -> None:
    emu.reset()
    with certnb.connect(emulator=emu, write=True, all_users=False, username=ADELE, password="adele-pw",
                        scopes=["User.ReadWrite", "User.Read.All"]) as graph:
        frame = graph.load(users=[ADELE_ID, BOB_ID])
        staged = certnb.stage(frame, journal=tmp_path / "edits.journal")
        bob_row = frame.index[frame["userId"] == BOB_ID][0]
        staged.set(bob_row, endDate=pd.Timestamp("2028-01-01"))
        before = bobs_certifications(emu)
        result = graph.commit(staged)
    [outcome] = list(result)
    # A 403 is "not permitted by this tenant" (contract §13): never retried, explained with its request id.
    assert outcome.outcome == "not_permitted" and outcome.status == 403, outcome
    assert bobs_certifications(emu) == before
