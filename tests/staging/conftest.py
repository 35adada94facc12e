"""Frames to stage edits on: one-certification frames (the sample tenant's: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from certnb.frame.build import build_frame


@pytest.fixture
def one_row() -> Callable[[dict[str, Any]], pd.DataFrame]:
    """A frame holding one certification of one user (Adele)."""

    def make(certification: dict[str, Any]) -> pd.DataFrame:
        return build_frame([{"id": "u-adele", "userPrincipalName": "adele.vance@contoso.example",
                             "displayName": "Adele Vance", "certifications": [certification]}])

    return make
