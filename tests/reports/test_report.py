"""`certnb.report` as a manager and an auditor read it: labels, dates as dates, each rule explained, the
change log's before → after; the workbook's sheets, frozen headers, date formats, conditional formats,
and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import certnb
from certnb.commit.record import OutcomeRecord
from certnb.commit.result import CommitResult
from certnb.frame.audit import audit
from certnb.frame.build import build_frame
from certnb.frame.rule_words import RULE_SENTENCES, RULE_TITLES
from certnb.reports.change_log import CHANGE_LOG_COLUMNS, change_log
from certnb.reports.content import report_content
from certnb.reports.labels import DATE_EXCEL_FORMAT
from certnb.reports.workbook import SHEET_NAMES
from certnb.staging.edit import RowSnapshot

ASOF = "2026-11-30"
TENANT = Path(__file__).resolve().parents[2] / "data" / "tenant.json"
GRAPH_NAMES = re.compile(r"\b(endDate|startDate|issuedDate|issuingCompany|userPrincipalName|certificationId|"
                         r"webUrl|thumbnailUrl)\b")
RECORDS = [
    OutcomeRecord("u1", "c1", "endDate", "2026-12-12", "2027-12-12", "applied", 200),
    OutcomeRecord("u1", "c1", "issuingCompany", "MSFT", "Microsoft", "conflict", 200),
]
ROWS = {("u1", "c1"): RowSnapshot("u1", "c1", "adele@contoso.example", "Adele Vance", "AZ-104")}


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = build_frame(json.loads(TENANT.read_text(encoding="utf-8"))["users"])
    return frame, audit(frame, ASOF)


def text_of(page: str) -> str:
    body = re.sub(r"<style>.*?</style>|<img[^>]*>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def test_the_page_speaks_in_labels_dates_and_sentences(sample: tuple[pd.DataFrame, pd.DataFrame],
                                                       tmp_path: Path) -> None:
    frame, findings = sample
    path = certnb.report(frame, findings, path=tmp_path / "audit.html", asof=ASOF, tenant="contoso.example",
                         charts=False)
    page = path.read_text(encoding="utf-8")
    text = text_of(page)
    for header in ("Expires", "Issuer", "Person", "Sign-in name", "Certification", "Days left"):
        assert f"<th>{header}</th>" in page
    assert not GRAPH_NAMES.search(text), GRAPH_NAMES.search(text)
    assert "00:00:00" not in text and not re.search(r"\b\d{4}-\d{2}-\d{2}\b(?! \d\d:\d\d)", text.replace(
        "Audit day", ""))
    for rule in findings["rule"].unique():
        assert RULE_TITLES[rule] in text and RULE_SENTENCES[rule] in text
    assert "<script" not in page and 'rel="stylesheet"' not in page


def test_the_page_embeds_three_charts_and_escapes_what_the_tenant_says(tmp_path: Path) -> None:
    frame = build_frame([{"id": "u1", "userPrincipalName": "a@x", "displayName": "<b>evil</b>",
                          "certifications": [{"id": "c1", "displayName": "<script>x</script>",
                                              "startDate": "2025-01-01", "endDate": "2026-12-12"}]}])
    page = certnb.report(frame, audit(frame, ASOF), path=tmp_path / "r.html", asof=ASOF,
                         tenant="<i>t</i>").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;" in page
    assert len(re.findall(r"src='data:image/png;base64,", page)) == 3


def test_the_change_log_shows_before_and_after_and_the_outcome_in_words() -> None:
    log = change_log(RECORDS, ROWS)
    assert list(log.columns) == list(CHANGE_LOG_COLUMNS)
    assert log.iloc[0][["field", "before", "after", "outcome"]].tolist() == [
        "Issuing company", "MSFT", "Microsoft", "Conflict"]  # needing attention first
    assert log.iloc[1][["field", "before", "after", "outcome"]].tolist() == [
        "Expires", "12 Dec 2026", "12 Dec 2027", "Applied"]
    assert log.iloc[0]["userDisplayName"] == "Adele Vance" and "reload" in log.iloc[0]["next_step"]


def test_the_change_log_says_why_and_who_staged_and_committed() -> None:
    record = dataclasses.replace(RECORDS[1], reason="CHG-1042: renewal confirmed",
                                 staged_by="ana@contoso.example", committed_by="megan@contoso.example")
    line = change_log([record], ROWS).iloc[0]
    assert line[["reason", "staged_by", "committed_by"]].tolist() == [
        "CHG-1042: renewal confirmed", "ana@contoso.example", "megan@contoso.example"]
    assert change_log([RECORDS[1]], ROWS).iloc[0]["reason"] == ""  # a change staged without one


def test_a_result_adds_the_changes_to_page_and_workbook(sample: tuple[pd.DataFrame, pd.DataFrame],
                                                        tmp_path: Path) -> None:
    frame, findings = sample
    result = CommitResult(RECORDS)
    page = certnb.report(frame, findings, result, tmp_path / "r.html", asof=ASOF, findings_after=findings,
                         charts=False).read_text(encoding="utf-8")
    assert "Changes made" in page and "1 applied, 1 conflict" in page
    assert "<th>Before</th>" in page and "<th>After</th>" in page and "<span class='arrow'>→</span>" in page
    assert "<th>Before the correction</th>" in page and "<th>After the correction</th>" in page
    book = load_workbook(certnb.report(frame, findings, result, tmp_path / "r.xlsx", asof=ASOF, charts=False))
    sheet = book["Changes"]
    assert [c.value for c in sheet[3]] == ["Person", "Sign-in name", "Certification", "Field", "Before",
                                           "After", "Outcome", "What to do next", "Reason", "Staged by",
                                           "Committed by"]
    assert "<th>Reason</th>" in page and "<th>Committed by</th>" in page


def test_the_workbook_has_a_sheet_per_section_frozen_headers_dates_and_colours(
        sample: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path) -> None:
    frame, findings = sample
    book = load_workbook(certnb.report(frame, findings, path=tmp_path / "r.xlsx", asof=ASOF))
    assert book.sheetnames == ["Summary", *(SHEET_NAMES[k] for k in ("rules", "expired", "expiring",
                                                                    "findings")), "Charts"]
    for name in book.sheetnames[1:-1]:
        assert book[name].freeze_panes == "A4"
        assert book[name].conditional_formatting, name
    expiring = book["Expiring"]
    headers = [c.value for c in expiring[3]]
    column = headers.index("Expires") + 1
    cells = [expiring.cell(row, column) for row in range(4, expiring.max_row + 1)]
    assert cells and all(c.is_date and c.number_format == DATE_EXCEL_FORMAT for c in cells)
    formulas = [r.formula[0] for cf in expiring.conditional_formatting for r in cf.rules]
    assert any("DATE(2026,11,30)" in f and "+90" in f for f in formulas)
    assert any("<DATE(2026,11,30)" in f for f in formulas)
    assert all(expiring.column_dimensions[c].width >= 8 for c in "ABCDEF")
    rules = book["Findings by rule"]
    assert [c.value for c in rules[3]][:3] == ["Finding", "Severity", "What it means"]
    explained = {row[0].value: row[2].value for row in rules.iter_rows(min_row=4)}
    assert explained["Expired"] == RULE_SENTENCES["expired"]
    assert book["Charts"]._images


def test_no_workbook_cell_is_a_formula(tmp_path: Path) -> None:
    nasty = ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)"]
    frame = build_frame([{"id": "u1", "userPrincipalName": "=u@x", "displayName": "+A",
                          "certifications": [{"id": f"c{i}", "displayName": text, "issuingCompany": text,
                                              "endDate": "2026-12-12"} for i, text in enumerate(nasty)]}])
    book = load_workbook(certnb.report(frame, audit(frame, ASOF), path=tmp_path / "r.xlsx", asof=ASOF,
                                       charts=False))
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                seen.add(cell.value)
    assert set(nasty) <= seen


def test_an_unknown_suffix_is_refused_naming_the_formats(tmp_path: Path) -> None:
    frame = build_frame([])
    with pytest.raises(ValueError, match=r"\.html or \.xlsx, not '\.pdf'"):
        certnb.report(frame, audit(frame, ASOF), path=tmp_path / "r.pdf")


def test_content_counts_match_the_audit(sample: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    frame, findings = sample
    content = report_content(frame, findings, asof=ASOF)
    cards = {c.label: c.value for c in content.cards}
    expired = int((findings["rule"] == "expired").sum())
    assert cards["Expired"] == len(content.section("expired").table) == expired
    assert cards["Errors"] == int((findings["severity"] == "error").sum())
    rules = content.section("rules").table
    assert rules["count"].sum() == len(findings)
