"""The picker's logic without widgets: criteria, options, pages, staged marks."""

from __future__ import annotations

import pandas as pd
import pytest
from widget_tenant import ASOF, BOB, IDS

from certnb.frame.build import build_frame
from certnb.staging import Staged
from certnb.widgets.selection import (
    Criteria,
    issuers,
    page_count,
    page_of,
    pick,
    row_caption,
    rules_found,
    staged_fields,
)
from certnb.widgets.selection import users as user_choices


def ids(frame: pd.DataFrame) -> list[str]:
    return [str(i) for i in frame["id"]]


def test_no_criteria_keeps_every_row_in_frame_order(frame: pd.DataFrame) -> None:
    assert ids(pick(frame, Criteria())) == ["a1", "a2", "b1", "b2", "c1", "c2"]


@pytest.mark.parametrize(("user", "expected"), [
    ("bob", ["b1", "b2"]),                 # part of a UPN
    ("CAROL CODER", ["c1", "c2"]),         # display name, any case
    (IDS[BOB], ["b1", "b2"]),              # object id
    ("nobody", []),
])
def test_user_criterion(frame: pd.DataFrame, user: str, expected: list[str]) -> None:
    assert ids(pick(frame, Criteria(user=user))) == expected


def test_issuer_criterion_ignores_case_and_spaces(frame: pd.DataFrame) -> None:
    assert ids(pick(frame, Criteria(issuer=" microsoft "))) == ["a1", "c1"]
    assert ids(pick(frame, Criteria(issuer="MSFT"))) == ["b1"]


def test_expiring_counts_from_asof_and_keeps_frame_order(frame: pd.DataFrame) -> None:
    assert ids(pick(frame, Criteria(expiring_within=30), asof=ASOF)) == ["a1"]
    assert ids(pick(frame, Criteria(expiring_within=365), asof=ASOF)) == ["a1", "b1", "c2"]
    assert ids(pick(frame, Criteria(expiring_within=0), asof="2026-12-15")) == ["a1"]


def test_finding_criterion_uses_the_audit(frame: pd.DataFrame) -> None:
    findings = frame.certs.audit(ASOF)
    assert ids(pick(frame, Criteria(finding="expired"), asof=ASOF, findings=findings)) == ["c1"]
    assert ids(pick(frame, Criteria(finding="bad-url"), asof=ASOF)) == ["b2"]
    assert "issuer-spelling" in rules_found(findings)


def test_criteria_combine(frame: pd.DataFrame) -> None:
    both = Criteria(user="carol", issuer="Microsoft", finding="expired")
    assert ids(pick(frame, both, asof=ASOF)) == ["c1"]
    assert ids(pick(frame, Criteria(user="adele", finding="expired"), asof=ASOF)) == []


def test_choices_are_sorted_and_deduplicated(frame: pd.DataFrame) -> None:
    assert user_choices(frame) == ["admin@contoso.example", "bob@contoso.example", "carol@contoso.example"]
    assert issuers(frame) == ["CNCF", "ISC2", "Microsoft", "MSFT", "PMI"]


def test_pages_of_a_large_frame() -> None:
    many = build_frame([{"id": f"u{n}", "userPrincipalName": f"u{n}@x", "certifications": [
        {"id": f"c{n}-{k}", "displayName": f"T{k}"} for k in range(10)]} for n in range(12)])
    assert page_count(len(many), 50) == 3
    assert len(page_of(many, 2, 50)) == 20
    assert page_of(many, 99, 50).index.tolist() == page_of(many, 2, 50).index.tolist()  # clamped
    assert page_of(many, -1, 50).index[0] == 0


def test_staged_marks_name_the_staged_fields(frame: pd.DataFrame, staged: Staged) -> None:
    staged.set(0, endDate="2027-12-31", issuingAuthority="Microsoft Corporation")
    marks = staged_fields(staged)
    assert marks == {(IDS["admin@contoso.example"], "a1"): ("endDate", "issuingAuthority")}
    records = frame.to_dict("records")
    assert row_caption(records[0], marks).endswith("staged: endDate, issuingAuthority")
    assert "staged" not in row_caption(records[1], marks)
    assert "no end date" in row_caption(records[3], marks)  # b2 has none
