"""Editing in the grid: each cell checked by Staged's rules, refusals by label, staged into the journal at
once; paste, bulk shift of a selection, unstage a cell or a row, undo/redo."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from widget_tenant import ASOF, label_of

from certnb.staging import Staged, stage
from certnb.widgets import ShiftDates
from certnb.widgets.datagrid import Grid, grid


def ends(staged: Staged) -> dict[str, object]:
    return {e.cert_id: e.after for e in staged if e.field == "endDate"}


@pytest.fixture
def g(frame: pd.DataFrame, staged: Staged) -> Grid:
    return grid(frame, staged, asof=ASOF)


def test_an_impossible_date_is_refused_by_label_and_never_staged(g: Grid, frame: pd.DataFrame) -> None:
    result = g.edit(label_of(frame, "b1"), "endDate", "2027-02-30")
    assert not result.ok
    assert result.message == "Expires must be a date YYYY-MM-DD; got '2027-02-30' (no such day)"
    assert len(g.staged) == 0 and g.staged_count == 0
    refused = g.edit(label_of(frame, "b1"), "endDate", "30/06/2029")
    assert refused.message.startswith("Expires must be a date")


def test_a_date_before_valid_from_is_refused_naming_both_labels(g: Grid, frame: pd.DataFrame) -> None:
    result = g.edit(label_of(frame, "b1"), "endDate", "2023-12-31")  # starts 2024-01-01
    assert result.message == ("Expires 2023-12-31 is before Valid from 2024-01-01"
                              " (Expires must not be before Valid from)")
    assert len(g.staged) == 0


def test_other_editors_audiences_issuer_text_and_read_only_columns(g: Grid, frame: pd.DataFrame) -> None:
    b1 = label_of(frame, "b1")
    assert g.edit(b1, "allowedAudiences", ["organization", "contacts"]).ok
    assert g.edit(b1, "issuingAuthority", "Microsoft").ok
    assert not g.edit(b1, "allowedAudiences", "friends").ok
    assert g.edit(b1, "userPrincipalName", "x@y").message == "Sign-in name is not editable in the grid"
    assert sorted((e.field, e.after) for e in g.staged) == [
        ("allowedAudiences", "contacts,organization"), ("issuingAuthority", "Microsoft")]
    assert g.rows_shown()[2]["allowedAudiences"] == "contacts,organization"


def test_a_valid_edit_is_in_the_journal_at_once(frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "grid.journal"
    staged = stage(frame, journal=path)
    g = grid(frame, staged, asof=ASOF)
    assert g.edit(label_of(frame, "c1"), "endDate", "2027-01-31").ok
    reopened = Staged.open(path)  # what a kernel restart would find, without closing the first
    try:
        assert [(e.cert_id, e.field, e.before, e.after) for e in reopened] == [
            ("c1", "endDate", "2026-01-31", "2027-01-31")]
    finally:
        reopened.close()
        staged.close()


def expiry_rules(g: Grid, position: int) -> list[str]:
    # c1 is titled "AZ-104" (an exam code) and valid 2 years (AZ-104 lasts one): the catalogue's findings.
    catalogue = ("exam-code-title", "unusual-validity")
    return [f.rule for f in g.table.findings(position) if f.rule not in catalogue]


def test_a_fixed_expiry_clears_expired_and_shows_before_and_after(g: Grid, frame: pd.DataFrame) -> None:
    c1 = frame.index.get_loc(label_of(frame, "c1"))
    assert expiry_rules(g, c1) == ["expired"]
    g.edit(None, "endDate", "2027-01-31", position=c1)
    assert expiry_rules(g, c1) == ["expiring-90"]  # 62 days after ASOF
    g.edit(None, "endDate", "2028-01-31", position=c1)
    assert expiry_rules(g, c1) == []
    row = g.rows_shown()[c1]
    assert row["endDate"] == "2028-01-31" and row["staged"] == '{"endDate": ["2026-01-31", "2028-01-31"]}'


def test_paste_a_column_checks_each_cell(g: Grid, frame: pd.DataFrame) -> None:
    result = g.paste(0, "endDate", "2027-12-15\r\n2030-13-01\r\n2029-06-30\r\n")  # a1, a2, b1
    assert result.staged == [(0, "endDate"), (2, "endDate")]
    assert result.refused == {
        (1, "endDate"): "Expires must be a date YYYY-MM-DD; got '2030-13-01' (no such day)"}
    assert ends(g.staged) == {"a1": "2027-12-15", "b1": "2029-06-30"}
    assert g.undo() and len(g.staged) == 0  # the paste is one step


def test_paste_across_columns_drops_a_cell_refused_by_date_order(g: Grid) -> None:
    result = g.paste(0, "startDate", "2025-01-01\t2024-06-30\n")  # a1: valid from 2025, expires 2024?
    assert result.refused == {
        (0, "endDate"): "Expires 2024-06-30 is before Valid from 2025-01-01"
                        " (Expires must not be before Valid from)"}
    assert [(e.field, e.after) for e in g.staged] == [("startDate", "2025-01-01")]


def test_paste_past_the_last_row_or_onto_read_only_columns_is_dropped(g: Grid) -> None:
    g.show(filters=(("issuingAuthority", "CNCF"),))  # one row: c2
    result = g.paste(0, "endDate", "2028-01-31\taudience?\n2028-02-29\n")
    assert result.staged == [(5, "endDate")] and ends(g.staged) == {"c2": "2028-01-31"}


def test_bulk_shift_of_a_selection_is_previewed_then_one_step(g: Grid, frame: pd.DataFrame) -> None:
    g.select(4)
    g.select(5, "range")  # shift-click: c1..c2
    assert g.value == (label_of(frame, "c1"), label_of(frame, "c2"))
    shown = g.preview(ShiftDates(1, "years"))
    assert shown.table[["id", "before", "after"]].values.tolist() == [
        ["c1", "2026-01-31", "2027-01-31"], ["c2", "2027-03-31", "2028-03-31"]]
    assert len(g.staged) == 0  # a preview stages nothing
    assert g.stage_preview(shown) == 2
    assert ends(g.staged) == {"c1": "2027-01-31", "c2": "2028-03-31"}
    assert g.undo() and len(g.staged) == 0 and g.redo() and len(g.staged) == 2


def test_unstage_a_cell_and_a_row_and_undo_them(g: Grid, frame: pd.DataFrame) -> None:
    b1 = label_of(frame, "b1")
    g.edit(b1, "endDate", "2029-06-30")
    g.edit(b1, "certificationId", "REF-B1-NEW")
    g.edit(label_of(frame, "a1"), "endDate", "2027-12-15")
    g.unstage_cell(b1, "endDate")
    assert sorted((e.cert_id, e.field) for e in g.staged) == [("a1", "endDate"), ("b1", "certificationId")]
    g.unstage_row(b1)
    assert [(e.cert_id, e.field) for e in g.staged] == [("a1", "endDate")]
    assert g.rows_shown()[2]["certificationId"] == "REF-b1"  # the loaded value is back
    assert g.undo()  # the row comes back
    assert sorted((e.cert_id, e.field) for e in g.staged) == [("a1", "endDate"), ("b1", "certificationId")]
    assert g.undo()  # and the cell
    assert ends(g.staged) == {"a1": "2027-12-15", "b1": "2029-06-30"}
    assert g.redo() and g.redo() and not g.redo()
    assert [(e.cert_id, e.field) for e in g.staged] == [("a1", "endDate")]


def test_undo_puts_back_the_value_staged_before(g: Grid, frame: pd.DataFrame) -> None:
    b1 = label_of(frame, "b1")
    g.edit(b1, "endDate", "2029-06-30")
    g.edit(b1, "endDate", "2030-06-30")
    assert g.undo() and ends(g.staged) == {"b1": "2029-06-30"}
    assert g.undo() and ends(g.staged) == {} and not g.undo()
    g.redo()
    g.edit(b1, "endDate", "2031-06-30")  # a new step drops what could be redone
    assert not g.redo()


def test_the_grid_follows_staging_from_code(g: Grid, frame: pd.DataFrame, staged: Staged) -> None:
    staged.set(label_of(frame, "b1"), endDate="2029-06-30")  # a cell below the grid
    assert g.staged_count == 1 and g.rows_shown()[2]["endDate"] == "2029-06-30"
    staged.unstage()
    assert g.staged_count == 0 and g.rows_shown()[2]["endDate"] == "2027-06-30"


def test_a_refused_value_is_shown_as_typed_even_if_it_is_a_field_name(g: Grid, frame: pd.DataFrame) -> None:
    result = g.edit(label_of(frame, "b1"), "endDate", "startDate")
    assert result.message == "Expires must be a date YYYY-MM-DD; got 'startDate'"
    assert len(g.staged) == 0
