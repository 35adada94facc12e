"""Sign-in through MSAL against the emulator: device code, silent reuse from a 0600 cache file, sign-out,
password, declined/expired/cancelled sign-ins, app-only refusal, no token in any output, and MSAL talking to
the cloud's own sign-in host only."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

import certnb
from certnb.clouds import Cloud
from certnb.emulator.server import Emulator
from certnb.emulator.signin_protocol import MsalHttpClient
from certnb.errors import (
    AppOnlyNotSupported,
    CertnbError,
    PermissionDeniedError,
    SignInCancelled,
    SignInDeclined,
    SignInError,
    SignInExpired,
)
from certnb.graph import urls
from certnb.graph.auth import GraphAuth, StaticToken, token_claims
from certnb.session.sign_in import show_device_code

ADELE = "adele@contoso.example"
PAT = "pat.o'brien@contoso.example"
SEED: dict[str, Any] = {
    "tenant": {"id": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", "domain": "contoso.example"},
    "defaultUser": ADELE,
    "users": [
        {"id": "0e8a1f7c-1111-4b2c-9d3e-4f5a6b7c8d9e", "userPrincipalName": ADELE, "certifications": []},
        {
            "id": "0e8a1f7c-2222-4b2c-9d3e-4f5a6b7c8d9e",
            "userPrincipalName": PAT,
            "password": "correct horse",
            "certifications": [],
        },
    ],
}


class RecordingSession(MsalHttpClient):
    """certnb's own MSAL client for the emulator, remembering which identity endpoints were called."""

    def __init__(self, emu: Emulator) -> None:
        super().__init__(emu.url, emu.ca_file)
        self.paths: list[str] = []

    def get(self, url: str, **kwargs: Any) -> Any:
        self.paths.append(url.rsplit("/", 1)[-1])
        return super().get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        self.paths.append(url.rsplit("/", 1)[-1])
        return super().post(url, **kwargs)


class HostRecorder(MsalHttpClient):
    """MSAL's client for the emulator recording every host MSAL asks for; it sends to the emulator only."""

    def __init__(self, emu: Emulator) -> None:
        super().__init__(emu.url, emu.ca_file)
        self.own = urlsplit(emu.url).netloc
        self.hosts: list[str] = []

    def get(self, url: str, **kwargs: Any) -> Any:
        self._check(url)
        return super().get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        self._check(url)
        return super().post(url, **kwargs)

    def _check(self, url: str) -> None:
        self.hosts.append(urlsplit(url).netloc)
        if self.hosts[-1] != self.own:
            raise requests.ConnectionError(f"the test sends nothing to {self.hosts[-1]}")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


@pytest.fixture
def manual() -> Iterator[Emulator]:
    """Nobody approves device codes on their own; polling every second."""
    with Emulator(seed=SEED, device_code_auto_approve=False, device_code_interval_s=1) as running:
        yield running


def test_device_code_then_silent_reuse_from_a_0600_cache_file(emu: Emulator, tmp_path: Path) -> None:
    cache = tmp_path / "certnb" / "msal_cache.bin"
    first = RecordingSession(emu)
    with certnb.connect(emulator=emu, token_cache=cache, http_client=first) as graph:
        assert graph.me()["userPrincipalName"] == ADELE
    assert "devicecode" in first.paths
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o600
    assert [p.name for p in cache.parent.iterdir()] == ["msal_cache.bin"]  # no temp file left behind

    second = RecordingSession(emu)
    graph = certnb.connect(emulator=emu, token_cache=cache, http_client=second)
    assert graph.me()["userPrincipalName"] == ADELE
    assert "devicecode" not in second.paths and "token" not in second.paths  # silent, from the file

    graph.sign_out()
    assert ADELE not in cache.read_text()
    third = RecordingSession(emu)
    certnb.connect(emulator=emu, token_cache=cache, http_client=third).close()
    assert "devicecode" in third.paths  # signed out: a fresh sign-in


def test_sign_in_talks_to_the_clouds_own_host_only(emu: Emulator, tmp_path: Path) -> None:
    # A cloud whose sign-in host is none of the four: MSAL's instance discovery would ask
    # login.microsoftonline.com about it; certnb turns that off (contract §9).
    cloud = Cloud("stand-in", emu.url, "https://graph.microsoft.com")  # the resource the emulator serves
    recorder = HostRecorder(emu)
    graph = certnb.connect(
        tenant=emu.tenant_id,
        client_id="client",
        cloud=cloud,
        base_url=emu.graph_url,
        environ={},
        token_cache=tmp_path / "cache.bin",
        http_client=recorder,
        on_device_code=lambda flow: None,
    )
    graph.close()
    assert graph.account == ADELE
    assert set(recorder.hosts) == {recorder.own} and len(recorder.hosts) >= 3  # discovery, code, token


