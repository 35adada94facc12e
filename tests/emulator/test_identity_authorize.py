"""The authorization code flow with PKCE, spoken to with plain httpx: the authorize endpoint, its sign-in
page, and the token endpoint's `authorization_code` grant (contract §9)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from html_form import FormReader

from certnb.emulator.identity import SignInError
from certnb.emulator.identity.authorization_codes import AuthorizationCodes
from certnb.emulator.identity.authorization_requests import AuthorizationRequest, s256
from certnb.emulator.server import Emulator
from certnb.graph import urls
from certnb.graph.auth import token_claims

TENANT_ID = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
DOMAIN = "tailspin.example"
ALEX = {"id": "9d8c7b6a-1111-4f5e-8d4c-3b2a1f0e9d8c", "upn": "alex@tailspin.example"}
RENEE = {"id": "9d8c7b6a-2222-4f5e-8d4c-3b2a1f0e9d8c", "upn": "renée.o'hara&co@tailspin.example"}
SEED: dict[str, Any] = {
    "tenant": {"id": TENANT_ID, "domain": DOMAIN},
    "users": [
        {"id": ALEX["id"], "userPrincipalName": ALEX["upn"], "displayName": "Alex", "certifications": []},
        {
            "id": RENEE["id"],
            "userPrincipalName": RENEE["upn"],
            "displayName": "Renée",
            "password": "s3cret",
            "certifications": [],
        },
    ],
}
CLIENT_ID = "4c5d6e7f-8091-4a2b-9c3d-4e5f60718293"
REDIRECT_URI = "http://localhost:8400"
AUTHORIZE = f"/{TENANT_ID}/oauth2/v2.0/authorize"
TOKEN = f"/{TENANT_ID}/oauth2/v2.0/token"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


@pytest.fixture
def client(emu: Emulator) -> Iterator[httpx.Client]:
    emu.app.identity.set_browser_session(None)
    with httpx.Client(base_url=emu.url, verify=emu.verify()) as http:
        yield http
    emu.app.identity.set_browser_session(None)


@pytest.fixture
def verifier() -> str:
    return secrets.token_urlsafe(32)  # 43 characters, as RFC 7636 §4.1 asks


def query(verifier: str, **changes: str | None) -> dict[str, str]:
    """An authorize query as MSAL builds it, with `changes` applied (None removes a parameter)."""
    params: dict[str, str | None] = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "User.Read offline_access openid profile",
        "state": "state-1",
        "nonce": "nonce-1",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
        **changes,
    }
    return {name: value for name, value in params.items() if value is not None}


def sign_in_page(client: httpx.Client, verifier: str, **changes: str | None) -> FormReader:
    page = client.get(AUTHORIZE, params=query(verifier, **changes))
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    return FormReader(page.text)


def submit(client: httpx.Client, form: FormReader, **fields: str) -> httpx.Response:
    assert form.action is not None
    return client.post(form.action, data={**form.fields, **fields})


def answer_of(response: httpx.Response) -> dict[str, str]:
    """The parameters a 302 sends back to the app's redirect URI (which it must point at)."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def code_for(client: httpx.Client, verifier: str, user: dict[str, str] = ALEX, password: str = "") -> str:
    form = sign_in_page(client, verifier)
    answer = answer_of(submit(client, form, login=user["upn"], passwd=password, action="sign_in"))
    assert answer["state"] == "state-1"
    return answer["code"]


def redeem(client: httpx.Client, code: str, verifier: str | None, **changes: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "scope": "User.Read offline_access openid profile",
        "client_info": "1",
        **({"code_verifier": verifier} if verifier is not None else {}),
        **changes,
    }
    return client.post(TOKEN, data=form)


def claims_of(token: str) -> dict[str, Any]:
    claims = token_claims(token)
    assert claims is not None
    return claims


def refusal(response: httpx.Response) -> tuple[str, int]:
    assert response.status_code == 400, response.text
    body = response.json()
    return body["error"], body["error_codes"][0]


