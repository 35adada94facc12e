"""Reading a Graph request body within Graph's bounds: its size (contract §11.1) and its JSON depth (§11.2).

    read_body(request, limit)   the bytes, or GraphError 413 before more than `limit` bytes are held
    read_json(body, max_depth)  the parsed JSON, or ValueError (callers wrap it in their own 400)

The size is checked on `Content-Length` first, so an over-large declared body is refused without reading it;
a chunked body is counted as it streams in and reading stops at the first chunk that passes the limit. The
HTTP server (uvicorn) discards the unread rest, so the client still reads the 413 on a usable connection.

Depth is checked on the text before it is parsed, so no parser recursion ever sees a body nested deeper
than the limit: 10,000 nested arrays are a 400, never a RecursionError or a 500.

>>> read_json(b'{"inference": {"confidenceScore": 0.5}}', max_depth=64)
{'inference': {'confidenceScore': 0.5}}
>>> read_json(b"[" * 65 + b"]" * 65, max_depth=64)
Traceback (most recent call last):
...
certnb.emulator.payload.TooDeep: the JSON is nested deeper than 64 levels (arrays and objects).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from certnb.emulator.errors import GraphError

MIB = 1024 * 1024
# Contract §11.1: "a limit of 4 MB on the total size of each REST request" (profilephoto-update page).
MAX_REQUEST_BYTES = 4 * MIB
# Contract §11.2: System.Text.Json's default MaxDepth; the personCertification body itself needs 2.
MAX_JSON_DEPTH = 64

# A JSON string (possibly unterminated at the end of the body), or one bracket. Strings are matched whole so
# brackets inside them are not counted; everything else (numbers, literals, punctuation) is skipped.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


class TooDeep(ValueError):
    """A JSON body nested deeper than the emulator's `max_json_depth`."""


def too_large(limit: int) -> GraphError:
    """The 413 a body over `limit` bytes gets (contract §11.1: status 413; code and wording as Graph's)."""
    size = f"{limit // MIB}MB" if limit % MIB == 0 else f"{limit} bytes"
    return GraphError(413, "BadRequest", f"The maximum request length supported is {size}.")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, holding at most `limit` bytes of it; GraphError 413 when it is longer.

    `Content-Length` over the limit is refused before any byte is read; without it (chunked transfer) the
    body is counted as it arrives and reading stops as soon as the count passes the limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def nesting_depth_exceeds(text: str, max_depth: int) -> bool:
    """Whether arrays and objects in the JSON `text` nest deeper than `max_depth` (a top-level `{}` is 1).

    Stops at the first bracket past the limit, so a hostile body costs at most `max_depth + 1` brackets.

    >>> nesting_depth_exceeds('{"a": [{"b": "[[[["}]}', 3), nesting_depth_exceeds('[[[[]]]]', 3)
    (False, True)
    """
    depth = 0
    for token in _TOKEN.finditer(text):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
            if depth > max_depth:
                return True
        elif mark in ("]", "}"):
            depth -= 1
    return False


def read_json(body: bytes, max_depth: int) -> Any:
    """The JSON value of `body`; ValueError for anything Graph could not read or the emulator answer back.

    Refused: invalid JSON, `NaN`/`Infinity` (not JSON), nesting deeper than `max_depth` (`TooDeep`), and
    lone surrogate escapes (`"\\ud800"`): they parse, but no UTF-8 answer could carry them back, so storing
    one would break every later read of it. The encoding is detected as `json.loads` does (UTF-8, -16, -32).
    """
    text = body.decode(json.detect_encoding(body), "surrogatepass")
    if nesting_depth_exceeds(text, max_depth):
        raise TooDeep(f"the JSON is nested deeper than {max_depth} levels (arrays and objects).")
    value = json.loads(text, parse_constant=_reject_constant)
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # UnicodeEncodeError (a ValueError) if unanswerable
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
