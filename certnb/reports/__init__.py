"""Reports a manager reads: `certnb.report(df, findings, result, path=...)` writes HTML or an Excel workbook.

(The package is `reports`, plural, so that `certnb.report` stays the function and `import
certnb.reports.page` still works: a package and a function of one name cannot both be `certnb.report`.)

    content.py     what a report says: headline numbers, sections with typed tables (one source for both)
    labels.py      column labels, dates as dates, Graph's names in people's words
    change_log.py  a commit result's changes: before → after and the outcome, in the analyst's words
    page.py        the self-contained HTML page (responsive, printable to PDF)
    workbook.py    the Excel workbook (a sheet per section, frozen headers, date cells, conditional formats)
    scheduled.py   `certnb audit`: the headless run from the cached sign-in, its summary and exit status

The format follows the path's suffix: `.html` or `.xlsx`.

>>> import certnb
>>> df = certnb.build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
...     {"id": "c1", "displayName": "AZ-104", "endDate": "2026-12-12"}]}])
>>> certnb.report(df, certnb.audit(df, "2026-11-30"), path="audit.html", asof="2026-11-30")  # doctest: +SKIP
PosixPath('audit.html')
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMATS", "report"]

FORMATS = (".html", ".xlsx")
"""The suffixes `report` writes."""


def report(
    df: pd.DataFrame,
    findings: pd.DataFrame,
    result: Any = None,
    path: str | Path = "certnb-report.html",
    *,
    asof: object = None,
    findings_after: pd.DataFrame | None = None,
    tenant: str | None = None,
    account: str | None = None,
    notes: Sequence[str] = (),
    charts: bool = True,
) -> Path:
    """Write a report on the frame `df` and its audit `findings` to `path` (.html or .xlsx); returns the path.

    `result` (a commit's `CommitResult`) adds the change log; `findings_after` (the audit of the tenant
    read back after that commit) puts an "after" count next to each rule's "before"; `asof` is the audit's
    day (default today); `tenant` and `account` name who was audited and by whom; `notes` are sentences
    shown under the headline numbers; `charts=False` leaves the charts out.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"report path {str(target)!r}: the suffix must be .html or .xlsx, not "
                         f"{suffix or '(none)'!r}")
    from certnb.reports.content import report_content

    content = report_content(df, findings, result, asof=asof, findings_after=findings_after,
                             tenant=tenant, account=account, notes=notes)
    if suffix == ".xlsx":
        from certnb.reports.workbook import write_workbook

        return write_workbook(content, target, charts=charts)
    from certnb.reports.page import render_html

    target.write_text(render_html(content, charts=charts), encoding="utf-8")
    return target
