"""Throttle profiles: Graph's stacked scopes answer as Graph does, scaled down (contract §8.1, §10)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from certnb.emulator.server import Emulator
from certnb.emulator.throttle_profiles import profile, request_cost, t_min
from certnb.emulator.throttle_scopes import CallFacts, ScopedThrottle

LIST = "/me/profile/certifications"
pytestmark = pytest.mark.certnb_emulator(https=False)


class SteppedClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------------ pure
def test_scaling_keeps_the_shape_of_the_limits() -> None:
    large = profile("graph-large")
    scaled = large.scaled(scale=0.01, window_scale=0.01)
    assert [s.rate for s in scaled.scopes] == pytest.approx([s.rate for s in large.scopes])
    assert [s.limit for s in scaled.scopes] == pytest.approx([80, 30, 180])
    faster = large.scaled(scale=0.01, window_scale=0.001)
    assert [s.rate for s in faster.scopes] == pytest.approx([10 * s.rate for s in large.scopes])


def test_an_override_naming_an_unknown_scope_says_which_scopes_exist() -> None:
    with pytest.raises(ValueError, match=r"'Mailbox/Requests'.*Tenant_Application/Write"):
        profile("graph-small").scaled(overrides={"Mailbox/Requests": [1, 1]})
    with pytest.raises(ValueError, match=r"unknown throttle profile 'graph-huge'; known: single, graph-"):
        profile("graph-huge")


@pytest.mark.parametrize(
    ("method", "path", "query", "cost"),
    [
        ("GET", "/users", "", 2),
        ("GET", "/users", "$select=id", 1),
        ("GET", "/users", "$expand=manager", 3),
        ("GET", "/users", "$select=id&$top=5", 1),  # never below 1
        ("GET", "/me/profile/certifications", "$top=10", 1),
        ("DELETE", "/users/x/profile/certifications/1", "", 1),
    ],
)
def test_resource_unit_costs_follow_the_documented_table(
    method: str, path: str, query: str, cost: int
) -> None:
    assert request_cost(method, path, query) == cost


def test_t_min_is_the_slowest_scopes_bound() -> None:
    # writes per app+tenant: (6,000 − 3,000) / 20 per s = 150 s; per tenant (6,000 < 18,000): 0 s
    assert t_min("graph-small", writes=6_000) == pytest.approx(150.0)
    # resource units: (35,000 + 1,000 − 3,500) / 350 per s = 92.9 s, more than the writes' 0 s
    assert t_min("graph-small", reads=35_000, writes=1_000) == pytest.approx(32_500 / 350)
    # one mailbox each: 20,000 calls over 2 people = 10,000 each, all within the first burst
    assert t_min("outlook-mailbox", reads=20_000, people=2) == 0.0
    assert t_min("outlook-mailbox", reads=20_000, people=1) == pytest.approx(10_000 / (10_000 / 600))
    assert t_min("single", reads=10**6) == 0.0


def test_a_call_another_scope_refuses_spends_nothing_from_the_first() -> None:
    clock = SteppedClock()
    limits = profile("graph-small").scaled(
        overrides={"Tenant_Application/ReadWrite": [3, 3], "Tenant_Application/Write": [1, 1]}
    )
    throttle = ScopedThrottle(limits, clock=clock)
    write = CallFacts("app", "tenant", write=True)
    assert type(throttle.admit(write)).__name__ == "Admitted"
    refused = throttle.admit(write)
    assert getattr(refused, "scope", None) == "Tenant_Application/Write"
    read = CallFacts("app", "tenant")
    # 3 resource units, 1 spent by the first write: the refused write gave its unit back
    assert [type(throttle.admit(read)).__name__ for _ in range(3)] == ["Admitted", "Admitted", "Refused"]


# ------------------------------------------------------------------ over HTTP
@pytest.fixture
def graph(graph_emulator: Emulator) -> Iterator[httpx.Client]:
    token = graph_emulator.access_token()
    with httpx.Client(base_url=graph_emulator.graph_url, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def _people(emu: Emulator) -> list[dict[str, Any]]:
    return [u for u in emu.state()["users"] if u.get("certifications")]


def _cert_path(user: dict[str, Any]) -> str:
    return f"/users/{user['id']}/profile/certifications/{user['certifications'][0]['id']}"


def test_past_80_percent_of_a_limit_answers_say_how_much_is_used(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    # Contract §8.1: `x-ms-throttle-limit-percentage`, only once more than 0.8 of the limit is consumed.
    graph_emulator.set_faults(
        throttle_profile="graph-small", throttle_limits={"Tenant_Application/ReadWrite": [10, 600]}
    )
    answers = [graph.get(LIST) for _ in range(10)]
    assert [a.status_code for a in answers] == [200] * 10
    shares = [a.headers.get("x-ms-throttle-limit-percentage") for a in answers]
    assert shares[:8] == [None] * 8  # 0.1 … 0.8 of the 10 units spent: not past 0.8 yet
    assert [float(s) for s in shares[8:]] == pytest.approx([0.9, 1.0], abs=0.01)
    batch = graph.post("/$batch", json={"requests": [{"id": "1", "method": "GET", "url": LIST}]})
    assert batch.json()["responses"][0]["status"] == 429  # the limit is spent: a refusal says no share
    assert "x-ms-throttle-limit-percentage" not in batch.json()["responses"][0].get("headers", {})


def test_graph_small_refuses_over_its_resource_units_with_the_scope_headers(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    graph_emulator.set_faults(
        throttle_profile="graph-small", throttle_limits={"Tenant_Application/ReadWrite": [4, 60]}
    )
    answers = [graph.get(LIST) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert answers[0].headers["x-ms-resource-unit"] == "1"
    refused = answers[-1]
    app_id, tenant_id = refused.headers["x-ms-throttle-scope"].split("/")[2:]
    assert refused.headers["x-ms-throttle-scope"].startswith("Tenant_Application/ReadWrite/")
    assert tenant_id == graph_emulator.tenant_id and app_id
    assert refused.headers["x-ms-throttle-information"] == "ResourceUnitLimitExceeded"
    assert int(refused.headers["Retry-After"]) == 15  # one unit at 4 per 60 s
    assert refused.json()["error"]["code"] == "TooManyRequests"
    assert "x-ms-resource-unit" not in refused.headers
    assert graph.get("/users").status_code == 429  # within the announced pause every call is refused
    stats = graph_emulator.stats()
    assert stats["throttled_by_scope"] == {"Tenant_Application/ReadWrite": 2}
    assert stats["throttled"] == 2


def test_writes_are_limited_per_app_and_per_tenant_while_reads_go_on(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    person = _people(graph_emulator)[0]
    graph_emulator.set_faults(
        throttle_profile="graph-medium",
        throttle_limits={"Tenant_Application/Write": [3, 60], "Tenant/Write": [100, 60]},
    )
    body = {"displayName": "Renamed"}
    statuses = [graph.patch(_cert_path(person), json=body).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = graph.patch(_cert_path(person), json=body)
    assert refused.headers["x-ms-throttle-scope"].startswith("Tenant_Application/Write/")
    assert refused.headers["x-ms-throttle-information"] == "WriteLimitExceeded"
    assert graph.get(LIST).status_code == 200  # reads spend resource units only
    graph_emulator.set_faults(
        throttle_limits={"Tenant_Application/Write": [100, 60], "Tenant/Write": [2, 60]}
    )
    statuses = [graph.patch(_cert_path(person), json=body).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    scope = graph.patch(_cert_path(person), json=body).headers["x-ms-throttle-scope"]
    assert scope.startswith("Tenant/Write/")
    assert graph_emulator.stats()["throttled_by_scope"] == {"Tenant/Write": 2, "Tenant_Application/Write": 2}


def test_batch_items_count_one_by_one_and_a_throttled_item_answers_429_inside_a_200(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    graph_emulator.set_faults(
        throttle_profile="graph-large", throttle_limits={"Tenant_Application/ReadWrite": [5, 10]}
    )
    items = [{"id": str(i), "method": "GET", "url": LIST} for i in range(20)]
    envelope = graph.post("/$batch", json={"requests": items})
    assert envelope.status_code == 200
    responses = envelope.json()["responses"]
    assert sorted(r["status"] for r in responses) == [200] * 5 + [429] * 15
    for refused in (r for r in responses if r["status"] == 429):
        assert refused["headers"]["Retry-After"] == "2"
        assert refused["headers"]["x-ms-throttle-scope"].startswith("Tenant_Application/ReadWrite/")
        assert refused["body"]["error"]["code"] == "TooManyRequests"
    assert graph_emulator.stats()["throttled_by_scope"] == {"Tenant_Application/ReadWrite": 15}


def test_outlook_mailbox_allows_four_requests_at_once_per_person(graph_emulator: Emulator) -> None:
    adele, other = _people(graph_emulator)[:2]
    graph_emulator.set_faults(throttle_profile="outlook-mailbox", latency_ms=400)
    token = graph_emulator.access_token()

    async def at_once(paths: list[str]) -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=graph_emulator.graph_url, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            return list(await asyncio.gather(*(client.get(p) for p in paths)))

    adele_list = f"/users/{adele['id']}/profile/certifications"
    answers = asyncio.run(at_once([adele_list] * 6 + [f"/users/{other['id']}/profile/certifications"] * 2))
    assert sorted(a.status_code for a in answers[:6]) == [200] * 4 + [429] * 2
    assert [a.status_code for a in answers[6:]] == [200, 200]  # another mailbox has its own four
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["error"]["code"] == "ApplicationThrottled"
    assert refused.json()["error"]["message"] == "Application is over its MailboxConcurrency limit."
    assert refused.headers["Retry-After"] == "1"
    assert "x-ms-throttle-scope" not in refused.headers
    assert graph_emulator.stats()["throttled_by_scope"] == {"Mailbox/Concurrency": 2}


def test_outlook_mailbox_counts_requests_per_person_batch_items_included(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    adele, other = _people(graph_emulator)[:2]
    graph_emulator.set_faults(
        throttle_profile="outlook-mailbox", throttle_limits={"Mailbox/Requests": [3, 60]}
    )
    by_id = f"/users/{adele['id']}/profile/certifications"
    by_upn = f"/users/{adele['userPrincipalName']}/profile/certifications"
    items = [{"id": str(i), "method": "GET", "url": by_id if i % 2 else by_upn} for i in range(4)]
    items.append({"id": "other", "method": "GET", "url": f"/users/{other['id']}/profile/certifications"})
    responses = {r["id"]: r for r in graph.post("/$batch", json={"requests": items}).json()["responses"]}
    # by id or by UPN: one mailbox
    assert sorted(responses[str(i)]["status"] for i in range(4)) == [200, 200, 200, 429]
    assert responses["other"]["status"] == 200
    refused = next(r for r in responses.values() if r["status"] == 429)
    assert refused["body"]["error"]["code"] == "ApplicationThrottled"
    assert refused["headers"]["Retry-After"] == "20"
    assert graph_emulator.stats()["throttled_by_scope"] == {"Mailbox/Requests": 1}


def test_single_stays_the_default_and_counts_its_429s_under_its_name(
    graph_emulator: Emulator, graph: httpx.Client
) -> None:
    assert graph_emulator.app.faults.knobs()["throttle_profile"] == "single"
    graph_emulator.set_faults(throttle_rps=1, throttle_burst=1)
    assert [graph.get(LIST).status_code for _ in range(2)] == [200, 429]
    assert "x-ms-resource-unit" not in graph.get(LIST).headers
    assert graph_emulator.stats()["throttled_by_scope"] == {"single": 2}


def test_bad_profile_knobs_are_refused_by_name_and_change_nothing(graph_emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="unknown throttle profile 'graph-xl'"):
        graph_emulator.set_faults(throttle_profile="graph-xl")
    with pytest.raises(ValueError, match="throttle_scale"):
        graph_emulator.set_faults(throttle_scale=0)
    with pytest.raises(ValueError, match=r"throttle_limits names scope\(s\) \['Tenant/Write'\]"):
        graph_emulator.set_faults(
            throttle_profile="outlook-mailbox", throttle_limits={"Tenant/Write": [1, 1]}
        )
    with pytest.raises(ValueError, match=r"throttle_limits\['Tenant/Write'\] must be \[limit, window_s\]"):
        graph_emulator.set_faults(throttle_profile="graph-small", throttle_limits={"Tenant/Write": [1]})
    assert graph_emulator.app.faults.knobs()["throttle_profile"] == "single"


def test_a_profile_is_chosen_when_the_emulator_is_built_and_over_the_admin_route() -> None:
    with Emulator(
        https=False, throttle_profile="graph-large", throttle_limits={"Tenant/Write": [50, 1]}
    ) as emu:
        token = emu.access_token()
        headers = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{emu.graph_url}{LIST}", headers=headers).headers["x-ms-resource-unit"] == "1"
        assert httpx.get(f"{emu.graph_url}/users", headers=headers).headers["x-ms-resource-unit"] == "2"
        knobs = httpx.post(f"{emu.url}/_emulator/faults", json={"throttle_profile": "outlook-mailbox"}).json()
        assert knobs["throttle_profile"] == "outlook-mailbox"
        assert knobs["throttle_limits"] == {}  # the previous profile's overrides are dropped with it
        assert "x-ms-resource-unit" not in httpx.get(f"{emu.graph_url}{LIST}", headers=headers).headers
