"""The spreadsheet round trip adds and deletes: a row without an id becomes a staged create, a row marked in a
"delete" column a staged delete, a row removed from the file a delete only with removed="delete"; bad rows
are refused naming the file row, the person, the field by its label and the value, and nothing is staged."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook

import certnb
from certnb.errors import EditsRefused
from certnb.frame.changes import read_edits
from certnb.frame.spreadsheet import to_csv, to_excel

ZOE = "zoe.angstrom@contoso.example"
NEW = {"displayName": "Microsoft Certified: Azure Network Engineer Associate",
       "issuingAuthority": "Microsoft", "startDate": "2026-11-01", "endDate": "2027-11-01"}


def exported(frame: pd.DataFrame, path: Path) -> tuple[list[str], list[dict[str, str]]]:
    to_csv(frame, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def saved(path: Path, header: list[str], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def new_row(header: list[str], **cells: str) -> dict[str, str]:
    return {c: "" for c in header} | cells


def test_a_row_without_an_id_is_a_create_and_a_marked_row_a_delete(tenant_frame: pd.DataFrame,
                                                                  tmp_path: Path) -> None:
    header, rows = exported(tenant_frame, tmp_path / "certs.csv")
    header.append("Delete")
    doomed = next(r for r in rows if r["userPrincipalName"] == "lukasz.zolc@contoso.example")
    doomed["Delete"] = "yes"
    doomed["description"] = "edited, but the row goes"  # a deleted row's cells are not read
    rows.append(new_row(header, userPrincipalName=ZOE, **NEW, createdDateTime="2020-01-01T00:00:00Z"))
    edits = read_edits(tenant_frame, saved(tmp_path / "edited.csv", header, rows))
    assert edits.ok, edits.problems.to_dict("records")
    assert edits.changes.empty
    assert edits.deletes[["row", "id"]].values.tolist() == [[rows.index(doomed) + 2, doomed["id"]]]
    [create] = edits.creates.to_dict("records")
    assert create["row"] == len(rows) + 1 and create["userPrincipalName"] == ZOE
    assert create["displayName"] == NEW["displayName"] and create["endDate"] == pd.Timestamp("2027-11-01")

    staged = certnb.stage(tenant_frame).from_changes(edits)
    [(user, new_id)] = staged.creates
    assert new_id.startswith("new-") and staged.creates[user, new_id]["endDate"] == "2027-11-01"
    assert list(staged.deletes) == [(doomed["userId"], doomed["id"])]
    assert staged.from_changes(read_edits(tenant_frame, tmp_path / "edited.csv")).creates.keys() == {
        (user, new_id)}  # reading the same file again stages nothing more


def test_a_removed_row_is_listed_and_deleted_only_when_asked(tenant_frame: pd.DataFrame,
                                                             tmp_path: Path) -> None:
    header, rows = exported(tenant_frame, tmp_path / "certs.csv")
    gone = rows.pop(3)
    path = saved(tmp_path / "edited.csv", header, rows)
    kept = read_edits(tenant_frame, path)
    assert kept.removed == ((gone["userId"], gone["id"]),) and kept.deletes.empty
    assert "1 loaded row not in the file (kept; removed='delete' deletes them)" in repr(kept)
    assert not certnb.stage(tenant_frame).from_changes(kept).deletes
    asked = read_edits(tenant_frame, path, removed="delete")
    assert asked.deletes[["userId", "id"]].values.tolist() == [[gone["userId"], gone["id"]]]
    assert list(certnb.stage(tenant_frame).from_changes(asked).deletes) == [(gone["userId"], gone["id"])]
    with pytest.raises(ValueError, match="removed= is 'keep' or 'delete'"):
        read_edits(tenant_frame, path, removed="yes")  # type: ignore[arg-type]


def test_bad_new_rows_and_marks_are_problems_naming_row_person_and_field(tenant_frame: pd.DataFrame,
                                                                         tmp_path: Path) -> None:
    header, rows = exported(tenant_frame, tmp_path / "certs.csv")
    header.append("delete")
    rows[0]["delete"] = "maybe"
    rows.append(new_row(header, userPrincipalName=ZOE, displayName="CKA", endDate="31/02/2027"))
    rows.append(new_row(header, displayName="Nobody's"))
    rows.append(new_row(header, userPrincipalName=ZOE, **NEW))
    rows.append(new_row(header, userPrincipalName=ZOE, **NEW))
    rows.append(new_row(header))  # a blank line is nothing
    edits = read_edits(tenant_frame, saved(tmp_path / "edited.csv", header, rows))
    problems = {(p["row"], p["label"]): p for p in edits.problems.to_dict("records")}
    assert "the delete column holds 'maybe'" in problems[2, None]["problem"]
    date = problems[len(rows) - 3, "Expires"]
    assert date["person"] == ZOE and date["certification"] == "CKA" and date["value"] == "31/02/2027"
    nobody = next(p for p in problems.values() if p["row"] == len(rows) - 2)
    assert "a new row needs its person's userPrincipalName" in nobody["problem"]
    again = next(p for p in problems.values() if p["row"] == len(rows))
    assert f"appears again (first at row {len(rows) - 1})" in again["problem"]
    assert len(edits.problems) == 4 and len(edits.creates) == 1 and edits.deletes.empty


def test_a_refused_create_refuses_the_whole_file_and_stages_nothing(tenant_frame: pd.DataFrame,
                                                                  tmp_path: Path) -> None:
    header, rows = exported(tenant_frame, tmp_path / "certs.csv")
    rows[0]["description"] = "a real edit"
    rows.append(new_row(header, userPrincipalName=ZOE, issuingAuthority="Microsoft"))  # no title
    staged = certnb.stage(tenant_frame)
    with pytest.raises(EditsRefused) as refused:
        staged.from_changes(read_edits(tenant_frame, saved(tmp_path / "edited.csv", header, rows)))
    [problem] = refused.value.problems
    assert f"spreadsheet row {len(rows) + 1}" in str(problem) and "title" in str(problem)
    assert not staged.edits and not staged.creates


def test_excel_rows_without_ids_are_creates_too(tenant_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = to_excel(tenant_frame, tmp_path / "certs.xlsx")
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    line = [None] * len(header)
    line[header.index("userPrincipalName")] = ZOE
    for name, value in NEW.items():
        line[header.index(name)] = value
    sheet.append(line)
    book.save(path)
    edits = read_edits(tenant_frame, path)
    assert edits.ok and len(edits.creates) == 1
    staged = certnb.stage(tenant_frame).from_changes(edits)
    [fields] = staged.creates.values()
    assert fields["displayName"] == NEW["displayName"] and fields["startDate"] == "2026-11-01"
