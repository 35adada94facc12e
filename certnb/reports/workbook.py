"""A report as an Excel workbook: a summary sheet, then a sheet per section, ready to sort and filter.

Each section sheet has its title and a sentence on top, frozen headers, columns as wide as their content
(long texts wrap), dates as real date cells, and the palette's colours as conditional formats (a row turns
red once its expiry date has passed, amber within the expiring window), so the sheet stays right when
someone edits a date. Every text is a text cell: nothing a reader opens runs as a formula.

    >>> import tempfile, pathlib
    >>> from openpyxl import load_workbook
    >>> from certnb.frame.build import build_frame
    >>> from certnb.frame.audit import audit
    >>> from certnb.reports.content import report_content
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "=HYPERLINK(1)", "endDate": "2026-12-12"}]}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "report.xlsx"
    >>> _ = write_workbook(report_content(df, audit(df, "2026-11-30"), asof="2026-11-30"), path, charts=False)
    >>> sheet = load_workbook(path)["Expiring"]
    >>> sheet.freeze_panes, sheet["C4"].value, sheet["C4"].data_type, sheet["E4"].number_format
    ('A4', '=HYPERLINK(1)', 's', 'd mmm yyyy')
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from certnb.frame.palette import EXPIRING_DAYS, SEVERITY_LABELS, STATUS_COLOURS, STATUS_TINTS
from certnb.frame.spreadsheet import put_cell
from certnb.reports.content import TONE_OF_SEVERITY, ReportContent, Section
from certnb.reports.labels import DATE_EXCEL_FORMAT, label

__all__ = ["SHEET_NAMES", "write_workbook"]

SHEET_NAMES: dict[str, str] = {
    "rules": "Findings by rule",
    "expired": "Expired",
    "expiring": "Expiring",
    "findings": "Other findings",
    "changes": "Changes",
}
"""The sheet of each section (the first sheet is "Summary", the last "Charts")."""

HEADER_ROW = 3
_WIDEST = 60  # characters; longer texts wrap
_WRAPPED = frozenset({"explanation", "detail", "fix", "next_step"})


def write_workbook(content: ReportContent, path: str | Path, *, charts: bool = True) -> Path:
    """Write the report as an .xlsx workbook at `path`; returns the path."""
    book = Workbook()
    _summary(book.active, content)
    for section in content.sections:
        sheet = book.create_sheet(SHEET_NAMES.get(section.key, section.key.title())[:31])
        _section(sheet, section, content.asof)
    if charts:
        _charts(book.create_sheet("Charts"), content)
    target = Path(path)
    book.save(target)
    return target


def _summary(sheet: Any, content: ReportContent) -> None:
    sheet.title = "Summary"
    sheet["A1"] = f"Certification audit: {content.tenant}"
    sheet["A1"].font = Font(size=15, bold=True)
    facts = [("Tenant", content.tenant), ("As of", content.asof.to_pydatetime()),
             ("Signed in as", content.account or ""), ("Produced", content.generated)]
    for row, (name, value) in enumerate(facts, start=3):
        put_cell(sheet.cell(row, 1), name)
        put_cell(sheet.cell(row, 2), value, row=row)
        sheet.cell(row, 1).font = Font(bold=True)
    sheet.cell(4, 2).number_format = DATE_EXCEL_FORMAT
    first = 3 + len(facts) + 1
    for row, card in enumerate(content.cards, start=first):
        put_cell(sheet.cell(row, 1), card.label)
        sheet.cell(row, 2, card.value)
        if card.tone:
            sheet.cell(row, 2).fill = _fill(STATUS_TINTS[card.tone])
            sheet.cell(row, 2).font = Font(bold=True, color=STATUS_COLOURS[card.tone][1:])
    for row, note in enumerate(content.notes, start=first + len(content.cards) + 1):
        put_cell(sheet.cell(row, 1), note)
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 40
    sheet.cell(4, 2).alignment = Alignment(horizontal="left")


def _section(sheet: Any, section: Section, asof: pd.Timestamp) -> None:
    table = section.table
    put_cell(sheet.cell(1, 1), section.title)
    sheet.cell(1, 1).font = Font(size=13, bold=True)
    put_cell(sheet.cell(2, 1), section.intro)
    sheet.cell(2, 1).font = Font(italic=True, color="59636E")
    head = _fill("F3F5F7")
    for column, name in enumerate(table.columns, start=1):
        put_cell(sheet.cell(HEADER_ROW, column), label(str(name)))
        sheet.cell(HEADER_ROW, column).font = Font(bold=True)
        sheet.cell(HEADER_ROW, column).fill = head
    for row, values in enumerate(table.itertuples(index=False), start=HEADER_ROW + 1):
        for column, (name, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            cell = sheet.cell(row, column)
            put_cell(cell, _plain(value), row=row, field=str(name))
            if name in section.date_columns:
                cell.number_format = DATE_EXCEL_FORMAT
            if name in _WRAPPED:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1).coordinate
    last = HEADER_ROW + max(len(table), 1)
    if len(table.columns):
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(table.columns))}{last}"
    _widths(sheet, table)
    _conditional_formats(sheet, section, asof, last)


def _conditional_formats(sheet: Any, section: Section, asof: pd.Timestamp, last: int) -> None:
    """Colour rows by the palette with rules Excel evaluates, so an edited date recolours its row."""
    columns = list(section.table.columns)
    if not columns:
        return
    span = f"A{HEADER_ROW + 1}:{get_column_letter(len(columns))}{last}"
    first = HEADER_ROW + 1
    if "endDate" in columns:
        end = f"${get_column_letter(columns.index('endDate') + 1)}{first}"
        day = f"DATE({asof.year},{asof.month},{asof.day})"
        sheet.conditional_formatting.add(span, FormulaRule(  # type: ignore[no-untyped-call]
            formula=[f'AND({end}<>"",{end}<{day})'], fill=_fill(STATUS_TINTS["expired"]), stopIfTrue=True))
        sheet.conditional_formatting.add(span, FormulaRule(  # type: ignore[no-untyped-call]
            formula=[f'AND({end}<>"",{end}>={day},{end}<={day}+{EXPIRING_DAYS})'],
            fill=_fill(STATUS_TINTS["expiring"]), stopIfTrue=True))
    if "severity" in columns:
        severity = f"${get_column_letter(columns.index('severity') + 1)}{first}"
        for name, words in SEVERITY_LABELS.items():
            tone = TONE_OF_SEVERITY[name]
            sheet.conditional_formatting.add(span, FormulaRule(  # type: ignore[no-untyped-call]
                formula=[f'{severity}="{words}"'], fill=_fill(STATUS_TINTS[tone])))
    if "outcome" in columns:
        outcome = f"${get_column_letter(columns.index('outcome') + 1)}{first}"
        sheet.conditional_formatting.add(span, FormulaRule(  # type: ignore[no-untyped-call]
            formula=[f'AND({outcome}<>"Applied",{outcome}<>"Already applied")'],
            fill=_fill(STATUS_TINTS["expired"])))


def _widths(sheet: Any, table: pd.DataFrame) -> None:
    sample = table.head(500)
    for column, name in enumerate(table.columns, start=1):
        texts = [label(str(name)), *("" if v is None else str(v) for v in sample[name].tolist())]
        widest = max(len(t) for t in texts)
        if name in ("endDate",):
            widest = 12
        sheet.column_dimensions[get_column_letter(column)].width = min(_WIDEST, max(8, widest + 2))


def _charts(sheet: Any, content: ReportContent) -> None:
    from openpyxl.drawing.image import Image

    from certnb.frame.plots import expiry_histogram, findings_by_rule

    put_cell(sheet.cell(1, 1), "Charts")
    sheet.cell(1, 1).font = Font(size=13, bold=True)
    anchor = 3
    for figure in (expiry_histogram(content.frame, asof=content.asof, months=18),
                   findings_by_rule(content.findings)):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=96)
        image = Image(io.BytesIO(buffer.getvalue()))
        sheet.add_image(image, f"A{anchor}")
        anchor += int(figure.get_figheight() * 96 / 20) + 2  # rows of ~20 px


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(None) if value.tzinfo else value
    return value


def _fill(colour: str) -> PatternFill:
    rgb = colour.lstrip("#").upper()
    return PatternFill(start_color=rgb, end_color=rgb, fill_type="solid")
