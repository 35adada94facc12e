"""The process-wide emulator: one per process, with the sample tenant, started on first use.

`certnb.connect(emulator=True)` signs in here, so every notebook cell that asks for the emulator sees the same
tenant and the same port; it runs until the process ends (a daemon thread) or someone stops it.

>>> emu = shared_emulator()                  # doctest: +SKIP
>>> emu is shared_emulator(), emu.running    # doctest: +SKIP
(True, True)
"""

from __future__ import annotations

import threading

from certnb.emulator.server import Emulator

__all__ = ["shared_emulator"]

_shared: Emulator | None = None
_lock = threading.Lock()


def shared_emulator() -> Emulator:
    """The process-wide embedded emulator with the sample tenant, started (again) when not running."""
    global _shared
    with _lock:
        if _shared is None or not _shared.running:
            _shared = _shared or Emulator()
            _shared.start()
        return _shared
