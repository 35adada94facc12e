"""Clusters of spellings that mean the same name, by a chosen method, each with its canonical spelling.

`find_clusters(counts, method=...)` takes the spellings of one column with how often each occurs and gives
the clusters of two or more spellings, largest first. A cluster lists its members with their counts and,
for each, why it joined (the method and the evidence); its `canonical` spelling is the catalogue's name for
the issuer when that is one of the members, else the most frequent member.

Methods (`METHODS`), after OpenRefine's "Clustering methods in-depth":

- `fingerprint`, `ngram-fingerprint`, `metaphone`, `nysiis`: key collision (`certnb.clusters.keys`);
- `levenshtein`: nearest neighbours at most `radius` edits apart (OpenRefine's default radius, 1);
- `token-ratio`: nearest neighbours whose sorted words are at least 90 % alike (rapidfuzz);
- `default`: precision first. The `name_key` collision (case, accents, punctuation, spaces, legal
  suffixes, known abbreviations), the catalogue's aliases (`known`), then typos: keys a few edits apart,
  never for names of five characters or fewer (SAP/SAS, ISC2/CISA) nor when their numbers differ (PSM I /
  PSM II, AZ-104 / AZ-204); a typo joins only a cluster's centre, so no chain of small steps ends far off.

    >>> [c.canonical for c in find_clusters({"Microsoft": 9, "MSFT": 2, "Micro soft": 1, "SAP": 3, "SAS": 2})]
    ['Microsoft']
    >>> [(m.spelling, m.count, m.why) for m in find_clusters({"ISACA": 5, "isaca ": 1})[0].members]
    [('ISACA', 5, 'the most frequent spelling'), ('isaca ', 1, "same name as 'ISACA' (name key 'isaca')")]
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from certnb.clusters.keys import KEYS, fingerprint, fold, name_key, name_words
from certnb.clusters.neighbours import close_pairs, similar_pairs

__all__ = ["METHODS", "Cluster", "Member", "find_clusters", "is_typo", "same_name", "typo_limit"]

METHODS: tuple[str, ...] = (
    "default",
    "fingerprint",
    "ngram-fingerprint",
    "metaphone",
    "nysiis",
    "levenshtein",
    "token-ratio",
)
"""The clustering methods `find_clusters` knows, `default` first."""

_ROMAN = frozenset({"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"})


@dataclass(frozen=True)
class Member:
    """One spelling of a cluster: how many rows hold it, and why it belongs."""

    spelling: str
    count: int
    why: str


@dataclass(frozen=True)
class Cluster:
    """Spellings taken for one name: `canonical` (the proposal), `members` (canonical first), `method`."""

    canonical: str
    members: tuple[Member, ...]
    method: str

    @property
    def spellings(self) -> tuple[str, ...]:
        """The members' spellings, canonical first."""
        return tuple(m.spelling for m in self.members)

    @property
    def rows(self) -> int:
        """How many rows hold one of the spellings."""
        return sum(m.count for m in self.members)

    def __repr__(self) -> str:
        spelled = ", ".join(f"{m.spelling!r} ×{m.count}" for m in self.members)
        return f"<Cluster {self.canonical!r} ({self.method}): {spelled}>"


