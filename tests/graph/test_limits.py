"""Estimates from Graph's documented limits (contract §8.1) and the rate a session learned: pure."""

from __future__ import annotations

import pytest

from certnb.graph.limits import estimate_reads, estimate_writes


def test_the_issue_example_100000_updates_take_about_83_minutes_at_the_write_limit() -> None:
    estimate = estimate_writes(100_000, reads=5_000, busiest_person=20, tenant_users=5_000)
    assert estimate.seconds == pytest.approx(5_000)
    assert str(estimate) == "about 83 minutes for 100,000 updates at this tenant's write limit (20 a second)"


def test_the_slowest_limit_binds() -> None:
    # One person's 12,000 edits: Outlook's per-mailbox limit (10,000 per 10 minutes) binds, not the tenant's.
    assert estimate_writes(12_000, busiest_person=12_000).limit == "one person's mailbox limit"
    # A session that learned Graph allows it 5 a second is slower than the documented 20.
    slow = estimate_writes(1_000, reads=100, learned_rate=5.0)
    assert (slow.seconds, slow.limit) == (220.0, "the rate Graph allowed this session")
    # ... and a learned rate faster than the documented limit is evidence the limit does not bind here (none
    # is documented for the profile API): the estimate follows what Graph allowed.
    fast = estimate_writes(1_000, learned_rate=500.0)
    assert (fast.seconds, fast.limit) == (2.0, "the rate Graph allowed this session")


def test_reads_follow_the_tenant_size() -> None:
    assert estimate_reads(40, tenant_users=40).rate == 350.0
    assert estimate_reads(400, tenant_users=400).rate == 500.0
    assert str(estimate_reads(60_000, tenant_users=60_000)) == (
        "about 1 minute for 60,000 users at this tenant's read limit (800 a second)")
    assert str(estimate_writes(1)) == "under a second for 1 update at this tenant's write limit (20 a second)"
