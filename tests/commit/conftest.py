"""Fixtures of the commit tests: an emulator on the commit tenant and a session allowed to write any user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from commit_tenant import seed

import certnb
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A running emulator on the commit tenant, 2 certifications per page (so lists need nextLinks)."""
    with Emulator(seed=seed(), page_size=2) as running:
        yield running


@pytest.fixture(scope="module")
def session(emu: Emulator) -> Iterator[Graph]:
    """One MSAL sign-in per module (User.ReadWrite.All): tokens outlive emulator resets."""
    with certnb.connect(emulator=emu, write=True, all_users=True) as signed_in:
        yield signed_in


@pytest.fixture
def graph(emu: Emulator, session: Graph) -> Graph:
    """The session, on an emulator reset to the seed with no faults and zeroed statistics."""
    emu.reset()
    return session
