"""The grid in a real browser (JupyterLab and Notebook 7, headless Debian Chromium; see browser.py).

One walk through what an analyst does in the grid, then the emulator's state read back over https must be
exactly the intended one: type a date into a focused cell (typing starts the edit), type an impossible one
and see it refused inline (red, the message naming "Expires", nothing staged), paste a column of two dates
from Excel, select two rows (click, shift-click) and shift their expiry by a year in the bulk tab, unstage a
pasted cell with its ×, commit from the review. Screenshots (1280 and 800 px wide) go to a printed folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Lab, commit_in_review, editor_in_browser, emulator_state, grid_cell, serve_lab
from widget_tenant import seed

INTENDED_ENDS = {"a1": "2027-12-15", "a2": "2029-01-31", "b1": "2029-06-30", "b2": None,
                 "c1": "2027-01-31", "c2": "2028-03-31"}
"""Each certification's end date after the walk; every other field stays as seeded."""


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    yield from serve_lab(tmp_path)


def paste(page: Any, text: str) -> None:
    """Paste `text` as Excel puts it on the clipboard, where the grid has the focus."""
    page.evaluate("""(text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        const target = document.activeElement.closest(".certnb-grid")
            || document.querySelector(".certnb-grid");
        target.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true}));
    }""", text)


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("ui", ["lab/tree", "notebooks"], ids=["jupyterlab", "notebook7"])
def test_edit_refuse_paste_bulk_shift_unstage_commit_in_the_grid(lab: Lab, tmp_path: Path, ui: str) -> None:
    from playwright.sync_api import expect

    with editor_in_browser(lab, ui, tmp_path, width=1280) as (page, editor, screens):
        grid = editor.locator(".certnb-grid")
        message = grid.locator(".certnb-grid-message")

        # Typing on a focused date cell starts editing it; Enter stages at once.
        grid_cell(editor, "AZ-900", "endDate").click()
        page.keyboard.type("2029-06-30")
        page.keyboard.press("Enter")
        expect(grid_cell(editor, "AZ-900", "endDate")).to_contain_text("2027-06-30 → 2029-06-30")
        expect(message).to_have_text("Expires staged.")

        # An impossible date is refused as it is typed and when entered: red, named by label, unstaged.
        grid_cell(editor, "CKA", "endDate").dblclick()
        grid.locator(".certnb-date-text").fill("2027-02-30")
        expect(grid.locator(".certnb-date-text.certnb-invalid")).to_be_visible()
        page.keyboard.press("Enter")
        refused = grid_cell(editor, "CKA", "endDate")
        expect(refused).to_have_class(lambda_class("certnb-refused"))
        expect(refused).to_contain_text("2027-02-30")
        expect(message).to_have_text("Expires must be a date YYYY-MM-DD; got '2027-02-30' (no such day)")
        expect(grid.locator(".certnb-grid-status")).to_contain_text("1 staged")
        page.screenshot(path=str(screens / "refused-1280.png"))

        # A column of two dates pasted from Excel onto Adele's two rows.
        grid_cell(editor, "AZ-104", "endDate").first.click()
        paste(page, "2027-12-15\r\n2030-01-31\r\n")
        expect(message).to_have_text("Pasted: 2 cells staged.")
        expect(grid_cell(editor, "CISSP", "endDate")).to_contain_text("2029-01-31 → 2030-01-31")

        # Select Carol's two rows (click, shift-click) and shift their expiry by a year, in the bulk tab.
        carol = grid.locator(".tabulator-row", has_text="carol@contoso.example")
        carol.nth(0).locator(".certnb-col-displayName").click()
        carol.nth(1).locator(".certnb-col-displayName").click(modifiers=["Shift"])
        expect(grid.locator(".certnb-grid-status")).to_contain_text("2 selected")
        editor.get_by_role("tab", name="Bulk edit").click()
        editor.locator(".certnb-bulk-operation").get_by_role("button", name="Shift dates").click()
        editor.locator(".certnb-bulk-stage").click()
        expect(grid_cell(editor, "CKA", "endDate")).to_contain_text("2027-03-31 → 2028-03-31")

        # Unstage the pasted CISSP cell with its ×.
        grid_cell(editor, "CISSP", "endDate").locator(".certnb-unstage").click()
        expect(grid_cell(editor, "CISSP", "endDate")).to_have_text("2029-01-31")
        expect(grid.locator(".certnb-grid-status")).to_contain_text("4 staged")
        page.screenshot(path=str(screens / "staged-1280.png"))
        page.set_viewport_size({"width": 800, "height": 1000})
        page.screenshot(path=str(screens / "staged-800.png"))
        page.set_viewport_size({"width": 1280, "height": 1000})

        commit_in_review(editor, "4 applied")
        page.screenshot(path=str(screens / "committed-1280.png"))
    state = emulator_state(lab.root)
    seeded = {c["id"]: c for u in seed()["users"] for c in u["certifications"]}
    for user in state["users"]:
        for cert in user["certifications"]:
            assert cert["endDate"] == INTENDED_ENDS[cert["id"]], cert["id"]
            for name, value in seeded[cert["id"]].items():
                if name != "endDate":
                    assert cert[name] == value, (cert["id"], name)
    assert sorted(c["id"] for u in state["users"] for c in u["certifications"]) == sorted(INTENDED_ENDS)
    assert all((screens / name).stat().st_size > 0 for name in ("refused-1280.png", "staged-800.png"))


