"""certnb's one exception tree: catch `CertnbError` for everything certnb raises on purpose.

    CertnbError
     ├── GraphError                 Graph answered an error (status, code, message, request-id, method, url)
     │    ├── ThrottledError        429 TooManyRequests, retries exhausted (or a write, never retried blindly)
     │    ├── NotFoundError         404: unknown user or certification
     │    ├── PermissionDeniedError 403: names the delegated scope the operation lacks
     │    ├── AuthenticationError   401: the token was refused even after one refresh
     │    └── NetworkError          no HTTP answer from Graph or the sign-in host: DNS, refused, TLS,
     │                              proxy, timeout or a dropped connection (status 0; `host`, `cause`)
     ├── SignInError                the sign-in did not complete
     │    ├── SignInCancelled       interrupted (Ctrl-C, "interrupt kernel")
     │    ├── SignInExpired         nobody approved the device code in time
     │    └── SignInDeclined        the user declined the sign-in
     ├── AppOnlyNotSupported        client secret, certificate or app-only token: refused (contract §4)
     ├── ConfigError                a setting has a bad value: names the key and the value
     ├── JournalError               a staging journal cannot be used as asked: names the file (`path`)
     │    ├── JournalIsDirectory    the journal path is a folder
     │    ├── JournalFolderMissing  the folder the journal would go in does not exist
     │    ├── NotAJournal           a SQLite database of something else: left untouched
     │    ├── JournalDamaged        not readable as SQLite (garbage, truncated, overwritten): left untouched
     │    ├── JournalLocked         another program holds a lock on the file
     │    ├── JournalInUse          another process is committing from it (its commit lease: pid, host)
     │    ├── JournalNotEmpty       stage(df, journal=...) on a journal holding edits: resume, or start anew
     │    └── JournalTenantMismatch committed before through another tenant or Graph root
     ├── FrameRefused               stage(df) on a frame not as load made it (dtypes, repeated labels)
     ├── Unreadable                 a spreadsheet cell that cannot be read as its column's type
     └── ValidationError            an edit breaks a rule: names row, field, value and rule
          └── EditsRefused          a staging call refused as a whole: `.problems`, one per (row, field)

Messages never contain a token or secret. A `GraphError` for a write carries `may_have_applied`: after a
429, a 5xx or a lost connection the change may have been made anyway (contract §8); re-read before retrying.

>>> try:
...     raise NotFoundError(404, "itemNotFound", "", method="GET", url="https://graph.example/beta/users/x")
... except GraphError as err:
...     print(err.status, err.code)
404 itemNotFound
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "AppOnlyNotSupported",
    "AuthenticationError",
    "CertnbError",
    "ConfigError",
    "EditsRefused",
    "FrameRefused",
    "GraphError",
    "JournalDamaged",
    "JournalError",
    "JournalFolderMissing",
    "JournalInUse",
    "JournalIsDirectory",
    "JournalLocked",
    "JournalNotEmpty",
    "JournalTenantMismatch",
    "NetworkError",
    "NotAJournal",
    "NotFoundError",
    "PermissionDeniedError",
    "SignInCancelled",
    "SignInDeclined",
    "SignInError",
    "SignInExpired",
    "ThrottledError",
    "Unreadable",
    "ValidationError",
    "graph_error",
]

# What to do next, per status, when Graph's own message does not say (profile endpoints often answer
# `UnknownError` with an empty message, contract §3).
_MESSAGE_PROBLEMS = 50  # problems spelled out in an EditsRefused message; all are in `.problems`

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


class CertnbError(Exception):
    """Base of every error certnb raises on purpose."""


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


class SignInError(CertnbError):
    """The sign-in did not complete; the message says why and what to try."""


class SignInCancelled(SignInError):
    """The sign-in was interrupted (KeyboardInterrupt, "interrupt kernel")."""


class SignInExpired(SignInError):
    """Nobody approved the device code before it (or certnb's wait) expired."""


class SignInDeclined(SignInError):
    """The user declined the sign-in request."""


class AppOnlyNotSupported(CertnbError):
    """App-only sign-in (client secret, certificate, `roles` token) was asked for; Graph refuses it (§4)."""


class ConfigError(CertnbError):
    """A setting has a bad value; `key` and `value` name it, `source` says where it came from.

    >>> print(ConfigError("cloud", "mars", "one of global, usgov, usgov-dod, china", source="CERTNB_CLOUD"))
    CERTNB_CLOUD: bad value 'mars' for 'cloud': expected one of global, usgov, usgov-dod, china
    """

    def __init__(self, key: str, value: object, expected: str, *, source: str = "argument") -> None:
        self.key = key
        self.value = value
        self.expected = expected
        self.source = source
        super().__init__(f"{source}: bad value {value!r} for {key!r}: expected {expected}")


class JournalError(CertnbError):
    """A staging journal cannot be used as asked; `path` names the file and the message says what to do."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(message)


class JournalIsDirectory(JournalError):
    """The journal path is a folder, not a file.

    >>> print(JournalIsDirectory("fixes"))
    journal fixes is a folder, not a file: pass journal= a file name, e.g. fixes/edits.journal
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, f"journal {path} is a folder, not a file: pass journal= a file name, e.g. "
                               f"{path.rstrip('/')}/edits.journal")


