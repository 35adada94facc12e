"""JSON batching (contract §7): plan ≤ 20 items per `$batch`, run them concurrently, retry items one by one.

    plan_batches (pure)   items linked by dependsOn stay in one batch; others packed in order, ≤ 20 each
    run_batches           each batch: pacer.turn(its items' share of each scope) → pacer.in_flight(its
                          mailbox slots) → POST /$batch → per item:
                            2xx/4xx          final
                            401              token renewed once, item resent (it never ran)
                            429              pause the item's scope for its Retry-After; read retried,
                                             write surfaced
                            5xx              backoff; read retried, write surfaced (may_have_applied)
                            424              retried with its dependency when that is retried, else final
                          the whole envelope lost (transport error, 429, 5xx): reads retried, writes surfaced

Responses come back in any order and are correlated by id; `run_batches` returns them in request order.

>>> plan_batches([BatchRequest("GET", "/me")] * 45)
[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], \
[20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39], [40, 41, 42, 43, 44]]
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from certnb.errors import GraphError
from certnb.graph.pacing import PlannedRun, Spend, parse_retry_after
from certnb.graph.transport import (
    THROTTLE_BUDGET,
    TRANSIENT_STATUSES,
    GraphTransport,
    is_write,
    network_error,
)

__all__ = ["MAX_BATCH", "BatchRequest", "BatchResponse", "plan_batches", "run_batches"]

MAX_BATCH = 20  # contract §7


@dataclass(frozen=True)
class BatchRequest:
    """One `$batch` item: `url` is relative to the version root (`/users/{encoded}/...`, urls.py).

    `id` defaults to the position in the list passed to `Graph.batch`; `depends_on` names other ids.

    >>> BatchRequest("PATCH", "/me/profile/certifications/1", body={"displayName": "CKA"})
    BatchRequest(method='PATCH', url='/me/profile/certifications/1', body={'displayName': 'CKA'}, ...)
    """

    method: str
    url: str
    body: Any = None
    headers: Mapping[str, str] | None = None
    id: str | None = None
    depends_on: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"BatchRequest(method={self.method!r}, url={self.url!r}, body={self.body!r}, ...)"


@dataclass
class BatchResponse:
    """The final answer to one item: status, headers, body, and the `GraphError` when it failed.

    `may_have_applied` is set for a write that failed with 429, 5xx or a lost connection (contract §8).
    """

    id: str
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    request: BatchRequest | None = None
    attempts: int = 1
    error: GraphError | None = None

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    @property
    def may_have_applied(self) -> bool:
        """For a failed write: it may have been made anyway, so re-read before retrying."""
        return self.error is not None and self.error.may_have_applied

    def raise_for_status(self) -> BatchResponse:
        """Raise the item's `GraphError` if it failed; else return self."""
        if self.error is not None:
            raise self.error
        return self


def _item_id(request: BatchRequest, index: int) -> str:
    return request.id if request.id is not None else str(index)


