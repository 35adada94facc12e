"""The `Emulator` runtime: loopback only by default, restartable, usable inside a running event loop."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from pathlib import Path

import httpx
import pytest

from certnb.emulator.server import Emulator


def answers(emu: Emulator) -> bool:
    return httpx.get(f"{emu.url}/_emulator/health", verify=emu.verify(), timeout=5).status_code == 200


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_with_starts_serves_and_releases_the_port() -> None:
    with Emulator(https=False) as emu:
        assert emu.running and answers(emu)
        port = int(emu.url.rsplit(":", 1)[1])
    assert not emu.running
    assert port_is_free(port)
    with pytest.raises(RuntimeError, match="not running"):
        _ = emu.url


def test_start_and_stop_twice_keeps_the_url_and_the_data() -> None:
    emu = Emulator(https=False)
    emu.start()
    first_url = emu.url
    assert emu.start() is emu  # already running: a no-op
    token = emu.access_token()
    emu.stop()
    emu.stop()  # already stopped: a no-op
    emu.start()
    try:
        assert emu.url == first_url  # a restart reuses the port: handed-out URLs keep working
        headers = {"Authorization": f"Bearer {token}"}
        reply = httpx.get(f"{emu.graph_url}/me/profile/certifications", headers=headers)
        assert reply.status_code == 200
    finally:
        emu.stop()


def test_it_starts_and_answers_inside_a_running_event_loop() -> None:
    """A Jupyter kernel has a running loop in the calling thread; the emulator must not mind."""

    async def notebook_cell() -> tuple[int, int]:
        with Emulator() as emu:
            token = emu.access_token()
            async with httpx.AsyncClient(verify=emu.verify()) as client:
                health = await client.get(f"{emu.url}/_emulator/health")
                listed = await client.get(
                    f"{emu.graph_url}/me/profile/certifications", headers={"Authorization": f"Bearer {token}"}
                )
            return health.status_code, listed.status_code

    assert asyncio.run(notebook_cell()) == (200, 200)


def test_https_writes_the_ca_where_asked_and_clients_can_trust_it(tmp_path: Path) -> None:
    ca_file = tmp_path / "trust" / "emulator-ca.pem"
    with Emulator(ca_file=ca_file) as emu:
        assert emu.url.startswith("https://127.0.0.1:")
        assert emu.ca_file == str(ca_file.resolve())
        assert ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
        trusting = ssl.create_default_context(cafile=str(ca_file))
        assert httpx.get(f"{emu.url}/_emulator/health", verify=trusting).status_code == 200
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{emu.url}/_emulator/health", verify=ssl.create_default_context())  # CA not trusted


def test_plain_http_has_no_ca_file() -> None:
    with Emulator(https=False) as emu:
        assert emu.url.startswith("http://") and emu.ca_file is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_a_host_other_than_loopback_needs_allow_remote(host: str) -> None:
    with pytest.raises(ValueError, match="allow_remote=True"):
        Emulator(host=host)


def test_allow_remote_accepts_the_wildcard_host() -> None:
    with Emulator(host="0.0.0.0", allow_remote=True, https=False) as emu:
        port = emu.url.rsplit(":", 1)[1]
        assert httpx.get(f"http://127.0.0.1:{port}/_emulator/health").status_code == 200


@pytest.mark.parametrize("host", ["localhost", "::1"])
def test_other_loopback_spellings_are_accepted(host: str) -> None:
    try:
        emu = Emulator(host=host, https=False).start()
    except OSError as exc:  # a machine without IPv6 loopback
        pytest.skip(f"cannot bind {host}: {exc}")
    with emu:
        assert answers(emu)


def test_a_taken_port_is_an_oserror_naming_it() -> None:
    with Emulator(https=False) as emu:
        port = int(emu.url.rsplit(":", 1)[1])
        with pytest.raises(OSError, match=str(port)):
            Emulator(https=False, port=port).start()


def test_repr_shows_where_and_which_tenant_but_no_password() -> None:
    seed = {
        "tenant": {"id": "11111111-2222-3333-4444-555555555555", "domain": "contoso.test"},
        "users": [
            {
                "id": "aaaaaaaa-0000-0000-0000-000000000001",
                "userPrincipalName": "adele@contoso.test",
                "displayName": "Adele",
                "password": "s3cret-Pa55",
                "certifications": [],
            }
        ],
    }
    emu = Emulator(seed=seed, https=False)
    assert repr(emu) == "<Emulator stopped tenant=11111111-2222-3333-4444-555555555555>"
    with emu:
        assert emu.url in repr(emu)
        assert "s3cret" not in repr(emu)
        assert emu.access_token("adele@contoso.test")  # the seeded password is used for sign-in


def test_unknown_knobs_are_named() -> None:
    with pytest.raises(TypeError, match="page_sise"):
        Emulator(page_sise=5)


def test_stop_does_not_wait_for_idle_keep_alive_clients() -> None:
    emu = Emulator(https=False).start()
    with httpx.Client() as client:
        assert client.get(f"{emu.url}/_emulator/health").status_code == 200  # the connection stays open
        started = time.monotonic()
        emu.stop()
        assert time.monotonic() - started < 3
        assert not emu.running


def test_the_package_exports_are_pinned() -> None:
    import certnb.emulator

    assert certnb.emulator.__all__ == [
        "Emulator", "EmulatorConfig", "Faults", "ScriptedFault", "SignInProtocol", "shared_emulator"]
    assert certnb.emulator.__all__ == sorted(certnb.emulator.__all__)
    assert all(hasattr(certnb.emulator, name) for name in certnb.emulator.__all__)
