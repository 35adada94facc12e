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
person), so those draws change no other value.

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
import functools
import itertools
import json
import unicodedata
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

from certnb.emulator.sample_sources import annotate_sources

REFERENCE_DATE = dt.date(2026, 11, 30)
SAMPLE_DOMAIN = "contoso.example"
SAMPLE_SEED = 20261130
SAMPLE_GENERATED_USERS = 66

AUDIT_RATES: dict[str, float] = {
    "missing_end_date": 0.04,
    "end_before_start": 0.01,
    "end_before_issue": 0.01,
    "start_after_issue": 0.01,
    "missing_certification_id": 0.03,
    "relative_web_url": 0.01,
    "ftp_thumbnail_url": 0.01,
    "all_null": 0.01,
}
"""Per-certification rates of the mutually exclusive planted defects in `generate_tenant`."""
ALL_NULL_PROPERTIES = (
    "allowedAudiences", "inference", "certificationId", "description", "endDate", "issuedDate",
    "issuingAuthority", "issuingCompany", "startDate", "thumbnailUrl", "webUrl",
)
"""What the `all_null` defect clears: every writable property except `displayName`."""
SAMPLE_EXPORT_PEOPLE = (
    "patti.patel", "yusuf.taylor", "carlos.lee", "samuel.johnson", "maria.petrov", "tomas.larsen",
    "anders.nguyen", "liam.silva", "elena.nguyen", "daniel.johnson", "emma.singh", "omar.kumar",
)
"""The generated people in data/hr-export.csv (tests/reconcile/hr_export.py `PEOPLE`), by UPN local part."""
DUPLICATE_RATE = 0.02
ISSUER_VARIANT_RATE = 0.08
ISSUER_VARIANTS = ("Microsoft Corporation", "MSFT", "microsoft ")
# Expiring credentials: expired / ends within 30 / 31-60 / 61-90 days / later.
EXPIRY_STATES = (
    ("expired", 0.12), ("within30", 0.03), ("within60", 0.03), ("within90", 0.03), ("valid", 0.79),
)
# Certifications per user, 0..7: mean 3.0 (3.06 with duplicates).
CERTIFICATIONS_PER_USER = (0.08, 0.14, 0.20, 0.21, 0.16, 0.11, 0.06, 0.04)
AUDIENCES = (
    ("organization", 55), ("contacts,organization", 14), ("everyone", 10), ("me", 8), ("contacts", 5),
    ("groupMembers,organization", 3), ("organization,federatedOrganizations", 2), (None, 3),
)


@dataclass(frozen=True)
class Credential:
    """A real-world certification: how it is named, who issues it, how its ids and URLs look."""

    key: str
    name: str
    company: str
    authority: str
    years: int | None  # validity; None = does not expire
    id_prefix: str
    id_alphabet: str  # "digits", "hex" or "alnum"
    id_length: int
    web: str  # templates: {guid}, {hex}
    badge: str | None
    description: str


_LEARN = "https://learn.microsoft.com/api/credentials/share/en-us/{slug}/{hex}?sharingId={guid}"
_CREDLY = "https://www.credly.com/badges/{guid}/public_url"
_CREDLY_BADGE = "https://images.credly.com/size/340x340/images/{guid}/image.png"
_MS_BADGE = "https://learn.microsoft.com/media/learn/certification/badges/{key}.svg"


def _microsoft(key: str, title: str, years: int | None, about: str) -> Credential:
    return Credential(key, f"Microsoft Certified: {title}", "Microsoft", "Microsoft", years, "", "hex", 16,
                      _LEARN, _MS_BADGE, about)


