"""Benchmark: the typed frame from 1,000,000 certifications, certnb's builder against `pandas.json_normalize`.

The records are Graph JSON already parsed: a generated tenant's certifications (`generate_tenant`, as
`certnb seed` writes them), repeated with fresh ids until there are `--records` of them, each chunk passed
through `json.dumps`/`json.loads` so every string is its own object, as after a real download. Each owner
is one dict per user, shared by that user's records, as `load` has them.

Two contenders, each in a fresh process on identical records (so neither inherits the other's heap):

- certnb: `build_from_records(records, owners)` — the typed frame, plus its lossless bookkeeping column;
- baseline: `pd.json_normalize(records)`, the user columns from the owners, then each column converted to
  the same dtype (strings, dates with one `to_datetime` each, audiences parsed once per distinct text).

Reported: wall seconds of each build, the peak memory each build added (VmHWM after − VmRSS before, the
mark reset first), and a digest per typed column, compared to prove the two frames hold the same content.
Targets: certnb >= 3x faster, <= 0.5x the baseline's peak memory, identical typed columns.

    $ .venv/bin/python benchmarks/frame_build.py --records 200000
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import subprocess
import sys
import time
from typing import Any

from measure import Row, emit, memory_mb, reset_peak_memory, say

RECORDS = 1_000_000
CHUNK = 10_000


def make_records(n: int, seed: int = 11) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`n` parsed certification records and, aligned, the user dict each belongs to."""
    from certnb.emulator.generate import generate_tenant

    tenant = generate_tenant(users=3000, seed=seed)
    pool: list[tuple[int, dict[str, Any]]] = []
    users = tenant["users"]
    for k, user in enumerate(users):
        pool.extend((k, c) for c in user["certifications"])
    records: list[dict[str, Any]] = []
    owners: list[dict[str, Any]] = []
    owner: dict[str, Any] = {}
    previous = (-1, -1)
    for start in range(0, n, CHUNK):
        part = []
        part_users = []
        for i in range(start, min(n, start + CHUNK)):
            k, certification = pool[i % len(pool)]
            record = dict(certification)
            record["id"] = f"{i:08d}-{certification['id'][9:]}"
            part.append(record)
            part_users.append(k)
        parsed = json.loads(json.dumps(part))
        for i, (k, record) in enumerate(zip(part_users, parsed, strict=True)):
            lap = (start + i) // len(pool)
            if (lap, k) != previous:  # a new user: one dict, shared by their records
                user = users[k]
                owner = json.loads(
                    json.dumps(
                        {
                            "id": f"{lap:04d}{user['id'][4:]}",
                            "userPrincipalName": f"{lap}.{user['userPrincipalName']}",
                            "displayName": user["displayName"],
                        }
                    )
                )
                previous = (lap, k)
            records.append(record)
            owners.append(owner)
    return records, owners


def build_certnb(records: list[dict[str, Any]], owners: list[dict[str, Any]]) -> Any:
    from certnb.frame.build import build_from_records

    return build_from_records(records, owners)


