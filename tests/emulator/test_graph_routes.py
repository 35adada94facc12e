"""Reading over HTTP: routes, user addressing, OData annotations, paging, query options (contract §1, §6)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graph_seed import ADELE, ADELE_CERTS, DOLLAR, ODD, PATRICK, SEED, Signer, segment, token

from certnb.emulator.profile_sources import USER_EDITS
from certnb.emulator.resource import PROPERTIES
from certnb.emulator.server import Emulator

CERTS = "/me/profile/certifications"
BY_CREATED = [c["id"] for c in sorted(ADELE_CERTS, key=lambda c: c["createdDateTime"])]


def error_code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def follow(client: httpx.Client, url: str) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list, following `@odata.nextLink` verbatim; and how many pages it took."""
    items: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["value"]
        pages += 1
        next_url = body.get("@odata.nextLink")
    return items, pages


def test_list_is_ordered_by_created_and_paged_by_ten(adele: httpx.Client, emu: Emulator) -> None:
    response = adele.get(CERTS)
    body = response.json()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert (
        body["@odata.context"] == f"{emu.graph_url}/$metadata#users('{ADELE['id']}')/profile/certifications"
    )
    assert [c["id"] for c in body["value"]] == BY_CREATED[:10]
    assert body["@odata.nextLink"] == f"{emu.graph_url}/me/profile/certifications?$skip=10"
    # Minimal metadata: no @odata.type on items of the declared type (the docs' list example, contract §13)
    assert not any("@odata.type" in c for c in body["value"])
    items, pages = follow(adele, CERTS)
    assert ([c["id"] for c in items], pages) == (BY_CREATED, 2)


def test_entities_carry_every_property_as_seeded(adele: httpx.Client) -> None:
    first = adele.get(CERTS).json()["value"][0]
    seeded = next(c for c in ADELE_CERTS if c["id"] == first["id"])
    # A seed item without sources is the user's own entry, named property by property (contract §13).
    given = [k for k in PROPERTIES if PROPERTIES[k].writable and seeded.get(k) is not None]
    user_edits = {"isDefaultSource": True, "properties": given, "sourceId": USER_EDITS}
    assert first == {**seeded, "isSearchable": True, "sources": [user_edits]}


@pytest.mark.parametrize("top", [1, 3, 5, 12, 999])
def test_top_sets_the_page_size_and_next_links_keep_it(adele: httpx.Client, top: int) -> None:
    items, pages = follow(adele, f"{CERTS}?$top={top}")
    assert [c["id"] for c in items] == BY_CREATED
    assert pages == -(-len(BY_CREATED) // top)


def test_next_link_keeps_every_other_option(adele: httpx.Client, emu: Emulator) -> None:
    query = "$select=displayName&$filter=endDate ne null&$orderby=displayName desc&$top=4"
    first = adele.get(f"{CERTS}?{query}").json()
    assert "$select=displayName" in first["@odata.nextLink"] and "$skip=4" in first["@odata.nextLink"]
    items, _ = follow(adele, f"{CERTS}?{query}")
    expected = sorted((c for c in ADELE_CERTS if c["endDate"]), key=lambda c: c["displayName"], reverse=True)
    assert [c["id"] for c in items] == [c["id"] for c in expected]
    assert all(set(c) == {"id", "displayName"} for c in items)


def test_top_is_capped_at_max_top_and_page_size_is_a_knob() -> None:
    with Emulator(seed=SEED, https=False, page_size=5, max_top=7) as emu:
        client = httpx.Client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token(emu)}"})
        with client:
            assert len(client.get(CERTS).json()["value"]) == 5
            assert len(client.get(f"{CERTS}?$top=50").json()["value"]) == 7


def test_count_filter_and_empty_pages(adele: httpx.Client) -> None:
    body = adele.get(CERTS, params={"$filter": "endDate eq null", "$count": "true"}).json()
    assert (body["@odata.count"], [c["id"] for c in body["value"]]) == (1, ["cert-05"])
    body = adele.get(CERTS, params={"$filter": "displayName eq 'nothing'"}).json()
    assert body["value"] == [] and "@odata.nextLink" not in body
    assert adele.get(CERTS, params={"$skip": "50"}).json()["value"] == []


