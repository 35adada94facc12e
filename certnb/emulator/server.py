"""Run the emulator on loopback in a background thread: `Emulator`, used by notebooks, tests and the CLI.

HTTPS by default with a locally generated certificate authority (trustme), because MSAL only talks https
(contract §9); `https=False` serves plain HTTP for raw clients. The server runs its own event loop in its own
thread, so it works the same from a script, a test or a Jupyter kernel whose loop is already running.

    >>> with Emulator(throttle_rps=50) as emu:                          # doctest: +SKIP
    ...     emu.graph_url, emu.tenant_id, emu.ca_file
    ('https://127.0.0.1:50123/beta', '7c1e...', '/tmp/certnb-emulator-.../ca.pem')
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import shutil
import socket
import ssl
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from certnb.emulator.app import EmulatorApp, build_app
from certnb.emulator.faults import DROP_KEY
from certnb.emulator.signin_protocol import SignInProtocol

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class Emulator:
    """A local Graph emulator in a background thread; a context manager that can start and stop repeatedly.

    `seed` is a seed file, a seed dict (contract §10) or None for the built-in sample tenant; `knobs` are
    `EmulatorConfig` and `Faults` fields (`page_size=5`, `throttle_rps=100`, ...). A host other than loopback
    needs `allow_remote=True`: the emulator has no real security. `ca_file` says where to write the CA.

    >>> emu = Emulator(https=False).start()                             # doctest: +SKIP
    >>> token = emu.access_token()                                      # doctest: +SKIP
    >>> httpx.get(f"{emu.graph_url}/me/profile/certifications",         # doctest: +SKIP
    ...           headers={"Authorization": f"Bearer {token}"}).status_code
    200
    >>> emu.sign_in_protocol().authority                                # doctest: +SKIP
    'http://127.0.0.1:50123/7c1e...'
    >>> emu.stop()                                                      # doctest: +SKIP
    """

    def __init__(
        self,
        seed: str | Path | dict[str, Any] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        https: bool = True,
        ca_file: str | Path | None = None,
        allow_remote: bool = False,
        **knobs: Any,
    ) -> None:
        if not allow_remote and not _is_loopback(host):
            raise ValueError(
                f"refusing to serve the emulator on {host!r}: it is not loopback and the emulator has no "
                "real security; pass allow_remote=True (CLI: --allow-remote) if you really mean it"
            )
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port!r}")
        self._host = host
        self._requested_port = port
        self._https = https
        self.app: EmulatorApp = build_app(seed=seed, **knobs)
        # Certificate and key live as long as this object (they survive restarts); removed when it goes.
        self._workdir = Path(tempfile.mkdtemp(prefix="certnb-emulator-"))
        weakref.finalize(self, shutil.rmtree, self._workdir, ignore_errors=True)
        default_ca = self._workdir / "ca.pem"
        self._ca_path = Path(ca_file).expanduser().resolve() if ca_file else default_ca
        self._tls: dict[str, Any] | None = None  # issued once, kept across restarts
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self._socket: socket.socket | None = None
        self._port: int | None = None  # the last bound port, reused on restart

    # ----------------------------------------------------------------- addresses
    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def url(self) -> str:
        """The server root, e.g. `https://127.0.0.1:50123`."""
        if not self.running or self._port is None:
            raise RuntimeError("the emulator is not running; use `with Emulator() as emu:` or call start()")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{'https' if self._https else 'http'}://{host}:{self._port}"

    @property
    def graph_url(self) -> str:
        """The Graph version root, `{url}/beta`."""
        return f"{self.url}/beta"

    @property
    def tenant_id(self) -> str:
        """The seeded tenant's id (the `{tenant}` of the identity endpoints)."""
        return self.app.tenant_id

    @property
    def ca_file(self) -> str | None:
        """PEM file of the certificate authority to trust (None over plain HTTP)."""
        return str(self._ca_path) if self._https else None

    def authority(self) -> str:
        """The MSAL authority URL for this emulator's tenant."""
        return f"{self.url}/{self.tenant_id}"

    def sign_in_protocol(self) -> SignInProtocol:
        """What a client needs to sign in here through MSAL (signin_protocol.py); the emulator must run."""
        return SignInProtocol(
            url=self.url,
            tenant_id=self.tenant_id,
            ca_file=self.ca_file,
            device_code_auto_approve=self.app.config.device_code_auto_approve,
        )

    def verify(self) -> ssl.SSLContext | bool:
        """What to pass as httpx's `verify=`: an SSL context trusting the emulator's CA (False over HTTP)."""
        if not self._https:
            return False
        return ssl.create_default_context(cafile=str(self._ca_path))

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> Emulator:
        """Bind, start serving in a daemon thread and wait until it answers; a no-op when already running."""
        with self._lock:
            if self.running:
                return self
            import uvicorn

            sock = self._bind()
            self._socket = sock
            self._port = sock.getsockname()[1]
            config = uvicorn.Config(
                self.app,
                http=http_protocol_class(),
                log_config=None,  # keep the notebook's logging set-up; uvicorn's loggers propagate to root
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_keep_alive=30,
                backlog=2048,
                **self._tls_files(),
            )
            self._server = uvicorn.Server(config)
            self._thread = threading.Thread(
                target=self._server.run, kwargs={"sockets": [sock]}, name="certnb-emulator", daemon=True
            )
            self._thread.start()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and release the port; a no-op when not running. State is kept for a restart."""
        with self._lock:
            server, thread, sock = self._server, self._thread, self._socket
            self._server = self._thread = self._socket = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=timeout / 2)
            if thread.is_alive() and server is not None:
                server.force_exit = True  # open keep-alive connections or stuck requests: stop anyway
                thread.join(timeout=timeout / 2)
        if sock is not None:
            sock.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        # Only addresses and the tenant id: seeds may carry passwords, tokens are never held here.
        where = self.url if self.running else "stopped"
        return f"<Emulator {where} tenant={self.tenant_id}>"

    # ----------------------------------------------------------------- admin
    def stats(self) -> dict[str, Any]:
        """Request statistics: requests_total, by_route, batch_items, throttled, peak_in_flight, ..."""
        return self.app.stats_snapshot()

    def state(self) -> dict[str, Any]:
        """The tenant as it is now, in the seed format (contract §10)."""
        return self.app.state_snapshot()

    def reset(self) -> None:
        """Restore the seed, clear statistics and faults."""
        self.app.reset()

    def set_faults(self, **faults: Any) -> None:
        """Change fault knobs live, e.g. `emu.set_faults(throttle_rps=100, error_503_rate=0.1)`."""
        self.app.set_faults(**faults)

    def run_import(self) -> int:
        """Simulate the next import from the tenant's admin-controlled profile sources (contract §13): the
        values they own go back to what they gave, deleted certifications they gave come back. Returns how
        many certifications changed (0 unless a write was accepted in the `source_owned_writes="revert"`
        mode).

        >>> emu.run_import()                                                 # doctest: +SKIP
        0
        """
        return self.app.run_import()

    def access_token(self, user: str | None = None, scopes: str = "User.ReadWrite.All") -> str:
        """Sign in a seeded user (UPN or id; default: the seed's default user) and return an access token.

        Uses the resource-owner password grant of the emulator's token endpoint (contract §9), so the token
        is a real one of this emulator. For raw-HTTP tests and demos; certnb's client signs in with MSAL.

        >>> headers = {"Authorization": f"Bearer {emu.access_token(scopes='User.Read')}"}  # doctest: +SKIP
        """
        tenant = self.app.tenant
        account = tenant.default_user if user is None else tenant.find_user(user)
        if account is None:
            raise LookupError(f"no user {user!r} in the emulator's tenant {self.tenant_id}")
        form = {
            "grant_type": "password",
            "client_id": "certnb-emulator",
            "username": account.user_principal_name,
            "password": account.password or "emulator",
            "scope": scopes,
        }
        endpoint = f"{self.authority()}/oauth2/v2.0/token"
        status, text = self._exchange("POST", endpoint, urlencode(form).encode(), timeout=10)
        if status != 200:
            raise RuntimeError(f"the emulator refused to sign in {account.user_principal_name}: {text}")
        token: str = json.loads(text)["access_token"]
        return token

    # ----------------------------------------------------------------- internals
    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        # A restart reuses the last port, so URLs handed out before keep working; else any free port.
        ports = [self._requested_port] if self._requested_port else [self._port or 0, 0]
        last_error: OSError | None = None
        for port in ports:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self._host, port))
            except OSError as exc:
                sock.close()
                last_error = exc
                continue
            sock.listen(2048)
            return sock
        raise OSError(f"cannot bind the emulator to {self._host}:{ports[-1]}: {last_error}")

    def _tls_files(self) -> dict[str, Any]:
        if not self._https:
            return {}
        if self._tls is None:
            import trustme

            ca = trustme.CA(organization_name="certnb emulator")
            names = ["127.0.0.1", "localhost", "::1"]
            if self._host not in names and not _is_wildcard(self._host):
                names.append(self._host)
            cert = ca.issue_cert(*names)
            self._ca_path.parent.mkdir(parents=True, exist_ok=True)
            ca.cert_pem.write_to_path(str(self._ca_path))
            chain = self._workdir / "server.pem"
            key = self._workdir / "server.key"
            cert.private_key_pem.write_to_path(str(key))
            chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
            self._tls = {"ssl_certfile": str(chain), "ssl_keyfile": str(key)}
        return self._tls

    def _wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        host = "127.0.0.1" if _is_wildcard(self._host) and ":" not in self._host else self._host
        host = "::1" if _is_wildcard(self._host) and ":" in self._host else host
        probe = f"{'https' if self._https else 'http'}://{f'[{host}]' if ':' in host else host}:{self._port}"
        while time.monotonic() < deadline:
            if self._thread is None or not self._thread.is_alive():
                raise RuntimeError("the emulator thread stopped while starting (see the log above)")
            try:
                self._exchange("GET", f"{probe}/_emulator/health", None, timeout=1.0)
                return
            except (OSError, http.client.HTTPException):  # refused, reset, TLS not ready yet, timed out
                time.sleep(0.02)
        raise RuntimeError(f"the emulator did not answer at {probe} within {timeout} s")

    def _exchange(self, method: str, url: str, form: bytes | None, *, timeout: float) -> tuple[int, str]:
        """One request to this emulator (standard library only, no proxy): the status and the body's text."""
        parts = urlsplit(url)
        host, port = parts.hostname or self._host, parts.port or self._port
        connection: http.client.HTTPConnection
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=str(self._ca_path))
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        try:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method, target, body=form, headers=headers)
            reply = connection.getresponse()
            return reply.status, reply.read().decode("utf-8", "replace")
        finally:
            connection.close()


