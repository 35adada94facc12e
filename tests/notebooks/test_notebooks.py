"""The committed notebooks as documents: executed top to bottom, small, deterministic, free of tokens.

`pytest --nbval notebooks/ --nbval-sanitize-with notebooks/sanitize.cfg` re-runs them and compares outputs;
these tests check what nbval cannot: that the committed outputs are complete and clean, that the sanitize
file replaces only what is volatile, and that every date-dependent call pins its day.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SANITIZE = ROOT / "notebooks" / "sanitize.cfg"
BUDGET_BYTES = 300_000  # per committed notebook; plots are modest-dpi PNGs
EXPECTED = ("01-getting-started", "02-auditing-expiring-certifications", "03-bulk-corrections",
            "04-how-the-patch-works", "05-reconcile-with-hr")
DATED_CALLS = re.compile(r"\.certs\.(expiring|expired|audit|summary|histogram|timeline)\(([^)]*)\)")
JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*")
BEARER = re.compile(r"Bearer\s+(?!<token)[\w.~+/=-]{16,}")


def load(path: Path) -> dict[str, Any]:
    notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return notebook


def code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def source(cell: dict[str, Any]) -> str:
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def output_texts(notebook: dict[str, Any]) -> list[str]:
    texts = []
    for cell in code_cells(notebook):
        for output in cell.get("outputs", []):
            if "text" in output:
                texts.append(output["text"] if isinstance(output["text"], str) else "".join(output["text"]))
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/") or kind.endswith("json"):
                    texts.append(value if isinstance(value, str) else json.dumps(value))
    return texts


def token_leaks(text: str) -> list[str]:
    """Anything in `text` that looks like a bearer token or a JWT."""
    return JWT.findall(text) + BEARER.findall(text)


def sanitize(text: str) -> str:
    from nbval.plugin import get_sanitize_patterns

    for regex, replace in get_sanitize_patterns(SANITIZE.read_text(encoding="utf-8")):
        text = re.sub(regex, replace, text)
    return text


def test_the_five_notebooks_are_there() -> None:
    assert tuple(p.stem for p in NOTEBOOKS) == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_fits_the_size_budget(path: Path) -> None:
    assert path.stat().st_size <= BUDGET_BYTES, f"{path.name} is {path.stat().st_size:,} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_executed_in_order_without_errors_or_warnings(path: Path) -> None:
    cells = code_cells(load(path))
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1)), "re-run top to bottom"
    for cell in cells:
        kinds = [o["output_type"] for o in cell["outputs"]]
        assert "error" not in kinds, source(cell)
        streams = [o for o in cell["outputs"] if o["output_type"] == "stream"]
        assert all(o["name"] == "stdout" for o in streams), f"stderr output (a warning?) in: {source(cell)}"
    assert sum(1 for c in cells if c["outputs"]) >= len(cells) // 2  # outputs committed, not stripped


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_token_in_any_output(path: Path) -> None:
    notebook = load(path)
    for text in output_texts(notebook):
        assert token_leaks(text) == []
        assert "access_token" not in text and "refresh_token" not in text


def test_the_token_detector_finds_a_real_emulator_token() -> None:
    from certnb.emulator.server import Emulator

    with Emulator(https=False) as emu:
        token = emu.access_token()
    assert token_leaks(f"headers={{'Authorization': 'Bearer {token}'}}")
    assert token_leaks(f"{token[:40]}{token[40:]}")
    assert token_leaks("Authorization: Bearer <token, not shown>") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_date_dependent_calls_pin_asof_and_loads_hide_the_progress_bar(path: Path) -> None:
    code = "\n".join(source(c) for c in code_cells(load(path)))
    for call in DATED_CALLS.finditer(code):
        assert "asof=" in call.group(2), f"{call.group(0)} depends on today: pass asof=ASOF"
    for call in re.finditer(r"\.load\(([^)]*)\)", code):
        if "users=" in call.group(1):
            assert "progress=False" in call.group(1), f"{call.group(0)}: a tqdm bar is volatile output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_compared_not_ignored(path: Path) -> None:
    for cell in code_cells(load(path)):
        text = source(cell)
        assert "NBVAL_SKIP" not in text and "NBVAL_IGNORE_OUTPUT" not in text, text


def test_sanitize_file_has_a_named_section_for_each_volatile_thing() -> None:
    sections = re.findall(r"^\[([\w-]+)\]$", SANITIZE.read_text(encoding="utf-8"), re.MULTILINE)
    for name in ("ports", "request-ids", "guids", "timestamps", "durations", "widget-model-ids"):
        assert name in sections


@pytest.mark.parametrize(
    ("volatile", "stable"),
    [
        ("https://127.0.0.1:44751/beta", "https://127.0.0.1:PORT/beta"),
        ("request-id: 4440fb65-e82b-44cc-8723-ead4b8a8a451", "request-id: REQUEST-ID"),
        ('"request-id": "e62a9097-9e69-4c32-bafd-b3f1eec056df"', '"request-id": "REQUEST-ID"'),
        ("[request-id 26eae4cb-c6bc-496e-8acc-32971e5ac050]", "[request-id REQUEST-ID]"),
        ("/users/4b265ce1-6dda-4a8d-ae8e-4124f8728de6/profile", "/users/GUID/profile"),
        ('"lastModifiedDateTime": "2026-11-29T02:33:07.7264040Z"', '"lastModifiedDateTime": "TIMESTAMP"'),
        ('"date": "2026-11-29T02:33:58"', '"date": "TIMESTAMP"'),
        ("Done in 1.21 s:", "Done in N.NN s:"),
        ("journal /tmp/certnb-fixes-e1vwh7pb/fixes.journal>", "journal TMPPATH>"),
        ("'model_id': 'b09db108844043e18f412b27ffa025bc'", "'model_id': 'MODEL-ID'"),
    ],
)
def test_sanitize_replaces_what_is_volatile(volatile: str, stable: str) -> None:
    assert sanitize(volatile) == stable


@pytest.mark.parametrize(
    "pinned",
    ["endDate 2026-12-06 → 2027-12-06", "as of 2026-11-30", "216 certifications of 77 users", "90 days",
     "<Pacer rate=slow start throttle_events=1>", "item 4: 429  TooManyRequests  Retry-After=3"],
)
def test_sanitize_leaves_pinned_values_compared(pinned: str) -> None:
    assert sanitize(pinned) == pinned
