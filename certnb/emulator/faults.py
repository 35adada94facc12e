"""Injected faults: latency, throttling, transient 5xx, dropped connections, "applied but answered 429".

Where each knob acts in the pipeline (app.py), per Graph call — a plain request or one `$batch` item:

    delay()  latency_ms + uniform(0, jitter_ms), once per HTTP request (a `$batch` costs one latency, §10)
    before() 1. scripted faults: the nth call matching (method, path_contains) gets `status` (0 = drop)
             2. throttle: token bucket → 429 TooManyRequests + Retry-After (throttle.py, contract §8), then
                the profile's stacked scopes (throttle_scopes.py, §8.1) → 429 naming the scope that refused
             3. random: 500 generalException | 503 serviceNotAvailable (Retry-After: 1) | 504 gatewayTimeout
                | drop, drawn with error_500_rate, error_503_rate, error_504_rate, drop_rate
    after()  the call was executed; a pending "applied" scripted fault, or applied_but_429_rate for writes,
             now answers 429 although the change was made (contract §8: re-read before retrying a write);
             under an identity profile every answer but a throttle's 429 carries `x-ms-resource-unit`,
             and past 80 % of a limit `x-ms-throttle-limit-percentage` (0.80–1.00: the share spent)
    release() the call is answered: its mailbox concurrency slot (outlook-mailbox) is free again

Inside `$batch` every item is faulted on its own. A drop drawn for an item becomes a 504 `gatewayTimeout` for
that item: one TCP connection carries the whole batch, so half of it cannot be dropped.

    >>> injector = FaultInjector(Faults(error_503_rate=1.0))
    >>> injector.before(Call("GET", "/me/profile/certifications")).status
    503
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import threading
from collections.abc import Callable, MutableMapping
from typing import Any

from certnb.emulator.config import Faults, ScriptedFault
from certnb.emulator.errors import GraphError, error_body
from certnb.emulator.exchange import Call, Reply
from certnb.emulator.refusals import check_refusals
from certnb.emulator.throttle import TokenBucket
from certnb.emulator.throttle_profiles import SINGLE, WRITE_METHODS, ThrottleProfile, profile, request_cost
from certnb.emulator.throttle_scopes import Admitted, CallFacts, Refused, ScopedThrottle

DROP = 0  # Reply.status meaning "abort the TCP connection instead of answering"
# Where server.py's HTTP protocol puts a callable aborting the request's connection (in scope["state"]).
DROP_KEY = "certnb.drop_connection"

_WRITE_METHODS = WRITE_METHODS
LIMIT_PERCENTAGE_FROM = 0.8  # contract §8.1: answers say how much of a limit is used once past 80 % of it
_PROFILE_KNOBS = frozenset(
    {"throttle_profile", "throttle_scale", "throttle_window_scale", "throttle_limits",
     "fractional_retry_after"}
)
_RATE_KNOBS = ("error_500_rate", "error_503_rate", "error_504_rate", "drop_rate", "applied_but_429_rate")
_TRANSIENT: dict[int, tuple[str, str, dict[str, str]]] = {
    500: ("generalException", "An internal server error occurred (injected by the emulator).", {}),
    503: ("serviceNotAvailable", "The service is temporarily unavailable (injected).", {"Retry-After": "1"}),
    504: ("gatewayTimeout", "The gateway timed out (injected).", {}),
}


def fault_error(status: int, retry_after: str | None = None) -> GraphError:
    """The Graph error an injected fault answers with (contract §3), e.g. 503 `serviceNotAvailable`.

    >>> fault_error(429, "2").headers
    {'Retry-After': '2'}
    """
    headers: dict[str, str] = {}
    if status == 429:
        code, message = "TooManyRequests", "Too many requests; retry after the Retry-After delay."
    elif status in _TRANSIENT:
        code, message, defaults = _TRANSIENT[status]
        headers.update(defaults)
    else:
        code, message = "generalException", f"Injected HTTP {status}."
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    elif status == 429:
        headers["Retry-After"] = "1"
    return GraphError(status, code, message, headers)


class FaultInjector:
    """Applies the `Faults` knobs to calls; knobs change live with `update(**knobs)`.

    Thread-safe: the app calls it from its event loop while `update` comes from a notebook or an admin call.

    >>> injector = FaultInjector(Faults())
    >>> injector.update(throttle_rps=5, fractional_retry_after=True)
    >>> injector.faults.throttle_rps
    5
    """

    def __init__(
        self,
        faults: Faults,
        *,
        tenant_id: str = "",
        mailbox_of: Callable[[Call], str | None] | None = None,
    ) -> None:
        # Knobs set at construction (CLI, `Emulator(**knobs)`) get the same checks as live ones.
        for field in dataclasses.fields(Faults):
            setattr(faults, field.name, _check_knob(field.name, getattr(faults, field.name)))
        _scaled_profile(faults)  # a throttle_limits naming a scope the profile lacks fails here, named
        self.faults = faults
        self._tenant_id = tenant_id
        # Whose mailbox a call addresses (the person whose profile it reads or writes): the app resolves it.
        self._mailbox_of = mailbox_of or (lambda call: None)
        self._lock = threading.Lock()
        self._scoped: ScopedThrottle | None = None
        self._admitted: dict[str, Admitted] = {}  # request_id → the concurrency slot it holds
        self._rebuild(throttle=True, rng=True)
        self._scripted_seen: list[int] = [0] * len(faults.scripted)
        # request_id → the "applied" scripted fault to answer once the call has run
        self._applied_pending: dict[str, ScriptedFault] = {}

    # ------------------------------------------------------------------ knobs
    def update(self, **knobs: Any) -> None:
        """Change fault knobs live (names as in `Faults`); unknown names and bad values raise, naming them.

        `scripted` takes `ScriptedFault`s or dicts of their fields and restarts their request counts; a new
        `throttle_profile` given without `throttle_limits` drops the previous profile's overrides.
        """
        known = {f.name for f in dataclasses.fields(Faults)}
        unknown = sorted(set(knobs) - known)
        if unknown:
            names = ", ".join(map(repr, unknown))
            raise TypeError(f"unknown fault knob(s) {names}; known: {', '.join(sorted(known))}")
        checked = {name: _check_knob(name, value) for name, value in knobs.items()}
        if "throttle_profile" in checked and "throttle_limits" not in checked:
            checked["throttle_limits"] = {}  # overrides name the old profile's scopes: a new one starts clean
        _scaled_profile(dataclasses.replace(self.faults, **checked))  # checked before anything changes
        with self._lock:
            for name, value in checked.items():
                setattr(self.faults, name, value)
            if "scripted" in checked:
                self._scripted_seen = [0] * len(self.faults.scripted)
                self._applied_pending.clear()
            self._rebuild(
                throttle=bool({"throttle_rps", "throttle_burst", *_PROFILE_KNOBS} & set(checked)),
                rng="random_seed" in checked,
            )

    def knobs(self) -> dict[str, Any]:
        """The current knobs as JSON-able values."""
        with self._lock:
            return dataclasses.asdict(self.faults)

    # ------------------------------------------------------------------ pipeline
    async def delay(self) -> None:
        """Sleep the configured latency plus jitter (once per HTTP request)."""
        faults = self.faults
        if faults.latency_ms <= 0 and faults.jitter_ms <= 0:
            return
        with self._lock:
            jitter = self._jitter_rng.uniform(0, faults.jitter_ms) if faults.jitter_ms > 0 else 0.0
        await asyncio.sleep((faults.latency_ms + jitter) / 1000)

    def before(self, call: Call) -> Reply | None:
        """Refuse the call before it runs (scripted, throttled, random 5xx or drop), or None to let it run."""
        with self._lock:
            scripted = self._match_scripted(call)
            if scripted is not None and not scripted.applied:
                # A scripted 429 counts as throttled, as it always did, under its own name.
                by = "scripted" if scripted.status == 429 else None
                return self._refusal(call, scripted.status, scripted.retry_after, throttled_by=by)
            retry_after = self._bucket.take()
            if retry_after is not None:
                return self._refusal(call, 429, retry_after, throttled_by=SINGLE)
            if self._scoped is not None:
                admitted = self._scoped.admit(self._facts(call))
                if isinstance(admitted, Refused):
                    return self._scope_refusal(call, admitted)
                if admitted.slot is not None:
                    self._admitted[_call_key(call)] = admitted
            status = self._draw_transient()
            if status is not None:
                self._release(call)
                return self._refusal(call, status)
            if scripted is not None:  # applied=True: let it run, answer the fault in after()
                self._applied_pending[_call_key(call)] = scripted
        return None

    def release(self, call: Call) -> None:
        """The call has been answered (or given up): free the mailbox concurrency slot it held, if any."""
        with self._lock:
            self._release(call)

    def resource_units(self, call: Call, reply: Reply) -> Reply:
        """Under an identity profile, `reply` with Graph's `x-ms-resource-unit` (the call's cost, §8.1) and,
        past 80 % of a limit the call counts against, `x-ms-throttle-limit-percentage` (that share)."""
        scoped = self._scoped
        if scoped is None or scoped.profile.outlook or reply.throttled_by is not None:
            return reply
        facts = self._facts(call)
        headers = {**reply.headers, "x-ms-resource-unit": str(facts.resource_units)}
        with self._lock:
            used = scoped.used(facts)
        if used > LIMIT_PERCENTAGE_FROM:
            headers["x-ms-throttle-limit-percentage"] = f"{used:.2f}"
        return dataclasses.replace(reply, headers=headers)

    def after(self, call: Call, reply: Reply) -> Reply:
        """The call ran: answer a pending "applied" fault or a random applied-but-429 instead of `reply`.

        Only a successful call can have been applied; a failed one keeps its own answer.
        """
        with self._lock:
            scripted = self._applied_pending.pop(_call_key(call), None)
            if not 200 <= reply.status < 300:
                return reply
            if scripted is not None:
                return self._refusal(call, scripted.status, scripted.retry_after)
            rate = self.faults.applied_but_429_rate
            if rate > 0 and call.method.upper() in _WRITE_METHODS and self._rng.random() < rate:
                return self._refusal(call, 429, "1")
        return reply

    def drop_connection(self, scope: MutableMapping[str, Any]) -> None:
        """Abort the TCP connection of this request, so the client sees a transport error, not a status."""
        drop = scope.get("state", {}).get(DROP_KEY)
        if drop is None:
            raise RuntimeError(
                "cannot drop the connection: the server was not started with certnb's HTTP protocol "
                "(certnb.emulator.server.Emulator passes it to uvicorn)"
            )
        drop()

    # ------------------------------------------------------------------ internals
    def _rebuild(self, *, throttle: bool, rng: bool) -> None:
        faults = self.faults
        if throttle:
            self._bucket = TokenBucket(
                faults.throttle_rps, faults.throttle_burst, fractional=faults.fractional_retry_after
            )
            limits = _scaled_profile(faults)
            fractional = faults.fractional_retry_after
            self._scoped = None if limits.name == SINGLE else ScopedThrottle(limits, fractional=fractional)
            self._admitted.clear()
        if rng:
            self._rng = random.Random(faults.random_seed)
            # Jitter draws from its own stream, so fault draws stay reproducible whatever the latency.
            seed = faults.random_seed
            self._jitter_rng = random.Random(None if seed is None else seed + 1)

    def _facts(self, call: Call) -> CallFacts:
        principal = call.principal
        return CallFacts(
            app_id=principal.client_id if principal is not None else "",
            tenant_id=self._tenant_id,
            mailbox=self._mailbox_of(call),
            write=call.method.upper() in _WRITE_METHODS,
            resource_units=request_cost(call.method, call.path, call.query),
        )

    def _release(self, call: Call) -> None:
        admitted = self._admitted.pop(_call_key(call), None)
        if admitted is not None and self._scoped is not None:
            self._scoped.release(admitted)

    def _scope_refusal(self, call: Call, refused: Refused) -> Reply:
        client_request_id = call.headers.get("client-request-id", call.request_id)
        body = error_body(refused.code, refused.message, call.request_id, client_request_id)
        return Reply(429, body, dict(refused.headers), throttled_by=refused.scope)

    def _match_scripted(self, call: Call) -> ScriptedFault | None:
        hit: ScriptedFault | None = None
        for index, fault in enumerate(self.faults.scripted):
            if fault.method not in ("*", call.method.upper()) or fault.path_contains not in call.path:
                continue
            self._scripted_seen[index] += 1
            if self._scripted_seen[index] == fault.nth and hit is None:
                hit = fault
        return hit

    def _draw_transient(self) -> int | None:
        faults = self.faults
        rates = (faults.error_500_rate, faults.error_503_rate, faults.error_504_rate, faults.drop_rate)
        if not any(rates):
            return None
        draw = self._rng.random()
        for status, rate in zip((500, 503, 504, DROP), rates, strict=True):
            if draw < rate:
                return status
            draw -= rate
        return None

    def _refusal(
        self, call: Call, status: int, retry_after: str | None = None, *, throttled_by: str | None = None
    ) -> Reply:
        if status == DROP:
            if not call.in_batch:
                return Reply(DROP)
            status = 504  # one connection carries the whole batch: an item's drop is a gateway timeout
        err = fault_error(status, retry_after)
        client_request_id = call.headers.get("client-request-id", call.request_id)
        body = error_body(err.code, err.message, call.request_id, client_request_id)
        return Reply(status, body, err.headers, throttled_by=throttled_by)


def _scaled_profile(faults: Faults) -> ThrottleProfile:
    """The throttle profile the knobs describe, scaled (throttle_profiles.py); ValueError names a bad one."""
    return profile(faults.throttle_profile).scaled(
        scale=faults.throttle_scale,
        window_scale=faults.throttle_window_scale,
        overrides=faults.throttle_limits,
    )


def _call_key(call: Call) -> str:
    # Every HTTP request and every batch item gets a fresh request id (app.py, routes/batch.py).
    return call.request_id or f"id-{id(call)}"


def _check_knob(name: str, value: Any) -> Any:
    """Validate one knob value, naming the knob and the bad value."""
    if name == "scripted":
        if not isinstance(value, list):
            raise ValueError(f"fault knob 'scripted' must be a list, got {value!r}")
        return [_scripted(item) for item in value]
    if name == "write_refusals":
        return check_refusals(value)
    if name == "random_seed":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"fault knob 'random_seed' must be an integer or null, got {value!r}")
        return value
    if name == "throttle_profile":
        profile(value)  # ValueError naming the known profiles
        return value
    if name == "throttle_limits":
        if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
            raise ValueError(
                "fault knob 'throttle_limits' must be an object of scope name → [limit, window_s], "
                f"got {value!r}"
            )
        return {k: list(v) if isinstance(v, list | tuple) else v for k, v in value.items()}
    if name in ("throttle_scale", "throttle_window_scale") and (
        isinstance(value, bool) or not isinstance(value, int | float) or not value > 0
    ):
        raise ValueError(f"fault knob {name!r} must be a number > 0, got {value!r}")
    if name == "fractional_retry_after":
        if not isinstance(value, bool):
            raise ValueError(f"fault knob 'fractional_retry_after' must be true or false, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"fault knob {name!r} must be a number >= 0, got {value!r}")
    if name in _RATE_KNOBS and value > 1:
        raise ValueError(f"fault knob {name!r} is a probability between 0 and 1, got {value!r}")
    if name == "throttle_burst" and value != int(value):
        raise ValueError(f"fault knob 'throttle_burst' must be a whole number, got {value!r}")
    return int(value) if name == "throttle_burst" else value


def _scripted(item: Any) -> ScriptedFault:
    if isinstance(item, ScriptedFault):
        fault = item
    elif isinstance(item, dict):
        fields = {f.name for f in dataclasses.fields(ScriptedFault)}
        unknown = sorted(set(item) - fields)
        if unknown:
            raise ValueError(f"unknown scripted fault field(s) {unknown}; known: {sorted(fields)}")
        try:
            fault = ScriptedFault(**item)
        except TypeError as exc:  # a required field is missing
            raise ValueError(f"scripted fault {item!r}: {exc}") from None
    else:
        raise ValueError(f"a scripted fault is a ScriptedFault or an object, got {item!r}")
    if not isinstance(fault.nth, int) or isinstance(fault.nth, bool) or fault.nth < 1:
        raise ValueError(f"scripted fault 'nth' is 1-based, got {fault.nth!r}")
    if fault.status != DROP and not 400 <= fault.status <= 599:
        raise ValueError(f"scripted fault 'status' must be 0 (drop) or 400-599, got {fault.status!r}")
    return dataclasses.replace(fault, method=fault.method.upper())
