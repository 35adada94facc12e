"""Interactive (browser) sign-in end to end: MSAL's `acquire_token_interactive` against the emulator over a
socket, with a stand-in for the person at the browser (contract §9).

MSAL opens the sign-in page through Python's `webbrowser` module and waits on a loopback listener of its own
for the answer (`response_mode=form_post`). `Person` is a browser registered with `webbrowser` (its documented
`register(..., preferred=True)`) that does what a person does: open the page, type a user name and password,
press a button, and let the page post its answer to MSAL's listener. When no test has a person at the browser
it declines, and `webbrowser` goes on to the next browser, so registering it changes nothing for other tests.
"""

from __future__ import annotations

import json
import logging
import threading
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import msal
import pytest
from html_form import FormReader

import certnb
from certnb.emulator.server import Emulator
from certnb.errors import SignInDeclined, SignInExpired
from certnb.graph import urls
from certnb.graph.auth import GraphAuth, token_claims
from certnb.session.connect import EMULATOR_CLIENT_ID, GraphTarget, _sign_in_session
from certnb.session.options import SignIn
from certnb.session.sign_in import MsalTokens, TokenCacheFile, sign_in

ADELE = "adele@contoso.example"
PAT = "pat.o'brien@contoso.example"
SEED: dict[str, Any] = {
    "tenant": {"id": "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901", "domain": "contoso.example"},
    "defaultUser": ADELE,
    "users": [
        {"id": "1a2b3c4d-1111-4e5f-8a9b-0c1d2e3f4a5b", "userPrincipalName": ADELE, "certifications": []},
        {
            "id": "1a2b3c4d-2222-4e5f-8a9b-0c1d2e3f4a5b",
            "userPrincipalName": PAT,
            "password": "correct horse",
            "certifications": [],
        },
    ],
}
SCOPES = ["https://graph.microsoft.com/User.ReadWrite"]


@dataclass
class Visit:
    """What one person does at the sign-in page: `passwords` typed in turn, then `action`; or nothing."""

    emu: Emulator
    login: str | None = None
    passwords: list[str] = field(default_factory=list)
    action: str = "sign_in"
    idle: bool = False  # opens the page and walks away
    seen: list[str] = field(default_factory=list)  # the addresses the browser was sent to
    pages: list[str] = field(default_factory=list)  # what the person saw
    done: threading.Event = field(default_factory=threading.Event)
    failure: BaseException | None = None


class Person(webbrowser.BaseBrowser):
    """A stand-in browser with a person at it, for the visit a test sets up (else it declines)."""

    def __init__(self) -> None:
        super().__init__("certnb-test-person")
        self.visit: Visit | None = None

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        visit = self.visit
        if visit is None:
            return False  # not ours: let webbrowser try the next browser
        visit.seen.append(url)
        # A browser runs beside the app: MSAL starts serving its listener only once this returns.
        threading.Thread(target=self._browse, args=(visit, url), daemon=True).start()
        return True

    def _browse(self, visit: Visit, url: str) -> None:
        try:
            with httpx.Client(verify=visit.emu.verify(), timeout=30) as browser:
                page = browser.get(url)
                visit.pages.append(page.text)
                if visit.idle:
                    return
                passwords = list(visit.passwords) or [""]
                while "hiddenform" not in page.text:  # still the sign-in page
                    form = FormReader(page.text)
                    assert form.action is not None, page.text
                    fields = {**form.fields, "passwd": passwords.pop(0), "action": visit.action}
                    if visit.login is not None:
                        fields["login"] = visit.login
                    page = browser.post(str(page.url.join(form.action)), data=fields)
                    visit.pages.append(page.text)
                answer = FormReader(page.text)  # the form_post page, which a browser submits by script
                assert answer.action is not None
                landing = browser.post(answer.action, data=answer.fields)
                visit.pages.append(landing.text)
        except BaseException as err:  # reported by the test, which runs on another thread
            visit.failure = err
        finally:
            visit.done.set()


@pytest.fixture(scope="module")
def person() -> Person:
    """The one `Person` registered with `webbrowser` for this process (registrations cannot be undone)."""
    registered = webbrowser.get("certnb-test-person") if _registered() else None
    if isinstance(registered, Person):
        return registered
    browser = Person()
    webbrowser.register("certnb-test-person", None, browser, preferred=True)
    return browser


def _registered() -> bool:
    try:
        webbrowser.get("certnb-test-person")
    except webbrowser.Error:
        return False
    return True


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


@pytest.fixture
def at_browser(person: Person, emu: Emulator) -> Iterator[Visit]:
    """A person at the browser for this test; `visit.login` etc. say what they will do."""
    emu.app.identity.set_browser_session(None)
    visit = Visit(emu)
    person.visit = visit
    yield visit
    person.visit = None
    emu.app.identity.set_browser_session(None)
    if visit.seen:
        visit.done.wait(10)
    if visit.failure is not None:
        raise visit.failure


def msal_app(emu: Emulator) -> msal.PublicClientApplication:
    return msal.PublicClientApplication(
        EMULATOR_CLIENT_ID,
        authority=emu.authority(),
        instance_discovery=False,
        http_client=emu.sign_in_protocol().http_client(),
    )


