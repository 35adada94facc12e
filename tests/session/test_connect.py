"""connect(): the embedded emulator, a token from elsewhere, and settings looked up in a written order."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import certnb
from certnb.emulator.server import Emulator
from certnb.errors import ConfigError
from certnb.graph import urls
from certnb.session.settings import Settings

sharing = importlib.import_module("certnb.emulator.shared")


@pytest.fixture
def shared() -> Iterator[None]:
    yield
    if sharing._shared is not None:
        sharing._shared.stop()
        sharing._shared = None


def test_emulator_true_starts_one_process_wide_emulator(shared: None) -> None:
    with certnb.connect(emulator=True) as first, certnb.connect(emulator=True, write=True) as second:
        assert first.base_url == second.base_url == sharing.shared_emulator().graph_url
        me = first.me()
        assert (
            me["userPrincipalName"]
            == sharing.shared_emulator().app.tenant.default_user.user_principal_name
        )
        assert first.scopes == ("User.Read",) and second.scopes == ("User.ReadWrite",)
        assert isinstance(first.get_all(urls.certifications_path(None)), list)


def test_connect_from_inside_a_running_loop(shared: None) -> None:
    async def cell() -> str:
        with certnb.connect(emulator=True) as graph:
            return str(graph.me()["id"])

    assert asyncio.run(cell())


def test_token_from_elsewhere_over_loopback_http() -> None:
    with Emulator(https=False) as emu:
        token = emu.access_token(scopes="User.Read")
        with certnb.connect(base_url=emu.graph_url, token=token, environ={}) as graph:
            assert graph.me()["userPrincipalName"] == emu.app.tenant.default_user.user_principal_name
        calls: list[int] = []
        issued = [emu.access_token(scopes="User.Read")]

        def token_function() -> str:
            calls.append(1)
            if len(calls) == 3:  # asked again after a 401: a new token
                issued.append(emu.access_token(scopes="User.Read"))
            return issued[-1]

        with certnb.connect(base_url=emu.graph_url, token=token_function, environ={}) as graph:
            graph.get(urls.certifications_path(None))
            emu.app.identity.expire_access_tokens()
            graph.get(urls.certifications_path(None))  # stale token → 401 → the function is asked again
        assert len(calls) == 3
        assert emu.stats()["by_status"]["401"] == 1


def test_plain_http_to_a_real_host_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        certnb.connect(base_url="http://graph.microsoft.com/beta", token="t", environ={})
    assert caught.value.key == "base_url"


def test_real_tenant_needs_tenant_and_client_id() -> None:
    with pytest.raises(ConfigError) as caught:
        certnb.connect(client_id="c", environ={}, config_file=None)
    assert caught.value.key == "tenant" and "CERTNB_TENANT" in str(caught.value)


def test_lookup_order_arguments_then_environment_then_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[certnb]\ntenant = "from-file"\nclient_id = "file-client"\ncloud = "china"\ntimeout = 7\n'
    )
    env = {"CERTNB_CLIENT_ID": "env-client", "CERTNB_CLOUD": "usgov"}

    settings = Settings.resolve({"cloud": "usgov-dod"}, environ=env, config_file=config)

    assert (settings.tenant, settings.client_id, settings.cloud.name, settings.timeout) == (
        "from-file",
        "env-client",
        "usgov-dod",
        7.0,
    )
    assert settings.source_of("cloud") == "argument"
    assert settings.source_of("client_id") == "environment variable CERTNB_CLIENT_ID"
    assert settings.source_of("tenant") == f"config file {config}"
    assert settings.source_of("auth") == "default"


def test_config_file_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('auth = "interactive"\n')
    assert Settings.resolve({}, environ={"CERTNB_CONFIG": str(config)}).auth == "interactive"


@pytest.mark.parametrize(
    ("env", "key", "value"),
    [
        ({"CERTNB_CLOUD": "mars"}, "cloud", "mars"),
        ({"CERTNB_AUTH": "telepathy"}, "auth", "telepathy"),
        ({"CERTNB_MAX_CONCURRENCY": "0"}, "max_concurrency", "0"),
        ({"CERTNB_MAX_ATTEMPTS": "2.5"}, "max_attempts", "2.5"),
        ({"CERTNB_TIMEOUT": "soon"}, "timeout", "soon"),
    ],
)
def test_bad_values_name_key_value_and_source(env: dict[str, str], key: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.resolve({}, environ=env, config_file=None)
    assert (caught.value.key, caught.value.value) == (key, value)
    (variable,) = env
    assert variable in str(caught.value) and repr(value) in str(caught.value)


def test_bad_config_file_key(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('tenat = "typo"\n')
    with pytest.raises(ConfigError) as caught:
        Settings.resolve({}, environ={}, config_file=config)
    assert caught.value.key == "tenat" and str(config) in str(caught.value)


def test_knobs_reach_the_session(tmp_path: Path) -> None:
    with Emulator(https=False) as emu:
        graph = certnb.connect(
            base_url=emu.graph_url,
            token=emu.access_token(),
            environ={"CERTNB_MAX_CONCURRENCY": "3", "CERTNB_MAX_ATTEMPTS": "2", "CERTNB_TIMEOUT": "9"},
        )
        with graph:
            assert (graph.max_concurrency, graph.max_attempts, graph.timeout) == (3, 2, 9.0)
            with pytest.raises(ConfigError):
                graph.max_attempts = 0
