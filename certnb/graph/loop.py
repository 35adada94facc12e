"""A private event loop in a background thread: concurrency inside, a synchronous API outside (STYLE §12).

A Jupyter kernel already runs an event loop in the main thread, so `asyncio.run` cannot be used there.
The session's coroutines run on this loop instead; the caller blocks on the result, and Ctrl-C or
"interrupt kernel" cancels the coroutine cleanly.

>>> loop = LoopThread()
>>> async def answer() -> int:
...     return 42
>>> loop.run(answer())
42
>>> loop.close()
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """An asyncio loop running forever in a daemon thread until `close()`."""

    def __init__(self, name: str = "certnb-graph") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"<LoopThread {'running' if self.running else 'closed'}>"

    @property
    def running(self) -> bool:
        """True until `close()`."""
        return self._thread.is_alive()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coroutine` on the loop and wait for its result; KeyboardInterrupt cancels it."""
        if not self.running:
            coroutine.close()
            raise RuntimeError("this Graph session is closed; connect again with certnb.connect(...)")
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("a synchronous Graph call cannot be made from the session's own loop")
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except (KeyboardInterrupt, concurrent.futures.TimeoutError):
            future.cancel()
            raise

    def close(self, timeout: float = 5.0) -> None:
        """Stop the loop and join the thread; idempotent."""
        if not self.running:
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
