"""connect()'s option objects: `Target`, `SignIn`, `Http` check their values when made, naming the key and
the value (never a password or token), fold together with connect()'s keywords, and win over the
environment, which fills in what they leave out."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

import certnb
from certnb.clouds import USGOV
from certnb.emulator.server import Emulator
from certnb.errors import ConfigError
from certnb.session import Http, SignIn, Target

SECRET = "hunter2-never-shown"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(https=False) as running:
        yield running


@pytest.mark.parametrize(
    ("make", "key", "value"),
    [
        (lambda: Target(cloud="mars"), "cloud", "mars"),
        (lambda: Target(tenant="  "), "tenant", "  "),
        (lambda: Target(client_id=42), "client_id", 42),
        (lambda: SignIn(auth="telepathy"), "auth", "telepathy"),
        (lambda: SignIn(scopes="User.Read"), "scopes", "User.Read"),
        (lambda: SignIn(scopes=["User.Read", ""]), "scopes", ["User.Read", ""]),
        (lambda: SignIn(write="yes"), "write", "yes"),
        (lambda: SignIn(timeout=0), "timeout", 0),
        (lambda: SignIn(username=""), "username", ""),
        (lambda: SignIn(on_device_code="print"), "on_device_code", "print"),
        (lambda: SignIn(token_cache=3), "token_cache", 3),
        (lambda: Http(timeout="soon"), "timeout", "soon"),
        (lambda: Http(max_concurrency=0), "max_concurrency", 0),
        (lambda: Http(max_attempts=2.5), "max_attempts", 2.5),
        (lambda: Http(max_attempts=True), "max_attempts", True),
    ],
)
def test_a_bad_value_names_the_key_and_the_value(make: Any, key: str, value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        make()
    assert (caught.value.key, caught.value.value) == (key, value)
    assert repr(key) in str(caught.value) and repr(value) in str(caught.value)


def test_values_are_settled_when_made_and_the_objects_are_frozen() -> None:
    target = Target(tenant=" contoso.onmicrosoft.us ", cloud="USGov")
    assert (target.tenant, target.cloud) == ("contoso.onmicrosoft.us", USGOV)
    assert Http(timeout=10, max_concurrency=4).timeout == 10.0
    assert SignIn(scopes=("User.Read.All",)).wanted_scopes() == ("User.Read.All",)
    assert SignIn(write=True).wanted_scopes() == ("User.ReadWrite",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Http().timeout = 3  # type: ignore[misc]


def test_a_password_or_a_token_is_never_shown() -> None:
    sign_in = SignIn(username="adele@contoso.example", password=SECRET, token=SECRET)
    assert SECRET not in repr(sign_in) and "password='***'" in repr(sign_in)
    for make in (lambda: SignIn(password=b"hunter2"), lambda: SignIn(token="")):
        with pytest.raises(ConfigError) as caught:
            make()
        assert "hunter2" not in str(caught.value) and caught.value.value == "***"
    with pytest.raises(ConfigError) as caught:
        certnb.connect(sign_in=SignIn(password="one"), password=SECRET)
    assert SECRET not in str(caught.value) and caught.value.key == "password"


def test_a_field_given_twice_is_refused_naming_both_ways(emu: Emulator) -> None:
    with pytest.raises(ConfigError) as caught:
        certnb.connect(base_url=emu.graph_url, target=Target(base_url=emu.graph_url), token="t", environ={})
    assert caught.value.key == "base_url"
    assert "base_url= or Target(base_url=...), not both" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        certnb.connect(emu, sign_in=SignIn(timeout=5), sign_in_timeout=6)
    assert "sign_in_timeout= or SignIn(timeout=...)" in str(caught.value)
    assert emu.stats()["requests_total"] == 0  # refused before anything was sent


def test_an_unknown_keyword_is_refused_with_the_nearest_one(emu: Emulator) -> None:
    with pytest.raises(ConfigError) as caught:
        certnb.connect(emu, tenat="contoso.example")  # type: ignore[call-arg]
    assert caught.value.key == "tenat" and "did you mean tenant=?" in str(caught.value)
    assert emu.stats()["requests_total"] == 0


def test_objects_and_keywords_reach_the_session_and_win_over_the_environment(emu: Emulator) -> None:
    environ = {"CERTNB_TIMEOUT": "3", "CERTNB_MAX_ATTEMPTS": "2", "CERTNB_MAX_CONCURRENCY": "7"}
    with certnb.connect(
        target=Target(base_url=emu.graph_url),
        sign_in=SignIn(token=emu.access_token(scopes="User.Read")),
        http=Http(timeout=9),
        max_concurrency=4,  # a keyword next to the objects
        environ=environ,
    ) as session:
        # argument (object) > environment; argument (keyword) > environment; environment > default
        assert (session.timeout, session.max_concurrency, session.max_attempts) == (9.0, 4, 2)
        assert session.me()["userPrincipalName"] == emu.app.tenant.default_user.user_principal_name
        assert session.scopes == ("User.Read",)


def test_the_old_keywords_and_the_objects_make_the_same_session(emu: Emulator) -> None:
    token = emu.access_token()
    old = certnb.connect(base_url=emu.graph_url, token=token, write=True, all_users=True, timeout=8,
                         max_concurrency=2, max_attempts=3, environ={})
    new = certnb.connect(target=Target(base_url=emu.graph_url),
                         sign_in=SignIn(token=token, write=True, all_users=True),
                         http=Http(timeout=8, max_concurrency=2, max_attempts=3), environ={})
    unset = certnb.connect(base_url=emu.graph_url, token=token, write=True, all_users=True, timeout=8,
                           max_concurrency=2, max_attempts=3, tenant=None, auth=None, environ={})
    with old, new, unset:  # a keyword given as None is not given (it looks further), as before
        assert repr(old) == repr(new) == repr(unset)
        assert (old.timeout, old.max_concurrency, old.max_attempts) == (new.timeout, new.max_concurrency,
                                                                         new.max_attempts)
