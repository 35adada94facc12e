"""A report as one self-contained HTML page: no scripts, no external files; readable at 800 px, printable.

Charts are embedded PNGs (drawn at twice their size, sharp on screen and paper); tables turn into one card
per row on narrow screens, so the page never scrolls sideways; the browser's "Print → Save as PDF" gives a
clean document (headers repeat on each page, rows are not split, colours kept).

    >>> from certnb.frame.build import build_frame
    >>> from certnb.frame.audit import audit
    >>> from certnb.reports.content import report_content
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-12-12"}]}])
    >>> page = render_html(report_content(df, audit(df, "2026-11-30"), asof="2026-11-30"), charts=False)
    >>> "<th>Expires</th>" in page and "<td data-label=\\"Expires\\" class=d>12 Dec 2026</td>" in page
    True
"""

from __future__ import annotations

import base64
import html
import io
import re
from typing import Any

import pandas as pd

from certnb.frame.palette import STATUS_COLOURS, STATUS_TINTS
from certnb.frame.plots import expiry_histogram, findings_by_rule, timeline
from certnb.reports.content import ReportContent, Section
from certnb.reports.labels import label, value_text

__all__ = ["HTML_ROWS", "render_html"]

_BREAKS = re.compile(r"([@/.](?=\w))")

HTML_ROWS = 500
"""Rows a section shows on the page; the workbook has every row."""

_STYLE = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--head:#f3f5f7}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);margin:0;
 padding:24px 32px;max-width:1180px;margin-inline:auto}
h1{font-size:1.65em;margin:.2em 0 .1em}h2{font-size:1.2em;margin:1.8em 0 .3em;padding-bottom:.2em;
 border-bottom:2px solid var(--line)}
p{margin:.3em 0 .6em}.muted{color:var(--muted)}.note{font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:10px;margin:1em 0}
.card{border:1px solid var(--line);border-left:5px solid var(--line);border-radius:6px;padding:.5em .8em}
.card b{display:block;font-size:1.6em;line-height:1.2}
.chart{margin:.6em 0}.chart img{display:block;width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:.9em;margin:.4em 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top;
 overflow-wrap:break-word}td.d{white-space:nowrap}