def plan_batches(requests: Sequence[BatchRequest], size: int = MAX_BATCH) -> list[list[int]]:
    """Indices of `requests` grouped into batches of at most `size`; a dependsOn chain stays together."""
    ids = [_item_id(r, i) for i, r in enumerate(requests)]
    index_of: dict[str, int] = {}
    for i, item_id in enumerate(ids):
        if item_id.lower() in index_of:
            raise ValueError(f"duplicate batch request id {item_id!r} (ids are case-insensitive, §7)")
        index_of[item_id.lower()] = i
    parent = list(range(len(requests)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, request in enumerate(requests):
        for dep in request.depends_on:
            if dep.lower() not in index_of:
                raise ValueError(f"batch request {ids[i]!r} depends on unknown id {dep!r}")
            parent[root(i)] = root(index_of[dep.lower()])
    groups: dict[int, list[int]] = {}
    for i in range(len(requests)):
        groups.setdefault(root(i), []).append(i)
    batches: list[list[int]] = []
    for group in groups.values():  # in order of first appearance
        if len(group) > size:
            raise ValueError(f"{len(group)} requests are chained by dependsOn; a batch holds at most {size}")
        if batches and len(batches[-1]) + len(group) <= size:
            batches[-1].extend(group)
        else:
            batches.append(list(group))
    return batches


async def run_batches(
    transport: GraphTransport,
    requests: Sequence[BatchRequest],
    max_concurrency: int,
    on_answered: Callable[[int], None] | None = None,
    gate: asyncio.Semaphore | None = None,
) -> list[BatchResponse]:
    """Run every request through `$batch`, at most `max_concurrency` batches in flight; answers in order.

    `on_answered(n)` is called (on the session's loop) each time a planned batch of `n` items has all its
    final answers: a progress bar moves with it. `gate`, when given, bounds the batches in flight instead,
    shared with other runs going on at once (listing.read_each_list), so together they keep the bound.
    """
    results: list[BatchResponse | None] = [None] * len(requests)
    ids = [_item_id(r, i) for i, r in enumerate(requests)]
    gate = gate if gate is not None else asyncio.Semaphore(max(1, max_concurrency))

    async def run_one(indices: list[int], run: PlannedRun) -> None:
        await _Batch(transport, requests, ids, results, gate).run(indices)
        run.done(len(indices))
        if on_answered is not None:
            on_answered(len(indices))

    with transport.pacer.planned(len(requests)) as run:
        await asyncio.gather(*(run_one(b, run) for b in plan_batches(requests)))
    return [r for r in results if r is not None]


class _Batch:
    """One planned batch, re-sent with fewer items until every item has a final answer."""

    def __init__(
        self,
        transport: GraphTransport,
        requests: Sequence[BatchRequest],
        ids: list[str],
        results: list[BatchResponse | None],
        gate: asyncio.Semaphore,
    ) -> None:
        self.transport = transport
        self.requests = requests
        self.ids = ids
        self.results = results
        self.gate = gate
        self.last_throttled = False
        self.transient_round = False
        self.renewed = False  # the token was renewed once for items refused 401

    async def run(self, pending: list[int]) -> None:
        attempt = failures = 0
        while pending:
            attempt += 1
            # Budgets: max_attempts tries for transient failures; Retry-After waits get THROTTLE_BUDGET×.
            last = failures + 1 >= self.transport.max_attempts
            self.last_throttled = attempt >= THROTTLE_BUDGET * self.transport.max_attempts
            lost: httpx.TransportError | None = None
            async with self.gate:
                # A batch spends its items' share of each scope: all of them, its writes, per person.
                spend = self._spend(pending)
                await self.transport.pacer.turn(len(pending), spend=spend)
                try:
                    async with self.transport.pacer.in_flight(spend):
                        envelope = await self.transport.send(
                            "POST", self.transport.url("/$batch"), {"requests": self._items(pending)}
                        )
                except httpx.TransportError as exc:
                    lost = exc
            if lost is not None:
                failures += 1
                pending = self._lost(pending, attempt, last, lost)
                if pending:
                    await asyncio.sleep(self.transport.pacer.backoff(failures))
                continue
            if envelope.status_code != 200:
                failures += envelope.status_code != 429
                throttled_out = envelope.status_code == 429 and self.last_throttled
                pending = await self._envelope_failed(pending, envelope, attempt, last or throttled_out)
                continue
            responses = envelope.json().get("responses", [])
            before = len(pending)
            pending = await self._items_answered(pending, responses, attempt, last)
            failures += self.transient_round and len(pending) <= before

    # ------------------------------------------------------------------ request
    def _spend(self, indices: list[int]) -> Spend:
        return Spend.of((self.requests[i].method, self.requests[i].url) for i in indices)

    def _items(self, pending: list[int]) -> list[dict[str, Any]]:
        sent = {self.ids[i].lower() for i in pending}
        items = []
        for i in pending:
            request = self.requests[i]
            item: dict[str, Any] = {"id": self.ids[i], "method": request.method.upper(), "url": request.url}
            headers = dict(request.headers or {})
            if request.body is not None:
                item["body"] = request.body
                headers.setdefault("Content-Type", "application/json")  # required with a body (§7)
            if headers:
                item["headers"] = headers
            # A dependency answered in an earlier round is not in this batch: Graph would refuse the id.
            depends = [d for d in request.depends_on if d.lower() in sent]
            if depends:
                item["dependsOn"] = depends
            items.append(item)
        return items

    # ------------------------------------------------------------------ answers
    def _final(
        self, i: int, status: int, body: Any, headers: Mapping[str, str], attempt: int, **context: Any
    ) -> None:
        request = self.requests[i]
        error = None
        if not 200 <= status < 300:
            error = self.transport.item_error(
                status, body, request.method.upper(), self.transport.url(request.url), headers, **context
            )
        self.results[i] = BatchResponse(self.ids[i], status, body, dict(headers), request, attempt, error)

    def _lost(self, pending: list[int], attempt: int, last: bool, exc: httpx.TransportError) -> list[int]:
        retry = []
        for i in pending:
            request = self.requests[i]
            if is_write(request.method) or last:
                url = self.transport.url(request.url)
                error = network_error(exc, request.method.upper(), url, is_write(request.method))
                self.results[i] = BatchResponse(self.ids[i], 0, None, {}, request, attempt, error)
            else:
                retry.append(i)
        return retry

    async def _envelope_failed(
        self, pending: list[int], envelope: httpx.Response, attempt: int, last: bool
    ) -> list[int]:
        status = envelope.status_code
        retry_after = parse_retry_after(envelope.headers.get("retry-after"))
        if status == 429:
            body_429 = _json_or_none(envelope)
            self.transport.pacer.throttled_by(retry_after, envelope.headers, body_429, "/$batch")
        elif status not in TRANSIENT_STATUSES:
            raise self.transport.error(envelope)  # a malformed batch: certnb's bug, not the data's
        try:
            body = envelope.json()
        except ValueError:
            body = None
        retry = []
        for i in pending:
            if is_write(self.requests[i].method) or last:
                self._final(
                    i,
                    status,
                    body,
                    envelope.headers,
                    attempt,
                    may_have_applied=is_write(self.requests[i].method),
                    retry_after=retry_after,
                )
            else:
                retry.append(i)
        if retry and status != 429:
            pause = retry_after if retry_after is not None else self.transport.pacer.backoff(attempt)
            await asyncio.sleep(pause)
        return retry

    async def _items_answered(
        self, pending: list[int], responses: list[dict[str, Any]], attempt: int, last: bool
    ) -> list[int]:
        by_id = {str(r.get("id", "")).lower(): r for r in responses if isinstance(r, dict)}
        retry: list[int] = []
        waiting_on: dict[int, list[str]] = {}
        transient = False
        throttled: list[int] = []
        refused: list[int] = []
        for i in pending:
            answer = by_id.get(self.ids[i].lower())
            if answer is None:
                raise GraphError(
                    0,
                    "missingBatchResponse",
                    f"no answer for batch item {self.ids[i]!r}",
                    method="POST",
                    url=self.transport.url("/$batch"),
                )
            status = int(answer.get("status", 0))
            headers = {str(k): str(v) for k, v in (answer.get("headers") or {}).items()}
            write = is_write(self.requests[i].method)
            retry_after = parse_retry_after(_header(headers, "retry-after"))
            if status == 429:
                throttled.append(i)
                self.transport.pacer.throttled_by(
                    retry_after, headers, answer.get("body"), self.requests[i].url
                )
            if status == 424:
                waiting_on[i] = [d.lower() for d in self.requests[i].depends_on]
                continue
            if status == 401 and not self.renewed:
                # Refused before it ran (authentication comes first), so even a write is safe to resend.
                refused.append(i)
                continue
            if status == 429 and not write and not self.last_throttled:
                retry.append(i)
                continue
            if status in TRANSIENT_STATUSES and not write and not last:
                retry.append(i)
                transient = True
                continue
            context = (
                {"may_have_applied": write, "retry_after": retry_after}
                if (status == 429 or status in TRANSIENT_STATUSES)
                else {}
            )
            self._final(i, status, answer.get("body"), headers, attempt, **context)
        refused_429 = set(throttled)
        answered = [i for i in pending if i not in refused_429]
        self.transport.pacer.accepted(len(answered), spend=self._spend(answered))
        retried = {self.ids[i].lower() for i in retry}
        for i, deps in waiting_on.items():  # 424: retry with its dependency, else final
            resendable = all(d in retried or self._succeeded(d) for d in deps)
            if deps and resendable and any(d in retried for d in deps):
                retry.append(i)
            else:
                answer = by_id[self.ids[i].lower()]
                self._final(i, 424, answer.get("body"), answer.get("headers") or {}, attempt)
        if refused:
            self.renewed = True
            await self.transport.renew_token()  # AuthenticationError (sign in again) if it cannot be renewed
            retry.extend(refused)
        self.transient_round = transient
        if transient and retry:
            await asyncio.sleep(self.transport.pacer.backoff(attempt))
        return sorted(retry)

    def _succeeded(self, item_id: str) -> bool:
        for i, known in enumerate(self.ids):
            if known.lower() == item_id:
                result = self.results[i]
                return result is not None and result.ok
        return False


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
