"""The builder's fast paths: members pulled per object shape, and the garbage collector paused while building.

Records of many shapes, mixed in one call, must give exactly what each record gives when built alone.
"""

from __future__ import annotations

import copy
import gc
from typing import Any

import pandas as pd
import pytest

from certnb.frame.build import build_from_records
from certnb.frame.layout import BOOKKEEPING_COLUMN
from certnb.frame.records import to_records
from certnb.schema import COLUMNS

SHAPES: list[dict[str, Any]] = [
    {"id": "plain", "displayName": "AZ-104", "endDate": "2027-01-31", "inference": None},
    {"displayName": "CKA", "id": "reordered", "createdBy": {"user": {"id": "u1", "displayName": "Ann"}}},
    {"id": "nested-null", "createdBy": {"user": None, "application": {"id": "app"}}, "source": None},
    {"id": "listed", "source": {"type": ["User", "LinkedIn"]}, "sources": [{"sourceId": "s"}]},
    {"id": "odd", "inference": "not an object", "createdBy": {"user": {"id": "u2", "extra": [1, 2]}}},
    {"id": "scored", "inference": {"confidenceScore": 1, "userHasVerifiedAccuracy": True}},
    {"id": "empty-nested", "inference": {}, "lastModifiedBy": {}},
]


def test_mixed_shapes_build_as_each_record_alone() -> None:
    # Shapes interleaved and repeated unevenly, so groups have one row, several rows, scattered rows.
    records = [copy.deepcopy(SHAPES[k % len(SHAPES)]) for k in (0, 1, 0, 2, 3, 0, 4, 1, 5, 6, 0, 3)]
    for i, record in enumerate(records):
        record["id"] = f"{record['id']}-{i}"
    owners = [
        {"id": f"user-{i % 3}", "userPrincipalName": f"u{i % 3}@contoso.example"} for i in range(len(records))
    ]
    together = build_from_records(copy.deepcopy(records), owners)
    alone = pd.concat(
        [build_from_records([copy.deepcopy(r)], [o]) for r, o in zip(records, owners, strict=True)],
        ignore_index=True,
    )
    for column in COLUMNS:
        pd.testing.assert_series_equal(together[column], alone[column].astype(together[column].dtype))
    assert together[BOOKKEEPING_COLUMN].tolist() == alone[BOOKKEEPING_COLUMN].tolist()
    assert to_records(together) == records


def test_one_shape_for_every_record_is_read_in_one_group() -> None:
    records = [
        {"id": f"c{i}", "displayName": f"Cert {i}", "createdBy": {"user": {"id": "u"}}} for i in range(50)
    ]
    frame = build_from_records(copy.deepcopy(records))
    assert frame["displayName"].tolist() == [f"Cert {i}" for i in range(50)]
    assert frame["createdBy.user.id"].tolist() == ["u"] * 50
    assert frame[BOOKKEEPING_COLUMN].map(id).nunique() == 1  # rows of one shape share one Layout
    assert to_records(frame) == records


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was_even_when_building_fails(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        build_from_records([{"id": "a"}])
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError, match="displayName"):
            build_from_records([{"id": "a", "displayName": 42}])
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_only_non_canonical_datetimes_are_kept_raw() -> None:
    texts = [
        "2024-05-02T10:11:12.1234567Z",  # Graph's own form: the typed cell says it all
        "2024-05-02T10:11:12Z",  # no fraction digits
        "2024-05-02T10:11:12.123Z",  # three digits
        "2024-05-02t10:11:12.1234567z",  # lower case
        "2024-05-02 10:11:12.1234567Z",  # a space
        "2024-05-02T12:11:12.1234567+02:00",  # an offset
        "2024-02-30T10:11:12.1234567Z",  # canonical-looking, but no such day
        "not a time",
        None,
    ]
    records = [{"id": f"c{i}", "createdDateTime": t} for i, t in enumerate(texts)]
    frame = build_from_records(copy.deepcopy(records))
    kept = [
        any(path == ("createdDateTime",) for path, _, _ in layout.raw) for layout in frame[BOOKKEEPING_COLUMN]
    ]
    assert kept == [False, True, True, True, True, True, True, True, False]
    assert frame.loc[0, "createdDateTime"] == pd.Timestamp("2024-05-02T10:11:12.1234567Z")
    assert frame.loc[5, "createdDateTime"] == frame.loc[0, "createdDateTime"]
    assert pd.isna(frame.loc[6, "createdDateTime"]) and pd.isna(frame.loc[7, "createdDateTime"])
    assert to_records(frame) == records


def test_user_columns_are_read_once_per_user_object_and_checked() -> None:
    ann = {"id": "u1", "userPrincipalName": "ann@contoso.example", "displayName": "Ann"}
    bob = {"id": "u2", "userPrincipalName": "bob@contoso.example"}
    twin = dict(ann)  # an equal but distinct dict: still Ann's values
    frame = build_from_records([{"id": f"c{i}"} for i in range(5)], [ann, bob, ann, twin, bob])
    assert frame["userId"].tolist() == ["u1", "u2", "u1", "u1", "u2"]
    assert frame["userDisplayName"].isna().tolist() == [False, True, False, False, True]
    with pytest.raises(ValueError, match="userDisplayName"):
        build_from_records([{"id": "c1"}, {"id": "c2"}], [ann, {"id": "u3", "displayName": ["not", "text"]}])