# ---------------------------------------------------------------------------------------------- happy path
def test_pkce_vector_of_rfc_7636() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B

    assert s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_sign_in_page_then_code_then_tokens(client: httpx.Client, emu: Emulator, verifier: str) -> None:
    form = sign_in_page(client, verifier, login_hint=RENEE["upn"])
    assert form.action == AUTHORIZE and form.fields["login"] == RENEE["upn"]

    answer = answer_of(submit(client, form, passwd="s3cret", action="sign_in"))
    assert answer["state"] == "state-1" and "error" not in answer
    tokens = redeem(client, answer["code"], verifier)

    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["scope"] == "User.Read offline_access openid profile"
    assert {"access_token", "refresh_token", "id_token", "client_info"} <= set(body)
    claims = claims_of(body["access_token"])
    assert (claims["upn"], claims["oid"], claims["appid"]) == (RENEE["upn"], RENEE["id"], CLIENT_ID)
    id_claims = claims_of(body["id_token"])
    assert id_claims["nonce"] == "nonce-1" and isinstance(id_claims["auth_time"], int)
    me = client.get(
        emu.graph_url + urls.certifications_path(None),
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert me.status_code == 200, me.text
    refreshed = client.post(
        TOKEN,
        data={"grant_type": "refresh_token", "client_id": CLIENT_ID, "refresh_token": body["refresh_token"]},
    )
    assert refreshed.status_code == 200 and claims_of(refreshed.json()["access_token"])["upn"] == RENEE["upn"]


def test_form_post_answers_with_a_self_submitting_form(client: httpx.Client, verifier: str) -> None:
    form = sign_in_page(client, verifier, response_mode="form_post")

    answer = submit(client, form, login=ALEX["upn"], action="sign_in")

    assert answer.status_code == 200 and "document.forms[0].submit()" in answer.text
    posted = FormReader(answer.text)
    assert posted.action == REDIRECT_URI and set(posted.fields) == {"code", "state"}
    assert posted.fields["state"] == "state-1"
    assert redeem(client, posted.fields["code"], verifier).status_code == 200


def test_fragment_mode_puts_the_answer_after_the_hash(client: httpx.Client, verifier: str) -> None:
    form = sign_in_page(client, verifier, response_mode="fragment")

    answer = submit(client, form, login=ALEX["upn"], action="sign_in")

    assert answer.status_code == 302
    assert answer.headers["location"].startswith(REDIRECT_URI + "#code=")


@pytest.mark.parametrize(
    "redirect_uri",
    ["http://127.0.0.1:51004/callback", "http://[::1]:61023", "http://localhost", "http://localhost:1/?x=1"],
)
def test_any_loopback_port_and_path_is_accepted(
    client: httpx.Client, verifier: str, redirect_uri: str
) -> None:
    form = sign_in_page(client, verifier, redirect_uri=redirect_uri)

    answer = submit(client, form, login=ALEX["upn"], action="sign_in")

    assert answer.status_code == 302 and answer.headers["location"].startswith(redirect_uri)
    code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
    assert redeem(client, code, verifier, redirect_uri=redirect_uri).status_code == 200


# ---------------------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("changes", "aadsts"),
    [
        ({"redirect_uri": "https://localhost:8400"}, "AADSTS50011"),
        ({"redirect_uri": "http://app.example:8400"}, "AADSTS50011"),
        ({"redirect_uri": "http://evil.example@localhost:8400"}, "AADSTS50011"),
        ({"redirect_uri": "http://localhost:8400/#x"}, "AADSTS50011"),
        ({"redirect_uri": "urn:ietf:wg:oauth:2.0:oob"}, "AADSTS50011"),
        ({"redirect_uri": None}, "AADSTS900971"),
        ({"client_id": None}, "AADSTS900144"),
    ],
)
def test_untrusted_redirect_gets_an_error_page(
    client: httpx.Client, verifier: str, changes: dict[str, str | None], aadsts: str
) -> None:
    page = client.get(AUTHORIZE, params=query(verifier, **changes))

    assert page.status_code == 400 and "location" not in page.headers
    assert page.headers["content-type"].startswith("text/html") and aadsts in page.text


def test_unknown_tenant_gets_an_error_page(client: httpx.Client, verifier: str) -> None:
    page = client.get("/contoso.example/oauth2/v2.0/authorize", params=query(verifier))

    assert page.status_code == 400 and "AADSTS90002" in page.text and "location" not in page.headers


@pytest.mark.parametrize(
    ("changes", "error", "aadsts"),
    [
        ({"response_type": "token"}, "unsupported_response_type", 700054),
        ({"response_type": None}, "invalid_request", 900144),
        ({"response_mode": "web_message"}, "invalid_request", 70007),
        ({"code_challenge": None}, "invalid_request", 900144),
        ({"code_challenge_method": None}, "invalid_request", 50149),
        ({"code_challenge_method": "plain"}, "invalid_request", 50149),
        ({"code_challenge": "too-short"}, "invalid_request", 501491),
        ({"scope": None}, "invalid_request", 900144),
        ({"scope": "https://vault.azure.net/user_impersonation"}, "invalid_resource", 500011),
        ({"prompt": "none"}, "login_required", 50058),
    ],
)
def test_refusals_go_back_to_the_app(
    client: httpx.Client, verifier: str, changes: dict[str, str | None], error: str, aadsts: int
) -> None:
    answer = answer_of(client.get(AUTHORIZE, params=query(verifier, **changes)))

    assert answer["error"] == error and answer["state"] == "state-1" and "code" not in answer
    assert answer["error_description"].startswith(f"AADSTS{aadsts}:")


def test_cancel_is_access_denied(client: httpx.Client, verifier: str) -> None:
    form = sign_in_page(client, verifier)

    answer = answer_of(submit(client, form, action="cancel"))

    assert (answer["error"], answer["state"]) == ("access_denied", "state-1")
    assert answer["error_description"].startswith("AADSTS65004:")


