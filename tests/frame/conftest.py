"""Fixtures of the frame tests: the sample tenant's users (data/tenant.json) and its certification frame."""

from __future__ import annotations

import copy
import json
from typing import Any

import pandas as pd
import pytest
from frame_sample import SAMPLE

from certnb.frame.build import build_frame


@pytest.fixture(scope="session")
def sample_seed() -> dict[str, Any]:
    """The sample tenant seed, read once; tests copy it before changing anything."""
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def sample_users(sample_seed: dict[str, Any]) -> list[dict[str, Any]]:
    """A private deep copy of the sample tenant's users, certifications included."""
    return copy.deepcopy(sample_seed["users"])


@pytest.fixture
def sample_frame(sample_users: list[dict[str, Any]]) -> pd.DataFrame:
    """The sample tenant as a certification frame."""
    return build_frame(sample_users)
