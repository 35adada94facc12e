"""A local Microsoft Graph emulator for profile certifications: tests, demos and benchmarks run on it.

    >>> from certnb.emulator import Emulator
    >>> with Emulator(https=False, throttle_rps=50) as emu:       # doctest: +SKIP
    ...     emu.graph_url
    'http://127.0.0.1:50123/beta'

The emulator is reached by URL and imports nothing of the rest of certnb (STYLE.md). What a client needs to
sign in here is `emu.sign_in_protocol()` (signin_protocol.py); `shared_emulator()` is the process-wide one
that `certnb.connect(emulator=True)` uses.
"""

from __future__ import annotations

from certnb.emulator.config import EmulatorConfig, Faults, ScriptedFault
from certnb.emulator.server import Emulator
from certnb.emulator.shared import shared_emulator
from certnb.emulator.signin_protocol import SignInProtocol

__all__ = ["Emulator", "EmulatorConfig", "Faults", "ScriptedFault", "SignInProtocol", "shared_emulator"]
