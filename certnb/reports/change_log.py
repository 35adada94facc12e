"""A commit's changes as a change log: who, which certification, which field, before → after, the outcome,
and why: the staged change's reason, who staged it and who committed it (the accountability an auditor asks
for: "who changed Ana's expiry date, when and why").

`change_log` is the one place the table is built from a result's rows, so a column is added here once and
every report format shows it.

    >>> from certnb.commit.record import OutcomeRecord
    >>> from certnb.staging.edit import RowSnapshot
    >>> records = [OutcomeRecord("u1", "c1", "endDate", "2026-12-31", "2027-12-31", "applied", 200)]
    >>> rows = {("u1", "c1"): RowSnapshot("u1", "c1", "bob@x", "Bob", "AZ-900")}
    >>> change_log(records, rows).iloc[0].tolist()[:7]
    ['Bob', 'bob@x', 'AZ-900', 'Expires', '31 Dec 2026', '31 Dec 2027', 'Applied']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from certnb.commit.outcome import Outcome
from certnb.commit.record import OutcomeRecord
from certnb.commit.result_report import next_step
from certnb.reports.labels import value_text
from certnb.staging.change_words import label as field_label
from certnb.staging.edit import RowSnapshot

__all__ = ["CHANGE_LOG_COLUMNS", "change_log", "outcome_words"]

CHANGE_LOG_COLUMNS: tuple[str, ...] = (
    "userDisplayName", "userPrincipalName", "displayName", "field", "before", "after", "outcome", "next_step",
    "reason", "staged_by", "committed_by",
)
"""The change log's columns, in order (labels: `certnb.reports.labels`)."""


def outcome_words(outcome: Outcome | str) -> str:
    """An outcome as the analyst reads it: "Applied", "Not permitted by this tenant".

    >>> outcome_words("already_applied")
    'Already applied'
    """
    words = Outcome.named(str(outcome)).label
    return words[:1].upper() + words[1:]


def change_log(
    records: Iterable[OutcomeRecord], rows: Mapping[tuple[str, str], RowSnapshot] | None = None
) -> pd.DataFrame:
    """One line per record of a commit result (`list(result)`), in people's words, needing attention first.

    `rows` are the certifications as loaded (`result.staged.rows`): they name the person and the
    certification; without them the ids stand in.
    """
    known = rows or {}
    lines: list[dict[str, Any]] = []
    for record in records:
        row = known.get((record.user_id, record.cert_id))
        lines.append({
            "userDisplayName": (row.user_display_name if row else None) or "",
            "userPrincipalName": (row.user_principal_name if row else None) or record.user_id,
            "displayName": (row.display_name if row else None) or record.cert_id,
            "field": field_label(record.field),
            "before": value_text(record.before, record.field) or "(empty)",
            "after": value_text(record.after, record.field) or "(empty)",
            "outcome": outcome_words(record.outcome),
            "next_step": _capitalised(next_step(record)),
            "reason": record.reason or "",
            "staged_by": record.staged_by or "",
            "committed_by": record.committed_by or "",
            "_done": record.outcome.done,
        })
    table = pd.DataFrame(lines, columns=[*CHANGE_LOG_COLUMNS, "_done"])
    table = table.sort_values("_done", kind="stable").drop(columns="_done")  # attention first
    return table.reset_index(drop=True).astype(object)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
