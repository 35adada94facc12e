"""The emulator's one error type: a Graph error answer (contract §3).

Everything the emulator refuses is raised as `GraphError` and rendered by `error_body`, so no route ever
answers with a traceback or a bare 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class GraphError(Exception):
    """A Graph error answer: HTTP status, Graph `code`, human `message`, optional extra headers."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_body(code: str, message: str, request_id: str, client_request_id: str) -> dict[str, Any]:
    """Graph's error envelope, `innerError.date` without a zone as Graph writes it (contract §3)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "request-id": request_id,
                "client-request-id": client_request_id,
                "date": now,
            },
        }
    }


def bad_query(message: str) -> GraphError:
    """The 400 for a query option (contract §3: `invalidRequest`)."""
    return GraphError(400, "invalidRequest", message)
