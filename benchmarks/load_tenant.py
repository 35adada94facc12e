"""Benchmark: `graph.load(users="all")` of 2,000 users, throttled and not, against the limit and a loop.

Set-up (the issue's): `certnb seed --users 2000`, an emulator in its own process with 25 ms latency, and
either a throttle of 250 req/s with a burst of 50 or none. Measured within one run, so a noisy machine
does not mislead:

- certnb: `graph.load(users="all")` (paging `/users`, then every user's list via `$batch`, 20 items each);
- T_min (throttled only) = (throttle tokens the load spent − burst) / rate, the tokens counted from the
  emulator's statistics: every Graph call answered other than 429, `$batch` envelopes excluded (free);
- the sequential loop: httpx, one GET per user (following `@odata.nextLink`), honouring `Retry-After`. It is
  latency-bound, so it runs on the first `--sample` users and is extrapolated linearly to all of them.

Beside each throttled row: the 429s received (and their share of the calls), the pacer's throttle events and
learned rate, and the peak in-flight requests. `--rate`/`--burst` try other throttles (the issue's is the
default), so the pacer is not judged on one number.

    $ .venv/bin/python benchmarks/load_tenant.py
    $ .venv/bin/python benchmarks/load_tenant.py --only throttled --rate 1000 --burst 200
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import httpx
from emulator_process import EmulatorProcess
from measure import Row, emit, say

USERS = 2000
LATENCY_MS = 25
RATE, BURST = 250, 50


def sequential_load(graph_url: str, token: str, sample: int) -> tuple[float, float, int, int]:
    """The hand-written script: list users, then GET each one's certifications in turn.

    Returns (seconds listing users, seconds for the first `sample` users, users in the tenant, 429s seen).
    """
    headers = {"Authorization": f"Bearer {token}"}
    throttled = 0
    with httpx.Client(headers=headers, timeout=60) as client:

        def get(url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
            nonlocal throttled
            while True:
                reply = client.get(url, params=params)
                if reply.status_code == 429:  # contract §8: wait what Retry-After says, then try again
                    throttled += 1
                    time.sleep(float(reply.headers.get("Retry-After", "1")))
                    continue
                reply.raise_for_status()
                answer: dict[str, Any] = reply.json()
                return answer

        def get_all(url: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
            page = get(url, params)
            items = list(page["value"])
            while "@odata.nextLink" in page:
                page = get(page["@odata.nextLink"])
                items.extend(page["value"])
            return items

        start = time.perf_counter()
        users = get_all(f"{graph_url}/users", {"$select": "id,userPrincipalName,displayName", "$top": 999})
        listed = time.perf_counter()
        certifications = 0
        for user in users[:sample]:
            certifications += len(get_all(f"{graph_url}/users/{user['id']}/profile/certifications"))
        done = time.perf_counter()
    return listed - start, done - listed, len(users), throttled


def graph_calls(before: dict[str, Any], after: dict[str, Any]) -> tuple[int, int]:
    """(Graph calls that spent a throttle token, 429s) between two stats snapshots (contract §7, §8)."""

    def spent(s: dict[str, Any]) -> int:
        answered = sum(n for route, n in s["by_route"].items() if route != "POST /$batch")
        return int(answered - s["throttled"])

    return spent(after) - spent(before), int(after["throttled"] - before["throttled"])


def run(throttled: bool, users: int, sample: int, rate: int = RATE, burst: int = BURST) -> Row:
    knobs: dict[str, Any] = {"latency_ms": LATENCY_MS}
    if throttled:
        knobs.update(throttle_rps=rate, throttle_burst=burst)
    name = "load, unthrottled"
    if throttled:
        name = "load, throttled" if (rate, burst) == (RATE, BURST) else f"load, throttled {rate}/s b{burst}"
    with EmulatorProcess(seed_users=users, seed=2000, **knobs) as emu:
        listing, per_sample, n_users, _ = sequential_load(emu.graph_url, emu.token, sample)
        baseline = listing + per_sample * n_users / min(sample, n_users)
        say(f"{name}: sequential loop {listing + per_sample:.2f} s for {sample} users → {baseline:.1f} s")
        graph = emu.connect()
        graph.me()  # sign-in and connection set-up are not the load
        time.sleep(2 * burst / rate)  # let the bucket refill to its burst after the loop
        before = emu.stats()
        start = time.perf_counter()
        frame = graph.load(users="all", progress=False)
        seconds = time.perf_counter() - start
        after = emu.stats()
        pacer = graph.pacer
        graph.close()
    calls, n429 = graph_calls(before, after)
    details = {
        "users": n_users,
        "rows": len(frame),
        "graph_calls": calls,
        "throttled_429": n429,
        "throttled_share": round(n429 / max(1, calls + n429), 4),
        "throttle_events": pacer.throttle_events,
        "learned_rate": None if pacer.rate is None else round(pacer.rate, 1),
        "peak_in_flight": after["peak_in_flight"],
        "sequential_seconds": round(baseline, 2),
        "sequential_note": f"measured on {sample} users, extrapolated linearly to {n_users}",
    }
    speedup = baseline / seconds
    if throttled:
        t_min = (calls - burst) / rate
        ratio = seconds / t_min
        met = ratio <= 1.1 and speedup >= 5
        details["speedup_vs_sequential"] = round(speedup, 2)
        row = Row(
            name, seconds, t_min, ratio, "<= 1.1 x T_min and >= 5x the loop", met, "T_min", details=details
        )
    else:
        row = Row(
            name, seconds, baseline, speedup, ">= 15x faster than the loop", speedup >= 15, details=details
        )
    say(
        f"{name}: {seconds:.2f} s, ratio {row.ratio:.2f}, {n429} x 429 over {calls + n429} calls, "
        f"{pacer!r}, peak in flight {after['peak_in_flight']}"
    )
    return row


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--sample", type=int, default=200, help="users the sequential loop really reads")
    parser.add_argument("--only", choices=["throttled", "unthrottled"])
    parser.add_argument("--rate", type=int, default=RATE, help="throttle: tokens per second")
    parser.add_argument("--burst", type=int, default=BURST, help="throttle: bucket size")
    args = parser.parse_args(argv)
    modes = [args.only == "throttled"] if args.only else [True, False]
    return [run(mode, args.users, args.sample, args.rate, args.burst) for mode in modes]


if __name__ == "__main__":
    emit(main(sys.argv[1:]))
