"""certnb: audit and bulk-correct Microsoft Graph profile certifications from Jupyter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from certnb.errors import (
    AppOnlyNotSupported,
    AuthenticationError,
    CertnbError,
    CommitInterrupted,
    ConfigError,
    EditsRefused,
    FrameRefused,
    GraphError,
    JournalDamaged,
    JournalError,
    JournalFolderMissing,
    JournalInUse,
    JournalIsDirectory,
    JournalLocked,
    JournalNotEmpty,
    JournalTenantMismatch,
    LoadInterrupted,
    NetworkError,
    NotAJournal,
    NotFoundError,
    PermissionDeniedError,
    RunInterrupted,
    SignInCancelled,
    SignInDeclined,
    SignInError,
    SignInExpired,
    SignInRequired,
    SnapshotError,
    ThrottledError,
    Unreadable,
    ValidationError,
)

# Importing certnb.frame registers the `df.certs` accessor.
from certnb.frame import (
    PartialLoadWarning,
    audit,
    build_frame,
    load_failures,
    read_edits,
    read_sheet,
    to_csv,
    to_excel,
    write_tables,
)

# `certnb.history` is the function below, not the package: `from certnb.history import ...` still works.
from certnb.history import History, history, snapshot
from certnb.reconcile import Reconciliation, reconcile
from certnb.reports import report
from certnb.session import connect
from certnb.staging import OwnedValueWarning, Staged, stage

if TYPE_CHECKING:
    from certnb.commit.audit_log import AuditLog
    from certnb.commit.audit_log import open_audit_log as audit_log
    from certnb.emulator.server import Emulator
    from certnb.graph.client import Graph
    from certnb.session.session import Session

__version__ = "0.1.0"

__all__ = [
    "AppOnlyNotSupported",
    "AuditLog",
    "AuthenticationError",
    "CertnbError",
    "CommitInterrupted",
    "ConfigError",
    "EditsRefused",
    "Emulator",
    "FrameRefused",
    "Graph",
    "GraphError",
    "History",
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
    "OwnedValueWarning",
    "PartialLoadWarning",
    "PermissionDeniedError",
    "Reconciliation",
    "RunInterrupted",
    "Session",
    "SignInCancelled",
    "SignInDeclined",
    "SignInError",
    "SignInExpired",
    "SignInRequired",
    "SnapshotError",
    "Staged",
    "ThrottledError",
    "Unreadable",
    "ValidationError",
    "audit",
    "audit_log",
    "build_frame",
    "connect",
    "history",
    "load_failures",
    "read_edits",
    "read_sheet",
    "reconcile",
    "report",
    "snapshot",
    "stage",
    "to_csv",
    "to_excel",
    "write_tables",
]


def __getattr__(name: str) -> Any:
    # `Graph`, `Session` and `Emulator` load on first use (httpx; starlette, uvicorn): `import certnb` must
    # stay light.
    if name in ("AuditLog", "audit_log"):  # the commit package loads httpx: on first use too
        from certnb.commit import audit_log as module

        return module.AuditLog if name == "AuditLog" else module.open_audit_log
    if name == "Graph":
        from certnb.graph.client import Graph

        return Graph
    if name == "Session":
        from certnb.session.session import Session

        return Session
    if name == "Emulator":
        from certnb.emulator.server import Emulator

        return Emulator
    if name == "widgets":  # `certnb.widgets.editor(...)` without loading ipywidgets on `import certnb`
        import certnb.widgets

        return certnb.widgets
    raise AttributeError(f"module 'certnb' has no attribute {name!r}")
