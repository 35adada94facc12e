"""The tenant's profile sources and their precedence (contract §13): who a profile value comes from.

    profileSource           an admin-configured system profile data comes from (Entra ID, an HR connector …)
    profilePropertySetting  the tenant-level setting whose `prioritizedSourceUrls` orders the sources
    profileSourceAnnotation on every profile item: `{sourceId, isDefaultSource, properties}` (resource.py)

An annotation's `sourceId` is the profile source's `sourceId` (the docs' MSEntra source has
`sourceId` "4ce763dd-…", the id the annotation table gives Microsoft Entra ID); a connector's is the
readable id its admin chose (`"workdayhr"`). Values from *admin-controlled* sources cannot be edited
through Graph; values from "User initiated edits" can (profileSourceAnnotation page). Which sources are
admin-controlled is read here: every source except `USER_EDITABLE_SOURCES` [inferred, contract §13].

>>> sources = ProfileSources.from_seed(None)
>>> [s.kind for s in sources.sources]
['MSEntra', 'OrgData']
>>> sources.admin_controlled(USER_EDITS), sources.admin_controlled(ENTRA_ID)
(False, True)
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The ID to source mapping of the profileSourceAnnotation resource page (contract §13).
ENTRA_ID = "4ce763dd-9214-4eff-af7c-da491cc3782d"
ENTRA_ID_ALTERNATE = "0024a795-114d-4031-95c7-5fb543e00e80"  # "might be combined into one in the future"
ORGANIZATIONAL_DATA = "7986c642-b494-4140-8df4-f5ed125e2c67"
SHAREPOINT_UPA = "6cdc4422-8c05-40c5-902e-8ade707725ab"
MICROSOFT_ACCOUNT = "9a3e0ce2-cf4b-477e-b3b3-df246318e251"
USER_EDITS = "46a57efc-33f8-4eec-a512-b90039ad6187"
PHOTO_ETAG = "107a83c9-714e-4d52-9d08-c303f081323b"
SKILLS_IN_VIVA = "75d4238e-b142-4d2d-aed9-232b830b8706"

USER_EDITABLE_SOURCES = frozenset({USER_EDITS, MICROSOFT_ACCOUNT, SKILLS_IN_VIVA})
"""Sources whose values a user edits in Graph; every other source is admin-controlled [inferred: the docs
name Entra ID and Organizational data as admin-controlled and user initiated edits as editable]."""

KNOWN_SOURCE_NAMES: dict[str, str] = {
    ENTRA_ID: "Microsoft Entra ID",
    ENTRA_ID_ALTERNATE: "Microsoft Entra ID",
    ORGANIZATIONAL_DATA: "Organizational Data in Microsoft 365",
    SHAREPOINT_UPA: "SharePoint User Profile Application (UPA)",
    MICROSOFT_ACCOUNT: "Microsoft account (MSA)",
    USER_EDITS: "User initiated edits",
    PHOTO_ETAG: "Photo Etag",
    SKILLS_IN_VIVA: "Skills In Viva",
}
"""The docs' names of the well-known source ids."""

ENTRA_URL = "https://login.microsoftonline.com"
"""How `prioritizedSourceUrls` names Entra ID (profilepriority-configure-profilepropertysetting)."""


def connection_url(source_id: str) -> str:
    """How `prioritizedSourceUrls` names a connector's source: its external connection.

    >>> connection_url("workdayhr")
    '/external/connections/workdayhr'
    """
    return f"/external/connections/{source_id}"


@dataclass
class ProfileSource:
    """One `profileSource` (entity): a system-generated `id`, and the admin's `sourceId` (alternate key)."""

    id: str
    source_id: str
    kind: str | None = None
    display_name: str | None = None
    web_url: str | None = None
    localizations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        """This source as `prioritizedSourceUrls` names it."""
        if self.source_id in (ENTRA_ID, ENTRA_ID_ALTERNATE):
            return ENTRA_URL
        return connection_url(self.source_id)

    def to_graph(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sourceId": self.source_id,
            "kind": self.kind,
            "displayName": self.display_name,
            "webUrl": self.web_url,
            "localizations": copy.deepcopy(self.localizations),
        }

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> ProfileSource:
        return cls(
            id=str(body.get("id") or uuid.uuid4()),
            source_id=str(body["sourceId"]),
            kind=body.get("kind"),
            display_name=body.get("displayName"),
            web_url=body.get("webUrl"),
            localizations=copy.deepcopy(list(body.get("localizations") or [])),
        )


