"""Discovery, the device-code endpoint and the HTML sign-in page, spoken to with plain httpx (contract §9)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from certnb.emulator.server import Emulator

TENANT_ID = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"
DOMAIN = "northwind.example"
ALEX = {"id": "5e6f7a8b-1111-4d0e-9f1a-2b3c4d5e6f7a", "upn": "alex@northwind.example"}
RENEE = {"id": "5e6f7a8b-2222-4d0e-9f1a-2b3c4d5e6f7a", "upn": "renée.o'hara&co@northwind.example"}
SEED: dict[str, Any] = {
    "tenant": {"id": TENANT_ID, "domain": DOMAIN},
    "users": [
        {
            "id": ALEX["id"],
            "userPrincipalName": ALEX["upn"],
            "displayName": "Alex Wilber",
            "certifications": [],
        },
        {
            "id": RENEE["id"],
            "userPrincipalName": RENEE["upn"],
            "displayName": "Renée <O'Hara>",
            "password": "s3cret",
            "certifications": [],
        },
    ],
}
CLIENT_ID = "2f3e4d5c-6b7a-4988-8776-655443322110"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """Device codes wait for the sign-in page (no auto-approval)."""
    with Emulator(seed=SEED, device_code_auto_approve=False, device_code_interval_s=1) as running:
        yield running


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.url, verify=emu.verify()) as http:
        yield http


def start(client: httpx.Client, tenant: str = TENANT_ID) -> dict[str, Any]:
    response = client.post(
        f"/{tenant}/oauth2/v2.0/devicecode", data={"client_id": CLIENT_ID, "scope": "User.Read"}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def poll(client: httpx.Client, device_code: str) -> httpx.Response:
    form = {"grant_type": DEVICE_CODE_GRANT, "client_id": CLIENT_ID, "device_code": device_code}
    return client.post(f"/{TENANT_ID}/oauth2/v2.0/token", data=form)


def error_of(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    return str(response.json()["error"])


# ---------------------------------------------------------------------------------------------- discovery
@pytest.mark.parametrize("tenant", [TENANT_ID, TENANT_ID.upper(), DOMAIN, "organizations", "common"])
def test_openid_configuration_points_at_this_server(client: httpx.Client, emu: Emulator, tenant: str) -> None:
    response = client.get(f"/{tenant}/v2.0/.well-known/openid-configuration")

    assert response.status_code == 200
    config = response.json()
    segment = tenant if tenant in ("organizations", "common") else TENANT_ID
    assert config["token_endpoint"] == f"{emu.url}/{segment}/oauth2/v2.0/token"
    assert config["device_authorization_endpoint"] == f"{emu.url}/{segment}/oauth2/v2.0/devicecode"
    assert config["authorization_endpoint"] == f"{emu.url}/{segment}/oauth2/v2.0/authorize"
    assert config["end_session_endpoint"].startswith(emu.url)
    issuer_tenant = "{tenantid}" if segment != TENANT_ID else TENANT_ID
    assert config["issuer"] == f"{emu.url}/{issuer_tenant}/v2.0"
    assert client.get(config["jwks_uri"]).json() == {"keys": []}


def test_unknown_tenant_is_aadsts90002(client: httpx.Client) -> None:
    response = client.get("/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")

    assert response.status_code == 400
    body = response.json()
    assert (body["error"], body["error_codes"]) == ("invalid_tenant", [90002])
    assert body["error_description"].startswith("AADSTS90002: Tenant 'contoso.onmicrosoft.com' not found.")
    assert client.post("/consumers/oauth2/v2.0/token", data={}).json()["error_codes"] == [90002]


def test_user_realm_says_managed(client: httpx.Client) -> None:
    assert client.get(f"/common/userrealm/{ALEX['upn']}").json()["account_type"] == "Managed"


# ---------------------------------------------------------------------------------------------- device code
def test_device_code_answer(client: httpx.Client, emu: Emulator) -> None:
    flow = start(client, tenant=DOMAIN)

    assert flow["verification_uri"] == f"{emu.url}/devicelogin"
    assert (flow["interval"], flow["expires_in"]) == (1, 900)
    assert len(flow["user_code"]) == 9 and flow["user_code"].isalnum()
    assert flow["user_code"] in flow["message"] and flow["verification_uri"] in flow["message"]
    assert error_of(poll(client, flow["device_code"])) == "authorization_pending"


def test_device_code_endpoint_refuses_a_bad_scope(client: httpx.Client) -> None:
    response = client.post(
        f"/{TENANT_ID}/oauth2/v2.0/devicecode",
        data={"client_id": CLIENT_ID, "scope": "https://vault.azure.net/user_impersonation"},
    )

    assert error_of(response) == "invalid_resource"


def test_unknown_device_code_is_bad_verification_code(client: httpx.Client) -> None:
    assert error_of(poll(client, "no-such-device-code")) == "bad_verification_code"


def test_device_code_expires(client: httpx.Client, emu: Emulator) -> None:
    emu.app.config.device_code_expires_s = 1
    try:
        flow = start(client)
    finally:
        emu.app.config.device_code_expires_s = 900
    time.sleep(1.05)

    assert error_of(poll(client, flow["device_code"])) == "expired_token"
    page = client.post(
        "/devicelogin", data={"code": flow["user_code"], "user": ALEX["upn"], "action": "approve"}
    )
    assert page.status_code == 400


# ---------------------------------------------------------------------------------------------- sign-in page
def test_page_lists_seeded_users_escaped(client: httpx.Client) -> None:
    page = client.get(f"/{TENANT_ID}/oauth2/deviceauth", params={"otc": "ABC"})

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'value="ABC"' in page.text
    assert "Renée &lt;O&#x27;Hara&gt;" in page.text
    assert "renée.o&#x27;hara&amp;co@northwind.example" in page.text


def test_page_approves(client: httpx.Client) -> None:
    flow = start(client)
    code = flow["user_code"].lower()  # people type codes any way

    page = client.post("/devicelogin", data={"code": code, "user": ALEX["upn"], "action": "approve"})

    assert page.status_code == 200 and "You have signed in" in page.text
    answer = poll(client, flow["device_code"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"] == "User.Read"
    assert error_of(poll(client, flow["device_code"])) == "bad_verification_code"  # redeemed once only


def test_page_declines(client: httpx.Client) -> None:
    flow = start(client)

    page = client.post(
        f"/{TENANT_ID}/oauth2/deviceauth", data={"code": flow["user_code"], "action": "decline"}
    )

    assert page.status_code == 200 and "declined" in page.text
    assert error_of(poll(client, flow["device_code"])) == "authorization_declined"


def test_page_checks_a_seeded_password(client: httpx.Client) -> None:
    flow = start(client)
    form = {"code": flow["user_code"], "user": RENEE["upn"], "action": "approve"}

    wrong = client.post("/devicelogin", data={**form, "password": "guess"})
    assert wrong.status_code == 400 and "invalid username or password" in wrong.text
    assert error_of(poll(client, flow["device_code"])) == "authorization_pending"

    right = client.post("/devicelogin", data={**form, "password": "s3cret"})
    assert right.status_code == 200
    assert poll(client, flow["device_code"]).status_code == 200


@pytest.mark.parametrize(
    "form",
    [
        {"code": "NOSUCHCODE", "user": ALEX["upn"], "action": "approve"},
        {"code": "NOSUCHCODE", "action": "decline"},
    ],
)
def test_page_refuses_an_unknown_code(client: httpx.Client, form: dict[str, str]) -> None:
    page = client.post("/devicelogin", data=form)

    assert page.status_code == 400 and "not valid" in page.text


def test_page_refuses_an_unknown_user(client: httpx.Client) -> None:
    flow = start(client)

    page = client.post(
        "/devicelogin", data={"code": flow["user_code"], "user": "ghost@x", "action": "approve"}
    )

    assert page.status_code == 400
    assert error_of(poll(client, flow["device_code"])) == "authorization_pending"


def test_tenant_without_users_leaves_device_codes_pending() -> None:
    empty = {"tenant": {"id": TENANT_ID, "domain": DOMAIN}, "users": []}
    with Emulator(seed=empty) as lonely, httpx.Client(base_url=lonely.url, verify=lonely.verify()) as http:
        flow = start(http)  # auto-approval is on, but nobody is there to approve

        assert error_of(poll(http, flow["device_code"])) == "authorization_pending"
