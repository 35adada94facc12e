"""Listing: many collections (e.g. every user's certifications) read to their end, `$batch` doing the work.

    read_lists(transport, paths)
      round 0   every path's first page, 20 to a `$batch`, batches concurrent (batch.py, contract §7)
      round k   each unfinished list's nextLink from round k-1 (contract §6: followed verbatim, opaque):
                  below the version root → in batches, as the relative url `$batch` wants
                  anywhere else          → fetched alone, verbatim (transport.call refuses another origin)
      a list ends at a page without nextLink, or at the first answer that failed; a nextLink the list
      already followed stops it (paging.next_link, the one loop guard), so a server bug cannot loop forever

    read_each_list(transport, "/users", params, list_of, each_page)
      a collection paged to its end (paging.pages) and, page by page, `read_lists` of the list each of its
      items names, started as the page comes in (the next page is fetched while this one's lists are read),
      then `each_page(items, listings)` of it, so a caller keeps what it makes of a page, not the page

Every request goes through the session's pacer, and Retry-After is honoured, exactly as for `Graph.batch`.
Each list comes back as a `Listing`: its items, or the answer that stopped it.

>>> listings = await read_lists(transport, [certifications_path(u) for u in users], 8)   # doctest: +SKIP
>>> [(x.path, len(x.items)) for x in listings if x.ok]                                    # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from certnb.errors import GraphError
from certnb.graph.batch import BatchRequest, BatchResponse, run_batches
from certnb.graph.paging import next_link, pages
from certnb.graph.transport import GraphTransport

__all__ = ["Listing", "read_each_list", "read_lists"]

T = TypeVar("T")


@dataclass
class Listing:
    """One collection as read: its items in order, or the failed `answer` that stopped it (items so far kept).

    `answer` is a `BatchResponse` for every kind of stop (a failed item, a lone GET that raised, a nextLink
    loop), so a caller reports all of them one way: `answer.status`, `answer.error`, `answer.request.url`.

    >>> Listing("/me/profile/certifications", [{"id": "c1"}], pages=1)
    <Listing /me/profile/certifications: 1 item on 1 page>
    """

    path: str
    items: list[dict[str, Any]] = field(default_factory=list)
    answer: BatchResponse | None = None
    pages: int = 0

    def __repr__(self) -> str:  # the items themselves may be thousands
        items, pages = len(self.items), self.pages
        read = f"{items} item{'s' if items != 1 else ''} on {pages} page{'s' if pages != 1 else ''}"
        stopped = "" if self.error is None else f", stopped by {self.error.status} {self.error.code}"
        return f"<Listing {self.path}: {read}{stopped}>"

    @property
    def ok(self) -> bool:
        """True when the list was read to its last page."""
        return self.answer is None

    @property
    def error(self) -> GraphError | None:
        """Why the list stopped early, if it did."""
        return None if self.answer is None else self.answer.error

    @property
    def missing(self) -> bool:
        """True when the first page was answered 404: the collection (or its user) does not exist."""
        return self.pages == 0 and self.answer is not None and self.answer.status == 404


async def read_lists(
    transport: GraphTransport,
    paths: Sequence[str],
    max_concurrency: int,
    on_first_pages: Callable[[int], None] | None = None,
    gate: asyncio.Semaphore | None = None,
    on_items: Callable[[list[Any]], None] | None = None,
) -> list[Listing]:
    """Every item of each collection in `paths` (relative to the version root), one `Listing` each, in order.

    `on_first_pages(n)` is called as first pages come in (n lists at a time), for a progress bar; `gate`
    bounds the batches in flight when other reads share the bound (`read_each_list`); `on_items(items)`
    sees each page's items as the page comes in, before they join their list (the load interns them).
    """
    gate = gate if gate is not None else asyncio.Semaphore(max(1, max_concurrency))
    listings = [Listing(path) for path in paths]
    followed: list[set[str]] = [set() for _ in paths]
    requests = [BatchRequest("GET", path) for path in paths]
    answers = (
        await run_batches(transport, requests, max_concurrency, on_first_pages, gate) if requests else []
    )
    pending: dict[int, str] = {}
    for i, answer in enumerate(answers):
        link = _take(listings[i], answer, followed[i], on_items)
        if link is not None:
            pending[i] = link
    while pending:
        answers_by_list = await _follow(transport, pending, max_concurrency, gate)
        following: dict[int, str] = {}
        for i, answer in answers_by_list.items():
            link = _take(listings[i], answer, followed[i], on_items)
            if link is not None:
                following[i] = link
        pending = following
    return listings


async def read_each_list(
    transport: GraphTransport,
    path: str,
    params: Mapping[str, Any] | None,
    list_of: Callable[[dict[str, Any]], str],
    each_page: Callable[[list[dict[str, Any]], list[Listing]], T],
    max_concurrency: int,
    on_first_pages: Callable[[int], None] | None = None,
    on_page: Callable[[int], None] | None = None,
    on_items: Callable[[list[Any]], None] | None = None,
) -> list[T]:
    """Every page of the collection `path` (e.g. the tenant's users) with, for each of its items, the whole
    list `list_of(item)` names (that user's certifications): `each_page(items, listings)` of every page, in
    order, the listings in the items' order.

    Each page's lists are read while the next page is fetched, so the throttle budget the server grants
    meanwhile is spent instead of lost (a full bucket refills for nothing, contract §8.1); the batches of
    every page share one bound of `max_concurrency` in flight. `each_page` runs as soon as a page's lists
    are read (on the session's loop), so what it does not keep of them is let go before the load ends.
    `on_page(n)` is told of each page's `n` items as it comes in, `on_first_pages` and `on_items` as for
    `read_lists`.
    """
    gate = asyncio.Semaphore(max(1, max_concurrency))

    async def read(chunk: list[dict[str, Any]]) -> T:
        paths = [list_of(item) for item in chunk]
        return each_page(chunk, await read_lists(
            transport, paths, max_concurrency, on_first_pages, gate, on_items))

    reads: list[asyncio.Task[T]] = []
    try:
        async for page in pages(transport, path, params):
            chunk = page.get("value") or []
            if on_page is not None:
                on_page(len(chunk))
            reads.append(asyncio.create_task(read(chunk)))
        return list(await asyncio.gather(*reads))
    finally:
        for task in reads:  # the collection failed or the caller was interrupted: no read goes on alone
            task.cancel()


def _take(
    listing: Listing,
    answer: BatchResponse,
    followed: set[str],
    on_items: Callable[[list[Any]], None] | None = None,
) -> str | None:
    """Add a page's items to its list; the nextLink to follow, or None when the list ends here."""
    if answer.error is not None or not answer.ok:
        listing.answer = answer
        return None
    url = answer.request.url if answer.request is not None else listing.path
    try:
        link = next_link(answer.body, followed, url)
    except GraphError as error:
        listing.answer = _stopped(answer.id, error)
        return None
    items = answer.body.get("value") or []
    if on_items is not None and isinstance(items, list):
        on_items(items)
    listing.items.extend(items)
    listing.pages += 1
    return link


async def _follow(
    transport: GraphTransport, pending: dict[int, str], max_concurrency: int, gate: asyncio.Semaphore
) -> dict[int, BatchResponse]:
    """One round: every pending nextLink fetched, in batches where `$batch` can carry it, else alone; all of
    them within `gate`'s bound of requests in flight."""
    root = transport.base_url + "/"
    batched = [i for i, link in pending.items() if link.startswith(root)]
    alone = [i for i in pending if not pending[i].startswith(root)]
    requests = [BatchRequest("GET", pending[i][len(transport.base_url) :]) for i in batched]
    in_batches, by_themselves = await asyncio.gather(
        run_batches(transport, requests, max_concurrency, gate=gate) if requests else _nothing(),
        asyncio.gather(*(_alone(transport, str(i), pending[i], gate) for i in alone)),
    )
    return {**dict(zip(batched, in_batches, strict=True)), **dict(zip(alone, by_themselves, strict=True))}


async def _nothing() -> list[BatchResponse]:
    return []


async def _alone(
    transport: GraphTransport, item_id: str, link: str, gate: asyncio.Semaphore
) -> BatchResponse:
    """A nextLink `$batch` cannot carry (not below the version root), fetched alone and verbatim."""
    async with gate:
        try:
            body = await transport.call("GET", link)
        except GraphError as error:  # refused (another origin, malformed) or answered with an error
            return _stopped(item_id, error, link)
    return BatchResponse(item_id, 200, body, request=BatchRequest("GET", link))


def _stopped(item_id: str, error: GraphError, url: str | None = None) -> BatchResponse:
    """The answer standing for an error that stopped a list, shaped like a failed `$batch` item."""
    request = BatchRequest("GET", url or error.url)
    return BatchResponse(item_id, error.status, None, {}, request, error=error)