class JournalFolderMissing(JournalError):
    """The folder the journal would be created in does not exist (certnb creates no folders)."""

    def __init__(self, path: str, folder: str) -> None:
        self.folder = folder
        super().__init__(path, f"journal {path}: the folder {folder} does not exist (or is not a folder); "
                               "create it first, or pass journal= a file in an existing folder")


class NotAJournal(JournalError):
    """A SQLite database of something else (no certnb journal marker, other tables): left untouched."""

    def __init__(self, path: str, tables: tuple[str, ...]) -> None:
        self.tables = tables
        shown = ", ".join(tables[:8]) + (", …" if len(tables) > 8 else "")
        super().__init__(path, f"{path} is a SQLite database of something else (tables: {shown}), not "
                               "a certnb staging journal; certnb left it untouched. Pass journal= a new file "
                               "name (e.g. edits.journal) to start a journal")


class JournalDamaged(JournalError):
    """The file cannot be read as SQLite (garbage bytes, truncated, overwritten); `reason` says what."""

    def __init__(self, path: str, reason: str) -> None:
        self.reason = reason
        super().__init__(path, f"journal {path} cannot be read: {reason}. It is damaged, or not a certnb "
                               "staging journal at all; certnb left it untouched. Restore it from a backup, "
                               "or pass journal= a new file name (what was committed is in "
                               "<journal>.audit.jsonl)")


class JournalLocked(JournalError):
    """Another program holds a lock on the journal file (e.g. a database browser, or a stuck process)."""

    def __init__(self, path: str, waited: float) -> None:
        self.waited = waited
        super().__init__(path, f"journal {path} is locked by another program (waited {waited:g} s): close "
                               "whatever holds it open for writing (a database browser, another notebook's "
                               "long-running call), then try again")


class JournalInUse(JournalError):
    """Another process holds the journal's commit lease: `pid`, `host`, `since` name it (staging/lease.py).

    >>> print(JournalInUse("a.journal", 4242, "lab-7", "2026-11-30T09:00:00Z"))  # doctest: +ELLIPSIS
    journal a.journal is being committed by process 4242 on lab-7 since 2026-11-30T09:00:00Z: ...
    """

    def __init__(self, path: str, pid: int, host: str, since: str, *, lost: bool = False) -> None:
        self.pid = pid
        self.host = host
        self.since = since
        self.lost = lost
        if lost:
            text = (f"journal {path}: this commit lost its lease to process {pid} on {host} (since {since}) "
                    "and stopped before sending more; let that commit finish, then commit again to resume")
        else:
            text = (f"journal {path} is being committed by process {pid} on {host} since {since}: nothing "
                    "was sent. Wait for that commit to end (or stop it), then commit again: it resumes where "
                    "the other left off. A lease left by a process that died is taken over by itself")
        super().__init__(path, text)