def build_baseline(records: list[dict[str, Any]], owners: list[dict[str, Any]]) -> Any:
    """`json_normalize`, then each column converted to the frame's dtype, as a careful analyst would."""
    import numpy as np
    import pandas as pd

    from certnb.audience import Audience
    from certnb.frame.owners import derived_columns
    from certnb.schema import AUDIENCE_WIRE_COLUMN, FIELDS, OWNED_BY_COLUMN, ROW_CONTEXT, TEXT_DTYPE

    flat = pd.json_normalize(records)
    users = pd.DataFrame.from_records(owners, columns=[f.json for f in ROW_CONTEXT])
    out: dict[str, Any] = {f.column: users[f.json].astype(TEXT_DTYPE) for f in ROW_CONTEXT}
    missing = pd.Series([None] * len(flat), dtype=object)
    for f in FIELDS:
        if f.derived:  # the source names, worked out from `sources` as the frame does (certnb.frame.owners)
            names, owned = derived_columns(flat.get("sources", missing).tolist())
            out[f.column] = owned if f.column == OWNED_BY_COLUMN else names
            continue
        name = f.json if f.column == AUDIENCE_WIRE_COLUMN else f.column
        column = flat.get(name, missing)
        if f.column == "source.type":
            column = column.map(lambda v: ",".join(v) if isinstance(v, list) else v)
        if f.column == AUDIENCE_WIRE_COLUMN:
            codes, uniques = pd.factorize(column)
            kept = [u if Audience.unknown_members(u) else None for u in uniques]
            out[f.column] = pd.array(np.array([*kept, None], dtype=object)[codes], dtype=TEXT_DTYPE)
        elif f.kind in ("string", "url"):
            out[f.column] = column.astype(TEXT_DTYPE)
        elif f.kind == "date":
            out[f.column] = pd.to_datetime(column, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
        elif f.kind == "datetime":
            out[f.column] = pd.to_datetime(column, format="ISO8601", utc=True, errors="coerce").astype(
                "datetime64[ns, UTC]"
            )
        elif f.kind == "flags":
            codes, uniques = pd.factorize(column)
            parsed = [Audience.parse(u) for u in uniques]
            out[f.column] = pd.Series(np.array([*parsed, None], dtype=object)[codes], dtype=object)
        elif f.kind == "bool":
            out[f.column] = column.astype("boolean")
        elif f.kind == "number":
            out[f.column] = column.astype("Float64")
        else:
            out[f.column] = column.astype(object)
    return pd.DataFrame({k: pd.Series(v).reset_index(drop=True) for k, v in out.items()})


def digests(frame: Any) -> dict[str, str]:
    """A digest of each typed column's values and dtype (Audience flags by their number)."""
    import pandas as pd

    from certnb.schema import COLUMNS, TEXT_DTYPE

    result = {}
    for column in COLUMNS:
        series = frame[column]
        if series.dtype == object:
            series = pd.Series([_plain(v) for v in series], dtype=TEXT_DTYPE)
        hashed = pd.util.hash_pandas_object(series, index=False).to_numpy()
        result[column] = f"{series.dtype}:" + hashlib.sha256(hashed.tobytes()).hexdigest()[:16]
    return result


def _plain(value: Any) -> str | None:
    """An object cell as text for the digest: an Audience by its number, anything else by its repr."""
    if value is None or value is getattr(value, "nan", None):
        return None
    return str(value.value) if hasattr(value, "value") else repr(value)


def contender(which: str, n: int) -> dict[str, Any]:
    """Run one contender in this process: make the records, build once, measure, digest."""
    import pandas  # noqa: F401  (imported before the measurement by both, so its import is not counted)

    import certnb.frame.build  # noqa: F401

    records, owners = make_records(n)
    gc.collect()
    before = memory_mb("VmRSS")
    reset_peak_memory()
    build = build_certnb if which == "certnb" else build_baseline
    start = time.perf_counter()
    cpu = time.process_time()
    frame = build(records, owners)
    cpu = time.process_time() - cpu
    seconds = time.perf_counter() - start
    peak = memory_mb("VmHWM") - before
    return {
        "which": which,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_added_mb": peak,
        "rows": len(frame),
        "digests": digests(frame),
        "compiled": _compiled_walker(),
    }


def _compiled_walker() -> bool:
    import os

    from certnb.frame.walk import COMPILED

    return COMPILED and os.environ.get("CERTNB_PURE_PYTHON", "") in ("", "0")


def run_contender(which: str, n: int) -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, __file__, "--contender", which, "--records", str(n)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    say(
        f"frame build, {which}: {result['seconds']:.2f} s (cpu {result['cpu_seconds']:.2f} s), "
        f"+{result['peak_added_mb']:.0f} MiB peak"
    )
    return result


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--contender", choices=["certnb", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.contender:
        print(json.dumps(contender(args.contender, args.records)), flush=True)
        raise SystemExit(0)
    ours = run_contender("certnb", args.records)
    theirs = run_contender("baseline", args.records)
    different = sorted(c for c, d in ours["digests"].items() if theirs["digests"].get(c) != d)
    speedup = theirs["seconds"] / ours["seconds"]
    memory = ours["peak_added_mb"] / theirs["peak_added_mb"]
    details = {
        "records": args.records,
        "certnb_seconds": round(ours["seconds"], 2),
        "baseline_seconds": round(theirs["seconds"], 2),
        "certnb_cpu_seconds": round(ours["cpu_seconds"], 2),
        "baseline_cpu_seconds": round(theirs["cpu_seconds"], 2),
        "certnb_peak_added_mb": round(ours["peak_added_mb"], 1),
        "baseline_peak_added_mb": round(theirs["peak_added_mb"], 1),
        "memory_ratio": round(memory, 3),
        "walker": "compiled" if ours["compiled"] else "python (CERTNB_PURE_PYTHON or no C extension)",
        "identical_typed_columns": not different,
        "columns_that_differ": different,
    }
    met = speedup >= 3 and memory <= 0.5 and not different
    return [
        Row(
            "frame build (1M records)"
            if args.records == RECORDS
            else f"frame build ({args.records:,} records)",
            ours["seconds"],
            theirs["seconds"],
            speedup,
            ">= 3x faster than json_normalize, <= 0.5x its peak memory, same content",
            met,
            peak_memory_mb=ours["peak_added_mb"],
            details=details,
        )
    ]


if __name__ == "__main__":
    emit(main(sys.argv[1:]))
    sys.exit(0)
