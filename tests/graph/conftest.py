"""Fixtures of the client tests: an emulator on the `seed` tenant and a signed-in session.

Every test speaks real HTTPS to the emulator on loopback; the client signs in through MSAL like a notebook.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import certnb
from certnb.emulator.server import Emulator
from certnb.graph import Graph

from .seed import SEED


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A running emulator on the seed above, 3 certifications per page."""
    with Emulator(seed=SEED, page_size=3) as running:
        yield running


@pytest.fixture
def fresh(emu: Emulator) -> Emulator:
    """The module's emulator reset to the seed, with no faults and zeroed statistics."""
    emu.reset()
    return emu


@pytest.fixture
def graph(fresh: Emulator) -> Iterator[Graph]:
    """A session signed in as the default user with User.ReadWrite.All."""
    session = certnb.connect(emulator=fresh, write=True, all_users=True)
    fresh.reset()  # sign-in requests are not Graph calls, but start every test from zero anyway
    try:
        yield session
    finally:
        session.close()
