"""The charts a manager reads: readable labels, axis labels and legends, the timeline in expiry order, labels
whole words, and one palette for expired / expiring / valid across every chart."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pytest
from matplotlib.colors import to_hex

from certnb.frame.audit import RULES, audit
from certnb.frame.build import build_frame
from certnb.frame.palette import SEVERITY_COLOURS, STATUS_COLOURS, STATUS_LABELS
from certnb.frame.plots import expiry_histogram, findings_by_rule, timeline, timeline_label
from certnb.frame.rule_words import RULE_SENTENCES, RULE_TITLES

ASOF = "2026-11-30"


def tick_texts(axis: object) -> list[object]:
    return [t for t in axis.get_ticklabels() if t.get_text()]  # type: ignore[attr-defined]


def legend_texts(figure: object) -> list[str]:
    legends = [*figure.legends, *(a.get_legend() for a in figure.axes if a.get_legend())]  # type: ignore[attr-defined]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


@pytest.mark.parametrize("width", [5.0, 9.0, 16.0])
@pytest.mark.parametrize("stack", ["status", "issuer"])
def test_histogram_labels_are_readable_at_any_width(tenant_frame: pd.DataFrame, width: float,
                                                    stack: str) -> None:
    figure = expiry_histogram(tenant_frame, asof=ASOF, width=width, stack=stack)
    axes = figure.axes[0]
    labels = tick_texts(axes.xaxis)
    assert labels and all(t.get_fontsize() >= 8 for t in [*labels, *tick_texts(axes.yaxis)])
    figure.canvas.draw()
    boxes = [t.get_window_extent() for t in labels]
    assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(boxes)), "month labels overlap"
    assert axes.get_xlabel() == "Month of expiry" and axes.get_ylabel() == "Certifications"
    assert legend_texts(figure)


def test_histogram_stacks_by_status_in_the_palette_colours(tenant_frame: pd.DataFrame) -> None:
    figure = expiry_histogram(tenant_frame, asof=ASOF, months=18)
    colours = {to_hex(p.get_facecolor()) for p in figure.axes[0].patches}
    assert colours == {STATUS_COLOURS[s] for s in ("expired", "expiring", "valid")}
    assert {STATUS_LABELS["expired"], STATUS_LABELS["expiring"], STATUS_LABELS["valid"]} <= set(
        legend_texts(figure))
    total = sum(p.get_height() for p in figure.axes[0].patches)
    months = tenant_frame["endDate"].dt.to_period("M")
    start = pd.Period(ASOF, "M")
    assert total == int(((months >= start) & (months < start + 18)).sum())


def test_histogram_by_issuer_names_the_issuers(tenant_frame: pd.DataFrame) -> None:
    names = legend_texts(expiry_histogram(tenant_frame, asof=ASOF, stack="issuer"))
    assert "Microsoft" in names and "Other issuers" in names
    with pytest.raises(ValueError, match="stack must be"):
        expiry_histogram(tenant_frame, asof=ASOF, stack="colour")


def test_timeline_is_in_expiry_order_with_a_legend_and_whole_word_labels(tenant_frame: pd.DataFrame) -> None:
    figure = timeline(tenant_frame, asof=ASOF, limit=40)
    axes = figure.axes[0]
    bars = sorted(axes.patches, key=lambda p: p.get_y())  # top row first (the y axis is inverted)
    ends = [p.get_x() + p.get_width() for p in bars if not p.get_hatch()]
    assert ends == sorted(ends) and len(ends) > 30
    assert {STATUS_LABELS["expired"], STATUS_LABELS["expiring"]} <= set(legend_texts(figure))
    assert any(text.startswith("Audit day") for text in legend_texts(figure))
    words = {w for _, row in tenant_frame.iterrows() for w in
             f"{row['userDisplayName']} · {row['displayName']}".split()}
    for text in tick_texts(axes.yaxis):
        assert text.get_fontsize() >= 8
        shown = text.get_text().replace("\n", " ").removesuffix(" …").split()
        assert set(shown) <= words, f"a label cut mid-word: {text.get_text()!r}"
    assert axes.get_xlabel()


def test_a_long_title_wraps_at_words_and_ends_in_an_ellipsis_after_a_whole_word() -> None:
    title = "Microsoft Certified: Cybersecurity Architect Expert with an unreasonably long tail"
    label = timeline_label("Adele Vance", title)
    lines = label.split("\n")
    assert len(lines) == 2 and lines[-1].endswith(" …")
    assert all(word in f"Adele Vance · {title}".split() for word in label.removesuffix(" …").split())


def test_timeline_draws_no_end_date_hatched_to_the_right_edge() -> None:
    frame = build_frame([{"id": "u1", "userPrincipalName": "a@x", "displayName": "A", "certifications": [
        {"id": "c1", "displayName": "CKA", "startDate": "2025-01-01"},
        {"id": "c2", "displayName": "PMP", "startDate": "2025-01-01", "endDate": "2026-12-01"}]}])
    figure = timeline(frame, asof=ASOF)
    bars = sorted(figure.axes[0].patches, key=lambda p: p.get_y())
    assert [bool(p.get_hatch()) for p in bars] == [False, True]  # no end date last
    assert STATUS_LABELS["no-end-date"] in legend_texts(figure)


def test_findings_chart_counts_each_rule_in_audit_order_coloured_by_severity(
        tenant_frame: pd.DataFrame) -> None:
    findings = audit(tenant_frame, ASOF)
    figure = findings_by_rule(findings)
    axes = figure.axes[0]
    labels = [t.get_text() for t in tick_texts(axes.yaxis)]
    counts = findings["rule"].value_counts()
    order = [r for r in RULES if r in counts.index]
    assert labels == [RULE_TITLES[r] for r in order]
    bars = sorted(axes.patches[: len(order)], key=lambda p: p.get_y())
    assert [int(p.get_width()) for p in bars] == [int(counts[r]) for r in order]
    expected = [STATUS_COLOURS["expiring"] if r.startswith("expiring-") else SEVERITY_COLOURS[RULES[r]]
                for r in order]  # the expiry rules in their status's colour, as in every chart
    assert [to_hex(p.get_facecolor()) for p in bars] == expected
    assert any(r == "expiring-90" for r in order) and RULES["expiring-90"] == "info"
    assert axes.get_xlabel() == "Findings" and legend_texts(figure)


def test_every_audit_rule_has_a_title_and_one_sentence() -> None:
    assert set(RULES) == set(RULE_TITLES) == set(RULE_SENTENCES)
    for rule, text in RULE_SENTENCES.items():
        assert text.endswith(".") and len(re.findall(r"[.!?](\s|$)", text)) == 1, rule


def test_the_palette_is_one_code_for_statuses_and_severities() -> None:
    assert {"error": STATUS_COLOURS["expired"], "warning": STATUS_COLOURS["expiring"],
                                "info": STATUS_COLOURS["valid"]} == SEVERITY_COLOURS
