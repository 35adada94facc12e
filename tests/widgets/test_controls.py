"""Each writable field's control value ↔ Graph wire value, and which controls count as changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from certnb.staging.edit import WRITABLE_FIELDS
from certnb.widgets.controls import AUDIENCE_CHOICES, changes, from_control, make_control, to_control


@pytest.mark.parametrize(("field", "wire", "shown"), [
    ("endDate", "2027-01-31", dt.date(2027, 1, 31)),
    ("endDate", None, None),
    ("allowedAudiences", "contacts,organization", ("contacts", "organization")),
    ("allowedAudiences", None, ()),
    ("displayName", "AZ-104", "AZ-104"),
    ("webUrl", None, ""),
    ("inference.confidenceScore", 0.5, "0.5"),
    ("inference.userHasVerifiedAccuracy", True, "True"),
    ("inference.userHasVerifiedAccuracy", None, ""),
])
def test_wire_to_control_and_back(field: str, wire: Any, shown: Any) -> None:
    assert to_control(field, wire) == shown
    assert changes({field: shown}, {field: wire}) == {}


def test_every_writable_field_has_a_control_of_the_right_kind() -> None:
    kinds = {field: type(make_control(field)).__name__ for field in WRITABLE_FIELDS}
    assert {kinds[f] for f in ("issuedDate", "startDate", "endDate")} == {"DatePicker"}
    assert kinds["allowedAudiences"] == "SelectMultiple"
    assert kinds["webUrl"] == kinds["displayName"] == "Text"
    assert "unknownFutureValue" not in AUDIENCE_CHOICES


def test_changes_are_ready_to_stage() -> None:
    effective = {"endDate": "2026-12-31", "displayName": "AZ-104", "allowedAudiences": "organization"}
    controls = {"endDate": dt.date(2027, 6, 30), "displayName": "",
                "allowedAudiences": ("me", "organization")}
    assert changes(controls, effective) == {
        "displayName": None, "endDate": dt.date(2027, 6, 30), "allowedAudiences": ["me", "organization"],
    }


def test_untouched_audience_with_an_unknown_member_is_not_a_change() -> None:
    # The control cannot show "partners" (not known to this client); leaving it alone must not drop it.
    effective = {"allowedAudiences": "organization,partners"}
    shown = to_control("allowedAudiences", "organization,partners")
    assert shown == ("organization",)
    assert changes({"allowedAudiences": shown}, effective) == {}


def test_text_that_is_not_a_number_is_left_for_staging_to_refuse() -> None:
    assert from_control("inference.confidenceScore", " 0.75 ") == 0.75
    assert from_control("inference.confidenceScore", "high") == "high"
    assert changes({"inference.confidenceScore": "high"}, {"inference.confidenceScore": 0.5}) == {
        "inference.confidenceScore": "high"}
