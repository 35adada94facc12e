"""Reading a source: CSV (with or without BOM, `;`), Excel, DataFrames; column names; dates; refusals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from certnb.errors import ValidationError
from certnb.reconcile.source import read_source


def write(path: Path, text: str, *, bom: bool = True) -> Path:
    path.write_bytes(("\ufeff" if bom else "").encode() + text.replace("\n", "\r\n").encode("utf-8"))
    return path


def test_a_csv_with_a_bom_reads_its_header_and_typed_dates(tmp_path: Path) -> None:
    path = write(tmp_path / "hr.csv", "Employee Email,Title,Expires,Department\n"
                                     "ana.lopez@contoso.example , AZ-104 ,31/12/2027,IT\n")
    source = read_source(path, on="email", date_format="%d/%m/%Y")
    assert source.person_column == "Employee Email"  # found by its name, despite the BOM before it
    assert source.fields == {"displayName": "Title", "endDate": "Expires"}
    assert source.ignored == ("Department",)
    [row] = source.rows
    assert (row.row, row.person) == (2, "ana.lopez@contoso.example")
    assert row.values == {"displayName": "AZ-104", "endDate": pd.Timestamp("2027-12-31")}


def test_row_numbers_are_the_files_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "hr.csv", "Email;Title\na@x;CKA\n;\nb@x;PMP\n", bom=False)
    source = read_source(path)
    assert [(r.row, r.person) for r in source.rows] == [(2, "a@x"), (4, "b@x")]


def test_a_day_month_year_date_needs_the_declared_form_when_it_is_ambiguous(tmp_path: Path) -> None:
    path = write(tmp_path / "hr.csv", "Email,Title,Expires\na@x,CKA,25/12/2027\nb@x,PMP,03/04/2027\n")
    with pytest.raises(ValidationError) as refused:
        read_source(path)
    err = refused.value
    assert (err.row, err.where, err.label, err.value) == (3, "source row 3", "Expires", "03/04/2027")
    assert "source row 3 · b@x · PMP: Expires: ambiguous date '03/04/2027'" in str(err)
    dates = [r.values["endDate"] for r in read_source(path, date_format="%d/%m/%Y").rows]
    assert dates == [pd.Timestamp("2027-12-25"), pd.Timestamp("2027-04-03")]


def test_every_unreadable_cell_is_named_in_one_refusal(tmp_path: Path) -> None:
    path = write(tmp_path / "hr.csv", "Email,Title,Passed,Expires\na@x,CKA,31/02/2026,soon\n")
    with pytest.raises(ValidationError) as refused:
        read_source(path, columns={"Title": "Title", "Passed": "Valid from", "Expires": "Expires"},
                    date_format="%d/%m/%Y")
    text = str(refused.value)
    assert ("source row 2 · a@x · CKA: Valid from (column 'Passed'): date '31/02/2026' is not in the "
            "declared form '%d/%m/%Y'") in text
    assert "1 more cell: row 2 Expires" in text and "hr.csv" in text


def test_an_excel_export_reads_date_cells_and_numbers(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Work mail", "Certification", "Credential ID", "Expires"])
    sheet.append(["ana.lopez@contoso.example", "CKA", 12345, dt.datetime(2027, 6, 30)])
    book.save(tmp_path / "hr.xlsx")
    source = read_source(tmp_path / "hr.xlsx", on={"Work mail": "email"},
                         columns={"Certification": "displayName", "Credential ID": "certificationId",
                                  "Expires": "endDate"})
    assert source.rows[0].values == {"displayName": "CKA", "certificationId": "12345",
                                     "endDate": pd.Timestamp("2027-06-30")}


def test_a_csv_injection_quote_comes_off_as_read_sheet_does(tmp_path: Path) -> None:
    path = write(tmp_path / "hr.csv", "Email,Title\na@x,'=HYPERLINK(1)\n")
    assert read_source(path).rows[0].values == {"displayName": "=HYPERLINK(1)"}


def test_a_dataframe_is_numbered_by_its_index_and_its_missing_cells_are_empty() -> None:
    table = pd.DataFrame({"userPrincipalName": ["a@x", "b@x"], "displayName": ["CKA", None],
                          "endDate": [pd.Timestamp("2027-01-31"), pd.NaT]}, index=[10, 11])
    source = read_source(table, on="userPrincipalName")
    assert [(r.row, r.values) for r in source.rows] == [
        (10, {"displayName": "CKA", "endDate": pd.Timestamp("2027-01-31")}), (11, {})]


def test_columns_picks_fields_by_label_or_graph_name() -> None:
    table = pd.DataFrame({"Email": ["a@x"], "Title": ["CKA"], "Expires": ["2027-01-31"],
                          "certificationId": ["LF-1"]})
    assert read_source(table, columns=["Title", "endDate"]).fields == {"displayName": "Title",
                                                                      "endDate": "Expires"}
    with pytest.raises(ValueError, match="no source column holds that field"):
        read_source(table, columns=["Valid from"])


@pytest.mark.parametrize(("on", "columns", "message"), [
    ("email", {"Nope": "Title"}, "columns= maps 'Nope', which the source does not have"),
    ("email", {"Title": "Colour"}, "'Colour', which is not a writable field"),
    ("employeeId", None, "on='employeeId': the source has no column that could hold it"),
    ("phone", None, "on must be one of userPrincipalName, email, employeeId"),
    ({"Email": "mail"}, None, "the kind must be one of"),
    ("email", {"Expires": "Expires"}, "needs a title or a certification id column"),
])
def test_bad_arguments_say_what_to_pass(on: object, columns: object, message: str) -> None:
    table = pd.DataFrame({"Email": ["a@x"], "Title": ["CKA"], "Expires": ["2027-01-31"]})
    with pytest.raises(ValueError, match=message):
        read_source(table, on=on, columns=columns)  # type: ignore[arg-type]


def test_a_known_email_column_wins_and_two_others_must_be_named() -> None:
    known = pd.DataFrame({"Employee Email": ["a@x"], "Manager Email": ["m@x"], "Title": ["CKA"]})
    assert read_source(known).person_column == "Employee Email"
    table = pd.DataFrame({"Home Email": ["a@x"], "Private Email": ["m@x"], "Title": ["CKA"]})
    with pytest.raises(ValueError, match=r"2 columns \(Home Email, Private Email\)"):
        read_source(table)
    assert read_source(table, on={"home email": "email"}).person_column == "Home Email"
