"""A commit under Graph's write scopes (contract §8.1): the pacer learns the write budget from the 429s'
`x-ms-throttle-scope`, few writes are refused, and every edit is applied exactly once."""

from __future__ import annotations

from commit_tenant import certification, committed, key, patches_sent, seed, staged_on

import certnb
from certnb.emulator.server import Emulator


def test_a_commit_under_a_write_scope_learns_it_and_applies_every_edit_once() -> None:
    users, certs = 100, 4
    with Emulator(seed=seed(users=users, certs=certs)) as emu, certnb.connect(
        emulator=emu, write=True, all_users=True
    ) as graph:
        staged = staged_on(graph)
        edits = [(u, f"cert-{u}-{c}") for u in range(users) for c in range(certs)]
        for user, cert in edits:
            staged.set(key(user, cert), endDate="2028-01-31")
        emu.reset()
        # graph-small with limits × 0.02 and windows × 0.004: 60 writes at once per app+tenant, then 100/s;
        # the tenant's writes (360 at once, 300/s) bind later; resource units made plentiful, so every 429
        # is a write's, refused before it ran.
        emu.set_faults(
            throttle_profile="graph-small",
            throttle_scale=0.02,
            throttle_window_scale=0.004,
            throttle_limits={"Tenant_Application/ReadWrite": [100_000, 1]},
            latency_ms=5,
        )
        result = committed(graph, staged)
        stats = emu.stats()
        state = emu.state()
        events = graph.pacer.throttle_events
    assert result.counts == {"applied": len(edits)}, result.table
    assert all(certification(state, u, c)["endDate"] == "2028-01-31" for u, c in edits)  # type: ignore[index]
    assert set(stats["throttled_by_scope"]) <= {"Tenant_Application/Write", "Tenant/Write"}
    # Every refused write was refused before it ran (a throttle's 429) and sent once more: none twice applied.
    assert patches_sent(emu) == len(edits) + stats["throttled"]
    calls = stats["requests_total"] - stats["batch_requests"] + stats["batch_items"]
    # The first overshoot is what was in flight when the write bucket ran dry; after it the pacer paces the
    # writes (the speed target and the 429 share of a long run are benchmarks/' to measure).
    assert 0 < stats["throttled"] <= 0.25 * calls, stats
    assert events <= 4
