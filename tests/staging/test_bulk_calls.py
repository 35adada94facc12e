"""The bulk paths of staging give exactly what the value-by-value paths give: the same wire values, the same
refusals word for word, the same rows, the same loaded values, the same journal after a reopen.

Each bulk path is checked against the plain per-value (or per-label) path it replaced, over mixed good and
bad input drawn by hypothesis.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certnb.audience import Audience
from certnb.frame.records import wire_columns
from certnb.staging import EditsRefused, Staged, stage
from certnb.staging.edit import WRITABLE_FIELDS, LoadedValues, Refusal, check_value, check_values
from certnb.staging.frame_check import FrameRefused
from certnb.staging.rows import NO_VALUE, FrameRows, Target, cells, wire_column

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

DATE_TEXTS = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),  # real dates, years 0001-9999
    st.sampled_from([
        "2027-02-30", "0000-01-01", "2027-1-1", "2027-01-01 ", " 2027-01-01", "2027-06-30T00:00", "",
        "２０２７-01-01", "10000-01-01", "2024-02-29", "2023-02-29", "1677-09-21", "2262-04-12", "30.06.2027",
    ]),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),  # the right shape, any digits
    st.text(max_size=12),
)
DATE_VALUES = st.one_of(
    DATE_TEXTS,
    st.dates(),
    st.datetimes(),
    st.dates(min_value=dt.date(1700, 1, 1), max_value=dt.date(2200, 1, 1)).map(pd.Timestamp),
    st.datetimes(min_value=dt.datetime(1700, 1, 1), max_value=dt.datetime(2200, 1, 1)).map(pd.Timestamp),
    st.sampled_from([
        None, pd.NA, pd.NaT, math.nan, 20270630, 2027.5, True, pd.Timestamp("2027-06-30", tz="UTC"),
        pd.Timestamp("2027-06-30", tz="Europe/Paris"), np.datetime64("2027-06-30"), ["2027-06-30"],
    ]),
)
TEXT_VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["Microsoft", "tab\tand\nnewline", "bell\x07", "x" * 1001, "", None, math.nan, 5, b"bytes"]
    ),
)
OTHER_VALUES = st.one_of(
    st.sampled_from([
        "https://learn.microsoft.com/x", "ftp://x", "relative/path", "http://", "https://a b", None,
        "contacts,organization", "organization", "nobody", ["contacts"], Audience.organization,
        0.5, -0.0, 0.0, math.inf, 1, np.float64(0.25), np.int64(3), True, np.bool_(False), "0.5",
    ]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


def per_value(field_name: str, value: object) -> Any:
    try:
        return check_value(field_name, value)
    except Refusal as refusal:
        return refusal


def same_outcome(got: Any, want: Any) -> bool:
    """Both refusals with the same message, or the same wire value of the same type."""
    if isinstance(want, Refusal):
        return isinstance(got, Refusal) and str(got) == str(want)
    return type(got) is type(want) and repr(got) == repr(want) and (got == want or got != got)


@SETTINGS
@given(
    values=st.lists(DATE_VALUES, max_size=40), field=st.sampled_from(["endDate", "startDate", "issuedDate"])
)
def test_date_column_checks_like_value_by_value(values: list[Any], field: str) -> None:
    values = values + values[: len(values) // 2]  # repeats: the remembered acceptances must match too
    got = check_values(field, values)
    assert len(got) == len(values)
    for value, result in zip(values, got, strict=True):
        assert same_outcome(result, per_value(field, value)), (value, result)


@SETTINGS
@given(
    values=st.lists(st.one_of(TEXT_VALUES, OTHER_VALUES), max_size=30),
    field=st.sampled_from([*WRITABLE_FIELDS, "createdDateTime", "id", "nonsense", "userId"]),
)
def test_any_column_checks_like_value_by_value(values: list[Any], field: str) -> None:
    values = values + values[::2]
    for value, result in zip(values, check_values(field, values), strict=True):
        assert same_outcome(result, per_value(field, value)), (field, value, result)


def test_a_date_text_accepted_in_bulk_is_its_own_wire_value() -> None:
    texts = [f"{year:04d}-{month:02d}-28" for year in (1, 999, 1582, 2027, 9999) for month in (1, 2, 12)]
    assert check_values("endDate", texts) == texts
    assert all(isinstance(r, Refusal) for r in check_values("endDate", ["0000-01-01", "2027-13-01"]))


SERIES = [
    pd.Series(["2027-01-01", None, "bad"], dtype="str"),
    pd.Series(["2027-01-01", None, "bad"], dtype="string"),
    pd.Series(["2027-01-01", None, 3], dtype=object),
    pd.Series(pd.to_datetime(["2027-01-01", None, "2027-01-02 10:00"], format="ISO8601")),
    pd.Series(pd.to_datetime(["2027-01-01", None, "2027-01-02"], utc=True)),
    pd.Series([1, 2, 3]),
    pd.Series([0.5, math.nan, 1.0]),
    pd.Series([True, False, True]),
    pd.Series([1, None, 3], dtype="Int64"),
    pd.Series([0.5, None, 1.0], dtype="Float64"),
    pd.Series([True, None, False], dtype="boolean"),
    pd.Series(["a", "b", "a"], dtype="category"),
    pd.Series([dt.date(2027, 1, 1), None, dt.date(2027, 1, 2)]),
]


@pytest.mark.parametrize("series", SERIES, ids=[str(s.dtype) for s in SERIES])
@pytest.mark.parametrize("layout", ["aligned", "reversed", "partial", "duplicated", "string-labels"])
def test_series_cells_are_what_series_at_label_gives(series: pd.Series, layout: str) -> None:
    frame_index = pd.RangeIndex(3)
    index = {
        "aligned": [0, 1, 2], "reversed": [2, 1, 0], "partial": [0, 2, 7], "duplicated": [0, 0, 1],
        "string-labels": ["0", "1", "2"],
    }[layout]
    series = series.set_axis(index)
    targets = [Target(0, ("u", "c0"), 0), Target(1, ("u", "c1"), 1), Target(2, ("u", "c2"), 2),
               Target(("u", "c1"), ("u", "c1"), 1), Target(9, None, None, "no such row in the frame")]
    got = cells(series, targets, frame_index)
    for target, cell in zip(targets, got, strict=True):
        want = series[target.label] if target.label in series.index else NO_VALUE
        if isinstance(want, pd.Series):
            assert isinstance(cell, pd.Series) and cell.equals(want)
        else:
            assert type(cell) is type(want) and repr(cell) == repr(want), (target, cell, want)


@SETTINGS
@given(labels=st.lists(st.one_of(st.integers(-3, 40), st.sampled_from([("u1", "c1"), "x", 2.0, None])),
                       max_size=25))
def test_labels_are_looked_up_as_one_by_one(tenant_frame: pd.DataFrame, labels: list[Any]) -> None:
    rows = FrameRows(tenant_frame.iloc[:30])
    one_by_one = [target for label in labels for target in rows._targets_for_label(label)]
    assert rows.select(labels) == one_by_one
    assert rows.select(pd.Index([label for label in labels if isinstance(label, int)], dtype="int64")) == [
        target for label in labels if isinstance(label, int) for target in rows._targets_for_label(label)
    ]


def test_selection_on_a_frame_with_repeated_or_text_labels(tenant_frame: pd.DataFrame) -> None:
    with pytest.raises(FrameRefused, match=r"holds 1 label more than once \(5\)"):
        FrameRows(tenant_frame.iloc[[0, 1, 0]].set_axis([5, 6, 5]))
    named = FrameRows(tenant_frame.iloc[:3].set_axis(["a", "b", "c"]))
    assert named.select(["c", "a", "z"]) == [
        Target("c", named.select("c")[0].key, 2), Target("a", named.select("a")[0].key, 0),
        Target("z", None, problem="no row labelled 'z' in the frame"),
    ]


def test_wire_columns_match_the_frame_writer(tenant_frame: pd.DataFrame) -> None:
    frame = tenant_frame.copy()
    frame.loc[3, "endDate"] = pd.NaT
    frame.loc[4, "description"] = pd.NA
    written = wire_columns(frame)
    for name in WRITABLE_FIELDS:
        assert wire_column(frame, name) == written[name], name


def test_snapshots_hold_loaded_values_as_a_mapping(tenant_frame: pd.DataFrame) -> None:
    rows = FrameRows(tenant_frame)
    targets = rows.select([4, 0, 2])
    snapshots = rows.snapshots(targets)
    assert [s.key for s in snapshots] == [t.key for t in targets]
    assert snapshots[1] == rows.snapshot(targets[1])
    loaded = snapshots[1].loaded
    assert isinstance(loaded, LoadedValues)
    assert dict(loaded) == {name: wire_column(tenant_frame, name)[0] for name in WRITABLE_FIELDS}
    assert loaded == dict(loaded) and list(loaded) == list(WRITABLE_FIELDS)
    assert loaded.get("nonsense") is None and loaded.get("nonsense", 1) == 1
    with pytest.raises(KeyError):
        loaded["nonsense"]
    with pytest.raises(ValueError, match="one per writable field"):
        LoadedValues(("too", "few"))


@SETTINGS
@given(data=st.data())
def test_set_with_a_mixed_series_stages_or_refuses_as_value_by_value(
    tenant_frame: pd.DataFrame, data: st.DataObject
) -> None:
    rows = list(range(12))
    values = data.draw(st.lists(st.one_of(DATE_VALUES, st.sampled_from(["2031-01-31", "2031-02-28"])),
                                min_size=12, max_size=12))
    series = pd.Series(values, index=rows, dtype=object)
    staged = stage(tenant_frame)
    refusals = [(row, per_value("endDate", value)) for row, value in zip(rows, values, strict=True)]
    refusals = [(row, r) for row, r in refusals if isinstance(r, Refusal)]
    if refusals:
        with pytest.raises(EditsRefused) as refused:
            staged.set(rows, endDate=series)
        by_rule = [(p.row, p.rule) for p in refused.value.problems][: len(refusals)]
        assert by_rule == [(row, str(r)) for row, r in refusals]
        assert len(staged) == 0
        return
    try:
        staged.set(rows, endDate=series)
    except EditsRefused as order:  # only the date-order rule may refuse what every value passed
        assert all("must not be before" in p.rule for p in order.problems)
        return
    loaded = wire_column(tenant_frame, "endDate")
    cert_ids = tenant_frame["id"].tolist()
    wanted = {cert_ids[row]: check_value("endDate", value) for row, value in zip(rows, values, strict=True)}
    assert {e.cert_id: e.after for e in staged} == {
        cert_ids[row]: wanted[cert_ids[row]] for row in rows if wanted[cert_ids[row]] != loaded[row]
    }


def test_apply_calls_the_functions_row_by_row_and_checks_in_bulk(tenant_frame: pd.DataFrame) -> None:
    calls: list[tuple[str, Any]] = []

    def end(row: Any) -> Any:
        calls.append(("endDate", row.name))
        return "2031-01-31" if row.name != 2 else "2031-02-30"

    def title(row: Any) -> Any:
        calls.append(("displayName", row.name))
        return f"T{row.name}"

    with pytest.raises(EditsRefused) as refused:
        stage(tenant_frame).apply([0, 1, 2], endDate=end, displayName=title)
    assert calls == [(field, row) for row in (0, 1, 2) for field in ("endDate", "displayName")]
    [problem] = refused.value.problems
    assert (problem.row, problem.field, problem.value) == (2, "endDate", "2031-02-30")
    assert problem.rule == str(per_value("endDate", "2031-02-30"))


def test_journal_of_a_bulk_call_replays_in_order(own_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "edits.journal"
    staged = stage(own_frame, journal=path)
    staged.set(slice(0, 69), description="bulk", certificationId="B-1")  # 140 edits: 4 blocks of 32 and 12
    staged.unstage(list(range(5, 45)), field="description")  # 40 tombstones: 1 block and 8
    staged.set(list(range(40, 50)), description="again")
    staged.set(7, {"inference.userHasVerifiedAccuracy": True})
    reopened = Staged.open(path)
    assert reopened.edits == staged.edits and reopened.rows == staged.rows
    assert [e.seq for e in reopened] == [e.seq for e in staged]
    assert all(type(e.after) is bool for e in reopened if e.field == "inference.userHasVerifiedAccuracy")
    assert all(type(r.loaded.get("inference.userHasVerifiedAccuracy")) in (bool, type(None))
               for r in reopened.rows.values())


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(tenant_frame: pd.DataFrame, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        staged = stage(tenant_frame)
        staged.set([0, 1], description="x")
        assert gc.isenabled() is enabled
        with pytest.raises(EditsRefused):
            staged.set([0, 99999], description="y")
        assert gc.isenabled() is enabled
        with pytest.raises(EditsRefused):
            staged.apply([0], description=lambda row: 1 / 0)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