CATALOG: tuple[Credential, ...] = (
    _microsoft("az-900", "Azure Fundamentals", None, "Foundational knowledge of cloud services and Azure."),
    _microsoft("az-104", "Azure Administrator Associate", 1, "Implement and monitor Azure environments."),
    _microsoft("az-204", "Azure Developer Associate", 1, "Build and maintain cloud applications on Azure."),
    _microsoft("az-305", "Azure Solutions Architect Expert", 1, "Design cloud and hybrid solutions."),
    _microsoft("sc-200", "Security Operations Analyst Associate", 1, "Investigate and respond to threats."),
    _microsoft("sc-300", "Identity and Access Administrator Associate", 1, "Run Microsoft Entra ID."),
    _microsoft("pl-300", "Power BI Data Analyst Associate", 1, "Model and analyse data in Power BI."),
    _microsoft("dp-203", "Azure Data Engineer Associate", 1, "Integrate and transform data on Azure."),
    Credential("aws-saa", "AWS Certified Solutions Architect – Associate", "Amazon Web Services",
               "AWS Training and Certification", 3, "", "alnum", 16, _CREDLY, _CREDLY_BADGE,
               "Design distributed systems on AWS."),
    Credential("aws-ccp", "AWS Certified Cloud Practitioner", "Amazon Web Services",
               "AWS Training and Certification", 3, "", "alnum", 16, _CREDLY, _CREDLY_BADGE,
               "Overall understanding of the AWS Cloud."),
    Credential("cissp", "Certified Information Systems Security Professional (CISSP)", "ISC2", "ISC2", 3,
               "", "digits", 6, _CREDLY, _CREDLY_BADGE, "Design and manage a security programme."),
    Credential("ccsp", "Certified Cloud Security Professional (CCSP)", "ISC2", "ISC2", 3, "", "digits", 6,
               _CREDLY, _CREDLY_BADGE, "Secure data, applications and infrastructure in the cloud."),
    Credential("cisa", "Certified Information Systems Auditor (CISA)", "ISACA", "ISACA", 3, "", "digits", 8,
               "https://www.isaca.org/credentialing/verify-a-certification?id={hex}", None,
               "Audit, control and assure information systems."),
    Credential("cism", "Certified Information Security Manager (CISM)", "ISACA", "ISACA", 3, "", "digits", 8,
               "https://www.isaca.org/credentialing/verify-a-certification?id={hex}", None,
               "Manage enterprise information security."),
    Credential("pmp", "Project Management Professional (PMP)", "Project Management Institute", "PMI", 3, "",
               "digits", 7, "https://www.pmi.org/certifications/certification-resources/registry", None,
               "Lead projects across predictive, agile and hybrid approaches."),
    Credential("security-plus", "CompTIA Security+", "CompTIA", "CompTIA", 3, "COMP001", "digits", 9, _CREDLY,
               _CREDLY_BADGE, "Baseline cybersecurity skills."),
    Credential("ccna", "Cisco Certified Network Associate (CCNA)", "Cisco", "Cisco", 3, "CSCO", "digits", 8,
               _CREDLY, _CREDLY_BADGE, "Network fundamentals, access, security and automation."),
    Credential("gcp-pca", "Google Cloud Professional Cloud Architect", "Google Cloud", "Google Cloud", 2, "",
               "hex", 12, _CREDLY, _CREDLY_BADGE, "Design and manage solutions on Google Cloud."),
    Credential("cka", "Certified Kubernetes Administrator (CKA)", "The Linux Foundation",
               "Cloud Native Computing Foundation", 2, "LF-", "alnum", 10, _CREDLY, _CREDLY_BADGE,
               "Install, configure and run Kubernetes clusters."),
    Credential("terraform", "HashiCorp Certified: Terraform Associate (003)", "HashiCorp", "HashiCorp", 2, "",
               "alnum", 12, _CREDLY, _CREDLY_BADGE, "Infrastructure as code with Terraform."),
    Credential("itil4", "ITIL 4 Foundation", "PeopleCert", "AXELOS", None, "GR671", "digits", 8,
               "https://www.peoplecert.org/for-corporations/certificate-verification-service", None,
               "Service management concepts and practices."),
    Credential("psm1", "Professional Scrum Master I (PSM I)", "Scrum.org", "Scrum.org", None, "", "digits", 6,
               "https://www.scrum.org/certificates/{hex}", None, "Scrum theory and the Scrum Master role."),
    Credential("tuv-dsb", "Zertifizierter Datenschutzbeauftragter (TÜV)", "TÜV SÜD", "TÜV SÜD Akademie", 3,
               "DSB-", "digits", 7, "https://www.tuvsud.com/de-de/zertifikatsdatenbank?id={hex}", None,
               "Datenschutz nach DSGVO und BDSG."),
    Credential("first-aid", "First Aid at Work", "St John Ambulance", "St John Ambulance", 3, "SJA-",
               "digits", 7, "https://www.sja.org.uk/courses/workplace-first-aid-courses/", None,
               "Emergency first aid in the workplace."),
)
_BY_KEY = {c.key: c for c in CATALOG}
_GENERATED = tuple(c for c in CATALOG if c.key not in ("tuv-dsb", "first-aid"))

