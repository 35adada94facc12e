"""One Graph call and its answer, independent of HTTP, so `$batch` items and plain requests share one path.

The HTTP layer (`app.py`) turns a Starlette request into a `Call`; `$batch` (`routes/batch.py`) turns each
item into a `Call`. Both run it through the same pipeline (auth → throttle → faults → dispatch) and render the
`Reply`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from certnb.emulator.principal import Principal


@dataclass
class Call:
    """A Graph request relative to the version root: `path` is still percent-encoded (`/users/a%27b/...`)."""

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes | None = None
    principal: Principal | None = None
    request_id: str = ""
    in_batch: bool = False


@dataclass
class Reply:
    """A Graph answer: status, extra headers and a JSON-able body (None for no body).

    `throttled_by` names the scope of a throttle's 429 (`single`, `scripted`, `Tenant/Write`, ...) for the
    statistics; it is not sent.
    """

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    throttled_by: str | None = None
    media_type: str | None = None  # None: JSON; "text/plain" for a bare value (`/$count`)
