"""The picker, driven as a user would: set filter controls, pick in the list, page, select all."""

from __future__ import annotations

import pandas as pd
from widget_tenant import ASOF, label_of

from certnb.frame.build import build_frame
from certnb.staging import Staged, stage
from certnb.widgets import Picker


def shown_ids(picker: Picker) -> list[str]:
    return [str(picker.frame.loc[label, "id"]) for _, label in picker.list.options]


def test_filters_narrow_the_list(frame: pd.DataFrame, staged: Staged) -> None:
    picker = Picker(frame, staged, asof=ASOF)
    assert picker.issuer.label == picker.finding.label == "(any)"
    assert shown_ids(picker) == ["a1", "a2", "b1", "b2", "c1", "c2"]
    picker.issuer.value = "Microsoft"
    assert shown_ids(picker) == ["a1", "c1"]
    picker.issuer.value = ""
    picker.use_expiring.value = True
    picker.expiring.value = 30
    assert shown_ids(picker) == ["a1"]
    picker.use_expiring.value = False
    picker.finding.value = "bad-url"
    assert shown_ids(picker) == ["b2"]
    picker.finding.value = ""
    picker.user.value = "carol"
    assert shown_ids(picker) == ["c1", "c2"]
    assert "<b>2</b> matching of 6" in picker.summary.value
    assert picker.messages.value == ""


def test_picking_in_the_list_sets_the_value_and_a_filter_drops_non_matches(frame: pd.DataFrame,
                                                                           staged: Staged) -> None:
    picker = Picker(frame, staged, asof=ASOF)
    seen: list[tuple[object, ...]] = []
    picker.on_change(lambda: seen.append(picker.value))
    a1, c1 = label_of(frame, "a1"), label_of(frame, "c1")
    picker.list.value = (a1, c1)
    assert picker.value == (a1, c1)
    assert picker.picked["id"].tolist() == ["a1", "c1"]
    picker.user.value = "carol"
    assert picker.value == (c1,)
    assert seen[-1] == (c1,)


def test_selection_survives_paging() -> None:
    many = build_frame([{"id": f"u{n}", "userPrincipalName": f"u{n:02d}@contoso.example", "certifications": [
        {"id": f"c{n}-{k}", "displayName": f"T{k}", "endDate": "2027-01-31"} for k in range(10)]}
        for n in range(25)])
    picker = Picker(many, stage(many), page_size=100)
    assert len(picker.list.options) == 100
    assert "page 1 of 3" in picker.summary.value and picker.previous.disabled
    picker.list.value = (3, 7)
    picker.next.click()
    assert picker.page == 1 and picker.list.options[0][1] == 100
    picker.list.value = (150,)
    assert picker.value == (3, 7, 150)
    picker.next.click()
    picker.next.click()  # already on the last page: stays
    assert picker.page == 2 and picker.next.disabled and len(picker.list.options) == 50
    picker.previous.click()
    assert picker.list.value == (150,)
    picker.select_all.click()
    assert len(picker.value) == 250
    picker.clear.click()
    assert picker.value == () and picker.list.value == ()


def test_list_marks_staged_certifications_after_refresh(frame: pd.DataFrame, staged: Staged) -> None:
    picker = Picker(frame, staged, asof=ASOF)
    staged.set(label_of(frame, "b1"), issuingAuthority="Microsoft")
    picker.refresh()
    captions = [caption for caption, _ in picker.list.options]
    assert captions[2].endswith("staged: issuingAuthority")
    assert sum("staged" in c for c in captions) == 1


def test_setting_an_unknown_row_is_shown_not_raised_from_a_click(frame: pd.DataFrame, staged: Staged) -> None:
    picker = Picker(frame, staged)
    assert not picker.act("pick", lambda: setattr(picker, "value", [999]))
    assert "not rows of the frame: [999]" in picker.messages.value
    assert picker.value == ()