FIRST_NAMES = (
    "Adele", "Alex", "Allan", "Ana", "Anders", "Anna", "Ben", "Björn", "Carlos", "Chen", "Chloé", "Daniel",
    "David", "Diego", "Elena", "Emma", "Erik", "Fatima", "Francesca", "Grace", "Hana", "Hiroshi", "Ibrahim",
    "Ines", "Isaac", "James", "Jana", "Joni", "Julia", "Kai", "Karin", "Lee", "Lena", "Liam", "Lidia",
    "Lucas", "Lynne", "Maja", "Marek", "Maria", "Mateo", "Miriam", "Mohammed", "Nadia", "Noah", "Nora",
    "Oliver", "Omar", "Patti", "Pradeep", "Rafael", "Rosa", "Sakura", "Samuel", "Sara", "Sofia", "Søren",
    "Thabo", "Tomás", "Valentina", "Wei", "Yara", "Yusuf", "Zanele",
)
LAST_NAMES = (
    "Adeyemi", "Andersen", "Becker", "Bianchi", "Chen", "Costa", "Dubois", "Eriksson", "Fernández",
    "Fischer", "García", "Gonzalez", "Gupta", "Hansen", "Haddad", "Ito", "Jensen", "Johnson", "Kim",
    "Kowalczyk", "Kumar",
    "Larsen", "Lee", "Lindqvist", "López", "Martin", "Meyer", "Moreau", "Müller", "Nakamura", "Nguyen",
    "Novák", "O'Connor", "Okeke", "Patel", "Petrov", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith",
    "Sousa", "Suzuki", "Tanaka", "Taylor", "Van der Berg", "Wagner", "Walker", "Wang", "Williams", "Yilmaz",
    "Zhang", "Øster",
)
# Letters NFKD does not take apart; everything else loses its accents (UPNs are ASCII here).
_ASCII = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "đ": "d", "ı": "i"})


@functools.cache
def _fold(name: str) -> str:
    """`"Van der Berg"` → `"vanderberg"`, `"Żółć"` → `"zolc"`, `"O'Brien"` → `"o'brien"`."""
    plain = unicodedata.normalize("NFKD", name.translate(_ASCII))
    return "".join(c for c in plain if c.isascii() and (c.isalnum() or c in "'-")).lower()


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Weighted:
    """A weighted choice table, built once (`Random.choices` re-adds the weights on every call)."""

    def __init__(self, table: Sequence[tuple[Any, float]]) -> None:
        self.items = [item for item, _ in table]
        self.bounds = list(itertools.accumulate(weight for _, weight in table))

    def pick(self, rng: Random) -> Any:
        return self.items[bisect(self.bounds, rng.random() * self.bounds[-1])]


