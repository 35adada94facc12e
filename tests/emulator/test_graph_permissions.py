"""Who may read and write which profile: delegated scopes, own vs another user's, app-only (contract §4)."""

from __future__ import annotations

import httpx
import pytest
from graph_seed import ADELE, PATRICK, Signer, app_token, segment

from certnb.emulator.server import Emulator

DENIED = (403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
OWN_BY = {"me": "/me", "id": f"/users/{ADELE['id']}", "upn": f"/users/{segment(ADELE['upn'].upper())}"}
OTHER = f"/users/{PATRICK['id']}"
OTHER_BY_UPN = f"/users/{segment(PATRICK['upn'])}"

READ_OWN = ["User.Read", "User.ReadWrite", "User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All"]
READ_OTHER = ["User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All"]
WRITE_OWN = ["User.ReadWrite", "User.ReadWrite.All"]
ALL_SCOPES = sorted(set(READ_OWN))


def outcome(response: httpx.Response) -> tuple[int, str, str] | int:
    if response.status_code < 400:
        return response.status_code
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


def operations(client: httpx.Client, root: str, cert_id: str) -> dict[str, httpx.Response]:
    certs = f"{root}/profile/certifications"
    return {
        "list": client.get(certs),
        "get": client.get(f"{certs}/{cert_id}"),
        "patch": client.patch(f"{certs}/{cert_id}", json={"description": "checked"}),
        "post": client.post(certs, json={"displayName": "new"}),
        "delete": client.delete(f"{certs}/{cert_id}"),
    }


@pytest.mark.parametrize("scope", ALL_SCOPES)
@pytest.mark.parametrize("addressed", sorted(OWN_BY))
def test_own_profile(signed_in: Signer, fresh: Emulator, scope: str, addressed: str) -> None:
    answers = operations(signed_in(scopes=scope), OWN_BY[addressed], "cert-01")
    can_read, can_write = scope in READ_OWN, scope in WRITE_OWN
    assert outcome(answers["list"]) == (200 if can_read else DENIED)
    assert outcome(answers["get"]) == (200 if can_read else DENIED)
    assert outcome(answers["patch"]) == (200 if can_write else DENIED)
    assert outcome(answers["post"]) == (201 if can_write else DENIED)
    assert outcome(answers["delete"]) == (204 if can_write else DENIED)


@pytest.mark.parametrize("scope", ALL_SCOPES)
@pytest.mark.parametrize("root", [OTHER, OTHER_BY_UPN])
def test_another_users_profile(signed_in: Signer, fresh: Emulator, scope: str, root: str) -> None:
    answers = operations(signed_in(scopes=scope), root, "cert-20")
    can_read, can_write = scope in READ_OTHER, scope == "User.ReadWrite.All"
    assert outcome(answers["list"]) == (200 if can_read else DENIED)
    assert outcome(answers["get"]) == (200 if can_read else DENIED)
    assert outcome(answers["patch"]) == (200 if can_write else DENIED)
    assert outcome(answers["post"]) == (201 if can_write else DENIED)
    assert outcome(answers["delete"]) == (204 if can_write else DENIED)
    if not can_write:
        state = {u["id"]: u for u in fresh.state()["users"]}
        assert [c["id"] for c in state[PATRICK["id"]]["certifications"]] == ["cert-20"]
        assert state[PATRICK["id"]]["certifications"][0]["description"] is None


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_listing_users_needs_a_directory_scope(signed_in: Signer, fresh: Emulator, scope: str) -> None:
    response = signed_in(scopes=scope).get("/users")
    assert outcome(response) == (200 if scope in READ_OTHER else DENIED)
    assert outcome(signed_in(scopes=scope).get("/me")) == (200 if scope in READ_OWN else DENIED)


def test_unknown_user_is_403_without_a_directory_scope_and_404_with_one(
    signed_in: Signer, fresh: Emulator
) -> None:
    path = "/users/ghost@fabrikam.example/profile/certifications"
    assert outcome(signed_in(scopes="User.ReadWrite").get(path)) == DENIED
    assert signed_in(scopes="User.Read.All").get(path).status_code == 404


def test_a_token_without_graph_scopes_is_refused(signed_in: Signer, fresh: Emulator) -> None:
    assert outcome(signed_in(scopes="openid profile").get("/me/profile/certifications")) == DENIED


def test_app_only_tokens_are_refused_everywhere(fresh: Emulator) -> None:
    headers = {"Authorization": f"Bearer {app_token(fresh)}"}
    with httpx.Client(base_url=fresh.graph_url, headers=headers, verify=fresh.verify()) as app:
        for root in ("/me", OTHER):
            for name, response in operations(app, root, "cert-20").items():
                assert outcome(response) == DENIED, name
        assert outcome(app.get("/users")) == DENIED
    assert fresh.state()["users"][1]["certifications"][0]["description"] is None


def test_missing_token_is_401_before_anything_else(fresh: Emulator) -> None:
    response = httpx.get(f"{fresh.graph_url}/no/such/route", verify=fresh.verify())
    assert response.status_code == 401
