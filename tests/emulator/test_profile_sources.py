"""Profile sources in the emulator (contract §13): every certification says where its values come from, the
tenant's sources and precedence are served under /admin/people, a write to a value an admin-controlled
source owns is refused (or, by a knob, reverted at the next import), creates are the user's own; and the
headers and minimal metadata real Graph answers with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sources_seed import HR, HR_FACTS, ME, OTHER, WORKDAY, seed

from certnb.emulator.generate import sample_tenant
from certnb.emulator.profile_sources import ENTRA_ID, USER_EDITS
from certnb.emulator.server import Emulator

CERTS = "/me/profile/certifications"
PEOPLE = "PeopleSettings.ReadWrite.All"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=seed(), https=False) as running:
        yield running


def client(emu: Emulator, scopes: str = "User.ReadWrite.All", user: str | None = None) -> httpx.Client:
    token = emu.access_token(user=user, scopes=scopes)
    return httpx.Client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def me(emu: Emulator) -> Iterator[httpx.Client]:
    emu.reset()
    with client(emu) as signed_in:
        yield signed_in


def stored(emu: Emulator, user_id: str, cert_id: str) -> dict[str, Any] | None:
    user = next(u for u in emu.state()["users"] if u["id"] == user_id)
    return next((c for c in user["certifications"] if c["id"] == cert_id), None)


# ----------------------------------------------------------------------------- what every item carries
def test_every_sample_certification_says_where_it_comes_from() -> None:
    with Emulator(https=False) as sample, client(sample) as megan:
        items = megan.get(CERTS).json()["value"]
        assert items and all(isinstance(c["isSearchable"], bool) and c["sources"] for c in items)
    every = [c for u in sample_tenant()["users"] for c in u["certifications"]]
    kinds = {tuple(a["sourceId"] for a in c["sources"]) for c in every}
    assert {(USER_EDITS,), (HR,), (HR, USER_EDITS)} <= kinds and any(ENTRA_ID in k for k in kinds)


def test_sources_are_answered_as_the_csdl_names_them(me: httpx.Client) -> None:
    item = me.get(f"{CERTS}/hr-and-me").json()
    assert item["sources"] == seed()["users"][0]["certifications"][1]["sources"]
    assert set(item["sources"][0]) == {"sourceId", "isDefaultSource", "properties"}  # not the docs' `id`
    assert me.get(f"{CERTS}/orgdata").json()["isSearchable"] is False


def test_a_create_is_the_users_own_entry(me: httpx.Client) -> None:
    made = me.post(CERTS, json={"displayName": "CKA", "endDate": "2028-01-01"}).json()
    assert made["sources"] == [{"isDefaultSource": True, "properties": ["displayName", "endDate"],
                                "sourceId": USER_EDITS}]
    assert made["isSearchable"] is True
    assert me.patch(f"{CERTS}/{made['id']}", json={"endDate": "2029-01-01"}).status_code == 200


# ----------------------------------------------------------------------------- writes to owned values
def test_a_value_owned_by_the_hr_connector_is_refused(me: httpx.Client, emu: Emulator) -> None:
    before = stored(emu, ME["id"], "hr-only")
    refused = me.patch(f"{CERTS}/hr-only", json={"endDate": "2030-01-01"})
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "accessDenied"
    assert "'endDate'" in error["message"] and "Workday" in error["message"]
    assert error["innerError"]["request-id"] == refused.headers["request-id"]
    assert me.delete(f"{CERTS}/orgdata").status_code == 403
    assert stored(emu, ME["id"], "hr-only") == before and stored(emu, ME["id"], "orgdata") is not None


def test_the_persons_own_values_of_a_shared_item_are_theirs_to_change(me: httpx.Client) -> None:
    mine_only = {"description": "changed", "thumbnailUrl": "https://x/y.png"}
    changed = me.patch(f"{CERTS}/hr-and-me", json=mine_only)
    assert changed.status_code == 200
    mine = next(a for a in changed.json()["sources"] if a["sourceId"] == USER_EDITS)
    assert mine["properties"] == ["description", "webUrl", "thumbnailUrl"]
    # The owned value sent unchanged beside it changes nothing, so it goes through too.
    same = me.patch(f"{CERTS}/hr-and-me", json={"endDate": "2027-01-15", "description": "again"})
    assert same.status_code == 200
    assert me.patch(f"{CERTS}/hr-and-me", json={"endDate": "2027-02-15"}).status_code == 403
    assert me.patch(f"{CERTS}/mine", json={"endDate": "2030-01-01"}).status_code == 200


def test_owned_values_are_refused_inside_batch_too(me: httpx.Client) -> None:
    json_type = {"Content-Type": "application/json"}
    body = {"requests": [
        {"id": "1", "method": "PATCH", "url": f"{CERTS}/hr-only", "headers": json_type,
         "body": {"certificationId": "X"}},
        {"id": "2", "method": "PATCH", "url": f"{CERTS}/mine", "headers": json_type,
         "body": {"certificationId": "X"}},
    ]}
    answers = {r["id"]: r for r in me.post("/$batch", json=body).json()["responses"]}
    assert (answers["1"]["status"], answers["1"]["body"]["error"]["code"]) == (403, "accessDenied")
    assert answers["2"]["status"] == 200


def test_revert_mode_accepts_and_the_next_import_puts_the_source_values_back() -> None:
    with Emulator(seed=seed(), https=False, source_owned_writes="revert") as emu, client(emu) as me:
        assert me.patch(f"{CERTS}/hr-and-me", json={"endDate": "2031-01-01", "description": "mine too"}
                        ).status_code == 200
        assert me.delete(f"{CERTS}/hr-only").status_code == 204
        assert me.get(f"{CERTS}/hr-only").status_code == 404
        assert emu.run_import() == 2
        back = me.get(f"{CERTS}/hr-and-me").json()
        assert back["endDate"] == "2027-01-15"
        assert back["description"] == "mine too"  # the person's own value stays
        assert back["lastModifiedBy"]["application"]["displayName"] == "Workday HR"
        assert next(a for a in back["sources"] if a["sourceId"] == HR)["properties"] == HR_FACTS
        assert me.get(f"{CERTS}/hr-only").json()["endDate"] == "2027-01-15"
        assert emu.run_import() == 0  # nothing left to put back
        imported = httpx.post(f"{emu.url}/_emulator/import", timeout=10).json()
        assert imported == {"changed": 0}


def test_the_knob_refuses_an_unknown_mode() -> None:
    with pytest.raises(ValueError, match="source_owned_writes must be 'refuse' or 'revert', got 'ignore'"):
        Emulator(seed=seed(), https=False, source_owned_writes="ignore")


# ----------------------------------------------------------------------------- /admin/people
def test_profile_sources_are_listed_got_by_id_or_source_id_and_managed(emu: Emulator) -> None:
    emu.reset()
    with client(emu, PEOPLE) as admin:
        listed = admin.get("/admin/people/profileSources").json()["value"]
        assert [s["sourceId"] for s in listed] == [ENTRA_ID, "7986c642-b494-4140-8df4-f5ed125e2c67", HR]
        assert admin.get(f"/admin/people/profileSources/{WORKDAY['id']}").json()["kind"] == "Workday"
        by_key = admin.get(f"/admin/people/profileSources(sourceId='{HR}')")
        assert by_key.status_code == 200 and by_key.json()["id"] == WORKDAY["id"]
        made = admin.post("/admin/people/profileSources", json={"sourceId": "bamboohr1", "kind": "BambooHR",
                                                                "displayName": "HR Platform"})
        assert made.status_code == 201 and made.json()["id"] != "bamboohr1"
        assert admin.post("/admin/people/profileSources", json={"sourceId": "bamboohr1"}).status_code == 409
        bamboo = "/admin/people/profileSources(sourceId='bamboohr1')"
        renamed = admin.patch(bamboo, json={"displayName": "New"})
        assert renamed.status_code == 200 and renamed.json()["displayName"] == "New"
        # sourceId is the alternate key and isn't updatable (profilesource-configure-settings)
        moved = admin.patch("/admin/people/profileSources(sourceId='bamboohr1')", json={"sourceId": "other"})
        assert moved.status_code == 400
        assert admin.delete("/admin/people/profileSources(sourceId='bamboohr1')").status_code == 204
        assert admin.get("/admin/people/profileSources(sourceId='bamboohr1')").status_code == 404


def test_precedence_is_read_and_written_through_profile_property_settings(emu: Emulator) -> None:
    emu.reset()
    with client(emu, PEOPLE) as admin:
        [setting] = admin.get("/admin/people/profilePropertySettings").json()["value"]
        assert setting["name"] is None
        assert setting["prioritizedSourceUrls"][0] == f"/external/connections/{HR}"
        # only one setting without a name (the tenant-level precedence) per collection
        assert admin.post("/admin/people/profilePropertySettings",
                          json={"prioritizedSourceUrls": []}).status_code == 409
        order = ["https://login.microsoftonline.com", f"/external/connections/{HR}"]
        changed = admin.patch(f"/admin/people/profilePropertySettings/{setting['id']}",
                              json={"prioritizedSourceUrls": order})
        assert changed.status_code == 200 and changed.json()["prioritizedSourceUrls"] == order
        assert emu.state()["profilePropertySettings"][0]["prioritizedSourceUrls"] == order


def test_people_settings_need_their_own_scopes(emu: Emulator) -> None:
    with client(emu, "User.ReadWrite.All") as user, client(emu, "PeopleSettings.Read.All") as reader:
        assert user.get("/admin/people/profileSources").status_code == 403
        assert reader.get("/admin/people/profileSources").status_code == 200
        assert reader.post("/admin/people/profileSources", json={"sourceId": "x"}).status_code == 403


# ----------------------------------------------------------------------------- write refusals of tenants
@pytest.mark.parametrize(("refusal", "status", "code"), [
    ("access_denied_for_role", 403, "ErrorAccessDeniedForRole"),
    ("directory_unauthorized", 500,
     "-1, Microsoft.Office.Server.Directory.DirectoryObjectUnauthorizedAccessException"),
    ("not_found", 404, "UnknownError"),
])
def test_writes_to_another_persons_profile_refused_as_tenants_do(
    me: httpx.Client, emu: Emulator, refusal: str, status: int, code: str
) -> None:
    emu.set_faults(write_refusals={OTHER["upn"]: refusal})
    theirs = f"/users/{OTHER['id']}/profile/certifications"
    refused = me.patch(f"{theirs}/mine", json={"description": "x"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (status, code)
    assert me.post(theirs, json={"displayName": "CKA"}).status_code == status
    assert me.get(f"{theirs}/mine").status_code == 200  # reads are not refused
    assert me.patch(f"{CERTS}/mine", json={"description": "x"}).status_code == 200  # nor one's own profile
    item = {"id": "1", "method": "DELETE", "url": f"{theirs}/mine"}
    [answer] = me.post("/$batch", json={"requests": [item]}).json()["responses"]
    assert (answer["status"], answer["body"]["error"]["code"]) == (status, code)


def test_a_refusal_for_everyone_and_a_bad_knob(me: httpx.Client, emu: Emulator) -> None:
    emu.set_faults(write_refusals={"*": "access_denied_for_role"})
    assert me.delete(f"/users/{OTHER['upn']}/profile/certifications/mine").status_code == 403
    with pytest.raises(ValueError, match="'sometimes' is not one of access_denied_for_role"):
        emu.set_faults(write_refusals={"*": "sometimes"})


# ----------------------------------------------------------------------------- headers, minimal metadata
def test_answers_carry_the_headers_real_graph_sends(me: httpx.Client) -> None:
    answer = me.get(CERTS, headers={"client-request-id": "5c3e0a52-0000-4000-8000-000000000abc"})
    assert answer.headers["OData-Version"] == "4.0"
    assert answer.headers["client-request-id"] == "5c3e0a52-0000-4000-8000-000000000abc"
    assert len(answer.headers["request-id"]) == 36
    diagnostic = json.loads(answer.headers["x-ms-ags-diagnostic"])
    assert set(diagnostic["ServerInfo"]) == {"DataCenter", "Slice", "Ring", "ScaleUnit", "RoleInstance"}
    assert "@odata.type" not in answer.json()["value"][0]  # minimal metadata: the declared type is implied