def lambda_class(name: str) -> Any:
    import re

    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


@pytest.mark.slow
@pytest.mark.timeout(150)
@pytest.mark.parametrize("ui", ["lab/tree", "notebooks"], ids=["jupyterlab", "notebook7"])
def test_add_delete_restore_filter_and_commit_rows_in_the_grid(lab: Lab, tmp_path: Path, ui: str) -> None:
    """Add a row for Carol (the person picker, then its title), give it an end date; delete Bob's PMP (struck
    through, read-only, saying why) and Carol's CKA, restore the CKA; the New and Deleted filters; commit from
    the review: the emulator holds the new certification and not the PMP. Screenshots: /tmp/grid-rows-*.png.
    """
    from playwright.sync_api import expect

    name = ui.split("/")[0]
    with editor_in_browser(lab, ui, tmp_path, width=1280) as (page, editor, _screens):
        grid = editor.locator(".certnb-grid")
        message = grid.locator(".certnb-grid-message")
        status = grid.locator(".certnb-grid-status")

        grid.locator(".certnb-grid-add").click()
        grid.locator(".certnb-grid-person").fill("carol@contoso.example")
        grid.locator(".certnb-grid-add-ok").click()
        draft = grid.locator(".tabulator-row.certnb-row-draft")
        expect(draft).to_have_count(1)
        expect(draft.locator(".certnb-mark-draft")).to_have_text("draft")
        expect(draft.locator(".certnb-col-userDisplayName")).to_contain_text("Carol Coder")
        expect(message).to_have_text("New row for Carol Coder: type its title to stage it.")
        page.screenshot(path=f"/tmp/grid-rows-draft-{name}.png")
        # The title's editor is open: typing it stages the create.
        grid.locator(".tabulator-row.certnb-row-draft .certnb-grid-input").fill("AZ-305")
        page.keyboard.press("Enter")
        new = grid.locator(".tabulator-row.certnb-row-new")
        expect(new).to_have_count(1)
        expect(new.locator(".certnb-mark-new")).to_have_text("new")
        expect(status).to_contain_text("1 staged (1 new)")
        grid_cell(editor, "AZ-305", "endDate").click()
        page.keyboard.type("2028-05-31")
        page.keyboard.press("Enter")
        expect(grid_cell(editor, "AZ-305", "endDate")).to_have_text("2028-05-31")

        # Delete Bob's PMP and Carol's CKA (click, ctrl-click), then restore the CKA.
        grid_cell(editor, "PMP", "displayName").click()
        grid_cell(editor, "CKA", "displayName").click(modifiers=["Control"])
        grid.locator(".certnb-grid-delete").click()
        expect(message).to_have_text("2 staged for deletion.")
        pmp = grid.locator(".tabulator-row", has=page.locator(".certnb-col-displayName", has_text="PMP"))
        expect(pmp).to_have_class(lambda_class("certnb-row-deleted"))
        struck = pmp.locator(".certnb-col-displayName").evaluate(
            "(el) => getComputedStyle(el).textDecorationLine")
        assert "line-through" in struck
        grid_cell(editor, "PMP", "endDate").click()
        page.keyboard.type("2")  # typing on a deleted row starts no edit; it says why
        expect(message).to_have_text("Bob Builder · PMP is staged for deletion: press Restore to edit it")
        expect(status).to_contain_text("3 staged (1 new, 2 deleted)")
        page.screenshot(path=f"/tmp/grid-rows-deleted-{name}.png")
        grid_cell(editor, "CKA", "staged").locator(".certnb-restore").click()
        expect(message).to_have_text("Restored: Carol Coder · CKA.")
        cka = grid.locator(".tabulator-row", has=page.locator(".certnb-col-displayName", has_text="CKA"))
        expect(cka).not_to_have_class(lambda_class("certnb-row-deleted"))
        assert "line-through" not in cka.locator(".certnb-col-displayName").evaluate(
            "(el) => getComputedStyle(el).textDecorationLine")

        # The New and Deleted filters.
        rows = grid.locator(".tabulator-row")
        grid.locator(".certnb-grid-new-only input").check()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("AZ-305")
        grid.locator(".certnb-grid-new-only input").uncheck()
        grid.locator(".certnb-grid-deleted-only input").check()
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("PMP")
        grid.locator(".certnb-grid-deleted-only input").uncheck()
        expect(rows).to_have_count(7)
        page.set_viewport_size({"width": 800, "height": 1000})
        page.screenshot(path=f"/tmp/grid-rows-800-{name}.png")
        page.set_viewport_size({"width": 1280, "height": 1000})

        commit_in_review(editor, "2 applied")
        expect(new.locator(".certnb-mark-created")).to_have_text("created")
        expect(pmp.locator(".certnb-mark-gone")).to_have_text("deleted in Graph")
        expect(grid.locator(".certnb-mark-new")).to_have_count(0)
        page.screenshot(path=f"/tmp/grid-rows-committed-{name}.png")
    state = emulator_state(lab.root)
    held = {u["userPrincipalName"]: {c["displayName"]: c for c in u["certifications"]}
            for u in state["users"]}
    assert sorted(held["bob@contoso.example"]) == ["AZ-900"]
    assert sorted(held["carol@contoso.example"]) == ["AZ-104", "AZ-305", "CKA"]
    assert held["carol@contoso.example"]["AZ-305"]["endDate"] == "2028-05-31"
    seeded = next(c for u in seed()["users"] for c in u["certifications"] if c["id"] == "c2")
    assert {k: held["carol@contoso.example"]["CKA"][k] for k in seeded} == seeded  # restored: untouched


