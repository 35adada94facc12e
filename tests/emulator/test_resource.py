"""The emulator's description of personCertification and its checks of write bodies (contract §2)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certnb.emulator.errors import GraphError
from certnb.emulator.resource import (
    AUDIENCE_MEMBERS,
    ODATA_TYPE,
    PROPERTIES,
    identity_set,
    new_certification,
    normalise_audiences,
    parse_date,
    patched,
    timestamp,
    validate_body,
)

WRITABLE = {
    "allowedAudiences",
    "inference",
    "certificationId",
    "description",
    "displayName",
    "endDate",
    "issuedDate",
    "issuingAuthority",
    "issuingCompany",
    "startDate",
    "thumbnailUrl",
    "webUrl",
}
READ_ONLY = {
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "createdBy",
    "lastModifiedBy",
    "source",
    "isSearchable",
    "sources",
}


def test_properties_follow_the_contract_table() -> None:
    assert {name for name, spec in PROPERTIES.items() if spec.writable} == WRITABLE
    assert {name for name, spec in PROPERTIES.items() if not spec.writable} == READ_ONLY
    assert all(name == spec.name for name, spec in PROPERTIES.items())
    dates = {name for name, spec in PROPERTIES.items() if spec.wire_type == "date"}
    assert dates == {"endDate", "issuedDate", "startDate"}
    assert PROPERTIES["allowedAudiences"].wire_type == "flags"
    assert PROPERTIES["createdBy"].wire_type == "identitySet"


@pytest.mark.parametrize("text", ["2024-02-29", "2026-12-31", "0001-01-01"])
def test_real_calendar_dates_are_accepted(text: str) -> None:
    assert validate_body({"endDate": text}, strict=True) == {"endDate": text}


@pytest.mark.parametrize(
    "text",
    ["Date", "2026-02-30", "2025-02-29", "2026-13-01", "2026-1-5", "2026-01-05T00:00:00Z", "20260105", ""],
)
def test_placeholders_impossible_dates_and_datetimes_are_400_naming_the_property(text: str) -> None:
    with pytest.raises(GraphError) as caught:
        validate_body({"startDate": text}, strict=False)
    assert (caught.value.status, caught.value.code) == (400, "invalidRequest")
    assert "startDate" in caught.value.message


@given(st.dates())
def test_every_calendar_date_round_trips(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day


@pytest.mark.parametrize(
    ("given_value", "stored"),
    [
        ("organization", "organization"),
        ("contacts,organization", "contacts,organization"),
        ("organization, contacts", "contacts,organization"),  # spaces allowed, declaration order written
        ("everyone,everyone", "everyone"),
    ],
)
def test_audiences_are_normalised_to_graphs_serialisation(given_value: str, stored: str) -> None:
    assert validate_body({"allowedAudiences": given_value}, strict=False) == {"allowedAudiences": stored}


@pytest.mark.parametrize("text", ["Organization", "friends", "", "contacts,,organization", "me;family"])
def test_unknown_audience_members_are_400(text: str) -> None:
    with pytest.raises(GraphError, match="allowedAudiences"):
        validate_body({"allowedAudiences": text}, strict=False)


@given(st.sets(st.sampled_from(AUDIENCE_MEMBERS), min_size=1))
def test_any_set_of_members_normalises_to_declaration_order(members: set[str]) -> None:
    normal = normalise_audiences(" , ".join(sorted(members)))
    assert normal is not None
    assert normal.split(",") == [m for m in AUDIENCE_MEMBERS if m in members]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"displayName": 42}, "displayName"),
        ({"webUrl": ["x"]}, "webUrl"),
        ({"endDate": 20260101}, "endDate"),
        ({"inference": "high"}, "inference"),
        ({"inference": {"confidenceScore": "0.5"}}, "confidenceScore"),
        ({"inference": {"confidenceScore": True}}, "confidenceScore"),
        ({"inference": {"userHasVerifiedAccuracy": 1}}, "userHasVerifiedAccuracy"),
        ({"allowedAudiences": ["organization"]}, "allowedAudiences"),
    ],
)
def test_wrong_json_types_are_400_naming_the_property(body: dict[str, Any], name: str) -> None:
    with pytest.raises(GraphError) as caught:
        validate_body(body, strict=False)
    assert caught.value.status == 400 and name in caught.value.message


@pytest.mark.parametrize("body", [[], "x", 3, None])
def test_a_body_that_is_not_an_object_is_400(body: Any) -> None:
    with pytest.raises(GraphError, match="JSON object"):
        validate_body(body, strict=False)


def test_nulls_clear_and_inference_keeps_its_shape() -> None:
    body = {
        "description": None,
        "inference": {
            "@odata.type": "#microsoft.graph.inferenceData",
            "confidenceScore": 0.9,
            "userHasVerifiedAccuracy": None,
        },
    }
    assert validate_body(body, strict=True) == {
        "description": None,
        "inference": {"confidenceScore": 0.9, "userHasVerifiedAccuracy": None},
    }


def test_read_only_unknown_and_odata_type_are_ignored_by_default() -> None:
    body = {
        "@odata.type": ODATA_TYPE,
        "id": "x",
        "createdDateTime": "2020-01-01T00:00:00Z",
        "colour": "red",
        "displayName": "AZ-900",
    }
    assert validate_body(body, strict=False) == {"displayName": "AZ-900"}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"id": "x"}, "read-only"),
        ({"lastModifiedBy": None}, "read-only"),
        ({"colour": "red"}, "colour"),
        ({"@odata.type": "#microsoft.graph.personAward"}, "personAward"),
        ({"inference": {"certainty": 1}}, "certainty"),
        ({"inference": {"@odata.type": "#microsoft.graph.personAward"}}, "personAward"),
    ],
)
def test_strict_mode_refuses_read_only_unknown_and_foreign_types(body: dict[str, Any], why: str) -> None:
    assert validate_body(body, strict=False) is not None
    with pytest.raises(GraphError, match=why):
        validate_body(body, strict=True)


def test_strict_mode_accepts_the_sdk_odata_type() -> None:
    assert validate_body({"@odata.type": ODATA_TYPE}, strict=True) == {}


def test_timestamps_have_seven_fraction_digits_and_z() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", timestamp())
    moment = dt.datetime(2024, 5, 2, 12, 11, 12, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert timestamp(moment) == "2024-05-02T10:11:12.0000050Z"


def test_created_certification_has_every_property_and_server_fields() -> None:
    actor = identity_set("u1", "Adele")
    first = new_certification({"displayName": "AZ-104"}, actor)
    second = new_certification({}, actor)
    assert first["id"] != second["id"]
    assert set(first) >= WRITABLE and first["endDate"] is None and first["displayName"] == "AZ-104"
    assert first["createdBy"] == first["lastModifiedBy"] == actor
    assert actor["user"] == {"displayName": "Adele", "id": "u1"}


def test_patch_merges_into_a_new_dict_and_stamps_the_modifier() -> None:
    original = {"id": "1", "displayName": "old", "endDate": "2025-01-01", "lastModifiedDateTime": "x"}
    updated = patched(original, {"endDate": None}, identity_set("u2", "Megan"))
    assert original["endDate"] == "2025-01-01"  # stored dicts are never changed in place
    assert updated["displayName"] == "old" and updated["endDate"] is None
    assert updated["lastModifiedDateTime"] != "x"
    assert updated["lastModifiedBy"]["user"]["id"] == "u2"
