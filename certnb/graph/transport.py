"""One Graph call over HTTP: paced, retried when safe, answered as JSON or as a `GraphError`.

    GraphTransport.call(method, path)
      └─ attempt: pacer.turn (its scopes) → pacer.in_flight (its mailbox slot) → httpx (GraphAuth adds the
         token) →
           2xx                → JSON (None for 204)
           429                → pause its scope (pacing.py) for Retry-After; retry a read, surface a write
                                (may_have_applied)
           500/502/503/504    → backoff (or Retry-After); retry a read, surface a write (may_have_applied)
           transport error    → backoff; retry a read, surface a write (applied unless never connected)
           other 4xx          → NotFoundError / PermissionDeniedError (names the scope) / GraphError

Writes (PATCH/POST/DELETE) are never retried blindly: Graph may have applied one and still answered 429
or dropped the connection (contract §8); the caller re-reads before retrying.

>>> transport = GraphTransport("https://graph.microsoft.com/beta", auth)   # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from collections.abc import Mapping
from typing import Any, TypeAlias
from urllib.parse import quote, urlencode

import httpx

from certnb.errors import GraphError, NetworkError, PermissionDeniedError, graph_error
from certnb.graph.network import unreachable
from certnb.graph.pacing import Pacer, Spend, parse_retry_after
from certnb.graph.scopes import READ_METHODS, required_scope
from certnb.graph.urls import check_base_url, origin

__all__ = ["THROTTLE_BUDGET", "TRANSIENT_STATUSES", "AsyncTransport", "GraphTransport", "is_write"]

# The seam a test swaps (STYLE §3), named here so that the layers above need not import httpx.
AsyncTransport: TypeAlias = httpx.AsyncBaseTransport

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
THROTTLE_BUDGET = 10  # a throttled read may wait for Retry-After up to 10 × max_attempts times


def is_write(method: str) -> bool:
    """True for PATCH, POST, PUT and DELETE: never retried blindly."""
    return method.upper() not in READ_METHODS


class GraphTransport:
    """The session's HTTP side: an `httpx.AsyncClient` (created on the session loop), a `Pacer`, retries."""

    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth,
        *,
        verify: ssl.SSLContext | str | bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_attempts: int = 5,
        max_connections: int = 16,
        granted_scopes: tuple[str, ...] = (),
    ) -> None:
        self.base_url = check_base_url(base_url)
        self.auth = auth
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.granted_scopes = granted_scopes
        self.pacer = Pacer()
        self._verify = verify
        self._transport = transport
        self._max_connections = max_connections
        self._client: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"<GraphTransport {self.base_url} {self.pacer!r}>"

    @property
    def client(self) -> httpx.AsyncClient:
        """The async client, created on first use (inside the session's loop)."""
        if self._client is None:
            verify = self._verify
            if isinstance(verify, str):
                verify = ssl.create_default_context(cafile=verify)
            self._client = httpx.AsyncClient(
                auth=self.auth,
                verify=verify,
                transport=self._transport,
                timeout=self.timeout,
                limits=httpx.Limits(max_connections=self._max_connections, max_keepalive_connections=16),
                headers={"Accept": "application/json", "User-Agent": "certnb"},
            )
        return self._client

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def url(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> str:
        """An absolute URL for a path below the version root, or a nextLink checked to stay on our server."""
        if path_or_url[:8].lower().startswith(("https://", "http://")):  # a scheme is case-insensitive
            self._check_link(path_or_url)
            url = path_or_url
        else:
            url = self.base_url + ("" if path_or_url.startswith("/") else "/") + path_or_url
        if params:
            # `$select=id,displayName`: keep `$`, `,` readable as Graph's docs write them.
            query = urlencode({k: _query_value(v) for k, v in params.items()}, safe="$,'()", quote_via=quote)
            url += ("&" if "?" in url else "?") + query
        return url

    def _check_link(self, link: str) -> None:
        """Refuse an absolute URL (a nextLink) that is malformed or leaves the Graph root's origin."""
        try:
            there = origin(link)
            httpx.URL(link)  # what httpx would refuse at send time (e.g. a control character)
        except (ValueError, httpx.InvalidURL) as exc:  # their words ("Port out of range 0-65535") say why
            raise GraphError(
                0,
                "invalidNextLink",
                f"the link {link!r} is not a valid URL ({exc}), so certnb did not send it; if the server "
                "sent it as @odata.nextLink, retry later and report it if it persists",
                method="GET",
                url=link,
            ) from None
        ours = origin(self.base_url)
        if there != ours:
            # The bearer token is for this server only (contract §6: nextLink stays on Graph).
            raise GraphError(
                0,
                "foreignLink",
                f"refusing to send the token to {there}, which is not the origin {ours} of the Graph root "
                f"{self.base_url}; the link was not followed (a server that sends one is misconfigured)",
                method="GET",
                url=link,
            )

    async def send(
        self, method: str, url: str, body: Any = None, extra: Mapping[str, str] | None = None
    ) -> httpx.Response:
        """One HTTP exchange, no retry (the token is added, and refreshed once on 401, by the auth);
        `extra` headers go with it (e.g. ConsistencyLevel)."""
        headers = {**(extra or {}), "client-request-id": str(uuid.uuid4())}
        if body is None:
            return await self.client.request(method, url, headers=headers)
        return await self.client.request(method, url, json=body, headers=headers)

    async def renew_token(self) -> None:
        """Fetch a new access token now: a `$batch` answered 200 with items refused 401 (Graph authenticates
        each item, so an expired token shows there, not on the envelope). Raises `AuthenticationError` when
        the sign-in cannot be renewed (e.g. the refresh token was revoked)."""
        source = getattr(self.auth, "source", None)
        if source is not None:
            await asyncio.to_thread(source.token, True)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """A paced, retried Graph call; the JSON answer (None for 204) or a `GraphError`. A text/plain
        answer (`/$count`) is JSON too: a bare number."""
        method = method.upper()
        url = self.url(path, params)
        write = is_write(method)
        spend = Spend.of([(method, url)])
        attempt = failures = 0
        while True:
            attempt += 1
            # max_attempts bounds transient failures; obeyed Retry-After waits get a larger budget.
            last = failures + 1 >= self.max_attempts
            await self.pacer.turn(1, spend=spend)
            try:
                async with self.pacer.in_flight(spend):
                    response = await self.send(method, url, body, headers)
            except httpx.TransportError as exc:
                if write or last:
                    raise network_error(exc, method, url, write, timeout=self.timeout) from exc
                failures += 1
                await asyncio.sleep(self.pacer.backoff(failures))
                continue
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if status == 429:
                self.pacer.throttled_by(retry_after, response.headers, _json_or_none(response), url)
                if write or attempt >= THROTTLE_BUDGET * self.max_attempts:
                    raise self.error(response, may_have_applied=write, retry_after=retry_after)
                continue
            self.pacer.accepted(1, spend=spend)
            if status in TRANSIENT_STATUSES:
                if write or last:
                    raise self.error(response, may_have_applied=write, retry_after=retry_after)
                failures += 1
                await asyncio.sleep(retry_after if retry_after is not None else self.pacer.backoff(failures))
                continue
            if response.is_success:
                return response.json() if response.content else None
            raise self.error(response)

    def error(self, response: httpx.Response, **context: Any) -> GraphError:
        """The `GraphError` for an error response (its body read tolerantly)."""
        try:
            body = response.json()
        except ValueError:
            body = None
        return self.item_error(
            response.status_code,
            body,
            response.request.method,
            str(response.request.url),
            dict(response.headers),
            **context,
        )

    def item_error(
        self, status: int, body: Any, method: str, url: str, headers: Mapping[str, str], **context: Any
    ) -> GraphError:
        """The `GraphError` for an answer (plain or `$batch` item); 403 names the lacking scope."""
        err = graph_error(status, body, method=method, url=url, headers=dict(headers), **context)
        if isinstance(err, PermissionDeniedError):
            return PermissionDeniedError(
                err.status,
                err.code,
                err.message,
                required_scope=required_scope(method, url),
                granted_scopes=self.granted_scopes,
                method=method,
                url=url,
                request_id=err.request_id,
                client_request_id=err.client_request_id,
            )
        return err


def network_error(
    exc: httpx.TransportError, method: str, url: str, write: bool, *, timeout: float | None = None
) -> NetworkError:
    """A `NetworkError` naming the host and the cause (DNS, refused, TLS, proxy, timeout) of a failed
    exchange; a write may have been applied unless we never connected."""
    never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.ProxyError)
    known = "proxy" if isinstance(exc, httpx.ProxyError) else None
    if isinstance(exc, httpx.TimeoutException):
        known = "timeout"
    return unreachable(
        exc, url, method=method, known=known, timeout=timeout, may_have_applied=write and not never_sent
    )


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _query_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