ORG_DATA = "7986c642-b494-4140-8df4-f5ed125e2c67"  # Organizational Data in Microsoft 365: admin-controlled


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("ui", ["lab/tree", "notebooks"], ids=["jupyterlab", "notebook7"])
def test_a_cell_another_system_owns_is_marked_and_refuses_typing(lab: Lab, tmp_path: Path, ui: str) -> None:
    """Adele's CISSP expiry comes from Organizational Data in Microsoft 365: the cell is hatched with a lock,
    its title names the owner, typing opens no editor and says why, a double-click opens none; its other
    cells edit.
    Screenshots: /tmp/grid-owned-*.png."""
    import json

    from playwright.sync_api import expect

    owned = seed()
    cissp = next(c for u in owned["users"] for c in u["certifications"] if c["id"] == "a2")
    cissp["sources"] = [{"sourceId": ORG_DATA, "properties": ["endDate"]}]
    (lab.root / "seed.json").write_text(json.dumps(owned), encoding="utf-8")  # before the notebook runs
    name = ui.split("/")[0]
    with editor_in_browser(lab, ui, tmp_path, width=1280) as (page, editor, _screens):
        grid = editor.locator(".certnb-grid")
        message = grid.locator(".certnb-grid-message")
        cell = grid_cell(editor, "CISSP", "endDate")
        expect(cell).to_have_class(lambda_class("certnb-owned"))
        expect(cell).to_have_attribute(
            "title", "Owned by Organizational Data in Microsoft 365: fix it in that system")
        assert cell.evaluate("(el) => getComputedStyle(el, '::after').backgroundImage").startswith("url(")
        expect(grid.locator(".tabulator-cell.certnb-owned")).to_have_count(1)  # nothing else is owned

        cell.click()
        page.keyboard.type("2")
        refusal = ("Adele Admin · CISSP: Expires is owned by Organizational Data in Microsoft 365: fix it in "
                   "that system (stage(df, owned='warn') lets the grid edit it)")
        expect(message).to_have_text(refusal)
        expect(grid.locator(".tabulator-editing")).to_have_count(0)
        cell.hover()
        page.screenshot(path=f"/tmp/grid-owned-{name}.png")
        cell.dblclick()
        expect(grid.locator(".tabulator-editing")).to_have_count(0)
        expect(cell).to_have_text("2029-01-31")
        expect(grid.locator(".certnb-grid-status")).to_contain_text("0 staged")

        grid_cell(editor, "CISSP", "certificationId").click()  # the row's other cells are Adele's to edit
        page.keyboard.type("ISC2-7")
        page.keyboard.press("Enter")
        expect(message).to_have_text("Certification id staged.")
        expect(grid.locator(".certnb-grid-status")).to_contain_text("1 staged")
