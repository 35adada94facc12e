"""The Duplicates form driven headless: a group shown, the keeper and conflict values chosen, merges
staged."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from certnb.frame.build import build_frame
from certnb.staging import stage
from certnb.staging.operations import DELETE
from certnb.widgets import MergeDuplicates, editor
from certnb.widgets.editor import TAB_TITLES


def cert(cert_id: str, title: str, modified: str, **fields: Any) -> dict[str, Any]:
    return {"id": cert_id, "displayName": title, "lastModifiedDateTime": modified, **fields}


@pytest.fixture
def frame() -> pd.DataFrame:
    return build_frame([
        {"id": "u1", "userPrincipalName": "ana@contoso.example", "displayName": "Ana Lopez",
         "certifications": [
            cert("a-keep", "CKA", "2026-10-01T00:00:00Z", endDate="2027-06-18", description="Kubernetes."),
            cert("a-other", "CKA", "2026-06-01T00:00:00Z", endDate="2028-06-18", webUrl="https://x.example/a")]},
        {"id": "u2", "userPrincipalName": "ben@contoso.example", "displayName": "Ben Okafor",
         "certifications": [
            cert("b-new", "AZ-104", "2026-09-01T00:00:00Z"),
            cert("b-old", "AZ-104", "2026-01-01T00:00:00Z"),
            cert("b-only", "SC-900", "2026-01-01T00:00:00Z")]},
    ])


def test_the_form_previews_a_group_with_its_keeper_marked(frame: pd.DataFrame) -> None:
    form = MergeDuplicates(frame, stage(frame))
    assert [label for label, _ in form.group.options] == [
        "1. Ana Lopez (ana@contoso.example) · CKA", "2. Ben Okafor (ben@contoso.example) · AZ-104"]
    assert "2 groups of duplicates, 2 records to delete" in form.heading.value
    assert form.keeper.value == "a-keep" and "the rule's choice" in form.keeper.options[0][0]
    assert "<th class='certnb-keeper'>keep a-ke…</th>" in form.preview.value
    assert "→ https://x.example/a" in form.preview.value  # the fill, in the keeper's column
    assert list(form.conflict_choices) == ["endDate"]
    assert [v for _, v in form.conflict_choices["endDate"].options] == [None, "2027-06-18", "2028-06-18"]
    form.group.value = 1
    assert form.keeper.value == "b-new" and form.conflict_choices == {}


def test_stage_this_merge_with_the_keeper_and_value_chosen(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    form = MergeDuplicates(frame, staged)
    form.keeper.value = "a-other"
    assert "<th class='certnb-keeper'>keep a-ot…</th>" in form.preview.value
    assert form.current is not None and form.current.fills == {"description": "Kubernetes."}
    form.conflict_choices["endDate"].value = "2027-06-18"
    form.stage_button.click()
    assert [(e.cert_id, e.field, e.after) for e in staged] == [
        ("a-other", "description", "Kubernetes."), ("a-other", "endDate", "2027-06-18"),
        ("a-keep", DELETE, None)]
    assert "Staged this merge: 3 edits" in form.messages.value
    assert "✓ Staged" in form.preview.value
    form.stage_button.click()
    assert "Nothing new staged: this merge is staged already" in form.messages.value and len(staged) == 3


def test_stage_all_merges_every_group_with_the_choices_made(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    form = MergeDuplicates(frame, staged)
    form.group.value = 1
    form.keeper.value = "b-old"
    form.stage_all_button.click()
    assert sorted(staged.deletes) == [("u1", "a-other"), ("u2", "b-new")]
    assert [(e.cert_id, e.field, e.after) for e in staged if e.field != DELETE] == [
        ("a-keep", "webUrl", "https://x.example/a")]  # Ana's Expires conflict: left as is
    assert "Staged all 2 merges" in form.messages.value


def test_a_refused_merge_is_shown_in_the_form_and_nothing_is_staged(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    form = MergeDuplicates(frame, staged)
    staged.delete(("u1", "a-keep"))  # by code, elsewhere
    form.stage_button.click()
    assert "Nothing was staged" in form.messages.value
    assert "the record to keep (a-ke…) is staged for deletion" in form.messages.value
    assert list(staged.deletes) == [("u1", "a-keep")] and len(staged) == 1


def test_without_duplicates_the_form_says_so(frame: pd.DataFrame) -> None:
    single = frame[frame["id"].isin(["a-keep", "b-only"])]
    form = MergeDuplicates(frame, stage(frame), single)
    assert "have no duplicate among the chosen records: nothing to merge" in form.heading.value
    assert form.stage_button.disabled and form.stage_all_button.disabled and form.current is None


def test_the_editor_has_a_duplicates_tab_before_review(frame: pd.DataFrame) -> None:
    ed = editor(frame, stage(frame))
    assert TAB_TITLES.index("Duplicates") == TAB_TITLES.index("Review & commit") - 1
    assert ed.tabs.titles[3] == "Duplicates" and ed.tabs.children[3] is ed.duplicates.widget
