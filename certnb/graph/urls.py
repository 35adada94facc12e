"""Graph URLs: every path segment percent-encoded, plain http refused except on loopback (contract §1).

A UPN may hold `'`, `#`, `+`, `&`, `%`, `/` and non-ASCII letters; each must reach Graph as one segment.

>>> certifications_path("pat.o'brien#1@contoso.example")
'/users/pat.o%27brien%231%40contoso.example/profile/certifications'
>>> certifications_path(None, "cert 1")
'/me/profile/certifications/cert%201'
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote, urlsplit

from certnb.errors import ConfigError

__all__ = [
    "certifications_path",
    "check_base_url",
    "is_loopback",
    "origin",
    "segment",
    "user_path",
]


def segment(value: str) -> str:
    """Percent-encode one path segment completely (UTF-8), so `/`, `#`, `'`, `%` and `+` stay inside it.

    >>> segment("a/b+c%d é")
    'a%2Fb%2Bc%25d%20%C3%A9'
    """
    # safe="" also encodes "/" and "'" — Graph decodes the segment once (contract §1).
    return quote(value, safe="", encoding="utf-8")


def user_path(user: str | None) -> str:
    """`/me` for the signed-in user (None), else `/users/{id or UPN}`, encoded."""
    if user is None or user == "me":
        return "/me"
    if not user:
        raise ValueError("a user id or UPN cannot be empty; pass None for the signed-in user")
    return f"/users/{segment(user)}"


def certifications_path(user: str | None, certification_id: str | None = None) -> str:
    """The certifications collection of `user` (None = me), or one certification when an id is given."""
    path = f"{user_path(user)}/profile/certifications"
    return path if certification_id is None else f"{path}/{segment(certification_id)}"


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, key: str = "base_url") -> str:
    """`url` without a trailing slash; `ConfigError` for non-http(s) or plain http to a non-loopback host.

    >>> check_base_url("http://127.0.0.1:8000/beta/")
    'http://127.0.0.1:8000/beta'
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(key, url, "an absolute https:// URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        # A bearer token over plain http could be read by anyone on the path.
        raise ConfigError(key, url, "https:// (plain http is allowed for loopback hosts only)")
    return url.rstrip("/")


def origin(url: str) -> str:
    """`scheme://host:port` of an absolute URL (default port filled in, host lower-cased), to check that a
    nextLink stays on the server the token is for. `ValueError` when it has no host or a bad port.

    >>> origin("https://Graph.Microsoft.com/beta/me")
    'https://graph.microsoft.com:443'
    >>> origin("http://[::1]:8000/beta")
    'http://[::1]:8000'
    >>> origin("https://graph.microsoft.com:99999/beta")
    Traceback (most recent call last):
    ValueError: Port out of range 0-65535
    """
    parts = urlsplit(url)  # ValueError for an unparsable netloc, e.g. an unclosed "[" of an IPv6 host
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError("no host")
    port = parts.port  # ValueError for a bad port
    if port is None:
        port = {"http": 80, "https": 443}.get(parts.scheme)
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}:{port}"
