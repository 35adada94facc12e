"""The token-bucket throttle: 429 + Retry-After, early retries refused, paced clients reach the rate (§8)."""

from __future__ import annotations

import time

import httpx
import pytest

from certnb.emulator.server import Emulator
from certnb.emulator.throttle import TokenBucket


class SteppedClock:
    """A clock tests move by hand, so throttle arithmetic is checked without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_grants_the_burst_then_refuses_with_whole_seconds_rounded_up() -> None:
    clock = SteppedClock()
    bucket = TokenBucket(rate=4, burst=3, clock=clock)
    assert [bucket.take() for _ in range(3)] == [None, None, None]
    assert bucket.take() == "1"  # 0.25 s until the next token, written as a whole second


def test_fractional_retry_after_is_rounded_up_to_the_millisecond() -> None:
    clock = SteppedClock()
    bucket = TokenBucket(rate=3, burst=1, fractional=True, clock=clock)
    assert bucket.take() is None
    assert bucket.take() == "0.334"
    clock.now += 0.334
    assert bucket.take() is None


def test_a_long_wait_is_announced_in_whole_seconds() -> None:
    clock = SteppedClock()
    bucket = TokenBucket(rate=0.4, burst=1, clock=clock)
    assert bucket.take() is None
    assert bucket.take() == "3"  # 2.5 s rounded up


def test_retrying_before_retry_after_gets_another_429_even_if_a_token_accrued() -> None:
    clock = SteppedClock()
    bucket = TokenBucket(rate=10, burst=1, clock=clock)
    assert bucket.take() is None
    assert bucket.take() == "1"
    clock.now += 0.5  # five tokens' worth of time, but the client was told one second
    assert bucket.take() == "1"
    clock.now += 0.5
    assert bucket.take() is None


def test_rate_zero_never_refuses() -> None:
    bucket = TokenBucket(rate=0)
    assert all(bucket.take() is None for _ in range(10_000))


@pytest.mark.parametrize("fractional", [False, True])
@pytest.mark.parametrize(("rate", "burst"), [(7.5, 0), (50, 0), (20, 5)])
def test_a_client_honouring_retry_after_reaches_the_configured_rate(
    rate: float, burst: int, fractional: bool
) -> None:
    clock = SteppedClock()
    bucket = TokenBucket(rate=rate, burst=burst, fractional=fractional, clock=clock)
    start, granted = clock.now, 0
    while clock.now - start < 60:
        retry_after = bucket.take()
        if retry_after is None:
            granted += 1
        else:
            clock.now += float(retry_after)
    achieved = granted / (clock.now - start)
    # Even with whole-second Retry-After and a burst smaller than a second's worth of tokens.
    assert achieved >= rate * 0.97
    assert achieved <= rate * 1.02 + bucket.burst / 60


@pytest.mark.parametrize("one_by_one", [True, False])
def test_a_batch_client_reaches_the_rate_whether_its_items_are_charged_one_by_one_or_together(
    one_by_one: bool,
) -> None:
    # A pacer's $batch of 20 arrives every 28 ms (faster than the rate) and waits out each Retry-After:
    # spending the credit of a wait must not cost the bucket's refill meanwhile.
    clock = SteppedClock()
    bucket = TokenBucket(rate=250, burst=50, clock=clock)
    start, granted = clock.now, 0
    while clock.now - start < 60:
        answers = [bucket.take() for _ in range(20)] if one_by_one else [bucket.take(20)] * 20
        granted += answers.count(None)
        refused = [a for a in answers if a is not None]
        clock.now += float(refused[0]) if refused else 0.028
    assert granted / (clock.now - start) >= 250 * 0.97  # as a client sending one call at a time


def test_a_self_paced_client_is_never_throttled() -> None:
    clock = SteppedClock()
    bucket = TokenBucket(rate=25, burst=1, clock=clock)
    for _ in range(1000):
        assert bucket.take() is None
        clock.now += 1 / 25


def test_negative_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=-1)


@pytest.mark.certnb_emulator(https=False)
def test_over_http_the_throttle_answers_429_with_retry_after_and_an_error_envelope(
    graph_emulator: Emulator,
) -> None:
    graph_emulator.set_faults(throttle_rps=1, throttle_burst=2)
    token = graph_emulator.access_token()
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        url = f"{graph_emulator.graph_url}/me/profile/certifications"
        statuses = [client.get(url) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    refused = statuses[2]
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["error"]["code"] == "TooManyRequests"
    assert refused.json()["error"]["innerError"]["request-id"] == refused.headers["request-id"]
    assert graph_emulator.stats()["throttled"] == 1


@pytest.mark.certnb_emulator(https=False)
def test_over_http_a_client_honouring_fractional_retry_after_gets_through(graph_emulator: Emulator) -> None:
    graph_emulator.set_faults(throttle_rps=20, throttle_burst=1, fractional_retry_after=True)
    token = graph_emulator.access_token()
    url = f"{graph_emulator.graph_url}/me/profile/certifications"
    granted = refused = 0
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        start = time.monotonic()
        while granted < 20:
            reply = client.get(url)
            if reply.status_code == 429:
                refused += 1
                time.sleep(float(reply.headers["Retry-After"]))
            else:
                assert reply.status_code == 200
                granted += 1
        elapsed = time.monotonic() - start
    assert refused >= 1
    # 20 calls at 20/s with a burst of one take at least 19 token intervals.
    assert elapsed >= 19 / 20 * 0.95
    assert elapsed < 5  # a generous bound: honouring Retry-After must not stall the client


def test_a_call_costing_more_waits_for_its_whole_cost_and_a_refund_gives_it_back() -> None:
    clock = SteppedClock()
    bucket = TokenBucket(rate=1, burst=3, clock=clock)
    assert bucket.take(2) is None
    assert bucket.take(2) == "1"  # one token left, one more needed: a second
    clock.now += 1
    assert bucket.take(2) is None
    bucket.refund(2)  # another limit refused the call: it was not served
    assert bucket.take(2) is None
    assert bucket.take(5) == "3"  # a cost above the burst waits for the burst, not forever
