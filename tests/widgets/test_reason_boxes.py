"""Reasons in the widgets: the bulk form's Reason box and the grid's `reason` go with every edit they stage;
a staged cell's row says why it was staged, and by whom, for the cell's hover."""

from __future__ import annotations

import json

import pandas as pd
from widget_tenant import label_of

from certnb.staging import Staged, stage
from certnb.widgets import BulkEditForm
from certnb.widgets.datagrid import Grid, grid


def test_the_bulk_form_stages_with_the_reason_typed(frame: pd.DataFrame, staged: Staged) -> None:
    picked = [label_of(frame, c) for c in ("a1", "b1")]
    bulk = BulkEditForm(frame, staged, rows=lambda: picked)
    bulk.field.value = "issuingCompany"
    bulk.new_value.value = "Microsoft Corporation"
    bulk.reason.value = "CHG-1042: one spelling"
    bulk.stage_button.click()
    assert [e.reason for e in staged] == ["CHG-1042: one spelling"] * 2


def test_the_bulk_form_shows_a_required_reason_s_refusal(frame: pd.DataFrame) -> None:
    staged = stage(frame, require_reason=True)
    bulk = BulkEditForm(frame, staged, rows=lambda: [label_of(frame, "a1")])
    bulk.field.value = "issuingCompany"
    bulk.new_value.value = "Microsoft Corporation"
    bulk.stage_button.click()
    assert len(staged) == 0 and "a reason is required" in bulk.messages.value


def test_the_grid_stages_with_its_reason_and_its_rows_say_why(g: Grid, frame: pd.DataFrame) -> None:
    b1 = label_of(frame, "b1")
    g.edit(b1, "endDate", "2029-06-30")
    g.reason = "renewal confirmed by the learning system"
    g.edit(b1, "issuingAuthority", "Microsoft")
    assert {e.field: e.reason for e in g.staged} == {
        "endDate": None, "issuingAuthority": "renewal confirmed by the learning system"}
    staged_cells = json.loads(g.rows_shown()[2]["staged"])
    assert staged_cells["issuingAuthority"][2] == "because renewal confirmed by the learning system"
    assert len(staged_cells["endDate"]) == 2  # no reason, no account: nothing more to say
    g.undo()  # an undo stages too: with the grid's reason
    assert [e.field for e in g.staged] == ["endDate"]


def test_a_grid_over_a_staging_that_requires_a_reason_refuses_an_edit_without_one(
    frame: pd.DataFrame,
) -> None:
    g = grid(frame, stage(frame, require_reason=True, staged_by="megan@contoso.example"))
    b1 = label_of(frame, "b1")
    refused = g.edit(b1, "endDate", "2029-06-30")
    assert not refused.ok and "a reason is required" in refused.message and len(g.staged) == 0
    g.reason = "CHG-7"
    assert g.edit(b1, "endDate", "2029-06-30").ok
    why = json.loads(g.rows_shown()[2]["staged"])["endDate"][2]
    assert why == "because CHG-7 (staged by megan@contoso.example)"
