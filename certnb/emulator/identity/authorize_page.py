"""The browser sign-in at `/{tenant}/oauth2/v2.0/authorize`: the authorization code flow with PKCE (§9).

    GET   checks the query (authorization_requests.py), then shows a sign-in page (UPN + password), or answers
          at once when the emulator's browser session is set (`Identity.set_browser_session`), as the platform
          does for a browser that is already signed in
    POST  the page's form: `login`, `passwd`, `action=sign_in|cancel` and the page's hidden `sign_in` id

The answer goes back to the app's loopback `redirect_uri` as the request's `response_mode` asks: a 302 with
`?code=...&state=...` (`query`, the default) or `#...` (`fragment`), or an auto-submitting HTML form POSTed
to it (`form_post`, what MSAL for Python asks for). Refusals go back the same way, as `error=...` and
`error_description=...`; without a trustworthy `redirect_uri` the browser gets an error page instead.

>>> AuthorizePage(tenant, config, AuthorizationCodes()).routes()   # doctest: +SKIP
[Route(path='/{tenant}/oauth2/v2.0/authorize', ...)]
"""

from __future__ import annotations

import uuid
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from certnb.emulator.config import EmulatorConfig
from certnb.emulator.identity.authorization_codes import AuthorizationCodes
from certnb.emulator.identity.authorization_requests import (
    RESPONSE_MODES,
    AuthorizationRequest,
    UntrustedRedirect,
    parse_authorization_request,
    trusted_redirect_uri,
)
from certnb.emulator.identity.endpoints import read_form, tenant_segment
from certnb.emulator.identity.errors import SignInError
from certnb.emulator.identity.grants import check_password

if TYPE_CHECKING:
    from certnb.emulator.tenant import Tenant, User

