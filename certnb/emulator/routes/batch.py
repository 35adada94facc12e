"""JSON batching: one `POST /$batch` envelope, up to 20 items, each run through the pipeline (contract §7).

The envelope is validated as a whole first (a malformed batch is one 400 and runs nothing); then every item
becomes a `Call` of its own (authorised, throttled and executed on its own), independent items concurrently,
items with `dependsOn` after their dependencies, 424 when a dependency did not succeed. The answer is 200
even when items fail.

    {"requests": [{"id": "1", "method": "PATCH", "url": "/me/profile/certifications/42",
                   "headers": {"Content-Type": "application/json"}, "body": {"endDate": "2027-01-31"}},
                  {"id": "2", "method": "GET", "url": "/me/profile/certifications/42", "dependsOn": ["1"]}]}
    → 200 {"responses": [{"id": "1", "status": 200, "headers": {...}, "body": {...}}, {"id": "2", ...}]}

Decisions where the docs are silent: an absolute URL (`https://…`) makes the whole batch 400 ("Invalid batch
payload format", as Graph answers SDKs that send one); a `/beta/...` URL is routed like any other and its item
answers 400 "Resource not found for the segment 'beta'", as Graph does.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from certnb.emulator.errors import GraphError, error_body
from certnb.emulator.exchange import Call, Reply
from certnb.emulator.payload import TooDeep, read_json

MAX_ITEMS = 20
_METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE"})
# Envelope headers an item inherits: the caller's token (contract §7) and how it reached us (for links).
_INHERITED = ("authorization", "host", "x-forwarded-proto")


class BatchStats(Protocol):
    """What `run_batch` needs of `Stats` (stats.py)."""

    def count_batch(self, call: Call, n_items: int) -> None: ...


def _malformed(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _envelope(call: Call, max_depth: int) -> list[dict[str, Any]]:
    """The checked `requests` of a batch; GraphError 400 for anything that makes the whole batch invalid."""
    content_type = call.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise _malformed("A batch request must be sent with Content-Type: application/json.")
    try:
        # Lone surrogate escapes parse but cannot be answered in UTF-8 (ids are echoed): read_json refuses
        # them, and nesting past max_depth (contract §11.2), which bounds every item's body as well.
        envelope = read_json(call.body or b"", max_depth)
    except TooDeep as err:
        raise _malformed(f"Invalid batch payload format: {err}") from None
    except ValueError:
        raise _malformed("Invalid batch payload format: the body is not valid JSON.") from None
    requests = envelope.get("requests") if isinstance(envelope, dict) else None
    if not isinstance(requests, list) or not requests:
        raise _malformed('Invalid batch payload format: expected {"requests": [...]} with at least one item.')
    if len(requests) > MAX_ITEMS:
        raise _malformed(f"Number of batch requests {len(requests)} exceeds the limit of {MAX_ITEMS}.")
    seen: dict[str, str] = {}
    for position, item in enumerate(requests):
        _check_item(item, position)
        folded = item["id"].casefold()
        if folded in seen:
            raise _malformed(
                f"Batch request ids must be unique (case-insensitively): '{item['id']}' is repeated."
            )
        seen[folded] = item["id"]
    for item in requests:
        for target in item.get("dependsOn") or []:
            if target.casefold() not in seen or target.casefold() == item["id"].casefold():
                raise _malformed(
                    f"Request '{item['id']}' depends on '{target}', which is not another request."
                )
    _check_acyclic(requests)
    return requests


def _check_item(item: Any, position: int) -> None:
    where = f"requests[{position}]"
    if not isinstance(item, dict):
        raise _malformed(f"Invalid batch payload format: {where} is not an object.")
    for name in ("id", "method", "url"):
        if not isinstance(item.get(name), str) or not item[name]:
            raise _malformed(f"Invalid batch payload format: {where} needs a non-empty string '{name}'.")
    if item["method"].upper() not in _METHODS:
        raise _malformed(f"Invalid batch payload format: {where} has an unknown method '{item['method']}'.")
    if "://" in item["url"] or item["url"].startswith("//"):
        raise _malformed(f"Invalid batch payload format: {where} url must be relative to the version root.")
    headers = item.get("headers")
    if headers is not None and (
        not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values())
    ):
        raise _malformed(f"Invalid batch payload format: {where} headers must be an object of strings.")
    if item.get("body") is not None and not any(name.lower() == "content-type" for name in (headers or {})):
        raise _malformed(f"Invalid batch payload format: {where} has a body but no Content-Type header.")
    depends = item.get("dependsOn")
    if depends is not None and (
        not isinstance(depends, list) or not all(isinstance(d, str) for d in depends)
    ):
        raise _malformed(f"Invalid batch payload format: {where} dependsOn must be a list of ids.")


def _check_acyclic(requests: list[dict[str, Any]]) -> None:
    edges = {item["id"].casefold(): [d.casefold() for d in item.get("dependsOn") or []] for item in requests}
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(node: str) -> None:
        state[node] = 1
        for target in edges[node]:
            if state.get(target) == 1:
                raise _malformed("Invalid batch payload format: dependsOn forms a cycle.")
            if target not in state:
                visit(target)
        state[node] = 2

    for node in edges:
        if node not in state:
            visit(node)


def _item_call(envelope: Call, item: dict[str, Any]) -> Call:
    url: str = item["url"]
    path, _, query = url.partition("?")
    headers = {name.lower(): value for name, value in (item.get("headers") or {}).items()}
    for name in _INHERITED:
        if name in envelope.headers:
            headers[name] = envelope.headers[name]
    body = item.get("body")
    return Call(
        method=item["method"].upper(),
        path="/" + path.lstrip("/"),
        query=query,
        headers=headers,
        body=None if body is None else json.dumps(body).encode(),
        request_id=str(uuid.uuid4()),
        in_batch=True,
    )


def _response(item_id: str, call: Call, reply: Reply) -> dict[str, Any]:
    status = reply.status or 504  # a dropped item cannot drop the shared connection
    headers = {"request-id": call.request_id, **reply.headers}
    if reply.body is not None:
        headers.setdefault("Content-Type", "application/json")
        headers.setdefault("OData-Version", "4.0")  # as on a plain answer (contract §13)
    return {"id": item_id, "status": status, "headers": headers, "body": reply.body}


def _failed_dependency(item_id: str, call: Call, failed: str) -> dict[str, Any]:
    client_request_id = call.headers.get("client-request-id", call.request_id)
    body = error_body(
        "FailedDependency",
        f"Request '{item_id}' depends on '{failed}', which failed.",
        call.request_id,
        client_request_id,
    )
    return {"id": item_id, "status": 424, "headers": {"Content-Type": "application/json"}, "body": body}


async def run_batch(
    call: Call, run_item: Callable[[Call], Awaitable[Reply]], stats: BatchStats, *, max_depth: int
) -> Reply:
    """Validate a `$batch` envelope, run its items through `run_item`, and answer 200 with their responses.

    `max_depth` bounds the envelope's JSON nesting (contract §11.2); its size was bounded on the way in.

    >>> reply = await run_batch(envelope_call, app.run_call, app.stats, max_depth=64)  # doctest: +SKIP
    >>> [(r["id"], r["status"]) for r in reply.body["responses"]]            # doctest: +SKIP
    [('1', 200), ('2', 424)]
    """
    try:
        requests = _envelope(call, max_depth)
    except GraphError as err:  # the pipeline renders item errors; a malformed envelope is answered here
        client_request_id = call.headers.get("client-request-id", call.request_id)
        return Reply(err.status, error_body(err.code, err.message, call.request_id, client_request_id))
    stats.count_batch(call, len(requests))
    loop = asyncio.get_running_loop()
    done: dict[str, asyncio.Future[dict[str, Any]]] = {
        item["id"].casefold(): loop.create_future() for item in requests
    }

    async def run(item: dict[str, Any]) -> dict[str, Any]:
        item_call = _item_call(call, item)
        for target in item.get("dependsOn") or []:
            outcome = await done[target.casefold()]
            if not 200 <= outcome["status"] < 300:
                response = _failed_dependency(item["id"], item_call, outcome["id"])
                break
        else:
            try:
                reply = await run_item(item_call)
            except Exception as err:  # an emulator bug must fail the item, not hang its dependents
                reply = Reply(
                    500, error_body("generalException", repr(err), item_call.request_id, item_call.request_id)
                )
            response = _response(item["id"], item_call, reply)
        done[item["id"].casefold()].set_result(response)
        return response

    responses = await asyncio.gather(*(run(item) for item in requests))
    return Reply(200, {"responses": list(responses)})
