"""Graph's error answers (contract §3) and the network failures that give no answer at all.

>>> graph_error(429, {}, method="GET", url="u").__class__.__name__
'ThrottledError'
"""

from __future__ import annotations

from typing import Any

from certnb.errors.base import CertnbError

__all__ = [
    "AuthenticationError",
    "GraphError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "ThrottledError",
    "graph_error",
]

# What to do next, per status, when Graph's own message does not say (profile endpoints often answer
# `UnknownError` with an empty message, contract §3).
_HINTS = {
    400: "Graph refused the request as malformed: check dates (YYYY-MM-DD), enum members and query options.",
    401: "The access token was refused; sign in again with certnb.connect(...).",
    403: "The signed-in account lacks a permission for this operation.",
    404: "The user or certification does not exist (or is not visible to the signed-in account).",
    409: "The item changed concurrently; re-read it and try again.",
    413: "The request body is over Graph's 4 MB limit (contract §11.1): shorten the runaway value.",
    424: "A request this one depended on (dependsOn) failed first.",
    429: "Graph is throttling; wait for Retry-After and retry, or lower max_concurrency.",
    500: "Graph had an internal error; retry later.",
    502: "Graph's gateway failed; retry later.",
    503: "Graph is temporarily unavailable; retry later.",
    504: "Graph's gateway timed out; retry later.",
}

