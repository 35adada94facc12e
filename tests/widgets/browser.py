"""What the browser tests share: a JupyterLab server on loopback (serving Notebook 7 too), headless Debian
Chromium (never a downloaded browser), the notebook that starts an emulator and shows the editor, and the
emulator's state read back over https.
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
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from widget_tenant import seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = Path(__file__).with_name("editor.ipynb")
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


def serve_lab(tmp_path: Path) -> Iterator[Lab]:
    """A Lab server with the editor notebook and the widget tenant's seed in its root folder."""
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


def grid_cell(editor: Any, title: str, column: str) -> Any:
    """The grid cell of `column` in the row whose title is `title` (unique in the widget tenant)."""
    row = editor.locator(".certnb-grid .tabulator-row").filter(
        has=editor.page.locator(".certnb-col-displayName", has_text=title))
    return row.locator(f".tabulator-cell.certnb-col-{column}")


@contextmanager
def editor_in_browser(lab: Lab, ui: str, tmp_path: Path,
                      width: int = 1400) -> Iterator[tuple[Any, Any, Path]]:
    """Debian's Chromium on the notebook in `ui` with all its cells run: (page, editor, screenshot folder)."""
    from playwright.sync_api import sync_playwright

    screens = tmp_path / "screens"
    screens.mkdir()
    print(f"screenshots: {screens}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            yield page, open_editor(page, lab, ui), screens
        finally:
            browser.close()


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


def commit_in_review(editor: Any, applied: str, said: str | None = None) -> None:
    """Open the review (already redrawn by the kernel after the staging: it says `said`), commit, confirm."""
    from playwright.sync_api import expect

    editor.get_by_role("tab", name="Review & commit").click()
    if said is not None:
        expect(editor.locator(".certnb-sentences")).to_contain_text(said)
    editor.locator(".certnb-commit").click()
    editor.locator(".certnb-confirm").click()
    expect(editor.locator(".certnb-results")).to_contain_text(applied)
