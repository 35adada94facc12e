"""New and deleted rows in the grid: add a row (at once, or a draft staged once it has a title), edit and
withdraw it, delete and restore loaded rows, the New/Deleted filters and counts, refusals, undo/redo of each
step, rows staged from code appearing, and what a commit leaves."""

from __future__ import annotations

from typing import Any

import pandas as pd
from widget_tenant import ASOF, BOB, CAROL, IDS, Sent, label_of

from certnb.emulator.server import Emulator
from certnb.session import Session
from certnb.staging import Staged, stage
from certnb.widgets.datagrid import Grid, grid
from certnb.widgets.datagrid.rows import DELETED, DONE, DRAFT, NEW
from certnb.widgets.datagrid.window import Query, decode_window


def shown(g: Grid) -> list[dict[str, Any]]:
    return g.rows_shown(0, 1000)


def row_of(g: Grid, position: int) -> dict[str, Any]:
    return next(r for r in shown(g) if r["_pos"] == position)


def titles(g: Grid) -> list[str]:
    return [r["displayName"] for r in shown(g)]


def creates(staged: Staged) -> list[dict[str, Any]]:
    return list(staged.creates.values())


def test_a_row_added_with_a_title_is_staged_shown_first_and_marked_new(g: Grid, staged: Staged,
                                                                       sent: Sent) -> None:
    result = g.add_row("Carol Coder", displayName="AZ-305", issuingAuthority="Microsoft",
                       endDate="2028-05-31")
    assert result.ok and result.message == "New certification staged: Carol Coder · AZ-305."
    assert creates(staged) == [{"displayName": "AZ-305", "issuingAuthority": "Microsoft",
                                "endDate": "2028-05-31"}]
    assert [k[0] for k in staged.creates] == [IDS[CAROL]]
    row = shown(g)[0]  # new rows come first until a sort says otherwise
    assert row["_pos"] == result.position == 6 and row["_flags"] & NEW
    assert (row["userDisplayName"], row["userPrincipalName"], row["displayName"]) == (
        "Carol Coder", CAROL, "AZ-305")
    assert row["id"].startswith("new-")
    assert (g.rows, g.shown, g.new_count, g.staged_count) == (7, 7, 1, 1)
    assert {"type": "reorder"} in [content for content, _ in sent]  # the browser fetches its rows again
    assert g.show(sort=(("displayName", "asc"),)) == 7 and titles(g)[:3] == ["AZ-104", "AZ-104", "AZ-305"]


def test_a_new_row_is_edited_through_its_create_and_refused_like_any_row(g: Grid, staged: Staged) -> None:
    position = g.add_row(BOB, displayName="CKAD").position
    assert g.edit(None, "endDate", "2029-02-28", position=position).ok
    assert creates(staged) == [{"displayName": "CKAD", "endDate": "2029-02-28"}]
    refused = g.edit(None, "endDate", "2029-02-30", position=position)
    assert refused.message == "Expires must be a date YYYY-MM-DD; got '2029-02-30' (no such day)"
    no_title = g.edit(None, "displayName", "", position=position)
    assert not no_title.ok and no_title.message == "a new certification needs a title"
    assert creates(staged) == [{"displayName": "CKAD", "endDate": "2029-02-28"}]
    assert row_of(g, position)["endDate"] == "2029-02-28"


def test_a_draft_stages_nothing_until_its_title_then_everything_typed(g: Grid, staged: Staged) -> None:
    draft = g.add_row(BOB)
    assert draft.ok and draft.message == "New row for Bob Builder: type its title to stage it."
    assert len(staged) == 0 and g.new_count == 0 and g.rows == 7
    assert shown(g)[0]["_flags"] & DRAFT
    assert g.edit(None, "endDate", "2028-12-31", position=draft.position).ok
    before = g.edit(None, "startDate", "2029-01-01", position=draft.position)
    assert before.message == ("Expires 2028-12-31 is before Valid from 2029-01-01"
                              " (Expires must not be before Valid from)")
    assert len(staged) == 0 and row_of(g, draft.position)["endDate"] == "2028-12-31"
    assert g.edit(None, "displayName", "Terraform Associate", position=draft.position).ok
    assert creates(staged) == [{"endDate": "2028-12-31", "displayName": "Terraform Associate"}]
    row = row_of(g, draft.position)  # the same row, now a staged create
    assert row["_flags"] & NEW and not row["_flags"] & DRAFT and g.new_count == 1


