"""Synthetic tenants in the emulator's seed format (contract §10): a generator and the shipped sample.

`generate_tenant(users, seed)` builds a realistic organisation: about three certifications per user from a
catalogue of real-world credentials, with issuers, credential ids, verification and badge URLs, audiences and
server-set who/when fields (DateTimeOffsets with 7 fraction digits and `Z`). Same arguments, same bytes:
everything comes from one seeded `random.Random` and dates count from `reference_date`, never from today.

    >>> tenant = generate_tenant(users=3, seed=7)
    >>> sorted(tenant), len(tenant["users"])
    (['defaultUser', 'profilePropertySettings', 'profileSources', 'tenant', 'users'], 3)

Where each certification comes from (its `sources` and `isSearchable`, the tenant's profile sources and
their precedence) is drawn last, from generators of its own (sample_sources.py: user-entered items, items
from Organizational data or Entra ID, from the Workday HR connector, and from both the connector and the
person), so those draws change no other value. The credentials are credentials.py's `CATALOG`, the planted
defects defects.py's, and the seeded draws forge.py's `Forge`.

Audit cases a generated tenant holds at low rates (per certification, mutually exclusive, `AUDIT_RATES`):
expired (12% of expiring credentials), expiring within 30/60/90 days (3% each), missing `endDate` on an
expiring credential (4%), `endDate` before `startDate` (1%), `endDate` before `issuedDate` (1%), `startDate`
after `issuedDate` (1%), missing `certificationId` (3%), relative `webUrl` (1%), `ftp:` `thumbnailUrl` (1%),
every optional property `null` (1%); independently: the same certification entered twice (2%) and Microsoft
spelled another way (8% of Microsoft credentials).

The planted users below, and the other people of the sample HR export (`SAMPLE_EXPORT_PEOPLE`, whose
reconciliation is about the person's entries), keep only their own entries ("User initiated edits"); so do,
in every generated tenant, the audit cases the demo corrects (issuer spellings, credentials ending within
90 days of the reference date: `persons_to_fix`). The other certifications carry the mix of sources.

`sample_tenant()` is `data/tenant.json`, byte for byte (`write_json(sample_tenant(), "data/tenant.json")`),
so the emulator works without the data folder. Reference date `REFERENCE_DATE` = 2026-11-30 (R). Besides 66
generated users it holds these planted cases, each one tested in tests/test_sample_tenant.py:

audit case                    user (UPN @contoso.example)    certification: planted value
clean, signed in              megan.bowen (`defaultUser`)    CISA, ITIL 4, SC-200: valid and consistent
expired                       zoe.angstrom (Zoë Ångström)    AZ-104: endDate R−153 = 2026-06-30
expiring within 30 days       lukasz.zolc (Łukasz Żółć)      AWS Solutions Architect: endDate R+12 2026-12-12
expiring within 60 days       jose.nunez (José Núñez)        CISSP: endDate R+45 = 2027-01-14
expiring within 90 days       sean.o'brien (apostrophe)      PMP: endDate R+80 = 2027-02-18
non-ASCII certification       jose.nunez                     "Zertifizierter Datenschutzbeauftragter (TÜV)"
missing endDate               priya.raghunathan              CompTIA Security+ (a 3-year credential): null
endDate before startDate      tomasz.wisniewski              CKA: start 2025-03-01, end 2024-03-01
endDate before issuedDate     amara.okafor                   GCP Architect: issued 2025-02-01, end 2024-12-31
startDate after issuedDate    daniel.schroder                CCSP: issued 2024-05-01, start 2024-08-01
duplicate                     kenji.watanabe                 AZ-305 twice, same certificationId, new id
issuer spellings              fatima.al-sayed, lars.eriksen, chloe.dubois: issuingCompany "Microsoft
                              Corporation", "MSFT", "microsoft " (and a few generated ones, see rates)
missing certificationId       ravi.menon, ingrid.halvorsen   Terraform: null; CCNA: "" (blank)
bad URLs                      marcus.chen                    AZ-900: webUrl relative, thumbnailUrl ftp://
URL without scheme            olivia.grant                   AWS Cloud Practitioner: "www.credly.com/…"
combined audiences            zoe.angstrom, sean.o'brien     "contacts,organization" (AZ-900),
                                                             "contacts,groupMembers,organization" (PMP)
null properties               grace.mwangi                   First Aid at Work: all null but id,
                                                             displayName and the server-set fields
no certifications             hana.kobayashi, nestor.wilke   (empty lists)
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from certnb.emulator.credentials import CATALOG, CREDENTIALS_BY_KEY
from certnb.emulator.defects import (
    ALL_NULL_PROPERTIES,
    AUDIT_RATES,
    DUPLICATE_RATE,
    ISSUER_VARIANT_RATE,
    ISSUER_VARIANTS,
)
from certnb.emulator.forge import EXPIRY_STATES, Forge
from certnb.emulator.sample_sources import annotate_sources

__all__ = [  # the generator's names, and those it describes that moved to credentials/defects/forge.py
    "ALL_NULL_PROPERTIES", "AUDIT_RATES", "CATALOG", "DUPLICATE_RATE", "EXPIRY_STATES", "ISSUER_VARIANTS",
    "ISSUER_VARIANT_RATE", "REFERENCE_DATE", "SAMPLE_DOMAIN", "SAMPLE_EXPORT_PEOPLE",
    "SAMPLE_GENERATED_USERS", "SAMPLE_SEED", "generate_tenant", "persons_to_fix", "sample_tenant",
    "tenant_json", "write_json",
]

REFERENCE_DATE = dt.date(2026, 11, 30)
SAMPLE_DOMAIN = "contoso.example"
SAMPLE_SEED = 20261130
SAMPLE_GENERATED_USERS = 66
SAMPLE_EXPORT_PEOPLE = (
    "patti.patel", "yusuf.taylor", "carlos.lee", "samuel.johnson", "maria.petrov", "tomas.larsen",
    "anders.nguyen", "liam.silva", "elena.nguyen", "daniel.johnson", "emma.singh", "omar.kumar",
)
"""The generated people in data/hr-export.csv (tests/reconcile/hr_export.py `PEOPLE`), by UPN local part."""


def generate_tenant(users: int, seed: int, reference_date: dt.date = REFERENCE_DATE,
                    domain: str = SAMPLE_DOMAIN) -> dict[str, Any]:
    """A synthetic tenant in the seed format (contract §10); the first user is the `defaultUser`.

    >>> t = generate_tenant(users=2000, seed=1)
    >>> round(sum(len(u["certifications"]) for u in t["users"]) / 2000, 1)
    3.0
    """
    if isinstance(users, bool) or not isinstance(users, int) or users < 1:
        raise ValueError(f"users must be a whole number of at least 1; got {users!r}")
    forge = Forge(seed, reference_date, domain)
    tenant_id = forge.guid()
    people = forge.population(users)
    tenant = {"tenant": {"id": tenant_id, "domain": domain}, "defaultUser": people[0]["userPrincipalName"],
              "users": people}
    return annotate_sources(tenant, seed, only_user_edits=(), persons_to_fix=persons_to_fix(reference_date))


def sample_tenant() -> dict[str, Any]:
    """The shipped sample organisation, `data/tenant.json` (planted cases in the module docstring).

    >>> sample_tenant()["defaultUser"]
    'megan.bowen@contoso.example'
    """
    forge = Forge(SAMPLE_SEED, REFERENCE_DATE, SAMPLE_DOMAIN)
    tenant_id = forge.guid()
    r = REFERENCE_DATE
    days = dt.timedelta

    def person(first: str, last: str, *certs: tuple[str, dt.date | None, dict[str, Any]]) -> dict[str, Any]:
        someone = forge.user(first, last)
        for key, end, planted in certs:
            issued = planted.get("issuedDate")  # so that the record was created after it was issued
            day = dt.date.fromisoformat(issued) if isinstance(issued, str) else None
            certification = forge.certification(someone, CREDENTIALS_BY_KEY[key], end, day)
            certification.update(planted)
            someone["certifications"].append(certification)
        return someone

    def dates(start: str, issued: str, end: str) -> dict[str, Any]:
        return {"startDate": start, "issuedDate": issued, "endDate": end}

    together = "contacts,organization"
    planted = [
        person("Megan", "Bowen", ("cisa", r + days(610), {}), ("itil4", None, {}),
               ("sc-200", r + days(200), {"allowedAudiences": together})),
        person("Zoë", "Ångström", ("az-104", r - days(153), {"allowedAudiences": "organization"}),
               ("az-900", None, {"allowedAudiences": together})),
        person("Łukasz", "Żółć", ("aws-saa", r + days(12), {})),
        person("José", "Núñez", ("cissp", r + days(45), {}), ("tuv-dsb", r + days(400), {})),
        person("Seán", "O'Brien",
               ("pmp", r + days(80), {"allowedAudiences": "contacts,groupMembers,organization"})),
        person("Priya", "Raghunathan", ("security-plus", r + days(300), {"endDate": None})),
        person("Tomasz", "Wiśniewski", ("cka", None, dates("2025-03-01", "2025-03-01", "2024-03-01"))),
        person("Amara", "Okafor", ("gcp-pca", None, dates("2023-01-10", "2025-02-01", "2024-12-31"))),
        person("Daniel", "Schröder", ("ccsp", None, dates("2024-08-01", "2024-05-01", "2027-05-01"))),
        person("Kenji", "Watanabe", ("az-305", r + days(150), {}), ("az-900", None, {})),
        person("Fatima", "Al-Sayed", ("az-204", r + days(123), {"issuingCompany": "Microsoft Corporation"})),
        person("Lars", "Eriksen", ("pl-300", r + days(240), {"issuingCompany": "MSFT"})),
        person("Chloé", "Dubois", ("dp-203", r + days(170), {"issuingCompany": "microsoft "})),
        person("Ravi", "Menon", ("terraform", r + days(330), {"certificationId": None})),
        person("Ingrid", "Halvorsen", ("ccna", r + days(500), {"certificationId": ""})),
        person("Marcus", "Chen", ("az-900", None, {
            "webUrl": "/credentials/certifications/azure-fundamentals/",
            "thumbnailUrl": "ftp://files.contoso.example/badges/az-900.png"})),
        person("Olivia", "Grant",
               ("aws-ccp", r + days(700), {"webUrl": "www.credly.com/badges/aws-ccp/public_url"})),
        person("Grace", "Mwangi", ("first-aid", None, dict.fromkeys(ALL_NULL_PROPERTIES))),
        person("Hana", "Kobayashi"),
        person("Nestor", "Wilke"),
    ]
    kenji = planted[9]["certifications"]
    kenji.insert(1, forge.duplicate(planted[9], kenji[0]))
    tenant = {"tenant": {"id": tenant_id, "domain": SAMPLE_DOMAIN},
              "defaultUser": planted[0]["userPrincipalName"],
              "users": planted + forge.population(SAMPLE_GENERATED_USERS)}
    exported = {u["id"] for u in tenant["users"]
                if u["userPrincipalName"].split("@")[0] in SAMPLE_EXPORT_PEOPLE}
    return annotate_sources(tenant, SAMPLE_SEED, only_user_edits={p["id"] for p in planted} | exported,
                            persons_to_fix=persons_to_fix(REFERENCE_DATE))


def persons_to_fix(today: dt.date) -> Callable[[dict[str, Any]], bool]:
    """Whether a certification is an audit case the demo corrects (an issuer spelled another way, or ending
    within 90 days of `today`): such a case stays the person's own entry, so the person may fix it.

    >>> persons_to_fix(REFERENCE_DATE)({"issuingCompany": "MSFT", "endDate": None})
    True
    """
    def check(cert: dict[str, Any]) -> bool:
        end = cert.get("endDate")
        ending = end is not None and 0 <= (dt.date.fromisoformat(end) - today).days <= 90
        return ending or cert.get("issuingCompany") in ISSUER_VARIANTS
    return check


def tenant_json(tenant: dict[str, Any], indent: int | None = 2) -> str:
    """The seed file's text: UTF-8 names kept readable, indented, a final newline; same dict, same text.

    `indent=None` writes one line, about 30% smaller, for big generated tenants.

    >>> tenant_json({"tenant": {"id": "t", "domain": "d"}, "users": []}).splitlines()[0]
    '{'
    """
    return json.dumps(tenant, ensure_ascii=False, indent=indent) + "\n"


def write_json(tenant: dict[str, Any], path: str | Path, indent: int | None = 2) -> Path:
    """Write a tenant as a seed file (see `tenant_json`) and return its path.

    >>> write_json(generate_tenant(users=10, seed=1), "/tmp/tenant.json")  # doctest: +SKIP
    PosixPath('/tmp/tenant.json')
    """
    target = Path(path)
    target.write_bytes(tenant_json(tenant, indent).encode("utf-8"))
    return target
