"""Pair precision and recall of each method on the labelled variants (tests/clusters/variants.csv).

The file holds spellings of issuers as people type them ("Amazon AWS", "Micro soft", "(ISC)²", "Project
Managment Institute", …) labelled with the issuer meant, and look-alikes of other issuers (SAP/SAS, Linux
Foundation / Linux Professional Institute, ISACA/ISC2, Scrum Alliance / Scrum.org, SANS/SAS, Google /
Google Cloud, PSM I / PSM II, …) each labelled as itself. A pair of spellings is a true pair when both name
the same issuer; a method's pairs are those it puts in one cluster. Each method's figures are printed
(`pytest -s tests/clusters/test_quality.py`); the default method must keep precision ≥ 0.98 and recall ≥ 0.90.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest

from certnb.catalogue import default_catalogue
from certnb.clusters import METHODS, find_clusters

VARIANTS = Path(__file__).with_name("variants.csv")

DISTINCT = [
    ("SAP", "SAS"), ("SAP SE", "SAS Institute"), ("Linux Foundation", "Linux Professional Institute"),
    ("ISACA", "ISC2"), ("Scrum Alliance", "Scrum.org"), ("SANS Institute", "SAS Institute"),
    ("Google", "Google Cloud"), ("Amazon", "Amazon Web Services"), ("ISC", "ISC2"), ("PSM I", "PSM II"),
    ("CompTIA Security+", "CompTIA Security"), ("Cisco", "Disco"), ("CSA Group", "Cloud Security Alliance"),
    ("Alibaba Cloud", "Alibaba Cloud Academy"), ("Oracle", "Oracle University"), ("IIA", "IIBA"),
]


def labelled() -> dict[str, str]:
    with VARIANTS.open(encoding="utf-8") as file:
        return {row["spelling"]: row["issuer"] for row in csv.DictReader(file)}


def pairs(groups: list[tuple[str, ...]]) -> set[frozenset[str]]:
    return {frozenset(p) for group in groups for p in itertools.combinations(group, 2)}


def scores(method: str, catalogue: bool = True) -> tuple[float, float]:
    label = labelled()
    truth = pairs([tuple(s for s in label if label[s] == issuer) for issuer in set(label.values())])
    known = default_catalogue().issuer_names() if catalogue else None
    found = pairs([c.spellings for c in find_clusters(dict.fromkeys(label, 1), method=method, known=known)])
    right = len(found & truth)
    return (right / len(found) if found else 1.0), right / len(truth)


def test_the_labelled_set_is_as_large_as_promised() -> None:
    label = labelled()
    issuers = {issuer for issuer in label.values() if list(label.values()).count(issuer) >= 3}
    assert len(label) >= 150 and len(issuers) >= 30
    for spelling in ("Amazon AWS", "Micro soft", "(ISC)²", "Project Managment Institute"):
        assert spelling in label


def test_the_default_method_meets_its_targets() -> None:
    precision, recall = scores("default")
    assert precision >= 0.98, f"default precision {precision:.3f}"
    assert recall >= 0.90, f"default recall {recall:.3f}"


def test_without_the_catalogue_the_default_method_stays_precise() -> None:
    precision, recall = scores("default", catalogue=False)
    assert precision >= 0.98, f"default without catalogue: precision {precision:.3f}"
    assert recall >= 0.75, f"default without catalogue: recall {recall:.3f}"


def test_precision_and_recall_of_every_method(capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["| method | pair precision | pair recall |", "|---|---|---|"]
    for method in METHODS:
        precision, recall = scores(method)
        lines.append(f"| {method} | {precision:.3f} | {recall:.3f} |")
        assert 0.0 < precision <= 1.0 and 0.0 < recall <= 1.0
    precision, recall = scores("default", catalogue=False)
    lines.append(f"| default, no catalogue | {precision:.3f} | {recall:.3f} |")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert scores("default")[1] > max(scores(m)[1] for m in METHODS if m != "default")


@pytest.mark.parametrize(("a", "b"), DISTINCT)
def test_known_distinct_names_stay_apart(a: str, b: str) -> None:
    for catalogue in (default_catalogue().issuer_names(), None):
        clusters = find_clusters({a: 5, b: 5}, known=catalogue)
        assert clusters == [], f"{a!r} and {b!r} were merged: {clusters}"
