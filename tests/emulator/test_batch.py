"""JSON batching over HTTP: envelope checks, per-item execution, dependsOn, throttled items (contract §7)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graph_seed import ADELE, ODD, PATRICK, Signer, segment

from certnb.emulator.server import Emulator

CERTS = "/me/profile/certifications"
JSON = {"Content-Type": "application/json"}


def batch(client: httpx.Client, requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Send a batch; its responses by id (Graph answers them in any order)."""
    response = client.post("/$batch", json={"requests": requests})
    assert response.status_code == 200, response.text
    responses = response.json()["responses"]
    assert sorted(r["id"] for r in responses) == sorted(r["id"] for r in requests)
    return {r["id"]: r for r in responses}


def refused(client: httpx.Client, body: Any, **kwargs: Any) -> str:
    """Send a malformed batch: the whole batch is 400; its message."""
    response = client.post("/$batch", json=body, **kwargs)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "BadRequest"
    return str(response.json()["error"]["message"])


def test_items_run_on_their_own_and_answer_with_json_bodies(adele: httpx.Client, fresh: Emulator) -> None:
    answers = batch(
        adele,
        [
            {"id": "get", "method": "GET", "url": f"{CERTS}/cert-01"},
            {
                "id": "patch",
                "method": "PATCH",
                "url": f"{CERTS}/cert-02",
                "headers": JSON,
                "body": {"endDate": "2031-01-01"},
            },
            {
                "id": "bad",
                "method": "PATCH",
                "url": f"{CERTS}/cert-03",
                "headers": JSON,
                "body": {"endDate": "Date"},
            },
            {"id": "missing", "method": "GET", "url": f"{CERTS}/nope"},
            {
                "id": "post",
                "method": "POST",
                "url": "me/profile/certifications",
                "headers": JSON,
                "body": {"displayName": "Batch-made"},
            },
            {"id": "delete", "method": "DELETE", "url": f"{CERTS}/cert-04"},
            {
                "id": "other",
                "method": "GET",
                "url": f"/users/{segment(ODD['upn'])}/profile/certifications?$select=id",
            },
        ],
    )
    assert answers["get"]["status"] == 200 and answers["get"]["body"]["id"] == "cert-01"
    assert "@odata.type" not in answers["get"]["body"] and answers["get"]["headers"]["OData-Version"] == "4.0"
    assert answers["get"]["headers"]["Content-Type"].startswith("application/json")
    assert answers["patch"]["status"] == 200 and answers["patch"]["body"]["endDate"] == "2031-01-01"
    assert answers["bad"]["status"] == 400 and answers["bad"]["body"]["error"]["code"] == "invalidRequest"
    assert (
        answers["missing"]["status"] == 404 and answers["missing"]["body"]["error"]["code"] == "itemNotFound"
    )
    assert answers["post"]["status"] == 201 and answers["post"]["body"]["displayName"] == "Batch-made"
    assert (answers["delete"]["status"], answers["delete"]["body"]) == (204, None)
    assert [c["id"] for c in answers["other"]["body"]["value"]] == ["cert-30"]
    certs = {c["id"]: c for c in fresh.state()["users"][0]["certifications"]}
    assert certs["cert-02"]["endDate"] == "2031-01-01" and "cert-04" not in certs
    assert certs["cert-03"]["endDate"] == "2026-04-01"


def test_item_links_point_at_the_version_root(adele: httpx.Client, fresh: Emulator) -> None:
    answers = batch(adele, [{"id": "1", "method": "GET", "url": CERTS}])
    body = answers["1"]["body"]
    assert body["@odata.context"].startswith(f"{fresh.graph_url}/$metadata#users('{ADELE['id']}')")
    assert body["@odata.nextLink"] == f"{fresh.graph_url}/me/profile/certifications?$skip=10"


def test_items_are_authorised_one_by_one(signed_in: Signer, fresh: Emulator) -> None:
    client = signed_in(scopes="User.ReadWrite")
    answers = batch(
        client,
        [
            {
                "id": "own",
                "method": "PATCH",
                "url": f"{CERTS}/cert-01",
                "headers": JSON,
                "body": {"description": "x"},
            },
            {
                "id": "other",
                "method": "PATCH",
                "url": f"/users/{PATRICK['id']}/profile/certifications/cert-20",
                "headers": JSON,
                "body": {"description": "x"},
            },
        ],
    )
    assert answers["own"]["status"] == 200
    assert answers["other"]["status"] == 403
    assert answers["other"]["body"]["error"]["code"] == "Authorization_RequestDenied"


