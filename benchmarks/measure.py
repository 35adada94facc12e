"""What every scenario reports: one `Row` per target, peak memory, and the JSON line `run.py` collects.

A scenario script prints its rows as one JSON line on stdout (the last line), so `run.py` can run each in
its own process: peak memory then belongs to that scenario alone.

    >>> Row("import", seconds=0.9, reference=0.8, ratio=1.1, target="<= +0.15 s", met=True).as_dict()["met"]
    True
"""

from __future__ import annotations

import json
import resource
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One measured target: certnb's seconds, the limit or baseline held to, their ratio, the verdict."""

    scenario: str
    seconds: float
    reference: float  # T_min (a physical limit) or a baseline's seconds
    ratio: float  # how the target compares them, e.g. seconds / T_min, or baseline / seconds
    target: str
    met: bool
    reference_kind: str = "baseline"
    peak_memory_mb: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
    shown: str = ""  # how the table shows the measurement (default: the seconds)

    def as_dict(self) -> dict[str, Any]:
        row = asdict(self)
        row["shown"] = self.shown or f"{self.seconds:.2f} s"
        for key in ("seconds", "reference", "ratio", "peak_memory_mb"):
            row[key] = round(float(row[key]), 3)
        return row


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MiB (Linux `ru_maxrss` is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_memory() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) of this process, so a later read is the peak of what follows.

    Linux only (`/proc/self/clear_refs`, value 5); False where it is not available.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def memory_mb(kind: str = "VmHWM") -> float:
    """VmHWM (peak resident) or VmRSS (now resident) of this process, in MiB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(kind + ":"):
            return int(line.split()[1]) / 1024
    return peak_memory_mb()


def emit(rows: list[Row]) -> None:
    """Print the rows as the last stdout line (what `run.py` reads)."""
    for row in rows:
        row.peak_memory_mb = row.peak_memory_mb or peak_memory_mb()
    print(json.dumps([row.as_dict() for row in rows]), flush=True)


def say(text: str) -> None:
    """Progress for a human, on stderr (stdout is the JSON line)."""
    print(text, file=sys.stderr, flush=True)
