"""Frames built page by page and joined equal the frame of one build (certnb.frame.build.join_frames), and
a load's interned texts change no value (certnb.frame.interning)."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pandas as pd
import pytest

from certnb.emulator.generate import generate_tenant
from certnb.frame.build import build_from_records, join_frames
from certnb.frame.interning import Interner
from certnb.frame.records import to_records


@pytest.fixture(scope="module")
def records() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A generated tenant's certifications and their people, with the odd shapes a part may or may not hold:
    unknown properties of text, of objects and of numbers, a null one, an annotation with extra keys."""
    certs, people = [], []
    for user in generate_tenant(users=300, seed=5)["users"]:
        for cert in user["certifications"]:
            certs.append(copy.deepcopy(cert))
            people.append({k: user[k] for k in ("id", "userPrincipalName", "displayName")})
    certs[5]["futureObject"] = {"a": 1}
    certs[500]["futureText"] = "x"
    certs[500]["sources"] = [{"id": "s-1", "futureKey": 1}]
    certs[600]["futureText"] = None
    certs[600]["futureNumber"] = 3
    return certs, people


@pytest.mark.parametrize("cuts", [(3, 3, 250, 499, 501), (1,), (500, 501, 600, 601)])
def test_parts_joined_are_the_frame_of_one_build(
    records: tuple[list[dict[str, Any]], list[dict[str, Any]]], cuts: tuple[int, ...]
) -> None:
    certs, people = records
    whole = build_from_records(certs, people, profile_sources=[{"id": "s-1", "displayName": "HR"}])
    bounds = [0, *cuts, len(certs)]
    parts = [build_from_records(certs[a:b], people[a:b], profile_sources=[{"id": "s-1", "displayName": "HR"}])
             for a, b in itertools.pairwise(bounds)]
    joined = join_frames(parts)
    pd.testing.assert_frame_equal(joined, whole)  # dtypes of unknown properties included
    assert joined.attrs == whole.attrs
    assert to_records(joined) == to_records(whole) == certs  # lossless, as Graph sent them


def test_joining_nothing_or_empty_parts_gives_the_empty_frame() -> None:
    empty = build_from_records([])
    pd.testing.assert_frame_equal(join_frames([]), empty)
    pd.testing.assert_frame_equal(join_frames([empty, empty]), empty)
    one = build_from_records([{"id": "c1"}])
    pd.testing.assert_frame_equal(join_frames([empty, one, empty]), one)


def test_interned_records_keep_every_value_and_share_repeated_texts(
    records: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    certs = copy.deepcopy(records[0])
    before = json.dumps(certs)
    interner = Interner()
    interner.records(certs[:400])
    interner.records(certs[400:])
    assert json.dumps(certs) == before
    annotated = [c for c in certs if c.get("sources")]
    firsts = [c["sources"][0]["properties"][0] for c in annotated if c["sources"][0].get("properties")]
    assert len({id(t) for t in firsts}) == len(set(firsts))  # one object per distinct text
    assert len({id(c["sources"]) for c in annotated}) == len(annotated)  # no container is shared
    assert len({id(c["id"]) for c in certs}) == len(certs)  # ids are left alone: they never repeat
