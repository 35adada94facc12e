"""The audit rules against the cases planted in the sample tenant (certnb/emulator/generate.py), pinned to
its reference date, and the `df.certs` accessor."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from frame_sample import ASOF

import certnb.frame  # noqa: F401  (registers df.certs)
from certnb.frame.audit import FINDING_COLUMNS, RULES, audit, issuer_groups, issuer_key
from certnb.frame.catalogue_rules import CATALOGUE_RULES
from certnb.frame.owner_rules import OWNER_RULES


def findings_of(table: pd.DataFrame, user: str, rule: str | None = None) -> pd.DataFrame:
    rows = table[table["userPrincipalName"] == f"{user}@contoso.example"]
    return rows if rule is None else rows[rows["rule"] == rule]


@pytest.fixture
def findings(sample_frame: pd.DataFrame) -> pd.DataFrame:
    return sample_frame.certs.audit(asof=ASOF)


def test_findings_table_has_its_columns_and_known_rules(findings: pd.DataFrame) -> None:
    assert list(findings.columns) == list(FINDING_COLUMNS)
    # The sample tenant plants a case of every rule but the catalogue's (its titles, issuers, links and
    # validity agree with the catalogue: tests/frame/test_catalogue_rules.py builds their cases) and those
    # about owned values (tests/frame/test_owners.py builds theirs).
    assert set(findings["rule"]) == set(RULES) - set(CATALOGUE_RULES) - set(OWNER_RULES)
    assert (findings["severity"] == findings["rule"].map(RULES)).all()


def test_the_clean_signed_in_user_has_no_findings(findings: pd.DataFrame) -> None:
    assert findings_of(findings, "megan.bowen").empty  # incl. ITIL 4 without end date (never expires)


@pytest.mark.parametrize(
    ("user", "rule", "title", "end"),
    [
        ("zoe.angstrom", "expired", "Azure Administrator Associate", "2026-06-30"),
        ("lukasz.zolc", "expiring-30", "AWS Certified Solutions Architect", "2026-12-12"),
        ("jose.nunez", "expiring-60", "(CISSP)", "2027-01-14"),
        ("sean.o'brien", "expiring-90", "(PMP)", "2027-02-18"),
    ],
)
def test_expiry_buckets(findings: pd.DataFrame, user: str, rule: str, title: str, end: str) -> None:
    rows = findings_of(findings, user, rule)
    assert len(rows) == 1
    assert title in rows["displayName"].iloc[0]
    assert rows["value"].iloc[0] == pd.Timestamp(end)


@pytest.mark.parametrize(
    ("user", "rule", "field", "title"),
    [
        ("priya.raghunathan", "missing-end-date", "endDate", "CompTIA Security+"),
        ("tomasz.wisniewski", "end-before-start", "endDate", "(CKA)"),
        ("amara.okafor", "end-before-issue", "endDate", "Cloud Architect"),
        ("daniel.schroder", "start-after-issue", "startDate", "(CCSP)"),
        ("ravi.menon", "missing-certification-id", "certificationId", "Terraform"),
        ("ingrid.halvorsen", "missing-certification-id", "certificationId", "(CCNA)"),
        ("olivia.grant", "bad-url", "webUrl", "Cloud Practitioner"),
    ],
)
def test_planted_defects(findings: pd.DataFrame, user: str, rule: str, field: str, title: str) -> None:
    rows = findings_of(findings, user, rule)
    assert len(rows) == 1, rows
    assert rows["field"].iloc[0] == field
    assert title in rows["displayName"].iloc[0]


def test_missing_end_date_suggests_one_from_other_holders(findings: pd.DataFrame) -> None:
    row = findings_of(findings, "priya.raghunathan", "missing-end-date").iloc[0]
    assert isinstance(row["suggested"], pd.Timestamp)
    assert "usual" in row["fix"]


def test_duplicate_names_both_entries(findings: pd.DataFrame, sample_frame: pd.DataFrame) -> None:
    rows = findings_of(findings, "kenji.watanabe", "duplicate")
    assert len(rows) == 2 and rows["id"].nunique() == 2
    assert set(rows["displayName"]) == {"Microsoft Certified: Azure Solutions Architect Expert"}


def test_bad_urls_relative_ftp_and_schemeless(findings: pd.DataFrame) -> None:
    marcus = findings_of(findings, "marcus.chen", "bad-url")
    assert set(marcus["field"]) == {"webUrl", "thumbnailUrl"}
    olivia = findings_of(findings, "olivia.grant", "bad-url").iloc[0]
    assert olivia["suggested"] == "https://" + olivia["value"]


@pytest.mark.parametrize(
    ("user", "spelling"),
    [("fatima.al-sayed", "Microsoft Corporation"), ("lars.eriksen", "MSFT"), ("chloe.dubois", "microsoft ")],
)
def test_issuer_spellings_point_to_the_common_one(findings: pd.DataFrame, user: str, spelling: str) -> None:
    rows = findings_of(findings, user, "issuer-spelling")
    assert spelling in set(rows["value"])
    assert set(rows["suggested"]) == {"Microsoft"}


def test_issuer_grouping() -> None:
    assert issuer_key("Contoso, Ltd.") == issuer_key("contoso") == "contoso"
    assert issuer_key("Ångström Inc") == "angstrom"
    groups = issuer_groups(["ISACA", "ISACA", "ISC2", "Microsoft", "Micrososft", "Microsoft", "MSFT"])
    assert groups["ISC2"] == "ISC2" and groups["ISACA"] == "ISACA"  # alike, but not the same issuer
    assert groups["Micrososft"] == groups["MSFT"] == "Microsoft"


def test_asof_makes_results_reproducible(sample_frame: pd.DataFrame, findings: pd.DataFrame) -> None:
    again = sample_frame.certs.audit(asof=pd.Timestamp(ASOF))
    pd.testing.assert_frame_equal(findings, again)
    later = sample_frame.certs.audit(asof="2027-03-01")
    assert not findings_of(later, "sean.o'brien", "expired").empty  # PMP ended 2027-02-18
    assert findings_of(later, "lukasz.zolc", "expiring-30").empty


def test_expiring_and_expired(sample_frame: pd.DataFrame) -> None:
    soon = sample_frame.certs.expiring(days=30, asof=ASOF)
    assert "lukasz.zolc@contoso.example" in set(soon["userPrincipalName"])
    assert soon["endDate"].is_monotonic_increasing
    assert soon["endDate"].between(pd.Timestamp(ASOF), pd.Timestamp("2026-12-30")).all()
    within90 = sample_frame.certs.expiring(asof=ASOF)
    assert set(soon["id"]) < set(within90["id"])
    gone = sample_frame.certs.expired(asof=ASOF)
    assert (gone["endDate"] < pd.Timestamp(ASOF)).all()
    assert "zoe.angstrom@contoso.example" in set(gone["userPrincipalName"])
    with pytest.raises(ValueError, match="days"):
        sample_frame.certs.expiring(days=-1, asof=ASOF)
    with pytest.raises(ValueError, match="asof"):
        sample_frame.certs.expired(asof="soon")


def test_accessor_refuses_other_frames() -> None:
    with pytest.raises(AttributeError, match=r"missing columns: .*endDate"):
        _ = pd.DataFrame({"x": [1]}).certs


def test_accessor_stores_nothing(sample_frame: pd.DataFrame) -> None:
    accessor = sample_frame.certs
    assert set(vars(accessor)) == {"_frame"}
    sample_frame.loc[sample_frame.index[0], "endDate"] = pd.Timestamp("2000-01-01")
    assert sample_frame.index[0] in accessor.expired(asof=ASOF).index  # reads the frame as it is now


def test_summaries(sample_frame: pd.DataFrame) -> None:
    by_issuer = sample_frame.certs.summary("issuer", asof=ASOF)
    assert by_issuer["certifications"].sum() == len(sample_frame)
    assert (by_issuer["valid"] + by_issuer["expired"] == by_issuer["certifications"]).all()
    by_month = sample_frame.certs.summary("month", asof=ASOF)
    assert by_month.loc["2026-12", "expiring90"] >= 1
    assert by_month["certifications"].sum() == sample_frame["endDate"].notna().sum()
    by_user = sample_frame.certs.summary("user", asof=ASOF)
    assert by_user.loc["megan.bowen@contoso.example", "certifications"] == 3
    with pytest.raises(ValueError, match="issuer, user, month"):
        sample_frame.certs.summary("colour")


def test_charts_render_and_save_png(sample_frame: pd.DataFrame, tmp_path: Path) -> None:
    histogram = sample_frame.certs.histogram(asof=ASOF, path=tmp_path / "h.png")
    assert sum(p.get_height() for p in histogram.axes[0].patches) == sample_frame["endDate"].notna().sum()
    timeline = sample_frame.certs.timeline(asof=ASOF, path=tmp_path / "t.png", limit=20)
    assert len(timeline.axes[0].patches) == 20
    for name in ("h.png", "t.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_audit_of_an_empty_frame_is_empty(sample_frame: pd.DataFrame) -> None:
    assert audit(sample_frame.iloc[0:0], asof=ASOF).empty
