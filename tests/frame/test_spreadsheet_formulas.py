"""Excel files and formulas: every text is written as a text cell (never a live formula), characters XML
cannot carry survive, and a formula found in an edited workbook is refused, not read as a value it may not
have."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import pytest
from openpyxl import load_workbook

from certnb.errors import CertnbError, ValidationError
from certnb.frame.build import build_frame
from certnb.frame.changes import read_edits
from certnb.frame.spreadsheet import Formula, read_sheet, to_excel

FORMULA_LIKE = (
    "=SUM(A1)",
    '=HYPERLINK("https://evil.example","x")',
    "+44 20 7946 0000",
    "-1",
    "@team",
    "#N/A",
)


def frame_of(values: dict[str, str | None]) -> pd.DataFrame:
    return build_frame(
        [
            {
                "id": "u1",
                "userPrincipalName": "ada@contoso.example",
                "certifications": [
                    {"id": "c1", "displayName": "CKA", "issuingCompany": "CNCF", "endDate": "2027-01-31"},
                    {"id": "c2", **values},
                ],
            }
        ]
    )


def header_of(path: Path) -> list[str]:
    book = load_workbook(path, read_only=True)
    try:
        return [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
    finally:
        book.close()


def set_cell(path: Path, row: int, column: str, value: object) -> str:
    """Type `value` into the cell of `column` in sheet row `row`, as a user in Excel would; its reference."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    cell = sheet.cell(row, header_of(path).index(column) + 1)
    cell.value = value
    book.save(path)
    return str(cell.coordinate)


def save_results(path: Path, results: dict[str, str]) -> None:
    """Store a result with each formula cell named, as Excel does on saving (openpyxl never calculates)."""
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, result in results.items():
        xml, found = re.subn(
            rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v ?/>',
            rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{escape(result)}</v>',
            xml,
        )
        assert found == 1, ref
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)


def test_formula_like_text_is_written_as_text_cells_and_reads_back_unchanged(tmp_path: Path) -> None:
    frame = build_frame(
        [
            {
                "id": "u1",
                "certifications": [
                    {"id": f"c{i}", "displayName": v, "issuingCompany": v} for i, v in enumerate(FORMULA_LIKE)
                ],
            }
        ]
    )
    path = to_excel(frame, tmp_path / "certs.xlsx")
    sheet = load_workbook(path).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # nothing Excel would run on opening
    texts = [c for c in cells if isinstance(c.value, str)]
    assert all(c.data_type == "s" and c.quotePrefix for c in texts)  # text, as if typed with a leading '
    column = header_of(path).index("displayName")
    assert [row[column].value for row in sheet.iter_rows(min_row=2)] == list(FORMULA_LIKE)
    edits = read_edits(frame, path)
    assert edits.changes.empty, edits.changes  # was: displayName and issuingCompany "cleared"
    assert edits.ok, edits.problems


def test_characters_xml_cannot_carry_survive_the_workbook(tmp_path: Path) -> None:
    texts = {
        "displayName": "line one\rline two",  # a lone CR (XML would turn it into a line feed)
        "issuingCompany": "ESC\x1b[0m and NUL\x00",  # control characters XML 1.0 forbids
        "description": "_x0041_ is not an A",  # Excel's own escape form, as text
        "certificationId": "\r\n\t",
    }
    frame = frame_of(texts)
    path = to_excel(frame, tmp_path / "certs.xlsx")
    table = read_sheet(path).table
    assert table.loc[table["id"] == "c2", list(texts)].iloc[0].to_dict() == texts
    edits = read_edits(frame, path)
    assert edits.changes.empty, edits.changes
    assert edits.ok, edits.problems


def test_a_formula_without_a_saved_result_is_refused_not_read_as_cleared(tmp_path: Path) -> None:
    frame = frame_of({"displayName": "Azure Administrator", "issuingCompany": "Microsoft"})
    path = to_excel(frame, tmp_path / "certs.xlsx")
    ref = set_cell(path, 3, "displayName", '=UPPER("azure")')  # sheet row 3: the second certification
    with pytest.raises(ValidationError) as refused:
        read_edits(frame, path)
    message = str(refused.value)
    assert isinstance(refused.value, CertnbError)
    assert message.startswith("spreadsheet row 3 · ada@contoso.example · Azure Administrator: Title is the "
                              "formula '=UPPER(\"azure\")'")
    assert (refused.value.row, refused.value.field, refused.value.label) == (3, "displayName", "Title")
    assert "no result saved" in message and f"cell {ref}" in message and "certs.xlsx" in message
    assert "type the value itself" in message


