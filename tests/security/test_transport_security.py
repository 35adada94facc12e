"""Where a token may go: only over https (plain http to loopback alone), only to the server it was issued by,
and into a token cache file no other user can read (mode 0600, even under a permissive umask).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import certnb
from certnb.emulator.server import Emulator
from certnb.errors import AuthenticationError, ConfigError
from certnb.graph.auth import GraphAuth, StaticToken
from certnb.graph.client import Graph

SEED = {
    "tenant": {"id": "tenant-transport", "domain": "contoso.example"},
    "users": [{"id": "u-adele", "userPrincipalName": "adele@contoso.example", "displayName": "Adele",
               "certifications": [{"id": "c1", "displayName": "AZ-104"}]}],
}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


@pytest.fixture(scope="module")
def twin() -> Iterator[Emulator]:
    """A second emulator with the very same seed (same tenant id, users and passwords)."""
    with Emulator(seed=SEED) as running:
        yield running


@pytest.mark.parametrize("url", [
    "http://graph.microsoft.com/beta",
    "http://10.0.0.5:8443/beta",
    "http://127.0.0.1.nip.io/beta",
    "http://localhost.example.com/beta",
    "http://[::ffff:10.0.0.5]/beta",
    "ftp://graph.microsoft.com/beta",
])
def test_plain_http_is_refused_for_other_hosts(url: str) -> None:
    with pytest.raises(ConfigError) as refused:
        certnb.connect(base_url=url, token="not-a-real-token")
    assert url in str(refused.value)
    assert "not-a-real-token" not in str(refused.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/beta", "http://localhost:8000/beta",
                                 "http://[::1]:8000/beta"])
def test_plain_http_is_allowed_for_loopback(url: str) -> None:
    with certnb.connect(base_url=url, token="not-a-real-token") as graph:
        assert graph.base_url == url


def test_the_emulator_refuses_to_listen_beyond_loopback() -> None:
    with pytest.raises(ValueError, match="not loopback"):
        Emulator(SEED, host="0.0.0.0")


def test_a_token_from_one_emulator_is_refused_by_another(emu: Emulator, twin: Emulator) -> None:
    foreign = emu.access_token("adele@contoso.example")
    own = twin.access_token("adele@contoso.example")
    path = "/me/profile/certifications"
    with httpx.Client(base_url=twin.graph_url, verify=twin.verify()) as client:
        assert client.get(path, headers={"Authorization": f"Bearer {own}"}).status_code == 200
        refused = client.get(path, headers={"Authorization": f"Bearer {foreign}"})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "InvalidAuthenticationToken"
        batch = client.post("/$batch", headers={"Authorization": f"Bearer {foreign}"}, json={"requests": [
            {"id": "1", "method": "PATCH", "url": "/me/profile/certifications/c1",
             "headers": {"Content-Type": "application/json"}, "body": {"displayName": "x"}}]})
        assert batch.status_code in (200, 401)
        if batch.status_code == 200:
            assert [r["status"] for r in batch.json()["responses"]] == [401]
    # Through certnb: the session refuses to go on, and says so.
    with Graph(twin.graph_url, GraphAuth(StaticToken(foreign)), cloud=None,
               verify=twin.verify()) as graph, pytest.raises(AuthenticationError) as stopped:
        graph.get(path)
    assert foreign not in str(stopped.value)
    assert twin.state() == emu.state()  # nothing was written anywhere


def test_token_cache_file_is_private(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "fresh-dir" / "msal_cache.bin"
    old = os.umask(0)  # the most permissive umask: the file must still be 0600
    try:
        with certnb.connect(emulator=emu, token_cache=cache):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) & 0o077 == 0
    # Rewritten on a later sign-in (a renewed token): still 0600, never briefly wider.
    cache.chmod(0o600)
    with certnb.connect(emulator=emu, token_cache=cache, scopes=["User.ReadWrite"]):
        pass
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
