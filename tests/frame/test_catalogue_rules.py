"""The audit rules from the reference catalogue, each on a case built for it, its suggested fix staged in one
call; and the sample tenant, on which they raise no false alarm."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from frame_sample import ASOF

import certnb.frame  # noqa: F401  (registers df.certs)
from certnb.catalogue import load_catalogue
from certnb.frame.build import build_frame
from certnb.frame.catalogue_rules import CATALOGUE_RULES
from certnb.staging import stage


def frame_of(*certifications: dict[str, Any]) -> pd.DataFrame:
    rows = [{"id": f"c{i}", "certificationId": f"R{i}", **c} for i, c in enumerate(certifications, start=1)]
    return build_frame(
        [
            {
                "id": "u1",
                "userPrincipalName": "ana@contoso.example",
                "displayName": "Ana",
                "certifications": rows,
            }
        ]
    )


def found(frame: pd.DataFrame, rule: str, **options: Any) -> pd.DataFrame:
    findings = frame.certs.audit(asof=ASOF, **options)
    return findings[findings["rule"] == rule]


def test_the_sample_tenant_raises_no_catalogue_finding(sample_frame: pd.DataFrame) -> None:
    findings = sample_frame.certs.audit(asof=ASOF)
    assert not findings["rule"].isin(list(CATALOGUE_RULES)).any()


def test_an_exam_code_as_title_suggests_the_certification_for_its_issuer() -> None:
    frame = frame_of(
        {"displayName": "AZ-104", "issuingAuthority": "Microsoft"},
        {"displayName": "az 305", "issuingCompany": "MSFT"},
        {"displayName": "200-301", "issuingAuthority": "Contoso"},  # not Cisco: no claim
        {"displayName": "AZ-104"},
    )  # no issuer: no claim
    rows = found(frame, "exam-code-title")
    assert rows[["id", "field", "suggested"]].values.tolist() == [
        ["c1", "displayName", "Microsoft Certified: Azure Administrator Associate"],
        ["c2", "displayName", "Microsoft Certified: Azure Solutions Architect Expert"],
    ]
    assert "'AZ-104' is the exam code of" in rows["detail"].iloc[0]


def test_a_title_alias_or_typo_suggests_the_catalogue_title_and_a_wrong_issuer_the_right_one() -> None:
    frame = frame_of(
        {"displayName": "CISSP", "issuingAuthority": "ISC2"},
        {"displayName": "Project Managment Professional (PMP)", "issuingAuthority": "PMI"},
        {"displayName": "Certified Information Systems Auditor (CISA)", "issuingAuthority": "ISC2"},
        {"displayName": "Professional Scrum Master II (PSM II)", "issuingAuthority": "Scrum.org"},
        {"displayName": "Contoso Safety Officer", "issuingAuthority": "Microsoft"},
    )
    rows = found(frame, "title-catalogue")
    assert rows[["id", "field", "suggested"]].values.tolist() == [
        ["c1", "displayName", "Certified Information Systems Security Professional (CISSP)"],
        ["c2", "displayName", "Project Management Professional (PMP)"],
        ["c3", "issuingAuthority", "ISACA"],
    ]


def test_an_unknown_issuer_is_named_and_a_typo_of_a_known_one_suggests_it() -> None:
    frame = frame_of(
        {"displayName": "Safety", "issuingAuthority": "Contoso Academy"},
        {"displayName": "Safety", "issuingCompany": "Hashicrop"},
        {"displayName": "Safety", "issuingAuthority": "(ISC)²"},
    )
    rows = found(frame, "unknown-issuer")
    assert rows[["id", "field", "value", "suggested"]].values.tolist() == [
        ["c1", "issuingAuthority", "Contoso Academy", None],
        ["c2", "issuingCompany", "Hashicrop", "HashiCorp"],
    ]
    mine = load_catalogue(issuers=[{"name": "Contoso Academy"}])
    assert found(frame, "unknown-issuer", catalogue=mine)["value"].tolist() == ["Hashicrop"]


def test_a_link_off_the_issuers_sites_is_flagged_but_badge_platforms_pass() -> None:
    frame = frame_of(
        {"displayName": "PMP", "issuingAuthority": "PMI", "webUrl": "https://pmi.example.net/x"},
        {"displayName": "PMP", "issuingAuthority": "PMI", "webUrl": "https://www.pmi.org/cert/1"},
        {"displayName": "CKA", "issuingAuthority": "CNCF", "webUrl": "https://www.credly.com/b/1"},
        {"displayName": "X", "issuingAuthority": "Contoso", "webUrl": "https://anything.example"},
    )
    rows = found(frame, "url-host")
    assert rows["id"].tolist() == ["c1"]
    assert rows["detail"].iloc[0] == (
        "pmi.example.net is none of Project Management Institute's sites (pmi.org) "
        "nor a credential platform's"
    )


def test_an_end_date_far_from_the_usual_validity_suggests_the_usual_one() -> None:
    frame = frame_of(
        {
            "displayName": "CISSP",
            "issuingAuthority": "ISC2",
            "issuedDate": "2025-03-01",
            "endDate": "2026-03-01",
        },
        {
            "displayName": "CISSP",
            "issuingAuthority": "ISC2",
            "issuedDate": "2025-03-01",
            "endDate": "2028-03-31",
        },
        {"displayName": "ITIL 4 Foundation", "issuedDate": "2020-01-01", "endDate": "2021-01-01"},
    )  # no expiry
    rows = found(frame, "unusual-validity")
    assert rows["id"].tolist() == ["c1"]
    assert rows["suggested"].iloc[0] == pd.Timestamp("2028-03-01")
    assert "valid 12 months (2025-03-01 → 2026-03-01)" in rows["detail"].iloc[0]


def test_every_suggested_fix_stages_in_one_call() -> None:
    frame = frame_of(
        {
            "displayName": "AZ-104",
            "issuingAuthority": "Microsoft",
            "issuedDate": "2026-01-10",
            "endDate": "2028-01-10",
        },
        {"displayName": "CISSP", "issuingAuthority": "Microsfot"},
        {"displayName": "CISSP", "issuingAuthority": "Microsoft"},
    )
    findings = frame.certs.audit(asof=ASOF)
    staged = stage(frame)
    staged.from_changes(frame.certs.fixes(findings))
    after = {(e.cert_id, e.field): e.after for e in staged}
    assert after[("c1", "displayName")] == "Microsoft Certified: Azure Administrator Associate"
    # Two findings on one cell: "Microsfot" is a spelling of Microsoft, but CISSP is ISC2's; the warning wins.
    assert after[("c2", "issuingAuthority")] == "ISC2"
    assert after[("c2", "displayName")] == "Certified Information Systems Security Professional (CISSP)"
    assert set(findings.loc[findings["suggested"].isna(), "rule"]) <= {
        "duplicate",
        "missing-certification-id",
        "url-host",
        "expired",
        "expiring-30",
        "expiring-60",
        "expiring-90",
        "end-before-start",
        "end-before-issue",
        "start-after-issue",
        "unknown-issuer",
        "bad-url",
    }


@pytest.mark.parametrize("rule", sorted(CATALOGUE_RULES))
def test_catalogue_rules_are_registered_with_their_severity(rule: str) -> None:
    from certnb.frame.audit import RULES

    assert RULES[rule] == CATALOGUE_RULES[rule]
