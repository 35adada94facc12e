"""OData query options, parsed and applied without a server (contract §1, §6)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certnb.emulator.errors import GraphError
from certnb.emulator.filters import parse_filter
from certnb.emulator.query import ENTITY_OPTIONS, next_query, parse_query

TYPES = {
    "id": "string",
    "displayName": "string",
    "endDate": "date",
    "allowedAudiences": "flags",
    "createdDateTime": "datetimeoffset",
    "isSearchable": "bool",
    "inference": "object",
}
ROWS: list[dict[str, Any]] = [
    {
        "id": "a",
        "displayName": "O'Brien",
        "endDate": "2025-01-31",
        "allowedAudiences": "organization",
        "createdDateTime": "2024-05-02T10:11:12.1234567Z",
        "isSearchable": True,
    },
    {
        "id": "b",
        "displayName": "Zed",
        "endDate": None,
        "allowedAudiences": "contacts,organization",
        "createdDateTime": "2024-05-02T10:11:12Z",
        "isSearchable": False,
    },
    {
        "id": "c",
        "displayName": "Alpha",
        "endDate": "2026-06-30",
        "allowedAudiences": None,
        "createdDateTime": "2023-01-01T00:00:00+02:00",
        "isSearchable": None,
    },
    {
        "id": "d",
        "displayName": "alpha",
        "endDate": "2024-12-31",
        "allowedAudiences": "everyone",
        "createdDateTime": None,
    },
]


def ids(query: str, **apply: Any) -> list[str]:
    page, _, _ = parse_query(query, TYPES).apply(ROWS, **apply)
    return [row["id"] for row in page]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ("displayName eq 'O''Brien'", ["a"]),
        ("displayName ne 'Zed'", ["a", "c", "d"]),
        ("displayName eq 'alpha'", ["d"]),  # ordinal, case-sensitive
        ("endDate lt 2025-06-01", ["a", "d"]),  # null is never less than anything
        ("endDate ge 2025-01-31 and endDate le 2026-06-30", ["a", "c"]),
        ("endDate eq null", ["b"]),
        ("endDate ne null", ["a", "c", "d"]),
        ("allowedAudiences eq 'organization, contacts'", ["b"]),  # literal normalised like a body
        ("createdDateTime gt 2024-05-02T10:11:12Z", ["a"]),  # compared as instants, not strings
        ("createdDateTime lt 2022-12-31T22:00:00Z", []),
        ("createdDateTime le 2022-12-31T22:00:00Z", ["c"]),  # +02:00 respected
        ("isSearchable eq true", ["a"]),
        ("isSearchable eq false or isSearchable eq null", ["b", "c", "d"]),
        ("(displayName eq 'Zed' or displayName eq 'Alpha') and endDate ne null", ["c"]),
        ("displayName EQ 'Zed'", ["b"]),
    ],
)
def test_filter(flt: str, expected: list[str]) -> None:
    assert ids(f"$filter={flt}") == expected


@pytest.mark.parametrize(
    ("flt", "why"),
    [
        ("displayName eq", "end of expression"),
        ("displayName eq 'x' and", "end of expression"),
        ("colour eq 'red'", "colour"),
        ("inference eq null", "cannot be compared"),
        ("endDate eq '2025-01-31'", "incompatible types"),  # Edm.Date literals are unquoted
        ("endDate eq 2025-02-30", "not a date"),
        ("displayName eq 42", "incompatible"),
        ("displayName has 'x'", "expected one of"),
        ("startswith(displayName,'a')", "syntax error"),
        ("displayName eq 'unterminated", "syntax error"),
        ("(displayName eq 'x'", "end of expression"),
        ("(displayName eq 'x' 'y'", "missing"),
        ("displayName eq 'x')", "unexpected"),
        ("allowedAudiences eq 'friends'", "friends"),
        ("isSearchable eq maybe", "boolean"),
        ("inference/confidenceScore gt 0.5", "syntax error"),
        (" ", "empty"),
    ],
)
def test_unsupported_or_malformed_filter_is_400_invalid_request(flt: str, why: str) -> None:
    with pytest.raises(GraphError) as caught:
        parse_query(f"$filter={flt}", TYPES)
    assert (caught.value.status, caught.value.code) == (400, "invalidRequest")
    assert why in caught.value.message


def test_filter_options_are_percent_decoded() -> None:
    assert ids("%24filter=displayName%20eq%20%27O%27%27Brien%27") == ["a"]


@pytest.mark.parametrize(
    ("orderby", "expected"),
    [
        ("displayName", ["c", "a", "b", "d"]),  # ordinal: upper case before lower case
        ("displayName desc", ["d", "b", "a", "c"]),
        ("endDate", ["b", "d", "a", "c"]),  # nulls first ascending (OData)
        ("endDate desc", ["c", "a", "d", "b"]),
        ("createdDateTime asc", ["d", "c", "b", "a"]),
        ("allowedAudiences desc,displayName", ["a", "d", "b", "c"]),
    ],
)
def test_orderby(orderby: str, expected: list[str]) -> None:
    assert ids(f"$orderby={orderby}") == expected


@pytest.mark.parametrize("orderby", ["colour", "displayName sideways", "inference", "a b c", ""])
def test_bad_orderby_is_400(orderby: str) -> None:
    with pytest.raises(GraphError, match=r"orderby|property"):
        parse_query(f"$orderby={orderby}", TYPES)


def test_default_order_applies_without_orderby_and_yields_to_it() -> None:
    default = (("createdDateTime", False),)
    options = parse_query("", TYPES, default_orderby=default)
    assert [r["id"] for r in options.apply(ROWS)[0]] == ["d", "c", "b", "a"]
    options = parse_query("$orderby=id desc", TYPES, default_orderby=default)
    assert [r["id"] for r in options.apply(ROWS)[0]] == ["d", "c", "b", "a"]
    options = parse_query("$orderby=id", TYPES, default_orderby=default)
    assert [r["id"] for r in options.apply(ROWS)[0]] == ["a", "b", "c", "d"]


def test_select_always_includes_id_and_rejects_unknown_names() -> None:
    assert parse_query("$select=displayName,endDate", TYPES).select == ("id", "displayName", "endDate")
    assert parse_query("$select=id,displayName,displayName", TYPES).select == ("id", "displayName")
    with pytest.raises(GraphError, match="colour"):
        parse_query("$select=displayName,colour", TYPES)
    with pytest.raises(GraphError, match="empty"):
        parse_query("$select=displayName,", TYPES)


def test_top_skip_and_paging() -> None:
    assert ids("$top=2") == ["a", "b"]
    assert ids("$top=2&$skip=3") == ["d"]
    assert ids("$skip=10") == []
    assert ids("", page_size=3) == ["a", "b", "c"]
    assert ids("$top=4", max_top=2) == ["a", "b"]
    options = parse_query("$top=2&$count=true", TYPES)
    page, total, more = options.apply(ROWS)
    assert (len(page), total, more, options.count) == (2, 4, True, True)
    assert parse_query("$top=2&$skip=2", TYPES).apply(ROWS)[2] is False
    assert parse_query("$top=0", TYPES).apply(ROWS) == ([], 4, False)


@pytest.mark.parametrize(
    "query",
    [
        "$top=-1",
        "$top=abc",
        "$top=1.5",
        "$skip=x",
        "$count=yes",
        "$top=1&$top=2",
        "$top=1&top=2",
        "$expand=x",
        "$search=x",
        "$format=json",
        "$foo=1",
        "$skiptoken=abc",
    ],
)
def test_bad_or_unsupported_options_are_400(query: str) -> None:
    with pytest.raises(GraphError) as caught:
        parse_query(query, TYPES)
    assert (caught.value.status, caught.value.code) == (400, "invalidRequest")


def test_dollar_is_optional_and_names_are_case_insensitive_custom_options_ignored() -> None:
    assert ids("top=1") == ["a"]
    assert ids("$TOP=1&$Skip=1") == ["b"]
    assert ids("foo=bar&$top=1") == ["a"]


def test_entity_routes_accept_only_select() -> None:
    assert parse_query("$select=displayName", TYPES, allowed=ENTITY_OPTIONS).select == ("id", "displayName")
    with pytest.raises(GraphError, match="not supported on this resource"):
        parse_query("$top=1", TYPES, allowed=ENTITY_OPTIONS)


def test_next_query_replaces_skip_and_keeps_the_rest_verbatim() -> None:
    assert next_query("", 10) == "$skip=10"
    assert next_query("$top=5&%24skip=5&$filter=displayName%20eq%20%27x%27", 10) == (
        "$top=5&$filter=displayName%20eq%20%27x%27&$skip=10"
    )
    assert next_query("skip=3&$select=id", 6) == "$select=id&$skip=6"


@given(st.integers(0, 30), st.integers(1, 7), st.integers(1, 9))
def test_following_pages_visits_every_row_once(n_rows: int, top: int, page_size: int) -> None:
    rows = [{"id": str(i)} for i in range(n_rows)]
    seen: list[str] = []
    query = f"$top={top}"
    for _ in range(n_rows + 2):
        options = parse_query(query, TYPES)
        page, total, more = options.apply(rows, page_size=page_size)
        assert total == n_rows
        seen += [row["id"] for row in page]
        if not more:
            break
        query = next_query(query, options.skip + top)
    assert seen == [row["id"] for row in rows]


def test_parse_filter_is_a_reusable_predicate() -> None:
    keep = parse_filter("endDate lt 2026-01-01", TYPES)
    assert [keep(row) for row in ROWS] == [True, False, False, True]
