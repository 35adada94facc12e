"""One throttle budget: a pause, a slow start, a learned rate (AIMD) — the pacer keeps one per scope.

A budget is the state the pacer kept for the whole session before Graph's scopes were told apart (pacing.py
describes it); it now stands for one scope the session has evidence of: all requests, writes, one mailbox.

    pause      until when this budget sends nothing: the latest Retry-After heard for its scope
    start      before any 429, a slow start: `start_rate` items/s, doubling every 0.25 s while in use (again
               after an idle stretch); after the first 429, the rate that overshot, doubling every second,
               until a rate is learned
    rate       items/s learned (AIMD) from the second 429 on: rate ← 0.95 × (items accepted since the
               previous event / its duration), the first reading without the 0.95; +10 % per second of use
               while no 429 comes; kept as it was across an idle stretch (a second without calls, a quarter
               of one once a 429 has been heard), whose next 429 opens a new window; no higher than the
               granted rate (brought down to it) while the run's calls ahead would not repay a pause
               (`ahead` below two Retry-After pauses' worth): a 429 then idles the end of the run

>>> budget = Budget(clock=lambda: 0.0)
>>> budget.ready_in(0.0), budget.rate
(0.0, None)
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Budget"]

_DECREASE = 0.95  # multiplicative decrease on a throttle event
_INCREASE_PER_S = 0.1  # additive increase, as a share of the rate, per second without a 429
_MIN_RATE = 1.0  # items/s: never stall completely
_MIN_WINDOW_S = 0.5  # shorter estimation windows are noise (a burst answered at once)
START_RATE = 100.0  # items/s before any 429 (slow start), doubling every _START_DOUBLING_S
_START_DOUBLING_S = 0.25
_MEASURING_DOUBLING_S = 1.0  # the doubling period between the first 429 and a learned rate
_IDLE_RESTART_S = 1.0  # no call for this long: the slow start begins again / the window restarts
# After a 429, a shorter gap already teaches nothing: a run's short pauses (a commit between two chunks)
# would otherwise count as probing (+10 %/s) and as window time, and the next 429 read a rate too low.
_IDLE_THROTTLED_S = 0.25
_BURST_ITEMS = 20.0  # tokens kept at most while sending steadily (one full $batch)
# Probing stops when fewer calls are ahead than this many Retry-After pauses' worth at the granted rate:
# the time a 429 costs is then no longer earned back (its pause idles the end of the run).
_ENDING_PAUSES = 2.0


class Budget:
    """Admission tokens of one scope; `ready_in` says how long until `spend` may go (on credit).

    >>> budget = Budget(clock=lambda: 0.0)
    >>> budget.spend(0.0, 20); budget.ready_in(0.0) > 0    # a whole $batch on credit, then a wait
    True
    """

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, start_rate: float = START_RATE
    ) -> None:
        self._clock = clock
        now = clock()
        self.rate: float | None = None  # items/s, once learned; until then the slow start's rate
        # items/s the scope granted over the last estimation window: what an estimate should use, as the
        # rate itself probes above it between 429s (+10 %/s) and sits 5 % under it after each
        self.measured: float | None = None
        self.paused_until = 0.0
        self.throttle_events = 0
        self._tokens = _BURST_ITEMS  # admission tokens; one $batch may go at once
        self._stamp = now
        self._ceiling = 0.0  # room above the burst for tokens earned during a Retry-After pause
        self._event_start: float | None = None  # start of the estimation window: the last throttle event
        self._accepted = 0  # items accepted in the window
        self._last_increase = now
        self._start_rate0 = start_rate
        self._start_base, self._start_since, self._doubling_s = start_rate, now, _START_DOUBLING_S
        self._last_turn = now  # the last admission: a second idle (unpaused) after it, `_resume` runs
        self._busy_until = now  # a caller waits for its turn, or an answer came, until then
        self._ahead: float | None = None  # calls the runs under way have still to send (None: not told)
        self._last_pause = 1.0  # seconds: the latest Retry-After of a throttle event (Graph's usual one)

    def __repr__(self) -> str:
        rate = "slow start" if self.rate is None else f"{self.rate:.1f}/s"
        return f"<Budget rate={rate} throttle_events={self.throttle_events}>"

    @property
    def granted(self) -> float | None:
        """Items/s for an estimate: what the scope granted over the last window, else the learned rate."""
        return self.measured if self.measured is not None else self.rate

    # ----------------------------------------------------------------- admission
    def ready_in(self, now: float, ahead: float | None = None) -> float:
        """Seconds until this budget admits a sender (0 when it may go now); spends nothing. `ahead`: the
        calls the runs under way have still to send, when they said (Pacer.planned)."""
        self._ahead = ahead
        wait = self.paused_until - now
        if wait > 0:
            return wait
        idle = now - max(self._last_turn, self.paused_until, self._busy_until)
        if idle > (_IDLE_THROTTLED_S if self.throttle_events else _IDLE_RESTART_S):
            self._resume(now)
        rate = self.current_rate(now)
        self._refill(now, rate)
        if self._tokens > 0:
            return 0.0
        return -self._tokens / rate + 1e-3

    def spend(self, now: float, items: int) -> None:
        """`items` calls go now, on credit: a whole $batch goes at once and the debt delays the next."""
        self._tokens -= items
        self._last_turn = now

    def waiting(self, until: float) -> None:
        """A caller waits for this budget until `until`: a caller waiting is not idleness."""
        self._busy_until = max(self._busy_until, until)

    def current_rate(self, now: float) -> float:
        """Items/s admitted now: the learned rate, else the slow start's."""
        return self.rate if self.rate is not None else self._start_rate(now)

    def _resume(self, now: float) -> None:
        """Sending again after an idle stretch (no call, no Retry-After pause): what the idle time taught is
        nothing, so it neither raises the rate nor dilutes the next reading.

        Before any 429 the slow start begins again, as TCP's does (RFC 5681 §4.1), instead of sending at a
        rate it never tried. Later, the rate stays what it was when the calls stopped (probing grows it only
        while in use), and the next throttle event starts a new estimation window instead of dividing the
        items accepted before the pause by a window that spans it."""
        if self.throttle_events == 0:
            self._start_base, self._start_since = self._start_rate0, now
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
        ceiling = max(_BURST_ITEMS, self._ceiling)
        self._tokens = min(ceiling, self._tokens + (now - self._stamp) * rate)
        self._stamp = now
        if now >= self.paused_until:
            self._ceiling = self._tokens if self._tokens > _BURST_ITEMS else 0.0

    # ----------------------------------------------------------------- feedback
    def accepted(self, items: int = 1) -> None:
        """`items` calls of this scope got an answer that was not a 429."""
        self._accepted += items
        self._busy_until = max(self._busy_until, self._clock())

    def pause(self, wait: float) -> float:
        """Send nothing for `wait` seconds, learning nothing (a 429 that says nothing of a rate)."""
        now = self._clock()
        self.paused_until = max(self.paused_until, now + wait)
        return max(0.0, self.paused_until - now)

    def throttled(self, wait: float) -> float:
        """A 429 of this scope: pause for `wait` (its Retry-After), lower the rate; returns the pause left."""
        now = self._clock()
        new_event = now >= self.paused_until  # 429s answered during one pause are one event
        self.paused_until = max(self.paused_until, now + wait)
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
                self.measured = observed
                # The first reading spans the first pause, when the server's bucket stopped filling at its
                # burst: it reads low already, so it is taken without the margin.
                self.rate = max(_MIN_RATE, (1.0 if self.rate is None else _DECREASE) * observed)
                self._event_start, self._accepted = now, 0
            elif self.rate is not None:
                self.rate = max(_MIN_RATE, self.rate * _DECREASE)  # keep measuring over a longer window
            self._last_increase = now + wait
            self._last_pause = wait
            if self.rate is not None:
                # The server's bucket keeps filling while we obey Retry-After: so does ours, beyond the
                # usual burst, so the wait costs nothing once it is over.
                self._refill(now, self.rate)
                self._tokens = min(self._tokens, 0.0)
                self._ceiling = (self.paused_until - now) * self.rate
        return max(0.0, self.paused_until - now)

    def _grow(self, now: float) -> None:
        if self.rate is None:
            return
        elapsed = now - self._last_increase
        if elapsed > 0:
            self.rate += self.rate * _INCREASE_PER_S * elapsed
            self._last_increase = now
        granted = self.measured
        if granted is not None and self._ahead is not None and (
            self._ahead < granted * _ENDING_PAUSES * self._last_pause
        ):
            # Too few calls ahead to repay a pause: no more probing above what the scope granted.
            self.rate = min(self.rate, granted)
