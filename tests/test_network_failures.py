"""A host that cannot be reached is a `NetworkError` naming the host, the cause and what to try — on the
sign-in path (MSAL, over requests) and on the Graph path (httpx) alike, chained to the library's error.

Every cause is real and on loopback only: a name under `.invalid` (RFC 6761: never resolves; it fails at
once here, without a network), a closed 127.0.0.1 port, the emulator's HTTPS with its CA not trusted,
HTTPS_PROXY at a closed port or at a proxy that answers 403, and a port that accepts and never answers.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests

import certnb
from certnb.clouds import Cloud
from certnb.emulator.server import Emulator
from certnb.errors import CertnbError, GraphError, NetworkError, SignInError
from certnb.session.signin_host import signing_in

pytestmark = pytest.mark.timeout(60)  # each case is bounded by its own 0.5 s timeout; this bounds a hang

TOKEN = "opaque-access-token-never-shown"  # a token from elsewhere, for the Graph path
PROXY_PASSWORD = "hunter2-never-shown"
TIMEOUT = 0.5


class LoopbackServer:
    """A TCP server on 127.0.0.1 handing each accepted connection to `serve` in its own thread."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self._serve = serve
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._held.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()
        for conn in self._held:
            conn.close()


def never_answer(conn: socket.socket) -> None:
    """Read what comes, answer nothing; give up after 20 s so a client without a timeout fails, not hangs."""
    conn.settimeout(20)
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass
    finally:
        conn.close()


def refuse_to_proxy(conn: socket.socket) -> None:
    """A proxy that refuses every CONNECT with 403."""
    try:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    finally:
        conn.close()


def answer_503(conn: socket.socket) -> None:
    """A server that is there but failing: 503 to every request."""
    try:
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        pass
    finally:
        conn.close()


def closed_port() -> int:
    """A 127.0.0.1 port nobody listens on (bound, then released)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or CA variables of the machine running the tests: each case sets what it needs."""
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy") or name in (
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
        ):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def untrusted() -> Iterator[Emulator]:
    """The emulator over HTTPS; its CA is trusted by nobody here."""
    with Emulator() as running:
        yield running


@pytest.fixture
def silent() -> Iterator[LoopbackServer]:
    server = LoopbackServer(never_answer)
    yield server
    server.close()


@pytest.fixture
def refusing_proxy() -> Iterator[LoopbackServer]:
    server = LoopbackServer(refuse_to_proxy)
    yield server
    server.close()


# case → (where the host is, the proxy in the way, NetworkError.cause, the cause in words)
CASES: dict[str, tuple[str, str | None, str, str]] = {
    "dns": ("invalid", None, "dns", "DNS: name not found"),
    "refused": ("closed", None, "refused", "connection refused (nothing is listening at"),
    "tls": ("untrusted", None, "tls", "TLS: certificate not trusted"),
    "proxy-unreachable": ("invalid", "closed", "proxy", "is unreachable (nothing is listening there)"),
    "proxy-refuses": ("invalid", "refusing", "proxy", "refused the connection (403 Forbidden)"),
    "timeout": ("silent", None, "timeout", "timeout: no answer"),
}


@pytest.fixture
def place(
    request: pytest.FixtureRequest, untrusted: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str, str], tuple[str, str | None]]:
    """`place(case, name)`: the https root to reach for the case (and the proxy it sets, shown form)."""

    def build(case: str, name: str) -> tuple[str, str | None]:
        where, proxy, _, _ = CASES[case]
        shown = None
        if proxy == "closed":
            shown = f"http://127.0.0.1:{closed_port()}"
            monkeypatch.setenv("HTTPS_PROXY", shown)
        elif proxy == "refusing":
            port = request.getfixturevalue("refusing_proxy").port
            shown = f"http://127.0.0.1:{port}"
            monkeypatch.setenv("HTTPS_PROXY", f"http://certnb:{PROXY_PASSWORD}@127.0.0.1:{port}")
        roots = {
            "invalid": lambda: f"https://{name}.certnb.invalid",
            "closed": lambda: f"https://127.0.0.1:{closed_port()}",
            "untrusted": lambda: untrusted.url,
            "silent": lambda: f"https://127.0.0.1:{request.getfixturevalue('silent').port}",
        }
        return roots[where](), shown

    return build


