"""`certnb.connect()`: sign in and get a `Session` — the embedded emulator, a real tenant, or a token.

    connect(emulator=True)                        the offline default: a process-wide emulator, signed in
                                                  with MSAL's device code flow (auto-approved for its
                                                  default user), username= + password=, or
                                                  auth="interactive" (its sign-in page in a browser)
    connect(tenant=..., client_id=..., cloud=...) a real tenant, delegated sign-in: auth="device_code"
                                                  (default) or "interactive"; token cached per user
    connect(base_url=..., token=...)              a bearer token obtained elsewhere (str or function)

What to connect to, how to sign in and how to talk HTTP are three option objects, `Target`, `SignIn` and
`Http` (options.py, where the lookup order arguments → CERTNB_* environment → config file is written down);
every field is also a keyword of connect() (`connect(tenant=..., write=True, timeout=10)`).

Scopes are least-privileged: `User.Read` by default; `write=True` asks for `User.ReadWrite`, and
`all_users=True` for the `.All` variant (other users' profiles); `scopes=[...]` overrides both.
App-only sign-in is refused before anything is sent (contract §4).

The emulator is known only by what it says about sign-in (`Emulator.sign_in_protocol()`): its Graph root,
its authority, the CA to trust, whether it approves device codes by itself, and MSAL's HTTP client for it.

>>> graph = connect(emulator=True, write=True)                   # doctest: +SKIP
>>> graph                                                        # doctest: +SKIP
<certnb.Session https://127.0.0.1:50123/beta cloud=custom account='adele@...' scopes=['User.ReadWrite']>
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from certnb.clouds import GLOBAL, Cloud
from certnb.errors import AppOnlyNotSupported, ConfigError
from certnb.graph.urls import check_base_url
from certnb.session.options import Http, SignIn, Target, from_keywords, looked_up
from certnb.session.settings import Settings, default_token_cache

if TYPE_CHECKING:
    from certnb.emulator.server import Emulator
    from certnb.emulator.signin_protocol import SignInProtocol
    from certnb.graph.transport import AsyncTransport
    from certnb.session.session import Session
    from certnb.session.sign_in import TokenCacheFile

# `import certnb` stays light: httpx, MSAL, the emulator and the session load when connect() is called.

__all__ = ["EMULATOR_CLIENT_ID", "Keywords", "connect"]

EMULATOR_CLIENT_ID = "certnb-notebook"  # the emulator accepts any client id


class Keywords(TypedDict, total=False):
    """connect()'s keywords: the fields of `Target`, `SignIn` and `Http` by name (options.KEYWORDS)."""

    tenant: str
    client_id: str
    cloud: str | Cloud
    base_url: str
    auth: str
    scopes: Sequence[str]
    write: bool
    all_users: bool
    username: str
    password: str
    token: str | Callable[[], str]
    token_cache: str | Path
    sign_in_timeout: float
    on_device_code: Callable[[Mapping[str, Any]], None]
    timeout: float
    max_concurrency: int
    max_attempts: int
    require_reason: bool  # staging this session's loads needs a reason= (certnb.staging.reason)
    transport: AsyncTransport
    http_client: Any
    client_secret: str  # refused: app-only sign-in (contract §4)
    client_credential: object  # refused likewise


def connect(
    emulator: bool | Emulator | SignInProtocol = False,
    *,
    target: Target | None = None,
    sign_in: SignIn | None = None,
    http: Http | None = None,
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    **keywords: Unpack[Keywords],
) -> Session:
    """Sign in and return a `Session` (see the module docstring for the three ways).

    `target=Target(...)`, `sign_in=SignIn(...)` and `http=Http(...)` say where, how and how fast; each field
    is also a keyword (`tenant=`, `write=`, `timeout=`, ...; the sign-in wait is `sign_in_timeout=`), and a
    field left out comes from `CERTNB_*` variables or the config file (`config_file=`, `environ=`).

    >>> import certnb
    >>> from certnb.session import Http, SignIn, Target
    >>> emu = certnb.Emulator().start()   # the sample tenant on loopback

    `Target`: where: the tenant, the app's client id, the cloud, the Graph root. A real tenant is
    `Target(tenant="contoso.onmicrosoft.us", client_id="<app id>", cloud="usgov")`; the emulator takes any
    client id.

    >>> with connect(emu, target=Target(client_id="my-notebook-app")) as session:
    ...     session.base_url == emu.graph_url, session.account
    (True, 'megan.bowen@contoso.example')

    `SignIn`: how and as whom: the scopes (least-privileged from `write` and `all_users`), the method
    (device code, interactive, password), a token from elsewhere, the token cache, the wait.

    >>> with connect(emu, sign_in=SignIn(write=True, all_users=True, timeout=60)) as session:
    ...     session.account, session.scopes
    ('megan.bowen@contoso.example', ('User.ReadWrite.All',))
    >>> with connect(emu, sign_in=SignIn(token=emu.access_token())) as session:
    ...     session.me()["userPrincipalName"]
    'megan.bowen@contoso.example'

    `Http`: how the session talks: seconds per exchange, batches in flight, attempts per read.

    >>> with connect(emu, http=Http(timeout=10, max_concurrency=2, max_attempts=3)) as session:
    ...     session.timeout, session.max_concurrency, session.max_attempts
    (10.0, 2, 3)
    >>> emu.stop()
    """
    require_reason = keywords.pop("require_reason", None)  # a setting of staging, not of the sign-in
    target, sign_in, http = from_keywords(target, sign_in, http, keywords)
    given = {**looked_up(target, sign_in, http), "client_secret": keywords.get("client_secret"),
             "require_reason": require_reason}
    settings = Settings.resolve(given, environ=environ, config_file=config_file)
    from certnb.graph.auth import APP_ONLY_MESSAGE

    if keywords.get("client_credential") is not None or settings.client_secret_set:
        raise AppOnlyNotSupported(APP_ONLY_MESSAGE)  # before any request (contract §4)
    knobs: dict[str, Any] = {
        "timeout": settings.timeout,
        "max_concurrency": settings.max_concurrency,
        "max_attempts": settings.max_attempts,
        "transport": http.transport,
    }
    protocol = _emulator(emulator)
    if sign_in.token is not None:
        session = _token_session(protocol, settings, sign_in.token, sign_in.wanted_scopes(), knobs)
    elif protocol is not None:
        # The emulator signs in with the device code (approved at once) unless this call asks otherwise:
        # a CERTNB_AUTH meant for a real tenant does not open a browser for the demo.
        method = sign_in.method(settings.auth if sign_in.auth is not None else "device_code")
        session = _connect_emulator(protocol, settings, sign_in, http, method, knobs)
    else:
        session = _connect_tenant(settings, sign_in, http, knobs)
    if settings.source_of("require_reason") != "default":  # else staging looks at the environment itself
        session.require_reason = settings.require_reason
    return session


