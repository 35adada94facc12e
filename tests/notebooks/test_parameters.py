"""Notebooks run headless with parameters (papermill): notebook 02 audited as of another day, as a schedule
would run it; its `parameters` cell is what papermill replaces."""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOK = next((Path(__file__).resolve().parents[2] / "notebooks").glob("02-*.ipynb"))


def test_notebook_02_has_one_parameters_cell_with_the_audit_day_and_tenant() -> None:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    text = "".join(tagged[0]["source"])
    assert 'ASOF = "2026-11-30"' in text and "TENANT = None" in text and "CLIENT_ID = None" in text


def test_papermill_runs_notebook_02_as_of_another_day(tmp_path: Path) -> None:
    import papermill

    out = tmp_path / "02-run.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"ASOF": "2027-03-31"}, cwd=str(tmp_path),
                               progress_bar=False, kernel_name="python3")
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    injected = [c for c in cells if "injected-parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(injected) == 1 and 'ASOF = "2027-03-31"' in "".join(injected[0]["source"])
    printed = "".join(o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
                      for c in cells if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "as of 2027-03-31" in printed
    assert not any(o.get("output_type") == "error" for c in cells for o in c.get("outputs", []))
