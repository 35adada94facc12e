"""The emulator's throttle: a token bucket that answers 429 with `Retry-After` (contract §8).

Each Graph call spends one token — each `$batch` item too, because Graph throttles items one by one (§7).
The bucket holds at most `burst` tokens and refills at `rate` tokens per second. When it is empty the call is
refused and told how long until the next token: rounded *up* to a whole second, as Graph usually writes it,
or as a fraction (`"0.35"`) with `fractional=True`. Until the announced time has passed every call is refused
(with the time that remains), so retrying early gets another 429 (§8) even if a token has meanwhile accrued;
tokens keep accruing during the wait, even beyond `burst` (a credit, spent after the bucket's own tokens so
the bucket keeps refilling meanwhile), so a client that honours `Retry-After` loses nothing to the rounding
and reaches `rate` on average, whether a `$batch`'s items are charged one by one or together.

    >>> bucket = TokenBucket(rate=2, burst=1)
    >>> bucket.take() is None          # the one token of the burst
    True
    >>> bucket.take()                  # empty: come back in half a second, written as a whole second
    '1'
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class TokenBucket:
    """Token bucket of `rate` tokens/s holding at most `burst` (default `max(1, rate)`); `rate` 0 = unlimited.

    `clock` is the time source in seconds (`time.monotonic`); tests pass their own to step time.

    >>> bucket = TokenBucket(rate=10, burst=1, fractional=True)
    >>> bucket.take(), bucket.take()
    (None, '0.1')
    """

    def __init__(
        self,
        rate: float,
        burst: int = 0,
        *,
        fractional: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate < 0 or burst < 0:
            raise ValueError(f"throttle rate and burst must be >= 0, got rate={rate!r} burst={burst!r}")
        self.rate = float(rate)
        self.burst = float(burst) if burst else max(1.0, self.rate)
        self.fractional = fractional
        self._clock = clock
        self._tokens = self.burst  # a fresh bucket is full
        self._stamp = clock()
        self._not_before = self._stamp  # nothing is granted before the last announced Retry-After
        self._credit = 0.0  # tokens an ordered wait earned beyond `burst`, spent once the bucket is dry

    @property
    def unlimited(self) -> bool:
        """True when the bucket never refuses (rate 0)."""
        return self.rate == 0

    def take(self, cost: float = 1.0) -> str | None:
        """Spend `cost` tokens (one per call; a scope may charge more, contract §8.1): None when granted,
        else the `Retry-After` value to answer the 429 with. A cost above `burst` spends `burst`."""
        if self.unlimited:
            return None
        cost = min(cost, self.burst)
        now = self._clock()
        self._refill(now)
        if now < self._not_before:
            return self.retry_after(self._not_before - now)
        # The epsilon absorbs float error for a client that waited exactly the announced time.
        available = self._tokens + self._credit
        if available >= cost - 1e-9:
            from_bucket = min(cost, self._tokens)
            self._tokens -= from_bucket
            self._credit = max(0.0, self._credit - (cost - from_bucket))
            return None
        # A refused call spends nothing: only the wait until the cost has accrued counts.
        announced = self.retry_after((cost - available) / self.rate)
        self._not_before = now + float(announced)
        # Tokens earned while the client obeys a rounded-up Retry-After are kept even above `burst`:
        # otherwise rounding alone would cap a small-burst client below `rate`.
        self._credit = max(0.0, available + float(announced) * self.rate - self.burst)
        return announced

    def used(self) -> float:
        """The share of the bucket spent now (0 full, 1 empty): Graph's `x-ms-throttle-limit-percentage`."""
        if self.unlimited:
            return 0.0
        self._refill(self._clock())
        return max(0.0, 1.0 - (self._tokens + self._credit) / self.burst)

    def refund(self, cost: float = 1.0) -> None:
        """Give back what `take(cost)` spent: a call another limit refused was not served (stacked scopes)."""
        if not self.unlimited:
            back = min(cost, self.burst)
            into_bucket = min(back, self.burst - self._tokens)
            self._tokens += into_bucket
            self._credit += back - into_bucket

    def _refill(self, now: float) -> None:
        # During an ordered wait the credit already counts what the wait earns beyond `burst`.
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def retry_after(self, wait_s: float) -> str:
        """Format a wait as Graph's `Retry-After`: whole seconds rounded up, or milliseconds rounded up."""
        if self.fractional:
            millis = max(1, math.ceil(round(wait_s * 1000, 6)))
            return f"{millis / 1000:.3f}".rstrip("0").rstrip(".")
        return str(max(1, math.ceil(round(wait_s, 6))))
