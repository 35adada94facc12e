"""`certnb.connect()`: sign in and get a `Graph` session — the embedded emulator, a real tenant, or a token.

    connect(emulator=True)                        the offline default: a process-wide emulator, signed in
                                                  with MSAL's device code flow (auto-approved for its
                                                  default user), username= + password=, or
                                                  auth="interactive" (its sign-in page in a browser)
    connect(tenant=..., client_id=..., cloud=...) a real tenant, delegated sign-in: auth="device_code"
                                                  (default) or "interactive"; token cached per user
    connect(base_url=..., token=...)              a bearer token obtained elsewhere (str or function)

Scopes are least-privileged: `User.Read` by default; `write=True` asks for `User.ReadWrite`, and
`all_users=True` for the `.All` variant (other users' profiles); `scopes=[...]` overrides both.
App-only sign-in is refused before anything is sent (contract §4).

>>> graph = connect(emulator=True, write=True)                   # doctest: +SKIP
>>> graph                                                        # doctest: +SKIP
<certnb.Graph https://127.0.0.1:50123/beta cloud=custom account='adele@...' scopes=['User.ReadWrite']>
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certnb.clouds import GLOBAL, Cloud
from certnb.errors import AppOnlyNotSupported, ConfigError
from certnb.graph.config import Settings, default_token_cache
from certnb.graph.scopes import scopes_for
from certnb.graph.urls import check_base_url

if TYPE_CHECKING:
    import httpx

    from certnb.auth import TokenCacheFile
    from certnb.emulator.server import Emulator
    from certnb.graph.client import Graph

# `import certnb` stays light: httpx, MSAL and the session are imported when connect() is called.

__all__ = ["EMULATOR_CLIENT_ID", "connect", "shared_emulator"]

EMULATOR_CLIENT_ID = "certnb-notebook"  # the emulator accepts any client id
_shared: Emulator | None = None
_shared_lock = threading.Lock()


def shared_emulator() -> Emulator:
    """The process-wide embedded emulator with the sample tenant, started on first use."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            from certnb.emulator.server import Emulator

            _shared = _shared or Emulator()
            _shared.start()
        return _shared


def connect(
    emulator: bool | Emulator = False,
    *,
    tenant: str | None = None,
    client_id: str | None = None,
    cloud: str | Cloud | None = None,
    auth: str | None = None,
    scopes: Sequence[str] | None = None,
    write: bool = False,
    all_users: bool = False,
    username: str | None = None,
    password: str | None = None,
    base_url: str | None = None,
    token: str | Callable[[], str] | None = None,
    token_cache: str | Path | None = None,
    client_secret: str | None = None,
    client_credential: object | None = None,
    config_file: str | Path | None = None,
    timeout: float | None = None,
    max_concurrency: int | None = None,
    max_attempts: int | None = None,
    sign_in_timeout: float = 900.0,
    environ: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    http_client: Any = None,
    on_device_code: Callable[[Mapping[str, Any]], None] | None = None,
) -> Graph:
    """Sign in and return a `Graph` session (see the module docstring for the three ways).

    `transport` (an httpx transport) and `http_client` (MSAL's requests-like session) are seams for tests;
    `on_device_code(flow)` replaces the default display of the sign-in code.

    >>> certnb.connect(tenant="contoso.onmicrosoft.us", client_id="...", cloud="usgov")  # doctest: +SKIP
    """
    settings = Settings.resolve(
        {
            "tenant": tenant,
            "client_id": client_id,
            "cloud": cloud,
            "auth": auth,
            "base_url": base_url,
            "token_cache": token_cache,
            "timeout": timeout,
            "max_concurrency": max_concurrency,
            "max_attempts": max_attempts,
            "client_secret": client_secret,
        },
        environ=environ,
        config_file=config_file,
    )
    from certnb.auth import APP_ONLY_MESSAGE, GraphAuth, StaticToken
    from certnb.graph.client import Graph

    if client_credential is not None or settings.client_secret_set:
        raise AppOnlyNotSupported(APP_ONLY_MESSAGE)  # before any request (contract §4)
    wanted = tuple(scopes) if scopes else scopes_for(write=write, all_users=all_users)
    knobs: dict[str, Any] = {
        "timeout": settings.timeout,
        "max_concurrency": settings.max_concurrency,
        "max_attempts": settings.max_attempts,
        "transport": transport,
    }
    sign_in = SignInOptions(username, password, sign_in_timeout, http_client, on_device_code)
    emu = _emulator(emulator)
    if token is not None:
        root = settings.base_url or (emu.graph_url if emu else settings.cloud.graph_url)
        verify: Any = (emu.ca_file or True) if emu else True
        source = StaticToken(token)
        return Graph(
            check_base_url(root),
            GraphAuth(source),
            cloud=None if emu else settings.cloud,
            scopes=wanted,
            verify=verify,
            **knobs,
        )
    if emu is not None:
        # The emulator signs in with the device code (approved at once) unless this call asks otherwise:
        # a CERTNB_AUTH meant for a real tenant does not open a browser for the demo.
        method = sign_in.method(settings.auth if auth is not None else "device_code")
        return _connect_emulator(emu, settings, wanted, sign_in, method, knobs)
    return _connect_tenant(settings, wanted, sign_in, knobs)


def _emulator(emulator: bool | Emulator | None) -> Emulator | None:
    if emulator is True:
        return shared_emulator()
    if emulator is False or emulator is None:
        return None
    if not emulator.running:
        emulator.start()
    return emulator


