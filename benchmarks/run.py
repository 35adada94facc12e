"""`make bench`: run every benchmark scenario, write benchmarks/results.json and results.md, fail on a miss.

Each scenario module exposes `main(argv) -> dict` and measures its ratio within one run, so a noisy machine
does not mislead. Scenarios so far: the emulator's throughput (more come with the benchmark issue).
"""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import emulator_throughput  # noqa: E402  (a sibling script, not a package)


def machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> int:
    rows: list[dict[str, Any]] = []
    throughput = emulator_throughput.main([])
    for scheme in ("http", "https"):
        result = throughput[scheme]
        rows.append(
            {
                "scenario": f"emulator list requests/s ({scheme})",
                "measured": result["requests_per_second"],
                "target": f">= {throughput['target_requests_per_second']} req/s",
                "met": bool(result["meets_target"]),
            }
        )
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "rows": rows}
    (HERE / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        f"Measured {report['when']} on {report['machine']}.",
        "",
        "| scenario | measured | target | met |",
        "|---|---|---|---|",
        *(f"| {r['scenario']} | {r['measured']:,} | {r['target']} | {'yes' if r['met'] else 'NO'} |"
          for r in rows),
    ]
    (HERE / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
