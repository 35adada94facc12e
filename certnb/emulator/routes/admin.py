"""Admin routes of the emulator, outside the Graph root and without tokens (contract §10; not Graph).

    GET  /_emulator/health   {"status": "ok", "tenant_id": ...}
    GET  /_emulator/state    the tenant as it is now, in the seed format
    POST /_emulator/reset    restore the seed, clear statistics and faults
    GET  /_emulator/stats    request statistics (stats.py)
    GET  /_emulator/faults   the fault knobs now
    POST /_emulator/faults   change knobs: {"throttle_rps": 50, "scripted": [{"nth": 2, "status": 503}]}
    POST /_emulator/import   the next import from the admin-controlled profile sources (contract §13)

    >>> httpx.post(f"{emu.url}/_emulator/faults", json={"latency_ms": 200},  # doctest: +SKIP
    ...            verify=emu.verify()).json()
    {'latency_ms': 200, 'jitter_ms': 0.0, ...}
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from certnb.emulator.errors import error_body

if TYPE_CHECKING:
    from certnb.emulator.app import EmulatorApp

PREFIX = "/_emulator"


def admin_routes(app: EmulatorApp) -> list[BaseRoute]:
    """The Starlette routes of the admin API, reading the app's *current* state at every request.

    `app.reset()` replaces the app's statistics and fault injector, so nothing is captured here.
    """

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "tenant_id": app.tenant_id})

    async def state(request: Request) -> JSONResponse:
        return JSONResponse(app.state_snapshot())

    async def reset(request: Request) -> JSONResponse:
        app.reset()
        return JSONResponse({"status": "reset", "tenant_id": app.tenant_id})

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse(app.stats_snapshot())

    async def faults(request: Request) -> JSONResponse:
        if request.method == "POST":
            try:
                knobs = json.loads(await request.body() or b"{}")
            except ValueError as exc:
                return _bad_request(f"the body is not JSON: {exc}")
            if not isinstance(knobs, dict):
                return _bad_request(f"the body must be a JSON object of fault knobs, got {knobs!r}")
            try:
                app.set_faults(**knobs)
            except (TypeError, ValueError) as exc:
                return _bad_request(str(exc))
        return JSONResponse(app.faults.knobs())

    async def run_import(request: Request) -> JSONResponse:
        return JSONResponse({"changed": app.run_import()})

    return [
        Route(f"{PREFIX}/import", run_import, methods=["POST"]),
        Route(f"{PREFIX}/health", health, methods=["GET"]),
        Route(f"{PREFIX}/state", state, methods=["GET"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/stats", stats, methods=["GET"]),
        Route(f"{PREFIX}/faults", faults, methods=["GET", "POST"]),
    ]


def _bad_request(message: str) -> JSONResponse:
    # The same envelope as Graph errors (contract §3), so one client-side parser reads both.
    request_id = str(uuid.uuid4())
    body: dict[str, Any] = error_body("invalidRequest", message, request_id, request_id)
    return JSONResponse(body, status_code=400)
