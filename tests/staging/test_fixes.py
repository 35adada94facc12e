"""What each staged change fixes: the audit findings (certnb.frame.audit) its certification no longer has
with the staged values, judged for one `asof` day."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from certnb.frame.build import build_frame
from certnb.staging import Staged, stage
from certnb.staging.fixes import Fixes

ASOF = "2026-11-30"


def _cert(cert_id: str, title: str, end: str | None, **more: Any) -> dict[str, Any]:
    return {"id": cert_id, "displayName": title, "issuingCompany": "Microsoft",
            "certificationId": f"R-{cert_id}", "startDate": "2024-01-01", "issuedDate": "2024-01-01",
            "endDate": end, **more}


@pytest.fixture
def frame() -> pd.DataFrame:
    return build_frame([
        {"id": "u1", "userPrincipalName": "adele@x", "displayName": "Adele", "certifications": [
            _cert("expired", "AZ-104", "2026-01-31"),
            _cert("soon", "AZ-104", "2026-12-15"),
            _cert("msft", "AZ-900", "2028-01-31", issuingCompany="Microsft"),
            _cert("noref", "AZ-305", "2028-01-31", certificationId=None),
            _cert("url", "AZ-400", "2028-01-31", webUrl="learn.example/badge/1"),
        ]},
        {"id": "u2", "userPrincipalName": "bob@x", "displayName": "Bob", "certifications": [
            _cert("order", "AZ-104", "2023-06-30"),
            _cert("open", "AZ-104", None, issuedDate="2025-01-01", startDate="2025-01-01"),
            _cert("ok", "AZ-900", "2028-01-31"),
        ]},
        {"id": "u3", "userPrincipalName": "carol@x", "displayName": "Carol", "certifications": [
            _cert("c1", "AZ-104", "2028-01-31"), _cert("c2", "AZ-900", "2028-01-31"),
        ]},
    ])


def key(staged: Staged, cert_id: str) -> tuple[str, str]:
    frame = staged.frame
    assert frame is not None
    row = frame[frame["id"] == cert_id].iloc[0]
    return (str(row["userId"]), cert_id)


def fixes(frame: pd.DataFrame, staged: Staged) -> dict[tuple[str, str], tuple[str, ...]]:
    """cert id and field → the rules fixed."""
    return {(k[1], k[2]): rules for k, rules in Fixes(frame, ASOF).of(staged).items()}


def test_expires_moved_past_asof_fixes_expired_and_expiring(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.set(key(staged, "expired"), endDate="2027-06-30")
    staged.set(key(staged, "soon"), endDate="2027-12-15")
    assert fixes(frame, staged) == {("expired", "endDate"): ("expired",),
                                    ("soon", "endDate"): ("expiring-30",)}


def test_a_change_that_leaves_the_finding_fixes_nothing(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.set(key(staged, "expired"), endDate="2026-06-30")  # still before asof
    staged.set(key(staged, "soon"), endDate="2026-12-20")  # still within 30 days
    staged.set(key(staged, "ok"), description="renewed")  # had no finding
    assert fixes(frame, staged) == {}


def test_date_order_is_fixed_by_either_date_and_credited_to_the_one_changed(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.set(key(staged, "order"), startDate="2023-01-01", issuedDate="2023-01-01")
    found = fixes(frame, staged)
    assert found == {("order", "startDate"): ("end-before-start",),
                     ("order", "issuedDate"): ("end-before-issue",)}
    # The same end date moved past asof fixes both orders and "expired" at once.
    staged.unstage().set(key(staged, "order"), endDate="2027-06-30")
    assert fixes(frame, staged) == {("order", "endDate"): ("expired", "end-before-start", "end-before-issue")}


def test_the_tenant_wide_rules_are_judged_by_what_they_ask_for(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.set(key(staged, "msft"), issuingCompany="Microsoft")  # the tenant's preferred spelling
    staged.set(key(staged, "open"), endDate="2027-01-01")  # an end date where other holders have one
    staged.set(key(staged, "noref"), certificationId="AZ-305-77")
    staged.set(key(staged, "url"), webUrl="https://learn.example/badge/1")
    assert fixes(frame, staged) == {
        ("msft", "issuingCompany"): ("issuer-spelling",), ("open", "endDate"): ("missing-end-date",),
        ("noref", "certificationId"): ("missing-certification-id",), ("url", "webUrl"): ("bad-url",),
    }
    staged.set(key(staged, "msft"), issuingCompany="Micrsoft")  # another variant of the same spelling
    assert ("msft", "issuingCompany") not in fixes(frame, staged)


def test_the_loaded_frame_is_audited_once_and_rows_judged_once(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    judge = Fixes(frame, ASOF)
    staged.set(key(staged, "expired"), endDate="2027-06-30")
    first = judge.of(staged)
    assert judge.findings is Fixes(frame, ASOF, findings=judge.findings).findings
    staged.set(key(staged, "ok"), description="renewed")
    assert judge.of(staged) == first  # the new edit fixes nothing; the old row is answered from the cache
    assert len(judge._cache) == 1


def test_a_duplicate_is_judged_against_the_holders_other_certifications(frame: pd.DataFrame) -> None:
    # Adele holds AZ-104 twice ("expired" and "soon"): renaming one clears the duplicate.
    staged = stage(frame)
    staged.set(key(staged, "soon"), displayName="AZ-104 (renewed)")
    # ... and the exam code as its title (a title the catalogue does not know is no exam code).
    assert fixes(frame, staged) == {("soon", "displayName"): ("duplicate", "exam-code-title")}
    staged.set(key(staged, "soon"), displayName="az-104 ")  # the same title, spelt otherwise
    assert fixes(frame, staged) == {}
