"""The bulk edit form over a picked selection: operation controls, preview, Stage, refusals shown."""

from __future__ import annotations

import pandas as pd
from widget_tenant import label_of

from certnb.staging import Staged
from certnb.widgets import BulkEditForm, ReplaceIssuer, SetField, ShiftDates


def form_over(frame: pd.DataFrame, staged: Staged, *cert_ids: str) -> BulkEditForm:
    picked = [label_of(frame, c) for c in cert_ids]
    return BulkEditForm(frame, staged, rows=lambda: picked)


def test_controls_describe_the_change_and_only_its_controls_show(frame: pd.DataFrame, staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1")
    assert bulk.value == SetField("issuingAuthority", None)
    assert bulk.set_box.layout.display == "" and bulk.shift_box.layout.display == "none"
    bulk.operation.value = "shift"
    bulk.amount.value, bulk.unit.value = -2, "days"
    assert bulk.value == ShiftDates(-2, "days", "endDate")
    assert bulk.shift_box.layout.display == "" and bulk.set_box.layout.display == "none"
    bulk.operation.value = "replace"
    bulk.old.value, bulk.new.value = "MSFT", "Microsoft"
    assert bulk.value == ReplaceIssuer("MSFT", "Microsoft", "issuingAuthority")


def test_preview_counts_changing_rows_and_shows_a_sample(frame: pd.DataFrame, staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1", "b2", "c2")
    bulk.operation.value = "shift"
    bulk.amount.value, bulk.unit.value = 1, "years"
    bulk.preview_button.click()
    assert "<b>2</b> of 3 picked certifications would change" in bulk.preview_area.value
    assert "2026-12-15" in bulk.preview_area.value and "2027-12-15" in bulk.preview_area.value
    assert len(staged) == 0  # a preview stages nothing


def test_stage_sets_a_field_on_every_picked_row(frame: pd.DataFrame, staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1", "b1", "c1")
    bulk.field.value = "issuingCompany"
    bulk.new_value.value = "Microsoft Corporation"
    bulk.stage_button.click()
    assert sorted(e.cert_id for e in staged) == ["a1", "b1", "c1"]
    assert {e.after for e in staged} == {"Microsoft Corporation"}
    assert "Staged issuingCompany on 3 certifications" in bulk.messages.value


def test_replace_issuer_spelling(frame: pd.DataFrame, staged: Staged) -> None:
    bulk = form_over(frame, staged, *frame["id"])
    bulk.operation.value = "replace"
    bulk.old.value, bulk.new.value = "MSFT", "Microsoft"
    bulk.stage_button.click()
    assert [(e.cert_id, e.field, e.before, e.after) for e in staged] == [
        ("b1", "issuingAuthority", "MSFT", "Microsoft")]


def test_refusal_is_shown_in_the_form_and_nothing_is_staged(frame: pd.DataFrame, staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1", "a2")
    bulk.operation.value = "shift"
    bulk.amount.value, bulk.unit.value = -3, "years"
    bulk.stage_button.click()
    assert len(staged) == 0
    assert "Nothing was staged: 1 edit(s) refused" in bulk.messages.value
    assert "must not be before" in bulk.messages.value


def test_bad_value_and_empty_selection_are_explained(frame: pd.DataFrame, staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1")
    bulk.field.value = "inference.confidenceScore"  # typed text; dates have a date picker (issue 13)
    bulk.new_value.value = "high"
    bulk.preview_button.click()
    assert "must be a number" in bulk.messages.value
    empty = BulkEditForm(frame, staged, rows=lambda: [])
    empty.stage_button.click()
    assert "Pick certifications first" in empty.messages.value
    assert len(staged) == 0
