"""One pacer per session: honours Retry-After, learns the server's rate, backs off on transient failures.

Graph throttles per call, `$batch` items included (contract §7, §8). The pacer keeps four things:

    pause      until when nobody sends: the latest Retry-After heard (retrying earlier only earns another 429)
    start      before any 429, a slow start: 100 items/s, doubling every 0.25 s while in use (it starts again
               after an idle stretch), so the first overshoot is a few items rather than every request in
               flight; after the first 429, the rate that overshot, doubling every second, until a rate is
               learned
    rate       items/s the session sends at, learned (AIMD) from the second 429 on:
                 on a throttle event  rate ← 0.95 × (items accepted since the previous event / its duration);
                                    the first reading spans the first pause, so it reads low already and
                                    is taken without the 0.95
                 while no 429 comes   rate grows by 10 % per second of use, probing for room
               after an idle stretch (a second with no call, no caller waiting, no Retry-After pause: a
               commit after a load and a pause to stage), the rate is kept as it was, not grown by the idle
               time, and the next 429 opens a new estimation window, so the idle time is not read as a slow
               server
    backoff    exponential with full jitter for 5xx and transport errors, when no Retry-After was given

So a long run settles just under the server's limit instead of bouncing off it, without sleeping when
there is no need to. All methods run on the session's event loop (one thread), so no lock is needed.

>>> parse_retry_after("2.128"), parse_retry_after("3"), parse_retry_after("soon")
(2.128, 3.0, None)
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from collections.abc import Callable

__all__ = ["Pacer", "parse_retry_after"]

_DECREASE = 0.95  # multiplicative decrease on a throttle event
_INCREASE_PER_S = 0.1  # additive increase, as a share of the rate, per second without a 429
_MIN_RATE = 1.0  # items/s: never stall completely
_MIN_WINDOW_S = 0.5  # shorter estimation windows are noise (a burst answered at once)
_START_RATE = 100.0  # items/s before any 429 (slow start), doubling every _START_DOUBLING_S
_START_DOUBLING_S = 0.25
_MEASURING_DOUBLING_S = 1.0  # the doubling period between the first 429 and a learned rate
_IDLE_RESTART_S = 1.0  # no call for this long before any 429: the slow start begins again


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


class Pacer:
    """Admission control shared by every request of a session (plain calls and batch items alike).

    >>> pacer = Pacer()
    >>> pacer.rate is None     # not learned until Graph says 429 twice (a slow start meanwhile)
    True
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
        self.rate: float | None = None  # items/s, once learned; until then the slow start's rate
        self._paused_until = 0.0
        self._tokens = 20.0  # admission tokens; one $batch may go at once
        self._stamp = clock()
        self._burst_items = 20.0  # tokens kept at most while sending steadily (one full $batch)
        self._ceiling = 0.0  # room above the burst for tokens earned during a Retry-After pause
        self._event_start: float | None = None  # start of the estimation window: the last throttle event
        self._accepted = 0  # items accepted in the window
        self._last_increase = clock()
        self._start_base, self._start_since, self._doubling_s = _START_RATE, clock(), _START_DOUBLING_S
        self._last_turn = clock()  # the last admission: a second idle (unpaused) after it, `_resume` runs
        self._busy_until = clock()  # a caller waits for its turn, or an answer came, until then
        self.throttle_events = 0
        self.waited_s = 0.0

    def __repr__(self) -> str:
        rate = "slow start" if self.rate is None else f"{self.rate:.1f}/s"
        return f"<Pacer rate={rate} throttle_events={self.throttle_events}>"

    # ----------------------------------------------------------------- admission
    async def turn(self, items: int = 1) -> None:
        """Wait until `items` calls may be sent: after any Retry-After pause and within the learned rate."""
        while True:
            now = self._clock()
            wait = self._paused_until - now
            if wait <= 0:
                if now - max(self._last_turn, self._paused_until, self._busy_until) > _IDLE_RESTART_S:
                    self._resume(now)
                rate = self.rate if self.rate is not None else self._start_rate(now)
                self._refill(now, rate)
                if self._tokens > 0:
                    # Spend on credit: a whole $batch goes at once, the debt delays the next sender.
                    self._tokens -= items
                    self._last_turn = now
                    return
                wait = -self._tokens / rate + 1e-3
            self.waited_s += wait
            self._busy_until = max(self._busy_until, now + wait)  # a caller waiting is not idleness
            await asyncio.sleep(wait)

    def _resume(self, now: float) -> None:
        """Sending again after an idle stretch (no call, no Retry-After pause): what the idle time taught is
        nothing, so it neither raises the rate nor dilutes the next reading.

        Before any 429 the slow start begins again, as TCP's does (RFC 5681 §4.1), instead of sending at a
        rate it never tried. Later, the rate stays what it was when the calls stopped (probing grows it only
        while in use), and the next throttle event starts a new estimation window instead of dividing the
        items accepted before the pause by a window that spans it."""
        if self.throttle_events == 0:
            self._start_base, self._start_since = _START_RATE, now
            return
        if self.rate is None:
            self._start_base, self._start_since = self._start_rate(self._last_turn), now
        self._last_increase = now
        self._event_start, self._accepted = None, 0

    def _start_rate(self, now: float) -> float:
        """The slow start's rate: doubling until Graph first says 429, then more slowly until a rate is
        learned, so the first overshoot is a few items, not every request in flight."""
        doublings = max(0.0, now - self._start_since) / self._doubling_s
        return float(min(1e6, self._start_base * 2 ** min(doublings, 40.0)))

    def _refill(self, now: float, rate: float) -> None:
        self._grow(now)
        ceiling = max(self._burst_items, self._ceiling)
        self._tokens = min(ceiling, self._tokens + (now - self._stamp) * rate)
        self._stamp = now
        if now >= self._paused_until:
            self._ceiling = self._tokens if self._tokens > self._burst_items else 0.0

    # ----------------------------------------------------------------- feedback
    def accepted(self, items: int = 1) -> None:
        """`items` calls got an answer that was not a 429."""
        self._accepted += items
        self._busy_until = max(self._busy_until, self._clock())

    def throttled(self, retry_after: float | None) -> float:
        """A 429 came back: pause everyone for Retry-After, lower the rate; returns the wait in seconds."""
        now = self._clock()
        wait = retry_after if retry_after is not None else self.backoff(1)
        new_event = now >= self._paused_until  # 429s answered during one pause are one event
        self._paused_until = max(self._paused_until, now + wait)
        if new_event:
            self.throttle_events += 1
            if self.rate is None:
                # Until a rate is learned, the slow start goes on from the rate that overshot, more slowly.
                self._start_base = max(_MIN_RATE, self._start_rate(now))
                self._start_since, self._doubling_s = now + wait, _MEASURING_DOUBLING_S
            if self._event_start is None:
                # The first 429 after a burst says nothing about the rate yet: measure from here.
                self._event_start, self._accepted = now, 0
            elif now - self._event_start >= _MIN_WINDOW_S:
                # Items accepted between throttle events ≈ what the server's bucket refilled meanwhile.
                observed = self._accepted / (now - self._event_start)
                # The first reading spans the first pause, when the server's bucket stopped filling at its
                # burst: it reads low already, so it is taken without the margin.
                self.rate = max(_MIN_RATE, (1.0 if self.rate is None else _DECREASE) * observed)
                self._event_start, self._accepted = now, 0
            elif self.rate is not None:
                self.rate = max(_MIN_RATE, self.rate * _DECREASE)  # keep measuring over a longer window
            self._last_increase = now + wait
            if self.rate is not None:
                # The server's bucket keeps filling while we obey Retry-After: so does ours, beyond the
                # usual burst, so the wait costs nothing once it is over.
                self._refill(now, self.rate)
                self._tokens = min(self._tokens, 0.0)
                self._ceiling = (self._paused_until - now) * self.rate
        return max(0.0, self._paused_until - now)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter for attempt 1, 2, ... (5xx, transport errors)."""
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** max(0, attempt - 1))
        return self._rng.uniform(ceiling / 2, ceiling)

    def _grow(self, now: float) -> None:
        if self.rate is None:
            return
        elapsed = now - self._last_increase
        if elapsed > 0:
            self.rate += self.rate * _INCREASE_PER_S * elapsed
            self._last_increase = now