def _connect_emulator(
    emu: Emulator,
    settings: Settings,
    scopes: tuple[str, ...],
    sign_in: SignInOptions,
    method: str,
    knobs: dict[str, Any],
) -> Graph:
    from certnb.auth import TokenCacheFile
    from certnb.signin_host import public_client

    cache_file = TokenCacheFile(settings.token_cache) if settings.token_cache else None
    app = public_client(
        settings.client_id or EMULATOR_CLIENT_ID,
        emu.authority(),  # not a Microsoft host: no discovery at login.microsoftonline.com (contract §9)
        http_client=sign_in.http_client or _EmulatorSession(emu, settings.timeout),
        token_cache=cache_file.cache if cache_file else None,
    )
    if sign_in.on_device_code is None and emu.app.config.device_code_auto_approve:
        # Approved at once: a code on screen would only be noise in notebooks.
        sign_in = replace(sign_in, on_device_code=_quiet)
    return _sign_in_session(
        app,
        [GLOBAL.scope(s) for s in scopes],
        method,
        sign_in,
        cache_file,
        GraphTarget(emu.graph_url, None, scopes, emu.ca_file or True),
        knobs,
    )


def _connect_tenant(
    settings: Settings, scopes: tuple[str, ...], sign_in: SignInOptions, knobs: dict[str, Any]
) -> Graph:
    from certnb.auth import TokenCacheFile
    from certnb.signin_host import public_client

    for key, value in (("tenant", settings.tenant), ("client_id", settings.client_id)):
        if not value:
            raise ConfigError(
                key, value, f"a value: pass {key}=... or set CERTNB_{key.upper()} (or use emulator=True)"
            )
    cloud = settings.cloud
    cache_file = TokenCacheFile(settings.token_cache or default_token_cache())
    # The cloud's own sign-in host only; each of MSAL's exchanges bounded like Graph's (`timeout`).
    app = public_client(
        str(settings.client_id),
        cloud.authority(str(settings.tenant)),
        http_client=sign_in.http_client,
        token_cache=cache_file.cache,
        timeout=settings.timeout,
    )
    return _sign_in_session(
        app,
        [cloud.scope(s) for s in scopes],  # tokens do not cross clouds (contract §5): the cloud's own root
        sign_in.method(settings.auth),
        sign_in,
        cache_file,
        GraphTarget(settings.base_url or cloud.graph_url, cloud, scopes, True),
        knobs,
    )


@dataclass(frozen=True)
class SignInOptions:
    """How to sign in: credentials for the password grant, the bounded wait, and the two seams for tests."""

    username: str | None
    password: str | None
    timeout: float
    http_client: Any  # MSAL's requests-like session, or None for MSAL's own
    on_device_code: Callable[[Mapping[str, Any]], None] | None

    def method(self, default: str) -> str:
        """`password` when a password was given, else `default` (device_code or interactive)."""
        return "password" if self.password is not None else default


@dataclass(frozen=True)
class GraphTarget:
    """Where the signed-in session talks: the Graph root, its cloud, the bare scopes, TLS trust."""

    url: str
    cloud: Cloud | None
    scopes: tuple[str, ...]
    verify: Any


def _sign_in_session(
    app: Any,
    scopes: list[str],
    method: str,
    sign_in: SignInOptions,
    cache_file: TokenCacheFile | None,
    target: GraphTarget,
    knobs: dict[str, Any],
) -> Graph:
    """Sign in through MSAL (silently from the cache when it can), save the cache, open the session."""
    from certnb.auth import GraphAuth, MsalTokens
    from certnb.auth import sign_in as msal_sign_in
    from certnb.graph.client import Graph

    account, result = msal_sign_in(
        app,
        scopes,
        method=method,
        username=sign_in.username,
        password=sign_in.password,
        timeout=sign_in.timeout,
        on_device_code=sign_in.on_device_code,
    )
    if cache_file is not None:
        cache_file.save()
    tokens = MsalTokens(app, scopes, account, result, cache_file)
    return Graph(
        target.url,
        GraphAuth(tokens),
        cloud=target.cloud,
        scopes=target.scopes,
        verify=target.verify,
        account=tokens.username,
        on_sign_out=tokens.sign_out,
        **knobs,
    )


def _quiet(flow: Mapping[str, Any]) -> None:
    """Show nothing: the emulator approves the code by itself."""


class _EmulatorSession:
    """MSAL's HTTP client for the emulator: trusts its CA, keeps the port MSAL drops, bounds each exchange.

    MSAL's user-realm discovery (before a password grant) builds its URL from the authority's host
    without the port; the emulator listens on a random port, so put it back.
    """

    def __init__(self, emu: Emulator, timeout: float = 30.0) -> None:
        import requests

        self._session = requests.Session()
        self._timeout = timeout
        self._verify: str | bool = emu.ca_file or False
        self._root = emu.url
        self._portless = emu.url.rsplit(":", 1)[0]

    def _fix(self, url: str) -> str:
        if url.startswith(self._portless + "/"):
            return self._root + url[len(self._portless) :]
        return url

    def get(self, url: str, **kwargs: Any) -> Any:
        return self._session.get(self._fix(url), **self._options(kwargs))

    def post(self, url: str, **kwargs: Any) -> Any:
        return self._session.post(self._fix(url), **self._options(kwargs))

    def _options(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs["verify"] = self._verify  # a per-request verify would override the session's
        kwargs.setdefault("timeout", self._timeout)
        # Sign-ins are rare: no idle keep-alive connection should outlive the emulator it points at.
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Connection": "close"}
        return kwargs

    def close(self) -> None:
        self._session.close()
