"""A local Microsoft Graph emulator for profile certifications: tests, demos and benchmarks run on it.

    >>> from certnb.emulator import Emulator
    >>> with Emulator(https=False, throttle_rps=50) as emu:       # doctest: +SKIP
    ...     emu.graph_url
    'http://127.0.0.1:50123/beta'

The emulator is reached by URL only; certnb's client never imports it (STYLE.md).
"""

from __future__ import annotations

from certnb.emulator.config import EmulatorConfig, Faults, ScriptedFault
from certnb.emulator.server import Emulator

__all__ = ["Emulator", "EmulatorConfig", "Faults", "ScriptedFault"]