class JournalNotEmpty(JournalError):
    """`certnb.stage(df, journal=path)` on a journal that already holds edits; `held` says what it holds."""

    def __init__(self, path: str, held: str) -> None:
        self.held = held
        super().__init__(path, f"journal {path} already holds {held}. To continue it, pass resume=True "
                               "(certnb.stage(df, journal=..., resume=True)) or use "
                               "certnb.Staged.open(path, df); to start afresh, pass another journal path")


class JournalTenantMismatch(JournalError):
    """The journal was committed through another tenant or Graph root; nothing was sent.

    `recorded` and `session` are (tenant id, Graph root) pairs: the journal's and this session's.
    """

    def __init__(self, path: str, recorded: tuple[str | None, str], session: tuple[str | None, str],
                 account: str | None = None) -> None:
        self.recorded = recorded
        self.session = session
        by = f", signed in as {account}" if account else ""
        super().__init__(path, f"journal {path} belongs to tenant {recorded[0] or '(unknown)'} at "
                               f"{recorded[1]} (first committed there{by}); this session is tenant "
                               f"{session[0] or '(unknown)'} at {session[1]}: nothing was sent. Connect to "
                               "the tenant and Graph root the journal belongs to, or stage the edits in a "
                               "new journal")


class ValidationError(CertnbError):
    """An edit breaks a rule; names the row, field, value and rule.

    >>> print(ValidationError(row=3, field="endDate", value="2020-13-01", rule="a date YYYY-MM-DD"))
    row 3, field 'endDate': value '2020-13-01' breaks the rule: a date YYYY-MM-DD
    """

    def __init__(self, *, row: object, field: str, value: object, rule: str) -> None:
        self.row = row
        self.field = field
        self.value = value
        self.rule = rule
        super().__init__(f"row {row}, field {field!r}: value {_shown(value)} breaks the rule: {rule}")


class EditsRefused(ValidationError):
    """A staging call was refused as a whole: nothing was staged and nothing journaled.

    `problems` holds one `ValidationError` per refused (row, field), each naming the row, field, value and
    rule; `row`, `field`, `value` and `rule` of the error itself are those of the first problem.

    >>> err = EditsRefused([ValidationError(row=3, field="endDate", value="2027-02-30", rule="no such day")])
    >>> len(err.problems), err.field
    (1, 'endDate')
    """

    def __init__(self, problems: Iterable[ValidationError]) -> None:
        self.problems: tuple[ValidationError, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("EditsRefused needs at least one problem")
        first = self.problems[0]
        super().__init__(row=first.row, field=first.field, value=first.value, rule=first.rule)
        self.args = (self._describe(),)

    def _describe(self) -> str:
        count = len(self.problems)
        lines = [
            f"{count} edit{'s' if count != 1 else ''} refused; the whole call was refused, nothing was "
            "staged. Fix these and run the call again:"
        ]
        lines += [f"  {problem}" for problem in self.problems[:_MESSAGE_PROBLEMS]]
        if count > _MESSAGE_PROBLEMS:
            lines.append(f"  ... and {count - _MESSAGE_PROBLEMS} more (see .problems or .table())")
        return "\n".join(lines)

    def table(self) -> Any:
        """The problems as a DataFrame: row, field, value, rule (one line per refused edit)."""
        import pandas as pd  # only when asked: errors.py is imported by everything

        return pd.DataFrame(
            [(p.row, p.field, p.value, p.rule) for p in self.problems],
            columns=["row", "field", "value", "rule"],
            dtype=object,
        )


class FrameRefused(CertnbError):
    """`stage` (or `Staged.open`) was given a frame it cannot stage edits on; the message names the columns or
    labels at fault, what was expected, and what to do."""


class Unreadable(CertnbError, ValueError):
    """A spreadsheet cell that cannot be read as its column's type; the message says why and what to write
    instead. (Also a `ValueError`, as it was before it joined the tree.)"""


def _shown(value: object, limit: int = 200) -> str:
    """`repr(value)`, cut to `limit` characters: a pasted 1 MB cell must not flood the notebook's output."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters in all)"


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
