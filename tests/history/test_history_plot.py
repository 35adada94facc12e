"""`History.plot()` draws the trends as a matplotlib Figure without pyplot: three titled panels on one time
axis, axis labels, a legend naming each line, the busiest rules and issuers only."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

import certnb
from certnb.history.plots import trends_figure


def trends(rules: int) -> pd.DataFrame:
    data: dict[str, object] = {
        "taken": pd.to_datetime(["2026-10-01T09:00Z", "2026-11-01T09:00Z"], utc=True),
        "asof": pd.to_datetime(["2026-10-01", "2026-11-01"]), "certifications": [10, 12],
        "expired": [1, 3], "expiring": [4, 2], "issuer.ISACA": [6, 7], "issuer.Microsoft": [4, 5],
    }
    data.update({f"findings.rule-{n}": [n, n + 1] for n in range(rules)})
    return pd.DataFrame(data, index=pd.Index(["s1", "s2"], name="snapshot"))


def legend(figure: Figure, panel: int) -> list[str]:
    found = figure.axes[panel].get_legend()
    return [text.get_text() for text in found.get_texts()] if found is not None else []


def test_three_labelled_panels_with_legends() -> None:
    figure = trends_figure(trends(rules=2))
    assert [a.get_title() for a in figure.axes] == [
        "Expired and expiring certifications", "Findings by rule", "Certifications per issuer"]
    assert [a.get_ylabel() for a in figure.axes] == ["certifications", "findings", "certifications"]
    assert figure.axes[2].get_xlabel() == "snapshot taken (UTC)"
    assert legend(figure, 0) == ["expired", "expiring within 90 days"]
    assert legend(figure, 1) == ["rule-1", "rule-0"]  # by the latest count, highest first
    assert legend(figure, 2) == ["ISACA", "Microsoft"]
    assert [line.get_ydata().tolist() for line in figure.axes[0].get_lines()] == [[1, 3], [4, 2]]


def test_only_the_busiest_lines_are_drawn() -> None:
    figure = trends_figure(trends(rules=12), top=8)
    assert legend(figure, 1) == [f"rule-{n}" for n in range(11, 3, -1)]
    assert figure.axes[1].get_legend().get_title().get_text() == "latest counts (top 8 of 12)"


def test_history_plot_saves_a_png_and_leaves_pyplot_alone(tmp_path: Path, tenant_frame: pd.DataFrame) -> None:
    store = tmp_path / "audits"
    certnb.snapshot(tenant_frame, store, taken="2026-10-01T09:00:00Z")
    certnb.snapshot(tenant_frame.iloc[:100], store, taken="2026-11-01T09:00:00Z")
    pyplot = sys.modules.get("matplotlib.pyplot")
    before = pyplot.get_fignums() if pyplot is not None else []
    figure = certnb.history(store).plot(tmp_path / "trends.png")
    assert isinstance(figure, Figure)
    assert (tmp_path / "trends.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [len(line.get_xdata()) for line in figure.axes[0].get_lines()] == [2, 2]
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert (pyplot.get_fignums() if pyplot is not None else []) == before
