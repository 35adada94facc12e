"""Graph's bounds on a request body, over HTTP: its size (contract §11.1) and its JSON depth (§11.2).

A body over `max_request_bytes` (default 4 MB) is 413 with Graph's error envelope, before anything runs; JSON
nested deeper than `max_json_depth` (default 64) is 400, a plain write's or the whole `$batch`'s.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graph_seed import ADELE, SEED, token
from starlette.requests import Request

from certnb.emulator.errors import GraphError
from certnb.emulator.payload import MAX_REQUEST_BYTES, read_body
from certnb.emulator.server import Emulator

CERT = "/me/profile/certifications/cert-01"
JSON = {"Content-Type": "application/json"}
TOO_DEEP = "the JSON is nested deeper than 64 levels (arrays and objects)."


def patch_of_size(size: int) -> bytes:
    """A valid PATCH body of exactly `size` bytes (its displayName padded)."""
    frame = b'{"displayName": ""}'
    return frame[:-2] + b"x" * (size - len(frame)) + frame[-2:]


def batch_of_size(size: int) -> bytes:
    """A valid one-item `$batch` envelope of exactly `size` bytes, patching cert-01's displayName."""
    item = {"id": "1", "method": "PATCH", "url": CERT, "headers": JSON, "body": {"displayName": ""}}
    frame = json.dumps({"requests": [item]}).encode()
    at = frame.index(b'"displayName": "') + len(b'"displayName": "')
    return frame[:at] + b"x" * (size - len(frame)) + frame[at:]


def nested(depth: int, leaf: str = "1") -> str:
    """`depth` arrays nested in each other around `leaf`."""
    return "[" * depth + leaf + "]" * depth


def graph_error(response: httpx.Response) -> tuple[int, str, str]:
    """Status, code and message of a Graph error answer, after checking its envelope (contract §3)."""
    error = response.json()["error"]
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    return response.status_code, error["code"], error["message"]


def display_name(emu: Emulator) -> str:
    user = next(u for u in emu.state()["users"] if u["id"] == ADELE["id"])
    return str(next(c for c in user["certifications"] if c["id"] == "cert-01")["displayName"])


# ------------------------------------------------------------------------------------------------ size


def test_a_patch_over_4_mb_is_413_and_changes_nothing(adele: httpx.Client, fresh: Emulator) -> None:
    before = display_name(fresh)
    response = adele.patch(CERT, content=patch_of_size(MAX_REQUEST_BYTES + 1), headers=JSON)
    assert graph_error(response) == (413, "BadRequest", "The maximum request length supported is 4MB.")
    assert display_name(fresh) == before
    # The unread rest of the body was drained, not left on the wire: the same connection answers on.
    assert adele.get(CERT).status_code == 200


def test_a_patch_of_exactly_4_mb_is_accepted(adele: httpx.Client) -> None:
    response = adele.patch(CERT, content=patch_of_size(MAX_REQUEST_BYTES), headers=JSON)
    assert response.status_code == 200 and len(response.json()["displayName"]) > 4_000_000


def test_a_batch_over_4_mb_is_413_as_a_whole_and_runs_no_item(adele: httpx.Client, fresh: Emulator) -> None:
    before = display_name(fresh)
    response = adele.post("/$batch", content=batch_of_size(MAX_REQUEST_BYTES + 1), headers=JSON)
    assert graph_error(response)[:2] == (413, "BadRequest")
    assert display_name(fresh) == before
    assert fresh.stats()["batch_items"] == 0 and fresh.stats()["by_status"] == {"413": 1}
    assert adele.post("/$batch", content=batch_of_size(MAX_REQUEST_BYTES), headers=JSON).status_code == 200


def test_the_limit_is_a_knob_and_a_chunked_body_is_counted_as_it_streams() -> None:
    with Emulator(seed=SEED, https=False, max_request_bytes=1000) as emu:
        headers = {"Authorization": f"Bearer {token(emu)}", **JSON}
        with httpx.Client(base_url=emu.graph_url, headers=headers) as client:
            assert client.patch(CERT, content=patch_of_size(1000)).status_code == 200
            too_big = client.patch(CERT, content=patch_of_size(1001))
            assert graph_error(too_big)[2] == "The maximum request length supported is 1000 bytes."
            body = patch_of_size(1001)
            chunked = client.patch(CERT, content=iter([body[:600], body[600:]]))  # no Content-Length
            assert "content-length" not in chunked.request.headers
            assert graph_error(chunked)[0] == 413
            assert client.get(CERT).status_code == 200


