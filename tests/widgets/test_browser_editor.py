"""The editor in a real browser: JupyterLab and Notebook 7 (one server on loopback), headless Debian
Chromium driven by Playwright.

The notebook (tests/widgets/editor.ipynb) starts its own emulator and writes where it listens; each test
runs all cells. One picks a certification, types a new end date in the date picker, stages, commits (with the
confirmation); the other picks two, clears their end dates in bulk (red preview, "Clear Expires on 2
certifications?", confirm) and commits. Both then read the emulator's state over https to check what landed.
Screenshots go to a folder each test prints.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from widget_tenant import ADMIN, BOB, CAROL, seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = Path(__file__).with_name("editor.ipynb")
B1 = f"{BOB} · AZ-900 · MSFT · ends 2027-06-30"  # the picker's caption of Bob's b1
A2 = f"{ADMIN} · CISSP · ISC2 · ends 2029-01-31"
C2 = f"{CAROL} · CKA · CNCF · ends 2027-03-31"
RED = "rgb(207, 34, 46)"  # the clear preview's colour (#cf222e)
STEP_MS = 30_000  # the longest any one step may take (kernel start and first render are the slow ones)

if not CHROMIUM.exists():  # `make pytest` installs it first (the .venv/.chromium target)
    pytest.fail(f"{CHROMIUM} is missing: run `make .venv/.chromium` (apt-get install chromium)",
                pytrace=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Lab:
    """A JupyterLab server on loopback, rooted in a temp folder, with token auth and a private config."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        private = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
                   "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTERLAB_SETTINGS_DIR": "settings",
                   "JUPYTERLAB_WORKSPACES_DIR": "workspaces"}
        env = {**os.environ, "JUPYTER_PLATFORM_DIRS": "1",
               **{name: str(home / folder) for name, folder in private.items()}}
        (home / "config" / "labconfig").mkdir(parents=True)
        # No "get Jupyter news?" toast over the forms in the screenshots.
        (home / "config" / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}), encoding="utf-8")
        self.log = (home / "lab.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
             "--LabApp.expose_app_in_browser=True", "--JupyterNotebookApp.expose_app_in_browser=True",
             "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False",
             "--allow-root"],  # CI runs as root
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}; see {self.log.name}")
            try:
                if httpx.get(f"{self.base}/api/status", params={"token": self.token}, timeout=2).is_success:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"JupyterLab did not answer within {timeout} s; see {self.log.name}")

    def stop(self) -> None:
        """Shut the server down (kernels first, which stops the notebook's emulator), then make sure."""
        try:
            httpx.post(f"{self.base}/api/shutdown", params={"token": self.token}, timeout=5)
            self.process.wait(timeout=15)
        except (httpx.TransportError, subprocess.TimeoutExpired):
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        finally:
            self.log.close()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    (root / "seed.json").write_text(json.dumps(seed()), encoding="utf-8")
    server = Lab(root, tmp_path / "jupyter")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def emulator_state(root: Path) -> dict[str, Any]:
    where = json.loads((root / "emulator.json").read_text(encoding="utf-8"))
    trust = ssl.create_default_context(cafile=where["ca_file"])
    reply = httpx.get(f"{where['url']}/_emulator/state", verify=trust, timeout=10)
    reply.raise_for_status()
    state: dict[str, Any] = reply.json()
    return state


def end_date(state: dict[str, Any], upn: str, cert_id: str) -> str | None:
    user = next(u for u in state["users"] if u["userPrincipalName"] == upn)
    end: str | None = next(c for c in user["certifications"] if c["id"] == cert_id)["endDate"]
    return end


def open_editor(page: Any, lab: Lab, ui: str) -> Any:
    """Open the notebook in `ui`, run all its cells, and return the editor once it is drawn."""
    from playwright.sync_api import expect

    page.set_default_timeout(STEP_MS)
    page.goto(f"{lab.base}/{ui}/{NOTEBOOK.name}?token={lab.token}")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.context"
        " && window.jupyterapp.shell.currentWidget.sessionContext?.session?.kernel"
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    editor = page.locator(".certnb-editor")
    expect(editor).to_be_visible()
    return editor


def commit_in_review(editor: Any, applied: str, said: str) -> None:
    """Open the review (already redrawn by the kernel after the staging: it says `said`), commit, confirm."""
    from playwright.sync_api import expect

    editor.get_by_role("tab", name="Review & commit").click()
    expect(editor.locator(".certnb-sentences")).to_contain_text(said)
    editor.locator(".certnb-commit").click()
    editor.locator(".certnb-confirm").click()
    expect(editor.locator(".certnb-results")).to_contain_text(applied)


@pytest.mark.slow
@pytest.mark.timeout(90)
@pytest.mark.parametrize("ui", ["lab/tree", "notebooks"], ids=["jupyterlab", "notebook7"])
def test_pick_date_stage_commit_in_the_browser(lab: Lab, tmp_path: Path, ui: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    screens = tmp_path / "screens"
    screens.mkdir()
    print(f"screenshots: {screens}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            editor = open_editor(page, lab, ui)
            editor.locator(".certnb-picker-list select").select_option(label=B1)
            date = editor.locator(".certnb-field-endDate input[type=date]")
            expect(date).to_have_value("2027-06-30")
            date.fill("2029-06-30")
            editor.locator(".certnb-form-stage").click()
            expect(editor.get_by_text("Staged 1 change: endDate.")).to_be_visible()
            editor.screenshot(path=str(screens / "form.png"))

            commit_in_review(editor, "1 applied", "1 certification of 1 person: Expires extended by 2 years")
            editor.screenshot(path=str(screens / "results.png"))
        finally:
            browser.close()
    assert end_date(emulator_state(lab.root), BOB, "b1") == "2029-06-30"
    assert (screens / "form.png").stat().st_size > 0 and (screens / "results.png").stat().st_size > 0


@pytest.mark.slow
@pytest.mark.timeout(90)
@pytest.mark.parametrize("ui", ["lab/tree", "notebooks"], ids=["jupyterlab", "notebook7"])
def test_clear_a_field_in_bulk_is_previewed_red_and_confirmed_in_the_browser(lab: Lab, tmp_path: Path,
                                                                           ui: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    screens = tmp_path / "screens"
    screens.mkdir()
    print(f"screenshots: {screens}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            editor = open_editor(page, lab, ui)
            editor.locator(".certnb-picker-list select").select_option(label=[A2, C2])
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
        finally:
            browser.close()
    state = emulator_state(lab.root)
    assert (end_date(state, ADMIN, "a2"), end_date(state, CAROL, "c2")) == (None, None)
    assert end_date(state, BOB, "b1") == "2027-06-30"  # not picked: untouched
    assert all((screens / name).stat().st_size > 0
               for name in ("clear-preview.png", "clear-question.png", "clear-results.png"))
