"""The edit form of one certification: controls, loaded vs staged, Stage, Reset, inline refusals."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from widget_tenant import IDS, label_of

from certnb.staging import Staged
from certnb.widgets import CertificationForm

A1 = (IDS["admin@contoso.example"], "a1")


def test_loaded_values_fill_the_controls(frame: pd.DataFrame, staged: Staged) -> None:
    form = CertificationForm(frame, staged, label=label_of(frame, "a1"))
    assert form.value["endDate"] == dt.date(2026, 12, 15)
    assert form.value["allowedAudiences"] == ("organization",)
    assert form.value["issuingAuthority"] == "Microsoft"
    assert form.value["inference.confidenceScore"] == "0.5"
    assert "AZ-104" in form.header.value and "admin@contoso.example" in form.header.value
    assert "loaded: 2026-12-15" in form.notes["endDate"].value
    assert "staged" not in form.notes["endDate"].value


def test_stage_sends_only_changed_fields_and_shows_loaded_vs_staged(frame: pd.DataFrame,
                                                                    staged: Staged) -> None:
    form = CertificationForm(frame, staged, label=label_of(frame, "a1"))
    form.controls["endDate"].value = dt.date(2027, 12, 15)
    form.controls["allowedAudiences"].value = ("contacts", "organization")
    form.stage_button.click()
    assert sorted((e.field, e.before, e.after) for e in staged) == [
        ("allowedAudiences", "organization", "contacts,organization"),
        ("endDate", "2026-12-15", "2027-12-15"),
    ]
    assert "loaded: 2026-12-15 → <b>staged: 2027-12-15</b>" in form.notes["endDate"].value
    assert "Staged 2 changes" in form.messages.value
    assert "Expires" in form.messages.value and "Audiences" in form.messages.value  # by label
    assert "endDate" not in form.messages.value
    form.stage_button.click()
    assert "Nothing to stage" in form.messages.value and len(staged) == 2


def test_refused_values_show_inline_next_to_their_field_and_nothing_is_staged(frame: pd.DataFrame,
                                                                              staged: Staged) -> None:
    form = CertificationForm(frame, staged, label=label_of(frame, "a1"))
    form.value = {"endDate": dt.date(2023, 6, 30), "webUrl": "ftp://example.com/x",
                  "displayName": "AZ-104 v2"}
    form.stage_button.click()
    assert len(staged) == 0
    # Next to each control, the rule in the form's own words: labels, never Graph names.
    assert "Expires 2023-06-30 is before Valid from 2024-01-01 (Expires must not be before Valid from)" in (
        form.errors["endDate"].value)
    assert "Web URL must be an absolute http(s) URL" in form.errors["webUrl"].value
    assert "endDate" not in form.errors["endDate"].value and "webUrl" not in form.errors["webUrl"].value
    assert form.errors["displayName"].value == ""
    assert "Nothing was staged: 2 fields refused" in form.messages.value
    form.value = {"endDate": dt.date(2027, 6, 30), "webUrl": "https://example.com/x"}
    form.stage_button.click()
    assert form.errors["endDate"].value == form.errors["webUrl"].value == ""
    assert len(staged) == 3


def test_boolean_and_number_controls_stage_typed_values(frame: pd.DataFrame, staged: Staged) -> None:
    form = CertificationForm(frame, staged, label=label_of(frame, "a2"))
    assert form.controls["inference.userHasVerifiedAccuracy"].label == "False"
    form.value = {"inference.userHasVerifiedAccuracy": "True", "inference.confidenceScore": "0.9"}
    form.stage_button.click()
    assert sorted((e.field, e.after) for e in staged) == [
        ("inference.confidenceScore", 0.9), ("inference.userHasVerifiedAccuracy", True)]


def test_a_number_that_is_not_one_is_refused_inline(frame: pd.DataFrame, staged: Staged) -> None:
    form = CertificationForm(frame, staged, label=label_of(frame, "a2"))
    form.controls["inference.confidenceScore"].value = "very"
    form.stage_button.click()
    assert "must be a number" in form.errors["inference.confidenceScore"].value
    assert len(staged) == 0


def test_reset_withdraws_the_staged_edits_and_shows_the_loaded_values(frame: pd.DataFrame,
                                                                      staged: Staged) -> None:
    form = CertificationForm(frame, staged, label=label_of(frame, "a1"))
    form.controls["displayName"].value = "AZ-104 Azure Administrator"
    form.stage_button.click()
    assert (*A1, "displayName") in staged
    form.reset_button.click()
    assert len(staged) == 0
    assert form.value["displayName"] == "AZ-104"
    assert "Withdrew 1 staged edit" in form.messages.value


def test_reloading_shows_staged_values_and_clearing_a_text_stages_null(frame: pd.DataFrame,
                                                                       staged: Staged) -> None:
    form = CertificationForm(frame, staged, label=label_of(frame, "a2"))
    form.controls["webUrl"].value = ""
    form.stage_button.click()
    assert [(e.field, e.after) for e in staged] == [("webUrl", None)]
    form.load(label_of(frame, "b1"))
    form.load(label_of(frame, "a2"))
    assert form.value["webUrl"] == "" and "staged: (empty)" in form.notes["webUrl"].value


def test_without_a_certification_the_controls_are_disabled(frame: pd.DataFrame, staged: Staged) -> None:
    form = CertificationForm(frame, staged)
    assert form.stage_button.disabled and form.controls["endDate"].disabled
    assert "Pick a certification" in form.header.value
    form.stage()
    assert "Pick a certification first" in form.messages.value


def test_staged_elsewhere_reloads_the_form_so_stage_does_not_put_the_old_value_back(
        frame: pd.DataFrame, staged: Staged) -> None:
    a1 = label_of(frame, "a1")
    form = CertificationForm(frame, staged, label=a1)
    staged.set(a1, endDate="2028-12-15")  # code in a cell, or the bulk form
    assert form.value["endDate"] == dt.date(2028, 12, 15)
    assert "Its staged values changed" in form.messages.value
    form.controls["description"].value = "Renewed"
    form.stage_button.click()
    assert sorted((e.field, e.after) for e in staged) == [("description", "Renewed"),
                                                          ("endDate", "2028-12-15")]
