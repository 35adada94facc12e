"""The New certification form and the edit form's Delete, driven headless: values set, buttons clicked."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from certnb.frame.build import build_frame
from certnb.staging import stage
from certnb.widgets import CertificationForm, NewCertificationForm, editor


@pytest.fixture
def frame() -> pd.DataFrame:
    return build_frame([
        {"id": "u1", "userPrincipalName": "ana@contoso.example", "displayName": "Ana Lopez",
         "certifications": [{"id": "c1", "displayName": "AZ-900", "issuingAuthority": "Microsoft",
                             "endDate": "2026-12-31"}]},
        {"id": "u2", "userPrincipalName": "ben@contoso.example", "displayName": "Ben Okafor",
         "certifications": [{"id": "c2", "displayName": "CKA", "endDate": "2027-03-31"}]},
    ])


def test_the_form_stages_a_new_certification_and_lists_it(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    form = NewCertificationForm(frame, staged)
    assert form.person.options == ("ana@contoso.example", "ben@contoso.example")
    form.person.value = "ben@contoso.example"
    form.value = {"displayName": "AZ-104", "issuingAuthority": "Microsoft", "endDate": dt.date(2029, 11, 1)}
    form.stage_button.click()
    assert list(staged.creates.values()) == [
        {"displayName": "AZ-104", "issuingAuthority": "Microsoft", "endDate": "2029-11-01"}]
    assert "Staged a new certification: AZ-104 for ben@contoso.example" in form.messages.value
    assert form.controls["displayName"].value == "" and form.person.value == "ben@contoso.example"
    assert "1 new certification staged" in form.pending.children[0].value
    assert "AZ-104" in form.pending.children[1].children[0].value


def test_refusals_show_next_to_their_fields_and_nothing_is_staged(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    form = NewCertificationForm(frame, staged)
    form.stage_button.click()
    assert "needs the person" in form.person_error.value
    form.person.value = "ana@contoso.example"
    form.value = {"startDate": dt.date(2027, 1, 1), "endDate": dt.date(2026, 1, 1)}
    form.stage_button.click()
    assert "a new certification needs a title" in form.errors["displayName"].value
    form.value = {"displayName": "AZ-900", "issuingAuthority": "Microsoft", "startDate": None,
                  "endDate": dt.date(2026, 12, 31)}
    form.stage_button.click()
    assert "already holds this certification" in form.errors["displayName"].value
    assert staged.creates == {} and "Nothing was staged" in form.messages.value


def test_withdraw_removes_a_staged_create(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    form = NewCertificationForm(frame, staged)
    staged.add("u1", displayName="SC-900")  # staged by code: the form's list follows
    [_, line] = form.pending.children
    line.children[1].click()
    assert staged.creates == {} and form.pending.children == ()


def test_the_edit_form_stages_a_delete_and_reset_withdraws_it(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    form = CertificationForm(frame, staged, label=0)
    form.controls["endDate"].value = dt.date(2027, 6, 30)
    form.stage_button.click()
    form.delete_button.click()
    assert list(staged.deletes) == [("u1", "c1")] and len(staged) == 1  # the edit went with it
    assert "staged for deletion" in form.header.value and form.controls["endDate"].disabled
    form.reset_button.click()
    assert staged.deletes == {} and not form.controls["endDate"].disabled


def test_the_editor_has_a_new_certification_tab(frame: pd.DataFrame) -> None:
    ed = editor(frame, stage(frame))
    assert ed.tabs.titles[2] == "New certification" and ed.tabs.children[2] is ed.new.widget
