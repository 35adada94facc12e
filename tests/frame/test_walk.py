"""The two walkers (compiled `_walk.c`, `walk_python`) build the same frames, and the compiled one is there.

Every comparison builds a frame with each walker (`CERTNB_PURE_PYTHON=1` selects the Python one) and checks
the typed columns, the bookkeeping Layouts and the round trip back to the records.
"""

from __future__ import annotations

import copy
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certnb.frame import walk
from certnb.frame.build import build_from_records
from certnb.frame.layout import BOOKKEEPING_COLUMN
from certnb.frame.records import to_records


@contextmanager
def python_walker() -> Iterator[None]:
    before = os.environ.get("CERTNB_PURE_PYTHON")
    os.environ["CERTNB_PURE_PYTHON"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["CERTNB_PURE_PYTHON"]
        else:
            os.environ["CERTNB_PURE_PYTHON"] = before


def both_walkers(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The frame of `records` by each walker, checked equal and lossless; returns the compiled walker's."""
    compiled = build_from_records(copy.deepcopy(records))
    with python_walker():
        python = build_from_records(copy.deepcopy(records))
    pd.testing.assert_frame_equal(
        compiled.drop(columns=BOOKKEEPING_COLUMN), python.drop(columns=BOOKKEEPING_COLUMN), check_exact=True
    )
    assert compiled[BOOKKEEPING_COLUMN].tolist() == python[BOOKKEEPING_COLUMN].tolist()
    assert to_records(compiled) == records
    return compiled


def test_the_compiled_walker_is_installed() -> None:
    # `make` installs certnb with its C extension; without it a million records build ~4x slower.
    assert walk.COMPILED, "certnb/frame/_walk.c was not built: run `pip install -e .` with a C compiler"


def test_the_sample_tenant_builds_the_same_with_both(sample_users: list[dict[str, Any]]) -> None:
    records = [c for user in sample_users for c in user["certifications"]]
    frame = both_walkers(records)
    assert len(frame) == len(records) > 200


DATES = [
    "2024-02-29",  # leap day
    "2023-02-29",  # no such day
    "2100-02-29",  # not a leap year (century)
    "2000-02-29",  # a leap year (400)
    "2026-04-31",
    "2026-13-01",
    "2026-00-10",
    "2026-1-5",
    "2026-01-05T00:00:00",
    "1677-12-31",  # outside pandas' nanosecond range: left to pandas
    "1678-01-01",
    "2261-12-31",
    "2262-04-12",
    "0001-01-01",
    "9999-12-31",
    "２０２６-01-05",  # full-width digits
    "",
    "Date",
    None,
]
DATETIMES = [
    "2024-05-02T10:11:12.1234567Z",  # Graph's own form
    "2024-05-02T10:11:12.123456Z",
    "2024-05-02T10:11:12.12345678Z",
    "2024-05-02T10:11:12Z",
    "2024-05-02T10:11:12.1234567+00:00",
    "2024-05-02T10:11:12.1234567+02:00",
    "2024-05-02T10:11:12.1234567z",
    "2024-05-02 10:11:12.1234567Z",
    "2024-02-30T10:11:12.1234567Z",
    "2024-05-02T24:00:00.0000000Z",
    "2024-05-02T10:60:00.0000000Z",
    "2024-05-02T10:11:60.0000000Z",
    "1677-09-21T00:12:43.1452241Z",
    "2262-04-11T23:47:16.8547758Z",
    "1970-01-01T00:00:00.0000000Z",
    "1969-12-31T23:59:59.9999999Z",
    "2024-05-02",
    "",
    None,
]


@pytest.mark.parametrize("text", DATES)
def test_dates_parse_the_same_with_both(text: str | None) -> None:
    both_walkers([{"id": "c", "endDate": text, "startDate": "2020-01-01", "issuedDate": text}])


@pytest.mark.parametrize("text", DATETIMES)
def test_datetimes_parse_the_same_with_both(text: str | None) -> None:
    both_walkers(
        [{"id": "c", "createdDateTime": text, "lastModifiedDateTime": "2024-05-02T10:11:12.1234567Z"}]
    )


def test_the_fast_parse_gives_the_exact_instant() -> None:
    frame = both_walkers(
        [
            {"id": "a", "endDate": "2024-02-29", "createdDateTime": "1969-12-31T23:59:59.9999999Z"},
            {"id": "b", "endDate": "1970-01-01", "createdDateTime": "2024-05-02T10:11:12.1234567Z"},
        ]
    )
    assert frame["endDate"].tolist() == [pd.Timestamp("2024-02-29"), pd.Timestamp("1970-01-01")]
    assert frame["createdDateTime"].tolist() == [
        pd.Timestamp("1969-12-31T23:59:59.9999999Z"),
        pd.Timestamp("2024-05-02T10:11:12.1234567Z"),
    ]


def test_objects_the_compiled_walker_refuses_fall_back_to_python() -> None:
    wide = {f"k{i}": i for i in range(70)}  # more keys than the compiled walker reads
    records = [
        {"id": "a", "createdBy": {"user": {"id": "u", **wide}}},
        {"id": "b", "inference": {"confidenceScore": 0.5}},
    ]
    with pytest.raises(walk._walk.Unsupported):
        walk._walk_compiled(copy.deepcopy(records))
    both_walkers(records)
    odd_key: list[dict[Any, Any]] = [{"id": "c", "source": {1: "not a str key", "type": "User"}}]
    with pytest.raises(walk._walk.Unsupported):
        walk._walk_compiled(copy.deepcopy(odd_key))
    assert walk.walk(copy.deepcopy(odd_key)).columns[("source", "type")][0] == "User"


def test_the_compiled_walker_leaks_no_reference() -> None:
    marker = "a value whose references we count " + "x" * 10  # a fresh object, not interned
    records = [{"id": f"c{i}", "displayName": marker, "source": {"type": [marker]}} for i in range(100)]
    refused = [*copy.copy(records), {"id": "z", "inference": {2: marker}}]  # the walk fails on the last row
    gc.collect()
    before = sys.getrefcount(marker)
    walked = walk._walk_compiled(records)
    assert sys.getrefcount(marker) > before
    del walked
    with pytest.raises(walk._walk.Unsupported):
        walk._walk_compiled(refused)
    frame = build_from_records(records)
    del frame
    gc.collect()
    assert sys.getrefcount(marker) == before


_text = st.one_of(st.none(), st.text(max_size=4), st.integers(0, 3).map(str))
_date = st.one_of(st.none(), st.sampled_from([d for d in DATES if d is not None]), st.dates().map(str))
_moment = st.one_of(
    st.none(),
    st.sampled_from([d for d in DATETIMES if d is not None]),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"),
)
_leaf = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(0, 1), st.text(max_size=3))
_party = st.one_of(
    st.none(),
    st.text(max_size=2),
    st.dictionaries(st.sampled_from(["displayName", "id", "@x", "extra"]), _text),
)


def _node(members: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A nested object: its known members in any order and subset, maybe an unknown one; or not an object."""
    present = st.fixed_dictionaries({}, optional={**members, "unknown": _leaf})
    return st.one_of(
        st.none(), st.just([]), present.flatmap(lambda d: st.permutations(list(d.items())).map(dict))
    )


_identity = _node({"user": _party, "application": _party, "device": _party})
_certification = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=4)},
    optional={
        "displayName": _text,
        "issuingCompany": _text,
        "endDate": _date,
        "startDate": _date,
        "createdDateTime": _moment,
        "lastModifiedDateTime": _moment,
        "allowedAudiences": st.sampled_from(["me", "organization,contacts", "everyone", "everyone,future"]),
        "inference": _node(
            {
                "confidenceScore": st.one_of(st.none(), st.floats(0, 1), st.integers(0, 1)),
                "userHasVerifiedAccuracy": st.one_of(st.none(), st.booleans()),
            }
        ),
        "createdBy": _identity,
        "lastModifiedBy": _identity,
        "source": _node({"type": st.one_of(st.none(), st.text(max_size=3), st.lists(st.text(max_size=3)))}),
        "isSearchable": st.one_of(st.none(), st.booleans()),
        "@odata.type": st.just("#microsoft.graph.personCertification"),
        "futureProperty": _leaf,
    },
).flatmap(lambda d: st.permutations(list(d.items())).map(dict))


@settings(max_examples=200, deadline=None)
@given(st.lists(_certification, max_size=8))
def test_any_records_build_the_same_with_both_walkers(records: list[dict[str, Any]]) -> None:
    both_walkers(records)
