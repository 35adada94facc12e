"""Request statistics: requests by route and method, batch items, 429s, statuses, peak concurrency."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from certnb.emulator.exchange import Call, Reply
from certnb.emulator.server import Emulator
from certnb.emulator.stats import Stats, route_key

LIST = "/me/profile/certifications"
pytestmark = pytest.mark.certnb_emulator(https=False)


@pytest.mark.parametrize(
    ("method", "path", "key"),
    [
        ("get", "/me/profile/certifications", "GET /me/profile/certifications"),
        ("GET", "/Me/Profile/Certifications/", "GET /me/profile/certifications"),
        (
            "PATCH",
            "/users/a%27b%40contoso.com/profile/certifications/7b1",
            "PATCH /users/{id}/profile/certifications/{id}",
        ),
        ("DELETE", "/me/profile/certifications/abc?x=1", "DELETE /me/profile/certifications/{id}"),
        ("GET", "/users('$a@x.org')/profile/certifications", "GET /users('{id}')/profile/certifications"),
        ("GET", "/users", "GET /users"),
        ("POST", "/$batch", "POST /$batch"),
    ],
)
def test_route_keys_replace_ids_and_upns(method: str, path: str, key: str) -> None:
    assert route_key(method, path) == key


def test_counters_without_a_server() -> None:
    stats = Stats()
    stats.count(Call("GET", LIST))
    stats.count_batch(Call("POST", "/$batch"), 2)
    stats.count(Call("GET", LIST, in_batch=True))
    stats.count(Call("PATCH", f"{LIST}/1", in_batch=True))
    stats.record(Call("PATCH", f"{LIST}/1", in_batch=True), Reply(404))
    snap = stats.snapshot()
    assert snap["requests_total"] == 2  # one plain request + one envelope
    assert snap["batch_requests"] == 1 and snap["batch_items"] == 2
    assert snap["by_route"] == {
        "GET /me/profile/certifications": 2,
        "PATCH /me/profile/certifications/{id}": 1,
        "POST /$batch": 1,
    }
    assert snap["by_method"] == {"GET": 2, "PATCH": 1, "POST": 1}
    assert snap["errors"] == {"404": 1}


def test_the_route_table_is_bounded() -> None:
    stats = Stats()
    for i in range(1000):
        stats.count(Call("GET", f"/garbage{i}"))
    assert len(stats.snapshot()["by_route"]) <= 201


@pytest.fixture
def graph(graph_emulator: Emulator) -> Iterator[httpx.Client]:
    token = graph_emulator.access_token()
    with httpx.Client(base_url=graph_emulator.graph_url, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def test_stats_over_http_count_requests_items_and_429s(graph_emulator: Emulator, graph: httpx.Client) -> None:
    assert graph_emulator.stats()["requests_total"] == 0  # reset before each test
    user_id = graph_emulator.state()["users"][0]["id"]
    graph.get(LIST)
    graph.get(f"/users/{user_id}/profile/certifications")
    graph.get(f"{LIST}/does-not-exist")
    requests = [{"id": str(i), "method": "GET", "url": LIST} for i in range(3)]
    assert graph.post("/$batch", json={"requests": requests}).status_code == 200
    graph_emulator.set_faults(throttle_rps=1, throttle_burst=1)
    assert [graph.get(LIST).status_code for _ in range(2)] == [200, 429]

    snap = graph_emulator.stats()
    assert snap["requests_total"] == 6
    assert snap["batch_requests"] == 1 and snap["batch_items"] == 3
    assert snap["by_route"]["GET /me/profile/certifications"] == 1 + 3 + 2
    assert snap["by_route"]["GET /users/{id}/profile/certifications"] == 1
    assert snap["by_route"]["GET /me/profile/certifications/{id}"] == 1
    assert snap["by_route"]["POST /$batch"] == 1
    assert snap["by_method"] == {"GET": 8, "POST": 1}
    assert snap["throttled"] == 1
    assert snap["in_flight"] == 0


def test_stats_count_error_statuses(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    graph.get(f"{LIST}/does-not-exist")
    graph_emulator.set_faults(error_503_rate=1.0)
    graph.get(LIST)
    assert graph_emulator.stats()["errors"] == {"404": 1, "503": 1}


def test_peak_in_flight_sees_concurrent_requests(graph_emulator: Emulator, graph: httpx.Client) -> None:
    graph_emulator.set_faults(latency_ms=300)
    token = graph.headers["Authorization"]

    def one_call() -> None:
        httpx.get(f"{graph_emulator.graph_url}{LIST}", headers={"Authorization": token})

    threads = [threading.Thread(target=one_call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert graph_emulator.stats()["peak_in_flight"] >= 3
