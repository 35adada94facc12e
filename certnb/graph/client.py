"""`Graph`: Graph's HTTP verbs on one authenticated connection — the one object that speaks HTTP to Graph.

Synchronous outside, concurrent inside: calls run on a private event loop in a background thread
(loop.py), so they work the same in a script, a test or a Jupyter kernel whose loop is already running.
`certnb.connect()` returns a `certnb.session.Session`, a `Graph` that adds the workflow on top (`load`,
`plan`, `commit`, `sign_out`); this layer knows nothing of frames, staging or commits.

>>> graph = certnb.connect(emulator=True)                             # doctest: +SKIP
>>> graph.me()["userPrincipalName"]                                   # doctest: +SKIP
'adele@contoso.example'
>>> graph.get_all(urls.certifications_path(None), {"$select": "id,displayName"})   # doctest: +SKIP
[{'id': '...', 'displayName': 'Azure Administrator Associate'}, ...]
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any, Self, TypeVar

import httpx

from certnb.clouds import GLOBAL, Cloud
from certnb.errors import ConfigError, GraphError
from certnb.graph.batch import BatchRequest, BatchResponse, run_batches
from certnb.graph.listing import Listing, read_each_list, read_lists
from certnb.graph.loop import LoopThread
from certnb.graph.pacing import Pacer
from certnb.graph.paging import collect
from certnb.graph.transport import GraphTransport

__all__ = ["Graph"]

T = TypeVar("T")


class Graph:
    """Graph's verbs for one signed-in account: `get`, `get_all`, `get_lists`, `batch`, `patch`, `post`,
    `delete`, `me`.

    Knobs: `max_concurrency` (batches in flight), `timeout` (seconds per HTTP exchange), `max_attempts`
    (per read; writes are tried once). Close it (or use `with`) to release the connections.

    >>> with Graph("https://127.0.0.1:8443/beta", auth, verify=ca_file) as graph:   # doctest: +SKIP
    ...     graph.get("/me/profile/certifications", {"$top": 5})["value"]
    """

    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth,
        *,
        cloud: Cloud | None = GLOBAL,
        scopes: Sequence[str] = (),
        verify: ssl.SSLContext | str | bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_concurrency: int = 8,
        max_attempts: int = 5,
        account: str | None = None,
    ) -> None:
        _check_positive("max_concurrency", max_concurrency, int)
        _check_positive("max_attempts", max_attempts, int)
        _check_positive("timeout", timeout, float)
        self.cloud = cloud
        self.scopes = tuple(scopes)
        self.account = account
        self.max_concurrency = max_concurrency
        self._transport = GraphTransport(
            base_url,
            auth,
            verify=verify,
            transport=transport,
            timeout=timeout,
            max_attempts=max_attempts,
            max_connections=max(16, 2 * max_concurrency),
            granted_scopes=self.scopes,
        )
        self._loop = LoopThread()

    # ----------------------------------------------------------------- knobs
    @property
    def base_url(self) -> str:
        """The Graph version root, e.g. `https://graph.microsoft.com/beta`."""
        return self._transport.base_url

    @property
    def tenant_id(self) -> str | None:
        """The directory (tenant) id the session is signed in to, from its access token (None if unknown).

        >>> graph.tenant_id  # doctest: +SKIP
        '6e5c4b2a-...'
        """
        tenant_id = getattr(self._transport.auth, "tenant_id", None)  # GraphAuth's; another httpx.Auth: None
        return str(tenant_id) if tenant_id else None

    @property
    def timeout(self) -> float:
        """Seconds allowed per HTTP exchange (applies to connections opened from now on)."""
        return self._transport.timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        _check_positive("timeout", value, float)
        self._transport.timeout = value
        if self._transport._client is not None:
            self._transport._client.timeout = httpx.Timeout(value)

    @property
    def max_attempts(self) -> int:
        """Attempts per read (and per batch item that is a read); writes are sent once."""
        return self._transport.max_attempts

    @max_attempts.setter
    def max_attempts(self, value: int) -> None:
        _check_positive("max_attempts", value, int)
        self._transport.max_attempts = value

    @property
    def pacer(self) -> Pacer:
        """The session's pacer (learned rate, throttle events): read-only diagnostics."""
        return self._transport.pacer

    def __repr__(self) -> str:
        cloud = self.cloud.name if self.cloud else "custom"
        who = f" account={self.account!r}" if self.account else ""
        state = "" if self._loop.running else " closed"
        kind = type(self).__name__
        return f"<certnb.{kind} {self.base_url} cloud={cloud}{who} scopes={list(self.scopes)}{state}>"

    # ----------------------------------------------------------------- calls
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET one resource or one page: `path` below the version root (build it with `certnb.graph.urls`)."""
        return self._run(self._transport.call("GET", path, params=params))

    def get_all(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """GET every item of a collection, following `@odata.nextLink` (contract §6)."""
        return self._run(collect(self._transport, path, params))

    def get_lists(
        self,
        paths: Iterable[str],
        *,
        on_first_pages: Callable[[int], None] | None = None,
        on_items: Callable[[list[Any]], None] | None = None,
    ) -> list[Listing]:
        """GET every item of many collections: first pages, then nextLinks, through `$batch` (listing.py).

        One `Listing` per path, in order; a list that could not be read to its end has `.ok` False and
        its failed `.answer` (not raised). `on_first_pages(n)` is told as first pages come in; `on_items`
        sees each page's items as they come (listing.read_lists).

        >>> [x.items for x in graph.get_lists(urls.certifications_path(u) for u in us)]  # doctest: +SKIP
        """
        return self._run(read_lists(
            self._transport, list(paths), self.max_concurrency, on_first_pages, on_items=on_items))

    def get_each_list(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        list_of: Callable[[dict[str, Any]], str],
        each_page: Callable[[list[dict[str, Any]], list[Listing]], T],
        *,
        on_first_pages: Callable[[int], None] | None = None,
        on_page: Callable[[int], None] | None = None,
        on_items: Callable[[list[Any]], None] | None = None,
    ) -> list[T]:
        """Every page of the collection `path` with the whole list `list_of(item)` names for each of its
        items, a page's lists read while the next page comes (listing.py): `each_page(items, listings)` of
        every page, in order.

        >>> pages = graph.get_each_list("/users", None, lambda u: urls.certifications_path(u["id"]),
        ...                             lambda users, lists: (users, lists))              # doctest: +SKIP
        """
        return self._run(read_each_list(self._transport, path, params, list_of, each_page,
                                        self.max_concurrency, on_first_pages, on_page, on_items))

    def count(self, path: str) -> int | None:
        """How many items the directory collection `path` holds (`GET {path}/$count`, ConsistencyLevel
        eventual: contract §6), or None where the tenant cannot count it (Graph answers 400, as B2C does).

        The count is eventually consistent, so it suits an estimate, not a check. Other errors raise.

        >>> graph.count("/users")                                   # doctest: +SKIP
        30000
        """
        try:
            answer = self._run(self._transport.call(
                "GET", f"{path.rstrip('/')}/$count", headers={"ConsistencyLevel": "eventual"}))
        except GraphError as error:
            if error.status in (400, 404, 501):
                return None
            raise
        return answer if isinstance(answer, int) and not isinstance(answer, bool) else None

    def patch(self, path: str, body: Mapping[str, Any]) -> Any:
        """PATCH (merge) a resource; Graph answers the whole updated entity (contract §1). Never retried."""
        return self._run(self._transport.call("PATCH", path, body=dict(body)))

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """POST a new resource; returns the created entity. Never retried."""
        return self._run(self._transport.call("POST", path, body=dict(body)))

    def delete(self, path: str) -> None:
        """DELETE a resource (204). Never retried."""
        self._run(self._transport.call("DELETE", path))

    def batch(
        self,
        requests: Iterable[BatchRequest | Mapping[str, Any]],
        *,
        on_answered: Callable[[int], None] | None = None,
    ) -> list[BatchResponse]:
        """Run requests through `$batch` (≤ 20 each, concurrent, items retried alone); answers in order.

        Items are `BatchRequest`s or dicts with `method`, `url` and optional `body`, `headers`, `id`,
        `dependsOn`. Failed items are answered (with `.error`), not raised: call `.raise_for_status()`.
        `on_answered(n)` is told each time n more items have their final answers (for a progress bar).

        >>> graph.batch([{"method": "GET", "url": urls.certifications_path(u)} for u in us])  # doctest: +SKIP
        """
        items = [_batch_request(r) for r in requests]
        if not items:
            return []
        return self._run(run_batches(self._transport, items, self.max_concurrency, on_answered))

    def me(self) -> dict[str, Any]:
        """The signed-in user: `id`, `userPrincipalName`, `displayName`."""
        answer = self.get("/me", {"$select": "id,userPrincipalName,displayName"})
        if not isinstance(answer, dict):
            raise GraphError(0, "invalidAnswer", "GET /me gave no JSON object", method="GET", url="/me")
        return answer

    # ----------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Close connections and stop the background loop; idempotent."""
        if self._loop.running:
            self._loop.run(self._transport.aclose())
            self._loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._loop.run(coroutine)


def _batch_request(request: BatchRequest | Mapping[str, Any]) -> BatchRequest:
    if isinstance(request, BatchRequest):
        return request
    unknown = set(request) - {"id", "method", "url", "body", "headers", "dependsOn", "depends_on"}
    if unknown or "method" not in request or "url" not in request:
        raise ValueError(
            "a batch request needs 'method' and 'url' (optional: id, body, headers, dependsOn); "
            f"got {request!r}"
        )
    depends = request.get("dependsOn", request.get("depends_on", ()))
    return BatchRequest(
        method=str(request["method"]),
        url=str(request["url"]),
        body=request.get("body"),
        headers=request.get("headers"),
        id=None if request.get("id") is None else str(request["id"]),
        depends_on=tuple(str(d) for d in depends),
    )


def _check_positive(key: str, value: object, kind: type) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(key, value, f"a positive {'whole number' if kind is int else 'number'}")
    if kind is int and not isinstance(value, int):
        raise ConfigError(key, value, "a positive whole number")