_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:3em auto}}label{{display:block;margin:.8em 0}}
.error{{color:#a00}}</style></head>
<body><h1>{title}</h1>{body}</body></html>
"""
# The platform's own form_post page: hidden fields, submitted by script (a button when scripts are off).
_FORM_POST = """<!doctype html>
<html><head><title>Working...</title></head><body onload="document.forms[0].submit()">
<form method="POST" name="hiddenform" action="{action}">{fields}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>
</form></body></html>
"""


class AuthorizePage:
    """The authorize endpoint and its sign-in page, for one tenant."""

    def __init__(self, tenant: Tenant, config: EmulatorConfig, codes: AuthorizationCodes) -> None:
        self.tenant = tenant
        self.config = config
        self.codes = codes
        # The user the emulator's "browser" is signed in as (UPN or id), or None: the auto-approve seam.
        self.browser_session: str | None = None

    def __repr__(self) -> str:
        return f"<AuthorizePage tenant={self.tenant.tenant_id} session={self.browser_session!r}>"

    def routes(self) -> list[BaseRoute]:
        """`/{tenant}/oauth2/v2.0/authorize`, GET (start) and POST (the sign-in form)."""
        return [Route("/{tenant}/oauth2/v2.0/authorize", self.endpoint, methods=["GET", "POST"])]

    async def endpoint(self, request: Request) -> Response:
        """Start a sign-in (GET) or take the sign-in form (POST)."""
        try:
            tenant_segment(self.tenant, request)
        except SignInError as err:
            return _error_page(err)
        if request.method == "GET":
            # First value wins, as on the token endpoint.
            query: dict[str, str] = {}
            for name, value in parse_qsl(request.url.query, keep_blank_values=True):
                query.setdefault(name, value)
            return self._start(query, request.url.path)
        return self._submit(await read_form(request), request.url.path)

    # ----------------------------------------------------------------- steps
    def _start(self, query: dict[str, str], path: str) -> Response:
        try:
            redirect_uri = trusted_redirect_uri(query)
        except UntrustedRedirect as err:
            return _error_page(err)
        try:
            auth = parse_authorization_request(query, self.config.default_scopes)
        except SignInError as err:
            mode = query.get("response_mode", "")
            return _send_back(
                redirect_uri, mode if mode in RESPONSE_MODES else "query", query.get("state"), err
            )
        user = self._session_user()
        if user is not None and auth.prompt in (None, "none"):
            return self._signed_in(auth, user)
        if auth.prompt == "none":
            return _answer(
                auth,
                SignInError(
                    "login_required", 50058, "A silent sign-in request was sent but no user is signed in."
                ),
            )
        return self._form(self.codes.begin(auth), auth.login_hint or "", path)

    def _submit(self, form: dict[str, str], path: str) -> Response:
        sign_in_id = form.get("sign_in", "")
        try:
            auth = self.codes.pending(sign_in_id)
            if form.get("action") == "cancel":
                self.codes.finish(sign_in_id)
                return _answer(
                    auth, SignInError("access_denied", 65004, "User declined to consent to access the app.")
                )
            login = form.get("login", "").strip()
            try:
                user = check_password(self.tenant, login, form.get("passwd", ""))
            except SignInError as err:
                return self._form(sign_in_id, login, path, error=err.message, status=400)
            self.codes.finish(sign_in_id)  # a page signs in once (a second POST finds it gone)
        except SignInError as err:
            return _error_page(err)
        return self._signed_in(auth, user)

    def _signed_in(self, auth: AuthorizationRequest, user: User) -> Response:
        return _answer(auth, {"code": self.codes.issue(auth, user.id)})

    def _session_user(self) -> User | None:
        return self.tenant.find_user(self.browser_session) if self.browser_session else None

    def _form(
        self, sign_in_id: str, login: str, path: str, *, error: str = "", status: int = 200
    ) -> Response:
        options = "".join(f'<option value="{escape(u.user_principal_name)}">' for u in self.tenant.users)
        body = (
            (f'<p class="error">{escape(error)}</p>' if error else "")
            + f'<form method="post" action="{escape(path)}">'
            f'<input type="hidden" name="sign_in" value="{escape(sign_in_id)}">'
            f'<label>Email or user name <input name="login" value="{escape(login)}" list="users" '
            'autocomplete="username" autofocus></label>'
            f'<datalist id="users">{options}</datalist>'
            "<label>Password (only if the seed gives the user one) "
            '<input name="passwd" type="password" autocomplete="current-password"></label>'
            '<button name="action" value="sign_in">Sign in</button> '
            '<button name="action" value="cancel">Cancel</button></form>'
        )
        return _page(f"Sign in to {escape(self.tenant.domain)}", body, status)


# --------------------------------------------------------------------------- answers
def _answer(auth: AuthorizationRequest, outcome: dict[str, str] | SignInError) -> Response:
    return _send_back(auth.redirect_uri, auth.response_mode, auth.state, outcome)


def _send_back(
    redirect_uri: str, response_mode: str, state: str | None, outcome: dict[str, str] | SignInError
) -> Response:
    """The authorization response, delivered to the app's `redirect_uri` as `response_mode` says."""
    if isinstance(outcome, SignInError):
        body = outcome.body(str(uuid.uuid4()))
        params = {"error": str(body["error"]), "error_description": str(body["error_description"])}
    else:
        params = dict(outcome)
    if state is not None:
        params["state"] = state
    if response_mode == "form_post":
        fields = "".join(
            f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
            for name, value in params.items()
        )
        return HTMLResponse(_FORM_POST.format(action=escape(redirect_uri), fields=fields), headers=_NO_STORE)
    separator = "#" if response_mode == "fragment" else ("&" if "?" in redirect_uri else "?")
    return RedirectResponse(
        f"{redirect_uri}{separator}{urlencode(params)}", status_code=302, headers=_NO_STORE
    )


def _error_page(err: SignInError) -> Response:
    """What the browser shows when there is nowhere safe to send the answer."""
    body = (
        "<p>Sorry, but we're having trouble signing you in.</p>"
        f'<p class="error">{escape(err.message)}</p>'
        f"<p>Error code: <code>{escape(err.code)}</code></p>"
    )
    return _page("Sign in", body, err.status)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=title, body=body), status_code=status, headers=_NO_STORE)