@dataclass
class PropertySetting:
    """One `profilePropertySetting`; the one without a `name` holds the tenant's precedence."""

    id: str
    name: str | None = None
    display_name: str | None = None
    prioritized_source_urls: list[str] = field(default_factory=list)

    def to_graph(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "displayName": self.display_name,
            "name": self.name,
            "prioritizedSourceUrls": list(self.prioritized_source_urls),
        }

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> PropertySetting:
        return cls(
            id=str(body.get("id") or uuid.uuid4()),
            name=body.get("name"),
            display_name=body.get("displayName"),
            prioritized_source_urls=[str(u) for u in body.get("prioritizedSourceUrls") or []],
        )


# What a tenant has before its admin configures anything: the out-of-the-box Microsoft sources, Entra first
# ("By default, Entra ID is the prioritized source of profile data in an organization").
DEFAULT_SOURCES: tuple[dict[str, Any], ...] = (
    {"id": "520c18f8-0284-4d79-9b14-8a2d74461370", "sourceId": ENTRA_ID, "kind": "MSEntra",
     "displayName": "Microsoft Entra ID", "webUrl": ENTRA_URL,
     "localizations": [{"displayName": "Microsoft Entra ID", "webUrl": ENTRA_URL, "languageTag": "en-us"}]},
    {"id": "a5b0c7a4-3b1e-4d6f-9c2a-7e8f0a1b2c3d", "sourceId": ORGANIZATIONAL_DATA, "kind": "OrgData",
     "displayName": "Organizational data in Microsoft 365", "webUrl": "https://admin.microsoft.com",
     "localizations": []},
)
DEFAULT_SETTINGS: tuple[dict[str, Any], ...] = (
    {"id": "00000000-0000-0000-0000-000000000001", "name": None, "displayName": None,
     "prioritizedSourceUrls": [ENTRA_URL]},
)


class ProfileSources:
    """A tenant's profile sources and property settings (contract §13); `from_seed` builds them.

    >>> sources = ProfileSources.from_seed({"profileSources": [{"sourceId": "workdayhr", "kind": "Workday"}]})
    >>> sources.find("workdayhr").kind, sources.name_of("workdayhr"), sources.admin_controlled("workdayhr")
    ('Workday', 'Workday', True)
    >>> sources.name_of("4ce763dd-9214-4eff-af7c-da491cc3782d")
    'Microsoft Entra ID'
    """

    def __init__(self, sources: Iterable[ProfileSource], settings: Iterable[PropertySetting]) -> None:
        self.sources = list(sources)
        self.settings = list(settings)

    @classmethod
    def from_seed(cls, seed: Mapping[str, Any] | None) -> ProfileSources:
        """The seed's `profileSources` and `profilePropertySettings`, or the defaults when it has none."""
        seed = seed or {}
        raw_sources = seed.get("profileSources", DEFAULT_SOURCES)
        raw_settings = seed.get("profilePropertySettings", DEFAULT_SETTINGS)
        if not isinstance(raw_sources, list | tuple) or not isinstance(raw_settings, list | tuple):
            raise ValueError("'profileSources' and 'profilePropertySettings' must be lists (contract §13)")
        return cls([ProfileSource.from_graph(s) for s in raw_sources],
                   [PropertySetting.from_graph(s) for s in raw_settings])

    def to_seed(self) -> dict[str, Any]:
        return {"profileSources": [s.to_graph() for s in self.sources],
                "profilePropertySettings": [s.to_graph() for s in self.settings]}

    # ----------------------------------------------------------------- lookups
    def find(self, key: str) -> ProfileSource | None:
        """The source with this `id` or `sourceId` (the alternate key), or None."""
        return next((s for s in self.sources if key in (s.id, s.source_id)), None)

    def name_of(self, source_id: str) -> str:
        """How a person would name the source of an annotation: its display name, kind, or the docs' name."""
        found = self.find(source_id)
        if found is not None and (found.display_name or found.kind):
            return str(found.display_name or found.kind)
        return KNOWN_SOURCE_NAMES.get(source_id, source_id)

    @staticmethod
    def admin_controlled(source_id: str) -> bool:
        """Whether values from this source are the admin's, not the user's, to change (contract §13)."""
        return source_id not in USER_EDITABLE_SOURCES

    @property
    def precedence(self) -> list[str]:
        """The tenant-level `prioritizedSourceUrls` (the setting without a name), highest first."""
        tenant_level = next((s for s in self.settings if not s.name), None)
        return list(tenant_level.prioritized_source_urls) if tenant_level else [ENTRA_URL]

    def rank(self, source_id: str) -> int:
        """A source's place in the precedence (0 is highest); sources not listed come after, user edits last.
        """
        found = self.find(source_id)
        url = found.url if found else (ENTRA_URL if source_id in (ENTRA_ID, ENTRA_ID_ALTERNATE)
                                       else connection_url(source_id))
        order = self.precedence
        if url in order:
            return order.index(url)
        return len(order) + (1 if source_id in USER_EDITABLE_SOURCES else 0)
