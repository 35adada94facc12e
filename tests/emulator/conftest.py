"""Fixtures of the emulator's Graph tests: a running emulator on the `graph_seed` tenant, signed-in clients.

Clients sign in the short way (the password grant at the emulator's token endpoint, contract §9) and then
speak plain HTTP to `emu.graph_url` with httpx: the tests see exactly what goes over the wire.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from graph_seed import ADELE, ALL, SEED, Signer, token

from certnb.emulator.server import Emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A running emulator over HTTPS with the seed above, shared by a module; see `fresh` for isolation."""
    with Emulator(seed=SEED) as running:
        yield running


@pytest.fixture
def fresh(emu: Emulator) -> Emulator:
    """The module's emulator, reset to the seed (tenant, faults, statistics) before the test."""
    emu.reset()
    return emu


@pytest.fixture(scope="module")
def signed_in(emu: Emulator) -> Iterator[Signer]:
    """`signed_in(upn=..., scopes=...)`: an httpx client on `emu.graph_url` carrying that user's token."""
    clients: dict[tuple[str, str], httpx.Client] = {}

    def client(upn: str = ADELE["upn"], scopes: str = ALL) -> httpx.Client:
        if (upn, scopes) not in clients:
            clients[upn, scopes] = httpx.Client(
                base_url=emu.graph_url,
                headers={"Authorization": f"Bearer {token(emu, upn, scopes)}"},
                verify=emu.verify(),
            )
        return clients[upn, scopes]

    yield client
    for open_client in clients.values():
        open_client.close()


@pytest.fixture
def adele(fresh: Emulator, signed_in: Signer) -> httpx.Client:
    """Adele with User.ReadWrite.All, on a freshly reset emulator."""
    return signed_in()