def find_clusters(
    counts: Mapping[str, int] | Iterable[str],
    method: str = "default",
    known: Mapping[str, str] | None = None,
    radius: int = 1,
) -> list[Cluster]:
    """The clusters of two or more spellings among `counts` (spelling → rows, or the values themselves),
    most rows first. `known` maps a `name_key` to the catalogue's name (default method only).

    >>> find_clusters(["Cruise, Tom", "Tom Cruise", "tom cruise"], method="fingerprint")[0].canonical
    'Cruise, Tom'
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if not isinstance(counts, Mapping):
        counts = Counter(counts)
    tally = {str(s): int(n) for s, n in counts.items() if isinstance(s, str) and s.strip() and n > 0}
    if method == "default":
        found = _default(tally, known or {})
    elif method in KEYS:
        found = _by_key(tally, KEYS[method], method)
    elif method == "levenshtein":
        found = _levenshtein(tally, radius)
    else:
        found = _token_ratio(tally)
    return sorted(found, key=lambda c: (-c.rows, c.canonical))


def _ranked(spellings: Iterable[str], tally: Mapping[str, int]) -> list[str]:
    return sorted(spellings, key=lambda s: (-tally[s], s))


def _by_key(tally: Mapping[str, int], key: Callable[[str], str], method: str) -> list[Cluster]:
    groups: dict[str, list[str]] = defaultdict(list)
    for spelling in tally:
        groups[key(spelling)].append(spelling)
    clusters = []
    for value, spellings in groups.items():
        if len(spellings) < 2 or not value:
            continue
        first, *rest = _ranked(spellings, tally)
        members = [Member(first, tally[first], "the most frequent spelling")]
        members += [Member(s, tally[s], f"same {method} as {first!r} ({value!r})") for s in rest]
        clusters.append(Cluster(first, tuple(members), method))
    return clusters


def _stars(
    nodes: Sequence[str],
    weight: Mapping[str, int],
    pairs: Iterable[tuple[int, int, str]],
    fixed: Mapping[str, int] | None = None,
) -> dict[str, tuple[int, str, str]]:
    """Star clustering: nodes by weight, heaviest first; an unassigned node starts a cluster and recruits
    its unassigned neighbours. `fixed` nodes start in the given clusters and all recruit. → node →
    (cluster, the node that recruited it, the evidence)."""
    near: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for a, b, evidence in pairs:
        near[a].append((b, evidence))
        near[b].append((a, evidence))
    assigned: dict[int, tuple[int, int, str]] = {}
    recruiters: set[int] = set()
    for i, node in enumerate(nodes):
        if fixed and node in fixed:
            assigned[i] = (fixed[node], i, "")
            recruiters.add(i)
    clusters = max(fixed.values(), default=-1) + 1 if fixed else 0
    # Fixed nodes (the catalogue's names) recruit first: a typo joins a known name before any other.
    for i in sorted(range(len(nodes)), key=lambda i: (i not in recruiters, -weight[nodes[i]], nodes[i])):
        if i not in assigned:
            assigned[i] = (clusters, i, "")
            recruiters.add(i)
            clusters += 1
        if i not in recruiters:
            continue
        for j, evidence in sorted(near[i], key=lambda p: (p[1], nodes[p[0]])):
            if j not in assigned:
                assigned[j] = (assigned[i][0], i, evidence)
    return {nodes[i]: (c, nodes[by], evidence) for i, (c, by, evidence) in assigned.items()}


def _from_stars(
    tally: Mapping[str, int],
    text_of: Mapping[str, str],
    stars: Mapping[str, tuple[int, str, str]],
    method: str,
) -> list[Cluster]:
    by_cluster: dict[int, list[str]] = defaultdict(list)
    for spelling, text in text_of.items():
        by_cluster[stars[text][0]].append(spelling)
    clusters = []
    for spellings in by_cluster.values():
        if len(spellings) < 2:
            continue
        first, *rest = _ranked(spellings, tally)
        members = [Member(first, tally[first], "the most frequent spelling")]
        for s in rest:
            _, by, evidence = stars[text_of[s]]
            why = f"same text as {first!r} once folded" if not evidence else f"{evidence} from {by!r}"
            members.append(Member(s, tally[s], why))
        clusters.append(Cluster(first, tuple(members), method))
    return clusters


def _levenshtein(tally: Mapping[str, int], radius: int) -> list[Cluster]:
    text_of = {s: " ".join(fold(s).split()) for s in tally}
    nodes = sorted(set(text_of.values()))
    weight: Counter[str] = Counter()
    for s, text in text_of.items():
        weight[text] += tally[s]
    pairs = [(a, b, f"{d} edit{'s' if d > 1 else ''}") for a, b, d in close_pairs(nodes, most=radius)]
    return _from_stars(tally, text_of, _stars(nodes, weight, pairs), "levenshtein")


def _token_ratio(tally: Mapping[str, int]) -> list[Cluster]:
    text_of = {s: fingerprint(s) for s in tally if fingerprint(s)}
    nodes = sorted(set(text_of.values()))
    weight: Counter[str] = Counter()
    for s, text in text_of.items():
        weight[text] += tally[s]
    pairs = [(a, b, f"{score:.0f} % alike") for a, b, score in similar_pairs(nodes)]
    return _from_stars({s: tally[s] for s in text_of}, text_of, _stars(nodes, weight, pairs), "token-ratio")


def _marks(spelling: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """What must agree for two names to be one: their numbers, their roman numerals as words, their "+"s."""
    words = name_words(spelling)
    joined = "".join(words)
    return (*re.findall(r"\d+", joined), "+" * joined.count("+")), frozenset(w for w in words if w in _ROMAN)


def typo_limit(a: str, b: str) -> int:
    """How many edits two names (or the parts of two names that differ) may be apart and still be one
    name (-1: never), by the longer one's length: none up to 5 characters, 1 up to 11, 2 up to 19, then
    3; below 12 characters the first letters must agree, and the numbers always.

    >>> typo_limit("sap", "sas"), typo_limit("orcale", "oracle"), typo_limit("managment", "management")
    (0, 1, 1)
    >>> typo_limit("cisco", "disco"), typo_limit("az104", "az204")
    (-1, -1)
    """
    if re.findall(r"\d+", a) != re.findall(r"\d+", b):
        return -1
    longer = max(len(a), len(b))
    if longer < 12 and a[:1] != b[:1]:
        return -1  # "Disco" is not a typo of "Cisco": short names rarely lose their first letter
    return 0 if longer <= 5 else 1 if longer <= 11 else 2 if longer <= 19 else 3


def is_typo(a: list[str], b: list[str]) -> bool:
    """Whether two names, as words, differ by a typo only: the words they share at the start and at the
    end set aside, what is left (without spaces) is within `typo_limit`. A long shared tail ("… Professional
    Association") so never lets two distinct short names pass.

    >>> is_typo(["sans", "institute"], ["sas", "institute"]), is_typo(["amazon", "web", "servcies"],
    ...                                                             ["amazon", "web", "services"])
    (False, True)
    """
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    left, right = "".join(a[start : len(a) - end]), "".join(b[start : len(b) - end])
    if not left or not right:
        return False  # one name is the other plus words: "Google" and "Google Cloud" are not a typo
    return OSA.distance(left, right) <= typo_limit(left, right)


def same_name(a: str, b: str) -> bool:
    """Whether the default method takes two spellings for one name without other evidence: the same name
    key, or a typo apart with the same numbers, roman numerals and "+"s.

    >>> same_name("Project Managment Institute", "Project Management Institute"), same_name("PSM I", "PSM II")
    (True, False)
    """
    if name_key(a) == name_key(b):
        return True
    return _marks(a) == _marks(b) and is_typo(name_words(a), name_words(b))


def _default(tally: Mapping[str, int], known: Mapping[str, str]) -> list[Cluster]:
    key_of = {s: name_key(s) for s in tally}
    key_of = {s: k for s, k in key_of.items() if k}
    weight: Counter[str] = Counter()
    marks: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
    words: dict[str, list[str]] = {}
    for s, k in key_of.items():
        weight[k] += tally[s]
        if k not in words:
            words[k] = name_words(s)
            marks[k] = _marks(s)
    nodes = sorted(weight)
    catalogue = {k: known[k] for k in nodes if k in known}
    numbered = {name: i for i, name in enumerate(sorted(set(catalogue.values())))}
    fixed = {k: numbered[name] for k, name in catalogue.items()}

    pairs = [
        (a, b, f"{d} edit{'s' if d > 1 else ''}")
        for a, b, d in close_pairs(nodes, most=3)
        if marks[nodes[a]] == marks[nodes[b]]
        and not (nodes[a] in catalogue and nodes[b] in catalogue)
        and is_typo(words[nodes[a]], words[nodes[b]])
    ]
    stars = _stars(nodes, weight, pairs, fixed)
    by_cluster: dict[int, list[str]] = defaultdict(list)
    for spelling, key in key_of.items():
        by_cluster[stars[key][0]].append(spelling)
    clusters = []
    for spellings in by_cluster.values():
        if len(spellings) < 2:
            continue
        names = {catalogue[key_of[s]] for s in spellings if key_of[s] in catalogue}
        ranked = _ranked(spellings, tally)
        canonical = next((s for s in ranked if s in names), ranked[0])
        reason = "the catalogue's name" if canonical in names else "the most frequent spelling"
        members = [Member(canonical, tally[canonical], reason)]
        ways = set()
        for s in ranked:
            if s == canonical:
                continue
            key, (_, by, evidence) = key_of[s], stars[key_of[s]]
            if key == key_of[canonical]:
                why, way = f"same name as {canonical!r} (name key {key!r})", "name key"
            elif key in catalogue:
                why, way = f"an alias of {catalogue[key]!r} in the catalogue", "catalogue"
            elif evidence:
                why, way = f"{evidence} from name key {by!r} (a typo)", "typo"
            else:  # this spelling's key is the star's centre, which recruited the canonical one
                why, way = (
                    f"{stars[key_of[canonical]][2]} from name key {key_of[canonical]!r} (a typo)",
                    "typo",
                )
            ways.add(way)
            members.append(Member(s, tally[s], why))
        method = " + ".join(w for w in ("name key", "catalogue", "typo") if w in ways)
        clusters.append(Cluster(canonical, tuple(members), method))
    return clusters
