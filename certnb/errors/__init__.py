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
     │    ├── SignInDeclined        the user declined the sign-in
     │    └── SignInRequired        a headless run found no usable cached sign-in (none, or it lapsed)
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
     ├── SnapshotError              an audit snapshot store cannot be used as asked: names it (`path`)
     ├── Unreadable                 a spreadsheet cell that cannot be read as its column's type
     └── ValidationError            an edit breaks a rule: names person, certification, field label, value
          │                         and rule (`person`, `certification`, `field`, `label`, `value`, `rule`)
          └── EditsRefused          a staging call refused as a whole: `.problems`, one per (row, field)

    KeyboardInterrupt               (Python's: Ctrl-C and "interrupt kernel" stay interrupts, never an
     └── RunInterrupted              `Exception` an `except Exception` could swallow)
          ├── CommitInterrupted     a commit stopped: outcomes received are journaled; the resume command
          └── LoadInterrupted       a load stopped: how far it got; load again

Messages never contain a token or secret. A `GraphError` for a write carries `may_have_applied`: after a
429, a 5xx or a lost connection the change may have been made anyway (contract §8); re-read before retrying.

>>> try:
...     raise NotFoundError(404, "itemNotFound", "", method="GET", url="https://graph.example/beta/users/x")
... except GraphError as err:
...     print(err.status, err.code)
404 itemNotFound

The tree lives in a module per branch (base, graph, signin, config, journal, snapshot, validation); every
class says `certnb.errors` as its module, so reprs, pickles and `except certnb.errors.X` read as they always
did.
"""

from __future__ import annotations

from certnb.errors.base import CertnbError
from certnb.errors.config import ConfigError
from certnb.errors.graph import (
    AuthenticationError,
    GraphError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
    graph_error,
)
from certnb.errors.interrupt import CommitInterrupted, LoadInterrupted, RunInterrupted
from certnb.errors.journal import (
    JournalDamaged,
    JournalError,
    JournalFolderMissing,
    JournalInUse,
    JournalIsDirectory,
    JournalLocked,
    JournalNotEmpty,
    JournalTenantMismatch,
    NotAJournal,
)
from certnb.errors.signin import (
    AppOnlyNotSupported,
    SignInCancelled,
    SignInDeclined,
    SignInError,
    SignInExpired,
    SignInRequired,
)
from certnb.errors.snapshot import SnapshotError
from certnb.errors.validation import EditsRefused, FrameRefused, Unreadable, ValidationError

__all__ = [
    "AppOnlyNotSupported",
    "AuthenticationError",
    "CertnbError",
    "CommitInterrupted",
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
    "LoadInterrupted",
    "NetworkError",
    "NotAJournal",
    "NotFoundError",
    "PermissionDeniedError",
    "RunInterrupted",
    "SignInCancelled",
    "SignInDeclined",
    "SignInError",
    "SignInExpired",
    "SignInRequired",
    "SnapshotError",
    "ThrottledError",
    "Unreadable",
    "ValidationError",
    "graph_error",
]

for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__  # one tree, one module name: reprs and pickles say certnb.errors.X
del _name, _obj
