"""Frames to stage edits on: the sample tenant (data/tenant.json) and one-certification frames."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from certnb.frame.build import build_frame

ROOT = Path(__file__).resolve().parents[2]
TENANT = ROOT / "data" / "tenant.json"
USER_EDITS = "46a57efc-33f8-4eec-a512-b90039ad6187"  # profileSourceAnnotation: "User initiated edits"


@pytest.fixture(scope="session")
def tenant_users() -> list[dict[str, Any]]:
    """The sample tenant's users, each with its certifications (contract §10 seed)."""
    users: list[dict[str, Any]] = json.loads(TENANT.read_text(encoding="utf-8"))["users"]
    return users


@pytest.fixture
def tenant_frame(tenant_users: list[dict[str, Any]]) -> pd.DataFrame:
    """The sample tenant as the typed certification frame."""
    return build_frame(tenant_users)


@pytest.fixture(scope="session")
def own_users(tenant_users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sample tenant's users with only the certifications that come from their person alone
    (user-initiated edits): what staging's mechanics can edit in bulk without meeting values owned by an HR
    connector or Entra (those are refused when staged: tests/staging/test_owned.py)."""
    def own(c: dict[str, Any]) -> bool:
        return all(s.get("sourceId") == USER_EDITS for s in c.get("sources", []))

    return [{**user, "certifications": [c for c in user.get("certifications", []) if own(c)]}
            for user in tenant_users]


@pytest.fixture
def own_frame(own_users: list[dict[str, Any]]) -> pd.DataFrame:
    """`own_users` as the typed certification frame."""
    return build_frame(own_users)


@pytest.fixture
def one_row() -> Callable[[dict[str, Any]], pd.DataFrame]:
    """A frame holding one certification of one user (Adele)."""

    def make(certification: dict[str, Any]) -> pd.DataFrame:
        return build_frame([{"id": "u-adele", "userPrincipalName": "adele.vance@contoso.example",
                             "displayName": "Adele Vance", "certifications": [certification]}])

    return make