class GraphError(CertnbError):
    """Graph answered with an error status (contract §3); branch on `status` and `code`, not on `message`.

    >>> err = GraphError(400, "UnknownError", "", method="PATCH", url="https://g.example/beta/me",
    ...                  request_id="r1")
    >>> "PATCH https://g.example/beta/me" in str(err) and "request-id r1" in str(err)
    True
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        method: str = "",
        url: str = "",
        request_id: str | None = None,
        client_request_id: str | None = None,
        retry_after: float | None = None,
        may_have_applied: bool = False,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.method = method
        self.url = url
        self.request_id = request_id
        self.client_request_id = client_request_id
        self.retry_after = retry_after
        self.may_have_applied = may_have_applied
        super().__init__(self._describe())

    def hint(self) -> str:
        """What to do next, from the status (used when Graph's message is empty)."""
        return _HINTS.get(self.status, "")

    def _describe(self) -> str:
        where = f" on {self.method} {self.url}".rstrip() if self.method or self.url else ""
        text = f"{self.status} {self.code}{where}: {self.message or '(Graph gave no message)'}"
        if self.request_id:
            text += f" [request-id {self.request_id}]"
        if self.may_have_applied:
            text += " The change may have been applied anyway: re-read before retrying."
        hint = self.hint()
        if hint and (not self.message or self.code == "UnknownError"):
            text += f" Hint: {hint}"
        return text


class ThrottledError(GraphError):
    """429: Graph kept throttling past the allowed attempts, or throttled a write (see `may_have_applied`)."""


class NotFoundError(GraphError):
    """404: the user or certification does not exist."""


class PermissionDeniedError(GraphError):
    """403: the token lacks a delegated scope; `required_scope` says which one the operation needs.

    >>> err = PermissionDeniedError(403, "Authorization_RequestDenied", "Insufficient privileges.",
    ...                             required_scope="User.ReadWrite", granted_scopes=("User.Read",))
    >>> err.required_scope
    'User.ReadWrite'
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        required_scope: str | None = None,
        granted_scopes: tuple[str, ...] = (),
        **context: Any,
    ) -> None:
        self.required_scope = required_scope
        self.granted_scopes = granted_scopes
        super().__init__(status, code, message, **context)

    def hint(self) -> str:
        if not self.required_scope:
            return _HINTS[403]
        granted = ", ".join(self.granted_scopes) or "unknown"
        return (
            f"This operation needs the delegated scope {self.required_scope} (granted: {granted}); "
            f"reconnect asking for it, e.g. certnb.connect(..., scopes=[{self.required_scope!r}])."
        )

    def _describe(self) -> str:
        # The scope advice is the point of this error: always show it, whatever Graph's message says.
        text = super()._describe()
        return text if "Hint:" in text else f"{text} Hint: {self.hint()}"


class AuthenticationError(GraphError):
    """401: Graph refused the access token even after a refresh."""


# What to try, per `NetworkError.cause`; every message then adds the three ways round (_NETWORK_TAIL).
_NETWORK_HINTS = {
    "dns": "check the host name and this machine's network",
    "refused": "check the host and port, and that the server (or the emulator) is running",
    "tls": "check the host; if a proxy inspects TLS, trust its certificate authority "
    "(REQUESTS_CA_BUNDLE for the sign-in, SSL_CERT_FILE for Graph)",
    "proxy": "check HTTPS_PROXY (the proxy's address) and NO_PROXY (hosts reached directly)",
    "timeout": "allow longer with timeout= (seconds per exchange), or check the network and the proxy",
    "dropped": "retry; if it keeps failing, check the network and the proxy",
}
_NETWORK_TAIL = (
    "behind a proxy set HTTPS_PROXY (and NO_PROXY for hosts reached directly)",
    "for a national cloud pass cloud='usgov', 'usgov-dod' or 'china'",
    "to work offline use certnb.connect(emulator=True)",
)


class NetworkError(GraphError):
    """No HTTP answer from Graph or the sign-in host (`status` 0): `host` could not be reached, and `cause`
    says why — `dns`, `refused`, `tls`, `proxy`, `timeout` or `dropped`; `message` says it in words.

    >>> err = NetworkError(host="login.example.invalid", cause="dns", message="DNS: name not found")
    >>> print(err)   # doctest: +ELLIPSIS
    cannot reach login.example.invalid: DNS: name not found. Try: check the host name ...; to work offline \
use certnb.connect(emulator=True).
    """

    def __init__(
        self,
        status: int = 0,
        code: str = "networkError",
        message: str = "",
        *,
        host: str = "",
        cause: str = "dropped",
        proxy: str | None = None,
        **context: Any,
    ) -> None:
        self.host = host
        self.cause = cause
        self.proxy = proxy  # the proxy in the way (no user or password), None when direct
        super().__init__(status, code, message, **context)

    def hint(self) -> str:
        tail = [t for t in _NETWORK_TAIL if not (self.cause == "proxy" and "HTTPS_PROXY" in t)]
        return "; ".join([_NETWORK_HINTS.get(self.cause, _NETWORK_HINTS["dropped"]), *tail])

    def _describe(self) -> str:
        request = " ".join(part for part in (self.method, self.url) if part)
        where = f" ({request})" if request else ""
        text = f"cannot reach {self.host or 'the server'}{where}: {self.message or 'no answer'}."
        if self.may_have_applied:
            text += " The change may have been applied anyway: re-read before retrying."
        return f"{text} Try: {self.hint()}."

def graph_error(
    status: int,
    body: Any,
    *,
    method: str,
    url: str,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> GraphError:
    """The `GraphError` subclass for an error answer: status, Graph's error body (contract §3) and headers.

    >>> graph_error(404, {"error": {"code": "itemNotFound", "message": ""}}, method="GET", url="u").code
    'itemNotFound'
    """
    found = body.get("error") if isinstance(body, dict) else None
    error: dict[str, Any] = found if isinstance(found, dict) else {}
    inner_found = error.get("innerError")
    inner: dict[str, Any] = inner_found if isinstance(inner_found, dict) else {}
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    context.setdefault("request_id", inner.get("request-id") or lowered.get("request-id"))
    context.setdefault(
        "client_request_id", inner.get("client-request-id") or lowered.get("client-request-id")
    )
    code = str(error.get("code") or "UnknownError")
    message = str(error.get("message") or "")
    kind: type[GraphError] = {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        429: ThrottledError,
    }.get(status, GraphError)
    return kind(status, code, message, method=method, url=url, **context)