def test_adding_what_the_person_already_holds_or_for_nobody_is_refused(g: Grid, staged: Staged) -> None:
    draft = g.add_row(BOB, issuingAuthority="MSFT", certificationId="REF-b1")
    result = g.edit(None, "displayName", "AZ-900", position=draft.position)
    assert not result.ok and "Bob Builder already holds this certification (id b1)" in result.message
    assert len(staged) == 0 and row_of(g, draft.position)["_flags"] & DRAFT  # the draft stays, unstaged
    nobody = g.add_row("", displayName="X")
    assert not nobody.ok and nobody.message.startswith("Pick the person")
    bad = g.add_row(CAROL, displayName="X", endDate="31/12/2028")
    assert not bad.ok and bad.message.startswith("Carol Coder · new certification: Expires must be a date")
    assert g.rows == 7 and len(staged) == 0


def test_withdrawing_a_new_row_and_undo_redo_keep_its_place(g: Grid, staged: Staged) -> None:
    position = g.add_row(CAROL, displayName="AZ-305", endDate="2028-05-31").position
    g.unstage_row(None, position=position)  # the row's × in the Staged column
    assert staged.creates == {} and g.rows == 6 and "AZ-305" not in titles(g)
    assert g.undo()
    assert creates(staged) == [{"displayName": "AZ-305", "endDate": "2028-05-31"}]
    assert shown(g)[0]["_pos"] == position and shown(g)[0]["displayName"] == "AZ-305"
    assert g.edit(None, "endDate", "2029-05-31", position=position).ok  # the row edits its new create
    assert g.undo() and creates(staged)[0]["endDate"] == "2028-05-31"
    assert g.undo() and staged.creates == {}  # the add itself
    assert g.redo() and g.redo() and creates(staged)[0]["endDate"] == "2029-05-31"
    assert row_of(g, position)["endDate"] == "2029-05-31"


def test_undo_of_a_titled_draft_makes_it_a_draft_again(g: Grid, staged: Staged) -> None:
    draft = g.add_row(BOB, endDate="2028-12-31").position
    g.edit(None, "displayName", "CKS", position=draft)
    assert g.undo() and staged.creates == {}
    row = row_of(g, draft)
    assert row["_flags"] & DRAFT and (row["displayName"], row["endDate"]) == ("", "2028-12-31")
    assert g.undo() and g.rows == 6  # the draft itself
    assert g.redo() and g.redo() and creates(staged) == [{"endDate": "2028-12-31", "displayName": "CKS"}]


def test_delete_selected_strikes_rows_through_and_restore_withdraws_it(g: Grid, staged: Staged,
                                                                        frame: pd.DataFrame) -> None:
    b1, c2 = label_of(frame, "b1"), label_of(frame, "c2")
    assert g.edit(b1, "endDate", "2029-06-30").ok
    g.select_labels([b1, c2])
    result = g.delete_selected()
    assert result.ok and result.message == "2 staged for deletion."
    assert sorted(k[1] for k in staged.deletes) == ["b1", "c2"]
    assert [e.field for e in staged] == ["@delete", "@delete"]  # b1's staged edit went with it
    b1_row = row_of(g, frame.index.get_loc(b1))
    assert b1_row["_flags"] & DELETED and b1_row["endDate"] == "2027-06-30"
    assert (g.deleted_count, g.staged_count) == (2, 2)
    refused = g.edit(b1, "endDate", "2030-01-01")
    assert refused.message == "Bob Builder · AZ-900 is staged for deletion: press Restore to edit it"
    restored = g.restore(b1)
    assert restored.ok and restored.message == "Restored: Bob Builder · AZ-900."
    assert [k[1] for k in staged.deletes] == ["c2"]
    assert not row_of(g, frame.index.get_loc(b1))["_flags"] & DELETED
    assert g.undo() and sorted(k[1] for k in staged.deletes) == ["b1", "c2"]  # the restore
    assert g.undo() and staged.deletes == {}  # the delete: b1's edit is back
    assert [(e.cert_id, e.field, e.after) for e in staged] == [("b1", "endDate", "2029-06-30")]
    assert g.redo() and sorted(k[1] for k in staged.deletes) == ["b1", "c2"] and len(staged) == 2


