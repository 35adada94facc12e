"""CSV and Excel round trips: an untouched export reads back as no change; edits become changes; what
cannot be taken (unknown rows, read-only columns, unreadable or ambiguous dates) is reported, not guessed."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import certnb
from certnb.audience import Audience
from certnb.errors import ValidationError
from certnb.frame.changes import read_edits
from certnb.frame.spreadsheet import SHEET_COLUMNS, read_sheet, to_csv, to_excel
from certnb.schema import LABELS

ZOE = "zoe.angstrom@contoso.example"


def rows_of(path: Path, sep: str = ",") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=sep))


def write_rows(path: Path, rows: list[list[str]], sep: str = ",", bom: bool = True) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=sep).writerows(rows)


def position(frame: pd.DataFrame, upn: str, column: str = "endDate") -> int:
    """The index of the first row of `upn` that has a value in `column`."""
    rows = frame[(frame["userPrincipalName"] == upn) & frame[column].notna()]
    return int(rows.index[0])


def test_csv_export_is_bom_utf8_with_iso_dates_and_stable_columns(
    sample_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = to_csv(sample_frame, tmp_path / "certs.csv")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    header, first, *_ = rows_of(path)
    assert header == list(SHEET_COLUMNS)
    assert first[header.index("id")] == sample_frame.loc[0, "id"]
    assert first[header.index("endDate")] == "2028-08-01"
    assert first[header.index("createdDateTime")] == "2025-08-20T18:49:01.3938760Z"
    assert "Zertifizierter Datenschutzbeauftragter (TÜV)" in path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("writer", [to_csv, to_excel], ids=["csv", "xlsx"])
def test_untouched_export_reads_back_as_no_change(sample_frame: pd.DataFrame, tmp_path: Path, writer) -> None:
    path = writer(sample_frame, tmp_path / ("certs.csv" if writer is to_csv else "certs.xlsx"))
    edits = read_edits(sample_frame, path)
    assert edits.changes.empty, edits.changes
    assert edits.problems.empty, edits.problems
    assert edits.ok


def test_csv_edits_become_changes_with_before_and_after(sample_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = to_csv(sample_frame, tmp_path / "certs.csv")
    rows = rows_of(path)
    header = rows[0]
    i = position(sample_frame, ZOE)
    row = rows[i + 1]
    row[header.index("endDate")] = "2027-06-30"
    row[header.index("issuingCompany")] = "Microsoft Corp."
    row[header.index("allowedAudiences")] = "organization,me"
    row[header.index("description")] = ""
    write_rows(path, rows)
    changes = read_edits(sample_frame, path).changes.set_index("field")
    assert set(changes.index) >= {"endDate", "issuingCompany", "allowedAudiences"}
    assert changes.loc["endDate", "before"] == pd.Timestamp("2026-06-30")
    assert changes.loc["endDate", "after"] == pd.Timestamp("2027-06-30")
    assert changes.loc["allowedAudiences", "after"] == Audience.me | Audience.organization
    assert changes.loc["issuingCompany", "after"] == "Microsoft Corp."
    assert (changes["id"] == sample_frame.loc[i, "id"]).all()
    assert (changes["userId"] == sample_frame.loc[i, "userId"]).all()
    assert (changes["row"] == i + 2).all()  # the header is row 1
    if pd.notna(sample_frame.loc[i, "description"]):
        assert changes.loc["description", "after"] is None


def test_unknown_rows_read_only_columns_and_bad_cells_are_reported(
    sample_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = to_csv(sample_frame, tmp_path / "certs.csv")
    rows = rows_of(path)
    header = rows[0]
    rows[1][header.index("createdDateTime")] = "2020-01-01T00:00:00.0000000Z"
    rows[2][header.index("endDate")] = "next year"
    rows[3][header.index("allowedAudiences")] = "organization,friends"
    rows[4][header.index("id")] = "no-such-id"
    rows.append(list(rows[5]))  # the same row twice
    write_rows(path, [[*header, "notes"], *[[*r, ""] for r in rows[1:]]])
    edits = read_edits(sample_frame, path)
    assert edits.changes.empty
    problems = edits.problems
    by_row = {(r.row, r.field): r.problem for r in problems.itertuples()}
    assert "read-only" in by_row[2, "createdDateTime"]
    assert "not a date" in by_row[3, "endDate"]
    assert "friends" in by_row[4, "allowedAudiences"]
    assert "no such user and certification" in by_row[5, "id"]
    assert "appears again" in by_row[len(rows), "id"]
    assert "unknown column 'notes'" in by_row[None, "notes"]
    # Each problem of a loaded row also says whose certification it is and the field's label.
    said = {(r.row, r.field): (r.person, r.certification, r.label) for r in problems.itertuples()}
    for row, field in ((2, "createdDateTime"), (3, "endDate"), (4, "allowedAudiences")):
        loaded = sample_frame.iloc[row - 2]
        person = f"{loaded['userDisplayName']} ({loaded['userPrincipalName']})"
        assert said[row, field] == (person, loaded["displayName"], LABELS[field])
    assert said[5, "id"][:2] == (None, None)  # no loaded row has these ids
    assert "Created is read-only (set by Graph: createdDateTime)" in by_row[2, "createdDateTime"]


def test_a_text_too_long_for_excel_is_refused_naming_the_row_person_and_label(
    sample_frame: pd.DataFrame, tmp_path: Path
) -> None:
    frame = sample_frame.copy()
    frame.loc[frame.index[1], "description"] = "x" * 40_000
    with pytest.raises(ValidationError) as refused:
        to_excel(frame, tmp_path / "certs.xlsx")
    loaded = frame.iloc[1]
    person = f"{loaded['userDisplayName']} ({loaded['userPrincipalName']})"
    assert str(refused.value).startswith(
        f"spreadsheet row 3 · {person} · {loaded['displayName']}: Description is 40,000 characters long; an "
        "Excel cell holds at most 32,767: export with to_csv instead")
    assert (refused.value.row, refused.value.field, refused.value.label) == (3, "description", "Description")
    assert len(str(refused.value)) < 1000


def test_excel_mangled_csv_semicolons_no_bom_locale_and_serial_dates(
    sample_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = to_csv(sample_frame, tmp_path / "certs.csv")
    rows = rows_of(path)
    header = rows[0]
    end, start, issued = (header.index(c) for c in ("endDate", "startDate", "issuedDate"))
    for row in rows[1:]:  # what Excel in a dd/mm/yyyy locale writes back
        for column in (end, start, issued):
            if row[column]:
                day = dt.date.fromisoformat(row[column])
                row[column] = day.strftime("%d/%m/%Y")
    i = position(sample_frame, ZOE)
    rows[i + 1][end] = "46568"  # a serial number: 2027-06-30
    j = position(sample_frame, "lukasz.zolc@contoso.example")
    rows[j + 1][end] = "25/12/2027"  # unambiguous: only 25 December
    write_rows(path, rows, sep=";", bom=False)
    edits = read_edits(sample_frame, path)
    ambiguous = edits.problems[edits.problems["problem"].str.contains("ambiguous")]
    assert not ambiguous.empty  # e.g. 01/08/2025: 1 August or January 8? Not guessed.
    # Dates only one reading allows are taken; the two real edits come through, nothing else changes.
    assert set(edits.changes["id"]) == {sample_frame.loc[i, "id"], sample_frame.loc[j, "id"]}

    declared = read_edits(sample_frame, path, date_format="%d/%m/%Y")
    assert declared.ok, declared.problems
    changes = declared.changes.set_index("id")["after"]
    assert changes.to_dict() == {
        sample_frame.loc[i, "id"]: pd.Timestamp("2027-06-30"),
        sample_frame.loc[j, "id"]: pd.Timestamp("2027-12-25"),
    }
    assert read_sheet(path).sep == ";"


def test_excel_round_trip_with_edits_and_serial_numbers(sample_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = to_excel(sample_frame, tmp_path / "certs.xlsx")
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header == list(SHEET_COLUMNS)
    assert isinstance(sheet.cell(2, header.index("endDate") + 1).value, dt.datetime)  # a real date cell
    i = position(sample_frame, ZOE)
    sheet.cell(i + 2, header.index("endDate") + 1).value = 46568  # typed as a number: 2027-06-30
    sheet.cell(i + 2, header.index("displayName") + 1).value = "Azure Administrator (AZ-104)"
    sheet.cell(i + 3, header.index("startDate") + 1).value = "03/04/2025"  # ambiguous text
    sheet.cell(i + 4, header.index("userPrincipalName") + 1).value = "someone@else.example"
    book.save(path)
    edits = read_edits(sample_frame, path)
    changes = edits.changes.set_index("field")["after"].to_dict()
    assert changes == {"endDate": pd.Timestamp("2027-06-30"), "displayName": "Azure Administrator (AZ-104)"}
    problems = edits.problems.set_index("field")["problem"].to_dict()
    assert "ambiguous" in problems["startDate"]
    assert "read-only" in problems["userPrincipalName"]


def test_a_file_without_ids_cannot_be_matched(sample_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "bare.csv"
    write_rows(path, [["displayName", "endDate"], ["CKA", "2027-01-01"]])
    edits = read_edits(sample_frame, path)
    assert edits.changes.empty and "no userId and no id column" in edits.problems["problem"].iloc[0]


def test_report_tables_are_written_with_no_live_formula(tmp_path: Path) -> None:
    # A manager's report of findings: a title someone typed as a formula must not run when the file opens.
    findings = pd.DataFrame({
        "displayName": ["=HYPERLINK(\"http://x.example\",\"open\")", "+44 20 7946 0000", "CKA"],
        "endDate": pd.to_datetime(["2026-12-31", None, "2027-01-15"]),
        "days left": [31, None, 46],
        "ok": [True, False, True],
    })
    book = certnb.write_tables({"expiring in 90 days": findings, "by issuer": findings.head(1)},
                               tmp_path / "report.xlsx")
    workbook = load_workbook(book)
    assert workbook.sheetnames == ["expiring in 90 days", "by issuer"]
    sheet = workbook["expiring in 90 days"]
    titles = [(c.value, c.data_type) for c in sheet["A"][1:]]
    assert titles == [(findings.at[0, "displayName"], "s"), ("+44 20 7946 0000", "s"), ("CKA", "s")]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd" and sheet["B3"].value is None
    assert (sheet["C2"].value, sheet["D3"].value) == (31, False) and sheet.freeze_panes == "A2"

    csv_file = certnb.write_tables(findings[["displayName"]], tmp_path / "report.csv")
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("\"'=HYPERLINK(") and lines[2] == "'+44 20 7946 0000" and lines[3] == "CKA"
    with pytest.raises(ValueError, match="a CSV file holds one table; got 2"):
        certnb.write_tables({"a": findings, "b": findings}, tmp_path / "two.csv")
