"""Listing: many collections (e.g. every user's certifications) read to their end, `$batch` doing the work.

    read_lists(transport, paths)
      round 0   every path's first page, 20 to a `$batch`, batches concurrent (batch.py, contract §7)
      round k   each unfinished list's nextLink from round k-1 (contract §6: followed verbatim, opaque):
                  below the version root → in batches, as the relative url `$batch` wants
                  anywhere else          → fetched alone, verbatim (transport.call refuses another origin)
      a list ends at a page without nextLink, or at the first answer that failed; a nextLink the list
      already followed stops it (paging.next_link, the one loop guard), so a server bug cannot loop forever

Every request goes through the session's pacer, and Retry-After is honoured, exactly as for `Graph.batch`.
Each list comes back as a `Listing`: its items, or the answer that stopped it.

>>> listings = await read_lists(transport, [certifications_path(u) for u in users], 8)   # doctest: +SKIP
>>> [(x.path, len(x.items)) for x in listings if x.ok]                                    # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from certnb.errors import GraphError
from certnb.graph.batch import BatchRequest, BatchResponse, run_batches
from certnb.graph.paging import next_link
from certnb.graph.transport import GraphTransport

__all__ = ["Listing", "read_lists"]


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
) -> list[Listing]:
    """Every item of each collection in `paths` (relative to the version root), one `Listing` each, in order.

    `on_first_pages(n)` is called as first pages come in (n lists at a time), for a progress bar.
    """
    listings = [Listing(path) for path in paths]
    followed: list[set[str]] = [set() for _ in paths]
    requests = [BatchRequest("GET", path) for path in paths]
    answers = await run_batches(transport, requests, max_concurrency, on_first_pages) if requests else []
    pending: dict[int, str] = {}
    for i, answer in enumerate(answers):
        link = _take(listings[i], answer, followed[i])
        if link is not None:
            pending[i] = link
    while pending:
        answers_by_list = await _follow(transport, pending, max_concurrency)
        following: dict[int, str] = {}
        for i, answer in answers_by_list.items():
            link = _take(listings[i], answer, followed[i])
            if link is not None:
                following[i] = link
        pending = following
    return listings


def _take(listing: Listing, answer: BatchResponse, followed: set[str]) -> str | None:
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
    listing.items.extend(answer.body.get("value") or [])
    listing.pages += 1
    return link


async def _follow(
    transport: GraphTransport, pending: dict[int, str], max_concurrency: int
) -> dict[int, BatchResponse]:
    """One round: every pending nextLink fetched, in batches where `$batch` can carry it, else alone."""
    root = transport.base_url + "/"
    batched = [i for i, link in pending.items() if link.startswith(root)]
    alone = [i for i in pending if not pending[i].startswith(root)]
    requests = [BatchRequest("GET", pending[i][len(transport.base_url) :]) for i in batched]
    gate = asyncio.Semaphore(max(1, max_concurrency))
    in_batches, by_themselves = await asyncio.gather(
        run_batches(transport, requests, max_concurrency) if requests else _nothing(),
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
