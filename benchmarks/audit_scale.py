"""Benchmark: the whole audit of 1,000,000 certifications holding 10,000 distinct issuer spellings, and the
clustering of those 10,000 spellings alone.

The frame: a generated tenant's certifications (`generate_tenant`, 3,000 users) repeated with fresh user
and certification ids until there are `--records` rows; then every row's issuing company and issuing
authority are respelled, by weight, from `--spellings` spellings of real and invented issuers
(issuer_spellings.py: case, legal suffixes, lost spaces, typos): two rows in three as a spelling of their
own issuer, one in three as an invented issuer. Building the frame is not measured.

Measured, in a fresh process: `df.certs.audit(asof=...)` (every rule, the shipped catalogue) wall seconds
and the peak memory it added (VmHWM after − VmRSS before, the mark reset first); `find_clusters` over the
spellings with their row counts (the default method) wall seconds. Targets: audit ≤ 10 s and ≤ 2 GB peak on
2 cores; clustering ≤ 2 s.

    $ .venv/bin/python benchmarks/audit_scale.py --records 200000
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from typing import Any

from measure import Row, emit, memory_mb, reset_peak_memory, say

RECORDS = 1_000_000
SPELLINGS = 10_000
AUDIT_LIMIT = 10.0
AUDIT_MB_LIMIT = 2048.0
CLUSTER_LIMIT = 2.0
INVENTED_SHARE = 1 / 3
ASOF = "2026-11-30"


def make_frame(n: int, spellings: int) -> Any:
    """`n` certification rows of a generated tenant, their issuers drawn from `spellings` spellings."""
    import numpy as np
    import pandas as pd
    from issuer_spellings import spellings as issuer_spellings

    from certnb.emulator.generate import generate_tenant
    from certnb.frame.build import build_frame
    from certnb.schema import TEXT_DTYPE

    base = build_frame(generate_tenant(users=3000, seed=11)["users"])
    positions = np.arange(n) % len(base)
    lap = np.arange(n) // len(base)
    frame = base.iloc[positions].reset_index(drop=True)
    laps = pd.Series(lap).astype(str)
    frame["userId"] = (laps + "-" + frame["userId"].astype(str)).astype(TEXT_DTYPE)
    frame["userPrincipalName"] = (laps + "." + frame["userPrincipalName"].astype(str)).astype(TEXT_DTYPE)
    frame["id"] = pd.array([f"{i:08d}" for i in range(n)], dtype=TEXT_DTYPE)
    from certnb.catalogue import default_catalogue

    catalogue = default_catalogue()
    by_issuer: dict[str, list[tuple[str, int]]] = {}
    for spelling, meant, weight in issuer_spellings(spellings):
        by_issuer.setdefault(meant if catalogue.issuer(meant) else "", []).append((spelling, weight))
    rng = np.random.default_rng(18)
    for column in ("issuingCompany", "issuingAuthority"):
        meant = (
            frame[column]
            .astype(object)
            .map(lambda v: catalogue.issuer(v).name if isinstance(v, str) and catalogue.issuer(v) else "")
        )
        # A third of the rows name an invented issuer; the others a spelling of their own issuer.
        invented = (rng.random(n) < INVENTED_SHARE) | (meant == "").to_numpy()
        meant = meant.where(~invented, "")
        cells = np.empty(n, dtype=object)
        for issuer, rows in meant.groupby(meant).groups.items():
            choices = by_issuer.get(str(issuer)) or by_issuer[""]
            weights = np.array([w for _, w in choices], dtype=float)
            picks = rng.choice(len(choices), size=len(rows), p=weights / weights.sum())
            cells[np.asarray(rows)] = np.array([s for s, _ in choices], dtype=object)[picks]
        frame[column] = pd.array(cells, dtype=TEXT_DTYPE)
    return frame


def contender(n: int, spellings: int) -> dict[str, Any]:
    """In this process: build the frame, then time the audit and the clustering."""
    import certnb.frame  # noqa: F401  (registers df.certs)
    from certnb.catalogue import default_catalogue
    from certnb.clusters import find_clusters

    frame = make_frame(n, spellings)
    counts = frame["issuingCompany"].value_counts()
    tally = {str(k): int(v) for k, v in counts.items()}
    known = default_catalogue().issuer_names()
    find_clusters(dict(list(tally.items())[:50]), known=known)  # warm the imports, not the cache
    start = time.perf_counter()
    clusters = find_clusters(tally, known=known)
    cluster_seconds = time.perf_counter() - start
    gc.collect()
    before = memory_mb("VmRSS")
    reset_peak_memory()
    start = time.perf_counter()
    cpu = time.process_time()
    findings = frame.certs.audit(asof=ASOF)
    cpu = time.process_time() - cpu
    seconds = time.perf_counter() - start
    peak = memory_mb("VmHWM") - before
    return {
        "rows": len(frame),
        "spellings": len(tally),
        "clusters": len(clusters),
        "cluster_seconds": cluster_seconds,
        "audit_seconds": seconds,
        "audit_cpu_seconds": cpu,
        "audit_peak_added_mb": peak,
        "findings": len(findings),
        "by_rule": {str(k): int(v) for k, v in findings["rule"].value_counts().items()},
    }


def main(argv: list[str]) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--spellings", type=int, default=SPELLINGS)
    parser.add_argument("--contender", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.contender:
        print(json.dumps(contender(args.records, args.spellings)))
        return []
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--contender",
            "--records",
            str(args.records),
            "--spellings",
            str(args.spellings),
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    say(
        f"audit of {result['rows']:,} rows ({result['spellings']:,} issuer spellings): "
        f"{result['audit_seconds']:.2f} s (cpu {result['audit_cpu_seconds']:.2f} s), "
        f"+{result['audit_peak_added_mb']:.0f} MiB peak, {result['findings']:,} findings"
    )
    say(
        f"clustering {result['spellings']:,} spellings: {result['cluster_seconds']:.2f} s, "
        f"{result['clusters']:,} clusters"
    )
    audit, peak, cluster = result["audit_seconds"], result["audit_peak_added_mb"], result["cluster_seconds"]
    details = {k: result[k] for k in ("rows", "spellings", "clusters", "findings", "by_rule")}
    return [
        Row(
            f"audit ({result['rows']:,} rows, {result['spellings']:,} issuer spellings)",
            audit,
            AUDIT_LIMIT,
            audit / AUDIT_LIMIT,
            f"<= {AUDIT_LIMIT:g} s",
            audit <= AUDIT_LIMIT,
            "limit",
            peak,
            details,
        ),
        Row(
            f"audit peak memory ({result['rows']:,} rows)",
            peak,
            AUDIT_MB_LIMIT,
            peak / AUDIT_MB_LIMIT,
            f"<= {AUDIT_MB_LIMIT:g} MB",
            peak <= AUDIT_MB_LIMIT,
            "MB limit",
            peak,
            details,
            shown=f"{peak:.0f} MiB",
        ),
        Row(
            f"clustering {result['spellings']:,} spellings",
            cluster,
            CLUSTER_LIMIT,
            cluster / CLUSTER_LIMIT,
            f"<= {CLUSTER_LIMIT:g} s",
            cluster <= CLUSTER_LIMIT,
            "limit",
            peak,
            details,
        ),
    ]


if __name__ == "__main__":
    rows = main(sys.argv[1:])
    if "--contender" not in sys.argv:
        emit(rows)
