"""One pacer per session: honours Retry-After, learns each throttle scope's rate, backs off on failures.

Graph throttles per call, `$batch` items included (contract §7, §8), and stacks several limits at once
(§8.1): resource units for every call, writes on their own, and — for the Outlook-served profile — each
person's mailbox. The pacer keeps one budget (budget.py) per scope it has evidence of:

    requests   every call spends from it; it is the only one until a 429 names a narrower scope, and it
               learns from every 429 that names none (or names resource units / ReadWrite)
    writes     made on the first 429 that says Write (`x-ms-throttle-scope …/Write/…`, WriteLimitExceeded);
               writes spend from it as well, reads do not, so a write limit never slows a load
    mailbox    one per person, made on the first Outlook 429 (`ApplicationThrottled`) for that person; the
               calls addressing that person spend from it as well
    in flight  at most 4 requests per mailbox at once (Outlook's documented bound): a plain call holds one
               slot, a `$batch` holds one per item for that person, at most 4 (Outlook runs 4 at a time)

Each budget keeps what the single pacer kept for the whole session:

    pause      until when its scope sends nothing: the latest Retry-After heard for it (retrying earlier
               only earns another 429)
    start      before any 429, a slow start: 100 items/s, doubling every 0.25 s while in use (it starts again
               after an idle stretch), so the first overshoot is a few items rather than every request in
               flight; after the first 429, the rate that overshot, doubling every second, until a rate is
               learned
    rate       items/s the scope sends at, learned (AIMD) from the second 429 on:
                 on a throttle event  rate ← 0.95 × (items accepted since the previous event / its duration);
                                    the first reading spans the first pause, so it reads low already and
                                    is taken without the 0.95
                 while no 429 comes   rate grows by 10 % per second of use, probing for room — but not
                                    above the granted rate once the runs under way (`planned`) have
                                    fewer calls ahead than two pauses' worth: a 429 there idles the end
               after an idle stretch (a second with no call, no caller waiting, no Retry-After pause: a
               commit after a load and a pause to stage; a quarter of one once a 429 has been heard, as
               between a commit's chunks), the rate is kept as it was, not grown by the idle
               time, and the next 429 opens a new estimation window, so the idle time is not read as a slow
               server
    backoff    exponential with full jitter for 5xx and transport errors, when no Retry-After was given

A call waits until every budget it spends from admits it, then spends from all of them at once: a `$batch`
of 20 items spends 20 from `requests`, its writes from `writes`, each person's items from that person's
budget — never more than its items' share. `limits()` tells an estimator the items/s Graph granted reads
and writes over the last window (not the probing rate). So a long run settles just under the binding limit
instead of bouncing off it, without sleeping when there is no need to. All methods run on the session's
event loop (one thread), so no lock is needed.

>>> parse_retry_after("2.128"), parse_retry_after("3"), parse_retry_after("soon")
(2.128, 3.0, None)
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Literal

from certnb.graph.budget import Budget
from certnb.graph.throttling import MAILBOX_CONCURRENCY, Spend, mailbox_of, scope_of_429

__all__ = ["Pacer", "PlannedRun", "Spend", "parse_retry_after"]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value: whole or fractional seconds, or an HTTP-date.

    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0)
    10.0
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # RFC 9110: an HTTP-date is always GMT
            return None
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


class PlannedRun:
    """The calls a run under way (a `$batch` run, a commit) has still to send: `done(n)` as they go."""

    __slots__ = ("left",)

    def __init__(self, calls: int) -> None:
        self.left = calls

    def done(self, calls: int) -> None:
        self.left = max(0, self.left - calls)


class Pacer:
    """Admission control shared by every request of a session (plain calls and batch items alike).

    >>> pacer = Pacer()
    >>> pacer.rate is None     # not learned until Graph says 429 twice (a slow start meanwhile)
    True
    >>> pacer.limits()
    {'reads': None, 'writes': None, 'per_mailbox': None}
    """

    def __init__(
        self,
        *,
        backoff_base_s: float = 0.25,
        backoff_cap_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self._clock = clock
        self._rng = rng or random.Random()
        self._requests = Budget(clock=clock)
        self._writes: Budget | None = None
        self._mailboxes: dict[str, Budget] = {}
        self._open: Counter[str] = Counter()  # mailbox → requests in flight
        self._slot_waiters: list[asyncio.Future[None]] = []
        self._runs: list[PlannedRun] = []
        self.waited_s = 0.0

    def __repr__(self) -> str:
        rate = "slow start" if self.rate is None else f"{self.rate:.1f}/s"
        learned = None if self._writes is None else self._writes.rate
        writes = "" if learned is None else f" writes={learned:.1f}/s"
        return f"<Pacer rate={rate}{writes} throttle_events={self.throttle_events}>"

    @property
    def rate(self) -> float | None:
        """Items/s learned for every request (the `requests` scope), None until learned."""
        return self._requests.rate

    @property
    def throttle_events(self) -> int:
        """Throttle events so far, all scopes together (429s answered during one pause are one event)."""
        budgets = [self._requests, *([self._writes] if self._writes else []), *self._mailboxes.values()]
        return sum(b.throttle_events for b in budgets)

    def limits(self) -> dict[str, float | None]:
        """What an estimator needs: items/s learned for `reads` and `writes`, and the slowest learned
        `per_mailbox` rate; None where no rate is known yet (before the second 429 of a scope).

        Reads are bound by the `requests` scope; writes by it and by the `writes` scope, whichever is lower.
        Each is what the scope granted over its last estimation window (`Budget.measured`), not the rate
        the pacer sends at, which probes above it between 429s.
        """
        reads = self._requests.granted
        writes = None if self._writes is None else self._writes.granted
        if reads is not None:
            writes = reads if writes is None else min(writes, reads)
        learned = [r for r in (b.granted for b in self._mailboxes.values()) if r is not None]
        return {"reads": reads, "writes": writes, "per_mailbox": min(learned) if learned else None}

    def items_per_s(self, kind: Literal["reads", "writes"]) -> float | None:
        """The learned items/s of `reads` or `writes` (see `limits`), None if unknown."""
        if kind not in ("reads", "writes"):
            raise ValueError(f"items_per_s takes 'reads' or 'writes', got {kind!r}")
        return self.limits()[kind]

    @contextmanager
    def planned(self, calls: int) -> Iterator[PlannedRun]:
        """A run of `calls` calls is under way until the block ends; it says `done(n)` as they go. Near
        the end of every run together the budgets stop probing above the granted rate (budget.py)."""
        run = PlannedRun(calls)
        self._runs.append(run)
        try:
            yield run
        finally:
            self._runs.remove(run)

    @property
    def ahead(self) -> int | None:
        """Calls the runs under way have still to send; None when no run said (single calls)."""
        runs = list(self._runs)  # a commit's thread may add its run meanwhile
        return sum(run.left for run in runs) if runs else None

    # ----------------------------------------------------------------- admission
    async def turn(self, items: int = 1, *, spend: Spend | None = None) -> None:
        """Wait until `items` calls may be sent (`spend` says which are writes, whose mailbox): after any
        Retry-After pause of their scopes and within every learned rate; then spend from each at once."""
        spend = spend if spend is not None else Spend(items)
        while True:
            now = self._clock()
            budgets = self._budgets(spend)
            ahead = self.ahead
            wait = max(budget.ready_in(now, ahead) for budget, _ in budgets)
            if wait <= 0:
                for budget, share in budgets:
                    budget.spend(now, share)
                return
            self.waited_s += wait
            for budget, _ in budgets:
                budget.waiting(now + wait)  # a caller waiting is not idleness
            await asyncio.sleep(wait)

    @asynccontextmanager
    async def in_flight(self, spend: Spend) -> AsyncIterator[None]:
        """Hold the mailbox concurrency slots of `spend` while its request is out (at most 4 a mailbox)."""
        slots = spend.slots()
        while any(self._open[m] + n > MAILBOX_CONCURRENCY for m, n in slots.items()):
            waiter = asyncio.get_running_loop().create_future()
            self._slot_waiters.append(waiter)
            try:
                await waiter
            finally:
                if waiter in self._slot_waiters:
                    self._slot_waiters.remove(waiter)
        self._open.update(slots)
        try:
            yield
        finally:
            self._open.subtract(slots)
            for mailbox in slots:
                if self._open[mailbox] <= 0:
                    del self._open[mailbox]
            waiters, self._slot_waiters = self._slot_waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    def _budgets(self, spend: Spend) -> list[tuple[Budget, int]]:
        budgets = [(self._requests, spend.items)]
        if self._writes is not None and spend.writes:
            budgets.append((self._writes, spend.writes))
        for mailbox, share in spend.mailboxes.items():
            if mailbox in self._mailboxes:
                budgets.append((self._mailboxes[mailbox], share))
        return budgets

    def _start_rate(self, now: float) -> float:
        """The slow start's rate of the `requests` scope (budget.py)."""
        return self._requests._start_rate(now)

    # ----------------------------------------------------------------- feedback
    def accepted(self, items: int = 1, *, spend: Spend | None = None) -> None:
        """`items` calls (`spend`: which writes, whose mailboxes) got an answer that was not a 429."""
        spend = spend if spend is not None else Spend(items)
        for budget, share in self._budgets(spend):
            budget.accepted(share)

    def throttled(
        self,
        retry_after: float | None,
        *,
        scope: Literal["requests", "writes", "mailbox", "concurrency"] = "requests",
        mailbox: str | None = None,
    ) -> float:
        """A 429 came back: pause its scope for Retry-After, lower its rate; returns the wait in seconds.

        `scope` and `mailbox` say which limit refused (throttling.scope_of_429, mailbox_of); a mailbox
        scope without a mailbox counts against `requests`. A concurrency 429 pauses that mailbox without
        reading a rate into it.
        """
        wait = retry_after if retry_after is not None else self.backoff(1)
        if scope in ("mailbox", "concurrency") and mailbox is not None:
            budget = self._mailboxes.get(mailbox)
            if budget is None:
                budget = self._mailboxes[mailbox] = self._budget_from_requests()
            return budget.pause(wait) if scope == "concurrency" else budget.throttled(wait)
        if scope == "writes":
            if self._writes is None:
                self._writes = self._budget_from_requests()
            return self._writes.throttled(wait)
        return self._requests.throttled(wait)

    def throttled_by(
        self, retry_after: float | None, headers: Mapping[str, str], body: Any, url: str
    ) -> float:
        """A 429 for the call to `url`: its scope read from its headers and error body (contract §8.1)."""
        return self.throttled(retry_after, scope=scope_of_429(headers, body), mailbox=mailbox_of(url))

    def _budget_from_requests(self) -> Budget:
        # The calls that overshot the narrower scope went at the session's rate: its slow start starts there.
        return Budget(clock=self._clock, start_rate=self._requests.current_rate(self._clock()))

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter for attempt 1, 2, ... (5xx, transport errors)."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** max(0, attempt - 1))
        return self._rng.uniform(ceiling / 2, ceiling)
