"""A tenant whose certifications come from every kind of source (contract §13), for the sources tests.

    hr-only     the Workday HR connector alone
    hr-and-me   Workday's facts (title, id, dates) and the person's additions (description, web URL)
    orgdata     Organizational data in Microsoft 365
    mine        the person's own entry ("User initiated edits")
"""

from __future__ import annotations

import copy
from typing import Any

from certnb.emulator.profile_sources import (
    DEFAULT_SETTINGS,
    DEFAULT_SOURCES,
    ENTRA_URL,
    ORGANIZATIONAL_DATA,
    USER_EDITS,
)

HR = "workdayhr"
ME = {"id": "b0000000-0000-4000-8000-000000000001", "upn": "megan@fabrikam.example"}
OTHER = {"id": "b0000000-0000-4000-8000-000000000002", "upn": "lee@fabrikam.example"}
HR_FACTS = ["displayName", "certificationId", "issuedDate", "startDate", "endDate"]
WORKDAY = {"id": "6f1e2d3c-4b5a-4968-8776-655443322110", "sourceId": HR, "kind": "Workday",
           "displayName": "Workday HR", "webUrl": "https://wd5.myworkday.com/fabrikam", "localizations": []}


def _annotation(source: str, properties: list[str], default: bool) -> dict[str, Any]:
    return {"isDefaultSource": default, "properties": properties, "sourceId": source}


def _cert(cert_id: str, sources: list[dict[str, Any]], **values: Any) -> dict[str, Any]:
    base = {"id": cert_id, "displayName": f"Cert {cert_id}", "certificationId": f"ID-{cert_id}",
            "issuedDate": "2024-01-15", "startDate": "2024-01-15", "endDate": "2027-01-15",
            "createdDateTime": "2024-02-01T10:00:00.0000000Z", "isSearchable": True, "sources": sources}
    return {**base, **values}


def seed() -> dict[str, Any]:
    """The seed (a fresh copy each call)."""
    mine = [*HR_FACTS, "description"]
    certs = [
        _cert("hr-only", [_annotation(HR, HR_FACTS, True)]),
        _cert("hr-and-me", [_annotation(HR, HR_FACTS, True),
                            _annotation(USER_EDITS, ["description", "webUrl"], False)],
              description="mine", webUrl="https://example.org/badge"),
        _cert("orgdata", [_annotation(ORGANIZATIONAL_DATA, HR_FACTS, True)], isSearchable=False),
        _cert("mine", [_annotation(USER_EDITS, mine, True)], description="typed by me"),
    ]
    return copy.deepcopy({
        "tenant": {"id": "c1d2e3f4-0000-4000-8000-000000000001", "domain": "fabrikam.example"},
        "defaultUser": ME["upn"],
        "users": [
            {"id": ME["id"], "userPrincipalName": ME["upn"], "displayName": "Megan", "certifications": certs},
            {"id": OTHER["id"], "userPrincipalName": OTHER["upn"], "displayName": "Lee",
             "certifications": copy.deepcopy(certs)},
        ],
        "profileSources": [*DEFAULT_SOURCES, WORKDAY],
        "profilePropertySettings": [dict(DEFAULT_SETTINGS[0],
                                         prioritizedSourceUrls=[f"/external/connections/{HR}", ENTRA_URL])],
    })
