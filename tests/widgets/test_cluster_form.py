"""The cluster form driven headless: clusters listed, one accepted and renamed, spellings left out and split
off, the merges staged."""

from __future__ import annotations

import pandas as pd
import pytest

from certnb.frame.build import build_frame
from certnb.staging import stage
from certnb.widgets import ClusterForm


@pytest.fixture
def frame() -> pd.DataFrame:
    issuers = ["Microsoft"] * 3 + ["MSFT", "Microsfot", "Oracle", "Orcale", "ISACA"]
    return build_frame([{"id": "u1", "userPrincipalName": "ana@contoso.example", "displayName": "Ana",
                         "certifications": [{"id": f"c{i}", "displayName": f"T{i}", "issuingAuthority": name}
                                            for i, name in enumerate(issuers)]}])


def test_the_form_lists_clusters_and_shows_why(frame: pd.DataFrame) -> None:
    form = ClusterForm(frame, stage(frame))
    assert [label for label, _ in form.cluster.options] == [
        "1. Microsoft (3 spellings, 5 rows)", "2. Oracle (2 spellings, 2 rows)"]
    assert form.canonical.value == "Microsoft" and form.accept.value is False
    assert "Microsfot: 1 edit from name key" in form.why.value
    assert "0 accepted, 0 rows would change" in form.heading.value


def test_accept_rename_exclude_split_then_stage(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    form = ClusterForm(frame, staged)
    form.accept.value = True
    form.canonical.value = "Microsoft Corporation"
    form.members.value = ("Microsfot",)
    form.exclude_button.click()
    assert "(left as is)" in [label for label, _ in form.members.options][2]
    form.cluster.value = 1
    form.members.value = ("Orcale",)
    form.split_button.click()
    assert form.cluster.value == 2 and form.canonical.value == "Orcale"
    form.stage_button.click()
    assert {(e.before, e.after) for e in staged} == {
        ("Microsoft", "Microsoft Corporation"), ("MSFT", "Microsoft Corporation")}
    assert "Staged 4 edits of issuingAuthority" in form.messages.value


def test_errors_are_shown_in_the_form(frame: pd.DataFrame) -> None:
    form = ClusterForm(frame, stage(frame))
    form.members.value = ()
    form.split_button.click()
    assert "select one or more spellings first" in form.messages.value
    form.stage_button.click()
    assert "Nothing to stage: accept a cluster first." in form.messages.value


def test_another_field_or_method_clusters_again(frame: pd.DataFrame) -> None:
    form = ClusterForm(frame, stage(frame))
    form.method.value = "fingerprint"
    assert form.cluster.options == ()
    assert "No spellings to merge" in form.why.value
    form.method.value = "default"
    form.field.value = "displayName"
    assert form.cluster.options == ()
