"""A small tenant whose certifications carry `sources` (both spellings of the annotation's id), for the
tests of who owns which value (tests/frame/test_owners.py, tests/staging/test_owned.py).

- Adele's AZ-104 comes from the tenant's Workday connector for its dates and issuer (`sourceId`), and from
  her own edits for its description (`id`);
- Adele's CKA is hers alone (User initiated edits, no properties: the whole item);
- Ben's Azure Fundamentals is held twice: from Workday (expires 2027-06-18) and typed in by Ben (2028-06-18);
- Ben's ITIL 4 comes from Organizational Data in Microsoft 365, without properties: the whole item is owned;
- Chloé's Scrum Master comes from her Microsoft account (MSA), which she edits herself;
- Dan's Security+ comes from a source the tenant's list does not name (shown by its id).
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from certnb.frame.build import build_frame

WORKDAY = "5b9f2d1e-7c3a-4e1b-9a6f-2d8c4b1e0a01"
USER_EDITS = "46a57efc-33f8-4eec-a512-b90039ad6187"
ORG_DATA = "7986c642-b494-4140-8df4-f5ed125e2c67"
MSA = "9a3e0ce2-cf4b-477e-b3b3-df246318e251"
UNNAMED = "0f0e0d0c-0b0a-4909-8807-060504030201"

PROFILE_SOURCES: list[dict[str, Any]] = [
    {"id": WORKDAY, "sourceId": "workday-hr", "displayName": "Workday", "kind": "HR connector",
     "webUrl": "https://workday.contoso.example", "localizations": []},
]
"""What `GET /admin/people/profileSources` lists for this tenant."""

WORKDAY_NAME = "Workday (HR connector)"

USERS: list[dict[str, Any]] = [
    {"id": "u-adele", "userPrincipalName": "adele.vance@contoso.example", "displayName": "Adele Vance",
     "certifications": [
         {"id": "c-az104", "displayName": "AZ-104", "issuingCompany": "MSFT", "certificationId": "AZ104-1",
          "startDate": "2025-01-01", "endDate": "2026-12-31", "description": "Azure admin",
          "isSearchable": True,
          "sources": [{"sourceId": WORKDAY, "isDefaultSource": True,
                       "properties": ["startDate", "endDate", "issuingCompany"]},
                      {"id": USER_EDITS, "isDefaultSource": False, "properties": ["description"]}]},
         {"id": "c-cka", "displayName": "CKA", "issuingCompany": "Microsoft", "certificationId": "CKA-1",
          "startDate": "2025-03-01", "endDate": "2027-03-01", "isSearchable": False,
          "sources": [{"id": USER_EDITS, "isDefaultSource": True, "properties": []}]},
     ]},
    {"id": "u-ben", "userPrincipalName": "ben.walters@contoso.example", "displayName": "Ben Walters",
     "certifications": [
         {"id": "c-az900-hr", "displayName": "Azure Fundamentals", "issuingCompany": "Microsoft",
          "certificationId": "AZ900-7", "startDate": "2025-06-18", "endDate": "2027-06-18",
          "sources": [{"sourceId": WORKDAY, "isDefaultSource": True, "properties": ["endDate"]}]},
         {"id": "c-az900-own", "displayName": "Azure Fundamentals", "issuingCompany": "Microsoft",
          "certificationId": "AZ900-7", "startDate": "2025-06-18", "endDate": "2028-06-18",
          "sources": [{"id": USER_EDITS, "isDefaultSource": True, "properties": ["endDate"]}]},
         {"id": "c-itil", "displayName": "ITIL 4 Foundation", "issuingCompany": "Axelos",
          "certificationId": "ITIL-3", "startDate": "2024-02-02",
          "sources": [{"id": ORG_DATA, "isDefaultSource": True}]},
     ]},
    {"id": "u-chloe", "userPrincipalName": "chloe@contoso.example", "displayName": "Chloé Martin",
     "certifications": [
         {"id": "c-psm", "displayName": "Professional Scrum Master I", "issuingCompany": "Scrum.org",
          "certificationId": "PSM-9", "startDate": "2024-05-05", "endDate": "2027-05-05",
          "sources": [{"sourceId": MSA, "isDefaultSource": True, "properties": ["endDate"]}]},
     ]},
    {"id": "u-dan", "userPrincipalName": "dan@contoso.example", "displayName": "Dan Jump",
     "certifications": [
         {"id": "c-secplus", "displayName": "Security+", "issuingCompany": "CompTIA",
          "certificationId": "SY0-701", "startDate": "2025-09-09", "endDate": "2028-09-09",
          "sources": [{"id": UNNAMED, "properties": ["endDate"]}]},
         {"id": "c-plain", "displayName": "Network+", "issuingCompany": "CompTIA", "certificationId": "N10",
          "startDate": "2025-09-10", "endDate": "2028-09-10"},
     ]},
]


def owned_frame(*, named: bool = True) -> pd.DataFrame:
    """The tenant as a frame; `named`: with the tenant's profile sources (else connector sources show ids)."""
    return build_frame(copy.deepcopy(USERS), profile_sources=PROFILE_SOURCES if named else None)


def label_of(frame: pd.DataFrame, cert_id: str) -> Any:
    """The row label of a certification."""
    return frame.index[frame["id"] == cert_id][0]
