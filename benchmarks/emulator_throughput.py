"""Benchmark: list requests per second the emulator serves, over HTTP and HTTPS, with no faults.

Starts `certnb emulator` in its own process (as a user would), signs in once, then drives
`GET /me/profile/certifications` from concurrent keep-alive connections for a fixed time and counts 200s.
The client is a minimal HTTP/1.1 client on asyncio streams, so the number measures the emulator rather than
a client library. Target on a 2-core machine: >= 1,500 list req/s.

    $ .venv/bin/python benchmarks/emulator_throughput.py --seconds 5 --connections 16
    http      3348 req/s  (13400 ok, 0 failed, p50 4.52 ms, p99 10.2 ms)
    https     3326 req/s  (13321 ok, 0 failed, p50 4.29 ms, p99 11.27 ms)

`main()` returns the result dict (benchmarks/run.py collects it) and writes it as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import httpx
from emulator_process import sign_in, start_emulator, stop
from measure import Row, emit

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "emulator_throughput.json"
TARGET_RPS = 1500
LIST = "/me/profile/certifications"


async def connection(
    host: str, port: int, tls: ssl.SSLContext | None, request: bytes, until: float, latencies: list[float]
) -> tuple[int, int]:
    """One keep-alive connection sending requests back to back until `until`; returns (ok, failed)."""
    reader, writer = await asyncio.open_connection(host, port, ssl=tls)
    ok = failed = 0
    try:
        while time.perf_counter() < until:
            sent = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            if status == 200:
                ok += 1
            else:
                failed += 1
    finally:
        writer.close()
    return ok, failed


async def drive(
    graph_url: str, token: str, tls: ssl.SSLContext | None, seconds: float, n: int
) -> dict[str, Any]:
    """Run `n` connections for `seconds` and summarise."""
    parts = urllib.parse.urlsplit(graph_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or (443 if tls else 80)
    request = (
        f"GET {parts.path}{LIST} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    # A short warm-up, so connection set-up and first-request costs are not counted.
    warm_up = time.perf_counter() + 0.3
    await asyncio.gather(*(connection(host, port, tls, request, warm_up, []) for _ in range(n)))
    start = time.perf_counter()
    results = await asyncio.gather(
        *(connection(host, port, tls, request, start + seconds, latencies) for _ in range(n))
    )
    elapsed = time.perf_counter() - start
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    return {
        "requests_per_second": round(ok / elapsed, 1),
        "ok": ok,
        "failed": failed,
        "seconds": round(elapsed, 3),
        "connections": n,
        "latency_p50_ms": round(quantiles[49] * 1000, 2),
        "latency_p99_ms": round(quantiles[98] * 1000, 2),
    }


def run_one(https: bool, seconds: float, connections: int) -> dict[str, Any]:
    """Benchmark one emulator process (HTTP or HTTPS) and stop it."""
    process, ready = start_emulator(*([] if https else ["--http"]))
    try:
        root = ready["graph_url"].removesuffix("/beta")
        tls = ssl.create_default_context(cafile=ready["ca_file"]) if https else None
        token = sign_in(root, ready["tenant_id"], tls or False)
        result = asyncio.run(drive(ready["graph_url"], token, tls, seconds, connections))
        stats = httpx.get(f"{root}/_emulator/stats", verify=tls or False).json()
        result["server_peak_in_flight"] = stats.get("peak_in_flight")
        return result
    finally:
        stop(process)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print one line per scheme, write JSON and return the result."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per scheme")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON result")
    parser.add_argument("--scheme", choices=["http", "https", "both"], default="both")
    args = parser.parse_args(argv)
    schemes = ["http", "https"] if args.scheme == "both" else [args.scheme]
    result: dict[str, Any] = {
        "benchmark": "emulator_throughput",
        "route": f"GET {LIST}",
        "target_requests_per_second": TARGET_RPS,
    }
    for scheme in schemes:
        run = run_one(scheme == "https", args.seconds, args.connections)
        run["meets_target"] = run["requests_per_second"] >= TARGET_RPS
        result[scheme] = run
        print(
            f"{scheme:<6} {run['requests_per_second']:>7.0f} req/s  ({run['ok']} ok, {run['failed']} failed, "
            f"p50 {run['latency_p50_ms']} ms, p99 {run['latency_p99_ms']} ms)",
            flush=True,
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


def rows(result: dict[str, Any]) -> list[Row]:
    """The result as `run.py` rows: one per scheme, the ratio being req/s over the target."""
    found = []
    for scheme in ("http", "https"):
        if scheme in result:
            run = result[scheme]
            rps = run["requests_per_second"]
            found.append(
                Row(
                    f"emulator list requests/s ({scheme})",
                    run["seconds"],
                    TARGET_RPS,
                    rps / TARGET_RPS,
                    f">= {TARGET_RPS:,} req/s",
                    bool(run["meets_target"]),
                    "target req/s",
                    details={k: v for k, v in run.items() if k != "meets_target"},
                    shown=f"{rps:,.0f} req/s",
                )
            )
    return found


if __name__ == "__main__":
    emit(rows(main(sys.argv[1:])))
