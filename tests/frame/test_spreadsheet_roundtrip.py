"""Property: any text survives an untouched export and `read_edits` as no change, in CSV and in Excel, and no
exported cell is one a spreadsheet program would run as a formula."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from certnb.frame.build import build_frame
from certnb.frame.changes import read_edits
from certnb.frame.spreadsheet import FORMULA_TRIGGERS, to_csv, to_excel

# Free-text columns, writable and read-only (a read-only one that came back different would be a problem).
COLUMNS = ("displayName", "issuingCompany", "certificationId", "description", "createdBy.user.displayName")

STARTS = [*FORMULA_TRIGGERS, "'", "''", " ", "_x000D_"]
EXAMPLES = ["-1", "+44 20 7946 0000", "@team", "=SUM(A1)", "'quoted", "\tTab", "#N/A", "1e5", "007", " "]
texts = st.one_of(
    st.text(),
    st.builds(lambda start, rest: start + rest, st.sampled_from(STARTS), st.text()),
    st.sampled_from(EXAMPLES),
)
rows = st.lists(st.fixed_dictionaries({column: texts for column in COLUMNS}), min_size=1, max_size=4)


def frame_of(values: list[dict[str, str]]) -> pd.DataFrame:
    certifications = []
    for i, row in enumerate(values):
        certification = {k: v for k, v in row.items() if "." not in k}
        certification["createdBy"] = {"user": {"displayName": row["createdBy.user.displayName"]}}
        certifications.append({"id": f"c{i}", **certification})
    return build_frame([{"id": "u1", "displayName": "Ada", "certifications": certifications}])


def no_change(frame: pd.DataFrame, path: Path) -> None:
    edits = read_edits(frame, path)
    assert edits.changes.empty, edits.changes.to_dict("records")
    assert edits.ok, edits.problems.to_dict("records")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_any_text_survives_a_csv_round_trip_and_no_cell_is_a_formula(values: list[dict[str, str]]) -> None:
    frame = frame_of(values)
    with tempfile.TemporaryDirectory() as folder:
        path = to_csv(frame, Path(folder) / "certs.csv")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)]
        no_change(frame, path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_any_text_survives_an_excel_round_trip_and_no_cell_is_a_formula(values: list[dict[str, str]]) -> None:
    frame = frame_of(values)
    with tempfile.TemporaryDirectory() as folder:
        path = to_excel(frame, Path(folder) / "certs.xlsx")
        book = load_workbook(path)
        kinds = {cell.data_type for row in book.worksheets[0].iter_rows() for cell in row}
        book.close()
        assert "f" not in kinds and kinds <= {"s", "d", "n"}
        no_change(frame, path)
