"""`Audience`: Graph's `allowedAudiences` flags enum as an ordered set (contract §2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certnb.audience import Audience

KNOWN = [member for member in Audience if member is not Audience.unknownFutureValue]


def test_members_are_graphs_in_declaration_order() -> None:
    assert [member.name for member in Audience] == [
        "me", "family", "contacts", "groupMembers", "organization", "federatedOrganizations", "everyone",
        "unknownFutureValue",
    ]


def test_a_combination_iterates_and_prints_in_declaration_order() -> None:
    combined = Audience.organization | Audience.contacts
    assert list(combined) == [Audience.contacts, Audience.organization]
    assert str(combined) == combined.to_wire() == "contacts,organization"
    assert Audience.contacts in combined and Audience.everyone not in combined


@given(st.lists(st.sampled_from(KNOWN), min_size=1, unique=True))
def test_parse_inverts_to_wire_whatever_the_order_written(members: list[Audience]) -> None:
    value = Audience(0)
    for member in members:
        value |= member
    text = ", ".join(member.name or "" for member in members)
    assert Audience.parse(text) == Audience.validate(text) == value
    assert Audience.parse(value.to_wire()) == value


def test_reading_folds_unknown_members_into_the_sentinel_and_reports_them() -> None:
    value = Audience.parse("organization,partners,alumni")
    assert value == Audience.organization | Audience.unknownFutureValue
    assert Audience.unknown_members("organization, partners,alumni") == ("partners", "alumni")
    assert Audience.unknown_members("contacts,organization") == ()


@pytest.mark.parametrize(
    ("text", "rule"),
    [("partners", "'partners' is not an audience member; known members: me, family"),
     ("contacts,,organization", "'' is not an audience member"), (" , ", "at least one audience member")],
)
def test_strict_parsing_refuses_what_it_does_not_know(text: str, rule: str) -> None:
    with pytest.raises(ValueError, match=rule):
        Audience.parse(text, strict=True)


def test_known_names_leave_the_sentinel_out() -> None:
    assert "unknownFutureValue" not in Audience.known_names()
    assert Audience.known_names().split(", ") == [member.name for member in KNOWN]


def test_validate_refuses_non_text() -> None:
    with pytest.raises(ValueError, match="must be an Audience, its wire text or a list of members"):
        Audience.validate(20)  # type: ignore[arg-type]


def test_reading_skips_stray_commas() -> None:
    assert Audience.parse("contacts,,organization,") == Audience.contacts | Audience.organization
