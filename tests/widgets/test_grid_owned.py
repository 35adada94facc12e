"""Cells another system owns in the grid: read-only under owned="refuse" (typed, pasted, through the browser's
messages), marked with the owner on hover in every mode; owned="warn" stages with the warning in the message
line, owned="source" routes the edit to `staged.source_fixes()` and says so."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from widget_tenant import ASOF, Sent, label_of, recording, users

from certnb.frame.build import build_frame
from certnb.staging import stage
from certnb.staging.ownership import Owned
from certnb.widgets.datagrid import Grid, grid

WORKDAY = [{"id": "3b9d6f21-58c4-4e0a-9d2b-6a1c7e8f9012", "sourceId": "workdayhr", "kind": "Workday",
            "displayName": "Workday HR"}]
HOVER = "Owned by Workday HR (Workday): fix it in that system"


@pytest.fixture
def owned_frame() -> pd.DataFrame:
    """The widget tenant with Adele's CISSP (a2) dates supplied by Workday HR; the rest is hers to edit."""
    people = users()
    cissp = next(c for u in people for c in u["certifications"] if c["id"] == "a2")
    cissp["sources"] = [{"sourceId": "workdayhr", "properties": ["startDate", "endDate"]},
                        {"sourceId": "46a57efc-33f8-4eec-a512-b90039ad6187", "properties": ["displayName"]}]
    return build_frame(people, profile_sources=WORKDAY)


def shown(g: Grid, cert_id: str) -> dict[str, Any]:
    return next(r for r in g.rows_shown() if r["id"] == cert_id)


def open_grid(frame: pd.DataFrame, owned: Owned, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> Grid:
    return recording(grid(frame, stage(frame, owned=owned), asof=ASOF), sent, monkeypatch)


def ask(g: Grid, sent: Sent, **content: Any) -> dict[str, Any]:
    sent.clear()
    g._message(g, {"id": "v1-1", **content}, [])
    return next(c for c, _ in sent if c.get("id") == "v1-1")


def test_the_window_carries_each_rows_owned_fields_and_the_hover_text(owned_frame: pd.DataFrame) -> None:
    g = grid(owned_frame, stage(owned_frame), asof=ASOF)
    assert json.loads(shown(g, "a2")["owned"]) == [[HOVER, ["startDate", "endDate"]]]
    assert [r["id"] for r in g.rows_shown() if r["owned"]] == ["a2"]  # User initiated edits own nothing
    a2 = label_of(owned_frame, "a2")
    assert g.hover(a2, "endDate") == HOVER and g.hover(a2, "displayName") == ""
    assert g.owned == "refuse"


def test_typing_into_an_owned_cell_is_refused_naming_person_title_label_and_owner(
        owned_frame: pd.DataFrame, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> None:
    g = open_grid(owned_frame, "refuse", sent, monkeypatch)
    a2 = label_of(owned_frame, "a2")
    refused = g.edit(a2, "endDate", "2030-01-31")
    assert not refused.ok
    assert refused.message == ("Adele Admin · CISSP: Expires is owned by Workday HR (Workday): fix it in "
                               "that system (stage(df, owned='warn') lets the grid edit it)")
    assert len(g.staged) == 0 and g.staged_count == 0
    # What a double-click or a keystroke asks before opening an editor, and what Enter sends: both refused.
    position = int(owned_frame.index.get_loc(a2))
    checked = ask(g, sent, type="check", pos=position, field="startDate", value="2024-02-01")
    assert not checked["ok"] and "Valid from is owned by Workday HR (Workday)" in checked["message"]
    edited = ask(g, sent, type="edit", pos=position, field="endDate", value="2030-01-31")
    assert not edited["ok"] and edited["message"] == refused.message
    assert len(g.staged) == 0
    # The same row's other cells stay the person's to edit.
    assert g.edit(a2, "certificationId", "ISC2-1").ok and [e.field for e in g.staged] == ["certificationId"]
    assert shown(g, "a2")["endDate"] == "2029-01-31"


def test_a_paste_over_owned_cells_stages_the_others_and_refuses_those(
        owned_frame: pd.DataFrame, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> None:
    g = open_grid(owned_frame, "refuse", sent, monkeypatch)  # unsorted: a1, a2, b1, b2, c1, c2
    reply = ask(g, sent, type="paste", start=0, field="endDate", text="2027-12-15\n2030-01-31\n2028-06-30\n")
    assert reply["staged"] == 2 and reply["note"] == ""
    position = int(owned_frame.index.get_loc(label_of(owned_frame, "a2")))
    assert [(p, f) for p, f, _ in reply["refused"]] == [(position, "endDate")]
    assert reply["refused"][0][2].startswith("Adele Admin · CISSP: Expires is owned by Workday HR (Workday)")
    assert sorted((e.cert_id, e.after) for e in g.staged) == [("a1", "2027-12-15"), ("b1", "2028-06-30")]


def test_warn_stages_the_owned_cell_and_says_so_in_the_message_line(
        owned_frame: pd.DataFrame, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> None:
    g = open_grid(owned_frame, "warn", sent, monkeypatch)
    position = int(owned_frame.index.get_loc(label_of(owned_frame, "a2")))
    assert ask(g, sent, type="check", pos=position, field="endDate", value="2030-01-31")["ok"]
    # No OwnedValueWarning leaves the callback (the suite turns warnings into errors): the reply says it.
    edited = ask(g, sent, type="edit", pos=position, field="endDate", value="2030-01-31")
    assert edited["ok"] and edited["text"] == "2030-01-31"
    assert edited["message"] == ("Expires staged, with a warning: it is owned by Workday HR (Workday), whose "
                                 "next import may put the old value back")
    assert [(e.cert_id, e.after) for e in g.staged] == [("a2", "2030-01-31")]
    row = shown(g, "a2")
    assert json.loads(row["owned"])[0][0] == HOVER and json.loads(row["staged"]) == {
        "endDate": ["2029-01-31", "2030-01-31"]}  # still marked, now staged
    assert g.undo() and len(g.staged) == 0 and g.redo() and len(g.staged) == 1
    pasted = ask(g, sent, type="paste", start=1, field="startDate", text="2024-03-01\n")
    assert pasted["staged"] == 1 and pasted["note"].startswith("Valid from staged, with a warning")


def test_source_routes_the_owned_cell_to_the_source_fixes_and_stages_nothing(
        owned_frame: pd.DataFrame, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> None:
    g = open_grid(owned_frame, "source", sent, monkeypatch)
    position = int(owned_frame.index.get_loc(label_of(owned_frame, "a2")))
    edited = ask(g, sent, type="edit", pos=position, field="endDate", value="2030-01-31")
    assert edited["ok"] and edited["text"] == "2029-01-31"  # the cell keeps Graph's value
    assert edited["message"] == "Expires sent to the list for Workday HR (Workday): staged.source_fixes()"
    assert len(g.staged) == 0 and g.staged_count == 0
    fixes = g.staged.source_fixes()
    assert len(fixes) == 1 and "2030-01-31" in fixes.astype(str).to_numpy().ravel().tolist()
    pasted = ask(g, sent, type="paste", start=0, field="startDate", text="2024-02-01\n2024-03-01\n")
    assert pasted["staged"] == 1 and pasted["refused"] == []  # a1's is staged, a2's routed
    assert pasted["note"] == "Valid from sent to the list for Workday HR (Workday): staged.source_fixes()"
    assert [(e.cert_id, e.field) for e in g.staged] == [("a1", "startDate")]
    assert len(g.staged.source_fixes()) == 2
    assert shown(g, "a2")["owned"]  # marked in every mode
