"""Why a host could not be reached, in words — DNS, refused, TLS, proxy or timeout — whichever library failed.

MSAL's sign-in (requests, certnb/session/signin_host.py) and the Graph session (httpx, transport.py) both
chain the operating system's error beneath their own; `unreachable` walks that chain down to it, so the
`NetworkError` reads the same on either path. It lives with the HTTP layer because the diagnosis is about
transports; the sign-in layer above reuses it.

>>> import socket
>>> lost = ConnectionError("could not connect")
>>> lost.__cause__ = socket.gaierror(-2, "Name or service not known")
>>> err = unreachable(lost, "https://login.example.invalid/contoso/v2.0/.well-known/openid-configuration",
...                   proxies={})
>>> err.cause, err.host, err.message
('dns', 'login.example.invalid', 'DNS: name not found (login.example.invalid does not resolve)')
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from urllib.parse import urlsplit

from certnb.errors import NetworkError

__all__ = ["CAUSES", "proxy_for", "unreachable"]

CAUSES = ("dns", "refused", "tls", "proxy", "timeout", "dropped")


def proxy_for(url: str, proxies: Mapping[str, str] | None = None) -> str | None:
    """The proxy a request to `url` goes through (None: direct), without its user and password.

    `proxies` is urllib's table (`{"https": ..., "all": ..., "no": ...}`), by default read from HTTPS_PROXY,
    HTTP_PROXY, ALL_PROXY and NO_PROXY the way requests and httpx both read them.

    >>> table = {"https": "http://me:secret@proxy.corp:8080", "no": "localhost,.internal"}
    >>> proxy_for("https://graph.microsoft.com/beta", table)
    'http://proxy.corp:8080'
    >>> proxy_for("https://graph.internal/beta", table) is None
    True
    """
    import urllib.request

    table = dict(urllib.request.getproxies_environment() if proxies is None else proxies)
    parts = urlsplit(url)
    proxy = table.get(parts.scheme) or table.get("all")
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]  # NO_PROXY, as requests
    if not proxy or bypass(parts.netloc.rpartition("@")[2], table):
        return None
    if "://" not in proxy:
        proxy = f"http://{proxy}"
    shown = urlsplit(proxy)
    return f"{shown.scheme}://{shown.netloc.rpartition('@')[2]}"


def unreachable(
    exc: BaseException,
    url: str,
    *,
    method: str = "",
    proxies: Mapping[str, str] | None = None,
    known: str | None = None,
    timeout: float | None = None,
    may_have_applied: bool = False,
) -> NetworkError:
    """The `NetworkError` for `exc`, a failure to get any answer from `url`.

    `proxies` is the proxy table of `proxy_for` (default: the environment's); `known` is a cause the
    library already named (`"proxy"` for its ProxyError, `"timeout"` for its timeouts); the chain of `exc`
    decides the rest.
    """
    shown = proxy_for(url, proxies)
    host = urlsplit(url).netloc.rpartition("@")[2] or url
    cause, words = _diagnose(_chain(exc), host, shown, known, timeout)
    return NetworkError(
        message=words,
        host=host,
        cause=cause,
        proxy=shown,
        method=method,
        url=url,
        may_have_applied=may_have_applied,
    )


def _diagnose(
    chain: list[BaseException], host: str, proxy: str | None, known: str | None, timeout: float | None
) -> tuple[str, str]:
    import ssl

    def first(kind: type[BaseException] | tuple[type[BaseException], ...]) -> BaseException | None:
        return next((e for e in chain if isinstance(e, kind)), None)

    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    dns, refused = first(socket.gaierror), first(ConnectionRefusedError)
    if known == "timeout" or first(TimeoutError):
        within = f"within {timeout:g} s" if timeout else "in the time allowed"
        via = f" (through the proxy {proxy})" if proxy else ""
        return "timeout", f"timeout: no answer {within}{via}"
    if known == "proxy" or (proxy and (dns or refused)):
        named = f"the proxy {proxy}" if proxy else "the proxy"
        if dns or refused:
            why = "its name was not found" if dns else "nothing is listening there"
            return "proxy", f"proxy: {named} is unreachable ({why})"
        return "proxy", f"proxy: {named} refused the connection ({_detail(chain)})"
    untrusted = first(ssl.SSLCertVerificationError)
    if isinstance(untrusted, ssl.SSLCertVerificationError):
        why = untrusted.verify_message or untrusted.reason or "verification failed"
        return "tls", f"TLS: certificate not trusted ({why})"
    handshake = next(
        (e for e in chain if isinstance(e, ssl.SSLError) and not isinstance(e, ssl.SSLWantReadError)), None
    )
    if isinstance(handshake, ssl.SSLError):
        return "tls", f"TLS: handshake failed ({handshake.reason or handshake})"
    if dns:
        return "dns", f"DNS: name not found ({name} does not resolve)"
    if refused:
        return "refused", f"connection refused (nothing is listening at {host})"
    return "dropped", f"the connection was lost before an answer ({_detail(chain)})"


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception beneath it: causes, contexts, wrapped arguments, urllib3's `reason`."""
    found: list[BaseException] = []
    todo: list[object] = [exc]
    while todo and len(found) < 64:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is seen for seen in found):
            continue
        found.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
        if isinstance(item, BaseExceptionGroup):
            todo += list(item.exceptions)
    return found


def _detail(chain: list[BaseException]) -> str:
    """The deepest message in the chain, on one line: what the proxy or the peer actually said."""
    for err in reversed(chain):
        text = str(err).strip()
        if text:
            text = text.removeprefix("Tunnel connection failed: ").splitlines()[0]
            return text if len(text) <= 160 else text[:160] + "…"
    return type(chain[0]).__name__
