"""The README's commands and code work as written: every Python block runs, every `certnb` command does
what the text around it says. Blocks are read from README.md each run, so an edit to the README is tested.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS: list[str] = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
REAL_TENANT = "contoso.onmicrosoft.com"  # a block that needs a real tenant is only compiled


def dedent(block: str) -> str:
    import textwrap

    return textwrap.dedent(block)


def python_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CERTNB_TOKEN_CACHE", None)
    return env


def block_id(block: str) -> str:
    first = next(line for line in dedent(block).splitlines() if line.strip())
    return re.sub(r"\W+", "-", first.strip())[:40]


def test_readme_has_python_blocks() -> None:
    assert len(PYTHON_BLOCKS) >= 4


@pytest.mark.parametrize(
    "block", [b for b in PYTHON_BLOCKS if REAL_TENANT not in b and "def test_" not in b], ids=block_id
)
def test_python_block_runs(block: str, tmp_path: Path) -> None:
    # Blocks follow each other in a notebook where `import certnb` already ran.
    # Run where a reader would (paths like data/tenant.json resolve), but write nothing into the checkout.
    (tmp_path / "data").symlink_to(ROOT / "data")
    script = tmp_path / "block.py"
    script.write_text("import certnb\n" + dedent(block), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=90, env=python_env(), check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def test_real_tenant_block_is_valid_python_and_not_run() -> None:
    blocks = [b for b in PYTHON_BLOCKS if REAL_TENANT in b]
    assert blocks
    for block in blocks:
        compile(dedent(block), "README.md", "exec")
        assert "client_secret" not in block  # app-only sign-in is refused (contract §4); never advertise it


def test_pytest_fixture_block_passes_as_a_users_test(pytester: pytest.Pytester) -> None:
    (block,) = [b for b in PYTHON_BLOCKS if "def test_" in b]
    pytester.makepyfile(test_readme_example="import certnb\n\n" + dedent(block))
    result = pytester.runpytest_subprocess("-W", "default")  # the fixture comes with certnb (an entry point)
    result.assert_outcomes(passed=1)


def test_cli_emulator_prints_one_ready_line_and_stops_on_sigterm() -> None:
    assert ".venv/bin/certnb emulator --seed data/tenant.json" in README
    process = subprocess.Popen(
        [sys.executable, "-m", "certnb.cli", "emulator", "--seed", "data/tenant.json"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(process.stdout.readline())
        assert {"graph_url", "tenant_id", "ca_file"} <= ready.keys()
        assert ready["graph_url"].startswith("https://127.0.0.1:") and ready["graph_url"].endswith("/beta")
        seed = json.loads((ROOT / "data" / "tenant.json").read_text(encoding="utf-8"))
        assert ready["tenant_id"] == seed["tenant"]["id"]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_cli_emulator_help_lists_the_knobs_the_readme_names() -> None:
    done = subprocess.run([sys.executable, "-m", "certnb.cli", "emulator", "--help"], capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode == 0
    for knob in re.findall(r"`(--[a-z0-9-]+)`", README):
        if knob.startswith(("--throttle", "--http")):
            assert knob in done.stdout


def test_cli_seed_writes_the_tenant_the_readme_promises(tmp_path: Path) -> None:
    command = re.search(r"`certnb seed (--users (\d+) --seed (\d+)) -o (\S+)`", README)
    assert command is not None
    users = int(command.group(2))
    done = subprocess.run(
        [sys.executable, "-m", "certnb.cli", "seed", *command.group(1).split(), "-o", tmp_path / "b.json"],
        capture_output=True, text=True, timeout=90, check=False,
    )
    assert done.returncode == 0, done.stderr
    tenant = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert len(tenant["users"]) == users
