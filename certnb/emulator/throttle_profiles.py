"""Throttle profiles: Graph's documented limits as stacked scopes, scalable for tests (contract §8.1, §10).

    single          one token bucket (`throttle_rps`, `throttle_burst`): the emulator's default, as before
    graph-small     identity and access, small tenant (< 50 users): 3,500 resource units / 10 s per app+tenant
    graph-medium    … medium tenant (50–500 users):                 5,000 resource units / 10 s per app+tenant
    graph-large     … large tenant (> 500 users):                   8,000 resource units / 10 s per app+tenant
                    and, in all three: writes 3,000 / 150 s per app+tenant; writes 18,000 / 300 s per tenant
    outlook-mailbox per app per mailbox (the person whose profile is addressed): 10,000 requests / 600 s and
                    4 requests at once

A scope is a token bucket holding `limit` units that refills at `limit / window_s` units per second; a call
passes only if every scope it counts against has room (the first limit reached throttles, §8.1). The knobs
`throttle_scale` (× every limit) and `throttle_window_scale` (× every window) shrink a profile for a test
while keeping its shape: both at 0.01 keep Graph's rates and make every burst a hundredth, so throttling
starts after a few dozen calls instead of thousands. `throttle_limits` overrides single scopes:
`{"Tenant/Write": [30, 2]}` (limit, window in seconds).

    >>> large = profile("graph-large")
    >>> [(s.name, s.limit, s.window_s) for s in large.scopes]
    [('Tenant_Application/ReadWrite', 8000.0, 10.0), ('Tenant_Application/Write', 3000.0, 150.0), \
('Tenant/Write', 18000.0, 300.0)]
    >>> [s.rate for s in large.scaled(scale=0.01, window_scale=0.01).scopes]
    [800.0, 20.0, 60.0]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl

Counts = Literal["resource_units", "writes", "requests"]
KeyedBy = Literal["app+tenant", "tenant", "app+mailbox"]

SINGLE = "single"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass(frozen=True)
class ScopeLimit:
    """One limit of a profile: `limit` units of `counts` per `window_s`, one bucket per `keyed_by` key.

    `name` is the `<Scope>/<Limit>` of Graph's `x-ms-throttle-scope` (§8.1) and the key of the statistics'
    `throttled_by_scope`; `information` is the `x-ms-throttle-information` a refusal carries.

    >>> ScopeLimit("Tenant_Application/Write", 3000, 150, "writes", "app+tenant", "WriteLimitExceeded").rate
    20.0
    """

    name: str
    limit: float
    window_s: float
    counts: Counts
    keyed_by: KeyedBy
    information: str = ""

    @property
    def rate(self) -> float:
        """Units per second the scope refills at."""
        return self.limit / self.window_s


@dataclass(frozen=True)
class ThrottleProfile:
    """A named set of stacked scopes; `mailbox_concurrency` > 0 also bounds requests at once per mailbox.

    `outlook` says how a refusal reads: Outlook's `ApplicationThrottled` body (§8.1) instead of Graph's
    `TooManyRequests` with the identity headers.
    """

    name: str
    scopes: tuple[ScopeLimit, ...]
    mailbox_concurrency: int = 0
    outlook: bool = False

    def scaled(
        self,
        *,
        scale: float = 1.0,
        window_scale: float = 1.0,
        overrides: Mapping[str, Any] | None = None,
    ) -> ThrottleProfile:
        """This profile with every limit × `scale`, every window × `window_scale`, then `overrides`
        (scope name → `[limit, window_s]`) applied as given; the concurrency bound is kept.

        >>> profile("outlook-mailbox").scaled(overrides={"Mailbox/Requests": [20, 1]}).scopes[0].rate
        20.0
        """
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - {s.name for s in self.scopes})
        if unknown:
            known = ", ".join(s.name for s in self.scopes) or "none"
            raise ValueError(
                f"throttle_limits names scope(s) {unknown} that profile {self.name!r} does not have; "
                f"its scopes: {known}"
            )
        scopes = []
        for scope in self.scopes:
            limit, window = scope.limit * scale, scope.window_s * window_scale
            if scope.name in overrides:
                limit, window = _override(scope.name, overrides[scope.name])
            scopes.append(dataclasses.replace(scope, limit=max(1.0, limit), window_s=window))
        return dataclasses.replace(self, scopes=tuple(scopes))


def _identity(ru_per_10s: int) -> tuple[ScopeLimit, ...]:
    # Contract §8.1: the identity-and-access limits per app+tenant and per tenant. The per-app limits across
    # tenants (150,000 RU / 20 s, 70,000 writes / 5 min) never bind before these: the emulator has one tenant.
    return (
        ScopeLimit(
            "Tenant_Application/ReadWrite", ru_per_10s, 10, "resource_units", "app+tenant",
            "ResourceUnitLimitExceeded",
        ),
        ScopeLimit("Tenant_Application/Write", 3000, 150, "writes", "app+tenant", "WriteLimitExceeded"),
        ScopeLimit("Tenant/Write", 18000, 300, "writes", "tenant", "WriteLimitExceeded"),
    )


PROFILES: dict[str, ThrottleProfile] = {
    SINGLE: ThrottleProfile(SINGLE, ()),
    "graph-small": ThrottleProfile("graph-small", _identity(3500)),
    "graph-medium": ThrottleProfile("graph-medium", _identity(5000)),
    "graph-large": ThrottleProfile("graph-large", _identity(8000)),
    "outlook-mailbox": ThrottleProfile(
        "outlook-mailbox",
        (ScopeLimit("Mailbox/Requests", 10000, 600, "requests", "app+mailbox", "MailboxRequests"),),
        mailbox_concurrency=4,
        outlook=True,
    ),
}


def profile(name: str) -> ThrottleProfile:
    """The profile of this name; ValueError naming the known ones otherwise.

    >>> profile("graph-medium").scopes[0].limit
    5000.0
    """
    try:
        found = PROFILES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown throttle profile {name!r}; known: {', '.join(PROFILES)}"
        ) from None
    # Limits are floats everywhere, so scaled and unscaled profiles compare and print alike.
    return found.scaled()


def request_cost(method: str, path: str, query: str = "") -> int:
    """Resource units one call costs (contract §8.1): `GET /users` 2, any other path 1; `$select` −1,
    `$expand` +1, `$top` under 20 −1; never below 1.

    >>> request_cost("GET", "/users", "$top=5"), request_cost("GET", "/users", "$expand=manager")
    (1, 3)
    >>> request_cost("PATCH", "/me/profile/certifications/42")
    1
    """
    route = path.split("?", 1)[0].strip("/").lower()
    cost = 2 if method.upper() == "GET" and route == "users" else 1
    options = {name.lower(): value for name, value in parse_qsl(query, keep_blank_values=True)}
    if "$select" in options:
        cost -= 1
    if "$expand" in options:
        cost += 1
    top = options.get("$top", "")
    if top.isdigit() and int(top) < 20:
        cost -= 1
    return max(1, cost)


def t_min(
    name_or_profile: str | ThrottleProfile,
    *,
    reads: int = 0,
    writes: int = 0,
    people: int = 1,
    read_cost: int = 1,
) -> float:
    """The least time, in seconds, the profile lets `reads` + `writes` calls take (contract §10).

    Each scope bounds the run by (units it must grant − the `limit` a full bucket grants at once) / its
    rate; the slowest scope sets the pace, so T_min is the largest bound. Per-mailbox scopes count the calls
    of one person, spread evenly over `people`, as mailboxes are throttled side by side. The concurrency
    bound is not counted: it depends on latency, not on the limits.

    >>> t_min("graph-large", reads=20_000, writes=3_600)             # writes per app+tenant: 600 / 20 per s
    30.0
    >>> t_min(profile("graph-small").scaled(scale=0.01, window_scale=0.01), reads=385)  # (385 - 35) / 350
    1.0
    """
    chosen = profile(name_or_profile) if isinstance(name_or_profile, str) else name_or_profile
    if min(reads, writes) < 0 or people < 1 or read_cost < 1:
        raise ValueError(
            f"t_min needs reads, writes >= 0, people >= 1 and read_cost >= 1, got reads={reads!r} "
            f"writes={writes!r} people={people!r} read_cost={read_cost!r}"
        )
    bound = 0.0
    for scope in chosen.scopes:
        if scope.counts == "resource_units":
            units = float(reads * read_cost + writes)
        elif scope.counts == "writes":
            units = float(writes)
        else:
            units = float(reads + writes)
        if scope.keyed_by == "app+mailbox":
            units = math.ceil(units / people)
        bound = max(bound, max(0.0, units - scope.limit) / scope.rate)
    return bound


def _override(name: str, value: Any) -> tuple[float, float]:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        return float(value[0]), float(value[1])
    raise ValueError(f"throttle_limits[{name!r}] must be [limit, window_s], both > 0, got {value!r}")
