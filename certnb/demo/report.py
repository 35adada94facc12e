"""The demo's HTML report: audit tables, the expiry chart as an embedded PNG, the changes and their outcomes.

One self-contained file (no scripts, no external assets), so it can be mailed or attached to a ticket.
Rendering is pure: `render_report` turns a `ReportContent` into a string; `write_report` saves it.

    >>> import pandas as pd
    >>> content = ReportContent(tenant="contoso.example", asof="2026-11-30", account="megan@contoso.example",
    ...     users=1, certifications=0, findings_before=pd.DataFrame(columns=["rule", "severity"]),
    ...     findings_after=pd.DataFrame(columns=["rule", "severity"]), expiring=pd.DataFrame(),
    ...     expired=pd.DataFrame(), chart_png=b"", changes=pd.DataFrame(), commit_summary="nothing to commit",
    ...     planned_requests=0, verified=0, mismatches=())
    >>> "<h1>Certification audit: contoso.example</h1>" in render_report(content)
    True
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from certnb.frame.audit import RULES

__all__ = ["ReportContent", "figure_png", "render_report", "write_report"]

ROW_COLUMNS = ("userPrincipalName", "displayName", "issuingCompany", "endDate")
"""The certification columns the report's tables show."""

CHANGE_COLUMNS = ("userPrincipalName", "displayName", "field", "before", "after", "outcome")
"""The columns of the changes table (a subset of the staged diff's)."""

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:72em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em}
.card b{display:block;font-size:1.5em}.ok{color:#1e7b34}.bad{color:#b3261e}.muted{color:#666}
"""


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows; frames are used as given (the caller picks and orders rows).

    `findings_before`/`findings_after` are audit tables (certnb.frame.FINDING_COLUMNS) of the tenant as loaded
    and as read back after the commit; `changes` is the staged diff with its `outcome` column.
    """

    tenant: str
    asof: str
    account: str | None
    users: int
    certifications: int
    findings_before: pd.DataFrame
    findings_after: pd.DataFrame
    expiring: pd.DataFrame
    expired: pd.DataFrame
    chart_png: bytes
    changes: pd.DataFrame
    commit_summary: str
    planned_requests: int
    verified: int
    mismatches: Sequence[str]


def figure_png(figure: Any, dpi: int = 80) -> bytes:
    """A matplotlib figure as PNG bytes (modest dpi: the report embeds it)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def render_report(content: ReportContent) -> str:
    """The report as one HTML document."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>certnb demo report: {_text(content.tenant)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>Certification audit: {_text(content.tenant)}</h1>",
        f"<p class='muted'>As of {_text(content.asof)}; signed in as "
        f"{_text(content.account or '(unknown)')}; produced by <code>certnb demo</code> against the local "
        "Graph emulator.</p>",
        _cards(content),
        "<h2>Certifications ending per month</h2>",
        _image(content.chart_png),
        "<h2>Audit findings by rule</h2>",
        "<p>Before the correction (as loaded) and after it (as read back from Graph).</p>",
        _table(_rule_counts(content.findings_before, content.findings_after)),
        f"<h2>Expiring within 90 days ({len(content.expiring)})</h2>",
        _table(_rows(content.expiring)),
        f"<h2>Expired ({len(content.expired)})</h2>",
        _table(_rows(content.expired)),
        "<h2>Problems to fix by hand</h2>",
        "<p>Errors the audit found that no mechanical correction can decide (dates that contradict each "
        "other, URLs that are not URLs).</p>",
        _table(_problems(content.findings_after)),
        f"<h2>Changes made ({len(content.changes)})</h2>",
        f"<p>Dry run: {content.planned_requests} PATCH "
        f"request{'s' if content.planned_requests != 1 else ''}. "
        f"Commit: <b>{_text(content.commit_summary)}</b>.</p>",
        _table(_changes(content.changes)),
        "<h2>Verification</h2>",
        _verification(content),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_report(path: str | Path, content: ReportContent) -> Path:
    """Render the report and write it (UTF-8) to `path`; returns the path."""
    target = Path(path)
    target.write_text(render_report(content), encoding="utf-8")
    return target


def _cards(content: ReportContent) -> str:
    severities: dict[str, int] = (
        {str(k): int(v) for k, v in content.findings_before["severity"].value_counts().items()}
        if len(content.findings_before)
        else {}
    )
    outcomes = content.changes["outcome"] if "outcome" in content.changes else pd.Series(dtype=object)
    cards = [
        ("users", content.users),
        ("certifications", content.certifications),
        ("expired", len(content.expired)),
        ("expiring ≤ 90 days", len(content.expiring)),
        *((f"{name} findings", severities.get(name, 0)) for name in ("error", "warning", "info")),
        ("changes committed", int((outcomes == "applied").sum())),
    ]
    return "<div class='cards'>" + "".join(
        f"<div class='card'><b>{value}</b>{_text(label)}</div>" for label, value in cards
    ) + "</div>"


def _image(png: bytes) -> str:
    if not png:
        return "<p class='muted'>(no chart)</p>"
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="certifications ending per month" src="data:image/png;base64,{data}">'


def _rule_counts(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    counts = pd.DataFrame(
        {
            "severity": pd.concat([before, after])
            .drop_duplicates("rule")
            .set_index("rule")["severity"]
            if len(before) or len(after)
            else pd.Series(dtype=object),
            "before": before["rule"].value_counts(),
            "after": after["rule"].value_counts(),
        }
    )
    counts[["before", "after"]] = counts[["before", "after"]].fillna(0).astype("int64")
    # The audit's own rule order (severity first), not the alphabet.
    order = [rule for rule in RULES if rule in counts.index] + sorted(set(counts.index) - set(RULES))
    return counts.reindex(order).rename_axis("rule").reset_index()


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    shown = [c for c in ROW_COLUMNS if c in frame.columns]
    table = frame[shown].copy()
    if "endDate" in table:
        table["endDate"] = table["endDate"].dt.strftime("%Y-%m-%d")
    return table


def _problems(findings: pd.DataFrame) -> pd.DataFrame:
    if not len(findings):
        return findings
    errors = findings[(findings["severity"] == "error") & (findings["rule"] != "expired")]
    return errors[["rule", "userPrincipalName", "displayName", "field", "value", "detail"]]


def _changes(changes: pd.DataFrame) -> pd.DataFrame:
    return changes[[c for c in CHANGE_COLUMNS if c in changes.columns]]


def _verification(content: ReportContent) -> str:
    total = len(content.changes)
    if content.mismatches:
        items = "".join(f"<li>{_text(m)}</li>" for m in content.mismatches)
        return (
            f"<p class='bad'>{content.verified} of {total} changes read back as committed; these differ:</p>"
            f"<ul>{items}</ul>"
        )
    return f"<p class='ok'>All {content.verified} of {total} changes read back from Graph as committed.</p>"


def _table(frame: pd.DataFrame) -> str:
    if not len(frame):
        return "<p class='muted'>(none)</p>"
    rendered: str = frame.to_html(index=False, na_rep="", escape=True, border=0)
    return rendered


def _text(value: object) -> str:
    return html.escape(str(value))
