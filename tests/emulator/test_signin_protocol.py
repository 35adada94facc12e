"""The emulator's side of sign-in: `sign_in_protocol()` says all a client needs (Graph root, authority, CA,
device-code approval) and gives MSAL's HTTP client for it; `shared_emulator()` is one per process; and the
emulator serves and signs in without httpx (only certnb's graph/ imports it)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from certnb.emulator import SignInProtocol, shared_emulator
from certnb.emulator.server import Emulator
from certnb.emulator.signin_protocol import MsalHttpClient


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


def test_the_protocol_describes_the_running_emulator(emu: Emulator) -> None:
    protocol = emu.sign_in_protocol()
    assert isinstance(protocol, SignInProtocol)
    assert (protocol.graph_url, protocol.authority, protocol.ca_file) == (
        emu.graph_url, emu.authority(), emu.ca_file)
    assert protocol.device_code_auto_approve is True
    with Emulator(device_code_auto_approve=False, https=False) as manual:
        assert manual.sign_in_protocol().device_code_auto_approve is False
        assert manual.sign_in_protocol().ca_file is None


def test_msals_http_client_trusts_the_ca_and_keeps_the_port(emu: Emulator) -> None:
    client = emu.sign_in_protocol().http_client(timeout=5)
    assert isinstance(client, MsalHttpClient)
    portless = emu.url.rsplit(":", 1)[0]
    # MSAL's user-realm discovery drops the authority's port; the client puts it back.
    assert client.with_port(f"{portless}/common/userrealm/x") == f"{emu.url}/common/userrealm/x"
    assert client.with_port("https://login.example/x") == "https://login.example/x"
    reply = client.get(f"{portless}/{emu.tenant_id}/v2.0/.well-known/openid-configuration")
    client.close()
    assert reply.status_code == 200 and reply.json()["issuer"].startswith(emu.url)


def test_the_shared_emulator_is_one_per_process_and_restarts_after_a_stop() -> None:
    first = shared_emulator()
    try:
        assert shared_emulator() is first and first.running
        url = first.graph_url
        first.stop()
        assert shared_emulator() is first and first.running and first.graph_url == url
    finally:
        first.stop()


def test_the_emulator_serves_and_signs_in_without_httpx() -> None:
    probe = (
        "import sys\n"
        "from certnb.emulator import Emulator\n"
        "with Emulator() as emu:\n"
        "    assert emu.access_token().count('.') == 2\n"
        "print(sorted(m for m in ('httpx', 'httpcore') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
