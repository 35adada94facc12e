"""The README's "Audit history" section runs as written: the notebook example against the emulator (every
load kept with its tenant and account), then the DuckDB queries over a DuckDB file and a Parquet folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import certnb

README = Path(__file__).resolve().parents[2] / "README.md"


def examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Audit history\n", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_section_has_the_notebook_example_and_the_query() -> None:
    notebook, query = examples()
    assert 'snapshot="audits.duckdb"' in notebook and "changes_since(-2)" in notebook
    assert "FROM certifications c JOIN snapshots s" in query
    assert "read_parquet('audits/certnb-*.parquet')" in query


def test_the_examples_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     tenant_frame: pd.DataFrame) -> None:
    monkeypatch.chdir(tmp_path)
    notebook, query = examples()
    scope: dict[str, Any] = {"certnb": certnb}
    try:
        exec(notebook, scope)
    finally:
        scope["graph"].close()
    history = scope["history"]
    kept = history.snapshots
    assert len(kept) == 2
    assert kept["account"].tolist() == [scope["graph"].account] * 2
    assert kept["tenant"].notna().all() and kept["tenant"].tolist() == [scope["graph"].tenant_id] * 2
    assert scope["history"].changes_since(-2).empty  # nothing was edited between the two loads

    # The queries: the DuckDB file as the notebook left it, and a folder of the same snapshots.
    for _, one in kept.iterrows():
        certnb.snapshot(history.read(one["id"]), "audits/", tenant=one["tenant"], account=one["account"],
                        taken=one["taken"])
    exec(query, scope)
    expired, issuers = scope["expired"], scope["issuers"]
    trends = history.trends()
    assert expired["expired"].tolist() == trends["expired"].tolist()
    assert expired["certifications"].tolist() == trends["certifications"].tolist()
    latest = issuers[issuers["snapshotId"] == trends.index[-1]]
    counted = {(k if isinstance(k, str) else "(none)"): v
               for k, v in zip(latest["issuingCompany"], latest["certifications"], strict=True)}
    assert counted == {k.removeprefix("issuer."): v for k, v in trends.iloc[-1].filter(like="issuer.").items()
                       if v}
