"""Fixtures of the widget tests: frames of the widget tenant, and a real emulator with a signed-in session."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from widget_tenant import seed, users

import certnb
from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame
from certnb.graph.client import Graph
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


@pytest.fixture(scope="module")
def session(emu: Emulator) -> Iterator[Graph]:
    """One sign-in per module, allowed to write every user's profile."""
    with certnb.connect(emulator=emu, write=True, all_users=True) as signed_in:
        yield signed_in


@pytest.fixture
def graph(emu: Emulator, session: Graph) -> Graph:
    """The session, on an emulator reset to the seed."""
    emu.reset()
    return session