def test_depends_on_runs_in_order_and_fails_dependents_with_424(adele: httpx.Client, fresh: Emulator) -> None:
    answers = batch(
        adele,
        [
            {"id": "read", "method": "GET", "url": f"{CERTS}/cert-05", "dependsOn": ["write"]},
            {
                "id": "write",
                "method": "PATCH",
                "url": f"{CERTS}/cert-05",
                "headers": JSON,
                "body": {"displayName": "first"},
            },
            {"id": "fails", "method": "GET", "url": f"{CERTS}/nope"},
            {
                "id": "after-fail",
                "method": "PATCH",
                "url": f"{CERTS}/cert-06",
                "headers": JSON,
                "body": {"displayName": "never"},
                "dependsOn": ["FAILS"],
            },
            {"id": "chained", "method": "GET", "url": f"{CERTS}/cert-06", "dependsOn": ["after-fail"]},
        ],
    )
    assert answers["read"]["status"] == 200 and answers["read"]["body"]["displayName"] == "first"
    assert answers["fails"]["status"] == 404
    assert answers["after-fail"]["status"] == 424
    assert answers["after-fail"]["body"]["error"]["code"] == "FailedDependency"
    assert answers["chained"]["status"] == 424
    certs = {c["id"]: c for c in fresh.state()["users"][0]["certifications"]}
    assert certs["cert-06"]["displayName"] == "Cert 06"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({}, "requests"),
        ({"requests": []}, "at least one"),
        ({"requests": "x"}, "requests"),
        ([], "requests"),
        ({"requests": [{"id": str(i), "method": "GET", "url": "/me"} for i in range(21)]}, "limit of 20"),
        (
            {
                "requests": [
                    {"id": "a", "method": "GET", "url": "/me"},
                    {"id": "A", "method": "GET", "url": "/me"},
                ]
            },
            "unique",
        ),
        ({"requests": [{"method": "GET", "url": "/me"}]}, "'id'"),
        ({"requests": [{"id": "1", "url": "/me"}]}, "'method'"),
        ({"requests": [{"id": "1", "method": "GET"}]}, "'url'"),
        ({"requests": [{"id": 1, "method": "GET", "url": "/me"}]}, "'id'"),
        ({"requests": [{"id": "1", "method": "FETCH", "url": "/me"}]}, "method"),
        (
            {"requests": [{"id": "1", "method": "GET", "url": "https://graph.microsoft.com/beta/me"}]},
            "relative",
        ),
        (
            {
                "requests": [
                    {"id": "1", "method": "PATCH", "url": f"{CERTS}/cert-01", "body": {"displayName": "x"}}
                ]
            },
            "Content-Type",
        ),
        ({"requests": [{"id": "1", "method": "GET", "url": "/me", "headers": {"x": 1}}]}, "headers"),
        ({"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["2"]}]}, "depends on '2'"),
        ({"requests": [{"id": "1", "method": "GET", "url": "/me", "dependsOn": ["1"]}]}, "depends on '1'"),
        (
            {
                "requests": [
                    {"id": "1", "method": "GET", "url": "/me", "dependsOn": "2"},
                    {"id": "2", "method": "GET", "url": "/me"},
                ]
            },
            "dependsOn",
        ),
        (
            {
                "requests": [
                    {"id": "1", "method": "GET", "url": "/me", "dependsOn": ["2"]},
                    {"id": "2", "method": "GET", "url": "/me", "dependsOn": ["1"]},
                ]
            },
            "cycle",
        ),
        ({"requests": [None]}, "not an object"),
    ],
)
def test_malformed_batches_are_400_as_a_whole_and_run_nothing(
    adele: httpx.Client, fresh: Emulator, body: Any, why: str
) -> None:
    before = fresh.state()
    assert why in refused(adele, body)
    assert fresh.state() == before
    assert fresh.stats().get("batch_items", 0) == 0


def test_batch_body_must_be_json(adele: httpx.Client) -> None:
    response = adele.post("/$batch", content=b"{", headers=JSON)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "BadRequest")
    response = adele.post("/$batch", content=b'{"requests": []}', headers={"Content-Type": "text/plain"})
    assert response.status_code == 400


def test_twenty_items_are_fine_and_counted_once_as_a_batch(adele: httpx.Client, fresh: Emulator) -> None:
    answers = batch(adele, [{"id": str(i), "method": "GET", "url": f"{CERTS}?$top=1"} for i in range(20)])
    assert {a["status"] for a in answers.values()} == {200}
    stats = fresh.stats()
    assert stats["batch_items"] == 20 and stats["requests_total"] == 1


def test_beta_prefixed_item_urls_fail_like_graph(adele: httpx.Client) -> None:
    answers = batch(adele, [{"id": "1", "method": "GET", "url": "/beta/me"}])
    assert answers["1"]["status"] == 400
    assert answers["1"]["body"]["error"]["message"] == "Resource not found for the segment 'beta'."


def test_throttled_items_get_429_with_their_own_retry_after(adele: httpx.Client, fresh: Emulator) -> None:
    fresh.set_faults(throttle_rps=0.001, throttle_burst=3)
    answers = batch(adele, [{"id": str(i), "method": "GET", "url": f"{CERTS}/cert-01"} for i in range(6)])
    statuses = sorted(a["status"] for a in answers.values())
    assert statuses == [200, 200, 200, 429, 429, 429]
    for answer in answers.values():
        if answer["status"] == 429:
            assert float(answer["headers"]["Retry-After"]) > 0
            assert answer["body"]["error"]["code"] == "TooManyRequests"


def test_items_without_a_token_in_the_envelope_are_401(fresh: Emulator) -> None:
    response = httpx.post(
        f"{fresh.graph_url}/$batch",
        json={"requests": [{"id": "1", "method": "GET", "url": "/me"}]},
        verify=fresh.verify(),
    )
    assert response.status_code == 200
    assert response.json()["responses"][0]["status"] == 401
