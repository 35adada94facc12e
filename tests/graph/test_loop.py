"""The synchronous API works inside a running event loop (a Jupyter kernel) and can be closed."""

from __future__ import annotations

import asyncio

import pytest

from certnb.emulator.server import Emulator
from certnb.graph import Graph, urls
from certnb.graph.loop import LoopThread

from .seed import MANY


def test_sync_calls_from_inside_a_running_loop(graph: Graph) -> None:
    async def kernel_cell() -> tuple[int, int]:
        items = graph.get_all(urls.certifications_path(MANY))  # no await: as a notebook cell calls it
        answers = graph.batch([{"method": "GET", "url": urls.certifications_path(MANY)}] * 3)
        return len(items), sum(a.ok for a in answers)

    assert asyncio.run(kernel_cell()) == (11, 3)


def test_closed_session_says_so(fresh: Emulator, graph: Graph) -> None:
    graph.close()
    graph.close()  # idempotent
    assert "closed" in repr(graph)
    with pytest.raises(RuntimeError, match="closed"):
        graph.get("/me")


def test_loop_thread_cancels_on_timeout() -> None:
    loop = LoopThread()
    cancelled = []

    async def forever() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    with pytest.raises(TimeoutError):
        loop.run(forever(), timeout=0.1)
    loop.close()
    assert cancelled == [True]
