"""MSAL for Python signs in against the emulator's identity endpoints, over HTTPS, as a notebook would.

Each test builds a fresh MSAL app: MSAL caches 400/429/5xx token-endpoint answers in-process (contract §9).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import msal
import pytest
import requests

from certnb.emulator.server import Emulator

TENANT_ID = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
ADELE = {"id": "0e8a1f7c-1111-4b2c-9d3e-4f5a6b7c8d9e", "upn": "adele@contoso.example"}
PAT = {"id": "0e8a1f7c-2222-4b2c-9d3e-4f5a6b7c8d9e", "upn": "pat.o'brien@contoso.example"}
SEED: dict[str, Any] = {
    "tenant": {"id": TENANT_ID, "domain": "contoso.example"},
    "defaultUser": ADELE["upn"],
    "users": [
        {
            "id": ADELE["id"],
            "userPrincipalName": ADELE["upn"],
            "displayName": "Adele Vance",
            "certifications": [],
        },
        {
            "id": PAT["id"],
            "userPrincipalName": PAT["upn"],
            "displayName": "Pat O'Brien",
            "password": "correct horse",
            "certifications": [],
        },
    ],
}
CLIENT_ID = "4b7f0c6e-1d2a-4e3b-8c9d-0a1b2c3d4e5f"
SCOPES = ["https://graph.microsoft.com/User.ReadWrite.All"]
AppFactory = Callable[..., msal.PublicClientApplication]


@pytest.fixture(autouse=True)
def _requests_trusts_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's `verify` (psf/requests#3829),
    so MSAL's `verify=emu.ca_file` is ignored wherever those are set (CI images, Nix, conda)."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


@pytest.fixture
def manual_emu() -> Iterator[Emulator]:
    """Nobody approves device codes on their own; polling every second."""
    with Emulator(seed=SEED, device_code_auto_approve=False, device_code_interval_s=1) as running:
        yield running


@pytest.fixture
def public_app() -> Iterator[AppFactory]:
    """Build fresh MSAL public apps for an emulator, closing their HTTP sessions afterwards."""
    built: list[msal.ClientApplication] = []

    def build(emu: Emulator, **kwargs: Any) -> msal.PublicClientApplication:
        app = msal.PublicClientApplication(
            CLIENT_ID,
            authority=f"{emu.url}/{emu.tenant_id}",
            instance_discovery=False,
            verify=emu.ca_file,
            **kwargs,
        )
        built.append(app)
        return app

    yield build
    for app in built:
        app.http_client.close()  # an idle keep-alive connection must not outlive the emulator


def claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def list_certifications(emu: Emulator, access_token: str) -> httpx.Response:
    return httpx.get(
        f"{emu.graph_url}/me/profile/certifications",
        headers={"Authorization": f"Bearer {access_token}"},
        verify=emu.verify(),
    )


class PortKeepingSession(requests.Session):
    """MSAL's user-realm discovery (before a password grant) drops the authority's port; put it back."""

    def __init__(self, emu: Emulator) -> None:
        super().__init__()
        self.verify = emu.ca_file or False
        self._root = emu.url
        self._portless = emu.url.rsplit(":", 1)[0]

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        text = url.decode() if isinstance(url, bytes) else url
        if text.startswith(self._portless + "/"):
            text = self._root + text[len(self._portless) :]
        return super().request(method, text, *args, **kwargs)


def test_device_code_flow_then_silent_and_forced_refresh(emu: Emulator, public_app: AppFactory) -> None:
    app = public_app(emu)
    flow = app.initiate_device_flow(scopes=SCOPES)
    assert flow["user_code"] in flow["message"] and flow["verification_uri"].startswith(emu.url)

    result = app.acquire_token_by_device_flow(flow)  # the seed's default user approves at once

    assert "access_token" in result, result.get("error_description")
    assert result["id_token_claims"]["preferred_username"] == ADELE["upn"]
    assert claims(result["access_token"])["scp"] == "User.ReadWrite.All openid profile"
    assert list_certifications(emu, result["access_token"]).status_code == 200

    (account,) = app.get_accounts()
    assert account["username"] == ADELE["upn"]
    assert account["home_account_id"] == f"{ADELE['id']}.{TENANT_ID}"
    silent = app.acquire_token_silent(SCOPES, account=account)
    assert silent is not None and silent["access_token"] == result["access_token"]  # a cache hit

    refreshed = app.acquire_token_silent(SCOPES, account=account, force_refresh=True)  # refresh_token grant
    assert refreshed is not None and "access_token" in refreshed, refreshed
    assert refreshed["access_token"] != result["access_token"]
    assert list_certifications(emu, refreshed["access_token"]).status_code == 200


def test_revoked_sign_in_fails_msals_refresh(emu: Emulator, public_app: AppFactory) -> None:
    app = public_app(emu)
    assert "access_token" in app.acquire_token_by_device_flow(app.initiate_device_flow(scopes=SCOPES))
    (account,) = app.get_accounts()

    emu.app.identity.revoke_refresh_tokens(ADELE["upn"])

    result = app.acquire_token_silent_with_error(SCOPES, account=account, force_refresh=True)
    assert result is not None and result["error"] == "invalid_grant"
    assert 50173 in result["error_codes"]


def test_bare_scopes_hit_msals_cache_too(emu: Emulator, public_app: AppFactory) -> None:
    app = public_app(emu)
    result = app.acquire_token_by_device_flow(app.initiate_device_flow(scopes=["User.Read"]))
    assert "access_token" in result, result.get("error_description")
    assert claims(result["access_token"])["scp"] == "User.Read openid profile"

    silent = app.acquire_token_silent(["User.Read"], account=app.get_accounts()[0])
    assert silent is not None and silent["access_token"] == result["access_token"]


def test_password_grant_signs_in_a_seeded_user(emu: Emulator, public_app: AppFactory) -> None:
    app = public_app(emu, http_client=PortKeepingSession(emu))
    with pytest.warns(DeprecationWarning):  # MSAL deprecates ROPC for public clients; it still works
        result = app.acquire_token_by_username_password(PAT["upn"], "correct horse", scopes=SCOPES)

    assert "access_token" in result, result.get("error_description")
    token_claims = claims(result["access_token"])
    assert (token_claims["oid"], token_claims["upn"]) == (PAT["id"], PAT["upn"])
    assert list_certifications(emu, result["access_token"]).status_code == 200


def test_wrong_password_is_invalid_grant(emu: Emulator, public_app: AppFactory) -> None:
    app = public_app(emu, http_client=PortKeepingSession(emu))
    with pytest.warns(DeprecationWarning):
        result = app.acquire_token_by_username_password(PAT["upn"], "wrong", scopes=SCOPES)

    assert result["error"] == "invalid_grant"
    assert 50126 in result["error_codes"]


def test_client_credentials_token_is_refused_by_graph(emu: Emulator) -> None:
    app = msal.ConfidentialClientApplication(
        CLIENT_ID,
        client_credential="not-checked-secret",
        authority=f"{emu.url}/{emu.tenant_id}",
        instance_discovery=False,
        verify=emu.ca_file,
    )
    try:
        result = app.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    finally:
        app.http_client.close()

    assert "access_token" in result, result.get("error_description")
    token_claims = claims(result["access_token"])
    assert token_claims["roles"] == ["User.ReadWrite.All"]
    assert "scp" not in token_claims and "oid" not in token_claims
    response = list_certifications(emu, result["access_token"])
    assert response.status_code == 403  # contract §4: application permissions are not supported


def test_manual_device_code_approval(manual_emu: Emulator, public_app: AppFactory) -> None:
    app = public_app(manual_emu)
    flow = app.initiate_device_flow(scopes=SCOPES)
    outcome: dict[str, Any] = {}
    poller = threading.Thread(target=lambda: outcome.update(app.acquire_token_by_device_flow(flow)))
    poller.start()
    time.sleep(0.3)  # let MSAL's first poll see authorization_pending
    manual_emu.app.identity.approve(flow["user_code"], PAT["upn"])
    poller.join(timeout=10)

    assert "access_token" in outcome, outcome.get("error_description")
    assert outcome["id_token_claims"]["preferred_username"] == PAT["upn"]


def test_declined_device_code(manual_emu: Emulator, public_app: AppFactory) -> None:
    app = public_app(manual_emu)
    flow = app.initiate_device_flow(scopes=SCOPES)
    manual_emu.app.identity.decline(flow["user_code"])

    result = app.acquire_token_by_device_flow(flow)

    assert result["error"] == "authorization_declined"
    assert "access_token" not in result
