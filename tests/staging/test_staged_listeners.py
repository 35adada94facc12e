"""`Staged.on_change`: listeners hear every call that changes the staged edits, and only those."""

from __future__ import annotations

import pandas as pd
import pytest

from certnb.staging import EditsRefused, stage


def test_listeners_hear_each_changing_call_once(tenant_frame: pd.DataFrame) -> None:
    staged = stage(tenant_frame)
    heard: list[int] = []
    staged.on_change(lambda: heard.append(len(staged)))
    staged.set([0, 1], endDate="2029-06-30")
    staged.apply(2, description=lambda row: "Renewed")
    staged.unstage(0)
    staged.clear()
    assert heard == [2, 3, 2, 0]  # each heard after the change, with the edits as they now are


def test_calls_that_change_nothing_are_not_heard(tenant_frame: pd.DataFrame) -> None:
    staged = stage(tenant_frame)
    staged.set(0, endDate="2029-06-30")
    heard: list[str] = []
    staged.on_change(lambda: heard.append("changed"))
    staged.set(0, endDate="2029-06-30")  # already staged
    staged.unstage(1)  # nothing staged there
    with pytest.raises(EditsRefused):
        staged.set(0, endDate="2029-02-30")
    assert heard == []