def test_a_tenant_the_sign_in_host_does_not_know_is_a_sign_in_error(emu: Emulator, tmp_path: Path) -> None:
    with pytest.raises(SignInError) as caught:
        certnb.connect(
            tenant="not-this-tenant.example",
            client_id="client",
            cloud=Cloud("stand-in", emu.url, emu.url),
            environ={},
            token_cache=tmp_path / "cache.bin",
            http_client=emu.sign_in_protocol().http_client(),
        )
    assert f"{emu.url}/not-this-tenant.example" in str(caught.value) and "tenant=" in str(caught.value)
    assert isinstance(caught.value.__cause__, ValueError)  # MSAL's own, chained


def test_password_sign_in_of_another_user(emu: Emulator) -> None:
    with certnb.connect(emulator=emu, username=PAT, password="correct horse", write=True) as graph:
        assert graph.me()["userPrincipalName"] == PAT
        assert graph.account == PAT
        created = graph.post(urls.certifications_path(None), {"displayName": "CKA"})
        assert graph.get(urls.certifications_path(PAT, created["id"]))["displayName"] == "CKA"


def roles_token() -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'roles': ['User.ReadWrite.All'], 'oid': 'x'})}.c2ln"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"client_secret": "s3cret-value"},
        {"client_credential": {"private_key": "...", "thumbprint": "..."}},
        {"environ": {"CERTNB_CLIENT_SECRET": "s3cret-value"}},
        {"token": roles_token()},
        {"token": roles_token, "probe": True},
    ],
    ids=["client_secret", "certificate", "env_secret", "roles_token", "roles_token_function"],
)
def test_app_only_is_refused_before_any_request(emu: Emulator, kwargs: dict[str, Any]) -> None:
    emu.reset()
    probe = kwargs.pop("probe", False)
    with pytest.raises(AppOnlyNotSupported) as caught:
        graph = certnb.connect(emulator=emu, tenant="t", client_id="c", **kwargs)
        if probe:  # a token function is only asked when a request is about to go
            graph.get("/me")
    assert "delegated permissions only" in str(caught.value)
    assert "s3cret-value" not in str(caught.value)
    assert emu.stats()["requests_total"] == 0


def test_declined_sign_in(manual: Emulator) -> None:
    def decline(flow: Mapping[str, Any]) -> None:
        manual.app.identity.decline(flow["user_code"])

    with pytest.raises(SignInDeclined, match="declined"):
        certnb.connect(emulator=manual, on_device_code=decline)


def test_sign_in_wait_is_bounded(manual: Emulator) -> None:
    with pytest.raises(SignInExpired, match="nobody approved"):
        certnb.connect(emulator=manual, on_device_code=lambda flow: None, sign_in_timeout=0.5)


def test_interrupt_cancels_cleanly(manual: Emulator) -> None:
    def interrupt(flow: Mapping[str, Any]) -> None:
        raise KeyboardInterrupt

    with pytest.raises(SignInCancelled) as caught:
        certnb.connect(emulator=manual, on_device_code=interrupt)
    assert isinstance(caught.value, CertnbError) and caught.value.__cause__ is None


def test_device_code_is_shown_as_text_outside_notebooks(capsys: pytest.CaptureFixture[str]) -> None:
    show_device_code(
        {"verification_uri": "https://login.example/device", "user_code": "AB-12", "device_code": "d"}
    )
    err = capsys.readouterr().err
    assert "https://login.example/device" in err and "AB-12" in err and "device_code" not in err


def test_no_token_in_reprs_logs_or_errors(
    emu: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: certnb, httpx, httpcore, msal
    graph = certnb.connect(emulator=emu, token_cache=tmp_path / "cache.bin")
    tokens = graph._transport.auth.source  # type: ignore[attr-defined]
    access = tokens.token()
    assert token_claims(access) is not None
    secrets = [access, *json.loads((tmp_path / "cache.bin").read_text())["RefreshToken"].values()]
    secrets = [s["secret"] if isinstance(s, dict) else s for s in secrets]

    outputs = [repr(graph), repr(graph._transport), repr(GraphAuth(tokens)), repr(tokens)]
    outputs.append(repr(StaticToken(access)))
    with pytest.raises(PermissionDeniedError) as caught:
        graph.patch(urls.certifications_path(None, "x"), {"displayName": "x"})
    outputs += [str(caught.value), repr(caught.value)]
    emu.app.identity.expire_access_tokens()
    graph.get(urls.certifications_path(None))  # a 401, a refresh and a retry, all logged at DEBUG
    graph.close()
    outputs.append(caplog.text)

    assert "HTTP Request" in caplog.text  # httpx did log the requests
    for secret in secrets:
        for output in outputs:
            assert secret not in output
