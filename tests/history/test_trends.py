"""Trends count each snapshot on its own audit day: expired, expiring within 90 days, findings by rule and
certifications per issuer; findings kept with a snapshot are used instead of auditing it again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import certnb
from certnb.frame.build import build_frame
from certnb.history import TREND_COLUMNS


def cert(cid: str, issuer: str | None, end: str | None, reference: str | None = "REF") -> dict[str, Any]:
    return {"id": cid, "displayName": f"Certification {cid}", "issuingCompany": issuer,
            "issuingAuthority": issuer, "certificationId": reference and f"{reference}-{cid}", "endDate": end}


def frame(*certifications: dict[str, Any]) -> pd.DataFrame:
    return build_frame([{"id": "u1", "userPrincipalName": "adele@contoso.example", "displayName": "Adele",
                         "certifications": list(certifications)}])


OCTOBER = frame(
    cert("a", "ISACA", "2026-09-01"),          # expired on 2026-10-01
    cert("b", "ISACA", "2026-12-15"),          # expiring: within 90 days of 2026-10-01 (to 2026-12-30)
    cert("c", "Microsoft", "2027-06-01"),      # neither
    cert("d", None, None, reference=None),     # no end date, no certificationId, no issuer
)
JANUARY = frame(*[c for c in (
    cert("a", "ISACA", "2026-09-01"),          # expired
    cert("b", "ISACA", "2026-12-15"),          # expired on 2027-01-01 now
    cert("c", "Microsoft", "2027-06-01"),      # still neither (2027-04-01 is the 90-day horizon)
    cert("e", "Microsoft", "2027-03-31"),      # expiring
)])


@pytest.fixture(params=["audits", "audits.duckdb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / str(request.param)
    certnb.snapshot(OCTOBER, path, tenant="contoso", taken="2026-10-01T09:00:00Z")
    certnb.snapshot(JANUARY, path, tenant="contoso", taken="2027-01-01T09:00:00Z")
    return path


def test_counts_per_snapshot_on_its_own_audit_day(store: Path) -> None:
    trends = certnb.history(store).trends()
    assert trends.index.tolist() == ["20261001T090000Z", "20270101T090000Z"]
    assert list(trends.columns[: len(TREND_COLUMNS)]) == list(TREND_COLUMNS)
    assert trends["asof"].tolist() == [pd.Timestamp("2026-10-01"), pd.Timestamp("2027-01-01")]
    assert trends["certifications"].tolist() == [4, 4]
    assert trends["expired"].tolist() == [1, 2]
    assert trends["expiring"].tolist() == [1, 1]
    assert trends["issuer.ISACA"].tolist() == [2, 2]
    assert trends["issuer.Microsoft"].tolist() == [1, 2]
    assert trends["issuer.(none)"].tolist() == [1, 0]


def test_findings_by_rule_are_the_audits_of_each_day(store: Path) -> None:
    trends = certnb.history(store).trends()
    assert trends["findings.expired"].tolist() == [1, 2]
    assert trends["findings.missing-certification-id"].tolist() == [1, 0]
    for snapshot_id, frame_, day in (("20261001T090000Z", OCTOBER, "2026-10-01"),
                                     ("20270101T090000Z", JANUARY, "2027-01-01")):
        expected = certnb.audit(frame_, asof=day)["rule"].value_counts()
        found = trends.loc[snapshot_id].filter(like="findings.")
        assert {k.removeprefix("findings."): v for k, v in found.items() if v} == expected.to_dict()
    rules = [c.removeprefix("findings.") for c in trends.columns if c.startswith("findings.")]
    assert rules == [r for r in certnb.frame.RULES if r in rules]  # the audit's own order


def test_findings_kept_with_a_snapshot_are_not_audited_again(tmp_path: Path) -> None:
    findings = pd.DataFrame({"rule": ["bad-url", "bad-url", "duplicate"]})
    certnb.snapshot(OCTOBER, tmp_path, taken="2026-10-01", findings=findings)
    trends = certnb.history(tmp_path).trends()
    kept = trends.filter(like="findings.").iloc[0].to_dict()
    assert kept == {"findings.duplicate": 1, "findings.bad-url": 2}


def test_a_snapshot_added_later_is_counted(store: Path) -> None:
    past = certnb.history(store)
    assert len(past.trends()) == 2
    certnb.snapshot(JANUARY.iloc[:1], store, taken="2027-02-01T09:00:00Z")
    assert past.trends()["certifications"].tolist() == [4, 4, 1]
    assert "3 snapshots" in repr(past)
