"""The grid's kernel-side view: windows as binary columnar chunks, sort, filters, search, quick filters."""

from __future__ import annotations

import numpy as np
import pandas as pd
from widget_tenant import ASOF, BOB, CAROL, label_of

from certnb.frame.build import build_frame
from certnb.staging import stage
from certnb.widgets.datagrid.table import GridTable
from certnb.widgets.datagrid.window import (
    SELECTED,
    SEPARATOR,
    STAGED,
    Query,
    decode_window,
    encode_window,
    order,
)


def ids(table: GridTable, query: Query) -> list[str]:
    return [table.text["id"][p] for p in order(table, query)]


def test_a_window_is_int32_positions_a_flags_byte_and_one_utf8_buffer_per_column(frame: pd.DataFrame) -> None:
    table = GridTable(frame, asof=ASOF)
    header, buffers = encode_window(table, order(table, Query()), 2, 3, selected={3})
    assert header == {"start": 2, "count": 3, "total": 6, "columns": header["columns"]}
    assert all(isinstance(b, bytes) for b in buffers) and len(buffers) == 2 + len(header["columns"])
    assert np.frombuffer(buffers[0], dtype="<i4").tolist() == [2, 3, 4]
    assert np.frombuffer(buffers[1], dtype=np.uint8).tolist()[1] & SELECTED
    ends = buffers[2 + header["columns"].index("endDate")].decode("utf-8").split(SEPARATOR)
    assert ends == ["2027-06-30", "", "2026-01-31"]  # b1, b2 (no end date), c1
    rows = decode_window(header, buffers)
    assert [r["id"] for r in rows] == ["b1", "b2", "c1"]
    assert rows[1]["userPrincipalName"] == BOB and rows[2]["userDisplayName"] == "Carol Coder"
    assert '"expired"' in rows[2]["findings"]  # c1 ended 2026-01-31, before ASOF


def test_a_window_past_the_end_is_empty_and_text_never_breaks_the_framing() -> None:
    df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "displayName": "Ann", "certifications": [
        {"id": "c1", "displayName": "tab\tand ünïcødé ✓", "endDate": "2027-01-31"}]}])
    table = GridTable(df)
    rows = decode_window(*encode_window(table, order(table, Query()), 0, 200))
    assert rows[0]["displayName"] == "tab\tand ünïcødé ✓"
    assert decode_window(*encode_window(table, order(table, Query()), 5, 200)) == []


def test_sort_filters_and_search(frame: pd.DataFrame) -> None:
    table = GridTable(frame, asof=ASOF)
    assert ids(table, Query(sort=(("endDate", "asc"),))) == ["b2", "c1", "a1", "c2", "b1", "a2"]
    assert ids(table, Query(sort=(("endDate", "desc"),)))[:2] == ["a2", "b1"]
    assert ids(table, Query(sort=(("issuingAuthority", "asc"), ("endDate", "desc")))) == [
        "c2", "a2", "a1", "c1", "b1", "b2"]  # CNCF, ISC2, Microsoft (latest end first), MSFT, PMI
    assert ids(table, Query(sort=(("issuingAuthority", "desc"),))) == ["b2", "b1", "a1", "c1", "a2", "c2"]
    assert ids(table, Query(filters=(("issuingAuthority", "micro"),))) == ["a1", "c1"]
    assert ids(table, Query(filters=(("userDisplayName", CAROL),))) == ["c1", "c2"]  # name or sign-in name
    assert ids(table, Query(search="cka")) == ["c2"]
    assert ids(table, Query(search="REF-B")) == ["b1", "b2"]
    assert ids(table, Query(search="nothing like it")) == []


def test_quick_filters_expiring_within_and_each_audit_rule(frame: pd.DataFrame) -> None:
    table = GridTable(frame, asof=ASOF)
    assert ids(table, Query(expiring_within=30)) == ["a1"]  # 2026-12-15
    assert ids(table, Query(expiring_within=200)) == ["a1", "c2"]  # not b1 (2027-06-30)
    assert ids(table, Query(rule="expired")) == ["c1"]
    assert ids(table, Query(rule="bad-url")) == ["b2"]
    assert ids(table, Query(rule="issuer-spelling")) == ["b1"]  # MSFT, where others spell Microsoft


def test_the_view_reads_staged_values(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    table = GridTable(frame, asof=ASOF)
    staged.set(label_of(frame, "c1"), endDate="2027-01-31")
    assert table.refresh(staged) == [4]
    assert ids(table, Query(rule="expired")) == []  # fixed: the finding follows the staged value
    assert ids(table, Query(expiring_within=90)) == ["a1", "c1"]
    assert ids(table, Query(staged_only=True)) == ["c1"]
    rows = decode_window(*encode_window(table, np.array([4], dtype=np.int32), 0, 1))
    assert rows[0]["_flags"] & STAGED and '"endDate": ["2026-01-31", "2027-01-31"]' in rows[0]["staged"]


def test_query_from_a_browser_message_keeps_only_known_fields() -> None:
    query = Query.from_message({"sort": [{"field": "endDate", "dir": "desc"}, {"field": "__class__"}],
                                "filters": [{"field": "issuingAuthority", "type": "like", "value": "ms"},
                                            {"field": "nope", "value": "x"}],
                                "search": "az", "expiring_within": 30, "rule": "expired"})
    assert query == Query(sort=(("endDate", "desc"),), filters=(("issuingAuthority", "ms"),), search="az",
                          expiring_within=30, rule="expired")
    assert Query.from_message({"expiring_within": -3}).expiring_within is None