def test_pasting_onto_a_deleted_row_is_refused_saying_why(g: Grid, staged: Staged,
                                                          frame: pd.DataFrame) -> None:
    g.select_labels([label_of(frame, "a2")])
    g.delete_selected()
    result = g.paste(0, "endDate", "2027-12-15\r\n2030-01-31\r\n")  # a1, a2
    assert result.staged == [(0, "endDate")]
    assert result.refused == {(1, "endDate"): "Adele Admin · CISSP is staged for deletion: press Restore to "
                                              "edit it"}
    assert [e.cert_id for e in staged if e.field == "endDate"] == ["a1"]


def test_deleting_a_selected_new_row_withdraws_it(g: Grid, staged: Staged, frame: pd.DataFrame) -> None:
    new = g.add_row(BOB, displayName="CKAD").position
    draft = g.add_row(CAROL).position
    g.select(None, "all")
    assert g.value == tuple(frame.index)  # new rows have no label in the frame
    result = g.delete_selected()
    assert result.message == "6 staged for deletion, 2 new withdrawn."
    assert staged.creates == {} and len(staged.deletes) == 6 and g.rows == 6
    assert g.undo() and len(staged.creates) == 1 and staged.deletes == {}
    assert {r["_pos"] for r in shown(g)} >= {new, draft}


def test_the_new_and_deleted_filters_and_the_counters(g: Grid, frame: pd.DataFrame) -> None:
    g.add_row(BOB, displayName="CKAD")
    g.add_row(CAROL)
    g.select_labels([label_of(frame, "a1")])
    g.delete_selected()
    assert g.show(new_only=True) == 2 and sorted(titles(g)) == ["", "CKAD"]
    assert g.show(deleted_only=True) == 1 and titles(g) == ["AZ-104"]
    assert g.show(staged_only=True) == 2 and sorted(titles(g)) == ["AZ-104", "CKAD"]  # not the draft
    query = Query.from_message({"new_only": True, "deleted_only": False})
    assert query.new_only and not query.deleted_only
    assert (g.new_count, g.deleted_count, g.staged_count) == (1, 1, 2)
    assert repr(g) == "<Grid: 8 certifications, 2 shown, 1 selected, 2 edits staged (1 new, 1 deleted)>"


def test_creates_and_deletes_staged_from_code_appear_without_a_new_widget(
        g: Grid, staged: Staged, frame: pd.DataFrame, sent: Sent) -> None:
    staged.add(BOB, displayName="CKAD", endDate="2028-01-31")  # the New certification tab, or a cell
    assert g.rows == 7 and shown(g)[0]["displayName"] == "CKAD" and shown(g)[0]["_flags"] & NEW
    assert {"type": "reorder"} in [content for content, _ in sent]
    staged.delete(label_of(frame, "c1"))
    assert row_of(g, frame.index.get_loc(label_of(frame, "c1")))["_flags"] & DELETED
    staged.unstage(next(iter(staged.creates)))  # a (userId, local id) pair: the create, whole
    assert g.rows == 6 and "CKAD" not in titles(g)
    staged.clear()
    assert (g.rows, g.staged_count, g.deleted_count) == (6, 0, 0)


