"""The bearer token on every Graph request, as an `httpx.Auth`: refreshed once after a 401; app-only refused.

    GraphAuth(source)        every request: `source.token()` (a valid token);
                             401 InvalidAuthenticationToken → `source.token(force_refresh=True)`, retry once
    StaticToken(token)       a token (or a function returning one) obtained elsewhere
    MsalTokens               the signed-in account's tokens from MSAL (certnb/session/sign_in.py)

Where tokens come from is the layer above's business (`TokenSource`); this module only puts them on the wire.
Tokens never appear in a repr, a log line or an exception message. A token carrying `roles` and no `scp` is
an application token: refused before it is sent (contract §4).

>>> auth = GraphAuth(StaticToken("eyJ..."))
>>> auth
<GraphAuth StaticToken>
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any, Protocol

import httpx

from certnb.errors import AppOnlyNotSupported, AuthenticationError

__all__ = [
    "APP_ONLY_MESSAGE",
    "GraphAuth",
    "StaticToken",
    "TokenSource",
    "refuse_app_only_token",
    "token_claims",
]

APP_ONLY_MESSAGE = (
    "Graph's profile certification API supports delegated permissions only (contract §4): "
    "application (app-only) sign-in with a client secret, a certificate or a `roles` token is refused. "
    "Sign in as a user instead, e.g. certnb.connect(tenant=..., client_id=..., auth='device_code')."
)


class TokenSource(Protocol):
    """Where access tokens come from: `token()` returns a valid one; `force_refresh` after a 401."""

    def token(self, force_refresh: bool = False) -> str: ...


def token_claims(token: str) -> dict[str, Any] | None:
    """The payload of a JWT access token, unverified (None if the token is not a readable JWT).

    >>> token_claims("e30.eyJzY3AiOiJVc2VyLlJlYWQifQ.")
    {'scp': 'User.Read'}
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def refuse_app_only_token(token: str) -> None:
    """Raise `AppOnlyNotSupported` for a token with `roles` and no `scp` (an application token, §4)."""
    claims = token_claims(token)
    if claims is not None and "roles" in claims and "scp" not in claims:
        raise AppOnlyNotSupported(APP_ONLY_MESSAGE)


class StaticToken:
    """A token obtained elsewhere: a string, or a function returning a fresh one each call.

    >>> StaticToken(lambda: "eyJ...").token()
    'eyJ...'
    """

    def __init__(self, token: str | Callable[[], str]) -> None:
        self._token = token
        if isinstance(token, str):
            refuse_app_only_token(token)  # before any request is sent

    def __repr__(self) -> str:
        return "<StaticToken callable>" if callable(self._token) else "<StaticToken ***>"

    def token(self, force_refresh: bool = False) -> str:
        value = self._token() if callable(self._token) else self._token
        if not isinstance(value, str) or not value:
            raise AuthenticationError(401, "InvalidAuthenticationToken", "the token function gave no token")
        refuse_app_only_token(value)
        return value


class GraphAuth(httpx.Auth):
    """httpx authentication: a bearer token from a `TokenSource`; one refresh and retry on a 401.

    >>> httpx.Client(auth=GraphAuth(StaticToken("eyJ...")))   # doctest: +SKIP
    """

    def __init__(self, source: TokenSource) -> None:
        self.source = source

    def __repr__(self) -> str:
        return f"<GraphAuth {type(self.source).__name__}>"

    @property
    def tenant_id(self) -> str | None:
        """The directory (tenant) id the token was issued for: its `tid` claim (None if unreadable)."""
        claims = token_claims(self.source.token())
        tid = claims.get("tid") if claims is not None else None
        return str(tid) if tid else None

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.source.token()}"
        response = yield request
        if response.status_code == 401:
            response.read()  # to see the error code (requires_response_body only covers auth_flow)
        if _token_refused(response):
            request.headers["Authorization"] = f"Bearer {self.source.token(force_refresh=True)}"
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # MSAL does blocking I/O; keep it off the session's event loop.
        request.headers["Authorization"] = f"Bearer {await asyncio.to_thread(self.source.token)}"
        response = yield request
        if response.status_code == 401:
            await response.aread()
        if _token_refused(response):
            fresh = await asyncio.to_thread(self.source.token, True)
            request.headers["Authorization"] = f"Bearer {fresh}"
            yield request


def _token_refused(response: httpx.Response) -> bool:
    if response.status_code != 401:
        return False
    try:
        code = response.json().get("error", {}).get("code")
    except ValueError:
        return True
    return code in (None, "InvalidAuthenticationToken")
