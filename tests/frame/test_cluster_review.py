"""Reviewing clusters: accept, rename, split, exclude; staged as ordinary edits, committed to the emulator,
read back and undone."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from frame_sample import SAMPLE

import certnb
from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame
from certnb.frame.cluster_review import ClusterReview
from certnb.staging import stage


@pytest.fixture
def frame() -> pd.DataFrame:
    issuers = ["Microsoft"] * 4 + [
        "MSFT",
        "Microsfot",
        "Micro soft",
        "Oracle",
        "Oracle",
        "Orcale",
        "SAP",
        "SAS",
    ]
    return build_frame(
        [
            {
                "id": "u1",
                "userPrincipalName": "ana@contoso.example",
                "displayName": "Ana",
                "certifications": [
                    {"id": f"c{i}", "displayName": f"T{i}", "issuingCompany": name}
                    for i, name in enumerate(issuers)
                ],
            }
        ]
    )


def test_nothing_is_merged_until_accepted(frame: pd.DataFrame) -> None:
    review = frame.certs.clusters("issuingCompany")
    assert [d.cluster.canonical for d in review.decisions] == ["Microsoft", "Oracle"]
    assert review.changes().empty
    assert set(review.table["action"]) == {"kept", "pending"}
    review.accept()
    assert sorted(review.changes()["before"]) == ["MSFT", "Micro soft", "Microsfot", "Orcale"]


def test_rename_exclude_and_split(frame: pd.DataFrame) -> None:
    review = frame.certs.clusters("issuingCompany")
    review.rename(0, "Microsoft Corporation")  # any name; accepts the cluster
    review.exclude(0, "Micro soft")
    new = review.split(0, ["Microsfot"])
    assert new == 2 and review.decisions[new].cluster.spellings == ("Microsfot",)
    assert not review.decisions[new].accepted
    changes = review.changes()
    assert dict(zip(changes["before"], changes["after"], strict=True)) == {
        "Microsoft": "Microsoft Corporation",
        "MSFT": "Microsoft Corporation",
    }
    assert "excluded" in set(review.table["action"])
    assert "0  'Microsoft Corporation'" in repr(review)


def test_mistakes_are_refused_naming_the_cluster_and_spelling(frame: pd.DataFrame) -> None:
    review = frame.certs.clusters("issuingCompany")
    with pytest.raises(IndexError, match="no cluster 7 of issuingCompany: there are 2"):
        review.accept(7)
    with pytest.raises(ValueError, match="cluster 1 of issuingCompany \\('Oracle'\\) has no spelling 'SAP'"):
        review.exclude(1, "SAP")
    with pytest.raises(ValueError, match="cannot be blank"):
        review.rename(0, " ")
    with pytest.raises(ValueError, match="some, not all"):
        review.split(1, ["Oracle", "Orcale"])
    with pytest.raises(
        ValueError, match="clusters are made of issuingCompany, issuingAuthority, displayName"
    ):
        frame.certs.clusters("webUrl")


def test_titles_cluster_too_with_the_catalogue_titles_as_canonical() -> None:
    titles = ["CompTIA Security+"] * 2 + ["Comptia Security+", "CompTIA Security", "PSM I", "PSM II"]
    frame = build_frame(
        [{"id": "u1", "certifications": [{"id": f"c{i}", "displayName": t} for i, t in enumerate(titles)]}]
    )
    review = ClusterReview(frame, "displayName", method="default")
    assert [d.cluster.spellings for d in review.decisions] == [("CompTIA Security+", "Comptia Security+")]


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=str(SAMPLE)) as running:
        yield running


def test_accepted_merges_commit_read_back_and_undo(emu: Emulator) -> None:
    with certnb.connect(emulator=emu, write=True, all_users=True) as graph:
        df = graph.load(users="all")
        before = df["issuingCompany"].value_counts().to_dict()
        review = df.certs.clusters("issuingCompany").accept()
        staged = review.stage(stage(df), reason="one spelling of Microsoft")
        assert {e.before for e in staged} == {"Microsoft Corporation", "MSFT", "microsoft "}
        assert {e.reason for e in staged} == {"one spelling of Microsoft"}
        result = graph.commit(staged)
        assert result.counts.get("applied") == len(review.changes())
        again = graph.load(users="all")
        assert again.certs.clusters("issuingCompany").decisions == []
        assert again["issuingCompany"].value_counts()["Microsoft"] == sum(
            before[s] for s in ("Microsoft", "Microsoft Corporation", "MSFT", "microsoft ")
        )
        graph.commit(result.undo())
        assert graph.load(users="all")["issuingCompany"].value_counts().to_dict() == before