def test_a_sheet_keeps_formula_cells_as_formulas(tmp_path: Path) -> None:
    frame = frame_of({"displayName": "Azure Administrator"})
    path = to_excel(frame, tmp_path / "certs.xlsx")
    ref = set_cell(path, 3, "displayName", "=B2")
    save_results(path, {ref: "Azure Administrator"})
    sheet = read_sheet(path)
    assert sheet.rows == (2, 3)
    assert sheet.table.loc[1, "displayName"] == Formula("=B2", "Azure Administrator", ref)


def test_a_typed_formula_whose_result_is_the_exported_value_is_no_change(tmp_path: Path) -> None:
    frame = frame_of({"displayName": "Azure Administrator", "issuingCompany": "Microsoft"})
    path = to_excel(frame, tmp_path / "certs.xlsx")
    ref = set_cell(path, 3, "issuingCompany", '="Micro"&"soft"')
    save_results(path, {ref: "Microsoft"})
    edits = read_edits(frame, path)
    assert edits.changes.empty and edits.ok


def test_a_typed_formula_with_another_result_is_refused_naming_every_formula_cell(tmp_path: Path) -> None:
    frame = frame_of({"displayName": "Azure Administrator", "issuingCompany": "Microsoft"})
    path = to_excel(frame, tmp_path / "certs.xlsx")
    first = set_cell(path, 3, "displayName", '=PROPER("azure admin")')
    second = set_cell(path, 3, "issuingCompany", '=HYPERLINK("https://evil.example","Microsoft Corp.")')
    save_results(path, {first: "Azure Admin", second: "Microsoft Corp."})
    with pytest.raises(ValidationError) as refused:
        read_edits(frame, path)
    message = str(refused.value)
    assert message.startswith("spreadsheet row 3 · ada@contoso.example · Azure Administrator: Title is the "
                              "formula '=PROPER(\"azure admin\")'")
    assert "'Azure Admin'" in message and "'Azure Administrator'" in message  # the result and the export
    assert f"1 more formula cell: {second}" in message


def test_a_formula_in_a_key_column_is_refused_when_it_matches_no_row(tmp_path: Path) -> None:
    frame = frame_of({"displayName": "Azure Administrator"})
    path = to_excel(frame, tmp_path / "certs.xlsx")
    ref = set_cell(path, 3, "id", '="c"&"9"')
    save_results(path, {ref: "c9"})
    said = r"^spreadsheet row 3: Certification id \(Graph\) is the formula '=\"c\"&\"9\"'"
    with pytest.raises(ValidationError, match=said):
        read_edits(frame, path)


def test_formulas_in_columns_certnb_does_not_read_are_left_alone(tmp_path: Path) -> None:
    frame = frame_of({"displayName": "Azure Administrator"})
    path = to_excel(frame, tmp_path / "certs.xlsx")
    book = load_workbook(path)
    sheet = book.worksheets[0]
    notes = sheet.max_column + 1
    sheet.cell(1, notes).value = "notes"
    sheet.cell(3, notes).value = "=LEN(B3)"  # the user's own helper column
    book.save(path)
    problems = read_edits(frame, path).problems
    assert problems["problem"].tolist() == [
        "unknown column 'notes' ignored; columns are Graph's property names as exported"
    ]


def test_blank_rows_keep_the_row_numbers_the_user_sees(tmp_path: Path) -> None:
    frame = frame_of({"displayName": "Azure Administrator"})
    path = to_excel(frame, tmp_path / "certs.xlsx")
    book = load_workbook(path)
    sheet = book.worksheets[0]
    sheet.insert_rows(3)  # a blank row 3; the second certification moves to row 4
    column = header_of(path).index("displayName") + 1
    sheet.cell(4, column).value = "Azure Administrator Associate"
    book.save(path)
    changes = read_edits(frame, path).changes
    assert changes[["row", "field"]].values.tolist() == [[4, "displayName"]]
