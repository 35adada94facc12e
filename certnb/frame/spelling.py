"""The `issuer-spelling` rule: the spellings of one issuer, clustered, each pointed at its canonical one.

The issuers of a column (issuing company, issuing authority) are clustered once per distinct spelling
(`certnb.clusters`, the default method, with the catalogue's names and aliases), so the cost follows the
number of spellings, not of rows; the findings are then made column-wise. Every finding suggests the
cluster's canonical spelling and says why the spelling joined it.

    >>> import pandas as pd
    >>> from certnb.catalogue import default_catalogue
    >>> spelled = spellings(pd.Series(["Microsoft", "Microsoft", "Micro soft", "ISACA"]), default_catalogue())
    >>> spelled["Micro soft"][0]
    'Microsoft'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from certnb.catalogue import Catalogue
from certnb.clusters import Cluster, find_clusters
from certnb.frame.distinct import per_distinct
from certnb.frame.findings import findings_table

__all__ = ["ISSUER_FIELDS", "clusters_of", "issuer_spelling", "spellings"]

ISSUER_FIELDS = ("issuingCompany", "issuingAuthority")
"""The columns the rule reads."""


def clusters_of(column: pd.Series, catalogue: Catalogue | None, method: str = "default") -> list[Cluster]:
    """The clusters of a column's spellings (how many rows hold each counts), largest first."""
    values = column.dropna()
    spelled = per_distinct(values.astype("string"), lambda v: v.strip() != "", missing=False)
    counts = values[np.array(spelled, dtype=bool)].value_counts()
    known = catalogue.issuer_names() if catalogue is not None else None
    return find_clusters({str(k): int(v) for k, v in counts.items()}, method=method, known=known)


def spellings(column: pd.Series, catalogue: Catalogue | None) -> dict[str, tuple[str, str]]:
    """Every spelling that is not its cluster's canonical one → (the canonical spelling, why)."""
    found: dict[str, tuple[str, str]] = {}
    for cluster in clusters_of(column, catalogue):
        found.update((m.spelling, (cluster.canonical, m.why)) for m in cluster.members[1:])
    return found


def issuer_spelling(
    frame: pd.DataFrame, catalogue: Catalogue | None, severity: str = "info",
    known: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
) -> Iterable[pd.DataFrame]:
    """The rule's findings, one table per issuer column; `known`: each column's `spellings`, if made."""
    for field in ISSUER_FIELDS:
        column = frame[field].astype("string")
        variants = known[field] if known is not None else spellings(column, catalogue)
        if not variants:
            continue
        canonical = pd.Series({s: c for s, (c, _) in variants.items()}, dtype=object)
        details = pd.Series({s: f"{s!r} is spelled {c!r} elsewhere in this tenant ({why})"
                             for s, (c, why) in variants.items()}, dtype=object)
        fixes = pd.Series({s: f"use {c!r}" for s, (c, _) in variants.items()}, dtype=object)
        mask = column.isin(list(variants)).fillna(False)
        plain = column.astype(object)
        yield findings_table(frame, mask, "issuer-spelling", severity, field, plain.map(details),
                             plain.map(fixes), plain.map(canonical))
