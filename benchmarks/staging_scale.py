"""Benchmark: stage a bulk edit on 100,000 rows with the journal on disk, then reopen the journal.

The frame is built from 100,000 generated certifications (see `frame_build.make_records`); the edit sets
`endDate` on every row (one day after the row's latest date, so every row really changes: 100,000 edits),
then the journal is closed and reopened with `Staged.open` (what a kernel restart does). Targets:
stage + persist <= 5 s; reopen <= 2 s. Limits, not ratios: there is nothing sensible to race. The
details give each step's CPU seconds too (`time.process_time`), steadier than wall time on a shared
machine.

    $ .venv/bin/python benchmarks/staging_scale.py
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

from frame_build import make_records
from measure import Row, emit, say

ROWS = 100_000
STAGE_LIMIT, REOPEN_LIMIT = 5.0, 2.0


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args(argv)
    import pandas as pd

    import certnb
    from certnb.frame.build import build_from_records

    warnings.simplefilter("ignore", certnb.OwnedValueWarning)  # staged anyway, on purpose here

    records, owners = make_records(args.rows)
    frame = build_from_records(records, owners)
    # One day after the latest of the row's dates, so every row changes and no date-order rule breaks.
    latest = frame[["issuedDate", "startDate", "endDate"]].max(axis=1).fillna(pd.Timestamp("2027-01-01"))
    wanted = (latest + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    with tempfile.TemporaryDirectory(prefix="certnb-bench-") as folder:
        path = Path(folder) / "edits.journal"
        start, cpu = time.perf_counter(), time.process_time()
        staged = certnb.stage(frame, journal=path, owned="warn")  # the generated mix: ~30 % owned values
        staged.set(frame.index, endDate=wanted)
        staged.close()  # every accepted edit is on disk once `set` returns; closing is part of persisting
        staging, staging_cpu = time.perf_counter() - start, time.process_time() - cpu
        check = certnb.Staged.open(path)
        edits = len(check)
        check.close()
        start, cpu = time.perf_counter(), time.process_time()
        reopened = certnb.Staged.open(path)
        n = len(reopened)
        reopening, reopening_cpu = time.perf_counter() - start, time.process_time() - cpu
        reopened.close()
        size = path.stat().st_size
    say(f"staging: {edits} edits staged + persisted in {staging:.2f} s (cpu {staging_cpu:.2f} s); "
        f"reopened ({n}) in {reopening:.2f} s (cpu {reopening_cpu:.2f} s)")
    details = {
        "rows": len(frame), "edits": edits, "journal_mb": round(size / 2**20, 1),
        "stage_cpu_s": round(staging_cpu, 3), "reopen_cpu_s": round(reopening_cpu, 3),
    }
    return [
        Row(
            f"stage + persist ({args.rows:,} rows)",
            staging,
            STAGE_LIMIT,
            staging / STAGE_LIMIT,
            f"<= {STAGE_LIMIT:g} s",
            staging <= STAGE_LIMIT and edits == len(frame),
            "limit",
            details=details,
        ),
        Row(
            f"reopen journal ({args.rows:,} rows)",
            reopening,
            REOPEN_LIMIT,
            reopening / REOPEN_LIMIT,
            f"<= {REOPEN_LIMIT:g} s",
            reopening <= REOPEN_LIMIT and n == edits,
            "limit",
            details=details,
        ),
    ]


if __name__ == "__main__":
    emit(main(sys.argv[1:]))