def test_the_browser_messages_add_delete_restore_withdraw(g: Grid, staged: Staged, sent: Sent) -> None:
    def ask(**content: Any) -> dict[str, Any]:
        sent.clear()
        g._message(g, {"id": "v1-9", **content}, [])
        [reply] = [c for c, _ in sent if c.get("id") == "v1-9"]
        return reply

    added = ask(type="add", user=CAROL)
    assert added["ok"] and added["index"] == 0 and added["pos"] == 6  # the browser scrolls there
    g.select(3)
    assert ask(type="delete")["message"] == "1 staged for deletion."
    assert not ask(type="restore", pos=0)["ok"]  # Adele's first row is not deleted
    assert ask(type="restore", pos=int(g.order[3]))["ok"] and staged.deletes == {}
    assert ask(type="withdraw", pos=6)["ok"] and g.rows == 6


def test_after_a_commit_new_rows_are_created_not_new_and_leave_when_unstaged(emu: Emulator,
                                                                            graph: Session) -> None:
    df = graph.load(users="all")
    staged = stage(df)
    g = grid(df, staged, asof=ASOF)
    created = g.add_row(BOB, displayName="CKAD", issuingAuthority="CNCF", endDate="2028-01-31").position
    g.select_labels([label_of(df, "b2")])
    g.delete_selected()
    result = graph.commit(staged)
    assert result.ok and result.summary().startswith("2 applied")
    g.reload()  # what the editor does after its review commits
    row = row_of(g, created)
    assert row["_flags"] & DONE and (g.new_count, g.deleted_count) == (0, 0)
    assert g.edit(None, "endDate", "2029-01-31", position=created).message == (
        "Bob Builder · CKAD was created by the commit: load the frame again to edit the certification Graph "
        "holds")
    b2 = df.index.get_loc(label_of(df, "b2"))
    assert row_of(g, b2)["_flags"] & DONE and not g.restore(None, position=b2).ok
    bob = next(u for u in emu.state()["users"] if u["userPrincipalName"] == BOB)
    assert sorted(c["displayName"] for c in bob["certifications"]) == ["AZ-900", "CKAD"]
    staged.clear()  # done with this load: the created row leaves the grid (a reload shows it as loaded)
    assert g.rows == 6 and "CKAD" not in titles(g)


def test_a_window_carries_the_marks(g: Grid, frame: pd.DataFrame) -> None:
    from certnb.widgets.datagrid.window import encode_window

    g.add_row(BOB, displayName="CKAD")
    g.select_labels([label_of(frame, "a1")])
    g.delete_selected()
    rows = decode_window(*encode_window(g.table, g.order, 0, 10))
    assert [r["_flags"] & (NEW | DELETED) for r in rows[:2]] == [NEW, DELETED]


def test_paste_onto_new_rows_stages_into_the_create_and_a_draft_refuses_it(g: Grid, staged: Staged) -> None:
    draft = g.add_row(CAROL).position
    new = g.add_row(BOB, displayName="CKAD").position  # new rows come first, in the order added
    assert [r["_pos"] for r in shown(g)[:2]] == [draft, new]
    result = g.paste(0, "endDate", "2028-01-31\r\n2029-01-31\r\n")
    assert result.staged == [(new, "endDate")]
    assert result.refused == {(draft, "endDate"): "Carol Coder · (no title yet) is a new row without a "
                                                  "title: type its title before pasting"}
    assert creates(staged) == [{"displayName": "CKAD", "endDate": "2029-01-31"}]
    g.unstage_cell(None, "displayName", position=new)  # a new row's title cannot go
    assert g.note == "a new certification needs a title" and creates(staged)[0]["displayName"] == "CKAD"
    g.unstage_cell(None, "endDate", position=new)
    assert creates(staged) == [{"displayName": "CKAD"}]
