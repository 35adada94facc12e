"""Fixtures of the widget tests: widget-tenant frames and an emulator on it (sessions: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from widget_tenant import ASOF, Sent, recording, seed, users

from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame
from certnb.staging import Staged, stage
from certnb.widgets.datagrid import Grid, grid


@pytest.fixture
def frame() -> pd.DataFrame:
    """The widget tenant as a frame, built locally (no emulator)."""
    return build_frame(users())


@pytest.fixture
def staged(frame: pd.DataFrame) -> Staged:
    """An empty in-memory staging of `frame`."""
    return stage(frame)


@pytest.fixture
def sent() -> Sent:
    """What the grid `g` sent to the browser, in order."""
    return []


@pytest.fixture
def g(frame: pd.DataFrame, staged: Staged, sent: Sent, monkeypatch: pytest.MonkeyPatch) -> Grid:
    """A grid over `frame` staging into `staged`, its messages to the browser recorded in `sent`."""
    return recording(grid(frame, staged, asof=ASOF), sent, monkeypatch)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A running emulator on the widget tenant."""
    with Emulator(seed=seed()) as running:
        yield running
