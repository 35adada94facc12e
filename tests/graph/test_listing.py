"""Many lists read to their end (`Graph.get_lists`, graph/listing.py): first pages and nextLinks through
`$batch` round by round, a link `$batch` cannot carry fetched alone, one loop guard per list (contract §6,
§7); the same guard in `get_all`, and a malformed nextLink refused as a `GraphError`.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from next_links import NextLinks

import certnb
from certnb.emulator.server import Emulator
from certnb.errors import GraphError
from certnb.graph import Graph, urls

from .seed import ADELE, AWKWARD, MANY, MANY_CERTS, SEED

LISTS = [urls.certifications_path(u) for u in [MANY, ADELE, *AWKWARD]]


def test_every_list_is_read_to_its_end_through_batch(graph: Graph, fresh: Emulator) -> None:
    answered: list[int] = []
    listings = graph.get_lists(LISTS, on_first_pages=answered.append)
    stats = fresh.stats()
    assert [x.ok for x in listings] == [True] * len(LISTS) and sum(answered) == len(LISTS)
    assert [item["id"] for item in listings[0].items] == [f"cert-2-{k}" for k in range(MANY_CERTS)]
    assert listings[0].pages == 4  # page_size=3: 11 items on 4 pages
    direct = [graph.get_all(path) for path in LISTS]
    assert [x.items for x in listings] == direct
    # 9 first pages (one $batch), then MANY's 3 nextLinks, one round each: no list page asked for alone.
    assert stats["by_route"].get("POST /$batch") == 4 and stats["batch_items"] == len(LISTS) + 3


def test_a_list_whose_user_is_gone_is_missing(graph: Graph) -> None:
    gone, here = graph.get_lists([urls.certifications_path("nobody@contoso.example"), LISTS[1]])
    assert gone.missing and not gone.ok and gone.answer is not None and gone.answer.status == 404
    assert here.ok and not here.missing and here.items == graph.get_all(LISTS[1])


def test_a_next_link_batch_cannot_carry_is_fetched_alone_verbatim(fresh: Emulator) -> None:
    # Same origin, but not spelled as the version root (an upper-case scheme): it cannot be made relative.
    many = urls.certifications_path(MANY)
    server = NextLinks(fresh, lambda url: _upper(url) + "?$skip=3" if url.endswith(many) else None)
    with certnb.connect(emulator=fresh, all_users=True, transport=server) as graph:
        [listing] = graph.get_lists([many])
    assert listing.ok and len(listing.items) == MANY_CERTS
    assert server.alone == [server.replaced[0] + "?$skip=3"]  # fetched alone, once; later pages in batches


def test_a_repeated_next_link_stops_its_list_only(fresh: Emulator) -> None:
    many = urls.certifications_path(MANY)
    server = NextLinks(fresh, lambda url: url if many in url else None)
    with certnb.connect(emulator=fresh, all_users=True, transport=server) as graph:
        looped, other = graph.get_lists([many, LISTS[1]])
    assert looped.error is not None and looped.error.code == "nextLinkLoop"
    link = server.replaced[0]
    assert looped.error.url == link and link in looped.error.message
    assert len(server.replaced) == 2  # the first page and its nextLink once
    assert other.ok and other.items == graph_items(fresh, LISTS[1])


def test_a_repeated_next_link_fetched_alone_stops_its_list(fresh: Emulator) -> None:
    many = urls.certifications_path(MANY)
    server = NextLinks(fresh, lambda url: _upper(url) if many in url else None)
    with certnb.connect(emulator=fresh, all_users=True, transport=server) as graph:
        [looped] = graph.get_lists([many])
    assert looped.error is not None and looped.error.code == "nextLinkLoop"
    assert len(server.alone) == 1 and len(server.replaced) == 2


def test_get_all_stops_at_a_repeated_next_link(fresh: Emulator) -> None:
    many = urls.certifications_path(MANY)
    server = NextLinks(fresh, lambda url: url if many in url else None)
    with certnb.connect(emulator=fresh, all_users=True, transport=server) as graph, \
            pytest.raises(GraphError) as caught:
        graph.get_all(many)
    assert caught.value.code == "nextLinkLoop" and server.replaced[0] in str(caught.value)
    assert len(server.replaced) == 2


def test_get_all_refuses_a_malformed_next_link_as_a_graph_error(fresh: Emulator) -> None:
    bad = "https://127.0.0.1:99999/beta/users?$skip=3"
    server = NextLinks(fresh, lambda url: bad)
    with certnb.connect(emulator=fresh, all_users=True, transport=server) as graph, \
            pytest.raises(GraphError) as caught:
        graph.get_all(urls.certifications_path(MANY))
    assert caught.value.code == "invalidNextLink" and caught.value.url == bad
    assert bad in str(caught.value) and "Port out of range" in str(caught.value)
    assert len(server.alone) == 1  # the first page only: the bad link was never sent


def graph_items(emu: Emulator, path: str) -> list[dict[str, object]]:
    with certnb.connect(emulator=emu, all_users=True) as graph:
        return graph.get_all(path)


def _upper(url: str) -> str:
    return "HTTPS://" + url.removeprefix("https://")


class SlowBatches(httpx.AsyncBaseTransport):
    """The emulator, each `$batch` held 50 ms: records the order of requests and the batches at once."""

    def __init__(self, emu: Emulator) -> None:
        self.inner = httpx.AsyncHTTPTransport(verify=emu.verify())
        self.sent: list[str] = []  # "users" (a page of /users) or "batch", in the order they were sent
        self.open = self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/$batch"):
            self.sent.append("users" if request.url.path.endswith("/users") else request.url.path)
            return await self.inner.handle_async_request(request)
        self.sent.append("batch")
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            await asyncio.sleep(0.05)
            return await self.inner.handle_async_request(request)
        finally:
            self.open -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_each_page_of_users_has_its_lists_read_while_the_next_page_comes(fresh: Emulator) -> None:
    server = SlowBatches(fresh)
    with certnb.connect(emulator=fresh, all_users=True, transport=server) as graph:
        graph.max_concurrency = 1
        pages = graph.get_each_list(
            "/users", {"$top": 2}, lambda person: urls.certifications_path(person["id"]),
            lambda users, lists: (users, lists))
        people = [person for users, _ in pages for person in users]
        listings = [listing for _, lists in pages for listing in lists]
        assert [len(users) for users, _ in pages] == [2, 2, 2, 2, 1]
        # The same as listing the users, then their lists: every item, in the users' order.
        everyone = graph.get_all("/users", {"$top": 2})
        assert people == everyone and len(people) == len(SEED["users"])
        direct = graph.get_lists([urls.certifications_path(p["id"]) for p in everyone])
    assert [x.items for x in listings] == [x.items for x in direct] and all(x.ok for x in listings)
    assert [x.path for x in listings] == [urls.certifications_path(p["id"]) for p in people]
    # Five pages of users: the first lists went out before the last page was asked for (nothing waited for
    # the whole directory), and all the pages' batches kept one bound between them (max_concurrency 1).
    first_pass = server.sent[: server.sent.index("users", server.sent.index("batch")) + 1]
    assert first_pass.count("users") < 5
    assert server.peak == 1


def test_a_directory_collection_is_counted_or_none(graph: Graph) -> None:
    assert graph.count("/users") == len(SEED["users"])
    # A collection Graph cannot count answers 400 or 404 (B2C, a non-directory path): no count, no error.
    assert graph.count(urls.certifications_path(ADELE)) is None
