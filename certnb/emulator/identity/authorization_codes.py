"""Browser sign-ins in flight and their authorization codes: one-time, short-lived, PKCE-bound (§9).

A sign-in page is shown for a *pending* sign-in (an opaque id in the page's form: the query is checked once);
a user signing in turns it into a code. A code is redeemed once, by the client it was issued to, with the same
`redirect_uri` and the PKCE verifier of its challenge; it expires after ten minutes, as the platform's do. A
redeemed code is remembered until then, so a second redemption is told "already redeemed" (AADSTS54005).

>>> from certnb.emulator.identity.authorization_requests import AuthorizationRequest, s256
>>> request = AuthorizationRequest("app", "http://localhost:5123", "User.Read", "st", "query",
...                                s256("v" * 43), None, None, None)
>>> codes = AuthorizationCodes()
>>> code = codes.issue(request, "user-1")
>>> codes.redeem(code, "app", "http://localhost:5123", "v" * 43).user_id
'user-1'
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from certnb.emulator.identity.authorization_requests import AuthorizationRequest, s256
from certnb.emulator.identity.errors import SignInError

CODE_LIFETIME_S = 600.0  # the platform's codes "expire after about 10 minutes"
PENDING_LIFETIME_S = 900.0  # decided: as long as a device code waits


@dataclass
class AuthorizationGrant:
    """What an authorization code stands for; the code itself is the key and stays out of the repr."""

    code: str = field(repr=False)
    request: AuthorizationRequest
    user_id: str
    auth_time: int  # when the user signed in (the id_token's `auth_time`)
    expires_at: float
    redeemed: bool = False


class AuthorizationCodes:
    """The browser sign-ins of one emulator: pending sign-ins and issued codes. Thread-safe.

    `clock` is the seam tests use to see a code expire without waiting ten minutes.
    """

    def __init__(self, lifetime_s: float = CODE_LIFETIME_S, clock: Callable[[], float] = time.time) -> None:
        self.lifetime_s = lifetime_s
        self._clock = clock
        self._pending: dict[str, tuple[AuthorizationRequest, float]] = {}
        self._grants: dict[str, AuthorizationGrant] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<AuthorizationCodes pending={len(self._pending)} codes={len(self._grants)}>"

    # ----------------------------------------------------------------- the sign-in page
    def begin(self, request: AuthorizationRequest) -> str:
        """Hold a checked request while its sign-in page is shown; returns the id the page posts back."""
        with self._lock:
            self._forget_expired()
            sign_in_id = secrets.token_urlsafe(24)
            self._pending[sign_in_id] = (request, self._clock() + PENDING_LIFETIME_S)
            return sign_in_id

    def pending(self, sign_in_id: str) -> AuthorizationRequest:
        """The request behind a sign-in page; `SignInError` when it is unknown, used or too old."""
        with self._lock:
            return self._held(sign_in_id)

    def finish(self, sign_in_id: str) -> AuthorizationRequest:
        """Take the request off the pending list (signed in or cancelled): its page works once."""
        with self._lock:
            request = self._held(sign_in_id)
            del self._pending[sign_in_id]
            return request

    def _held(self, sign_in_id: str) -> AuthorizationRequest:
        held = self._pending.get(sign_in_id)
        if held is None or self._clock() >= held[1]:
            self._pending.pop(sign_in_id, None)
            raise SignInError(
                "invalid_request",
                9002313,
                "Invalid request. This sign-in page has expired or was already used: start the sign-in "
                "again from the app.",
            )
        return held[0]

    # ----------------------------------------------------------------- codes
    def issue(self, request: AuthorizationRequest, user_id: str) -> str:
        """A new one-time code for `request`, signed in as `user_id`."""
        now = self._clock()
        grant = AuthorizationGrant(
            code=secrets.token_urlsafe(48),
            request=request,
            user_id=user_id,
            auth_time=int(now),
            expires_at=now + self.lifetime_s,
        )
        with self._lock:
            self._forget_expired()
            self._grants[grant.code] = grant
        return grant.code

    def redeem(self, code: str, client_id: str, redirect_uri: str, code_verifier: str) -> AuthorizationGrant:
        """The grant behind `code`, consumed; `invalid_grant` with the platform's AADSTS number otherwise."""
        with self._lock:
            grant = self._grants.get(code)
            if grant is None or grant.request.client_id != client_id:
                raise SignInError(
                    "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."
                )
            if grant.redeemed:
                raise SignInError(
                    "invalid_grant",
                    54005,
                    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or "
                    "use an existing refresh token.",
                )
            if self._clock() >= grant.expires_at:
                raise SignInError(
                    "invalid_grant",
                    70008,
                    "The provided authorization code or refresh token has expired due to inactivity. Send a "
                    "new interactive authorization request for this user and resource.",
                )
            if redirect_uri != grant.request.redirect_uri:
                raise SignInError(
                    "invalid_grant",
                    70000,
                    "The provided value for the 'redirect_uri' is not valid. The value must exactly match "
                    "the redirect URI used to obtain the authorization code.",
                )
            # A wrong verifier leaves the code unused: only its holder can produce the right one (RFC 7636).
            if not hmac.compare_digest(s256(code_verifier), grant.request.code_challenge):
                raise SignInError(
                    "invalid_grant",
                    501481,
                    "The Code_Verifier does not match the code_challenge supplied in the authorization "
                    "request.",
                )
            grant.redeemed = True
            return grant

    def _forget_expired(self) -> None:
        now = self._clock()
        # Expired codes are kept one more lifetime, so a late redemption hears "expired", not "malformed".
        for key in [k for k, g in self._grants.items() if now >= g.expires_at + self.lifetime_s]:
            del self._grants[key]
        for key in [k for k, (_, expires_at) in self._pending.items() if now >= expires_at]:
            del self._pending[key]
