"""`ProgressGraph`: a `Graph` seen through a counter, so a commit can drive a progress bar.

The commit runner sends its PATCHes through `graph.batch` (20 per `$batch`, concurrently); wrapping the
session at that seam counts each answered PATCH without touching the runner (STYLE §3: swap at a seam).

    >>> seen = []
    >>> class Answering:
    ...     base_url = "https://graph.example/beta"
    ...     def batch(self, requests):
    ...         return [None for _ in requests]
    >>> graph = ProgressGraph(Answering(), seen.append)
    >>> _ = graph.batch([{"method": "PATCH", "url": "/x"}, {"method": "GET", "url": "/y"}])
    >>> seen, graph.base_url
    ([1], 'https://graph.example/beta')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["ProgressGraph"]


def _method(request: Any) -> str:
    method = request.get("method") if isinstance(request, dict) else getattr(request, "method", "")
    return str(method).upper()


class ProgressGraph:
    """Delegates everything to `graph`; after each `batch`, calls `on_progress(patches answered so far)`."""

    def __init__(self, graph: Any, on_progress: Callable[[int], None]) -> None:
        self._graph = graph
        self._on_progress = on_progress
        self.patches = 0

    def batch(self, requests: Iterable[Any]) -> Any:
        """`Graph.batch`, counting the PATCH items answered."""
        items = list(requests)
        answers = self._graph.batch(items)
        patched = sum(1 for item in items if _method(item) == "PATCH")
        if patched:
            self.patches += patched
            self._on_progress(self.patches)
        return answers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)
