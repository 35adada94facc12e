"""Reviewing clusters of spellings before they are merged: accept, rename, split, exclude, then stage.

`df.certs.clusters("issuingAuthority")` clusters the column's spellings (`certnb.clusters`) and returns a
`ClusterReview`. Nothing is merged until you accept a cluster; `review.stage(staged)` then stages, for every
row holding a spelling of an accepted cluster, its cluster's canonical spelling, as ordinary edits
(`staged.from_changes`: validated, journaled, undoable like any edit).

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
    ...     {"id": "c1", "issuingAuthority": "Microsoft"}, {"id": "c2", "issuingAuthority": "Microsoft"},
    ...     {"id": "c3", "issuingAuthority": "MSFT"}, {"id": "c4", "issuingAuthority": "Micro soft"}]}])
    >>> review = ClusterReview(df, "issuingAuthority")
    >>> print(review)
    1 cluster of issuingAuthority (default), 0 accepted
      0  'Microsoft' ×2 ← 'MSFT' ×1, 'Micro soft' ×1  [name key]
    >>> review.exclude(0, "Micro soft").accept(0).changes()[["id", "before", "after"]].values.tolist()
    [['c3', 'MSFT', 'Microsoft']]
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from certnb.catalogue import Catalogue, default_catalogue
from certnb.clusters import Cluster, Member, find_clusters
from certnb.clusters.keys import name_key

__all__ = ["CLUSTER_FIELDS", "ClusterReview", "Decision"]

CLUSTER_FIELDS = ("issuingCompany", "issuingAuthority", "displayName")
"""The columns whose spellings are clustered."""

CHANGE_COLUMNS = ["userId", "id", "field", "before", "after"]


class _Stages(Protocol):
    """What `stage` needs of `certnb.stage(df)` (the staging layer sits above the frame)."""

    def from_changes(self, table: Any, *, reason: str | None = None) -> Any: ...


@dataclass
class Decision:
    """What the reviewer decided for one cluster: merged or not, into which name, leaving out which."""

    cluster: Cluster
    accepted: bool = False
    canonical: str = ""
    excluded: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.canonical = self.canonical or self.cluster.canonical

    @property
    def merged(self) -> list[Member]:
        """The members whose rows change: every member not excluded and not spelled as the canonical name."""
        return [
            m
            for m in self.cluster.members
            if m.spelling not in self.excluded and m.spelling != self.canonical
        ]


class ClusterReview:
    """The clusters of one column's spellings, each with a decision (`decisions`); see the module."""

    def __init__(
        self, frame: pd.DataFrame, field: str, method: str = "default", catalogue: Catalogue | None = None
    ) -> None:
        if field not in CLUSTER_FIELDS:
            raise ValueError(f"clusters are made of {', '.join(CLUSTER_FIELDS)}; got {field!r}")
        self.frame = frame
        self.field = field
        self.method = method
        chosen = default_catalogue() if catalogue is None else catalogue
        if field == "displayName":
            known = {
                name_key(spelling): cert.title
                for cert in chosen.certifications
                for spelling in (cert.title, *cert.aliases)
            }
        else:
            known = chosen.issuer_names()
        column = frame[field].dropna().astype(str)
        counts = column[column.str.strip() != ""].value_counts()
        clusters = find_clusters({str(k): int(v) for k, v in counts.items()}, method=method, known=known)
        self.decisions = [Decision(c) for c in clusters]

    def __len__(self) -> int:
        return len(self.decisions)

    def _decision(self, which: int) -> Decision:
        if not isinstance(which, int) or isinstance(which, bool) or not 0 <= which < len(self.decisions):
            raise IndexError(
                f"no cluster {which!r} of {self.field}: there are {len(self.decisions)} "
                f"(0 to {len(self.decisions) - 1})"
            )
        return self.decisions[which]

    def _members(self, decision: Decision, spellings: tuple[str, ...], which: int) -> None:
        known = set(decision.cluster.spellings)
        strangers = [s for s in spellings if s not in known]
        if strangers:
            raise ValueError(
                f"cluster {which} of {self.field} ({decision.canonical!r}) has no spelling "
                f"{strangers[0]!r}; its spellings are {', '.join(map(repr, sorted(known)))}"
            )

    def accept(self, *which: int) -> ClusterReview:
        """Merge these clusters (by number; none given: every cluster) when staged."""
        for i in which or range(len(self.decisions)):
            self._decision(i).accepted = True
        return self

    def reject(self, *which: int) -> ClusterReview:
        """Leave these clusters (none given: every cluster) as they are."""
        for i in which or range(len(self.decisions)):
            self._decision(i).accepted = False
        return self

    def rename(self, which: int, canonical: str) -> ClusterReview:
        """Merge cluster `which` into `canonical` (any name, not only a member's), and accept it."""
        if not isinstance(canonical, str) or not canonical.strip():
            raise ValueError(
                f"cluster {which} of {self.field}: the name to merge into cannot be blank; got {canonical!r}"
            )
        decision = self._decision(which)
        decision.canonical, decision.accepted = canonical, True
        return self

    def exclude(self, which: int, *spellings: str) -> ClusterReview:
        """Leave these spellings of cluster `which` as they are, whatever is merged."""
        decision = self._decision(which)
        self._members(decision, spellings, which)
        decision.excluded.update(spellings)
        return self

    def include(self, which: int, *spellings: str) -> ClusterReview:
        """Undo `exclude`."""
        decision = self._decision(which)
        self._members(decision, spellings, which)
        decision.excluded.difference_update(spellings)
        return self

    def split(self, which: int, spellings: list[str] | tuple[str, ...]) -> int:
        """Move `spellings` of cluster `which` into a cluster of their own (not accepted, its most frequent
        spelling as canonical); returns the new cluster's number."""
        decision = self._decision(which)
        moved = tuple(spellings)
        self._members(decision, moved, which)
        kept = [m for m in decision.cluster.members if m.spelling not in moved]
        if not moved or not kept:
            raise ValueError(
                f"cluster {which} of {self.field}: a split needs some, not all, of its spellings"
            )
        going = sorted(
            (m for m in decision.cluster.members if m.spelling in moved), key=lambda m: (-m.count, m.spelling)
        )
        canonical = kept[0].spelling if decision.canonical in moved else decision.canonical  # a rename stays
        decision.cluster = Cluster(canonical, tuple(kept), decision.cluster.method)
        decision.canonical = canonical
        decision.excluded -= set(moved)
        self.decisions.append(Decision(Cluster(going[0].spelling, tuple(going), "split")))
        return len(self.decisions) - 1

    @property
    def table(self) -> pd.DataFrame:
        """One line per spelling: cluster, spelling, count, canonical, why, and what staging will do."""
        lines = []
        for i, d in enumerate(self.decisions):
            for m in d.cluster.members:
                action = (
                    "excluded"
                    if m.spelling in d.excluded
                    else "kept"
                    if m.spelling == d.canonical
                    else f"→ {d.canonical}"
                    if d.accepted
                    else "pending"
                )
                lines.append((i, m.spelling, m.count, d.canonical, m.why, d.cluster.method, action))
        return pd.DataFrame(
            lines, columns=["cluster", "spelling", "count", "canonical", "why", "method", "action"]
        )

    def changes(self) -> pd.DataFrame:
        """The edits the accepted clusters make (userId, id, field, before, after), one per row changed."""
        after = {m.spelling: d.canonical for d in self.decisions if d.accepted for m in d.merged}
        column = self.frame[self.field].astype(object)
        chosen = column.isin(list(after)).to_numpy(dtype=bool)
        rows = self.frame[chosen]
        return pd.DataFrame(
            {
                "userId": rows["userId"].astype(object).to_numpy(),
                "id": rows["id"].astype(object).to_numpy(),
                "field": self.field,
                "before": column[chosen].to_numpy(),
                "after": column[chosen].map(after).to_numpy(),
            },
            columns=CHANGE_COLUMNS,
        )

    def stage(self, staged: _Stages, *, reason: str | None = None) -> Any:
        """Stage the accepted merges on `staged` (`certnb.stage(df)`) as edits, each with `reason` (why);
        refused as a whole if any edit breaks a rule (the error names the person, certification, field and
        value)."""
        return staged.from_changes(self.changes(), reason=reason)

    def __repr__(self) -> str:
        accepted = sum(d.accepted for d in self.decisions)
        lines = [
            f"{len(self.decisions)} cluster{'s' if len(self.decisions) != 1 else ''} of {self.field} "
            f"({self.method}), {accepted} accepted"
        ]
        for i, d in enumerate(self.decisions):
            others = ", ".join(
                f"{m.spelling!r} ×{m.count}" + (" (excluded)" if m.spelling in d.excluded else "")
                for m in d.cluster.members
                if m.spelling != d.canonical
            )
            count = next((m.count for m in d.cluster.members if m.spelling == d.canonical), 0)
            mark = "✓" if d.accepted else " "
            lines.append(f"{mark} {i}  {d.canonical!r} ×{count} ← {others}  [{d.cluster.method}]")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{c}</td><td>{html.escape(s)}</td><td>{n}</td><td>{html.escape(k)}</td>"
            f"<td>{html.escape(w)}</td><td>{html.escape(a)}</td></tr>"
            for c, s, n, k, w, _, a in self.table.itertuples(index=False)
        )
        head = "".join(f"<th>{h}</th>" for h in ("cluster", "spelling", "rows", "canonical", "why", "action"))
        return (
            f"<p>{html.escape(repr(self).splitlines()[0])}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
