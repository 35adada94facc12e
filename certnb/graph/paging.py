"""Paging: follow `@odata.nextLink` verbatim, as an opaque absolute URL, until it is absent (contract §6).

A page may be empty and still carry a nextLink; a nextLink that repeats one already followed is a server
bug, reported instead of looping forever.

>>> items = await collect(transport, "/me/profile/certifications", {"$top": 3})   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from certnb.errors import GraphError
from certnb.graph.transport import GraphTransport

__all__ = ["NEXT_LINK", "collect", "pages"]

NEXT_LINK = "@odata.nextLink"


async def pages(
    transport: GraphTransport, path: str, params: Mapping[str, Any] | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Every page of a collection, the first from `path` + `params`, the rest from nextLinks."""
    page = await transport.call("GET", path, params=params)
    followed: set[str] = set()
    while True:
        if not isinstance(page, dict):
            raise GraphError(
                0,
                "invalidPage",
                f"expected a JSON object page, got {type(page).__name__}",
                method="GET",
                url=path,
            )
        yield page
        link = page.get(NEXT_LINK)
        if not link:
            return
        if link in followed:
            raise GraphError(
                0, "nextLinkLoop", "the server repeated a nextLink already followed", method="GET", url=link
            )
        followed.add(link)
        page = await transport.call("GET", link)  # verbatim: no params added, nothing re-encoded


async def collect(
    transport: GraphTransport, path: str, params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """All items of a collection: the `value` lists of every page, in order."""
    items: list[dict[str, Any]] = []
    async for page in pages(transport, path, params):
        items.extend(page.get("value") or [])
    return items
