"""Compact JWTs (`header.payload.signature`) signed HS256 with a per-emulator random key.

Hand-rolled with `hmac` and `base64` (no JWT dependency). The key never leaves the process, so a token issued
by one emulator fails the signature check of another, as a token from a foreign tenant does at Graph.

>>> signer = TokenSigner()
>>> token = signer.sign({"aud": "https://graph.microsoft.com"})
>>> signer.verify(token)["aud"]
'https://graph.microsoft.com'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

from certnb.emulator.errors import GraphError

UNAUTHENTICATED = "InvalidAuthenticationToken"


def b64url_encode(data: bytes) -> str:
    """Base64url without padding, as JWTs and `client_info` use it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of `b64url_encode`; raises `ValueError` on anything that is not base64url."""
    if not text or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def split_token(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, claims, signed part and signature of a compact JWT; raises 401 if it is not one."""
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError("not three parts")
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise ValueError("not JSON objects")
    except ValueError as err:
        # Graph's own words for a token it cannot parse.
        raise GraphError(
            401, UNAUTHENTICATED, "CompactToken parsing failed with error code: 80049217"
        ) from err
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


class TokenSigner:
    """Signs and verifies HS256 JWTs with one random key, named by `key_id` (the header's `kid`)."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self.key_id = hashlib.sha256(self._key).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<TokenSigner kid={self.key_id} key=***>"

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A compact JWT carrying `claims`."""
        header = {"typ": "JWT", "alg": "HS256", "kid": self.key_id}
        signing_input = ".".join(
            b64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        signature = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{b64url_encode(signature)}"

    def verify(self, token: str) -> dict[str, Any]:
        """The claims of a token this signer issued; 401 `InvalidAuthenticationToken` otherwise."""
        header, claims, signing_input, signature = split_token(token)
        expected = hmac.new(self._key, signing_input, hashlib.sha256).digest()
        if header.get("alg") != "HS256" or not hmac.compare_digest(expected, signature):
            raise GraphError(401, UNAUTHENTICATED, "Access token validation failure. Invalid signature.")
        return claims
