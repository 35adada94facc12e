"""Injected faults: transient 5xx, drops, latency, scripted nth-request faults, applied-but-429, knobs."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from certnb.emulator.config import Faults, ScriptedFault
from certnb.emulator.exchange import Call, Reply
from certnb.emulator.faults import DROP, FaultInjector
from certnb.emulator.server import Emulator

LIST = "/me/profile/certifications"
pytestmark = pytest.mark.certnb_emulator(https=False)


@pytest.fixture
def graph(graph_emulator: Emulator) -> Iterator[httpx.Client]:
    """A raw Graph client of the default user, rooted at the emulator's `/beta`."""
    token = graph_emulator.access_token()
    with httpx.Client(base_url=graph_emulator.graph_url, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def first_certification(graph: httpx.Client) -> dict[str, Any]:
    certifications: list[dict[str, Any]] = graph.get(LIST).json()["value"]
    assert certifications, "the built-in tenant's default user has certifications"
    return certifications[0]


# ---------------------------------------------------------------- the injector on its own
def draws(seed: int, n: int = 200) -> list[int | None]:
    injector = FaultInjector(Faults(error_500_rate=0.1, error_503_rate=0.1, drop_rate=0.1, random_seed=seed))
    outcomes: list[int | None] = []
    for i in range(n):
        refused = injector.before(Call("GET", LIST, request_id=f"r{i}"))
        outcomes.append(None if refused is None else refused.status)
    return outcomes


def test_a_random_seed_makes_the_fault_draws_reproducible() -> None:
    assert draws(7) == draws(7)
    assert draws(7) != draws(8)
    counts = {status: draws(7).count(status) for status in (500, 503, DROP)}
    assert all(5 <= n <= 40 for n in counts.values()), counts  # about 20 each of 200


def test_a_drop_drawn_inside_a_batch_becomes_a_504_for_that_item() -> None:
    injector = FaultInjector(Faults(drop_rate=1.0))
    assert injector.before(Call("GET", LIST, request_id="a")) == Reply(DROP)
    item = injector.before(Call("GET", LIST, request_id="b", in_batch=True))
    assert item is not None and item.status == 504
    assert item.body["error"]["code"] == "gatewayTimeout"


def test_update_names_an_unknown_knob_and_a_bad_value() -> None:
    injector = FaultInjector(Faults())
    with pytest.raises(TypeError, match=r"'throttle_rsp'.*known: .*throttle_rps"):
        injector.update(throttle_rsp=5)
    with pytest.raises(ValueError, match=r"error_503_rate.*1\.5"):
        injector.update(error_503_rate=1.5)
    with pytest.raises(ValueError, match="scripted fault 'nth' is 1-based"):
        injector.update(scripted=[{"nth": 0, "status": 503}])
    with pytest.raises(ValueError, match="unknown scripted fault field"):
        injector.update(scripted=[{"nth": 1, "status": 503, "colour": "red"}])
    assert injector.knobs() == json.loads(json.dumps(injector.knobs()))  # JSON-able, unchanged


def test_bad_knobs_given_at_construction_are_refused_too() -> None:
    with pytest.raises(ValueError, match="latency_ms"):
        Emulator(https=False, latency_ms=-5)


# ---------------------------------------------------------------- over real sockets
@pytest.mark.parametrize(
    ("knob", "status", "code"),
    [
        ("error_500_rate", 500, "generalException"),
        ("error_503_rate", 503, "serviceNotAvailable"),
        ("error_504_rate", 504, "gatewayTimeout"),
    ],
)
def test_transient_errors_carry_the_graph_code_and_envelope(
    graph_emulator: Emulator, graph: httpx.Client, knob: str, status: int, code: str
) -> None:
    graph_emulator.set_faults(**{knob: 1.0})
    reply = graph.get(LIST, headers={"client-request-id": "5f0c6e7e-0000-4000-8000-000000000001"})
    assert reply.status_code == status
    error = reply.json()["error"]
    assert error["code"] == code
    assert error["innerError"]["client-request-id"] == "5f0c6e7e-0000-4000-8000-000000000001"
    assert reply.headers["request-id"] == error["innerError"]["request-id"]
    assert ("Retry-After" in reply.headers) == (status == 503)


def test_a_dropped_connection_is_a_transport_error_not_a_status(
    graph_emulator: Emulator, graph: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    graph_emulator.set_faults(drop_rate=1.0)
    with pytest.raises(httpx.TransportError):
        graph.get(LIST)
    graph_emulator.set_faults(drop_rate=0.0)
    assert graph.get(LIST).status_code == 200  # the client reconnects; the server is fine
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # a planned drop is no crash


@pytest.mark.certnb_emulator(https=True)
def test_a_dropped_connection_over_https_is_a_transport_error(graph_emulator: Emulator) -> None:
    token = graph_emulator.access_token()
    graph_emulator.set_faults(scripted=[{"nth": 1, "status": 0}])
    with httpx.Client(verify=graph_emulator.verify()) as client, pytest.raises(httpx.TransportError):
        client.get(f"{graph_emulator.graph_url}{LIST}", headers={"Authorization": f"Bearer {token}"})


def test_latency_and_jitter_delay_every_request_by_at_least_the_fixed_part(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    graph.get(LIST)  # connect first: only the emulator's delay is measured
    graph_emulator.set_faults(latency_ms=150, jitter_ms=50)
    for _ in range(3):
        start = time.monotonic()
        assert graph.get(LIST).status_code == 200
        assert time.monotonic() - start >= 0.150


def test_a_scripted_fault_hits_exactly_the_nth_matching_request(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    graph_emulator.set_faults(
        scripted=[ScriptedFault(nth=3, status=503, method="GET", path_contains="/profile/certifications")]
    )
    graph.get("/users", params={"$top": "1"})  # does not match: not counted
    assert [graph.get(LIST).status_code for _ in range(5)] == [200, 200, 503, 200, 200]


def test_a_scripted_fault_with_its_own_retry_after(graph_emulator: Emulator, graph: httpx.Client) -> None:
    graph_emulator.set_faults(scripted=[{"nth": 1, "status": 429, "retry_after": "2.128"}])
    reply = graph.get(LIST)
    assert (reply.status_code, reply.headers["Retry-After"]) == (429, "2.128")
    assert reply.json()["error"]["code"] == "TooManyRequests"


def test_an_applied_scripted_429_changes_the_data_and_still_answers_429(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    cert = first_certification(graph)
    graph_emulator.set_faults(scripted=[{"nth": 1, "status": 429, "method": "PATCH", "applied": True}])
    url = f"{LIST}/{cert['id']}"
    reply = graph.patch(url, json={"displayName": "Applied anyway"})
    assert reply.status_code == 429
    assert graph.get(url).json()["displayName"] == "Applied anyway"  # contract §8: re-read before retrying


def test_applied_but_429_rate_applies_to_writes_only(graph_emulator: Emulator, graph: httpx.Client) -> None:
    cert = first_certification(graph)
    graph_emulator.set_faults(applied_but_429_rate=1.0)
    assert graph.get(LIST).status_code == 200
    url = f"{LIST}/{cert['id']}"
    assert graph.patch(url, json={"description": "written"}).status_code == 429
    graph_emulator.set_faults(applied_but_429_rate=0.0)
    assert graph.get(url).json()["description"] == "written"


def batch(graph: httpx.Client, n: int) -> list[dict[str, Any]]:
    requests = [{"id": str(i), "method": "GET", "url": LIST} for i in range(1, n + 1)]
    reply = graph.post("/$batch", json={"requests": requests})
    assert reply.status_code == 200
    responses: list[dict[str, Any]] = reply.json()["responses"]
    return sorted(responses, key=lambda item: int(item["id"]))


def test_inside_batch_each_item_is_throttled_on_its_own(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    graph_emulator.set_faults(throttle_rps=1, throttle_burst=3)
    items = batch(graph, 5)
    assert [item["status"] for item in items] == [200, 200, 200, 429, 429]
    assert all(item["headers"]["Retry-After"] == "1" for item in items[3:])
    assert items[3]["body"]["error"]["code"] == "TooManyRequests"


def test_inside_batch_a_scripted_drop_is_a_504_item_and_the_rest_succeed(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    graph_emulator.set_faults(scripted=[{"nth": 2, "status": 0, "path_contains": "/profile/"}])
    items = batch(graph, 3)
    assert [item["status"] for item in items] == [200, 504, 200]
    assert items[1]["body"]["error"]["code"] == "gatewayTimeout"


def test_a_batch_costs_one_latency(graph_emulator: Emulator, graph: httpx.Client) -> None:
    graph.get(LIST)
    graph_emulator.set_faults(latency_ms=300)
    start = time.monotonic()
    batch(graph, 4)
    elapsed = time.monotonic() - start
    assert elapsed >= 0.3
    # Four latencies would be 1.2 s; the bound is loose because only "not per item" is asserted.
    assert elapsed < 1.1


def test_inside_batch_a_create_answered_429_after_it_was_made_and_a_dropped_delete_still_happen(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    cert = first_certification(graph)
    graph_emulator.set_faults(scripted=[{"nth": 1, "status": 429, "method": "POST", "applied": True},
                                        {"nth": 1, "status": 0, "method": "DELETE", "applied": True}])
    requests = [
        {"id": "1", "method": "POST", "url": LIST, "headers": {"Content-Type": "application/json"},
         "body": {"displayName": "Created anyway"}},
        {"id": "2", "method": "DELETE", "url": f"{LIST}/{cert['id']}"},
    ]
    reply = graph.post("/$batch", json={"requests": requests})
    items = {item["id"]: item for item in reply.json()["responses"]}
    assert (items["1"]["status"], items["1"]["body"]["error"]["code"]) == (429, "TooManyRequests")
    assert items["2"]["status"] == 504  # a drop inside a batch is that item's 504
    listed = graph.get(LIST, params={"$top": "999"}).json()["value"]
    assert [c["displayName"] for c in listed].count("Created anyway") == 1  # made, though answered 429
    assert cert["id"] not in {c["id"] for c in listed}  # deleted, though the answer was lost
