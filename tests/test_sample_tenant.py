"""data/tenant.json: reproducible from `sample_tenant()`, big enough, and holding every planted audit case
listed in certnb/emulator/generate.py — each one checked here against REFERENCE_DATE."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from reference_rows import flatten

from certnb.audience import Audience
from certnb.emulator.generate import REFERENCE_DATE, sample_tenant, tenant_json
from certnb.emulator.server import Emulator
from certnb.emulator.tenant import Tenant
from certnb.schema import FIELDS_BY_COLUMN

DATA = Path(__file__).resolve().parents[1] / "data" / "tenant.json"
DOMAIN = "contoso.example"


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def user(seed: dict[str, Any], local: str) -> dict[str, Any]:
    matches = [u for u in seed["users"] if u["userPrincipalName"] == f"{local}@{DOMAIN}"]
    assert len(matches) == 1, local
    found: dict[str, Any] = matches[0]
    return found


def cert(seed: dict[str, Any], local: str, title: str) -> dict[str, Any]:
    """The one certification of that user whose displayName contains `title`."""
    matches = [c for c in user(seed, local)["certifications"] if title in (c["displayName"] or "")]
    assert len(matches) == 1, (local, title, len(matches))
    found: dict[str, Any] = matches[0]
    return found


def days_left(certification: dict[str, Any]) -> int:
    return (dt.date.fromisoformat(certification["endDate"]) - REFERENCE_DATE).days


def test_the_file_is_exactly_what_sample_tenant_builds() -> None:
    expected = tenant_json(sample_tenant()).encode("utf-8")
    assert DATA.read_bytes() == expected, (
        "data/tenant.json is stale; regenerate it: python -c 'from certnb.emulator.generate import *; "
        "write_json(sample_tenant(), \"data/tenant.json\")'"
    )


def test_a_realistic_organisation_of_the_promised_size(seed: dict[str, Any]) -> None:
    certs = [c for u in seed["users"] for c in u["certifications"]]
    assert len(seed["users"]) >= 60 and len(certs) >= 200
    assert seed["tenant"]["domain"] == DOMAIN and len(seed["tenant"]["id"]) == 36
    assert len({c["id"] for c in certs}) == len(certs)
    assert len(Counter(c["issuingCompany"] for c in certs)) >= 10


def test_the_default_user_is_the_analyst_and_the_emulator_loads_the_file(seed: dict[str, Any]) -> None:
    assert seed["defaultUser"] == f"megan.bowen@{DOMAIN}"
    tenant = Tenant.from_seed(DATA)
    assert tenant.default_user.user_principal_name == seed["defaultUser"]
    assert tenant.find_user(f"SEAN.O'BRIEN@{DOMAIN}") is not None  # UPNs match case-insensitively


def test_the_analysts_own_certifications_are_clean(seed: dict[str, Any]) -> None:
    for c in user(seed, "megan.bowen")["certifications"]:
        assert c["certificationId"] and c["issuingCompany"] and c["startDate"] == c["issuedDate"]
        assert c["endDate"] is None or days_left(c) > 90


PLANTED: dict[str, Callable[[dict[str, Any]], None]] = {}


def planted(case: str) -> Callable[[Callable[[dict[str, Any]], None]], Callable[[dict[str, Any]], None]]:
    def register(check: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        PLANTED[case] = check
        return check

    return register


@planted("expired")
def _expired(seed: dict[str, Any]) -> None:
    c = cert(seed, "zoe.angstrom", "Azure Administrator Associate")
    assert c["endDate"] == "2026-06-30" and days_left(c) == -153


@planted("expiring within 30 days")
def _within_30(seed: dict[str, Any]) -> None:
    assert days_left(cert(seed, "lukasz.zolc", "AWS Certified Solutions Architect")) == 12


@planted("expiring within 60 days")
def _within_60(seed: dict[str, Any]) -> None:
    assert 30 < days_left(cert(seed, "jose.nunez", "(CISSP)")) == 45


@planted("expiring within 90 days")
def _within_90(seed: dict[str, Any]) -> None:
    assert 60 < days_left(cert(seed, "sean.o'brien", "(PMP)")) == 80


@planted("missing endDate on an expiring credential")
def _missing_end(seed: dict[str, Any]) -> None:
    c = cert(seed, "priya.raghunathan", "CompTIA Security+")
    assert c["endDate"] is None and c["issuedDate"] is not None


@planted("endDate before startDate")
def _end_before_start(seed: dict[str, Any]) -> None:
    c = cert(seed, "tomasz.wisniewski", "(CKA)")
    assert c["endDate"] < c["startDate"]


@planted("endDate before issuedDate (but after startDate)")
def _end_before_issue(seed: dict[str, Any]) -> None:
    c = cert(seed, "amara.okafor", "Professional Cloud Architect")
    assert c["startDate"] < c["endDate"] < c["issuedDate"]


@planted("startDate after issuedDate")
def _start_after_issue(seed: dict[str, Any]) -> None:
    c = cert(seed, "daniel.schroder", "(CCSP)")
    assert c["startDate"] > c["issuedDate"] and c["endDate"] > c["startDate"]


@planted("duplicate: the same certification twice")
def _duplicate(seed: dict[str, Any]) -> None:
    twins = [c for c in user(seed, "kenji.watanabe")["certifications"] if "Solutions Architect Expert" in
             c["displayName"]]
    assert len(twins) == 2 and twins[0]["id"] != twins[1]["id"]
    same = ("certificationId", "displayName", "issuedDate", "endDate", "issuingCompany")
    assert all(twins[0][key] == twins[1][key] for key in same)


@planted("issuer spelled several ways")
def _issuer_spellings(seed: dict[str, Any]) -> None:
    assert cert(seed, "fatima.al-sayed", "Azure Developer")["issuingCompany"] == "Microsoft Corporation"
    assert cert(seed, "lars.eriksen", "Power BI")["issuingCompany"] == "MSFT"
    assert cert(seed, "chloe.dubois", "Data Engineer")["issuingCompany"] == "microsoft "
    assert cert(seed, "zoe.angstrom", "Azure Fundamentals")["issuingCompany"] == "Microsoft"


@planted("missing certificationId (null and blank)")
def _missing_certification_id(seed: dict[str, Any]) -> None:
    assert cert(seed, "ravi.menon", "Terraform")["certificationId"] is None
    assert cert(seed, "ingrid.halvorsen", "(CCNA)")["certificationId"] == ""


@planted("bad URLs: relative, ftp:, no scheme")
def _bad_urls(seed: dict[str, Any]) -> None:
    marcus = cert(seed, "marcus.chen", "Azure Fundamentals")
    olivia = cert(seed, "olivia.grant", "Cloud Practitioner")
    refusals = [(marcus, "webUrl", "relative"), (marcus, "thumbnailUrl", "scheme 'ftp'"),
                (olivia, "webUrl", "relative")]
    for c, column, rule in refusals:
        with pytest.raises(ValueError, match=rule):
            FIELDS_BY_COLUMN[column].validate(c[column])


@planted("non-ASCII names and certification titles")
def _non_ascii(seed: dict[str, Any]) -> None:
    names = {u["displayName"] for u in seed["users"]}
    assert {"Zoë Ångström", "Łukasz Żółć", "José Núñez"} <= names
    assert cert(seed, "jose.nunez", "Datenschutzbeauftragter")["issuingCompany"] == "TÜV SÜD"


@planted("a UPN with an apostrophe")
def _apostrophe(seed: dict[str, Any]) -> None:
    assert user(seed, "sean.o'brien")["displayName"] == "Seán O'Brien"


@planted("users with no certifications")
def _no_certifications(seed: dict[str, Any]) -> None:
    for local in ("hana.kobayashi", "nestor.wilke"):
        assert user(seed, local)["certifications"] == []


@planted("combined audiences")
def _combined_audiences(seed: dict[str, Any]) -> None:
    assert cert(seed, "zoe.angstrom", "Azure Fundamentals")["allowedAudiences"] == "contacts,organization"
    pmp = Audience.parse(cert(seed, "sean.o'brien", "(PMP)")["allowedAudiences"], strict=True)
    assert list(pmp) == [Audience.contacts, Audience.groupMembers, Audience.organization]


@planted("null properties")
def _null_properties(seed: dict[str, Any]) -> None:
    c = cert(seed, "grace.mwangi", "First Aid at Work")
    nulls = [key for key, value in c.items() if value is None]
    assert len(nulls) == 11 and c["id"] and c["createdDateTime"] and c["createdBy"]


@pytest.mark.parametrize("case", list(PLANTED))
def test_planted_case(seed: dict[str, Any], case: str) -> None:
    PLANTED[case](seed)


def test_every_certification_reads_into_the_field_table(seed: dict[str, Any]) -> None:
    for u in seed["users"]:
        for c in u["certifications"]:
            row = flatten(c, u)
            assert row["userPrincipalName"] == u["userPrincipalName"] and row["id"] == c["id"]


def test_the_emulator_serves_the_sample_by_default() -> None:
    """`Emulator()` with no seed is this file: list the apostrophe user's certifications over HTTPS."""
    with Emulator() as emu:
        token = emu.access_token()
        upn = f"sean.o'brien@{DOMAIN}"
        reply = httpx.get(f"{emu.graph_url}/users/{quote(upn, safe='')}/profile/certifications",
                          headers={"Authorization": f"Bearer {token}"}, verify=emu.verify())
    assert reply.status_code == 200, reply.text
    assert [c["displayName"] for c in reply.json()["value"]] == ["Project Management Professional (PMP)"]
