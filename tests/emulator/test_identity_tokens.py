"""Access and refresh tokens: what they claim, and every way Graph refuses one with 401 (contract §3, §4, §9).

Token requests go straight to the token endpoint with httpx (the password grant is the shortest sign-in), so
each case shows the exact form and answer.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from certnb.emulator.server import Emulator

TENANT_ID = "7a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d"
ADELE = {"id": "1d9b2e8f-1111-4c3d-8e4f-5a6b7c8d9e0f", "upn": "adele@fabrikam.example"}
MEGAN = {"id": "1d9b2e8f-2222-4c3d-8e4f-5a6b7c8d9e0f", "upn": "megan@fabrikam.example"}
SEED: dict[str, Any] = {
    "tenant": {"id": TENANT_ID, "domain": "fabrikam.example"},
    "users": [
        {"id": u["id"], "userPrincipalName": u["upn"], "displayName": name, "certifications": []}
        for u, name in ((ADELE, "Adele Vance"), (MEGAN, "Megan Bowen"))
    ],
}
CLIENT_ID = "9c8b7a6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"
GRAPH_SCOPE = "https://graph.microsoft.com/User.ReadWrite.All offline_access openid profile"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


def token_request(emu: Emulator, form: dict[str, str], **headers: str) -> httpx.Response:
    return httpx.post(
        f"{emu.url}/{emu.tenant_id}/oauth2/v2.0/token",
        data=form,
        headers=headers,
        verify=emu.verify(),
    )


def sign_in(emu: Emulator, upn: str = ADELE["upn"], scope: str = GRAPH_SCOPE, **extra: str) -> dict[str, Any]:
    form = {
        "grant_type": "password",
        "client_id": CLIENT_ID,
        "username": upn,
        "password": "x",
        "scope": scope,
    }
    response = token_request(emu, {**form, **extra})
    assert response.status_code == 200, response.text
    return dict(response.json())


def refresh(emu: Emulator, refresh_token: str, client_id: str = CLIENT_ID) -> httpx.Response:
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": refresh_token}
    return token_request(emu, {**form, "scope": GRAPH_SCOPE})


def graph_get(emu: Emulator, authorization: str | None) -> httpx.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    return httpx.get(f"{emu.graph_url}/me/profile/certifications", headers=headers, verify=emu.verify())


def claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def assert_unauthenticated(response: httpx.Response, message_part: str) -> None:
    assert response.status_code == 401, response.text
    error = response.json()["error"]
    assert error["code"] == "InvalidAuthenticationToken"
    assert message_part in error["message"]


# ---------------------------------------------------------------------------------------------- claims
@pytest.mark.parametrize(
    ("scope", "audience", "scp", "echoed"),
    [
        ("User.Read", "https://graph.microsoft.com", "User.Read", "User.Read"),
        (
            "https://graph.microsoft.com/User.Read https://graph.microsoft.com/User.ReadWrite openid",
            "https://graph.microsoft.com",
            "User.Read User.ReadWrite openid",
            "https://graph.microsoft.com/User.Read https://graph.microsoft.com/User.ReadWrite openid",
        ),
        (
            "https://graph.microsoft.us/User.ReadWrite.All offline_access",
            "https://graph.microsoft.us",
            "User.ReadWrite.All",
            "https://graph.microsoft.us/User.ReadWrite.All offline_access",
        ),
        (
            "https://microsoftgraph.chinacloudapi.cn/.default",
            "https://microsoftgraph.chinacloudapi.cn",
            "User.ReadWrite.All",
            "https://microsoftgraph.chinacloudapi.cn/.default https://microsoftgraph.chinacloudapi.cn/User.ReadWrite.All",
        ),
    ],
)
def test_scp_lists_the_requested_scopes_bare(
    emu: Emulator, scope: str, audience: str, scp: str, echoed: str
) -> None:
    answer = sign_in(emu, scope=scope)

    token_claims = claims(answer["access_token"])
    assert (token_claims["aud"], token_claims["scp"]) == (audience, scp)
    assert answer["scope"] == echoed  # verbatim, so MSAL's cache hits next time
    assert graph_get(emu, f"Bearer {answer['access_token']}").status_code != 401


def test_delegated_token_claims(emu: Emulator) -> None:
    answer = sign_in(emu, client_info="1")

    token_claims = claims(answer["access_token"])
    assert token_claims["iss"] == f"https://sts.windows.net/{TENANT_ID}/"
    assert (token_claims["tid"], token_claims["oid"], token_claims["upn"]) == (
        TENANT_ID,
        ADELE["id"],
        ADELE["upn"],
    )
    assert (token_claims["name"], token_claims["appid"]) == ("Adele Vance", CLIENT_ID)
    assert token_claims["exp"] - token_claims["iat"] == answer["expires_in"] == 3600
    assert "roles" not in token_claims
    id_claims = claims(answer["id_token"])
    assert id_claims["aud"] == CLIENT_ID and id_claims["ver"] == "2.0"
    assert id_claims["iss"] == f"{emu.url}/{TENANT_ID}/v2.0"
    assert (id_claims["oid"], id_claims["preferred_username"]) == (ADELE["id"], ADELE["upn"])
    client_info = json.loads(base64.urlsafe_b64decode(answer["client_info"] + "==="))
    assert client_info == {"uid": ADELE["id"], "utid": TENANT_ID}
    assert answer["token_type"] == "Bearer"


def test_refresh_and_id_tokens_only_when_asked(emu: Emulator) -> None:
    answer = sign_in(emu, scope="User.Read")

    assert "refresh_token" not in answer and "id_token" not in answer and "client_info" not in answer


# ---------------------------------------------------------------------------------------------- 401s
def test_missing_or_non_bearer_authorization_is_401(emu: Emulator) -> None:
    assert_unauthenticated(graph_get(emu, None), "Access token is empty.")
    assert_unauthenticated(graph_get(emu, "Bearer"), "Access token is empty.")
    assert_unauthenticated(graph_get(emu, "Basic dXNlcjpwYXNz"), "Bearer")


def test_malformed_token_is_401(emu: Emulator) -> None:
    assert_unauthenticated(graph_get(emu, "Bearer not-a-jwt"), "CompactToken parsing failed")
    assert_unauthenticated(graph_get(emu, "Bearer a.b.c"), "CompactToken parsing failed")


def test_tampered_token_is_401(emu: Emulator) -> None:
    header, payload, signature = sign_in(emu, scope="User.Read")["access_token"].split(".")
    forged = dict(claims(f"{header}.{payload}.{signature}"), scp="User.ReadWrite.All")
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()

    response = graph_get(emu, f"Bearer {header}.{forged_payload}.{signature}")

    assert_unauthenticated(response, "Invalid signature")


def test_token_of_another_emulator_is_401(emu: Emulator) -> None:
    with Emulator(seed=SEED) as other:  # same tenant, different signing key
        foreign = sign_in(other)["access_token"]
    assert graph_get(emu, f"Bearer {sign_in(emu)['access_token']}").status_code == 200

    assert_unauthenticated(graph_get(emu, f"Bearer {foreign}"), "Invalid signature")


def test_id_token_is_not_an_access_token(emu: Emulator) -> None:
    id_token = sign_in(emu)["id_token"]

    assert_unauthenticated(graph_get(emu, f"Bearer {id_token}"), "Invalid audience")


def test_expired_token_is_401() -> None:
    with Emulator(seed=SEED, token_lifetime_s=2) as short_lived:
        answer = sign_in(short_lived)
        assert answer["expires_in"] == 2
        token = f"Bearer {answer['access_token']}"
        assert graph_get(short_lived, token).status_code == 200  # verified, and cached until `exp`
        time.sleep(max(0.0, claims(answer["access_token"])["exp"] - time.time()) + 0.05)

        response = graph_get(short_lived, token)

        assert_unauthenticated(response, "Lifetime validation failed, the token is expired.")


def test_expire_access_tokens_hook(emu: Emulator) -> None:
    old = sign_in(emu)["access_token"]
    assert graph_get(emu, f"Bearer {old}").status_code == 200  # now cached as verified

    emu.app.identity.expire_access_tokens()

    assert_unauthenticated(graph_get(emu, f"Bearer {old}"), "expired")
    assert graph_get(emu, f"Bearer {sign_in(emu)['access_token']}").status_code == 200


# ------------------------------------------------------------------------------------------ refresh tokens
def test_refresh_token_rotates(emu: Emulator) -> None:
    first = sign_in(emu)
    second = refresh(emu, first["refresh_token"])

    assert second.status_code == 200, second.text
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert claims(second.json()["access_token"])["oid"] == ADELE["id"]
    assert refresh(emu, first["refresh_token"]).status_code == 200  # as the platform: the old one stays valid


def test_revoked_refresh_token_is_invalid_grant(emu: Emulator) -> None:
    adele, megan = sign_in(emu), sign_in(emu, upn=MEGAN["upn"])

    assert emu.app.identity.revoke_refresh_tokens(ADELE["upn"]) >= 1

    response = refresh(emu, adele["refresh_token"])
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert response.json()["error_codes"] == [50173]
    assert refresh(emu, megan["refresh_token"]).status_code == 200


def test_lapsed_refresh_token_is_invalid_grant_700082_saying_when_it_was_issued() -> None:
    with Emulator(seed=SEED, refresh_token_lifetime_s=1) as short_lived:
        token = sign_in(short_lived)["refresh_token"]
        assert refresh(short_lived, token).status_code == 200
        time.sleep(1.05)

        response = refresh(short_lived, token)

    body = response.json()
    assert response.status_code == 400 and body["error"] == "invalid_grant"
    assert body["error_codes"] == [700082]
    assert body["error_description"].startswith(
        "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on ")
    assert "Z and was inactive for 0.00:00:01." in body["error_description"]


def test_refresh_token_of_another_client_is_invalid_grant(emu: Emulator) -> None:
    answer = sign_in(emu)

    response = refresh(emu, answer["refresh_token"], client_id="another-client")

    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert (refresh(emu, "1.garbage").status_code, refresh(emu, "1.garbage").json()["error"]) == (
        400,
        "invalid_grant",
    )


# ---------------------------------------------------------------------------------------------- refusals
def test_identity_error_body_has_the_platform_shape(emu: Emulator) -> None:
    response = token_request(emu, {"client_id": CLIENT_ID}, **{"client-request-id": "abc-123"})

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request" and body["error_codes"] == [900144]
    assert (
        body["error_description"].startswith("AADSTS900144:") and "'grant_type'" in body["error_description"]
    )
    assert body["correlation_id"] == "abc-123"
    assert {"timestamp", "trace_id"} <= set(body)


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "urn:ietf:params:oauth:grant-type:saml1_1-bearer"}, 400, "unsupported_grant_type"),
        (
            {
                "grant_type": "password",
                "username": "nobody@fabrikam.example",
                "password": "x",
                "scope": "User.Read",
            },
            400,
            "invalid_grant",
        ),
        (
            {
                "grant_type": "password",
                "username": ADELE["upn"],
                "password": "x",
                "scope": "https://outlook.office.com/Mail.Read",
            },
            400,
            "invalid_resource",
        ),
        (
            {
                "grant_type": "password",
                "username": ADELE["upn"],
                "password": "x",
                "scope": "https://graph.microsoft.com/User.Read https://graph.microsoft.us/User.Read",
            },
            400,
            "invalid_scope",
        ),
        (
            {"grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default"},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": "client_credentials", "client_secret": "s", "scope": "User.Read"},
            400,
            "invalid_scope",
        ),
    ],
)
def test_token_endpoint_refusals(emu: Emulator, form: dict[str, str], status: int, error: str) -> None:
    response = token_request(emu, {"client_id": CLIENT_ID, **form})

    assert (response.status_code, response.json()["error"]) == (status, error)


def test_secrets_stay_out_of_reprs(emu: Emulator) -> None:
    identity = emu.app.identity
    answer = sign_in(emu)
    texts = [repr(identity), repr(vars(identity))]

    for secret in (answer["access_token"], answer["refresh_token"]):
        assert all(secret not in text for text in texts)


def test_public_surface() -> None:
    import certnb.emulator.identity as identity

    assert identity.__all__ == sorted(identity.__all__) == ["Identity", "SignInError"]
