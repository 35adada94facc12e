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

import pandas as pd

from certnb.catalogue import Catalogue
from certnb.clusters import Cluster, find_clusters
from certnb.frame.distinct import Distinct, DistinctColumns
from certnb.frame.findings import findings_table
from certnb.schema import TEXT_DTYPE

__all__ = ["ISSUER_FIELDS", "clusters_of", "issuer_spelling", "spellings"]

ISSUER_FIELDS = ("issuingCompany", "issuingAuthority")
"""The columns the rule reads."""


def clusters_of(column: pd.Series | Distinct, catalogue: Catalogue | None, method: str = "default"
                ) -> list[Cluster]:
    """The clusters of a column's spellings (how many rows hold each counts), largest first; `column` may be
    given factorised already (`Distinct`)."""
    cells = column if isinstance(column, Distinct) else Distinct(column.astype(TEXT_DTYPE))
    # Most rows first, as `value_counts` lists them (the same sort over the same order of first appearance).
    counts = pd.Series(cells.counts, index=pd.Index(cells.uniques, dtype=object)).sort_values(ascending=False)
    tally = {str(k): int(v) for k, v in counts.items() if v and str(k).strip()}
    known = catalogue.issuer_names() if catalogue is not None else None
    return find_clusters(tally, method=method, known=known)


def spellings(column: pd.Series | Distinct, catalogue: Catalogue | None) -> dict[str, tuple[str, str]]:
    """Every spelling that is not its cluster's canonical one → (the canonical spelling, why)."""
    found: dict[str, tuple[str, str]] = {}
    for cluster in clusters_of(column, catalogue):
        found.update((m.spelling, (cluster.canonical, m.why)) for m in cluster.members[1:])
    return found


def issuer_spelling(
    frame: pd.DataFrame, catalogue: Catalogue | None, severity: str = "info",
    known: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
    cells: DistinctColumns | None = None,
) -> Iterable[pd.DataFrame]:
    """The rule's findings, one table per issuer column; `known`: each column's `spellings`, if made;
    `cells`: the issuer columns factorised (`certnb.frame.distinct.DistinctColumns`), if made."""
    for field in ISSUER_FIELDS:
        column = cells[field] if cells is not None else Distinct(frame[field].astype(TEXT_DTYPE))
        variants = known[field] if known is not None else spellings(column, catalogue)
        if not variants:
            continue
        found = [variants.get(u) for u in column.uniques]
        yield findings_table(
            frame, column.where(v is not None for v in found), "issuer-spelling", severity, field,
            column.take([None if v is None else f"{u!r} is spelled {v[0]!r} elsewhere in this tenant ({v[1]})"
                         for u, v in zip(column.uniques, found, strict=True)]),
            column.take([None if v is None else f"use {v[0]!r}" for v in found]),
            column.take([None if v is None else v[0] for v in found]))
