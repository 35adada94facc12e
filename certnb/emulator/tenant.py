"""The emulated tenant: its users and their profile certifications, loaded from a seed (contract §10).

Seed format: `{"tenant": {"id", "domain"}, "defaultUser"?: UPN or id, "users": [{"id", "userPrincipalName",
"displayName", "password"?, "certifications": [<personCertification JSON>], ...other user properties}],
"profileSources"?: [<profileSource>], "profilePropertySettings"?: [<profilePropertySetting>]}` (§10, §13).

A seed certification without `sources` gets "User initiated edits" as its one source, naming the properties
it holds, and without `isSearchable` gets `true` [undocumented default]: every certification the emulator
answers carries both (contract §13). What the admin-controlled sources gave each certification is kept, so
`run_import()` can put it back after a write in the `revert` mode (ownership.py).

Stored certifications are replaced, never mutated in place (see `resource.patched`), so readers may hold on
to the dicts they got without copying the tenant per request. One lock guards every change, because admin
calls (`reset`, `state`) arrive from other threads than the server's.

>>> tenant = Tenant.from_seed({"tenant": {"id": "t1", "domain": "contoso.com"},
...                            "users": [{"id": "u1", "userPrincipalName": "adele@contoso.com"}]})
>>> tenant.find_user("ADELE@contoso.com").id
'u1'
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from certnb.emulator.ownership import annotation, given_properties, imported_values, reimported
from certnb.emulator.profile_sources import USER_EDITS, ProfileSources
from certnb.emulator.resource import PROPERTIES, identity_set, normalise_audiences, parse_date, timestamp

# The sample tenant (D's data/tenant.json) when it exists; otherwise `BUILTIN_SEED` below.
DEFAULT_SEED = Path(__file__).resolve().parents[2] / "data" / "tenant.json"

_USER_KEYS = ("id", "userPrincipalName", "displayName", "password", "certifications")
_WRITABLE = tuple(name for name, spec in PROPERTIES.items() if spec.writable)


class SeedError(ValueError):
    """A seed that does not follow the seed format (contract §10); the message names the place and the fix."""


@dataclass
class User:
    """One user of the tenant; `certifications` maps id → personCertification JSON in insertion order."""

    id: str
    user_principal_name: str
    display_name: str | None = None
    password: str | None = None
    certifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)  # other user properties of the seed (mail, ...)

    def to_graph(self) -> dict[str, Any]:
        """The user as `GET /users/{id}` shows it (basic properties, no password)."""
        return {
            "id": self.id,
            "userPrincipalName": self.user_principal_name,
            "displayName": self.display_name,
            **self.properties,
        }

    def to_seed(self) -> dict[str, Any]:
        seed = {**self.to_graph(), "certifications": copy.deepcopy(list(self.certifications.values()))}
        if self.password is not None:
            seed["password"] = self.password
        return seed


def _cert(seed: Any, where: str) -> dict[str, Any]:
    if not isinstance(seed, dict):
        raise SeedError(f"{where}: a certification must be a JSON object, got {type(seed).__name__}")
    # Graph answers every property, null ones included; `id` first as Graph writes it.
    cert: dict[str, Any] = {"id": None, **{name: None for name, spec in PROPERTIES.items() if spec.writable}}
    cert.update(copy.deepcopy(seed))
    cert.pop("@odata.type", None)  # added when rendering, never stored
    cert["id"] = str(uuid.uuid4()) if cert["id"] is None else str(cert["id"])
    for name in ("startDate", "endDate", "issuedDate"):
        value = cert.get(name)
        if value is not None and (not isinstance(value, str) or parse_date(value) is None):
            raise SeedError(f"{where}: {name} {value!r} is not a date YYYY-MM-DD")
    audiences = cert.get("allowedAudiences")
    if audiences is not None:
        normal = normalise_audiences(audiences) if isinstance(audiences, str) else None
        if normal is None:
            raise SeedError(f"{where}: allowedAudiences {audiences!r} has an unknown member")
        cert["allowedAudiences"] = normal
    if cert.get("isSearchable") is None:
        cert["isSearchable"] = True  # contract §13 [undocumented]: what an item without it is taken to be
    if cert.get("sources") is None:
        cert["sources"] = [annotation(USER_EDITS, given_properties(cert, _WRITABLE), default=True)]
    elif not isinstance(cert["sources"], list) or not all(
        isinstance(a, dict) and isinstance(a.get("sourceId"), str) for a in cert["sources"]
    ):
        raise SeedError(f"{where}: sources must be a list of {{sourceId, isDefaultSource, properties}}")
    return cert


def _user(seed: Any, index: int) -> User:
    where = f"users[{index}]"
    if not isinstance(seed, dict) or not isinstance(seed.get("userPrincipalName"), str):
        raise SeedError(f"{where}: a user must be an object with a string 'userPrincipalName'")
    user = User(
        id=str(seed.get("id") or uuid.uuid4()),
        user_principal_name=seed["userPrincipalName"],
        display_name=seed.get("displayName"),
        password=seed.get("password"),
        properties={k: v for k, v in seed.items() if k not in _USER_KEYS},
    )
    certs = seed.get("certifications", [])
    if not isinstance(certs, list):
        raise SeedError(f"{where}.certifications: must be a list")
    for position, cert_seed in enumerate(certs):
        cert = _cert(cert_seed, f"{where}.certifications[{position}]")
        if cert["id"] in user.certifications:
            raise SeedError(f"{where}.certifications[{position}]: duplicate id {cert['id']!r}")
        user.certifications[cert["id"]] = cert
    return user


class Tenant:
    """Users and their certifications, thread-safe; build one with `Tenant.from_seed`.

    >>> tenant = Tenant.from_seed(None)
    >>> tenant.default_user.user_principal_name  # doctest: +SKIP
    'adele.vance@contoso.com'
    """

    def __init__(
        self,
        tenant_id: str,
        domain: str,
        users: list[User],
        default_user: str | None = None,
        profile_sources: ProfileSources | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._set(tenant_id, domain, users, default_user, profile_sources or ProfileSources.from_seed(None))

    def _set(
        self,
        tenant_id: str,
        domain: str,
        users: list[User],
        default_user: str | None,
        profile_sources: ProfileSources,
    ) -> None:
        self.tenant_id = tenant_id
        self.domain = domain
        self.users = users
        self._by_id = {user.id: user for user in users}
        self._by_upn = {user.user_principal_name.casefold(): user for user in users}
        self._default_key = default_user
        self.profile_sources = profile_sources
        # (user id, certification id) → the certification as its admin-controlled sources gave it (§13)
        self.imports: dict[tuple[str, str], dict[str, Any]] = {}
        for user in users:
            for cert in user.certifications.values():
                snapshot = imported_values(cert, profile_sources)
                if snapshot is not None:
                    self.imports[(user.id, cert["id"])] = snapshot

    def __repr__(self) -> str:
        return f"<Tenant {self.tenant_id} {self.domain} users={len(self.users)}>"

    # ----------------------------------------------------------------- building
    @classmethod
    def from_seed(cls, seed: str | Path | dict[str, Any] | None) -> Tenant:
        """A tenant from a seed file, a seed dict, or None for the sample tenant.

        >>> Tenant.from_seed({"tenant": {"id": "t1"}, "users": []}).tenant_id
        't1'
        """
        where = "seed"
        if seed is None:
            seed = DEFAULT_SEED if DEFAULT_SEED.exists() else BUILTIN_SEED
        if isinstance(seed, str | Path):
            where = str(seed)
            try:
                seed = json.loads(Path(seed).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as err:
                raise SeedError(f"cannot read the seed {where}: {err}") from err
        if not isinstance(seed, dict):
            raise SeedError(f"{where}: a seed must be a JSON object with 'tenant' and 'users'")
        head = seed.get("tenant", {})
        users_seed = seed.get("users", [])
        if not isinstance(head, dict) or not isinstance(users_seed, list):
            raise SeedError(f"{where}: 'tenant' must be an object and 'users' a list (contract §10)")
        try:
            users = [_user(user, index) for index, user in enumerate(users_seed)]
        except SeedError as err:
            raise SeedError(f"{where}: {err}") from None
        if len({user.id for user in users}) != len(users):
            raise SeedError(f"{where}: two users share an id")
        if len({user.user_principal_name.casefold() for user in users}) != len(users):
            raise SeedError(f"{where}: two users share a userPrincipalName")
        tenant_id = str(head.get("id") or "00000000-0000-0000-0000-000000000000")
        domain = str(head.get("domain") or "contoso.onmicrosoft.com")
        default = seed.get("defaultUser")
        try:
            profile_sources = ProfileSources.from_seed(seed)
        except (KeyError, ValueError) as err:
            raise SeedError(f"{where}: profile sources: {err}") from None
        tenant = cls(tenant_id, domain, users, default if isinstance(default, str) else None, profile_sources)
        if default is not None and tenant.find_user(str(default)) is None:
            raise SeedError(f"{where}: defaultUser {default!r} is not one of the users")
        return tenant

    def to_seed(self) -> dict[str, Any]:
        """The tenant as it is now, in the seed format (a deep copy)."""
        with self._lock:
            seed: dict[str, Any] = {
                "tenant": {"id": self.tenant_id, "domain": self.domain},
                "users": [user.to_seed() for user in self.users],
            }
            if self._default_key is not None:
                seed["defaultUser"] = self._default_key
            seed.update(self.profile_sources.to_seed())
            return seed

    def replace(self, other: Tenant) -> None:
        """Take over `other`'s content in place (reset keeps every holder of this object current)."""
        with self._lock:
            self._set(other.tenant_id, other.domain, other.users, other._default_key, other.profile_sources)

    # ----------------------------------------------------------------- reading
    def find_user(self, key: str) -> User | None:
        """The user with this object id, or this UPN (case-insensitively), or None."""
        user = self._by_id.get(key)
        if user is None:
            user = self._by_upn.get(key.casefold())
        return user

    @property
    def default_user(self) -> User:
        """The seed's `defaultUser`, else the first user (who approves device codes, contract §10)."""
        with self._lock:
            if self._default_key is not None:
                user = self.find_user(self._default_key)
                if user is not None:
                    return user
            if not self.users:
                raise SeedError("the tenant has no users")
            return self.users[0]

    def certifications(self, user: User) -> list[dict[str, Any]]:
        """A snapshot of the user's certifications in insertion order (the dicts are never mutated)."""
        with self._lock:
            return list(user.certifications.values())

    def certification(self, user: User, cert_id: str) -> dict[str, Any] | None:
        """One certification of the user, or None."""
        return user.certifications.get(cert_id)

    # ----------------------------------------------------------------- writing
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the tenant's lock around a read-modify-write (PATCH reads, merges and stores)."""
        with self._lock:
            yield

    def store(self, user: User, cert: dict[str, Any]) -> None:
        """Add or replace a certification (by its `id`)."""
        with self._lock:
            user.certifications[cert["id"]] = cert

    def remove(self, user: User, cert_id: str) -> bool:
        """Delete a certification; False if there was none with that id."""
        with self._lock:
            return user.certifications.pop(cert_id, None) is not None

    def run_import(self) -> int:
        """What the next import from the admin-controlled sources does (contract §13): every value they own
        back as they gave it, a certification deleted in the meantime back whole. Returns how many
        certifications changed; each is stamped modified now by the source's import.

        >>> Tenant.from_seed(None).run_import()
        0
        """
        changed = 0
        with self._lock:
            for (user_id, cert_id), imported in self.imports.items():
                user = self._by_id.get(user_id)
                if user is None:
                    continue
                updated = reimported(user.certifications.get(cert_id), imported, self.profile_sources)
                if updated is None:
                    continue
                source_ids = [
                    a["sourceId"] for a in imported.get("sources") or [] if a["sourceId"] != USER_EDITS
                ]
                importer = identity_set(None, None)
                importer["application"] = {
                    "displayName": self.profile_sources.name_of(source_ids[0]) if source_ids else None,
                    "id": source_ids[0] if source_ids else None,
                }
                importer["user"] = None
                updated["lastModifiedDateTime"] = timestamp()
                updated["lastModifiedBy"] = importer
                user.certifications[cert_id] = updated
                changed += 1
        return changed


