"""Benchmark: `python -c "import certnb"` against `python -c "import pandas"`, best of N fresh interpreters.

certnb imports pandas (the frame is a DataFrame), so the fair question is what certnb adds on top of it:
everything heavy beyond pandas (httpx, msal, starlette, the emulator, widgets) must load lazily. Target:
at most 0.15 s more than pandas alone. The two commands alternate, so a noisy moment hits both.

Both are timed with their bytecode cached, as `pip install` leaves a package (it compiles every module when it
installs a wheel) and as Python leaves a checkout after its first import. A shell that sets
PYTHONDONTWRITEBYTECODE (this project's runner does) would otherwise time compiling certnb's sources on every
run (about 0.1 s more here), which no installed copy does; so the warm-up run writes the cache.

    $ .venv/bin/python benchmarks/import_time.py --runs 7
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from measure import Row, emit, say

BUDGET = 0.15


def wall(statement: str, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, env=env)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    writing = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    wall("import certnb", writing)  # warm the file cache and write the bytecode once, uncounted
    ours, theirs = [], []
    for _ in range(args.runs):
        theirs.append(wall("import pandas"))
        ours.append(wall("import certnb"))
    extra = min(ours) - min(theirs)
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, certnb; print(','.join(sorted(m for m in ('httpx', 'msal', 'starlette', "
            "'uvicorn', 'trustme', 'ipywidgets', 'matplotlib', 'certnb.emulator') if m in sys.modules)))",
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout.strip()
    say(
        f"import: certnb {min(ours):.3f} s, pandas {min(theirs):.3f} s, +{extra:.3f} s; "
        f"heavy modules imported eagerly: {heavy!r}"
    )
    details = {
        "runs": args.runs,
        "pandas_seconds": round(min(theirs), 3),
        "extra_seconds": round(extra, 3),
        "heavy_modules_imported_eagerly": heavy.split(",") if heavy else [],
    }
    import resource

    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the biggest interpreter
    return [
        Row(
            "import certnb",
            min(ours),
            min(theirs),
            extra,
            f"<= import pandas + {BUDGET} s",
            extra <= BUDGET,
            peak_memory_mb=child_peak,
            details=details,
        )
    ]


if __name__ == "__main__":
    emit(main(sys.argv[1:]))
