"""An identity-platform refusal, rendered the way the Microsoft identity platform writes it (contract §9).

`SignInError` is a `GraphError` (the emulator's one error type), so the tree stays one; only its wire form
differs: the token, device-code and discovery endpoints answer

    {"error": "authorization_pending", "error_description": "AADSTS70016: ... Trace ID: ...",
     "error_codes": [70016], "timestamp": "2026-11-29 01:40:12Z", "trace_id": ..., "correlation_id": ...}
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from certnb.emulator.errors import GraphError


class SignInError(GraphError):
    """A sign-in refusal: OAuth `error`, AADSTS number, description, HTTP status (400 unless said otherwise).

    >>> err = SignInError("invalid_grant", 50126, "Error validating credentials.")
    >>> err.status, err.code, err.aadsts
    (400, 'invalid_grant', 50126)
    """

    def __init__(self, error: str, aadsts: int, description: str, status: int = 400) -> None:
        super().__init__(status, error, f"AADSTS{aadsts}: {description}")
        self.aadsts = aadsts

    def body(self, correlation_id: str) -> dict[str, Any]:
        """The JSON error body, with a fresh trace id and the caller's correlation id echoed."""
        trace_id = str(uuid.uuid4())
        now = dt.datetime.now(dt.UTC)
        timestamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
        # The identity platform repeats trace, correlation and time inside the description; MSAL shows it.
        description = (
            f"{self.message} Trace ID: {trace_id} Correlation ID: {correlation_id} "
            f"Timestamp: {now.strftime('%Y-%m-%d %H:%M:%S')}Z"
        )
        return {
            "error": self.code,
            "error_description": description,
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.aadsts}",
        }


def missing_parameter(name: str) -> SignInError:
    """The identity platform's answer to a form without a required parameter."""
    return SignInError(
        "invalid_request", 900144, f"The request body must contain the following parameter: '{name}'."
    )
