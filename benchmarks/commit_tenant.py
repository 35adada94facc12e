"""Benchmark: `graph.commit(staged)` of 3,000 edits over 1,000 users, throttled, against the physical limit.

Set-up (the issue's): `certnb seed --users 1000`, an emulator in its own process with 25 ms latency and a
throttle of 250 req/s with a burst of 50. The tenant is loaded, then 3,000 edits are staged (a new
`description` on 3,000 certifications, spread over the users), and committed. The commit re-reads the
affected users' lists to detect conflicts (contract §5) and sends the PATCHes via `$batch`.

T_min = (throttle tokens the commit spent − burst) / rate, counting every Graph call answered other than 429
(conflict re-reads included; `$batch` envelopes are free), from the emulator's statistics. Target: the commit
takes <= 1.1 x T_min and every edit ends `applied`. The 429s received and the peak in-flight requests are
reported beside it.

    $ .venv/bin/python benchmarks/commit_tenant.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
from emulator_process import EmulatorProcess
from load_tenant import BURST, LATENCY_MS, RATE, graph_calls
from measure import Row, emit, say

USERS, EDITS = 1000, 3000
LIMIT = 1.1  # issue 19 tightened it from 1.3


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--edits", type=int, default=EDITS)
    args = parser.parse_args(argv)
    import certnb

    warnings.simplefilter("ignore", certnb.OwnedValueWarning)  # one per staging call, on purpose here

    # The generated tenant's values owned by its HR connector or Entra (about 30 %) are written as Graph does
    # when it accepts them until the next import (contract §13, the "revert" knob); staged with owned="warn".
    knobs: dict[str, Any] = {"latency_ms": LATENCY_MS, "throttle_rps": RATE, "throttle_burst": BURST,
                             "source_owned_writes": "revert"}
    with (
        EmulatorProcess(seed_users=args.users, seed=1000, **knobs) as emu,
        tempfile.TemporaryDirectory() as tmp,
    ):
        graph = emu.connect(write=True, all_users=True)
        frame = graph.load(users="all", progress=False)
        if len(frame) < args.edits:
            raise SystemExit(f"the tenant has {len(frame)} certifications, fewer than {args.edits} edits")
        # Spread the edits over every user: take rows round-robin by user, not the first N rows.
        order = frame.groupby("userId", sort=False).cumcount().sort_values(kind="stable").index[: args.edits]
        texts = pd.Series(
            [f"Renewed; checked by the benchmark ({i})" for i in range(len(order))], index=order
        )
        staged = certnb.stage(frame, journal=Path(tmp) / "edits.journal", owned="warn")
        staged.set(order, description=texts)
        users = frame.loc[order, "userId"].nunique()
        time.sleep(2 * BURST / RATE)  # let the bucket refill to its burst after the load
        before = emu.stats()
        start = time.perf_counter()
        result = graph.commit(staged, audit_log=Path(tmp) / "audit.jsonl")
        seconds = time.perf_counter() - start
        after = emu.stats()
        graph.close()
    calls, n429 = graph_calls(before, after)
    counts = dict(result.counts)
    applied = counts.get("applied", 0)
    t_min = (calls - BURST) / RATE
    ratio = seconds / t_min
    by_route = {r: after["by_route"].get(r, 0) - before["by_route"].get(r, 0) for r in after["by_route"]}
    details = {
        "edits": len(staged),
        "users": users,
        "outcomes": counts,
        "graph_calls": calls,
        "calls_by_route": {r: n for r, n in by_route.items() if n},
        "throttled_429": n429,
        "peak_in_flight": after["peak_in_flight"],
    }
    met = ratio <= LIMIT and applied == args.edits
    say(
        f"commit: {seconds:.2f} s for {applied}/{args.edits} applied; T_min {t_min:.2f} s ({calls} calls), "
        f"ratio {ratio:.2f}, {n429} x 429, peak in flight {after['peak_in_flight']}"
    )
    return [
        Row(
            "commit, throttled",
            seconds,
            t_min,
            ratio,
            f"<= {LIMIT} x T_min, every edit applied",
            met,
            "T_min",
            details=details,
        )
    ]


if __name__ == "__main__":
    emit(main(sys.argv[1:]))
