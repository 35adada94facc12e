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


@pytest.fixture(scope="session")
def tenant_users() -> list[dict[str, Any]]:
    """The sample tenant's users, each with its certifications (contract §10 seed)."""
    users: list[dict[str, Any]] = json.loads(TENANT.read_text(encoding="utf-8"))["users"]
    return users


@pytest.fixture
def tenant_frame(tenant_users: list[dict[str, Any]]) -> pd.DataFrame:
    """The sample tenant as the typed certification frame."""
    return build_frame(tenant_users)


@pytest.fixture
def one_row() -> Callable[[dict[str, Any]], pd.DataFrame]:
    """A frame holding one certification of one user (Adele)."""

    def make(certification: dict[str, Any]) -> pd.DataFrame:
        return build_frame([{"id": "u-adele", "userPrincipalName": "adele.vance@contoso.example",
                             "displayName": "Adele Vance", "certifications": [certification]}])

    return make