def describe(emu: Emulator) -> str:
    """The one ready line the CLI prints: JSON with `graph_url`, `tenant_id`, `ca_file`, `url` and
    `default_user` (the UPN the emulator signs in when nobody is named; a script's password grant needs it,
    and asking `/_emulator/state` for it would dump a 100,000-person tenant)."""
    return json.dumps(
        {"graph_url": emu.graph_url, "tenant_id": emu.tenant_id, "ca_file": emu.ca_file, "url": emu.url,
         "default_user": emu.app.tenant.default_user.user_principal_name}
    )


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    return host in ("0.0.0.0", "::", "")


def http_protocol_class() -> type[Any]:
    """uvicorn's HTTP protocol (httptools, else h11), extended so the app can abort a request's connection.

    ASGI gives an app no handle on the TCP connection, yet a dropped-connection fault must really abort it
    so the client sees a transport error (faults.py). Each connection gets its own copy of the app state
    holding its `drop` method; uvicorn copies that state into every request's scope.
    """
    base: type[Any]
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        base = HttpToolsProtocol
    except ImportError:  # httptools is optional in uvicorn
        from uvicorn.protocols.http.h11_impl import H11Protocol

        base = H11Protocol

    class TransportInScope(base):  # type: ignore[misc]
        app_state: dict[str, Any]

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self.app_state = {**self.app_state, DROP_KEY: self.drop}

        def drop(self) -> None:
            """Abort the TCP connection now; whatever the app still sends for this request is discarded."""
            self.transport.abort()
            if self.cycle is not None:
                # connection_lost() would set this only on the loop's next turn, after the app's send.
                self.cycle.disconnected = True

    return TransportInScope
