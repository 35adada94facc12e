"""The field table: contract §2 coverage, one parametrised test per validation rule, flatten/to_wire, and
agreement with the emulator's independent description (certnb.emulator.resource)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference_rows import flatten, to_wire

from certnb.audience import Audience
from certnb.emulator.resource import PROPERTIES as EMULATOR_PROPERTIES
from certnb.schema import (
    AUDIENCE_WIRE_COLUMN,
    COLUMNS,
    DESCRIPTION_MAX_LENGTH,
    DTYPES,
    FIELDS,
    FIELDS_BY_COLUMN,
    LABELS,
    NAME_MAX_LENGTH,
    OWNED_BY_COLUMN,
    PROPERTIES,
    ROW_CONTEXT,
    SOURCE_NAMES_COLUMN,
    TEXT_DTYPE,
    URL_MAX_LENGTH,
    WRITABLE,
    field_for,
    format_datetime,
)

# Contract §2, copied by hand: property → writable by PATCH.
CONTRACT = {
    "id": False, "allowedAudiences": True, "inference": True, "certificationId": True, "description": True,
    "displayName": True, "endDate": True, "issuedDate": True, "issuingAuthority": True,
    "issuingCompany": True, "startDate": True, "thumbnailUrl": True, "webUrl": True, "createdDateTime": False,
    "lastModifiedDateTime": False, "createdBy": False, "lastModifiedBy": False, "source": False,
    "isSearchable": False, "sources": False,
}

ENTITY: dict[str, Any] = {
    "id": "0a1b2c3d-0000-4000-8000-000000000001",
    "allowedAudiences": "contacts,organization",
    "createdDateTime": "2024-05-02T10:11:12.1234567Z",
    "createdBy": {"application": None, "device": None, "user": {"displayName": "Zoë Ångström", "id": "u-1"}},
    "inference": {"confidenceScore": 0.87, "userHasVerifiedAccuracy": True},
    "lastModifiedDateTime": "2025-01-03T08:00:00.0000001Z",
    "lastModifiedBy": {
        "application": {"displayName": "HR Sync", "id": "app-1"}, "device": None, "user": None,
    },
    "source": {"type": "User"},
    "certificationId": "9F5C066A7A206C4D",
    "description": "Implement and monitor Azure environments.\nRenewed yearly.",
    "displayName": "Microsoft Certified: Azure Administrator Associate",
    "endDate": "2026-06-30",
    "issuedDate": "2025-06-30",
    "issuingAuthority": "Microsoft",
    "issuingCompany": "Microsoft",
    "startDate": "2025-06-30",
    "thumbnailUrl": "https://learn.microsoft.com/media/learn/certification/badges/az-104.svg",
    "webUrl": "https://learn.microsoft.com/api/credentials/share/en-us/zoe/264E3CD3821DDB24",
    "isSearchable": True,
    "sources": [{"sourceId": "s-1", "isDefaultSource": True, "properties": []}],
}


# ---------------------------------------------------------------------------------------------- the table


def test_every_contract_property_is_in_the_table_with_its_writability() -> None:
    assert set(PROPERTIES) == set(CONTRACT)
    assert {name for name, writable in CONTRACT.items() if writable} == WRITABLE
    for f in FIELDS:
        expected = CONTRACT[f.json] and f.column != AUDIENCE_WIRE_COLUMN
        assert f.writable is expected, f.column


def test_columns_start_with_the_user_and_name_nested_values_with_dots() -> None:
    assert COLUMNS[:3] == ("userId", "userPrincipalName", "userDisplayName")
    assert len(set(COLUMNS)) == len(COLUMNS) == len(ROW_CONTEXT) + len(FIELDS)
    for name in ("id", "displayName", "endDate", "inference.confidenceScore", "createdBy.user.displayName",
                 "createdBy.user.id", "createdBy.application.id", "createdBy.device.displayName",
                 "lastModifiedBy.user.id", "source.type", AUDIENCE_WIRE_COLUMN):
        assert name in COLUMNS
    assert all(f.path == tuple(f.column.split(".")) for f in FIELDS
               if f.column != AUDIENCE_WIRE_COLUMN and not f.derived)


def test_the_owner_columns_are_derived_from_sources_read_only_and_follow_it() -> None:
    derived = [f for f in FIELDS if f.derived]
    assert [f.column for f in derived] == [SOURCE_NAMES_COLUMN, OWNED_BY_COLUMN]
    assert all(f.json == "sources" and not f.writable and f.dtype == "string" for f in derived)
    assert COLUMNS[COLUMNS.index("sources") + 1:][:2] == (SOURCE_NAMES_COLUMN, OWNED_BY_COLUMN)
    assert (LABELS[SOURCE_NAMES_COLUMN], LABELS[OWNED_BY_COLUMN]) == ("Source names", "Owned by")


@pytest.mark.parametrize(
    ("column", "dtype"),
    [("id", "string"), ("endDate", "datetime64[s]"), ("createdDateTime", "datetime64[ns, UTC]"),
     ("inference.userHasVerifiedAccuracy", "boolean"), ("inference.confidenceScore", "Float64"),
     ("allowedAudiences", "object"), ("webUrl", "string"), ("userPrincipalName", "string")],
)
def test_dtypes_are_pandas_extension_types(column: str, dtype: str) -> None:
    assert DTYPES[column] == dtype
    # "string" is the Python-stored string dtype whatever pandas' default (pyarrow's, where it is installed).
    expected = TEXT_DTYPE if dtype == "string" else pd.api.types.pandas_dtype(dtype)
    assert FIELDS_BY_COLUMN[column].pandas_dtype == expected


def test_unknown_column_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no certification column 'expiry'.*endDate"):
        field_for("expiry")


# Emulator wire type → the kinds the client's columns of that property may have.
COMPATIBLE = {
    "string": {"string", "url"}, "date": {"date"}, "datetimeoffset": {"datetime"}, "flags": {"flags"},
    "bool": {"bool"}, "list": {"list"}, "number": {"number"},
}


def test_agrees_with_the_emulators_independent_description() -> None:
    assert set(EMULATOR_PROPERTIES) == set(PROPERTIES)
    for name, spec in EMULATOR_PROPERTIES.items():
        assert spec.name == name
        assert spec.writable == (name in WRITABLE), name
        columns = [f for f in FIELDS if f.json == name and f.column != AUDIENCE_WIRE_COLUMN and not f.derived]
        if spec.wire_type in ("object", "identitySet"):
            assert columns and all(len(f.path) > 1 for f in columns), name
        else:
            assert [len(f.path) for f in columns] == [1], name
            assert columns[0].kind in COMPATIBLE[spec.wire_type], (name, spec.wire_type, columns[0].kind)


# ------------------------------------------------------------------------------------------ validators


def check(column: str, value: object) -> Any:
    return FIELDS_BY_COLUMN[column].validate(value)


@pytest.mark.parametrize("column", [f.column for f in FIELDS])
@pytest.mark.parametrize("missing", [None, pd.NA, pd.NaT, float("nan"), np.float64("nan")])
def test_missing_markers_mean_no_value(column: str, missing: object) -> None:
    assert check(column, missing) is None


@pytest.mark.parametrize(
    ("value", "wire"),
    [(dt.date(2024, 2, 29), "2024-02-29"), ("2026-11-30", "2026-11-30"),
     (pd.Timestamp("2027-01-31"), "2027-01-31"), (pd.Timestamp("2027-01-31").as_unit("s"), "2027-01-31"),
     ("0001-01-01", "0001-01-01")],
)
def test_dates_accepted(value: object, wire: str) -> None:
    assert check("endDate", value) == wire


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("2026-02-30", r"must be a date YYYY-MM-DD; got '2026-02-30' \(no such day\)"),
        ("2025-02-29", r"\(no such day\)"),
        ("2026-13-01", r"\(no such day\)"),
        ("0000-01-01", r"\(no such day\)"),
        ("Date", r"must be a date YYYY-MM-DD; got 'Date'"),
        ("", "must be a date YYYY-MM-DD"),
        ("2026-2-3", "must be a date YYYY-MM-DD"),
        ("2026/02/03", "must be a date YYYY-MM-DD"),
        ("20260203", "must be a date YYYY-MM-DD"),
        (" 2026-02-03", "must be a date YYYY-MM-DD"),
        ("2026-02-03T00:00:00", "must be a date YYYY-MM-DD"),
        ("٢٠٢٦-٠٢-٠٣", "must be a date YYYY-MM-DD"),  # Arabic-Indic digits: not guessed
        (dt.datetime(2026, 2, 3), "not a datetime"),
        (dt.datetime(2026, 2, 3, tzinfo=dt.UTC), "not a datetime"),
        (pd.Timestamp("2026-02-03 10:00"), "without a time of day"),
        (pd.Timestamp("2026-02-03", tz="UTC"), "without a time of day or zone"),
        (20260203, "got int 20260203"),
        (2026.0, "got float"),
        (True, "got bool"),
        (["2026-02-03"], "got list"),
        (np.datetime64("2026-02-03"), "got datetime64"),
    ],
)
def test_dates_refused_with_the_rule(value: object, rule: str) -> None:
    with pytest.raises(ValueError, match=f"^Expires .*{rule}"):
        check("endDate", value)


@given(st.dates())
def test_any_calendar_date_round_trips(day: dt.date) -> None:
    assert check("startDate", day) == check("startDate", day.isoformat()) == day.isoformat()


@pytest.mark.parametrize(
    ("column", "value"),
    [("displayName", "Microsoft Certified: Azure Administrator Associate"), ("displayName", "Zoë Ångström"),
     ("description", "line one\nline two\tindented"), ("certificationId", ""),
     ("displayName", "x" * NAME_MAX_LENGTH), ("description", "x" * DESCRIPTION_MAX_LENGTH),
     ("issuingCompany", np.str_("TÜV SÜD"))],
)
def test_strings_accepted(column: str, value: str) -> None:
    assert check(column, value) == value
    assert type(check(column, value)) is str


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("displayName", 104, "must be text .*got int"),
        ("displayName", b"AZ-104", "must be text .*got bytes"),
        ("displayName", ["AZ-104"], "must be text .*got list"),
        ("displayName", "x" * (NAME_MAX_LENGTH + 1), f"at most {NAME_MAX_LENGTH} characters; got 1001"),
        ("description", "x" * (DESCRIPTION_MAX_LENGTH + 1), f"at most {DESCRIPTION_MAX_LENGTH} characters"),
        ("displayName", "AZ\x07104", r"control characters .*'\\x07' at position 2"),
        ("description", "a\r\nb", r"control characters .*'\\r'"),
        ("certificationId", "\x1b[31mX", "control characters"),
        ("issuingAuthority", "DEL\x7f", "control characters"),
        ("issuingCompany", "NEL\x85", "control characters"),
        ("description", "nul\x00", "control characters"),
        ("displayName", "AZ\ud800104", r"lone surrogate .*'\\ud800' at position 2 of 'AZ\\ud800104'"),
        ("description", "\ud83d\ude00", r"lone surrogate .*write the character itself"),
    ],
)
def test_strings_refused_with_the_rule(column: str, value: object, rule: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(LABELS[column])} .*{rule}"):
        check(column, value)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\t\n"), max_size=50))
def test_any_text_without_control_characters_is_kept_verbatim(text: str) -> None:
    assert check("description", text) == text


_NOT_CONTROL = st.text(st.characters(blacklist_categories=("Cc",)), max_size=20)


@given(_NOT_CONTROL, st.characters(categories=("Cs",)), _NOT_CONTROL)
def test_any_text_with_a_surrogate_is_refused_in_printable_words(before: str, half: str, after: str) -> None:
    with pytest.raises(ValueError, match="lone surrogate") as refused:
        check("description", before + half + after)
    str(refused.value).encode("utf-8")  # the message itself can be shown (the value is escaped)


@pytest.mark.parametrize(
    "url",
    ["https://learn.microsoft.com/credentials/x", "http://example.com", "HTTPS://EXAMPLE.COM/a?b=c#d",
     "https://www.credly.com/badges/5b1f0d2c/public_url", "https://127.0.0.1:8443/x"],
)
def test_urls_accepted(url: str) -> None:
    assert check("webUrl", url) == url
    assert check("thumbnailUrl", url) == url


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("/credentials/certifications/azure-fundamentals/", r"\(relative: no scheme\)"),
        ("www.credly.com/badges/1/public_url", r"\(relative: no scheme\)"),
        ("ftp://files.contoso.example/badges/az-900.png", r"\(scheme 'ftp'\)"),
        ("javascript:alert(1)", r"\(scheme 'javascript'\)"),
        ("mailto:someone@contoso.example", r"\(scheme 'mailto'\)"),
        ("file:///etc/passwd", r"\(scheme 'file'\)"),
        ("https://", r"\(no host\)"),
        ("https:///path", r"\(no host\)"),
        ("https://exa mple.com/", "without spaces"),
        ("https://example.com/\n", "without spaces"),
        ("https://x.example/" + "a" * URL_MAX_LENGTH, f"at most {URL_MAX_LENGTH} characters"),
        (42, "must be text"),
    ],
)
def test_urls_refused_with_the_rule(url: object, rule: str) -> None:
    with pytest.raises(ValueError, match=f"^Web URL .*{rule}"):
        check("webUrl", url)


@pytest.mark.parametrize(("value", "wire"), [(True, True), (False, False), (np.bool_(True), True)])
def test_bools_accepted(value: object, wire: bool) -> None:
    assert check("inference.userHasVerifiedAccuracy", value) is wire


@pytest.mark.parametrize("value", [1, 0, "true", "False", 1.0, [True]])
def test_bools_refused(value: object) -> None:
    with pytest.raises(ValueError, match=r"^Verified by user must be True or False; got"):
        check("inference.userHasVerifiedAccuracy", value)


@pytest.mark.parametrize(
    ("value", "wire"), [(0.87, 0.87), (1, 1.0), (np.float64(0.25), 0.25), (np.int64(0), 0.0)]
)
def test_numbers_accepted(value: object, wire: float) -> None:
    result = check("inference.confidenceScore", value)
    assert result == wire and type(result) is float


@pytest.mark.parametrize(
    ("value", "rule"),
    [(True, "must be a number; got bool"), ("0.9", "must be a number; got str"),
     (math.inf, "must be a finite number"), (-math.inf, "must be a finite number"),
     ([0.9], "must be a number; got list")],
)
def test_numbers_refused(value: object, rule: str) -> None:
    with pytest.raises(ValueError, match=f"^Confidence score {rule}"):
        check("inference.confidenceScore", value)


@pytest.mark.parametrize(
    ("value", "wire"),
    [(Audience.contacts | Audience.organization, "contacts,organization"),
     ("organization,contacts", "contacts,organization"), ("contacts, organization", "contacts,organization"),
     (["everyone", Audience.me], "me,everyone"), ("federatedOrganizations", "federatedOrganizations")],
)
def test_audiences_accepted_in_declaration_order(value: object, wire: str) -> None:
    assert check("allowedAudiences", value) == wire


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("partners", "'partners' is not an audience member; known members: me, family, contacts"),
        ("organization,partners", "'partners' is not an audience member"),
        ("Organization", "'Organization' is not an audience member"),
        ("unknownFutureValue", "must not contain 'unknownFutureValue'"),
        (Audience.organization | Audience.unknownFutureValue, "must not contain 'unknownFutureValue'"),
        ("", "must name at least one audience member"),
        (Audience(0), "must name at least one audience member"),
        ([], "must name at least one audience member"),
        (20, "must be an Audience or its wire text; got int"),
    ],
)
def test_audiences_refused_with_the_rule(value: object, rule: str) -> None:
    with pytest.raises(ValueError, match=f"^Audiences .*{rule}"):
        check("allowedAudiences", value)


@pytest.mark.parametrize(
    ("value", "wire"),
    [("2024-05-02T10:11:12.1234567Z", "2024-05-02T10:11:12.1234567Z"),
     ("2024-05-02T12:11:12+02:00", "2024-05-02T10:11:12.0000000Z"),
     (pd.Timestamp("2024-05-02T10:11:12.1234567Z"), "2024-05-02T10:11:12.1234567Z"),
     (dt.datetime(2024, 5, 2, 10, 11, 12, 500, tzinfo=dt.UTC), "2024-05-02T10:11:12.0005000Z")],
)
def test_datetimes_are_written_with_seven_digits_and_z(value: object, wire: str) -> None:
    assert check("createdDateTime", value) == wire


@pytest.mark.parametrize(
    ("value", "rule"),
    [(dt.datetime(2024, 5, 2, 10), "with a zone"), ("2024-05-02T10:11:12", "with a zone"),
     ("yesterday", "ISO 8601"), (dt.date(2024, 5, 2), "with a zone")],
)
def test_datetimes_refused(value: object, rule: str) -> None:
    with pytest.raises(ValueError, match=f"^Last modified .*{rule}"):
        check("lastModifiedDateTime", value)


def test_lists_accept_lists_only() -> None:
    assert check("sources", ({"sourceId": "s"},)) == [{"sourceId": "s"}]
    with pytest.raises(ValueError, match=r"^Sources must be a list; got str"):
        check("sources", "s")


# ----------------------------------------------------------------------------------- flatten / to_wire


def test_flatten_gives_typed_column_values_and_the_user() -> None:
    user = {"id": "u-1", "userPrincipalName": "zoe.angstrom@contoso.example", "displayName": "Zoë Ångström"}
    row = flatten(ENTITY, user)
    assert tuple(row) == COLUMNS
    assert (row["userId"], row["userPrincipalName"], row["userDisplayName"]) == tuple(user.values())
    assert row["endDate"] == pd.Timestamp("2026-06-30") and row["endDate"].tz is None
    assert row["createdDateTime"].tz is not None and row["createdDateTime"].nanosecond == 700
    assert row["allowedAudiences"] == Audience.contacts | Audience.organization
    assert row[AUDIENCE_WIRE_COLUMN] is None
    assert row["inference.confidenceScore"] == 0.87 and row["inference.userHasVerifiedAccuracy"] is True
    assert row["createdBy.user.displayName"] == "Zoë Ångström" and row["createdBy.application.id"] is None
    assert row["lastModifiedBy.application.displayName"] == "HR Sync"
    assert row["lastModifiedBy.user.id"] is None
    assert row["source.type"] == "User"
    assert row["sources"] == ENTITY["sources"]


def test_flatten_reads_absent_and_null_properties_as_none_and_source_type_tolerantly() -> None:
    row = flatten({"id": "c1", "createdBy": None, "source": {"type": ["User", "LinkedIn"]}})
    assert row["userId"] is None and row["endDate"] is None and row["createdBy.user.id"] is None
    assert row["isSearchable"] is None and row["sources"] is None
    assert row["source.type"] == "User,LinkedIn"


def test_flatten_names_the_column_of_a_value_graph_should_never_send() -> None:
    with pytest.raises(ValueError, match="endDate: Graph sent 'Date', not a date"):
        flatten({"id": "c1", "endDate": "Date"})
    with pytest.raises(ValueError, match=r"inference\.confidenceScore: Graph sent 'high'"):
        flatten({"id": "c1", "inference": {"confidenceScore": "high"}})


def test_to_wire_inverts_flatten() -> None:
    assert to_wire(flatten(ENTITY), ENTITY) == ENTITY
    assert to_wire(flatten(ENTITY)) == ENTITY


def test_to_wire_sends_only_the_properties_asked_for_and_validates_them() -> None:
    row = {**flatten(ENTITY), "endDate": dt.date(2027, 6, 30), "description": None}
    assert to_wire(row, ["endDate", "description"]) == {"description": None, "endDate": "2027-06-30"}
    with pytest.raises(ValueError, match=r"^Expires must be a date YYYY-MM-DD; got '2027-06-31' \(no such"):
        to_wire({**row, "endDate": "2027-06-31"}, ["endDate"])
    with pytest.raises(KeyError, match="not personCertification properties: \\['expiry'\\]"):
        to_wire(row, ["expiry"])


def test_to_wire_rebuilds_nested_objects_whole() -> None:
    row = flatten({"id": "c1", "inference": {"confidenceScore": 0.5, "userHasVerifiedAccuracy": False}})
    assert to_wire({**row, "inference.userHasVerifiedAccuracy": True}, ["inference"]) == {
        "inference": {"confidenceScore": 0.5, "userHasVerifiedAccuracy": True}
    }
    cleared = {**row, "inference.confidenceScore": None, "inference.userHasVerifiedAccuracy": pd.NA}
    assert to_wire(cleared, ["inference"]) == {"inference": None}


def test_unknown_future_audience_members_survive_reading_and_are_refused_for_writing() -> None:
    row = flatten({"id": "c1", "allowedAudiences": "organization, partners"})
    assert row["allowedAudiences"] == Audience.organization | Audience.unknownFutureValue
    assert row[AUDIENCE_WIRE_COLUMN] == "organization, partners"
    assert to_wire(row, ["allowedAudiences"]) == {"allowedAudiences": "organization, partners"}
    edited = {**row, "allowedAudiences": Audience.contacts}
    assert to_wire(edited, ["allowedAudiences"]) == {"allowedAudiences": "contacts"}
    with pytest.raises(ValueError, match="unknownFutureValue"):
        FIELDS_BY_COLUMN["allowedAudiences"].validate(row["allowedAudiences"])


def test_a_frame_built_with_the_dtypes_keeps_values_losslessly() -> None:
    rows = [flatten(ENTITY, {"id": "u-1"}), flatten({"id": "c2"}, {"id": "u-2"})]
    frame = pd.DataFrame(rows, columns=list(COLUMNS)).astype(DTYPES)
    assert dict(frame.dtypes.astype(str)) == {column: str(pd.api.types.pandas_dtype(d)) for column, d in
                                              DTYPES.items()}
    assert format_datetime(frame["createdDateTime"].iloc[0]) == ENTITY["createdDateTime"]
    assert format_datetime(frame["lastModifiedDateTime"].iloc[0]) == ENTITY["lastModifiedDateTime"]
    assert frame["endDate"].isna().tolist() == [False, True]
    back = {column: frame.loc[0, column] for column in COLUMNS}
    assert to_wire(back, ENTITY) == ENTITY
