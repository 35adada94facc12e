"""The editor in a real browser: JupyterLab and Notebook 7 (one server on loopback), headless Debian
Chromium driven by Playwright (see browser.py).

The notebook (tests/widgets/editor.ipynb) starts its own emulator and writes where it listens; each test
runs all cells. One picks a certification in the grid, types a new end date in the form's date picker,
stages, commits (with the confirmation); the other picks two (click, ctrl-click), clears their end dates in
bulk (red preview, "Clear Expires on 2 certifications?", confirm) and commits. Both then read the emulator's
state over https to check what landed. Screenshots go to a folder each test prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import (
    RED,
    Lab,
    commit_in_review,
    editor_in_browser,
    emulator_state,
    end_date,
    grid_cell,
    serve_lab,
)
from widget_tenant import ADMIN, BOB, CAROL


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    yield from serve_lab(tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(90)
@pytest.mark.parametrize("ui", ["lab/tree", "notebooks"], ids=["jupyterlab", "notebook7"])
def test_pick_date_stage_commit_in_the_browser(lab: Lab, tmp_path: Path, ui: str) -> None:
    from playwright.sync_api import expect

    with editor_in_browser(lab, ui, tmp_path) as (_page, editor, screens):
        grid_cell(editor, "AZ-900", "userDisplayName").click()
        date = editor.locator(".certnb-field-endDate input[type=date]")
        expect(date).to_have_value("2027-06-30")
        date.fill("2029-06-30")
        editor.locator(".certnb-form-stage").click()
        expect(editor.get_by_text("Staged 1 change: Expires.")).to_be_visible()
        expect(grid_cell(editor, "AZ-900", "endDate")).to_contain_text("2027-06-30 → 2029-06-30")
        editor.screenshot(path=str(screens / "form.png"))

        commit_in_review(editor, "1 applied", "1 certification of 1 person: Expires extended by 2 years")
        editor.screenshot(path=str(screens / "results.png"))
    assert end_date(emulator_state(lab.root), BOB, "b1") == "2029-06-30"
    assert (screens / "form.png").stat().st_size > 0 and (screens / "results.png").stat().st_size > 0


@pytest.mark.slow
@pytest.mark.timeout(90)
@pytest.mark.parametrize("ui", ["lab/tree", "notebooks"], ids=["jupyterlab", "notebook7"])
def test_clear_a_field_in_bulk_is_previewed_red_and_confirmed_in_the_browser(lab: Lab, tmp_path: Path,
                                                                           ui: str) -> None:
    from playwright.sync_api import expect

    with editor_in_browser(lab, ui, tmp_path) as (_page, editor, screens):
        grid_cell(editor, "CISSP", "displayName").click()
        grid_cell(editor, "CKA", "displayName").click(modifiers=["Control"])
        expect(editor.locator(".certnb-grid-status")).to_contain_text("2 selected")
        editor.get_by_role("tab", name="Bulk edit").click()
        editor.locator(".certnb-bulk-operation").get_by_role("button", name="Clear field").click()
        editor.locator(".certnb-bulk-clear-field select").select_option(label="Expires (endDate)")
        editor.locator(".certnb-bulk-preview-button").click()
        headline = editor.locator(".certnb-bulk-preview p.certnb-bulk-clear")
        expect(headline).to_contain_text("2 of 2 picked certifications would have Expires cleared")
        expect(headline).to_have_css("color", RED)
        sample = editor.locator(".certnb-bulk-preview table.certnb-bulk-clear")
        expect(sample).to_contain_text("2027-03-31")
        editor.screenshot(path=str(screens / "clear-preview.png"))

        editor.locator(".certnb-bulk-stage").click()  # "Clear…": asks, stages nothing yet
        expect(editor.get_by_text("Clear Expires on 2 certifications?")).to_be_visible()
        editor.screenshot(path=str(screens / "clear-question.png"))
        editor.locator(".certnb-bulk-confirm").click()
        staged_note = editor.get_by_text("Staged clearing Expires (endDate) on 2 certifications.")
        expect(staged_note).to_be_visible()

        commit_in_review(editor, "2 applied", "2 certifications of 2 people: Expires cleared")
        editor.screenshot(path=str(screens / "clear-results.png"))
    state = emulator_state(lab.root)
    assert (end_date(state, ADMIN, "a2"), end_date(state, CAROL, "c2")) == (None, None)
    assert end_date(state, BOB, "b1") == "2027-06-30"  # not picked: untouched
    assert all((screens / name).stat().st_size > 0
               for name in ("clear-preview.png", "clear-question.png", "clear-results.png"))