def _builtin_cert(n: int, title: str, authority: str, issued: str, end: str | None) -> dict[str, Any]:
    return {
        "id": f"c0ffee00-0000-4000-8000-{n:012d}",
        "displayName": title,
        "issuingAuthority": authority,
        "issuingCompany": authority,
        "certificationId": f"CERT-{n:04d}",
        "issuedDate": issued,
        "startDate": issued,
        "endDate": end,
        "allowedAudiences": "organization",
        "createdDateTime": f"{issued}T09:00:00.0000000Z",
        "lastModifiedDateTime": f"{issued}T09:00:00.0000000Z",
    }


# A tiny stand-in until data/tenant.json ships: UPNs with an apostrophe and non-ASCII letters on purpose.
BUILTIN_SEED: dict[str, Any] = {
    "tenant": {"id": "7d4b1c2e-9f3a-4e51-8a6b-2c0d9e8f1a34", "domain": "contoso.onmicrosoft.com"},
    "defaultUser": "adele.vance@contoso.onmicrosoft.com",
    "users": [
        {
            "id": "3f2a6c1e-8b4d-4f0a-9c7e-1a2b3c4d5e01",
            "userPrincipalName": "adele.vance@contoso.onmicrosoft.com",
            "displayName": "Adele Vance",
            "certifications": [
                _builtin_cert(1, "Azure Administrator Associate", "Microsoft", "2024-03-01", "2025-03-01"),
                _builtin_cert(2, "Certified Kubernetes Administrator", "CNCF", "2025-01-15", "2028-01-15"),
            ],
        },
        {
            "id": "3f2a6c1e-8b4d-4f0a-9c7e-1a2b3c4d5e02",
            "userPrincipalName": "patrick.o'brien@contoso.onmicrosoft.com",
            "displayName": "Patrick O'Brien",
            "certifications": [
                _builtin_cert(3, "PMP", "PMI", "2023-06-10", None),
            ],
        },
        {
            "id": "3f2a6c1e-8b4d-4f0a-9c7e-1a2b3c4d5e03",
            "userPrincipalName": "zoë.müller@contoso.onmicrosoft.com",
            "displayName": "Zoë Müller",
            "certifications": [],
        },
    ],
}
