"""Fixtures of the widget tests: widget-tenant frames and an emulator on it (sessions: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from widget_tenant import seed, users

from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame
from certnb.staging import Staged, stage


@pytest.fixture
def frame() -> pd.DataFrame:
    """The widget tenant as a frame, built locally (no emulator)."""
    return build_frame(users())


@pytest.fixture
def staged(frame: pd.DataFrame) -> Staged:
    """An empty in-memory staging of `frame`."""
    return stage(frame)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A running emulator on the widget tenant."""
    with Emulator(seed=seed()) as running:
        yield running