class _Forge:
    """All random choices of one tenant, drawn in a fixed order from one seeded generator."""

    def __init__(self, seed: int, reference_date: dt.date, domain: str) -> None:
        self.rng = Random(seed)
        self.today = reference_date
        self.domain = domain
        self.upns: dict[str, int] = {}
        self._audiences = _Weighted(AUDIENCES)
        self._states = _Weighted(EXPIRY_STATES)
        self._counts = _Weighted(tuple(enumerate(CERTIFICATIONS_PER_USER)))

    def guid(self) -> str:
        n = self.rng.getrandbits(128) & ~(0xF << 76) | (4 << 76)  # version 4
        n = n & ~(0x3 << 62) | (0x2 << 62)  # RFC 4122 variant
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def moment(self, day: dt.date) -> str:
        seconds = self.rng.randrange(7 * 3600, 19 * 3600)
        return f"{day.isoformat()}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}." \
               f"{self.rng.randrange(10_000_000):07d}Z"

    def user(self, first: str, last: str) -> dict[str, Any]:
        local = f"{_fold(first)}.{_fold(last)}"
        count = self.upns[local] = self.upns.get(local, 0) + 1
        upn = f"{local}{count if count > 1 else ''}@{self.domain}"
        name = f"{first} {last}"
        return {"id": self.guid(), "userPrincipalName": upn, "displayName": name, "certifications": []}

    def population(self, users: int) -> list[dict[str, Any]]:
        people = []
        for _ in range(users):
            person = self.user(self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES))
            how_many = self._counts.pick(self.rng)
            for credential in self.rng.sample(_GENERATED, how_many):
                certification = self.certification(person, credential, self._expiry(credential))
                self._plant_defect(certification)
                person["certifications"].append(certification)
                if self.rng.random() < DUPLICATE_RATE:
                    person["certifications"].append(self.duplicate(person, certification))
            people.append(person)
        return people

    def _expiry(self, credential: Credential) -> dt.date | None:
        if credential.years is None:
            return None
        state = self._states.pick(self.rng)
        low, high = {"expired": (-3 * 365, -1), "within30": (0, 30), "within60": (31, 60),
                     "within90": (61, 90), "valid": (91, credential.years * 365 - 5)}[state]
        return self.today + dt.timedelta(days=self.rng.randint(low, high))

    def certification(self, person: dict[str, Any], credential: Credential, end: dt.date | None,
                      issued: dt.date | None = None) -> dict[str, Any]:
        """One consistent personCertification: issued `years` before `end` (or any time if it never ends)."""
        rng = self.rng
        if issued is None:
            issued = (_add_years(end, -credential.years) if end and credential.years
                      else self.today - dt.timedelta(days=rng.randint(30, 8 * 365)))
        created_day = min(issued + dt.timedelta(days=rng.randint(0, 45)), self.today - dt.timedelta(days=1))
        modified_day, age = created_day, (self.today - created_day).days
        if rng.random() < 0.3 and age > 1:
            modified_day = created_day + dt.timedelta(days=rng.randint(1, age - 1))
        me = {"displayName": person["displayName"], "id": person["id"]}
        imported = rng.random() < 0.15
        app = {"displayName": "Contoso Learning Sync", "id": "5b1f0d2c-7e3a-4c55-9a1e-3f6d2b8c4e10"}
        creator = {"application": app if imported else None, "device": None, "user": None if imported else me}
        hexes = f"{rng.getrandbits(64):016X}"
        slug = _fold(person["displayName"])
        values = {"guid": self.guid(), "hex": hexes, "key": credential.key, "slug": slug}
        return {
            "id": self.guid(),
            "allowedAudiences": self._audiences.pick(rng),
            "createdDateTime": (created := self.moment(created_day)),
            "createdBy": creator,
            "inference": {"confidenceScore": round(rng.uniform(0.6, 0.99), 2),
                          "userHasVerifiedAccuracy": rng.random() < 0.5} if imported else None,
            "lastModifiedDateTime": created if modified_day == created_day else self.moment(modified_day),
            "lastModifiedBy": creator if modified_day == created_day else {**creator, "user": me},
            "source": {"type": ["Import" if imported else "User"]},
            "certificationId": credential.id_prefix + self._reference(credential),
            "description": credential.description if rng.random() < 0.6 else None,
            "displayName": credential.name,
            "endDate": end.isoformat() if end else None,
            "issuedDate": issued.isoformat(),
            "issuingAuthority": credential.authority,
            "issuingCompany": credential.company,
            "startDate": issued.isoformat(),
            "thumbnailUrl": credential.badge.format(**values) if credential.badge else None,
            "webUrl": credential.web.format(**values),
        }

    def _reference(self, credential: Credential) -> str:
        n, rng = credential.id_length, self.rng
        if credential.id_alphabet == "digits":
            return f"{rng.randrange(10**n):0{n}d}"
        if credential.id_alphabet == "hex":
            return f"{rng.getrandbits(4 * n):0{n}X}"
        return "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=n))

    def duplicate(self, person: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
        """The same certification entered again a little later (a new id, the same content)."""
        day = dt.date.fromisoformat(original["createdDateTime"][:10])
        yesterday = self.today - dt.timedelta(days=1)
        again = self.moment(min(day + dt.timedelta(days=self.rng.randint(1, 30)), yesterday))
        return {**original, "id": self.guid(), "createdDateTime": again, "lastModifiedDateTime": again,
                "lastModifiedBy": original["createdBy"]}

    def _plant_defect(self, cert: dict[str, Any]) -> None:
        roll = self.rng.random()
        for defect, rate in AUDIT_RATES.items():
            if roll < rate:
                _DEFECTS[defect](cert)
                break
            roll -= rate
        if cert["issuingCompany"] == "Microsoft" and self.rng.random() < ISSUER_VARIANT_RATE:
            cert["issuingCompany"] = self.rng.choice(ISSUER_VARIANTS)


def _shift(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


def _missing_end_date(cert: dict[str, Any]) -> None:
    cert["endDate"] = None


def _end_before_start(cert: dict[str, Any]) -> None:
    cert["endDate"] = _shift(cert["startDate"], -365)  # the year typed one too low


def _end_before_issue(cert: dict[str, Any]) -> None:
    cert["startDate"] = _shift(cert["issuedDate"], -400)
    cert["endDate"] = _shift(cert["issuedDate"], -30)


def _start_after_issue(cert: dict[str, Any]) -> None:
    cert["startDate"] = _shift(cert["issuedDate"], 92)


def _missing_certification_id(cert: dict[str, Any]) -> None:
    cert["certificationId"] = None


def _relative_web_url(cert: dict[str, Any]) -> None:
    cert["webUrl"] = "/" + cert["webUrl"].split("/", 3)[3]


def _ftp_thumbnail_url(cert: dict[str, Any]) -> None:
    cert["thumbnailUrl"] = f"ftp://files.contoso.example/badges/{cert['id'][:8]}.png"


def _all_null(cert: dict[str, Any]) -> None:
    cert.update(dict.fromkeys(ALL_NULL_PROPERTIES))


_DEFECTS = {
    "missing_end_date": _missing_end_date,
    "end_before_start": _end_before_start,
    "end_before_issue": _end_before_issue,
    "start_after_issue": _start_after_issue,
    "missing_certification_id": _missing_certification_id,
    "relative_web_url": _relative_web_url,
    "ftp_thumbnail_url": _ftp_thumbnail_url,
    "all_null": _all_null,
}


def generate_tenant(users: int, seed: int, reference_date: dt.date = REFERENCE_DATE,
                    domain: str = SAMPLE_DOMAIN) -> dict[str, Any]:
    """A synthetic tenant in the seed format (contract §10); the first user is the `defaultUser`.

    >>> t = generate_tenant(users=2000, seed=1)
    >>> round(sum(len(u["certifications"]) for u in t["users"]) / 2000, 1)
    3.0
    """
    if isinstance(users, bool) or not isinstance(users, int) or users < 1:
        raise ValueError(f"users must be a whole number of at least 1; got {users!r}")
    forge = _Forge(seed, reference_date, domain)
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
    forge = _Forge(SAMPLE_SEED, REFERENCE_DATE, SAMPLE_DOMAIN)
    tenant_id = forge.guid()
    r = REFERENCE_DATE
    days = dt.timedelta

    def person(first: str, last: str, *certs: tuple[str, dt.date | None, dict[str, Any]]) -> dict[str, Any]:
        someone = forge.user(first, last)
        for key, end, planted in certs:
            issued = planted.get("issuedDate")  # so that the record was created after it was issued
            day = dt.date.fromisoformat(issued) if isinstance(issued, str) else None
            certification = forge.certification(someone, _BY_KEY[key], end, day)
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
