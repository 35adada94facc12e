"""`certnb.widgets.editor`: the grid and the forms joined (select, edit, bulk edit, review, commit, undo)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from widget_tenant import ASOF, BOB, CAROL, held, label_of

import certnb.widgets
from certnb.emulator.server import Emulator
from certnb.session import Session
from certnb.staging import stage


def test_pick_edit_stage_commit_undo(emu: Emulator, graph: Session) -> None:
    df = graph.load(users="all")
    ed = certnb.widgets.editor(df, stage(df), graph, asof=ASOF)
    assert ed.tabs.titles == ("Edit one", "Bulk edit", "New certification", "Duplicates", "Review & commit")
    b1 = label_of(df, "b1")
    ed.grid.show(filters=(("userDisplayName", "bob"),))
    ed.grid.select(0)  # a click on Bob's first row
    assert ed.grid.value == (b1,)
    assert ed.form.label == b1 and ed.form.value["endDate"] == dt.date(2027, 6, 30)

    ed.form.controls["endDate"].value = dt.date(2029, 6, 30)
    ed.form.stage_button.click()
    assert ed.grid.rows_shown()[0]["endDate"] == "2029-06-30"  # the grid shows the staged value
    assert "2029-06-30" in ed.review.diff.value

    ed.review.commit_button.click()
    ed.review.confirm_button.click()
    assert held(emu, BOB, "b1")["endDate"] == "2029-06-30"
    assert ed.review.value is not None and ed.review.value.summary() == "1 applied"

    ed.review.undo_button.click()
    ed.review.confirm_button.click()
    assert held(emu, BOB, "b1")["endDate"] == "2027-06-30"
    assert ed.grid.note == ""
    for part in (ed.form, ed.bulk, ed.review):
        assert "Could not" not in part.messages.value


def test_bulk_edit_of_the_picked_selection_commits(emu: Emulator, graph: Session) -> None:
    df = graph.load(users="all")
    ed = certnb.widgets.editor(df, graph=graph, asof=ASOF)
    ed.grid.show(filters=(("issuingAuthority", "Microsoft"),))
    ed.grid.select(mode="all")  # "Select all shown"
    assert sorted(df.loc[list(ed.grid.value), "id"]) == ["a1", "c1"]
    assert ed.form.label == ed.grid.value[-1]  # the form shows the certification picked last
    ed.bulk.operation.value = "shift"
    ed.bulk.amount.value, ed.bulk.unit.value = 1, "years"
    ed.bulk.stage_button.click()
    assert sorted((e.cert_id, e.after) for e in ed.value) == [("a1", "2027-12-15"), ("c1", "2027-01-31")]
    assert "staged: 2027-01-31" in ed.form.notes["endDate"].value  # the form was told
    ed.review.commit_button.click()
    ed.review.confirm_button.click()
    assert held(emu, CAROL, "c1")["endDate"] == "2027-01-31"
    assert ed.review.value is not None and ed.review.value.counts == {"applied": 2}


def test_editor_without_a_session_stages_and_plans(frame: pd.DataFrame) -> None:
    ed = certnb.widgets.editor(frame, asof=ASOF)
    ed.grid.show(rule="bad-url")
    ed.grid.select(0)
    assert ed.grid.value == (label_of(frame, "b2"),)
    ed.form.controls["webUrl"].value = "https://pmi.example/badge/b2"
    ed.form.stage_button.click()
    ed.review.dry_run_button.click()
    assert "https://pmi.example/badge/b2" in ed.review.plan.value
    assert len(ed.value) == 1


def test_a_new_pick_drops_the_bulk_preview_its_question_and_its_staged_note(frame: pd.DataFrame) -> None:
    ed = certnb.widgets.editor(frame, asof=ASOF)
    ed.grid.show(filters=(("issuingAuthority", "Microsoft"),))
    ed.grid.select(mode="all")  # a1 and c1
    ed.bulk.operation.value = "shift"
    ed.bulk.preview_button.click()
    assert "<b>2</b> of 2 picked" in ed.bulk.preview_area.value
    ed.grid.select(1, "toggle")  # the user ctrl-clicks c1 away
    assert ed.grid.value == (label_of(frame, "a1"),)
    assert ed.bulk.preview_area.value == ""
    assert "The picked certifications changed: press Preview again" in ed.bulk.messages.value
    ed.bulk.stage_button.click()
    assert "Staged Expires on 1 certification." in ed.bulk.messages.value
    ed.grid.select(mode="all")
    assert ed.bulk.messages.value == ""  # "Staged … on 1" spoke of the old pick

    ed.bulk.operation.value = "clear"
    ed.bulk.stage_button.click()
    assert "Clear Expires on 2 certifications?" in ed.bulk.question.value
    ed.grid.select(mode="none")  # "Select none"
    assert ed.bulk.confirmation.layout.display == "none"
    assert "nothing was cleared; press Clear… again" in ed.bulk.messages.value
    ed.bulk.confirm_button.click()
    assert [e.after for e in ed.value] == ["2027-12-15"]  # only the shift; nothing cleared


def test_staging_from_code_redraws_every_part(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    ed = certnb.widgets.editor(frame, staged, asof=ASOF)
    b1 = label_of(frame, "b1")
    ed.grid.value = (b1,)
    ed.bulk.operation.value = "shift"
    ed.bulk.preview_button.click()
    staged.set(b1, endDate="2029-06-30")  # a cell below the editor
    assert "<b>1</b> staged edit on 1 certification" in ed.review.diff.value
    assert ed.grid.table.text["endDate"][ed.grid.frame.index.get_loc(b1)] == "2029-06-30"
    assert ed.grid.staged_count == 1
    assert ed.form.value["endDate"] == dt.date(2029, 6, 30)
    assert "staged: 2029-06-30" in ed.form.notes["endDate"].value
    assert ed.bulk.preview_area.value == "" and "The staged edits changed" in ed.bulk.messages.value
    staged.unstage()
    assert "<b>0</b> staged edits" in ed.review.diff.value
    assert ed.grid.staged_count == 0
    assert ed.grid.table.text["endDate"][ed.grid.frame.index.get_loc(b1)] == "2027-06-30"
    assert ed.form.value["endDate"] == dt.date(2027, 6, 30)
