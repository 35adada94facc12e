"""Admin routes: health, state, reset, stats and live fault knobs, as JSON and without a token (§10)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from certnb.emulator.server import Emulator

LIST = "/me/profile/certifications"
pytestmark = pytest.mark.certnb_emulator(https=False)


@pytest.fixture
def admin(graph_emulator: Emulator) -> Iterator[httpx.Client]:
    """A client of the admin API: no Authorization header at all."""
    with httpx.Client(base_url=f"{graph_emulator.url}/_emulator") as client:
        yield client


def test_health_names_the_tenant(graph_emulator: Emulator, admin: httpx.Client) -> None:
    reply = admin.get("/health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok", "tenant_id": graph_emulator.tenant_id}


def test_state_is_the_seed_format(graph_emulator: Emulator, admin: httpx.Client) -> None:
    state = admin.get("/state").json()
    assert state["tenant"]["id"] == graph_emulator.tenant_id
    assert state["users"] and {"id", "userPrincipalName", "certifications"} <= set(state["users"][0])
    assert state == graph_emulator.state()


def test_reset_restores_the_seed_and_clears_stats_and_faults(
    graph_emulator: Emulator, admin: httpx.Client
) -> None:
    token = graph_emulator.access_token()
    headers = {"Authorization": f"Bearer {token}"}
    before = admin.get("/state").json()
    cert = httpx.get(f"{graph_emulator.graph_url}{LIST}", headers=headers).json()["value"][0]
    patched = httpx.patch(
        f"{graph_emulator.graph_url}{LIST}/{cert['id']}", json={"displayName": "Changed"}, headers=headers
    )
    assert patched.status_code == 200
    admin.post("/faults", json={"latency_ms": 5})
    assert admin.get("/state").json() != before
    assert admin.get("/stats").json()["requests_total"] == 2

    reply = admin.post("/reset")
    assert reply.status_code == 200
    assert admin.get("/state").json() == before
    assert admin.get("/stats").json()["requests_total"] == 0
    assert admin.get("/faults").json()["latency_ms"] == 0


def test_stats_route_reports_the_snapshot(graph_emulator: Emulator, admin: httpx.Client) -> None:
    httpx.get(f"{graph_emulator.graph_url}{LIST}")  # no token: 401, still a Graph request
    stats = admin.get("/stats").json()
    assert stats["requests_total"] == 1
    assert stats["by_route"] == {"GET /me/profile/certifications": 1}
    assert {"batch_items", "throttled", "peak_in_flight", "by_method"} <= set(stats)


def test_faults_are_read_and_changed_live(graph_emulator: Emulator, admin: httpx.Client) -> None:
    assert admin.get("/faults").json()["throttle_rps"] == 0
    reply = admin.post(
        "/faults", json={"error_503_rate": 1.0, "scripted": [{"nth": 2, "status": 500, "method": "get"}]}
    )
    assert reply.status_code == 200
    knobs = reply.json()
    assert knobs["error_503_rate"] == 1.0
    assert knobs["scripted"][0] == {
        "nth": 2, "status": 500, "method": "GET", "path_contains": "", "applied": False, "retry_after": None
    }
    token = graph_emulator.access_token()
    answered = httpx.get(f"{graph_emulator.graph_url}{LIST}", headers={"Authorization": f"Bearer {token}"})
    assert answered.status_code == 503


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"throttle_rsp": 5}, "throttle_rsp"),
        ({"drop_rate": "often"}, "drop_rate"),
        ({"scripted": [{"status": 503}]}, "nth"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_fault_knobs_are_a_400_naming_the_problem(
    admin: httpx.Client, body: object, named: str
) -> None:
    reply = admin.post("/faults", json=body)
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "invalidRequest"
    assert named in error["message"]
    assert admin.get("/faults").json()["drop_rate"] == 0  # nothing half-applied


def test_a_body_that_is_not_json_is_a_400(admin: httpx.Client) -> None:
    reply = admin.post("/faults", content=b"{not json", headers={"Content-Type": "application/json"})
    assert reply.status_code == 400
    assert "not JSON" in reply.json()["error"]["message"]


def test_admin_routes_refuse_other_methods(admin: httpx.Client) -> None:
    assert admin.get("/reset").status_code == 405
    assert admin.delete("/faults").status_code == 405
