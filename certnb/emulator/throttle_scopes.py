"""Stacked throttle scopes at run time: one token bucket per scope and key, plus mailbox concurrency (§8.1).

    admit(call facts) ─ mailbox concurrency: the app already has `mailbox_concurrency` calls open on the
                        person's mailbox → refused (Outlook's MailboxConcurrency)
                      ─ every scope the call counts against, in the profile's order: its bucket for this key
                        (app+tenant, tenant, or app+mailbox) takes the call's cost → the first that cannot
                        is the scope that throttles; what earlier scopes took is given back (not served)
    release(admitted)   the call is answered: its concurrency slot is free again

A refusal says what Graph would: for identity scopes `x-ms-throttle-scope` (`<Scope>/<Limit>/<app>/<tenant>`)
and `x-ms-throttle-information`; for Outlook an `ApplicationThrottled` body (error_for below).

    >>> from certnb.emulator.throttle_profiles import profile
    >>> limits = profile("graph-small").scaled(overrides={"Tenant_Application/Write": [1, 1]})
    >>> throttle = ScopedThrottle(limits)
    >>> first = throttle.admit(CallFacts(app_id="app", tenant_id="t", write=True))
    >>> refused = throttle.admit(CallFacts(app_id="app", tenant_id="t", write=True))
    >>> refused.scope, refused.headers["x-ms-throttle-scope"], refused.headers["Retry-After"]
    ('Tenant_Application/Write', 'Tenant_Application/Write/app/t', '1')
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from certnb.emulator.throttle import TokenBucket
from certnb.emulator.throttle_profiles import ScopeLimit, ThrottleProfile

# Contract §8.1: what Outlook answers when an app is over a per-mailbox limit. The concurrency wording is
# Graph's own (quoted in magodo/terraform-provider-outlook#21 and alcionai/corso#3695); the request-rate one
# follows its pattern [inferred].
OUTLOOK_CODE = "ApplicationThrottled"
MAILBOX_CONCURRENCY = "Mailbox/Concurrency"
_OUTLOOK_LIMITS = {MAILBOX_CONCURRENCY: "MailboxConcurrency", "Mailbox/Requests": "MailboxRequests"}
IDENTITY_MESSAGE = "Too many requests; retry after the Retry-After delay."


@dataclass(frozen=True)
class CallFacts:
    """What the scopes need to know of a call: who calls (app, tenant), whose mailbox, write or read, cost."""

    app_id: str
    tenant_id: str
    mailbox: str | None = None  # the person whose profile is addressed; None for e.g. GET /users
    write: bool = False
    resource_units: int = 1  # contract §8.1 (throttle_profiles.request_cost)


@dataclass(frozen=True)
class Admitted:
    """A call the scopes let through; `slot` is the mailbox concurrency slot it holds until released."""

    slot: tuple[str, str] | None = None


@dataclass(frozen=True)
class Refused:
    """A call a scope throttled: which scope, the answer's code, message and headers (with Retry-After)."""

    scope: str
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


class ScopedThrottle:
    """The buckets of one profile, keyed as its scopes say; not thread-safe (FaultInjector holds a lock).

    >>> from certnb.emulator.throttle_profiles import profile
    >>> throttle = ScopedThrottle(profile("outlook-mailbox"))
    >>> held = [throttle.admit(CallFacts("app", "t", mailbox="adele")) for _ in range(5)]
    >>> [type(h).__name__ for h in held]
    ['Admitted', 'Admitted', 'Admitted', 'Admitted', 'Refused']
    >>> held[-1].message
    'Application is over its MailboxConcurrency limit.'
    """

    def __init__(
        self,
        limits: ThrottleProfile,
        *,
        fractional: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.profile = limits
        self._fractional = fractional
        self._clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._open: Counter[tuple[str, str]] = Counter()  # (app, mailbox) → calls being served

    def admit(self, facts: CallFacts) -> Admitted | Refused:
        """Let the call through (spending from every scope it counts against) or say which scope refuses."""
        slot = None
        bound = self.profile.mailbox_concurrency
        if bound and facts.mailbox is not None:
            slot = (facts.app_id, facts.mailbox)
            if self._open[slot] >= bound:
                # Refused at once, without a wait to compute: a second later a slot is likely free.
                return self._refused(MAILBOX_CONCURRENCY, "", "1", facts)
        taken: list[tuple[TokenBucket, float]] = []
        for scope in self.profile.scopes:
            cost = _cost(scope, facts)
            if cost is None:
                continue
            bucket = self._bucket(scope, facts)
            if bucket is None:
                continue
            retry_after = bucket.take(cost)
            if retry_after is not None:
                for earlier, spent in taken:
                    earlier.refund(spent)
                return self._refused(scope.name, scope.information, retry_after, facts)
            taken.append((bucket, cost))
        if slot is not None:
            self._open[slot] += 1
        return Admitted(slot)

    def used(self, facts: CallFacts) -> float:
        """The largest share spent of the identity limits the call counts against (contract §8.1: past 0.8,
        answers carry it as `x-ms-throttle-limit-percentage`); 0 when only mailbox limits count (Outlook)."""
        shares = [0.0]
        for scope in self.profile.scopes:
            if scope.keyed_by == "app+mailbox" or _cost(scope, facts) is None:
                continue
            bucket = self._bucket(scope, facts)
            if bucket is not None:
                shares.append(bucket.used())
        return max(shares)

    def release(self, admitted: Admitted) -> None:
        """The admitted call has been answered: free its concurrency slot."""
        if admitted.slot is not None and self._open[admitted.slot] > 0:
            self._open[admitted.slot] -= 1
            if not self._open[admitted.slot]:
                del self._open[admitted.slot]

    def _bucket(self, scope: ScopeLimit, facts: CallFacts) -> TokenBucket | None:
        if scope.keyed_by == "app+tenant":
            key = f"{facts.app_id}/{facts.tenant_id}"
        elif scope.keyed_by == "tenant":
            key = facts.tenant_id
        elif facts.mailbox is None:
            return None  # not a mailbox call: per-mailbox limits do not apply
        else:
            key = f"{facts.app_id}/{facts.mailbox}"
        bucket = self._buckets.get((scope.name, key))
        if bucket is None:
            bucket = TokenBucket(
                scope.rate, max(1, round(scope.limit)), fractional=self._fractional, clock=self._clock
            )
            self._buckets[(scope.name, key)] = bucket
        return bucket

    def _refused(self, scope: str, information: str, retry_after: str, facts: CallFacts) -> Refused:
        headers = {"Retry-After": retry_after}
        if self.profile.outlook:
            limit = _OUTLOOK_LIMITS.get(scope, scope)
            return Refused(scope, OUTLOOK_CODE, f"Application is over its {limit} limit.", headers)
        # Contract §8.1: `<Scope>/<Limit>/<ApplicationId>/<TenantId|UserId|ResourceId>`.
        headers["x-ms-throttle-scope"] = f"{scope}/{facts.app_id}/{facts.tenant_id}"
        if information:
            headers["x-ms-throttle-information"] = information
        return Refused(scope, "TooManyRequests", IDENTITY_MESSAGE, headers)


def _cost(scope: ScopeLimit, facts: CallFacts) -> float | None:
    """What the call spends from this scope, or None when the scope does not count it."""
    if scope.counts == "resource_units":
        return float(facts.resource_units)
    if scope.counts == "writes":
        return 1.0 if facts.write else None
    return 1.0

