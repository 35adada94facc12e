"""Access tokens for Graph: issued with Graph-like claims, verified on every Graph call (contract §4, §9).

Delegated tokens carry `scp` (bare scope names), `oid`, `upn` and `name`; app-only tokens carry `roles` and
neither `scp` nor `oid`. Verification is cached by token string, since it runs on every request.

>>> tokens = AccessTokens(lambda: "tid-1", lambda: 3600)
>>> token, _ = tokens.issue_app_only("client-1", "https://graph.microsoft.com", "User.ReadWrite.All")
>>> tokens.authenticate(f"Bearer {token}").app_only
True
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from certnb.emulator.errors import GraphError
from certnb.emulator.identity.scopes import GRAPH_ROOTS
from certnb.emulator.identity.tokens import UNAUTHENTICATED, TokenSigner, split_token
from certnb.emulator.principal import Principal

_CACHE_LIMIT = 4096
# Graph's words for an expired token (InvalidAuthenticationToken; seen in 2024-25 error reports, contract §9).
_EXPIRED = "Lifetime validation failed, the token is expired."


def _refuse(message: str) -> GraphError:
    return GraphError(401, UNAUTHENTICATED, message)


class AccessTokens:
    """Issues and verifies this emulator's access tokens; `expire_all()` makes every issued one expired."""

    def __init__(self, tenant_id: Callable[[], str], lifetime_s: Callable[[], int]) -> None:
        # Both read when used: a reset may swap the tenant's content, and the lifetime knob may change live.
        self._tenant_id = tenant_id
        self._lifetime_s = lifetime_s
        self._signer = TokenSigner()
        # Keys retired by expire_all(): their tokens still verify, and are then called expired, not foreign.
        self._retired: dict[str, TokenSigner] = {}
        self._verified: dict[str, tuple[Principal, int]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<AccessTokens tenant={self._tenant_id()} cached={len(self._verified)}>"

    # ----------------------------------------------------------------- issuing
    def _standard_claims(self, client_id: str, audience: str) -> dict[str, Any]:
        now = time.time()
        return {
            "aud": audience,
            "iss": f"https://sts.windows.net/{self._tenant_id()}/",
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now) + self._lifetime_s(),
            "appid": client_id,
            "tid": self._tenant_id(),
            "uti": secrets.token_urlsafe(16),
            "ver": "1.0",
        }

    def issue_delegated(
        self, *, user_id: str, upn: str, name: str | None, client_id: str, audience: str, scp: str
    ) -> tuple[str, int]:
        """A delegated token and its lifetime in seconds."""
        claims = self._standard_claims(client_id, audience)
        claims.update(idtyp="user", oid=user_id, sub=user_id, upn=upn, unique_name=upn, name=name, scp=scp)
        return self._signer.sign(claims), claims["exp"] - claims["iat"]

    def issue_app_only(self, client_id: str, audience: str, roles: str) -> tuple[str, int]:
        """An app-only token (client credentials: `roles`, no `scp`, no `oid`) and its lifetime in seconds."""
        claims = self._standard_claims(client_id, audience)
        claims.update(idtyp="app", sub=client_id, roles=roles.split())
        return self._signer.sign(claims), claims["exp"] - claims["iat"]

    def sign_id_token(self, claims: dict[str, Any]) -> str:
        """Sign an id_token (MSAL does not check it; presented to Graph it fails on its audience)."""
        return self._signer.sign(claims)

    def expire_all(self) -> None:
        """Make every access token issued so far count as expired (reliability tests, issue 9)."""
        with self._lock:
            self._retired[self._signer.key_id] = self._signer
            self._signer = TokenSigner()
            self._verified = {}

    # ----------------------------------------------------------------- verifying
    def authenticate(self, authorization: str | None) -> Principal:
        """The caller behind an `Authorization` header; 401 `InvalidAuthenticationToken` otherwise."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if not scheme:
            raise _refuse("Access token is empty.")
        if scheme.lower() != "bearer":
            raise _refuse("Access token is empty. The Authorization header must use the Bearer scheme.")
        if not token:
            raise _refuse("Access token is empty.")
        cached = self._verified.get(token)
        if cached is not None and time.time() < cached[1]:
            return cached[0]
        principal, exp = self._verify(token)
        with self._lock:
            if len(self._verified) >= _CACHE_LIMIT:
                self._verified = {}
            self._verified[token] = (principal, exp)
        return principal

    def _verify(self, token: str) -> tuple[Principal, int]:
        header, _, _, _ = split_token(token)
        kid = header.get("kid")
        retired = self._retired.get(kid) if isinstance(kid, str) else None
        claims = (retired or self._signer).verify(token)
        if retired is not None:
            raise _refuse(_EXPIRED)
        if claims.get("aud") not in GRAPH_ROOTS:
            raise _refuse("Access token validation failure. Invalid audience.")
        if claims.get("tid") != self._tenant_id():
            raise _refuse("Access token validation failure. Invalid issuer.")
        now = time.time()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int) or not isinstance(nbf, int) or not nbf <= now < exp:
            raise _refuse(_EXPIRED)
        client_id = str(claims.get("appid", ""))
        if "scp" not in claims:
            return Principal(None, None, frozenset(), app_only=True, client_id=client_id), exp
        principal = Principal(
            user_id=str(claims["oid"]),
            user_principal_name=str(claims["upn"]),
            scopes=frozenset(str(claims["scp"]).split()),
            client_id=client_id,
            display_name=claims.get("name"),
        )
        return principal, exp
