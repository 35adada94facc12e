"""Request statistics of the emulator: what was asked, how often, and how many at once (contract §10).

Counted per Graph *call* — a plain request or one `$batch` item — plus one entry per `$batch` envelope, so
`by_route` shows what a client really did. Identity (sign-in) and admin routes are not Graph and not counted.

    >>> stats = Stats()
    >>> stats.count(Call("GET", "/users/3f2a.../profile/certifications"))
    >>> stats.snapshot()["by_route"]
    {'GET /users/{id}/profile/certifications': 1}
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from certnb.emulator.exchange import Call, Reply

# A segment after one of these is an object key (user id/UPN, certification id), not a route literal.
_KEYED_COLLECTIONS = frozenset({"users", "certifications"})
# Garbage paths must not grow the table without bound: later unseen routes share one key.
_MAX_ROUTES = 200
_OTHER_ROUTE = "(other)"


def route_key(method: str, path: str) -> str:
    """The normalised route of a call: ids and UPNs replaced by `{id}`.

    >>> route_key("patch", "/users/adele%40contoso.com/profile/certifications/7b1")
    'PATCH /users/{id}/profile/certifications/{id}'
    >>> route_key("GET", "/users('$adele@contoso.com')/profile/certifications")
    "GET /users('{id}')/profile/certifications"
    """
    segments = path.split("?", 1)[0].strip("/").split("/")
    normal: list[str] = []
    keyed = False
    for segment in segments:
        if keyed:
            normal.append("{id}")
            keyed = False
            continue
        lowered = segment.lower()
        if lowered.startswith("users(") and lowered.endswith(")"):
            # contract §1: a UPN starting with `$` is addressed as /users('…')
            normal.append("users('{id}')")
            continue
        normal.append(lowered)
        keyed = lowered in _KEYED_COLLECTIONS
    return f"{method.upper()} /{'/'.join(normal)}"


class Stats:
    """Counters of one emulator run; `snapshot()` is safe to call from any thread.

    >>> stats = Stats()
    >>> with stats.in_flight():
    ...     stats.count(Call("GET", "/me/profile/certifications"))
    >>> stats.snapshot()["peak_in_flight"]
    1
    """

    def __init__(self) -> None:
        # The app increments counters in its event-loop thread while notebooks and tests read snapshots
        # from another one; one lock keeps each snapshot consistent.
        self._lock = threading.Lock()
        self.requests_total = 0
        self.batch_requests = 0
        self.batch_items = 0
        self.throttled = 0  # 429s from the throttle (count_throttled, called by app.py)
        self.throttled_by_scope: Counter[str] = Counter()
        self.by_route: Counter[str] = Counter()
        self.by_method: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self._in_flight = 0
        self.peak_in_flight = 0

    def count(self, call: Call) -> None:
        """Count one pipeline call; a `$batch` item (`call.in_batch`) is not an HTTP request of its own."""
        key = route_key(call.method, call.path)
        with self._lock:
            if not call.in_batch:
                self.requests_total += 1
            self._count_route(key, call.method.upper())

    def count_batch(self, call: Call, n_items: int) -> None:
        """Count one `$batch` envelope carrying `n_items` items (the items are counted by `count`)."""
        with self._lock:
            self.requests_total += 1
            self.batch_requests += 1
            self.batch_items += n_items
            self._count_route(route_key(call.method, call.path), call.method.upper())

    def record(self, call: Call, reply: Reply) -> None:
        """Count the status a call was answered with (`by_status`, and `errors` for 4xx/5xx)."""
        with self._lock:
            self.by_status[reply.status] += 1

    def count_throttled(self, scope: str) -> None:
        """Count one throttle 429 and the scope that refused it (`single`, `Tenant/Write`, ...)."""
        with self._lock:
            self.throttled += 1
            self.throttled_by_scope[scope] += 1

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """Wrap one HTTP request to track concurrency (`in_flight`, `peak_in_flight`)."""
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of every counter.

        Keys: `requests_total` (HTTP requests, `$batch` envelopes included), `by_route` and `by_method`
        (batch items included), `batch_requests`, `batch_items`, `throttled` and `throttled_by_scope` (the
        scope that answered each throttle 429: `single`, `scripted`, `Tenant/Write`, `Mailbox/Concurrency`,
        ..., contract §8.1), `by_status` and `errors`
        (status → count, as strings for JSON), `in_flight`, `peak_in_flight`.
        """
        with self._lock:
            return {
                "requests_total": self.requests_total,
                "by_route": dict(sorted(self.by_route.items())),
                "by_method": dict(sorted(self.by_method.items())),
                "batch_requests": self.batch_requests,
                "batch_items": self.batch_items,
                "throttled": self.throttled,
                "throttled_by_scope": dict(sorted(self.throttled_by_scope.items())),
                "by_status": {str(s): n for s, n in sorted(self.by_status.items())},
                "errors": {str(s): n for s, n in sorted(self.by_status.items()) if s >= 400 or s == 0},
                "in_flight": self._in_flight,
                "peak_in_flight": self.peak_in_flight,
            }

    def _count_route(self, key: str, method: str) -> None:
        if key not in self.by_route and len(self.by_route) >= _MAX_ROUTES:
            key = _OTHER_ROUTE
        self.by_route[key] += 1
        self.by_method[method] += 1
