"""Fixtures shared by the test directories that commit through a real emulator.

A directory provides `emu` (a running `Emulator` on its own tenant, module-scoped); these give it a session
signed in through MSAL once per module and, per test, that session on an emulator reset to its seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import certnb
from certnb.emulator.server import Emulator
from certnb.session import Session


@pytest.fixture(scope="module")
def session(emu: Emulator) -> Iterator[Session]:
    """One MSAL sign-in per module, allowed to write every user's profile (User.ReadWrite.All): tokens
    outlive emulator resets."""
    with certnb.connect(emulator=emu, write=True, all_users=True) as signed_in:
        yield signed_in


@pytest.fixture
def graph(emu: Emulator, session: Session) -> Session:
    """The session, on an emulator reset to the seed with no faults and zeroed statistics."""
    emu.reset()
    return session