def assert_explained(err: NetworkError, url: str, case: str, proxy: str | None) -> None:
    """The error names the host and the cause in words, says what to try, and shows no secret."""
    _, _, cause, words = CASES[case]
    host = urlsplit(url).netloc
    text = str(err)
    assert isinstance(err, GraphError) and isinstance(err, CertnbError)
    assert (err.status, err.cause, err.host, err.proxy) == (0, cause, host, proxy)
    assert text.startswith(f"cannot reach {host} (") and words in text, text
    if proxy is not None:
        assert f"the proxy {proxy} " in text
    for advice in ("HTTPS_PROXY", "NO_PROXY", "cloud=", "emulator=True"):
        assert advice in text, text
    for secret in (TOKEN, PROXY_PASSWORD):
        assert secret not in text and secret not in repr(err)


@pytest.mark.parametrize("case", CASES)
def test_sign_in_host_unreachable(
    case: str, place: Callable[[str, str], tuple[str, str | None]], tmp_path: Path
) -> None:
    root, proxy = place(case, "login")
    cloud = Cloud("stand-in", root, root.replace("login", "graph"))
    with pytest.raises(NetworkError) as caught:
        certnb.connect(
            tenant="contoso.example",
            client_id="client",
            cloud=cloud,
            environ={},
            token_cache=tmp_path / "cache.bin",
            timeout=TIMEOUT,
        )
    assert_explained(caught.value, root, case, proxy)
    assert caught.value.url.startswith(f"{root}/contoso.example/")  # MSAL's first call: the tenant's
    assert isinstance(caught.value.__cause__, requests.RequestException)  # chained, not shown


@pytest.mark.parametrize("case", CASES)
def test_graph_unreachable(case: str, place: Callable[[str, str], tuple[str, str | None]]) -> None:
    root, proxy = place(case, "graph")
    graph = certnb.connect(
        base_url=f"{root}/beta", token=TOKEN, environ={}, timeout=TIMEOUT, max_attempts=1
    )
    with graph, pytest.raises(NetworkError) as caught:
        graph.get("/me/profile/certifications")
    assert_explained(caught.value, root, case, proxy)
    assert caught.value.url == f"{root}/beta/me/profile/certifications"
    if case == "timeout":
        assert f"no answer within {TIMEOUT:g} s" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.TransportError)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """An emulator of its own (a test stops it); nobody approves device codes on their own."""
    with Emulator(device_code_auto_approve=False, device_code_interval_s=1) as running:
        yield running


def test_sign_in_host_lost_while_waiting_for_the_device_code(emu: Emulator) -> None:
    host = urlsplit(emu.url).netloc

    def walk_away(flow: Mapping[str, Any]) -> None:
        emu.stop()  # the code is shown; the sign-in host goes away before anyone approves it

    with pytest.raises(NetworkError) as caught:
        certnb.connect(emulator=emu, on_device_code=walk_away)
    assert (caught.value.cause, caught.value.host) == ("refused", host)
    assert caught.value.url.endswith("/oauth2/v2.0/token")  # MSAL's polling for the approval
    assert isinstance(caught.value.__cause__, requests.ConnectionError)


def test_sign_in_host_lost_before_a_token_refresh(tmp_path: Path) -> None:
    with Emulator() as emu:
        graph = certnb.connect(emulator=emu, token_cache=tmp_path / "cache.bin")
        host = urlsplit(emu.url).netloc
    tokens = graph._transport.auth.source  # type: ignore[attr-defined]
    access = tokens.token()
    with pytest.raises(NetworkError) as caught:
        tokens.token(force_refresh=True)  # what a 401 makes GraphAuth do
    graph.close()
    assert (caught.value.cause, caught.value.host) == ("refused", host)
    assert access not in str(caught.value) and "refresh_token" not in str(caught.value)


def test_an_error_answer_from_the_sign_in_host_is_a_sign_in_error_not_a_network_error() -> None:
    server = LoopbackServer(answer_503)
    url = f"http://127.0.0.1:{server.port}/contoso.example/v2.0/.well-known/openid-configuration"
    try:
        with pytest.raises(SignInError) as caught, signing_in(), requests.Session() as http:
            http.get(f"{url}?probe=1", timeout=TIMEOUT).raise_for_status()  # what MSAL does with a 5xx
    finally:
        server.close()
    assert not isinstance(caught.value, NetworkError)
    assert f"answered 503 Service Unavailable to {url}." in str(caught.value)  # the query is not shown
    assert isinstance(caught.value.__cause__, requests.HTTPError)
