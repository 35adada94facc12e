"""$batch: ≤ 20 per batch, dependsOn kept together, per-item 429/5xx retried, 424 answered (contract §7)."""

from __future__ import annotations

import pytest

from certnb.emulator.config import ScriptedFault
from certnb.emulator.server import Emulator
from certnb.graph import BatchRequest, Graph, urls
from certnb.graph.batch import plan_batches

from .seed import ADELE, AWKWARD, MANY

USERS = [ADELE, MANY, *AWKWARD]


def reads(n: int) -> list[BatchRequest]:
    return [
        BatchRequest("GET", urls.certifications_path(USERS[i % len(USERS)]), id=f"r{i}") for i in range(n)
    ]


def test_plan_keeps_dependency_chains_together() -> None:
    requests = [
        *reads(19),
        BatchRequest("GET", "/me", id="a"),
        BatchRequest("GET", "/me", id="b", depends_on=("A",)),
    ]
    plan = plan_batches(requests)
    assert plan == [list(range(19)), [19, 20]]


def test_plan_refuses_what_graph_would_refuse() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        plan_batches([BatchRequest("GET", "/me", id="x"), BatchRequest("GET", "/me", id="X")])
    with pytest.raises(ValueError, match="unknown id"):
        plan_batches([BatchRequest("GET", "/me", id="x", depends_on=("y",))])
    chain = [BatchRequest("GET", "/me", id=str(i), depends_on=(str(i - 1),) if i else ()) for i in range(21)]
    with pytest.raises(ValueError, match="at most 20"):
        plan_batches(chain)


def test_batches_of_twenty_answers_in_order(graph: Graph, fresh: Emulator) -> None:
    answers = graph.batch(reads(45))

    assert [a.id for a in answers] == [f"r{i}" for i in range(45)]
    assert all(a.ok for a in answers)
    assert answers[0].body["value"][0]["displayName"] == f"{ADELE} #0"
    stats = fresh.stats()
    assert (stats["batch_requests"], stats["batch_items"]) == (3, 45)


def test_throttled_items_are_retried_alone(graph: Graph, fresh: Emulator) -> None:
    fresh.set_faults(throttle_rps=40, throttle_burst=10, fractional_retry_after=True)
    answers = graph.batch(reads(60))

    assert [a.status for a in answers] == [200] * 60
    stats = fresh.stats()
    assert stats["throttled"] > 0
    assert stats["batch_items"] == 60 + stats["throttled"]  # only the refused items went again
    assert graph.pacer.rate is not None and graph.pacer.rate < 80  # it learned the server's pace


def test_transient_item_failures_are_retried(graph: Graph, fresh: Emulator) -> None:
    fresh.set_faults(
        scripted=[
            ScriptedFault(nth=2, status=503, method="GET", path_contains="/profile"),
            ScriptedFault(nth=3, status=0, method="GET", path_contains="/profile"),  # an item's drop: 504
        ]
    )
    answers = graph.batch(reads(5))
    assert [a.status for a in answers] == [200] * 5
    assert [a.attempts for a in answers] == [1, 2, 2, 1, 1]


def test_failed_dependency_gives_424(graph: Graph) -> None:
    answers = graph.batch(
        [
            {
                "id": "1",
                "method": "PATCH",
                "url": urls.certifications_path(None, "nope"),
                "body": {"displayName": "x"},
            },
            {"id": "2", "method": "GET", "url": urls.certifications_path(None), "dependsOn": ["1"]},
        ]
    )
    assert [a.status for a in answers] == [404, 424]
    assert answers[1].error is not None and answers[1].error.status == 424
    with pytest.raises(Exception, match="424"):
        answers[1].raise_for_status()


def test_dependent_of_a_retried_item_is_retried_with_it(graph: Graph, fresh: Emulator) -> None:
    fresh.set_faults(scripted=[ScriptedFault(nth=1, status=503, method="GET", path_contains="/profile")])
    answers = graph.batch(
        [
            {"id": "first", "method": "GET", "url": urls.certifications_path(MANY)},
            {"id": "then", "method": "GET", "url": urls.certifications_path(ADELE), "dependsOn": ["first"]},
        ]
    )
    assert [(a.status, a.attempts) for a in answers] == [(200, 2), (200, 2)]


def test_throttled_write_item_is_surfaced_not_retried(graph: Graph, fresh: Emulator) -> None:
    fresh.set_faults(scripted=[ScriptedFault(nth=1, status=429, method="PATCH", applied=True)])
    path = urls.certifications_path(None, "cert-1-0")
    (answer,) = graph.batch([BatchRequest("PATCH", path, body={"displayName": "Renamed"})])

    assert answer.status == 429 and answer.may_have_applied and answer.attempts == 1
    assert fresh.stats()["batch_items"] == 1
    assert graph.get(path)["displayName"] == "Renamed"
