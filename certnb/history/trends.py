"""Counts per snapshot, for trends: expired, expiring, findings by rule, certifications per issuer.

Each snapshot is counted on its own audit day (`asof`): expired means an end date before it, expiring an
end date within 90 days from it (inclusive), as `df.certs.expired`/`df.certs.expiring` say. Findings are
the audit's (`certnb.audit(df, asof)`), or the counts kept with the snapshot when its findings were given.
Issuers are `issuingCompany` as written, as `df.certs.summary("issuer")` groups them, missing ones as
"(none)" (`df.certs.clusters("issuingCompany")` gathers their spellings).

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "issuingCompany": "ISACA", "endDate": "2026-06-30", "certificationId": "C1"}]}])
    >>> counts(df, "2026-11-30")["expired"], counts(df, "2026-11-30")["issuer.ISACA"]
    (1, 1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from certnb.frame.audit import RULES, audit, expired, expiring

EXPIRING_DAYS = 90
FINDINGS_PREFIX = "findings."
ISSUER_PREFIX = "issuer."
TREND_COLUMNS: tuple[str, ...] = ("taken", "asof", "certifications", "expired", "expiring")
"""The first columns of a trends table; then `findings.<rule>` in the audit's rule order, `issuer.<name>`."""


def counts(frame: pd.DataFrame, asof: object, findings: Mapping[str, int] | None = None) -> dict[str, int]:
    """One snapshot's counts: certifications, expired, expiring, `findings.<rule>`, `issuer.<name>`.

    `findings` (rule → count) stands in for auditing `frame` again.
    """
    by_rule = dict(findings) if findings is not None else _findings(frame, asof)
    issuers = frame["issuingCompany"].astype(object).fillna("(none)").astype(str)  # as summary() groups them
    return {
        "certifications": len(frame),
        "expired": len(expired(frame, asof)),
        "expiring": len(expiring(frame, EXPIRING_DAYS, asof)),
        **{f"{FINDINGS_PREFIX}{rule}": int(n) for rule, n in by_rule.items()},
        **{f"{ISSUER_PREFIX}{name}": int(n) for name, n in issuers.value_counts(sort=False).items()},
    }


def trends_table(rows: Sequence[tuple[str, pd.Timestamp, pd.Timestamp, Mapping[str, int]]]) -> pd.DataFrame:
    """(snapshot id, taken, asof, counts) per snapshot → the trends table, one row per snapshot, oldest first.

    Columns: `TREND_COLUMNS`, then `findings.<rule>` for every rule found in any snapshot (audit order), then
    `issuer.<name>` (by name); a count a snapshot lacks is 0.

    >>> t = trends_table([("s1", pd.Timestamp("2026-10-01", tz="UTC"), pd.Timestamp("2026-10-01"),
    ...                    {"certifications": 2, "expired": 1, "expiring": 0, "findings.expired": 1})])
    >>> t.loc["s1", ["certifications", "findings.expired"]].tolist()
    [2, 1]
    """
    seen: dict[str, None] = {}
    for *_, found in rows:
        seen.update(dict.fromkeys(found))
    rank = {f"{FINDINGS_PREFIX}{rule}": i for i, rule in enumerate(RULES)}
    rules = sorted((c for c in seen if c.startswith(FINDINGS_PREFIX)),
                   key=lambda c: (rank.get(c, len(rank)), c))
    issuers = sorted((c for c in seen if c.startswith(ISSUER_PREFIX)), key=str.casefold)
    numbers = ["certifications", "expired", "expiring", *rules, *issuers]
    data: dict[str, Any] = {
        "taken": pd.Series([taken for _, taken, _, _ in rows], dtype="datetime64[us, UTC]"),
        "asof": pd.Series([asof for _, _, asof, _ in rows], dtype="datetime64[s]"),
    }
    for column in numbers:
        data[column] = pd.Series([int(found.get(column, 0)) for *_, found in rows], dtype="int64")
    table = pd.DataFrame(data, columns=["taken", "asof", *numbers])
    table.index = pd.Index([id for id, *_ in rows], dtype="string", name="snapshot")
    return table


def _findings(frame: pd.DataFrame, asof: object) -> dict[str, int]:
    table = audit(frame, asof)
    return {str(rule): int(n) for rule, n in table["rule"].value_counts(sort=False).items()}