def test_get_one_certification_with_and_without_select(adele: httpx.Client, emu: Emulator) -> None:
    body = adele.get(f"{CERTS}/cert-03").json()
    assert body["@odata.context"] == (
        f"{emu.graph_url}/$metadata#users('{ADELE['id']}')/profile/certifications/$entity"
    )
    assert body["id"] == "cert-03" and "@odata.type" not in body and body["displayName"] == "Cert 03"
    body = adele.get(f"{CERTS}/cert-03", params={"$select": "endDate"}).json()
    assert {k: v for k, v in body.items() if not k.startswith("@")} == {
        "id": "cert-03",
        "endDate": "2026-04-01",
    }
    assert body["@odata.context"].endswith("/profile/certifications(id,endDate)/$entity")


@pytest.mark.parametrize("query", ["$top=1", "$filter=id eq 'x'", "$expand=x", "$select=colour"])
def test_get_refuses_list_options_and_unknown_selects(adele: httpx.Client, query: str) -> None:
    response = adele.get(f"{CERTS}/cert-03?{query}")
    assert (response.status_code, error_code(response)) == (400, "invalidRequest")


@pytest.mark.parametrize(
    "query",
    [
        "$top=-1",
        "$top=x",
        "$skip=x",
        "$filter=endDate eq 'x'",
        "$orderby=colour",
        "$search=x",
        "$top=1&$top=2",
    ],
)
def test_bad_list_options_are_400_invalid_request(adele: httpx.Client, query: str) -> None:
    response = adele.get(f"{CERTS}?{query}")
    assert (response.status_code, error_code(response)) == (400, "invalidRequest")
    assert response.json()["error"]["message"]


@pytest.mark.parametrize("user", [ADELE, PATRICK, ODD, DOLLAR], ids=lambda u: u["upn"])
def test_users_are_addressed_by_id_or_percent_encoded_upn(adele: httpx.Client, user: dict[str, str]) -> None:
    seeded = next(u for u in SEED["users"] if u["id"] == user["id"])
    by_created = sorted(seeded["certifications"], key=lambda c: c["createdDateTime"])
    expected = [c["id"] for c in by_created][:10]
    for key in (user["id"], user["upn"], user["upn"].upper()):
        response = adele.get(f"/users/{segment(key)}/profile/certifications")
        assert response.status_code == 200, (key, response.text)
        assert [c["id"] for c in response.json()["value"]] == expected
    assert adele.get(f"/users/{segment(user['upn'])}").json()["id"] == user["id"]


def test_parenthesised_key_addresses_a_dollar_upn(adele: httpx.Client) -> None:
    assert adele.get("/users('$ops@fabrikam.example')").json()["id"] == DOLLAR["id"]
    quoted = "/users('patrick.o''brien@fabrikam.example')/profile/certifications"
    assert [c["id"] for c in adele.get(quoted).json()["value"]] == ["cert-20"]


def test_segments_match_case_insensitively_and_trailing_slash_is_fine(adele: httpx.Client) -> None:
    assert adele.get("/Me/Profile/Certifications/cert-01").json()["id"] == "cert-01"
    assert adele.get(f"{CERTS}/").status_code == 200