@pytest.mark.certnb_emulator(https=False, max_request_bytes=2048)
def test_the_pytest_marker_sets_the_limit(graph_emulator: Emulator) -> None:
    headers = {"Authorization": f"Bearer {graph_emulator.access_token()}", **JSON}
    url = f"{graph_emulator.graph_url}/me/profile/certifications"
    response = httpx.post(url, content=patch_of_size(2049), headers=headers)
    assert graph_error(response)[:2] == (413, "BadRequest")
    assert httpx.post(url, content=patch_of_size(2048), headers=headers).status_code == 201


def asgi_request(headers: dict[str, str], chunks: list[bytes], pulled: list[int]) -> Request:
    """A Starlette request over the ASGI `receive` seam, recording how many chunks the app pulled."""
    messages: Iterator[bytes] = iter(chunks)

    async def receive() -> dict[str, Any]:
        pulled.append(1)
        chunk = next(messages)
        return {"type": "http.request", "body": chunk, "more_body": len(pulled) < len(chunks)}

    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "PATCH", "path": "/", "headers": raw}, receive)


def refusal(request: Request, limit: int) -> GraphError:
    """What `read_body` raises for `request` (it must refuse it)."""
    with pytest.raises(GraphError) as refused:
        asyncio.run(read_body(request, limit))
    return refused.value


def test_an_over_large_declared_body_is_refused_without_reading_a_byte() -> None:
    pulled: list[int] = []
    request = asgi_request({"Content-Length": str(10**12)}, [b"x" * 1024] * 4, pulled)
    assert refusal(request, limit=1000).status == 413 and pulled == []


def test_a_streamed_body_stops_being_read_at_the_first_chunk_over_the_limit() -> None:
    pulled: list[int] = []
    request = asgi_request({}, [b"x" * 400] * 1000, pulled)  # 400 kB announced by nothing
    assert refusal(request, limit=1000).status == 413
    assert len(pulled) == 3  # 400 + 400 + 400 > 1000: no fourth read


# ------------------------------------------------------------------------------------------------ depth


@pytest.mark.parametrize("depth", [65, 200, 10_000])
def test_json_nested_past_64_levels_is_400_naming_the_limit(adele: httpx.Client, depth: int) -> None:
    # The nesting sits in a property the default mode ignores, so before the limit existed a body of a few
    # hundred levels was accepted, and 10,000 got Python's "maximum recursion depth exceeded" as its message.
    body = f'{{"displayName": "x", "unknownProperty": {nested(depth - 1)}}}'
    status, code, message = graph_error(adele.patch(CERT, content=body.encode(), headers=JSON))
    assert (status, code) == (400, "invalidRequest")
    assert message == f"Unable to read JSON request payload: {TOO_DEEP}"


def test_json_of_exactly_64_levels_is_read(adele: httpx.Client) -> None:
    body = f'{{"displayName": "deep", "unknownProperty": {nested(63)}}}'
    response = adele.patch(CERT, content=body.encode(), headers=JSON)
    assert response.status_code == 200 and response.json()["displayName"] == "deep"


@pytest.mark.parametrize("depth", [65, 10_000])
def test_a_batch_nested_past_64_levels_is_400_as_a_whole(
    adele: httpx.Client, fresh: Emulator, depth: int
) -> None:
    # envelope {, requests [, item {, body {: the item's body is level 4, its unknownProperty's array 5
    item = json.dumps({"id": "1", "method": "PATCH", "url": CERT, "headers": JSON, "body": "BODY"})
    body = f'{{"displayName": "x", "unknownProperty": {nested(depth - 4)}}}'
    envelope = '{"requests": [' + item.replace('"BODY"', body) + "]}"
    status, code, message = graph_error(adele.post("/$batch", content=envelope.encode(), headers=JSON))
    assert (status, code) == (400, "BadRequest")
    assert message == f"Invalid batch payload format: {TOO_DEEP}"
    assert display_name(fresh) == "Cert 01" and fresh.stats()["batch_items"] == 0


def test_the_depth_limit_is_a_knob() -> None:
    with Emulator(seed=SEED, https=False, max_json_depth=3) as emu:
        headers = {"Authorization": f"Bearer {token(emu)}", **JSON}
        with httpx.Client(base_url=emu.graph_url, headers=headers) as client:
            assert client.patch(CERT, json={"unknownProperty": [[1]]}).status_code == 200
            status, _, message = graph_error(client.patch(CERT, json={"unknownProperty": [[[1]]]}))
            assert status == 400 and "nested deeper than 3 levels" in message


@pytest.mark.parametrize(
    ("knob", "value"), [("max_request_bytes", 0), ("max_json_depth", -1), ("max_json_depth", "64")]
)
def test_a_limit_must_be_a_positive_whole_number(knob: str, value: Any) -> None:
    with pytest.raises(ValueError, match=f"{knob} must be a whole number of at least 1, got {value!r}"):
        Emulator(https=False, **{knob: value})
