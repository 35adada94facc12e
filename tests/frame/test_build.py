"""The frame builder: column order and dtypes from certnb.schema; the lossless round trip to Graph JSON."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certnb.audience import Audience
from certnb.frame.build import build_frame, build_from_records
from certnb.frame.layout import BOOKKEEPING_COLUMN
from certnb.frame.records import to_records
from certnb.schema import COLUMNS, DTYPES


def certifications(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for u in users for c in u["certifications"]]


def test_columns_come_in_schema_order_then_the_bookkeeping_column(sample_frame: pd.DataFrame) -> None:
    assert list(sample_frame.columns) == [*COLUMNS, BOOKKEEPING_COLUMN]
    assert list(sample_frame.columns[:5]) == [
        "userId",
        "userPrincipalName",
        "userDisplayName",
        "id",
        "displayName",
    ]


def test_dtypes_are_the_schema_dtypes(sample_frame: pd.DataFrame) -> None:
    for column, dtype in DTYPES.items():
        assert str(sample_frame[column].dtype) == str(pd.api.types.pandas_dtype(dtype)), column
    assert str(sample_frame["endDate"].dtype) == "datetime64[s]"
    assert (sample_frame["endDate"].dropna() == sample_frame["endDate"].dropna().dt.normalize()).all()
    assert str(sample_frame["createdDateTime"].dtype) == "datetime64[ns, UTC]"
    assert isinstance(sample_frame["userPrincipalName"].dtype, pd.StringDtype)


def test_audiences_are_audience_flags(sample_frame: pd.DataFrame) -> None:
    zoe = sample_frame[sample_frame["userPrincipalName"] == "zoe.angstrom@contoso.example"]
    audiences = set(zoe["allowedAudiences"].dropna())
    assert Audience.contacts | Audience.organization in audiences
    assert all(isinstance(a, Audience) for a in sample_frame["allowedAudiences"].dropna())


def test_rows_carry_their_user(sample_frame: pd.DataFrame, sample_users: list[dict[str, Any]]) -> None:
    megan = sample_users[0]
    rows = sample_frame[sample_frame["userId"] == megan["id"]]
    assert rows["id"].tolist() == [c["id"] for c in megan["certifications"]]
    assert set(rows["userDisplayName"]) == {megan["displayName"]}


def test_whole_sample_tenant_round_trips_key_for_key(sample_users: list[dict[str, Any]]) -> None:
    original = copy.deepcopy(certifications(sample_users))
    records = to_records(build_frame(sample_users))
    assert records == original
    assert [list(r) for r in records] == [list(r) for r in original]  # key order too


def test_null_and_absent_keys_survive() -> None:
    records = [
        {"id": "a", "endDate": None, "inference": None},
        {"id": "b"},
        {"id": "c", "inference": {"confidenceScore": None}, "createdBy": {"user": None}},
        {"id": "d", "createdBy": {"user": {"id": "u1"}, "application": None}},
        {"id": "e", "inference": {}},
    ]
    assert to_records(build_from_records(copy.deepcopy(records))) == records


def test_unknown_properties_become_columns_and_round_trip() -> None:
    records = [
        {"@odata.type": "#microsoft.graph.personCertification", "id": "a", "futureThing": {"x": [1, 2]}},
        {
            "id": "b",
            "inference": {"confidenceScore": 0.5, "userHasVerifiedAccuracy": True, "newFlag": 1},
            "createdBy": {
                "user": {"id": "u", "displayName": "U", "@odata.type": "#microsoft.graph.identity"}
            },
        },
    ]
    frame = build_from_records(copy.deepcopy(records))
    assert frame["futureThing"].tolist() == [{"x": [1, 2]}, None]
    assert to_records(frame) == records


def test_values_the_typed_columns_cannot_hold_exactly_survive() -> None:
    records = [
        {"id": "a", "allowedAudiences": "organization, contacts"},  # not Graph's canonical order
        {"id": "b", "allowedAudiences": "organization,partners"},  # a member this client does not know
        {"id": "c", "createdDateTime": "2024-05-02T10:11:12Z"},  # no fraction digits
        {"id": "d", "inference": {"confidenceScore": 1}},  # an integer
        {"id": "e", "source": {"type": ["User", "LinkedIn"]}},
        {"id": "f", "source": {"type": "User"}},
        {"id": "g", "endDate": "2026-1-5"},  # not Edm.Date: read, and the text kept
        {"id": "h", "endDate": "2026-02-30"},  # no such day: kept raw, shown as NaT
    ]
    frame = build_from_records(copy.deepcopy(records))
    assert frame.loc[0, "allowedAudiences"] == Audience.contacts | Audience.organization
    assert frame.loc[1, "allowedAudiences.wire"] == "organization,partners"
    assert frame.loc[4, "source.type"] == "User,LinkedIn"
    assert frame.loc[6, "endDate"] == pd.Timestamp("2026-01-05")
    assert pd.isna(frame.loc[7, "endDate"])
    out = to_records(frame)
    assert out == records
    assert type(out[3]["inference"]["confidenceScore"]) is int


def test_an_edited_cell_wins_over_the_raw_value_kept() -> None:
    frame = build_from_records(
        [{"id": "a", "allowedAudiences": "organization, contacts", "endDate": None, "inference": None}]
    )
    frame.loc[0, "allowedAudiences"] = Audience.me
    frame.loc[0, "endDate"] = pd.Timestamp("2027-03-01")
    frame.loc[0, "inference.confidenceScore"] = 0.75
    assert to_records(frame) == [
        {
            "id": "a",
            "allowedAudiences": "me",
            "endDate": "2027-03-01",
            "inference": {"confidenceScore": 0.75, "userHasVerifiedAccuracy": None},
        }
    ]


def test_a_row_without_layout_gets_every_known_property() -> None:
    frame = build_from_records([{"id": "a", "displayName": "CKA"}])
    frame[BOOKKEEPING_COLUMN] = [None]
    record = to_records(frame)[0]
    assert record["displayName"] == "CKA"
    assert record["endDate"] is None and record["createdBy"] is None and "allowedAudiences" in record


def test_wrong_json_types_are_refused_not_stringified() -> None:
    with pytest.raises(ValueError, match="displayName"):
        build_from_records([{"id": "a", "displayName": 42}])


def test_users_and_records_must_align() -> None:
    with pytest.raises(ValueError, match="one user per certification"):
        build_from_records([{"id": "a"}], [])


def test_empty_input_gives_an_empty_typed_frame() -> None:
    frame = build_frame([])
    assert frame.empty and list(frame.columns) == [*COLUMNS, BOOKKEEPING_COLUMN]
    assert str(frame["endDate"].dtype) == "datetime64[s]"
    assert to_records(frame) == []


_text = st.one_of(st.none(), st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8))
_date = st.one_of(st.none(), st.dates().map(lambda d: d.isoformat()))
_party = st.one_of(st.none(), st.fixed_dictionaries({}, optional={"displayName": _text, "id": _text}))
_certification = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=6)},
    optional={
        "displayName": _text,
        "endDate": _date,
        "startDate": _date,
        "allowedAudiences": st.one_of(
            st.none(), st.sampled_from(["me", "contacts,organization", "everyone"])
        ),
        "inference": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {},
                optional={
                    "confidenceScore": st.one_of(st.none(), st.floats(0, 1)),
                    "userHasVerifiedAccuracy": st.one_of(st.none(), st.booleans()),
                },
            ),
        ),
        "createdBy": st.one_of(
            st.none(), st.fixed_dictionaries({}, optional={"user": _party, "application": _party})
        ),
        "isSearchable": st.one_of(st.none(), st.booleans()),
        "sources": st.one_of(st.none(), st.lists(st.fixed_dictionaries({"sourceId": st.text(max_size=3)}))),
    },
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_certification, max_size=6))
def test_any_certification_shape_round_trips(records: list[dict[str, Any]]) -> None:
    assert to_records(build_from_records(copy.deepcopy(records))) == records
