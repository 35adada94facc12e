"""Staging takes a frame only as load made it: typed columns of the schema's dtypes, each row label once.

A date column made time-zone aware or turned into text would give wrong `before` values (and so false
conflicts at commit); a label held twice would name two certifications.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from certnb.errors import CertnbError
from certnb.frame.build import build_frame
from certnb.schema import COLUMNS, FIELDS_BY_COLUMN
from certnb.staging import Staged, stage
from certnb.staging.frame_check import FrameRefused


def test_a_frame_as_built_or_copied_or_filtered_is_taken(tenant_frame: pd.DataFrame) -> None:
    for frame in (tenant_frame, tenant_frame.copy(), tenant_frame[tenant_frame["endDate"].notna()],
                  tenant_frame.iloc[::-1], build_frame([])):
        stage(frame)


def test_a_date_column_made_time_zone_aware_is_refused_naming_column_and_dtypes(
    tenant_frame: pd.DataFrame, tmp_path: Path
) -> None:
    frame = tenant_frame.copy()
    frame["endDate"] = frame["endDate"].dt.tz_localize("UTC")
    journal = tmp_path / "edits.journal"
    with pytest.raises(FrameRefused) as refused:
        stage(frame, journal=journal)
    message = str(refused.value)
    assert isinstance(refused.value, CertnbError)
    assert "column 'endDate' (date): expected dtype datetime64[s], found datetime64[s, UTC]" in message
    assert "load it again" in message
    assert not journal.exists()  # refused before the journal was opened
    # The way back the message gives restores the loaded values exactly.
    assert "df['endDate'] = df['endDate'].dt.tz_localize(None).astype('datetime64[s]')" in message
    frame["endDate"] = frame["endDate"].dt.tz_localize(None).astype("datetime64[s]")
    assert frame["endDate"].equals(tenant_frame["endDate"])
    assert stage(frame).set(0, endDate="2031-01-31").edits[0].before == "2028-08-01"


def test_a_date_column_turned_into_text_is_refused(tenant_frame: pd.DataFrame) -> None:
    frame = tenant_frame.copy()
    frame["endDate"] = frame["endDate"].dt.strftime("%d/%m/%Y")
    frame["startDate"] = frame["startDate"].astype(object)
    with pytest.raises(FrameRefused) as refused:
        stage(frame)
    message = str(refused.value)
    assert f"column 'endDate' (date): expected dtype datetime64[s], found {frame['endDate'].dtype}" in message
    assert "column 'startDate' (date): expected dtype datetime64[s], found object" in message
    assert "pd.to_datetime(df['endDate'], format=" in message


@pytest.mark.parametrize("column", [c for c in COLUMNS if FIELDS_BY_COLUMN[c].dtype != "object"])
def test_every_typed_column_is_checked_against_the_schema(tenant_frame: pd.DataFrame, column: str) -> None:
    frame = tenant_frame.copy()
    frame[column] = frame[column].astype(object)
    expected = re.escape(f"column '{column}' ({FIELDS_BY_COLUMN[column].kind}): expected dtype "
                         f"{FIELDS_BY_COLUMN[column].dtype}, found object")
    with pytest.raises(FrameRefused, match=expected):
        stage(frame)


def test_a_frame_of_another_dtype_is_refused_when_a_journal_is_reopened_with_it(
    tenant_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "edits.journal"
    stage(tenant_frame, journal=path).set(0, description="kept").close()
    frame = tenant_frame.copy()
    frame["issuedDate"] = frame["issuedDate"].dt.tz_localize("Europe/Berlin")
    with pytest.raises(FrameRefused, match=r"'issuedDate' .*found datetime64\[s, Europe/Berlin\]"):
        Staged.open(path, frame)
    assert [e.after for e in Staged.open(path, tenant_frame)] == ["kept"]


def test_a_non_unique_index_is_refused_naming_the_repeated_labels(tenant_frame: pd.DataFrame) -> None:
    # Two loads put together: each numbered from 0, so label 0 would name two certifications.
    frame = pd.concat([tenant_frame.iloc[:8], tenant_frame.iloc[8:14].reset_index(drop=True)])
    with pytest.raises(FrameRefused) as refused:
        stage(frame)
    message = str(refused.value)
    assert "holds 6 labels more than once (0, 1, 2, 3, 4, …)" in message
    assert "df = df.reset_index(drop=True)" in message and "load the certifications afresh" in message
    staged = stage(frame.reset_index(drop=True)).set(8, description="one row")
    assert [e.cert_id for e in staged] == [tenant_frame.at[8, "id"]]


def test_key_columns_moved_into_the_index_are_named(tenant_frame: pd.DataFrame) -> None:
    with pytest.raises(FrameRefused, match=r"missing columns: userId, id; userId, id went into the index: "
                       r"df\.reset_index\(\) brings them back"):
        stage(tenant_frame.set_index(["userId", "id"]))
    with pytest.raises(FrameRefused, match="got list"):
        stage([1, 2])  # type: ignore[arg-type]
