"""The random draws of one synthetic tenant (ids, moments, people, certifications), from one seeded generator.

    >>> forge = Forge(seed=7, reference_date=dt.date(2026, 11, 30), domain="contoso.example")
    >>> forge.user("Łukasz", "Żółć")["userPrincipalName"]
    'lukasz.zolc@contoso.example'
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import unicodedata
from bisect import bisect
from collections.abc import Sequence
from random import Random
from typing import Any

from certnb.emulator.credentials import GENERATED_CREDENTIALS, Credential
from certnb.emulator.defects import DUPLICATE_RATE, plant_defect

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
def fold(name: str) -> str:
    """`"Van der Berg"` → `"vanderberg"`, `"Żółć"` → `"zolc"`, `"O'Brien"` → `"o'brien"`."""
    plain = unicodedata.normalize("NFKD", name.translate(_ASCII))
    return "".join(c for c in plain if c.isascii() and (c.isalnum() or c in "'-")).lower()


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Weighted:
    """A weighted choice table, built once (`Random.choices` re-adds the weights on every call)."""

    def __init__(self, table: Sequence[tuple[Any, float]]) -> None:
        self.items = [item for item, _ in table]
        self.bounds = list(itertools.accumulate(weight for _, weight in table))

    def pick(self, rng: Random) -> Any:
        return self.items[bisect(self.bounds, rng.random() * self.bounds[-1])]


class Forge:
    """All random choices of one tenant, drawn in a fixed order from one seeded generator."""

    def __init__(self, seed: int, reference_date: dt.date, domain: str) -> None:
        self.rng = Random(seed)
        self.today = reference_date
        self.domain = domain
        self.upns: dict[str, int] = {}
        self._audiences = Weighted(AUDIENCES)
        self._states = Weighted(EXPIRY_STATES)
        self._counts = Weighted(tuple(enumerate(CERTIFICATIONS_PER_USER)))

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
        local = f"{fold(first)}.{fold(last)}"
        count = self.upns[local] = self.upns.get(local, 0) + 1
        upn = f"{local}{count if count > 1 else ''}@{self.domain}"
        name = f"{first} {last}"
        return {"id": self.guid(), "userPrincipalName": upn, "displayName": name, "certifications": []}

    def population(self, users: int) -> list[dict[str, Any]]:
        people = []
        for _ in range(users):
            person = self.user(self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES))
            how_many = self._counts.pick(self.rng)
            for credential in self.rng.sample(GENERATED_CREDENTIALS, how_many):
                certification = self.certification(person, credential, self._expiry(credential))
                plant_defect(certification, self.rng)
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
            issued = (add_years(end, -credential.years) if end and credential.years
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
        slug = fold(person["displayName"])
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
