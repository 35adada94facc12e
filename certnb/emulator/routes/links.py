"""Absolute URLs of the emulator as the caller reached it, for `@odata.context`, `nextLink` and `Location`.

    >>> links = Links(Call("GET", "/me", headers={"host": "localhost:8000", "x-forwarded-proto": "http"}))
    >>> links.context("users/$entity"), links.url("/me", "")
    ('http://localhost:8000/beta/$metadata#users/$entity', 'http://localhost:8000/beta/me')
"""

from __future__ import annotations

from certnb.emulator.exchange import Call


class Links:
    """Absolute URLs of this emulator as the caller reached it (`Host`, `X-Forwarded-Proto`), for
    `@odata.context`, `@odata.nextLink` and `Location`."""

    def __init__(self, call: Call) -> None:
        host = call.headers.get("host") or "graph.microsoft.com"
        scheme = call.headers.get("x-forwarded-proto") or "https"
        self.root = f"{scheme}://{host}/beta"

    def context(self, fragment: str) -> str:
        return f"{self.root}/$metadata#{fragment}"

    def url(self, path: str, query: str) -> str:
        return f"{self.root}{path}?{query}" if query else f"{self.root}{path}"
