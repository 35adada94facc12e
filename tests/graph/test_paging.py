"""Paging follows @odata.nextLink verbatim until it is absent (contract §6); $select is passed through."""

from __future__ import annotations

from certnb.emulator.server import Emulator
from certnb.graph import Graph, urls

from .seed import MANY, MANY_CERTS


def test_get_all_follows_next_links(graph: Graph, fresh: Emulator) -> None:
    items = graph.get_all(urls.certifications_path(MANY))

    assert [item["id"] for item in items] == [f"cert-2-{k}" for k in range(MANY_CERTS)]
    # page_size=3: ceil(11 / 3) = 4 requests, each a GET of the collection
    assert fresh.stats()["requests_total"] == 4


def test_get_returns_one_page_with_its_next_link(graph: Graph) -> None:
    page = graph.get(urls.certifications_path(MANY))
    assert len(page["value"]) == 3 and page["@odata.nextLink"].startswith(graph.base_url)


def test_select_and_top_travel_with_the_first_request_only(graph: Graph) -> None:
    items = graph.get_all(urls.certifications_path(MANY), {"$select": ["id", "displayName"], "$top": 5})

    assert len(items) == MANY_CERTS
    assert all(set(item) <= {"id", "displayName", "@odata.type"} for item in items)
    assert items[0]["displayName"] == f"{MANY} #0"


def test_empty_collection(graph: Graph) -> None:
    adele = graph.me()["userPrincipalName"]
    for cert in graph.get_all(urls.certifications_path(None)):
        graph.delete(urls.certifications_path(None, cert["id"]))
    assert graph.get_all(urls.certifications_path(adele)) == []
