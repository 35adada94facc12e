"""The tenant generator: seed format, determinism, speed, realism and the rates of planted audit cases."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_rows import flatten

from certnb.emulator.credentials import CATALOG
from certnb.emulator.defects import AUDIT_RATES, DUPLICATE_RATE, ISSUER_VARIANT_RATE, ISSUER_VARIANTS
from certnb.emulator.forge import EXPIRY_STATES
from certnb.emulator.generate import REFERENCE_DATE, generate_tenant, tenant_json, write_json
from certnb.emulator.profile_sources import ENTRA_ID, ORGANIZATIONAL_DATA, USER_EDITS
from certnb.emulator.sample_sources import HR_SOURCE_ID
from certnb.emulator.tenant import Tenant
from certnb.schema import FIELDS_BY_COLUMN

GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z")
EXPIRING = {c.name for c in CATALOG if c.years is not None}


def certifications(tenant: dict[str, Any]) -> list[dict[str, Any]]:
    return [cert for user in tenant["users"] for cert in user["certifications"]]


@pytest.fixture(scope="module")
def big() -> dict[str, Any]:
    """3,000 users: enough certifications (~9,000) to measure rates of 1%."""
    return generate_tenant(users=3000, seed=11)


def test_the_seed_format_of_contract_section_10() -> None:
    tenant = generate_tenant(users=25, seed=3, domain="fabrikam.example")
    assert list(tenant) == ["tenant", "defaultUser", "users", "profileSources", "profilePropertySettings"]
    assert GUID.fullmatch(tenant["tenant"]["id"]) and tenant["tenant"]["domain"] == "fabrikam.example"
    assert tenant["defaultUser"] == tenant["users"][0]["userPrincipalName"]
    for user in tenant["users"]:
        assert list(user) == ["id", "userPrincipalName", "displayName", "certifications"]
        assert GUID.fullmatch(user["id"]) and user["userPrincipalName"].endswith("@fabrikam.example")
        for cert in user["certifications"]:
            assert GUID.fullmatch(cert["id"]) and "@odata.type" not in cert
            assert isinstance(cert["isSearchable"], bool) and cert["sources"]


def test_certifications_come_from_a_realistic_mix_of_sources(big: dict[str, Any]) -> None:
    """User-entered items, items from Organizational data, Entra ID, the HR connector, and from both the
    connector and the person (contract §13), at the rates sample_sources.py gives."""
    kinds: dict[tuple[str, ...], int] = {}
    for cert in certifications(big):
        ids = tuple(a["sourceId"] for a in cert["sources"])
        kinds[ids] = kinds.get(ids, 0) + 1
        defaults = [a for a in cert["sources"] if a["isDefaultSource"]]
        assert len(defaults) == 1  # one source wins for each item: the first by precedence
        named = [p for a in cert["sources"] for p in a["properties"]]
        assert len(named) == len(set(named))  # a property comes from one source of the item
        if "Import" in cert["source"]["type"] and ids != (USER_EDITS,):  # entered twice: the person's
            assert ids == (HR_SOURCE_ID,)
    total = sum(kinds.values())
    assert 0.5 < kinds[(USER_EDITS,)] / total < 0.8
    for ids in [(HR_SOURCE_ID,), (HR_SOURCE_ID, USER_EDITS), (ORGANIZATIONAL_DATA,), (ENTRA_ID,)]:
        assert kinds[ids] / total > 0.02, ids
    assert [s["sourceId"] for s in big["profileSources"]][-1] == HR_SOURCE_ID
    precedence = big["profilePropertySettings"][0]["prioritizedSourceUrls"]
    assert precedence[0] == f"/external/connections/{HR_SOURCE_ID}"


def test_same_arguments_give_the_same_bytes_and_another_seed_does_not() -> None:
    first = tenant_json(generate_tenant(users=200, seed=7))
    assert tenant_json(generate_tenant(users=200, seed=7)) == first
    assert tenant_json(generate_tenant(users=200, seed=8)) != first


def test_output_does_not_depend_on_string_hashing() -> None:
    """A fresh interpreter with another hash seed writes the same bytes (no set or hash order leaks in)."""
    program = "from certnb.emulator.generate import *; print(tenant_json(generate_tenant(60, 5)), end='')"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, check=True)
    assert other.stdout.decode("utf-8") == tenant_json(generate_tenant(60, 5))


def test_two_thousand_users_have_about_three_certifications_each() -> None:
    # How fast it generates them is measured by benchmarks/, not asserted here.
    tenant = generate_tenant(users=2000, seed=1)
    assert len(tenant["users"]) == 2000
    assert 2.5 <= sum(len(u["certifications"]) for u in tenant["users"]) / 2000 <= 3.5


@pytest.mark.parametrize("users", [0, -1, 2.5, True, "10"])
def test_refuses_a_user_count_that_is_not_a_positive_whole_number(users: Any) -> None:
    with pytest.raises(ValueError, match="users must be a whole number of at least 1"):
        generate_tenant(users=users, seed=1)


def test_ids_and_upns_are_unique(big: dict[str, Any]) -> None:
    users = big["users"]
    assert len({u["id"] for u in users}) == len(users)
    assert len({u["userPrincipalName"].casefold() for u in users}) == len(users)
    ids = [cert["id"] for cert in certifications(big)]
    assert len(set(ids)) == len(ids)


def test_about_three_certifications_per_user_and_some_users_without(big: dict[str, Any]) -> None:
    counts = Counter(len(user["certifications"]) for user in big["users"])
    assert 2.8 <= sum(n * k for n, k in counts.items()) / len(big["users"]) <= 3.3
    assert 0.05 <= counts[0] / len(big["users"]) <= 0.11
    assert max(counts) >= 7


def test_names_are_realistic_and_some_are_not_ascii(big: dict[str, Any]) -> None:
    names = [user["displayName"] for user in big["users"]]
    assert any(not name.isascii() for name in names)
    assert all(user["userPrincipalName"].isascii() for user in big["users"])
    assert any("'" in user["userPrincipalName"] for user in big["users"])  # O'Connor
    assert {cert["displayName"] for cert in certifications(big)} >= {"CompTIA Security+", "ITIL 4 Foundation"}


def test_every_value_is_valid_graph_data(big: dict[str, Any]) -> None:
    """Dates are dates, DateTimeOffsets have 7 digits and Z, audiences are members; the emulator loads it."""
    today = REFERENCE_DATE.isoformat()
    for user in big["users"]:
        for cert in user["certifications"]:
            row = flatten(cert, user)  # raises on anything Graph would never send
            assert DATETIME.fullmatch(cert["createdDateTime"])
            assert DATETIME.fullmatch(cert["lastModifiedDateTime"])
            assert cert["createdDateTime"] <= cert["lastModifiedDateTime"] < today
            assert cert["issuedDate"] is None or cert["issuedDate"] < today
            if cert["allowedAudiences"] is not None:
                FIELDS_BY_COLUMN["allowedAudiences"].validate(row["allowedAudiences"])
            creator = cert["createdBy"]["user"] or cert["createdBy"]["application"]
            assert creator["id"] in (user["id"], "5b1f0d2c-7e3a-4c55-9a1e-3f6d2b8c4e10")
    Tenant.from_seed(big)


def classify(cert: dict[str, Any], today: dt.date) -> str:
    """The one planted defect a certification shows, else its expiry state (the generator's categories)."""
    start, issued, end = cert["startDate"], cert["issuedDate"], cert["endDate"]
    if issued is None:
        return "all_null"
    if end is not None and end < start:
        return "end_before_start"
    if end is not None and end < issued:
        return "end_before_issue"
    if start > issued:
        return "start_after_issue"
    if cert["certificationId"] is None:
        return "missing_certification_id"
    if cert["webUrl"].startswith("/"):
        return "relative_web_url"
    if (cert["thumbnailUrl"] or "").startswith("ftp:"):
        return "ftp_thumbnail_url"
    if end is None:
        return "missing_end_date" if cert["displayName"] in EXPIRING else "never_expires"
    days = (dt.date.fromisoformat(end) - today).days
    return (
        "expired"
        if days < 0
        else "within30"
        if days <= 30
        else "within60"
        if days <= 60
        else "within90"
        if days <= 90
        else "valid"
    )


def test_audit_cases_occur_at_their_documented_low_rates(big: dict[str, Any]) -> None:
    certs = certifications(big)
    seen = Counter(classify(cert, REFERENCE_DATE) for cert in certs)
    expiring_credentials = sum(c["displayName"] in EXPIRING for c in certs)
    for defect, rate in AUDIT_RATES.items():
        base = expiring_credentials if defect == "missing_end_date" else len(certs)
        assert 0.5 * rate <= seen[defect] / base <= 1.6 * rate, (defect, seen[defect], base)
    expiring = sum(seen[state] for state, _ in EXPIRY_STATES)
    for state, rate in EXPIRY_STATES:
        assert 0.6 * rate <= seen[state] / expiring <= 1.5 * rate, (state, seen[state], expiring)


def test_duplicates_and_issuer_spellings_occur_at_their_rates(big: dict[str, Any]) -> None:
    certs = certifications(big)
    duplicates = sum(
        count - 1
        for user in big["users"]
        for count in Counter(
            (c["displayName"], c["certificationId"]) for c in user["certifications"]
        ).values()
    )
    assert 0.5 * DUPLICATE_RATE <= duplicates / len(certs) <= 1.6 * DUPLICATE_RATE
    microsoft = [c for c in certs if c["displayName"].startswith("Microsoft Certified")]
    companies = Counter(c["issuingCompany"] for c in microsoft)
    assert set(ISSUER_VARIANTS) <= set(companies)
    variants = sum(companies[v] for v in ISSUER_VARIANTS) / sum(companies.values())
    assert 0.5 * ISSUER_VARIANT_RATE <= variants <= 1.6 * ISSUER_VARIANT_RATE


def test_combined_audiences_and_imported_certifications_with_inference(big: dict[str, Any]) -> None:
    certs = certifications(big)
    audiences = Counter(c["allowedAudiences"] for c in certs)
    assert audiences["contacts,organization"] > 0 and audiences[None] > 0
    imported = [c for c in certs if c["createdBy"]["application"] is not None and c["issuedDate"] is not None]
    assert imported and all(0.6 <= c["inference"]["confidenceScore"] <= 0.99 for c in imported)
    assert {tuple(c["source"]["type"]) for c in certs} == {("User",), ("Import",)}


def test_dates_count_from_the_reference_date() -> None:
    later = dt.date(2031, 3, 15)
    tenant = generate_tenant(users=400, seed=2, reference_date=later)
    certs = certifications(tenant)
    assert all(c["createdDateTime"][:10] < later.isoformat() for c in certs)
    assert max(c["createdDateTime"] for c in certs) > "2030"
    seen = Counter(classify(cert, later) for cert in certs)
    assert seen["expired"] and seen["within30"] and seen["valid"]


def test_write_json_writes_the_seed_text(tmp_path: Path) -> None:
    tenant = generate_tenant(users=30, seed=4)
    path = write_json(tenant, tmp_path / "tenant.json")
    assert path.read_bytes() == tenant_json(tenant).encode("utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == tenant
    assert "Ø" in tenant_json({"name": "Øster"})  # names stay readable, not \\u escapes
    compact = write_json(tenant, tmp_path / "compact.json", indent=None)
    assert json.loads(compact.read_text(encoding="utf-8")) == tenant
    assert compact.stat().st_size < 0.8 * path.stat().st_size


@settings(max_examples=20, deadline=None)
@given(users=st.integers(1, 8), seed=st.integers(0, 2**64))
def test_any_seed_gives_a_tenant_the_emulator_and_the_client_both_read(users: int, seed: int) -> None:
    tenant = generate_tenant(users=users, seed=seed)
    loaded = Tenant.from_seed(tenant)
    assert [u.user_principal_name for u in loaded.users] == [u["userPrincipalName"] for u in tenant["users"]]
    for user in tenant["users"]:
        for cert in user["certifications"]:
            flatten(cert, user)
