"""The one place that speaks HTTP to Graph: the `Graph` session and its parts.

    client.py     Graph: the synchronous HTTP verbs (certnb.session.Session, what connect() returns, adds
                  load, plan, commit and sign_out on top)
    transport.py  one paced, retried call; errors mapped to certnb.errors
    auth.py       the bearer token on every request (httpx.Auth), one refresh after a 401; app-only refused
    network.py    why a host could not be reached (DNS, refused, TLS, proxy, timeout), for Graph and sign-in
    paging.py     follow @odata.nextLink verbatim; the one nextLink loop guard
    listing.py    many collections read to their end: first pages, then nextLinks, through $batch
    batch.py      $batch planning (≤ 20, dependsOn kept together), per-item retries
    pacing.py     Retry-After, a budget per throttle scope, mailbox slots, jittered backoff — one per session
    budget.py     one scope's pause, slow start and learned rate (AIMD)
    throttling.py which scope a 429 names, whose mailbox a URL addresses, what a set of calls spends
    urls.py       percent-encoded path segments; plain http only on loopback
    scopes.py     least-privilege delegated scopes, and what a 403 lacked
    loop.py       the private event loop thread behind the synchronous API

This is the only package that imports httpx; it imports nothing from the layers above it (frame, staging,
commit, session). `Graph`, `BatchRequest`, `BatchResponse` and `Listing` load on first use, so
`import certnb` does not import httpx.

>>> from certnb.graph import Graph, BatchRequest, urls   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from certnb.graph import urls

if TYPE_CHECKING:
    from certnb.graph.batch import BatchRequest, BatchResponse
    from certnb.graph.client import Graph
    from certnb.graph.listing import Listing

__all__ = ["BatchRequest", "BatchResponse", "Graph", "Listing", "urls"]

_LAZY = {
    "BatchRequest": "certnb.graph.batch",
    "BatchResponse": "certnb.graph.batch",
    "Graph": "certnb.graph.client",
    "Listing": "certnb.graph.listing",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'certnb.graph' has no attribute {name!r}")
