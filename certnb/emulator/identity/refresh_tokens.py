"""Refresh tokens: opaque, bound to a user and a client, rotated on every use, revocable (contract §9).

As at the identity platform, redeeming a refresh token hands out a new one and leaves the old one valid
until it expires or is revoked (`revoke`, the reliability hook of issue 9).

>>> tokens = RefreshTokens()
>>> token = tokens.issue("user-1", "client-1", "User.Read offline_access", lifetime_s=60)
>>> tokens.redeem(token, "client-1").user_id
'user-1'
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from dataclasses import dataclass, field

from certnb.emulator.identity.errors import SignInError


@dataclass
class RefreshGrant:
    """What a refresh token stands for (the token itself is the key, never stored here)."""

    user_id: str
    client_id: str
    scope: str  # the scope of the sign-in that issued it, used when a refresh asks for none
    expires_at: float
    revoked: bool = False
    issued_at: float = field(default_factory=time.time)


class RefreshTokens:
    """The refresh tokens of one emulator. Thread-safe."""

    def __init__(self) -> None:
        self._grants: dict[str, RefreshGrant] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<RefreshTokens issued={len(self._grants)}>"

    def issue(self, user_id: str, client_id: str, scope: str, *, lifetime_s: float) -> str:
        """A new refresh token for `user_id` signed in to `client_id`."""
        token = "1." + secrets.token_urlsafe(64)
        with self._lock:
            now = time.time()
            self._grants[token] = RefreshGrant(user_id, client_id, scope, now + lifetime_s, issued_at=now)
        return token

    def redeem(self, token: str, client_id: str) -> RefreshGrant:
        """The grant behind `token`; 400 `invalid_grant` if unknown, another client's, expired or revoked."""
        with self._lock:
            grant = self._grants.get(token)
        if grant is None:
            raise SignInError("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
        if grant.client_id != client_id:
            raise SignInError(
                "invalid_grant",
                70000,
                "Provided grant is invalid or malformed: it was issued to another client.",
            )
        if grant.revoked:
            raise SignInError(
                "invalid_grant",
                50173,
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
                "The user might have changed or reset their password.",
            )
        if time.time() >= grant.expires_at:
            raise SignInError("invalid_grant", 700082, _inactive(grant))
        return grant

    def revoke(self, user_ids: set[str] | None = None) -> int:
        """Revoke the refresh tokens of `user_ids` (all users when None); returns how many were revoked."""
        with self._lock:
            hit = [
                g
                for g in self._grants.values()
                if not g.revoked and (user_ids is None or g.user_id in user_ids)
            ]
            for grant in hit:
                grant.revoked = True
        return len(hit)


def _inactive(grant: RefreshGrant) -> str:
    """The identity platform's words for a lapsed refresh token (contract §9): when it was issued, and how
    long it was unused, as a .NET TimeSpan (`90.00:00:00`).

    >>> words = _inactive(RefreshGrant("u", "c", "s", expires_at=7_776_000.0, issued_at=0.0))
    >>> words.split(". ")[1]
    'The token was issued on 1970-01-01T00:00:00.0000000Z and was inactive for 90.00:00:00.'
    """
    issued = dt.datetime.fromtimestamp(grant.issued_at, dt.UTC)
    seconds = max(0, round(grant.expires_at - grant.issued_at))
    days, rest = divmod(seconds, 86400)
    span = f"{days}.{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return (
        "The refresh token has expired due to inactivity. The token was issued on "
        f"{issued.strftime('%Y-%m-%dT%H:%M:%S')}.{issued.microsecond * 10:07d}Z and was inactive for {span}."
    )
