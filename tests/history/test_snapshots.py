"""Snapshots keep a frame exactly (dtypes, Graph JSON, attrs) with its tenant, account and time, in a folder
of Parquet files or in a DuckDB file; a store that cannot be used says so and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import certnb
from certnb.frame.build import build_frame
from certnb.frame.load import FAILURES_ATTR, load_failures
from certnb.frame.owners import PROFILE_SOURCES_ATTR
from certnb.frame.records import to_records
from certnb.history import SNAPSHOT_COLUMNS, list_snapshots, read_snapshot, snapshot

STORES = ["audits", "audits.duckdb"]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A store path that does not exist yet: a folder of Parquet files, or a DuckDB file."""
    return tmp_path / str(request.param)


def test_the_sample_tenant_reads_back_exactly(store: Path, tenant_frame: pd.DataFrame) -> None:
    kept = snapshot(tenant_frame, store, tenant="contoso", account="adele@contoso.example",
                    taken="2026-11-30T09:15:00Z")
    back = read_snapshot(store, kept.id)
    pd.testing.assert_frame_equal(back, tenant_frame)  # values, dtypes, column order, the Layouts
    assert [str(back[c].dtype) for c in back] == [str(tenant_frame[c].dtype) for c in tenant_frame]
    assert to_records(back) == to_records(tenant_frame)


def test_each_snapshot_keeps_tenant_account_time_and_rows(store: Path, tenant_frame: pd.DataFrame) -> None:
    snapshot(tenant_frame, store, tenant="contoso", account="adele@contoso.example",
             taken="2026-10-01T08:00:00Z")
    snapshot(tenant_frame.iloc[:10], store, tenant="contoso", account="megan@contoso.example",
             taken="2026-11-01T08:00:00+01:00", asof="2026-11-02")
    table = list_snapshots(store)
    assert list(table.columns) == list(SNAPSHOT_COLUMNS)
    assert table["id"].tolist() == ["20261001T080000Z", "20261101T070000Z"]
    assert table["account"].tolist() == ["adele@contoso.example", "megan@contoso.example"]
    assert table["tenant"].tolist() == ["contoso", "contoso"]
    assert table["rows"].tolist() == [len(tenant_frame), 10]
    assert table["taken"].tolist() == [pd.Timestamp("2026-10-01T08:00Z"), pd.Timestamp("2026-11-01T07:00Z")]
    assert table["asof"].tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-02")]
    assert set(table["certnb"]) == {certnb.__version__}
    assert len(read_snapshot(store)) == 10  # the latest by default


def test_two_snapshots_taken_at_once_get_their_own_ids(store: Path, tenant_frame: pd.DataFrame) -> None:
    first = snapshot(tenant_frame.iloc[:3], store, taken="2026-11-30T09:00:00Z")
    second = snapshot(tenant_frame.iloc[:4], store, taken="2026-11-30T09:00:00Z")
    assert (first.id, second.id) == ("20261130T090000Z", "20261130T090000Z-2")
    assert len(read_snapshot(store, first.id)) == 3
    assert len(read_snapshot(store, second.id)) == 4


def test_source_names_and_load_failures_come_back(store: Path, tenant_users: list[dict[str, object]]) -> None:
    names = {"46a57efc-33f8-4eec-a512-b90039ad6187": "My own edits"}
    frame = build_frame(tenant_users, profile_sources=names)
    frame.attrs[FAILURES_ATTR] = pd.DataFrame([{"user": "gone@contoso.example", "userId": None, "status": 404,
                                                "code": "Request_ResourceNotFound", "message": "no such user",
                                                "url": "https://graph/beta/users/gone"}])
    snapshot(frame, store, taken="2026-11-30")
    back = read_snapshot(store)
    assert back.attrs[PROFILE_SOURCES_ATTR] == frame.attrs[PROFILE_SOURCES_ATTR]
    assert back["sourceNames"].equals(frame["sourceNames"])
    assert load_failures(back).to_dict("records") == load_failures(frame).to_dict("records")


def test_a_lone_surrogate_reads_back_exactly(store: Path) -> None:
    # Graph's JSON may carry "\ud800" (an escape UTF-8 has no bytes for); Parquet strings are UTF-8.
    frame = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
        {"id": "c1", "displayName": "AZ\ud800-104", "description": "fine"}]}])
    snapshot(frame, store, taken="2026-11-30")
    back = read_snapshot(store)
    assert back.loc[0, "displayName"] == "AZ\ud800-104"
    pd.testing.assert_frame_equal(back, frame)


def test_an_empty_frame_is_a_snapshot_too(store: Path, tenant_frame: pd.DataFrame) -> None:
    kept = snapshot(tenant_frame.iloc[0:0], store, taken="2026-11-30")
    assert kept.rows == 0
    pd.testing.assert_frame_equal(read_snapshot(store), build_frame([]))


def test_the_parquet_file_carries_its_metadata(tmp_path: Path, tenant_frame: pd.DataFrame) -> None:
    import pyarrow.parquet as pq

    snapshot(tenant_frame, tmp_path, tenant="contoso", account="adele@contoso.example", taken="2026-11-30")
    (path,) = tmp_path.glob("certnb-*.parquet")
    metadata = json.loads(pq.read_schema(path).metadata[b"certnb"])
    assert (metadata["tenant"], metadata["account"], metadata["rows"]) == ("contoso", "adele@contoso.example",
                                                                          len(tenant_frame))
    assert not list(tmp_path.glob(".*partial"))


def test_reading_where_nothing_was_kept_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(certnb.SnapshotError, match="does not exist; check the path"):
        read_snapshot(tmp_path / "nowhere")
    with pytest.raises(certnb.SnapshotError, match=r"holds no certnb snapshot; keep one with"):
        read_snapshot(tmp_path)


def test_an_unknown_id_names_the_ids_there(store: Path, tenant_frame: pd.DataFrame) -> None:
    snapshot(tenant_frame.iloc[:1], store, taken="2026-11-30")
    with pytest.raises(certnb.SnapshotError, match=r"no snapshot '2026'.*20261130T000000Z"):
        read_snapshot(store, "2026")


def test_a_file_is_not_a_folder_of_snapshots(tmp_path: Path, tenant_frame: pd.DataFrame) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("mine", encoding="utf-8")
    with pytest.raises(certnb.SnapshotError, match=r"is a file, not a folder of snapshots; name a folder"):
        snapshot(tenant_frame, path)
    assert path.read_text(encoding="utf-8") == "mine"


def test_a_stray_parquet_file_in_the_folder_is_named(tmp_path: Path, tenant_frame: pd.DataFrame) -> None:
    (tmp_path / "certnb-mine.parquet").write_bytes(b"not parquet")
    with pytest.raises(certnb.SnapshotError, match=r"certnb-mine.parquet: is not readable as a Parquet"):
        list_snapshots(tmp_path)


def test_a_duckdb_file_of_something_else_is_refused(tmp_path: Path, tenant_frame: pd.DataFrame) -> None:
    import duckdb

    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as db:
        db.execute("CREATE TABLE mine (x INTEGER)")
    with pytest.raises(certnb.SnapshotError, match="without certnb's snapshots table"):
        list_snapshots(path)


def test_a_frame_without_the_certification_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lacks the column"):
        snapshot(pd.DataFrame({"id": ["c1"]}), tmp_path)
    with pytest.raises(TypeError, match="a DataFrame from load"):
        snapshot([{"id": "c1"}], tmp_path)  # type: ignore[arg-type]
    assert not list(tmp_path.iterdir())
