"""What `certnb.connect()` is told, in three small objects: where (`Target`), how to sign in (`SignIn`), and
how to talk HTTP (`Http`). Each is frozen, typed and checked when made: a bad value is a `ConfigError`
naming the key and the value (a password or a token is never shown).

    Target   tenant, client_id, cloud, base_url            the tenant and the Graph root to talk to
    SignIn   auth, scopes, write, all_users, username,     how to sign in, as whom, with which scopes
             password, token, token_cache, timeout,
             on_device_code
    Http     timeout, max_concurrency, max_attempts,       the session's HTTP knobs, and the two seams
             transport, http_client                        for tests (httpx's transport, MSAL's client)

connect()'s keywords are these fields by name (`connect(tenant=..., write=True, timeout=10)`; the sign-in
wait is `sign_in_timeout=`), so code written before the objects keeps working; `KEYWORDS` maps each one.

Lookup order, for a field left None:

    1. the argument: the option object's field, or connect()'s keyword of that name
    2. the environment: CERTNB_TENANT, CERTNB_CLIENT_ID, CERTNB_CLOUD, CERTNB_BASE_URL, CERTNB_AUTH,
       CERTNB_TOKEN_CACHE, CERTNB_TIMEOUT, CERTNB_MAX_CONCURRENCY, CERTNB_MAX_ATTEMPTS
    3. the config file: `config_file=`, else $CERTNB_CONFIG, else ~/.config/certnb/config.toml
    4. the default (settings.py, which does the lookup)

Fields without an environment variable (scopes, write, all_users, username, password, token, the sign-in
wait, the callbacks and the seams) come from the arguments only.

>>> SignIn(write=True, all_users=True).wanted_scopes()
('User.ReadWrite.All',)
>>> SignIn(password="correct horse")
SignIn(password='***')
>>> Http(max_concurrency=0)
Traceback (most recent call last):
certnb.errors.ConfigError: argument: bad value 0 for 'max_concurrency': expected a positive whole number
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from certnb.clouds import Cloud
from certnb.errors import ConfigError
from certnb.graph.scopes import scopes_for
from certnb.session.settings import check_setting

if TYPE_CHECKING:
    from certnb.graph.transport import AsyncTransport

__all__ = ["KEYWORDS", "Http", "SignIn", "Target", "from_keywords", "looked_up"]

_HIDDEN = "***"  # what a password or a token looks like in a repr or an error


@dataclass(frozen=True)
class Target:
    """Where to connect: the tenant (id or domain), the app's client id, the national cloud, the Graph root.

    `cloud` is one of global, usgov, usgov-dod, china (or a `certnb.clouds.Cloud`); `base_url` overrides the
    cloud's Graph root (a stand-in, a proxy in front of Graph).

    >>> Target(tenant="contoso.onmicrosoft.us", client_id="<app id>", cloud="usgov").cloud.graph_url
    'https://graph.microsoft.us/beta'
    """

    tenant: str | None = None
    client_id: str | None = None
    cloud: str | Cloud | None = None
    base_url: str | None = None

    def __post_init__(self) -> None:
        for key in ("tenant", "client_id", "cloud", "base_url"):
            value = getattr(self, key)
            if value is not None:
                object.__setattr__(self, key, check_setting(key, value))  # a cloud's name → its Cloud

    def __repr__(self) -> str:
        return _repr(self)


@dataclass(frozen=True)
class SignIn:
    """How to sign in: the method, the scopes, the account, a token from elsewhere, the cache, the wait.

    `auth` is device_code (default), interactive (a browser on this machine) or password (with `username`
    and `password`: the emulator and scripts). Scopes are least-privileged: `User.Read`; `write=True` asks
    for `User.ReadWrite`, `all_users=True` for the `.All` variant; `scopes=[...]` overrides both. `token` (a
    string or a function returning one) skips MSAL. `timeout` bounds the wait for the person signing in
    (seconds); `on_device_code(flow)` replaces the display of the device code.

    >>> SignIn(auth="interactive", scopes=["User.Read.All"]).wanted_scopes()
    ('User.Read.All',)
    """

    auth: str | None = None
    scopes: Sequence[str] | None = None
    write: bool = False
    all_users: bool = False
    username: str | None = None
    password: str | None = None
    token: str | Callable[[], str] | None = None
    token_cache: str | Path | None = None
    timeout: float = 900.0
    on_device_code: Callable[[Mapping[str, Any]], None] | None = None

    def __post_init__(self) -> None:
        for key in ("auth", "token_cache"):
            if getattr(self, key) is not None:
                object.__setattr__(self, key, check_setting(key, getattr(self, key)))
        if self.scopes is not None:
            object.__setattr__(self, "scopes", _scopes(self.scopes))
        for key in ("write", "all_users"):
            if not isinstance(getattr(self, key), bool):
                raise ConfigError(key, getattr(self, key), "True or False")
        if self.username is not None and (not isinstance(self.username, str) or not self.username.strip()):
            raise ConfigError("username", self.username, "a user principal name, e.g. adele@contoso.example")
        if self.password is not None and not isinstance(self.password, str):
            raise ConfigError("password", _HIDDEN, "a string")
        token = self.token
        if token is not None and not ((isinstance(token, str) and token) or callable(token)):
            raise ConfigError("token", _HIDDEN, "a non-empty string or a function returning one")
        object.__setattr__(self, "timeout", check_setting("timeout", self.timeout))
        if self.on_device_code is not None and not callable(self.on_device_code):
            raise ConfigError("on_device_code", self.on_device_code, "a function of the device code flow")

    def __repr__(self) -> str:
        return _repr(self)

    def wanted_scopes(self) -> tuple[str, ...]:
        """The bare scopes to ask for: `scopes` if given, else the least-privileged one (graph/scopes.py)."""
        return tuple(self.scopes) if self.scopes else scopes_for(write=self.write, all_users=self.all_users)

    def method(self, default: str) -> str:
        """`password` when a password was given, else `default` (device_code or interactive)."""
        return "password" if self.password is not None else default


@dataclass(frozen=True)
class Http:
    """How the session talks HTTP: seconds per exchange, batches in flight, attempts per read; two seams.

    `timeout` also bounds each of MSAL's sign-in exchanges. `transport` (an httpx transport) and
    `http_client` (MSAL's requests-like session) are seams for tests, e.g. a recording transport.

    >>> Http(timeout=10, max_concurrency=4)
    Http(timeout=10.0, max_concurrency=4)
    """

    timeout: float | None = None
    max_concurrency: int | None = None
    max_attempts: int | None = None
    transport: AsyncTransport | None = None
    http_client: Any = None

    def __post_init__(self) -> None:
        for key in ("timeout", "max_concurrency", "max_attempts"):
            if getattr(self, key) is not None:
                object.__setattr__(self, key, check_setting(key, getattr(self, key)))

    def __repr__(self) -> str:
        return _repr(self)


Option = TypeVar("Option", Target, SignIn, Http)

# connect()'s keywords: each one is a field of one option object.
KEYWORDS: dict[str, tuple[type[Target] | type[SignIn] | type[Http], str]] = {
    **{key: (Target, key) for key in ("tenant", "client_id", "cloud", "base_url")},
    **{
        key: (SignIn, key)
        for key in ("auth", "scopes", "write", "all_users", "username", "password", "token", "token_cache")
    },
    "on_device_code": (SignIn, "on_device_code"),
    "sign_in_timeout": (SignIn, "timeout"),
    **{
        key: (Http, key)
        for key in ("timeout", "max_concurrency", "max_attempts", "transport", "http_client")
    },
}
APP_ONLY_KEYWORDS = ("client_secret", "client_credential")  # accepted only to be refused (contract §4)


def from_keywords(
    target: Target | None, sign_in: SignIn | None, http: Http | None, keywords: Mapping[str, object]
) -> tuple[Target, SignIn, Http]:
    """The three option objects with connect()'s keywords folded in; a field given twice is refused.

    >>> target, sign_in, http = from_keywords(None, SignIn(write=True), None, {"tenant": "t", "timeout": 5})
    >>> target.tenant, sign_in.write, http.timeout
    ('t', True, 5.0)
    >>> from_keywords(Target(tenant="a"), None, None, {"tenant": "b"})
    Traceback (most recent call last):
    certnb.errors.ConfigError: argument: bad value 'b' for 'tenant': expected it once: tenant= or \
Target(tenant=...), not both
    """
    given: dict[type[Any], dict[str, Any]] = {Target: {}, SignIn: {}, Http: {}}
    for name, value in keywords.items():
        if name in APP_ONLY_KEYWORDS or (value is None and name in KEYWORDS):
            continue  # None: not given, as before the objects (connect(tenant=None) looks further)
        if name not in KEYWORDS:
            known = [*KEYWORDS, *APP_ONLY_KEYWORDS, "target", "sign_in", "http", "config_file", "environ"]
            close = difflib.get_close_matches(name, known, 1)
            hint = f" (did you mean {close[0]}=?)" if close else ""
            raise ConfigError(name, _HIDDEN, f"a keyword of certnb.connect(){hint}")
        kind, field = KEYWORDS[name]
        given[kind][field] = (name, value)
    return (
        _fold(target or Target(), given[Target]),
        _fold(sign_in or SignIn(), given[SignIn]),
        _fold(http or Http(), given[Http]),
    )


def looked_up(target: Target, sign_in: SignIn, http: Http) -> dict[str, Any]:
    """The fields that have a `CERTNB_*` variable and a config-file key, as given (None: look further).

    >>> looked_up(Target(cloud="china"), SignIn(), Http(timeout=5))["timeout"]
    5.0
    """
    return {
        "tenant": target.tenant,
        "client_id": target.client_id,
        "cloud": target.cloud,
        "base_url": target.base_url,
        "auth": sign_in.auth,
        "token_cache": sign_in.token_cache,
        "timeout": http.timeout,
        "max_concurrency": http.max_concurrency,
        "max_attempts": http.max_attempts,
    }


def _fold(option: Option, given: Mapping[str, tuple[str, Any]]) -> Option:
    defaults = type(option)()
    for field, (name, value) in given.items():
        if getattr(option, field) != getattr(defaults, field):
            shown = _HIDDEN if field in ("password", "token") else value
            raise ConfigError(
                name, shown, f"it once: {name}= or {type(option).__name__}({field}=...), not both"
            )
    return replace(option, **{field: value for field, (_, value) in given.items()})


def _scopes(scopes: object) -> tuple[str, ...]:
    if isinstance(scopes, str) or not isinstance(scopes, Iterable):
        raise ConfigError("scopes", scopes, "a list of scope names, e.g. ['User.Read']")
    names = tuple(scopes)
    if not all(isinstance(name, str) and name.strip() for name in names):
        raise ConfigError("scopes", scopes, "a list of non-empty scope names, e.g. ['User.Read']")
    return tuple(name.strip() for name in names)


def _repr(option: Target | SignIn | Http) -> str:
    """Only the fields given (not their defaults); a password or a token as `'***'`."""
    defaults = type(option)()
    shown = []
    for field in fields(option):
        value = getattr(option, field.name)
        if value == getattr(defaults, field.name):
            continue
        if field.name in ("password", "token"):
            value = _HIDDEN
        elif isinstance(value, Cloud):
            value = value.name
        elif isinstance(value, Path):
            value = str(value)
        shown.append(f"{field.name}={value!r}")
    return f"{type(option).__name__}({', '.join(shown)})"