def _emulator(emulator: bool | Emulator | SignInProtocol | None) -> SignInProtocol | None:
    if emulator is False or emulator is None:
        return None
    from certnb.emulator.signin_protocol import SignInProtocol

    if isinstance(emulator, SignInProtocol):  # an emulator known by URL only (`certnb audit --tenant URL`)
        return emulator
    if emulator is True:
        from certnb.emulator.shared import shared_emulator

        emulator = shared_emulator()
    return emulator.start().sign_in_protocol()  # start() is a no-op when it runs already


def _token_session(
    protocol: SignInProtocol | None,
    settings: Settings,
    token: str | Callable[[], str],
    scopes: tuple[str, ...],
    knobs: dict[str, Any],
) -> Session:
    from certnb.graph.auth import GraphAuth, StaticToken
    from certnb.session.session import Session

    root = settings.base_url or (protocol.graph_url if protocol else settings.cloud.graph_url)
    verify: Any = (protocol.ca_file or True) if protocol else True
    return Session(
        check_base_url(root),
        GraphAuth(StaticToken(token)),
        cloud=None if protocol else settings.cloud,
        scopes=scopes,
        verify=verify,
        **knobs,
    )


def _connect_emulator(
    protocol: SignInProtocol,
    settings: Settings,
    sign_in: SignIn,
    http: Http,
    method: str,
    knobs: dict[str, Any],
) -> Session:
    from certnb.session.sign_in import TokenCacheFile
    from certnb.session.signin_host import public_client

    cache_file = TokenCacheFile(settings.token_cache) if settings.token_cache else None
    app = public_client(
        settings.client_id or EMULATOR_CLIENT_ID,
        protocol.authority,  # not a Microsoft host: no discovery at login.microsoftonline.com (contract §9)
        http_client=http.http_client or protocol.http_client(settings.timeout),
        token_cache=cache_file.cache if cache_file else None,
    )
    if sign_in.on_device_code is None and protocol.device_code_auto_approve:
        # Approved at once: a code on screen would only be noise in notebooks.
        sign_in = replace(sign_in, on_device_code=_quiet)
    scopes = sign_in.wanted_scopes()
    return _sign_in_session(
        app,
        [GLOBAL.scope(s) for s in scopes],
        method,
        sign_in,
        cache_file,
        GraphTarget(protocol.graph_url, None, scopes, protocol.ca_file or True),
        knobs,
    )


def _connect_tenant(settings: Settings, sign_in: SignIn, http: Http, knobs: dict[str, Any]) -> Session:
    from certnb.session.sign_in import TokenCacheFile
    from certnb.session.signin_host import public_client

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
        http_client=http.http_client,
        token_cache=cache_file.cache,
        timeout=settings.timeout,
    )
    scopes = sign_in.wanted_scopes()
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
class GraphTarget:
    """Where the signed-in session talks (resolved): the Graph root, its cloud, the bare scopes, TLS trust."""

    url: str
    cloud: Cloud | None
    scopes: tuple[str, ...]
    verify: Any


def _sign_in_session(
    app: Any,
    scopes: list[str],
    method: str,
    sign_in: SignIn,
    cache_file: TokenCacheFile | None,
    target: GraphTarget,
    knobs: dict[str, Any],
) -> Session:
    """Sign in through MSAL (silently from the cache when it can), save the cache, open the session."""
    from certnb.graph.auth import GraphAuth
    from certnb.session.session import Session
    from certnb.session.sign_in import MsalTokens
    from certnb.session.sign_in import sign_in as msal_sign_in

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
    return Session(
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
