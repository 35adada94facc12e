"""The committed grid bundle (certnb/widgets/datagrid/static) is what js/ builds: its banner holds the sha256
of the sources, build script and lock file; where node and npm are present (CI has Node 20 and the npm
registry), the bundle is rebuilt from the lock file into a temp folder and compared byte for byte."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "js"
STATIC = ROOT / "certnb" / "widgets" / "datagrid" / "static"
BUNDLES = ("grid.js", "grid.css")


def sources_digest() -> str:
    """What js/build.mjs puts in the banner: sha256 over each source's name and bytes, in a fixed order."""
    names = ["build.mjs", "package.json", "package-lock.json",
             *sorted(f"src/{p.name}" for p in (JS / "src").iterdir())]
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0" + (JS / name).read_bytes() + b"\0")
    return digest.hexdigest()


def test_the_committed_bundle_names_the_sources_it_was_built_from() -> None:
    wanted = sources_digest()
    for name in BUNDLES:
        first = (STATIC / name).read_text(encoding="utf-8").split("\n", 1)[0]
        found = re.search(r"sources sha256 ([0-9a-f]{64})", first)
        assert found, f"{name} has no sources banner: rebuild it with `make js`"
        assert found.group(1) == wanted, f"{name} was built from other sources: rebuild it with `make js`"


def test_the_bundle_ships_with_the_package_and_tabulator_s_licence() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"widgets/datagrid/static/*.js"' in pyproject and '"widgets/datagrid/static/*.css"' in pyproject
    assert "Oli Folkerd" in (STATIC / "TABULATOR-LICENSE.txt").read_text(encoding="utf-8")
    assert "node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.skipif(shutil.which("npm") is None or shutil.which("node") is None,
                    reason="needs node and npm (CI has them): the banner test above still runs")
def test_rebuilding_from_the_lock_file_gives_the_committed_bytes(tmp_path: Path) -> None:
    work = tmp_path / "js"
    shutil.copytree(JS, work, ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=work, check=True,
                   capture_output=True, timeout=240)
    out = tmp_path / "out"
    subprocess.run(["node", "build.mjs", str(out)], cwd=work, check=True, capture_output=True, timeout=60)
    for name in BUNDLES:
        assert (out / name).read_bytes() == (STATIC / name).read_bytes(), f"{name} differs from a fresh build"
