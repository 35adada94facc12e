"""The query of `GET /{tenant}/oauth2/v2.0/authorize`, checked as the identity platform checks it (§9).

Two kinds of refusal, as at the platform: while the `redirect_uri` cannot be trusted the browser gets an error
page (`UntrustedRedirect`); once it can, every other refusal travels back to the app on that address
(`error=...&error_description=...&state=...`). The emulator knows no app registrations, so every client id is
a public client registered with `http://localhost`: any loopback http address, any port (RFC 8252 §7.3).

>>> request = parse_authorization_request({
...     "client_id": "app", "response_type": "code", "redirect_uri": "http://localhost:5123",
...     "scope": "User.Read openid", "code_challenge": s256("v" * 43), "code_challenge_method": "S256"})
>>> request.redirect_uri, request.response_mode
('http://localhost:5123', 'query')
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from certnb.emulator.identity.errors import SignInError, missing_parameter
from certnb.emulator.identity.scopes import parse_scopes
from certnb.emulator.identity.tokens import b64url_encode

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
RESPONSE_MODES = ("query", "fragment", "form_post")
# RFC 7636 §4.2: an S256 challenge is the base64url of a SHA-256 digest, 43 characters.
_S256_LENGTH = 43


class UntrustedRedirect(SignInError):
    """A refusal shown on an error page, because there is no address the app may be sent back to."""


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked authorization request: who asks, for what, where the answer goes, and the PKCE challenge."""

    client_id: str
    redirect_uri: str
    scope: str  # as sent; parsed again when the code is redeemed
    state: str | None
    response_mode: str
    code_challenge: str
    nonce: str | None
    login_hint: str | None
    prompt: str | None


def s256(verifier: str) -> str:
    """The S256 code challenge of a PKCE code verifier (RFC 7636 §4.2).

    >>> s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
    """
    return b64url_encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest())


def is_loopback_redirect(uri: str) -> bool:
    """True for `http://localhost[:port][/path]` and the loopback IP literals: what a desktop app listens on.

    >>> is_loopback_redirect("http://127.0.0.1:8400/"), is_loopback_redirect("https://localhost:8400")
    (True, False)
    """
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return False
    # No credentials and no fragment (RFC 6749 §3.1.2: a redirection endpoint has none).
    return (
        parts.scheme == "http"
        and (parts.hostname or "") in LOOPBACK_HOSTS
        and "@" not in parts.netloc
        and not parts.fragment
        and "#" not in uri
    )


def trusted_redirect_uri(query: Mapping[str, str]) -> str:
    """The request's `redirect_uri` if answers may be sent there; `UntrustedRedirect` otherwise."""
    client_id = query.get("client_id", "").strip()
    if not client_id:
        raise UntrustedRedirect(
            "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."
        )
    redirect_uri = query.get("redirect_uri", "").strip()
    if not redirect_uri:
        raise UntrustedRedirect("invalid_request", 900971, "No reply address provided.")
    if not is_loopback_redirect(redirect_uri):
        raise UntrustedRedirect(
            "invalid_request",
            50011,
            f"The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs "
            f"configured for the application '{client_id}'. The emulator registers every app as a public "
            "client with http://localhost (any port).",
        )
    return redirect_uri


def parse_authorization_request(query: Mapping[str, str], default_scopes: str = "") -> AuthorizationRequest:
    """Check an authorize query; `UntrustedRedirect` or a `SignInError` to send back to the app."""
    redirect_uri = trusted_redirect_uri(query)
    response_type = query.get("response_type", "").strip()
    if not response_type:
        raise missing_parameter("response_type")
    if response_type != "code":
        raise SignInError(
            "unsupported_response_type",
            700054,
            f"response_type '{response_type}' is not enabled for the application. The emulator serves the "
            "authorization code flow only (response_type=code).",
        )
    response_mode = query.get("response_mode", "").strip() or "query"
    if response_mode not in RESPONSE_MODES:
        raise SignInError(
            "invalid_request",
            70007,
            f"The application requested an unsupported mode '{response_mode}' when requesting a token.",
        )
    scope = query.get("scope", "").strip()
    parse_scopes(scope, default_scopes)  # missing or foreign scopes are refused now, as the platform does
    return AuthorizationRequest(
        client_id=query["client_id"].strip(),
        redirect_uri=redirect_uri,
        scope=scope,
        state=query.get("state"),
        response_mode=response_mode,
        code_challenge=_code_challenge(query),
        nonce=query.get("nonce") or None,
        login_hint=query.get("login_hint") or None,
        prompt=query.get("prompt") or None,
    )


def _code_challenge(query: Mapping[str, str]) -> str:
    # Decided: PKCE is required and S256 only (the platform also takes `plain`, and no PKCE from a desktop
    # app); MSAL always sends S256, and an emulator that accepted less would hide a client that forgot it.
    challenge = query.get("code_challenge", "").strip()
    if not challenge:
        raise missing_parameter("code_challenge")
    method = query.get("code_challenge_method", "").strip()
    if method != "S256":
        raise SignInError(
            "invalid_request",
            50149,
            f"Invalid Code_Challenge_method parameter '{method or 'plain'}'. The emulator accepts S256 only.",
        )
    if len(challenge) != _S256_LENGTH:
        raise SignInError(
            "invalid_request",
            501491,
            "InvalidCodeChallengeMethodInvalidSize - Invalid size of Code_Challenge parameter.",
        )
    return challenge
