"""certnb: audit and bulk-correct Microsoft Graph profile certifications from Jupyter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from certnb.connect import connect
from certnb.errors import (
    AppOnlyNotSupported,
    AuthenticationError,
    CertnbError,
    ConfigError,
    GraphError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    SignInCancelled,
    SignInDeclined,
    SignInError,
    SignInExpired,
    ThrottledError,
    ValidationError,
)

if TYPE_CHECKING:
    from certnb.graph.client import Graph

__version__ = "0.1.0"

__all__ = [
    "AppOnlyNotSupported",
    "AuthenticationError",
    "CertnbError",
    "ConfigError",
    "Graph",
    "GraphError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "SignInCancelled",
    "SignInDeclined",
    "SignInError",
    "SignInExpired",
    "ThrottledError",
    "ValidationError",
    "connect",
]


def __getattr__(name: str) -> Any:
    # `Graph` loads on first use: it imports httpx, and `import certnb` must stay light.
    if name == "Graph":
        from certnb.graph.client import Graph

        return Graph
    raise AttributeError(f"module 'certnb' has no attribute {name!r}")