def test_wrong_password_shows_the_page_again(client: httpx.Client, verifier: str) -> None:
    form = sign_in_page(client, verifier)

    wrong = submit(client, form, login=RENEE["upn"], passwd="guess", action="sign_in")
    assert wrong.status_code == 400 and "AADSTS50126" in wrong.text and "location" not in wrong.headers
    nobody = submit(client, form, login="nobody@tailspin.example", action="sign_in")
    assert nobody.status_code == 400 and "AADSTS50034" in nobody.text

    again = FormReader(wrong.text)
    assert again.fields["login"] == RENEE["upn"] and again.fields["passwd"] == ""
    answer = answer_of(submit(client, again, passwd="s3cret", action="sign_in"))
    assert claims_of(redeem(client, answer["code"], verifier).json()["access_token"])["oid"] == RENEE["id"]


def test_a_sign_in_page_works_once(client: httpx.Client, verifier: str) -> None:
    form = sign_in_page(client, verifier)
    answer_of(submit(client, form, login=ALEX["upn"], action="sign_in"))

    again = submit(client, form, login=ALEX["upn"], action="sign_in")

    assert again.status_code == 400 and "location" not in again.headers and "AADSTS9002313" in again.text


# ---------------------------------------------------------------------------------------------- redemption
def test_code_is_redeemed_once(client: httpx.Client, verifier: str) -> None:
    code = code_for(client, verifier)
    assert redeem(client, code, verifier).status_code == 200

    assert refusal(redeem(client, code, verifier)) == ("invalid_grant", 54005)


@pytest.mark.parametrize("sent", [None, "", "wrong-" + "x" * 40])
def test_wrong_or_missing_verifier_is_refused_and_leaves_the_code(
    client: httpx.Client, verifier: str, sent: str | None
) -> None:
    code = code_for(client, verifier)

    assert refusal(redeem(client, code, sent)) == ("invalid_grant", 501481)
    assert redeem(client, code, verifier).status_code == 200


@pytest.mark.parametrize(
    ("changes", "aadsts"),
    [
        ({"redirect_uri": "http://localhost:8401"}, 70000),
        ({"client_id": "another-app"}, 9002313),
        ({"code": "not-a-code"}, 9002313),
    ],
)
def test_code_is_bound_to_its_client_and_redirect_uri(
    client: httpx.Client, verifier: str, changes: dict[str, str], aadsts: int
) -> None:
    code = code_for(client, verifier)

    sent = changes.pop("code", code)

    assert refusal(redeem(client, sent, verifier, **changes)) == ("invalid_grant", aadsts)


def test_redemption_without_redirect_uri_is_invalid_request(client: httpx.Client, verifier: str) -> None:
    code = code_for(client, verifier)

    assert refusal(redeem(client, code, verifier, redirect_uri="")) == ("invalid_request", 900144)


def test_codes_expire() -> None:
    now = [1_000.0]
    codes = AuthorizationCodes(clock=lambda: now[0])
    verifier = "v" * 43
    request = AuthorizationRequest(
        CLIENT_ID, REDIRECT_URI, "User.Read", None, "query", s256(verifier), None, None, None
    )
    code, pending = codes.issue(request, ALEX["id"]), codes.begin(request)

    now[0] += 600
    with pytest.raises(SignInError) as caught:
        codes.redeem(code, CLIENT_ID, REDIRECT_URI, verifier)
    assert (caught.value.code, caught.value.aadsts) == ("invalid_grant", 70008)
    assert codes.pending(pending) is request  # the page waits longer than a code

    now[0] += 300
    with pytest.raises(SignInError):
        codes.pending(pending)
    assert code not in repr(codes)


# ------------------------------------------------------------------------------------------- browser session
def test_a_signed_in_browser_gets_a_code_at_once(client: httpx.Client, emu: Emulator, verifier: str) -> None:
    emu.app.identity.set_browser_session(RENEE["upn"])

    answer = answer_of(client.get(AUTHORIZE, params=query(verifier)))
    silent = answer_of(client.get(AUTHORIZE, params=query(verifier, prompt="none")))
    forced = client.get(AUTHORIZE, params=query(verifier, prompt="login"))

    for code in (answer["code"], silent["code"]):
        tokens = redeem(client, code, verifier)
        assert claims_of(tokens.json()["access_token"])["upn"] == RENEE["upn"]
    assert forced.status_code == 200 and 'name="passwd"' in forced.text
    with pytest.raises(SignInError):
        emu.app.identity.set_browser_session("nobody@tailspin.example")


def test_secrets_stay_out_of_reprs(client: httpx.Client, emu: Emulator, verifier: str) -> None:
    code = code_for(client, verifier)
    grant = emu.app.identity.authorization_codes.redeem(code, CLIENT_ID, REDIRECT_URI, verifier)

    for text in (repr(grant), repr(emu.app.identity.authorization_codes), repr(emu.app.identity)):
        assert code not in text
