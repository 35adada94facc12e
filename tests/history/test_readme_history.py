"""The README's "Audit history" example does what its text says: every load kept with the session's tenant
and account, trends and changes over them, and the DuckDB queries over a DuckDB file and a Parquet folder.
(tests/notebooks/test_readme.py runs the block as written; this checks what it computed.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import certnb

README = Path(__file__).resolve().parents[2] / "README.md"


def example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Audit history\n", 1)[1].split("\n### ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    return block


def test_the_example_keeps_loads_and_queries_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    block = example()
    assert 'snapshot="audits.duckdb"' in block and "changes_since(-2)" in block
    assert "FROM certifications c JOIN snapshots s" in block
    assert "read_parquet('audits/certnb-*.parquet')" in block
    monkeypatch.chdir(tmp_path)
    scope: dict[str, Any] = {"certnb": certnb}
    try:
        exec(block, scope)
    finally:
        if "graph" in scope:
            scope["graph"].close()
    graph, history = scope["graph"], scope["history"]
    kept = history.snapshots
    assert len(kept) == 2
    assert kept["account"].tolist() == [graph.account] * 2
    assert graph.tenant_id and kept["tenant"].tolist() == [graph.tenant_id] * 2
    assert history.changes_since(-2).empty  # nothing was edited between the two loads

    trends = history.trends()
    expired = scope["expired"]
    assert expired["expired"].tolist() == trends["expired"].tolist()
    assert expired["certifications"].tolist() == trends["certifications"].tolist()
    issuers = scope["issuers"]
    counted = {(k if isinstance(k, str) else "(none)"): v
               for k, v in zip(issuers["issuingCompany"], issuers["certifications"], strict=True)}
    latest = trends.iloc[-1].filter(like="issuer.")
    assert counted == {k.removeprefix("issuer."): v for k, v in latest.items() if v}
