"""The grid widget's traits and the messages its browser side sends (answered as the browser reads them)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from widget_tenant import ASOF, Sent, label_of

from certnb.staging import Staged
from certnb.widgets.datagrid import Grid
from certnb.widgets.datagrid.columns import AUDIENCES
from certnb.widgets.datagrid.window import decode_window


def ask(g: Grid, sent: Sent, **content: Any) -> tuple[dict[str, Any], list[bytes]]:
    sent.clear()
    g._message(g, {"id": "v1-1", **content}, [])
    replies = [(c, b) for c, b in sent if c.get("id") == "v1-1"]
    assert len(replies) == 1, sent
    return replies[0]


def test_traits_describe_the_columns_and_the_counts(g: Grid) -> None:
    labels = {c["field"]: c["label"] for c in g.columns}
    assert labels["endDate"] == "Expires" and labels["issuedDate"] == "Issued"
    assert [c["field"] for c in g.columns if c["hidden"]] == ["userId", "id"]  # GUIDs: one click away
    assert {c["field"]: c["editor"] for c in g.columns if c["editor"]} == {
        "displayName": "text", "issuingAuthority": "issuer", "certificationId": "text", "issuedDate": "date",
        "startDate": "date", "endDate": "date", "allowedAudiences": "audiences"}
    assert (g.rows, g.shown, g.selected_count, g.staged_count, g.audited) == (6, 6, 0, 0, True)
    assert g.audiences == list(AUDIENCES) and "unknownFutureValue" not in g.audiences
    assert g.issuers[0] == "Microsoft" and "MSFT" in g.issuers  # the tenant's own spellings
    assert "expired" in [r["rule"] for r in g.rules]


def test_a_window_request_with_a_query_answers_a_chunk(g: Grid, sent: Sent) -> None:
    reply, buffers = ask(g, sent, type="window", start=0, size=200, query={
        "sort": [{"field": "endDate", "dir": "desc"}], "filters": [], "search": "", "rule": ""})
    assert reply["type"] == "window" and reply["total"] == 6
    assert [r["id"] for r in decode_window(reply, buffers)] == ["a2", "b1", "c2", "a1", "c1", "b2"]
    reply, _ = ask(g, sent, type="window", start=0, size=200, query={"expiring_within": 30})
    assert reply["total"] == 1 and g.shown == 1


def test_edit_check_and_refusal_messages(g: Grid, sent: Sent, frame: pd.DataFrame) -> None:
    b1 = frame.index.get_loc(label_of(frame, "b1"))
    reply, _ = ask(g, sent, type="check", pos=b1, field="endDate", value="2027-02-3")
    assert reply == {"type": "checked", "id": "v1-1", "ok": False,
                     "message": "Expires must be a date YYYY-MM-DD; got '2027-02-3'"}
    assert len(g.staged) == 0  # checking as typed stages nothing
    reply, _ = ask(g, sent, type="edit", pos=b1, field="endDate", value="2029-06-30")
    assert reply["ok"] and reply["text"] == "2029-06-30"
    pushed = [(c, b) for c, b in sent if c["type"] == "rows"]  # the staged row, redrawn
    assert [r["staged"] for r in decode_window(*pushed[0])] == ['{"endDate": ["2027-06-30", "2029-06-30"]}']
    assert g.staged_count == 1 and g.can_undo


def test_select_click_shift_ctrl_all_none(g: Grid, sent: Sent, frame: pd.DataFrame) -> None:
    g._message(g, {"type": "select", "index": 1, "mode": "only"}, [])
    g._message(g, {"type": "select", "index": 3, "mode": "range"}, [])
    assert [frame.loc[label, "id"] for label in g.value] == ["a2", "b1", "b2"]
    g._message(g, {"type": "select", "index": 2, "mode": "toggle"}, [])
    assert [frame.loc[label, "id"] for label in g.value] == ["a2", "b2"] and g.selected_count == 2
    assert sent[-1][0] == {"type": "selection", "positions": [1, 3], "all": False}
    g._message(g, {"type": "window", "id": "x", "query": {"search": "AZ-"}}, [])
    g._message(g, {"type": "select", "mode": "all"}, [])  # select all *shown*
    assert sorted(frame.loc[list(g.value), "id"]) == ["a1", "b1", "c1"] and sent[-1][0]["all"]
    g._message(g, {"type": "select", "mode": "none"}, [])
    assert g.value == ()


def test_paste_unstage_undo_redo_messages(g: Grid, sent: Sent) -> None:
    reply, _ = ask(g, sent, type="paste", start=0, field="endDate", text="2027-12-15\n2027-02-30\n")
    assert reply["staged"] == 1
    assert reply["refused"] == [
        [1, "endDate", "Expires must be a date YYYY-MM-DD; got '2027-02-30' (no such day)"]]
    g._message(g, {"type": "unstage", "pos": 0, "field": "endDate"}, [])
    assert len(g.staged) == 0
    g._message(g, {"type": "undo"}, [])
    assert len(g.staged) == 1 and g.can_redo
    g._message(g, {"type": "redo"}, [])
    assert len(g.staged) == 0
    g._message(g, {"type": "paste", "id": "p", "start": 0, "field": "endDate", "text": "2027-12-15"}, [])
    g._message(g, {"type": "unstage", "pos": 0}, [])  # the whole row
    assert len(g.staged) == 0


def test_a_broken_message_is_answered_and_shown_not_raised(g: Grid, sent: Sent) -> None:
    reply, _ = ask(g, sent, type="edit", pos=0, field="endDate")  # no value: an emptied cell clears it
    assert reply["type"] == "edited" and reply["ok"] and [e.after for e in g.staged] == [None]
    reply, _ = ask(g, sent, type="edit", field="endDate", value="2027-01-01")  # no position
    assert reply["type"] == "failed" and "KeyError" in reply["message"] and "Could not edit" in g.note
    g._message(g, {"type": "__init__"}, [])  # unknown kinds are ignored
    g._message(g, {"type": 3}, [])


def test_a_large_frame_is_audited_in_the_background(frame: pd.DataFrame, staged: Staged, sent: Sent,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Grid, "send", lambda self, content, buffers=None: sent.append((content, buffers)))
    g = Grid(frame, staged, asof=ASOF, background=True)
    assert g.table.wait(30)
    assert g.audited and {"type": "reload"} in [c for c, _ in sent]
    rules = [f.rule for f in g.table.findings(4)]  # c1: "AZ-104", an exam code, valid 2 years (one is usual)
    assert rules == ["expired", "exam-code-title", "unusual-validity"]


def test_the_text_view_says_counts_and_no_address_or_id(g: Grid, frame: pd.DataFrame) -> None:
    g.edit(label_of(frame, "b1"), "endDate", "2029-06-30")
    g.select(0)
    text = repr(g)
    assert text == f"<Grid: {len(frame):,} certifications, {len(frame):,} shown, 1 selected, 1 edit staged>"
    assert "0x" not in text and "b1" not in text
