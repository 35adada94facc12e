"""Paging: follow `@odata.nextLink` verbatim, as an opaque absolute URL, until it is absent (contract §6).

A page may be empty and still carry a nextLink; a nextLink that repeats one already followed in the same
list is a server bug, reported (`GraphError` nextLinkLoop, naming the link) instead of looping forever.
`next_link` is that one guard: the single-collection paging here and the many-collection listing
(listing.py) both ask it which link to follow.

>>> items = await collect(transport, "/me/profile/certifications", {"$top": 3})   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from certnb.errors import GraphError
from certnb.graph.transport import GraphTransport

__all__ = ["NEXT_LINK", "collect", "next_link", "pages"]

NEXT_LINK = "@odata.nextLink"


def next_link(page: Any, followed: set[str], url: str) -> str | None:
    """The nextLink to follow after `page` (read from `url`), or None at the last page; it joins `followed`.

    `followed` holds the links already followed in this one list. Refused as a `GraphError`: a page that is
    not a JSON object (invalidPage), a nextLink that is not an absolute URL (invalidNextLink), one already
    followed (nextLinkLoop).

    >>> followed: set[str] = set()
    >>> next_link({"value": [], "@odata.nextLink": "https://g.example/beta/me?$skip=2"}, followed, "/me")
    'https://g.example/beta/me?$skip=2'
    >>> next_link({"value": []}, followed, "https://g.example/beta/me?$skip=2") is None
    True
    >>> next_link({"@odata.nextLink": "https://g.example/beta/me?$skip=2"}, followed, "/me")
    Traceback (most recent call last):
    certnb.errors.GraphError: 0 nextLinkLoop on GET https://g.example/beta/me?$skip=2: the server repeated \
the nextLink https://g.example/beta/me?$skip=2, already followed in this list; certnb stopped reading the \
list rather than loop forever. Retry later; if it persists, it is a server bug to report.
    """
    if not isinstance(page, dict):
        raise GraphError(
            0,
            "invalidPage",
            f"expected a JSON object page, got {type(page).__name__}; retry later",
            method="GET",
            url=url,
        )
    link = page.get(NEXT_LINK)
    if link is None or link == "":
        return None
    if not isinstance(link, str) or not link[:8].lower().startswith(("https://", "http://")):
        raise GraphError(
            0,
            "invalidNextLink",
            f"the page from {url} carries {NEXT_LINK} {link!r}, which is not an absolute URL (contract §6); "
            "certnb cannot follow it. Retry later; if it persists, it is a server bug to report.",
            method="GET",
            url=url,
        )
    if link in followed:
        raise GraphError(
            0,
            "nextLinkLoop",
            f"the server repeated the nextLink {link}, already followed in this list; certnb stopped reading "
            "the list rather than loop forever. Retry later; if it persists, it is a server bug to report.",
            method="GET",
            url=link,
        )
    followed.add(link)
    return link


async def pages(
    transport: GraphTransport, path: str, params: Mapping[str, Any] | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Every page of a collection, the first from `path` + `params`, the rest from nextLinks."""
    url = path
    page = await transport.call("GET", path, params=params)
    followed: set[str] = set()
    while True:
        link = next_link(page, followed, url)
        yield page
        if link is None:
            return
        url = link
        page = await transport.call("GET", link)  # verbatim: no params added, nothing re-encoded


async def collect(
    transport: GraphTransport, path: str, params: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """All items of a collection: the `value` lists of every page, in order."""
    items: list[dict[str, Any]] = []
    async for page in pages(transport, path, params):
        items.extend(page.get("value") or [])
    return items
