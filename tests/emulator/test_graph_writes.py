"""Writing over HTTP: create, update (merge), delete, and how bodies are refused (contract §1, §2, §3)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import httpx
import pytest
from graph_seed import ADELE, ODD, PATRICK, SEED, segment, token

from certnb.emulator.resource import ODATA_TYPE
from certnb.emulator.server import Emulator

CERTS = "/me/profile/certifications"
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z")
# Where a strict refusal names the type or the place: the entity's, or the nested `inference` value's.
MESSAGE_PLACES = re.compile(
    r"microsoft\.graph\.(personCertification|inferenceData)|this resource|property 'inference'"
)


def error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["error"]["code"])


def stored(emu: Emulator, user_id: str, cert_id: str) -> dict[str, Any] | None:
    user = next(u for u in emu.state()["users"] if u["id"] == user_id)
    return next((c for c in user["certifications"] if c["id"] == cert_id), None)


def test_patch_merges_and_answers_200_with_the_whole_entity(adele: httpx.Client, fresh: Emulator) -> None:
    before = adele.get(f"{CERTS}/cert-01").json()
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    response = adele.patch(f"{CERTS}/cert-01", json={"endDate": "2030-12-31", "description": None})
    assert response.status_code == 200
    after = response.json()
    assert "@odata.type" not in after and after["@odata.context"].endswith("/certifications/$entity")
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"endDate", "lastModifiedDateTime", "lastModifiedBy"}  # description was already null
    assert STAMP.fullmatch(after["lastModifiedDateTime"])
    assert dt.datetime.fromisoformat(after["lastModifiedDateTime"]) >= started
    assert after["lastModifiedBy"]["user"] == {"displayName": ADELE["name"], "id": ADELE["id"]}
    assert after["createdDateTime"] == before["createdDateTime"]
    assert adele.get(f"{CERTS}/cert-01").json() == after
    assert stored(fresh, ADELE["id"], "cert-01") == {k: v for k, v in after.items() if not k.startswith("@")}


def test_explicit_null_clears_a_value(adele: httpx.Client) -> None:
    assert adele.patch(f"{CERTS}/cert-02", json={"displayName": None}).json()["displayName"] is None
    assert adele.get(f"{CERTS}/cert-02").json()["displayName"] is None


def test_patch_of_another_users_certification_by_encoded_upn(adele: httpx.Client, fresh: Emulator) -> None:
    path = f"/users/{segment(ODD['upn'])}/profile/certifications/cert-30"
    response = adele.patch(path, json={"allowedAudiences": "organization,contacts"})
    assert response.status_code == 200
    assert response.json()["allowedAudiences"] == "contacts,organization"
    assert stored(fresh, ODD["id"], "cert-30")["allowedAudiences"] == "contacts,organization"  # type: ignore[index]


def test_the_sdk_style_body_with_odata_type_and_read_only_fields_is_accepted(adele: httpx.Client) -> None:
    current = adele.get(f"{CERTS}/cert-03").json()
    body = {**current, "displayName": "Renamed", "id": "forged", "createdDateTime": "2000-01-01T00:00:00Z"}
    response = adele.patch(f"{CERTS}/cert-03", json=body)
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["displayName"]) == ("cert-03", "Renamed")
    assert response.json()["createdDateTime"] == current["createdDateTime"]


def test_create_answers_201_with_a_new_entity_and_location(adele: httpx.Client, fresh: Emulator) -> None:
    body = {"@odata.type": ODATA_TYPE, "displayName": "CKA", "issuedDate": "2025-05-05", "colour": "ignored"}
    response = adele.post(CERTS, json=body)
    assert response.status_code == 201
    created = response.json()
    assert created["displayName"] == "CKA" and created["endDate"] is None and "colour" not in created
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", created["id"])
    assert created["createdDateTime"] == created["lastModifiedDateTime"] and STAMP.fullmatch(
        created["createdDateTime"]
    )
    assert created["createdBy"]["user"]["id"] == ADELE["id"]
    assert (
        response.headers["location"]
        == f"{fresh.graph_url}/users/{ADELE['id']}/profile/certifications/{created['id']}"
    )
    assert adele.get(response.headers["location"]).json()["id"] == created["id"]
    listed = adele.get(CERTS, params={"$orderby": "createdDateTime desc", "$top": "1"}).json()["value"]
    assert listed[0]["id"] == created["id"]
    second = adele.post(CERTS, json={"displayName": "CKA"}).json()
    assert second["id"] != created["id"]


def test_delete_answers_204_then_404(adele: httpx.Client, fresh: Emulator) -> None:
    response = adele.delete(f"{CERTS}/cert-04")
    assert (response.status_code, response.content) == (204, b"")
    assert stored(fresh, ADELE["id"], "cert-04") is None
    assert error(adele.delete(f"{CERTS}/cert-04")) == (404, "itemNotFound")
    assert error(adele.get(f"{CERTS}/cert-04")) == (404, "itemNotFound")
    assert error(adele.patch(f"{CERTS}/cert-04", json={"displayName": "x"})) == (404, "itemNotFound")


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"endDate": "Date"}, "endDate"),
        ({"endDate": "2026-02-30"}, "endDate"),
        ({"startDate": "2026-02-01T00:00:00Z"}, "startDate"),
        ({"allowedAudiences": "friends"}, "allowedAudiences"),
        ({"displayName": 5}, "displayName"),
        ({"inference": {"confidenceScore": "high"}}, "confidenceScore"),
        ([{"displayName": "x"}], "JSON object"),
        ("x", "JSON object"),
    ],
)
def test_invalid_bodies_are_400_and_change_nothing(
    adele: httpx.Client, fresh: Emulator, body: Any, name: str
) -> None:
    before = stored(fresh, ADELE["id"], "cert-01")
    for response in (adele.patch(f"{CERTS}/cert-01", json=body), adele.post(CERTS, json=body)):
        assert error(response) == (400, "invalidRequest")
        assert name in response.json()["error"]["message"]
    assert stored(fresh, ADELE["id"], "cert-01") == before
    assert len(adele.get(CERTS, params={"$top": "50"}).json()["value"]) == 12


@pytest.mark.parametrize(
    ("content", "headers", "code"),
    [
        (b'{"displayName": ', {"Content-Type": "application/json"}, "invalidRequest"),
        (b"", {"Content-Type": "application/json"}, "invalidRequest"),
        (b'{"displayName": NaN}', {"Content-Type": "application/json"}, "invalidRequest"),
        (b"\xff\xfe", {"Content-Type": "application/json"}, "invalidRequest"),
        (b'{"displayName": "x"}', {}, "BadRequest"),
        (b'{"displayName": "x"}', {"Content-Type": "text/plain"}, "BadRequest"),
    ],
)
def test_malformed_json_and_missing_content_type_are_400(
    adele: httpx.Client, content: bytes, headers: dict[str, str], code: str
) -> None:
    for method, path in (("PATCH", f"{CERTS}/cert-01"), ("POST", CERTS)):
        response = adele.request(method, path, content=content, headers=headers)
        assert error(response) == (400, code)


def test_json_content_type_with_parameters_is_fine(adele: httpx.Client) -> None:
    response = adele.patch(
        f"{CERTS}/cert-01",
        content=json.dumps({"displayName": "ü"}).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200 and response.json()["displayName"] == "ü"


def test_strict_mode_refuses_read_only_and_unknown_properties() -> None:
    with Emulator(seed=SEED, https=False, strict=True) as emu:
        client = httpx.Client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token(emu)}"})
        with client:
            for body in ({"id": "x"}, {"colour": "red"}, {"createdBy": None}):
                response = client.patch(f"{CERTS}/cert-01", json=body)
                assert error(response) == (400, "invalidRequest")
            assert client.patch(f"{CERTS}/cert-01", json={"@odata.type": ODATA_TYPE}).status_code == 200


@pytest.mark.parametrize(
    ("top_level", "nested"),
    [
        ({"bogus": 1}, {"inference": {"confidenceScore": 0.5, "bogus": 1}}),
        ({"@odata.type": "#microsoft.graph.bogus"}, {"inference": {"@odata.type": "#microsoft.graph.bogus"}}),
    ],
)
def test_strict_mode_refuses_a_nested_member_exactly_like_a_top_level_one(
    top_level: dict[str, Any], nested: dict[str, Any]
) -> None:
    def refusal(client: httpx.Client, body: dict[str, Any]) -> tuple[int, str, str]:
        response = client.patch(f"{CERTS}/cert-01", json=body)
        answer = response.json()["error"]
        return response.status_code, answer["code"], MESSAGE_PLACES.sub("…", answer["message"])

    with Emulator(seed=SEED, https=False, strict=True) as emu:
        client = httpx.Client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token(emu)}"})
        with client:
            assert refusal(client, nested) == refusal(client, top_level)
            assert refusal(client, nested)[0] == 400
            inference = {"@odata.type": "#microsoft.graph.inferenceData", "confidenceScore": 0.5}
            answer = client.patch(f"{CERTS}/cert-01", json={"inference": inference})
            assert answer.status_code == 200 and answer.json()["inference"] == {"confidenceScore": 0.5}
            # source (a personDataSources) is read-only as a whole, nested members and all
            source = client.patch(f"{CERTS}/cert-01", json={"source": {"type": ["User"]}})
            assert error(source) == (400, "invalidRequest")


def test_default_mode_ignores_unknown_nested_members_and_types(adele: httpx.Client) -> None:
    body = {"inference": {"@odata.type": "#microsoft.graph.bogus", "confidenceScore": 0.5, "bogus": 1}}
    response = adele.patch(f"{CERTS}/cert-01", json=body)
    assert response.status_code == 200 and response.json()["inference"] == {"confidenceScore": 0.5}


def test_reset_restores_the_seed(adele: httpx.Client, fresh: Emulator) -> None:
    adele.delete(f"{CERTS}/cert-01")
    adele.patch(f"/users/{PATRICK['id']}/profile/certifications/cert-20", json={"endDate": None})
    fresh.reset()
    assert adele.get(f"{CERTS}/cert-01").status_code == 200
    assert (
        adele.get(f"/users/{PATRICK['id']}/profile/certifications/cert-20").json()["endDate"] == "2025-06-30"
    )
