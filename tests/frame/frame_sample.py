"""Constants of the frame tests: where the sample tenant lives and the reference date it was generated for."""

from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "tenant.json"
ASOF = "2026-11-30"  # the sample tenant's reference date (certnb/emulator/generate.py)