th{background:var(--head);font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.tone td:first-child{border-left:4px solid var(--tone)}
.legend span{display:inline-block;margin-right:1.2em}.legend i{display:inline-block;width:.9em;height:.9em;
 border-radius:2px;margin-right:.35em;vertical-align:-.1em}
.arrow{color:var(--muted)}.after{font-weight:600}
@media (max-width:860px){body{padding:16px}table{font-size:.85em}}
@media screen and (max-width:860px){
 table.wide thead{display:none}
 table.wide,table.wide tbody,table.wide tr,table.wide td{display:block;width:100%}
 table.wide tr{border:1px solid var(--line);border-radius:6px;margin:0 0 10px;padding:4px 8px}
 table.wide tr.tone{border-left:5px solid var(--tone)}table.wide tr.tone td:first-child{border-left:0}
 table.wide td{border:0;padding:2px 0;display:grid;grid-template-columns:10em 1fr;gap:8px;text-align:left}
 table.wide td::before{content:attr(data-label);color:var(--muted);font-weight:600}
 table.wide .arrow{display:none}
}
@media print{
 body{font-size:10.5pt;padding:0;max-width:none}
 h2{break-after:avoid}tr,.card,.chart{break-inside:avoid}thead{display:table-header-group}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 @page{margin:14mm 12mm}
}
"""


def render_html(content: ReportContent, *, charts: bool = True) -> str:
    """The report as one HTML document (UTF-8 text); `charts=False` leaves the charts out (quicker)."""
    title = f"Certification audit: {content.tenant}"
    who = f"; signed in as {_text(content.account)}" if content.account else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_text(title)}</h1>",
        f"<p class='muted'>As of {value_text(content.asof)}{who}; produced {_text(content.generated)} by "
        "certnb.</p>",
        _cards(content),
        *(f"<p class='note'>{_text(note)}</p>" for note in content.notes),
        _legend(),
    ]
    if charts:
        parts += _charts(content)
    for section in content.sections:
        parts += [f"<h2 id='{section.key}'>{_text(section.title)}</h2>", f"<p>{_text(section.intro)}</p>",
                  _table(section)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _cards(content: ReportContent) -> str:
    cards = "".join(
        f"<div class='card'{_tone_style(card.tone, border=True)}><b>{card.value:,}</b>"
        f"{_text(card.label)}</div>" for card in content.cards
    )
    return f"<div class='cards'>{cards}</div>"


def _legend() -> str:
    items = [("expired", "Expired"), ("expiring", "Expiring soon / warning"), ("valid", "Valid / note")]
    spans = "".join(f"<span><i style='background:{STATUS_COLOURS[t]}'></i>{_text(text)}</span>"
                    for t, text in items)
    return f"<p class='legend muted'>{spans}</p>"


def _charts(content: ReportContent) -> list[str]:
    figures = [
        ("Certifications expiring per month, for the next 18 months",
         expiry_histogram(content.frame, asof=content.asof, months=18)),
        ("Findings by rule", findings_by_rule(content.findings)),
        ("The 25 certifications expiring closest to the audit day", timeline(content.frame, content.asof,
                                                                              limit=25)),
    ]
    parts = ["<h2 id='charts'>Charts</h2>"]
    for caption, figure in figures:
        width = int(figure.get_figwidth() * 96)
        parts.append(f"<figure class='chart' style='max-width:{width}px;margin-inline:0'>"
                     f"<img alt='{_text(caption)}' src='data:image/png;base64,{_png(figure)}'>"
                     f"<figcaption class='muted'>{_text(caption)}</figcaption></figure>")
    return parts


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=160)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(section: Section) -> str:
    table = section.table
    if not len(table):
        return "<p class='muted'>(none)</p>"
    shown = table.head(HTML_ROWS)[section.shown_on_page]
    labels = [label(c) for c in shown.columns]
    head = "".join(f"<th>{_text(text)}</th>" for text in labels)
    kinds = [" class=n" if pd.api.types.is_integer_dtype(shown[c]) or _all_ints(shown[c])
             else " class=d" if c in section.date_columns else "" for c in shown.columns]
    body = []
    tones = list(section.tones) + [None] * (len(shown) - len(section.tones))
    for values, tone in zip(shown.itertuples(index=False), tones, strict=False):
        cells = "".join(
            f"<td data-label=\"{_text(text)}\"{kind}>{_cell(column, value)}</td>"
            for column, value, text, kind in zip(shown.columns, values, labels, kinds, strict=True)
        )
        body.append(f"<tr class='tone'{_tone_style(tone)}>{cells}</tr>" if tone else f"<tr>{cells}</tr>")
    more = ""
    if len(table) > HTML_ROWS:
        more = (f"<p class='muted'>The first {HTML_ROWS:,} of {len(table):,} rows; the Excel report has them "
                "all.</p>")
    # Many columns, or several with sentences in them: one card per row on a narrow screen.
    long_texts = sum(c in ("detail", "fix", "next_step", "explanation") for c in shown.columns)
    wide = " wide" if len(shown.columns) > 6 or (len(shown.columns) > 4 and long_texts > 1) else ""
    return (f"<table class='rows{wide}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"{more}")


def _cell(column: str, value: Any) -> str:
    text = _text(value_text(value))
    if column == "before":
        return f"{text} <span class='arrow'>→</span>"
    if column == "after":
        return f"<span class='after'>{text}</span>"
    if isinstance(value, int):
        return f"{value:,}"
    if " " not in text and ("@" in text or "://" in text):  # addresses and links: break after @ . /
        return _BREAKS.sub(r"\1<wbr>", text)
    return text


def _all_ints(column: pd.Series) -> bool:
    return len(column) > 0 and all(isinstance(v, int) and not isinstance(v, bool) for v in column)


def _tone_style(tone: str | None, border: bool = False) -> str:
    if tone is None:
        return ""
    if border:
        return f" style='border-left-color:{STATUS_COLOURS[tone]};background:{STATUS_TINTS[tone]}'"
    return f" style='--tone:{STATUS_COLOURS[tone]}'"


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)
