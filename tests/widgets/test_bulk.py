"""The bulk edit form over a picked selection: operation controls, preview, Stage, refusals shown."""

from __future__ import annotations

import datetime as dt

import ipywidgets as widgets  # type: ignore[import-untyped]
import pandas as pd
from widget_tenant import label_of

from certnb.staging import Staged
from certnb.widgets import BulkEditForm, ClearField, ReplaceIssuer, SetField, ShiftDates
from certnb.widgets.bulk_change import CLEARABLE_FIELDS


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
    assert "Staged Issuing company on 3 certifications" in bulk.messages.value


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
    # Whose certification, then the field by its label, value and rule; no row label, no Graph name.
    assert ("<li><b>Adele Admin (admin@contoso.example) · AZ-104</b>: Expires 2023-12-15 is before Valid "
            "from 2024-01-01 (Expires must not be before Valid from)</li>") in bulk.messages.value
    assert "row " not in bulk.messages.value and "endDate" not in bulk.messages.value


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


def test_set_with_an_empty_value_is_refused_in_the_form_and_clears_nothing(frame: pd.DataFrame,
                                                                            staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1", "b1", "c1")
    bulk.field.value = "issuingCompany"  # the value box left empty
    bulk.stage_button.click()
    assert len(staged) == 0
    assert "would clear Issuing company (issuingCompany)" in bulk.messages.value
    assert "choose &quot;Clear field&quot;" in bulk.messages.value
    assert bulk.preview_area.value == ""


def test_clear_field_previews_in_red_and_stages_only_once_confirmed(frame: pd.DataFrame,
                                                                    staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1", "b2", "c2")  # b2 has no end date
    bulk.operation.value = "clear"
    assert bulk.clear_box.layout.display == "" and bulk.set_box.layout.display == "none"
    assert [value for _, value in bulk.clear_field.options] == list(CLEARABLE_FIELDS)
    bulk.clear_field.value = "endDate"
    assert bulk.value == ClearField("endDate") and bulk.stage_button.description == "Clear…"
    bulk.preview_button.click()
    shown = bulk.preview_area.value
    assert "<b>2</b> of 3 picked certifications would have <b>Expires</b> cleared" in shown
    assert "certnb-bulk-clear" in shown and "color:#cf222e" in shown
    assert "2026-12-15" in shown and "2027-03-31" in shown and "(empty)" in shown

    bulk.stage_button.click()
    assert len(staged) == 0  # asked, not staged
    assert bulk.confirmation.layout.display == ""
    assert "Clear Expires on 2 certifications?" in bulk.question.value
    bulk.confirm_button.click()
    assert sorted((e.cert_id, e.field, e.before, e.after) for e in staged) == [
        ("a1", "endDate", "2026-12-15", None), ("c2", "endDate", "2027-03-31", None)]
    assert "Staged clearing Expires (endDate) on 2 certifications" in bulk.messages.value
    assert bulk.confirmation.layout.display == "none"


def test_cancelled_clear_stages_nothing_and_confirm_needs_a_question(frame: pd.DataFrame,
                                                                     staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1")
    bulk.operation.value = "clear"
    bulk.confirm_button.click()
    assert "Nothing is waiting for confirmation: press Clear… first" in bulk.messages.value
    bulk.stage_button.click()
    bulk.cancel_button.click()
    assert "nothing was cleared" in bulk.messages.value and bulk.confirmation.layout.display == "none"
    bulk.confirm_button.click()
    assert len(staged) == 0


def test_confirm_never_stages_a_count_the_question_did_not_show(frame: pd.DataFrame, staged: Staged) -> None:
    picked = [label_of(frame, "a1")]
    bulk = BulkEditForm(frame, staged, rows=lambda: picked)  # a caller that never says the rows changed
    bulk.operation.value = "clear"
    bulk.stage_button.click()
    assert "Clear Expires on 1 certification?" in bulk.question.value
    picked.append(label_of(frame, "c2"))
    bulk.confirm_button.click()
    assert len(staged) == 0
    assert "Clear Expires on 2 certifications?" in bulk.question.value and "changed" in bulk.messages.value
    bulk.confirm_button.click()
    assert sorted(e.cert_id for e in staged) == ["a1", "c2"]


def test_switching_field_gives_a_fresh_control_of_the_fields_kind(frame: pd.DataFrame,
                                                                   staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1")
    bulk.set_box.children[-1].value = "Microsoft"  # typed for Issuing authority
    bulk.field.value = "endDate"
    control = bulk.set_box.children[-1]  # what the user now sees next to the field
    assert isinstance(control, widgets.DatePicker) and control.value is None
    assert bulk.value == SetField("endDate", None)
    bulk.field.value = "allowedAudiences"
    assert isinstance(bulk.set_box.children[-1], widgets.SelectMultiple)
    assert bulk.set_box.children[-1].value == ()
    bulk.field.value = "inference.userHasVerifiedAccuracy"
    assert bulk.set_box.children[-1].value == ""  # "(empty)"
    bulk.field.value = "issuingAuthority"
    assert isinstance(bulk.set_box.children[-1], widgets.Text) and bulk.set_box.children[-1].value == ""


def test_a_date_is_set_through_the_date_picker(frame: pd.DataFrame, staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1", "b2")
    bulk.field.value = "endDate"
    bulk.new_value.value = dt.date(2028, 1, 31)
    bulk.stage_button.click()
    assert sorted((e.cert_id, e.after) for e in staged) == [("a1", "2028-01-31"), ("b2", "2028-01-31")]


def test_new_rows_drop_the_preview_and_the_stale_staged_note(frame: pd.DataFrame, staged: Staged) -> None:
    picked = [label_of(frame, "a1"), label_of(frame, "c2")]
    bulk = BulkEditForm(frame, staged, rows=lambda: picked)
    bulk.operation.value = "shift"
    bulk.preview_button.click()
    assert "of 2 picked" in bulk.preview_area.value
    picked.pop()
    bulk.rows_changed()
    assert bulk.preview_area.value == "" and bulk.last_preview is None
    assert "The picked certifications changed: press Preview again" in bulk.messages.value
    bulk.stage_button.click()
    assert "Staged Expires on 1 certification" in bulk.messages.value
    picked.append(label_of(frame, "c2"))
    bulk.rows_changed()
    assert "Staged" not in bulk.messages.value


def test_staging_elsewhere_withdraws_the_preview_and_a_pending_clear(frame: pd.DataFrame,
                                                                      staged: Staged) -> None:
    bulk = form_over(frame, staged, "a1", "c2")
    bulk.operation.value = "clear"
    bulk.stage_button.click()
    assert "Clear Expires on 2 certifications?" in bulk.question.value
    staged.set(label_of(frame, "a1"), endDate="2027-12-15")  # code in a cell
    assert bulk.confirmation.layout.display == "none" and bulk.preview_area.value == ""
    assert "The staged edits changed: nothing was cleared" in bulk.messages.value
    bulk.confirm_button.click()
    assert [(e.cert_id, e.after) for e in staged] == [("a1", "2027-12-15")]