@pytest.mark.parametrize(
    ("path", "status", "code", "segment_name"),
    [
        ("/foo", 400, "BadRequest", "foo"),
        ("/me/profile/awards", 400, "BadRequest", "awards"),
        ("/me/manager", 400, "BadRequest", "manager"),
        ("/me/profile/certifications/cert-01/extra", 400, "BadRequest", "extra"),
        ("/v1.0/me", 400, "BadRequest", "v1.0"),
        ("/users/nobody@fabrikam.example/profile/certifications", 404, "itemNotFound", None),
        ("/users/nobody@fabrikam.example", 404, "itemNotFound", None),
        ("/me/profile/certifications/no-such-cert", 404, "itemNotFound", None),
        (f"/users/{PATRICK['id']}/profile/certifications/cert-01", 404, "itemNotFound", None),
    ],
)
def test_unknown_routes_users_and_certifications(
    adele: httpx.Client, path: str, status: int, code: str, segment_name: str | None
) -> None:
    response = adele.get(path)
    assert (response.status_code, error_code(response)) == (status, code)
    if segment_name is not None:
        assert response.json()["error"]["message"] == f"Resource not found for the segment '{segment_name}'."
    assert response.headers["request-id"] == response.json()["error"]["innerError"]["request-id"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", f"{CERTS}/cert-01", "GET, PATCH, DELETE"),
        ("DELETE", CERTS, "GET, POST"),
        ("PATCH", CERTS, "GET, POST"),
        ("POST", f"{CERTS}/cert-01", "GET, PATCH, DELETE"),
        ("POST", "/users", "GET"),
        ("DELETE", "/me", "GET"),
    ],
)
def test_other_methods_on_known_routes_are_405(
    adele: httpx.Client, method: str, path: str, allow: str
) -> None:
    response = adele.request(method, path, json={})
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert error_code(response) and response.json()["error"]["innerError"]["request-id"]


def test_unknown_error_fidelity_mode_blanks_400_and_404() -> None:
    with Emulator(seed=SEED, https=False, unknown_error_fidelity=True) as emu:
        headers = {"Authorization": f"Bearer {token(emu)}"}
        for path, status in ((f"{CERTS}/none", 404), (f"{CERTS}?$top=x", 400)):
            response = httpx.get(emu.graph_url + path, headers=headers)
            assert response.status_code == status
            assert (response.json()["error"]["code"], response.json()["error"]["message"]) == (
                "UnknownError",
                "",
            )


def test_me_users_and_profile(adele: httpx.Client, emu: Emulator) -> None:
    me = adele.get("/me").json()
    assert me["@odata.context"] == f"{emu.graph_url}/$metadata#users/$entity"
    assert (me["id"], me["userPrincipalName"], me["displayName"], me["mail"]) == (
        ADELE["id"],
        ADELE["upn"],
        ADELE["name"],
        ADELE["upn"],
    )
    assert "password" not in me
    assert adele.get("/me/profile").json()["id"] == ADELE["id"]
    users = adele.get("/users", params={"$select": "id,userPrincipalName,displayName", "$top": "3"}).json()
    assert users["@odata.context"] == f"{emu.graph_url}/$metadata#users(id,userPrincipalName,displayName)"
    assert [u["userPrincipalName"] for u in users["value"]] == [
        u["userPrincipalName"] for u in SEED["users"][:3]
    ]
    rest = adele.get(users["@odata.nextLink"]).json()
    assert [u["id"] for u in rest["value"]] == [DOLLAR["id"]] and "@odata.nextLink" not in rest
    found = adele.get(
        "/users", params={"$filter": "userPrincipalName eq 'patrick.o''brien@fabrikam.example'"}
    )
    assert [u["id"] for u in found.json()["value"]] == [PATRICK["id"]]
    assert adele.get("/users", params={"$select": "password"}).status_code == 400


def test_users_are_counted_only_with_eventual_consistency(adele: httpx.Client) -> None:
    # Contract §6: /users/$count is an advanced query: text/plain, and only with ConsistencyLevel eventual.
    counted = adele.get("/users/$count", headers={"ConsistencyLevel": "eventual"})
    assert counted.status_code == 200 and counted.headers["content-type"].startswith("text/plain")
    assert counted.text == str(len(SEED["users"]))
    refused = adele.get("/users/$count")
    assert refused.status_code == 400 and error_code(refused) == "Request_BadRequest"
    assert refused.json()["error"]["message"] == "$count is not currently supported."
    assert adele.post("/users/$count", headers={"ConsistencyLevel": "eventual"}).status_code == 405


def test_links_use_the_forwarded_scheme_and_host(signed_in: Signer, fresh: Emulator) -> None:
    response = signed_in().get(CERTS, headers={"Host": "graph.example", "X-Forwarded-Proto": "http"})
    body = response.json()
    assert body["@odata.context"].startswith("http://graph.example/beta/$metadata#")
    assert body["@odata.nextLink"] == "http://graph.example/beta/me/profile/certifications?$skip=10"
