"""The emulator's ASGI application: routing, and the one pipeline every Graph call goes through.

    HTTP request ─┬─ /beta/$batch ──► batch envelope ──► for each item: pipeline(Call)
                  ├─ /beta/...    ──────────────────────────────────► pipeline(Call)
                  ├─ /{tenant}/oauth2/v2.0/..., /{tenant}/v2.0/.well-known/...   (identity.py)
                  └─ /_emulator/...                                              (routes/admin.py)

    pipeline(Call) = count → authenticate → throttle → [latency] → injected fault → GraphService → post-fault
                     → release the mailbox concurrency slot → Reply

A body over `max_request_bytes` is answered 413 before the pipeline, read no further (payload.py).

Latency is paid once per HTTP request, so a `$batch` costs one latency (contract §10): a plain request pays
it inside the pipeline, after the throttle admitted it, so it holds its mailbox concurrency slot
(outlook-mailbox, §8.1) as long as it takes; a `$batch` pays it before its items run, and its items, served
one after another, never hold two slots at once, as Outlook runs at most 4 of a batch's items at a time.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router
from starlette.types import Receive, Scope, Send

from certnb.emulator.config import EmulatorConfig
from certnb.emulator.errors import GraphError, error_body
from certnb.emulator.exchange import Call, Reply
from certnb.emulator.payload import read_body

if TYPE_CHECKING:
    from certnb.emulator.faults import FaultInjector

JSON_TYPE = (
    "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"
)
# Contract §13: what real Graph answers carry besides request-id and client-request-id. The diagnostic
# header is Graph's JSON shape (msgraph-sdk-powershell#3234 quotes one); its values name no real machine.
ODATA_VERSION = "4.0"
AGS_DIAGNOSTIC = json.dumps(
    {"ServerInfo": {"DataCenter": "Emulator", "Slice": "E", "Ring": "0", "ScaleUnit": "000",
                    "RoleInstance": "CERTNB-EMULATOR"}},
    separators=(",", ":"),
)

# Every method reaches GraphService, so an unsupported one gets a Graph 405 body, not a plain-text one.
GRAPH_METHODS = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS"]


class EmulatorApp:
    """ASGI app holding the emulator's state: tenant, identity, statistics and faults."""

    def __init__(self, seed: str | Path | dict[str, Any] | None, config: EmulatorConfig) -> None:
        from certnb.emulator.identity import Identity
        from certnb.emulator.routes.admin import admin_routes
        from certnb.emulator.routes.graph import GraphService
        from certnb.emulator.stats import Stats
        from certnb.emulator.tenant import Tenant

        self.config = config
        self._seed = seed
        self.tenant = Tenant.from_seed(seed)
        self.identity = Identity(self.tenant, config)
        self.graph = GraphService(self.tenant, config)
        self.stats = Stats()
        self.faults = self._fault_injector()
        graph_route = Route("/beta/{rest:path}", self._graph_endpoint, methods=GRAPH_METHODS)
        # Starlette's `path` pattern `.*` stops at a newline: an id holding %0A would get a plain-text 404
        # instead of reaching GraphService and its Graph error body (contract §3).
        graph_route.path_regex = re.compile(graph_route.path_regex.pattern, re.DOTALL)
        self.router = Router(routes=[*admin_routes(self), graph_route, *self.identity.routes()])

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.router(scope, receive, send)

    # ------------------------------------------------------------------ Graph
    async def _graph_endpoint(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        path = path[len("/beta") :] or "/"
        headers = {k.lower(): v for k, v in request.headers.items()}
        # Links (@odata.nextLink, @odata.context) are built from the scheme the client used.
        headers.setdefault("x-forwarded-proto", request.url.scheme)
        call = Call(
            method=request.method,
            path=path,
            query=request.url.query,
            headers=headers,
            request_id=str(uuid.uuid4()),
        )
        try:
            call.body = await read_body(request, self.config.max_request_bytes)
        except GraphError as err:  # contract §11.1: refused as a whole, before authentication or faults
            return self.render(call, self._refused(call, err))
        with self.stats.in_flight():
            if call.method == "POST" and call.path.rstrip("/") == "/$batch":
                await self.faults.delay()
                reply = await self._run_batch(call)
            else:
                reply = await self.run_call(call, latency=True)
        if reply.status == 0:  # injected dropped connection
            self.faults.drop_connection(request.scope)
        return self.render(call, reply)

    def _refused(self, call: Call, err: GraphError) -> Reply:
        """A request refused before the pipeline (its body too large): counted and answered as an error."""
        self.stats.count(call)
        reply = self.error_reply(call, err)
        self.stats.record(call, reply)
        return reply

    async def _run_batch(self, call: Call) -> Reply:
        """Each item runs the pipeline, authenticated on its own: a bad token yields 200 with 401 items, as
        Graph answers (msgraph-sdk-dotnet#2660); only a malformed envelope fails as a whole (contract §7)."""
        from certnb.emulator.routes.batch import run_batch

        try:
            reply = await run_batch(call, self.run_call, self.stats, max_depth=self.config.max_json_depth)
        except GraphError as err:
            reply = self.error_reply(call, err)
        self.stats.record(call, reply)
        return reply

    async def run_call(self, call: Call, *, latency: bool = False) -> Reply:
        """The pipeline for one Graph call (a plain request, paying the latency, or one `$batch` item)."""
        self.stats.count(call)
        faults = self.faults  # reset() may replace it meanwhile: release where the slot was taken
        try:
            reply = await self._answer(call, faults, latency)
        finally:
            faults.release(call)
        reply = faults.resource_units(call, reply)
        self.stats.record(call, reply)
        return reply

    async def _answer(self, call: Call, faults: FaultInjector, latency: bool) -> Reply:
        try:
            call.principal = self.identity.authenticate(call.headers.get("authorization"))
        except GraphError as err:
            refused: Reply | None = self.error_reply(call, err)
        else:
            refused = faults.before(call)
        if latency:
            await faults.delay()
        if refused is not None:
            if refused.status == 429 and refused.throttled_by is not None:
                self.stats.count_throttled(refused.throttled_by)
            return refused
        try:
            reply = self.graph.handle(call)
            return faults.after(call, reply)
        except GraphError as err:
            return self.error_reply(call, err)

    def error_reply(self, call: Call, err: GraphError) -> Reply:
        code, message = err.code, err.message
        if self.config.unknown_error_fidelity and err.status in (400, 404):
            code, message = "UnknownError", ""  # contract §3: profile endpoints do this
        client_request_id = call.headers.get("client-request-id", call.request_id)
        body = error_body(code, message, call.request_id, client_request_id)
        return Reply(err.status, body, dict(err.headers))

    def render(self, call: Call, reply: Reply) -> Response:
        headers = {
            "request-id": call.request_id,
            "client-request-id": call.headers.get("client-request-id", call.request_id),
            "x-ms-ags-diagnostic": AGS_DIAGNOSTIC,
            **reply.headers,
        }
        if reply.body is not None:
            headers.setdefault("OData-Version", ODATA_VERSION)
        if reply.body is None:
            return Response(status_code=reply.status, headers=headers)
        if reply.media_type == "text/plain":
            text = str(reply.body)
            return Response(text, status_code=reply.status, headers=headers, media_type="text/plain")
        content = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode()
        return Response(content, status_code=reply.status, headers=headers, media_type=JSON_TYPE)

    # ------------------------------------------------------------------ admin
    def stats_snapshot(self) -> dict[str, Any]:
        return self.stats.snapshot()

    def state_snapshot(self) -> dict[str, Any]:
        return self.tenant.to_seed()

    def reset(self) -> None:
        from certnb.emulator.stats import Stats
        from certnb.emulator.tenant import Tenant

        self.tenant.replace(Tenant.from_seed(self._seed))
        self.stats = Stats()
        self.config.faults = type(self.config.faults)()
        self.faults = self._fault_injector()

    def _fault_injector(self) -> FaultInjector:
        from certnb.emulator.faults import FaultInjector

        return FaultInjector(self.config.faults, tenant_id=self.tenant_id, mailbox_of=self._mailbox_of)

    def _mailbox_of(self, call: Call) -> str | None:
        """The id of the person whose profile the call addresses (their mailbox, contract §8.1), else None."""
        from certnb.emulator.routes.route import person_addressed

        return person_addressed(call, self.tenant)

    def set_faults(self, **knobs: Any) -> None:
        self.faults.update(**knobs)

    def run_import(self) -> int:
        """The next import from the admin-controlled profile sources (contract §13; `Tenant.run_import`)."""
        return self.tenant.run_import()


def build_app(seed: str | Path | dict[str, Any] | None = None, **knobs: Any) -> EmulatorApp:
    """The ASGI app with a config built from flat knobs (see `EmulatorConfig.from_knobs`)."""
    return EmulatorApp(seed, EmulatorConfig.from_knobs(**knobs))