def claims_of(token: str) -> dict[str, Any]:
    claims = token_claims(token)
    assert claims is not None
    return claims


# ---------------------------------------------------------------------------------------------- MSAL itself
def test_msal_interactive_sign_in_with_a_password(emu: Emulator, at_browser: Visit) -> None:
    at_browser.login, at_browser.passwords = PAT, ["correct horse"]
    app = msal_app(emu)

    result = app.acquire_token_interactive(SCOPES, timeout=30)

    assert "access_token" in result, result
    assert claims_of(result["access_token"])["upn"] == PAT
    assert result["id_token_claims"]["preferred_username"] == PAT
    (opened,) = at_browser.seen
    sent = {name: values[0] for name, values in parse_qs(urlsplit(opened).query).items()}
    assert opened.startswith(f"{emu.url}/{emu.tenant_id}/oauth2/v2.0/authorize?")
    assert (sent["response_mode"], sent["code_challenge_method"]) == ("form_post", "S256")
    assert sent["redirect_uri"].startswith("http://localhost:")
    assert "Authentication complete" in at_browser.pages[-1]  # MSAL's listener took the answer
    # The refresh token came too: MSAL renews silently, without the browser.
    (account,) = app.get_accounts(username=PAT)
    renewed = app.acquire_token_silent_with_error(SCOPES, account=account, force_refresh=True)
    assert renewed is not None and claims_of(renewed["access_token"])["upn"] == PAT


def test_wrong_password_then_the_right_one(emu: Emulator, at_browser: Visit) -> None:
    at_browser.login, at_browser.passwords = PAT, ["battery staple", "correct horse"]

    result = msal_app(emu).acquire_token_interactive(SCOPES, timeout=30)

    assert claims_of(result["access_token"])["upn"] == PAT
    assert "invalid username or password" in at_browser.pages[1]


def test_a_signed_in_browser_needs_nobody_at_the_page(emu: Emulator, at_browser: Visit) -> None:
    emu.app.identity.set_browser_session(ADELE)

    result = msal_app(emu).acquire_token_interactive(SCOPES, timeout=30)

    assert claims_of(result["access_token"])["upn"] == ADELE
    assert "hiddenform" in at_browser.pages[0]  # the first page was already the answer


# ---------------------------------------------------------------------------------------------- certnb's path
def test_certnb_sign_in_opens_a_graph_session(emu: Emulator, at_browser: Visit) -> None:
    at_browser.passwords = ["correct horse"]  # the login is pre-filled from login_hint
    options = SignIn(username=PAT, timeout=30.0)
    target = GraphTarget(emu.graph_url, None, ("User.ReadWrite",), emu.ca_file or True)

    with _sign_in_session(
        msal_app(emu), SCOPES, "interactive", options, None, target, {"transport": None}
    ) as graph:
        assert graph.account == PAT
        assert graph.get(urls.certifications_path(None)) is not None

    sent = parse_qs(urlsplit(at_browser.seen[0]).query)
    assert sent["login_hint"] == [PAT]


def test_cancel_at_the_page_is_declined(emu: Emulator, at_browser: Visit) -> None:
    at_browser.action = "cancel"

    with pytest.raises(SignInDeclined, match="declined"):
        sign_in(msal_app(emu), SCOPES, method="interactive", timeout=30)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_nobody_signing_in_is_bounded_by_the_timeout(emu: Emulator, at_browser: Visit) -> None:
    # MSAL's listener thread ends its wait by raising (msal/oauth2cli/authcode.py, handle_timeout).
    at_browser.idle = True

    with pytest.raises(SignInExpired, match="within 2 s"):
        sign_in(msal_app(emu), SCOPES, method="interactive", timeout=2)


def test_no_token_in_reprs_logs_or_errors(
    emu: Emulator, at_browser: Visit, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: certnb, httpx, msal, the emulator
    at_browser.login, at_browser.passwords = PAT, ["correct horse"]
    cache = TokenCacheFile(tmp_path / "cache.bin")
    app = msal.PublicClientApplication(
        EMULATOR_CLIENT_ID,
        authority=emu.authority(),
        instance_discovery=False,
        http_client=emu.sign_in_protocol().http_client(),
        token_cache=cache.cache,
    )

    account, result = sign_in(app, SCOPES, method="interactive", timeout=30)
    cache.save()
    tokens = MsalTokens(app, SCOPES, account, result, cache)

    secrets = [str(result["access_token"]), str(result["refresh_token"])]
    secrets += [t["secret"] for t in json.loads(cache.path.read_text())["RefreshToken"].values()]
    outputs = [repr(tokens), repr(GraphAuth(tokens)), repr(app), repr(emu.app.identity), caplog.text]
    assert "authorize" in caplog.text  # MSAL did log the browser sign-in
    for secret in secrets:
        for output in outputs:
            assert secret not in output


# ---------------------------------------------------------------------------------------------- connect()
def test_connect_with_auth_interactive_uses_the_browser(emu: Emulator, at_browser: Visit) -> None:
    at_browser.login, at_browser.passwords = PAT, ["correct horse"]

    with certnb.connect(emulator=emu, auth="interactive", sign_in_timeout=30) as graph:
        assert graph.account == PAT
    assert at_browser.seen
