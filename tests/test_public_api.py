"""The notebook-facing surface of `certnb` is declared, sorted and pinned: changing it is a decision."""

from __future__ import annotations

import subprocess
import sys

import certnb

PUBLIC = [
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


def test_all_is_pinned_and_sorted() -> None:
    assert certnb.__all__ == PUBLIC
    assert sorted(certnb.__all__, key=lambda n: (not n[0].isupper(), n)) == certnb.__all__


def test_every_public_name_resolves() -> None:
    for name in certnb.__all__:
        assert getattr(certnb, name) is not None, name


def test_import_registers_the_accessor_but_loads_no_server_or_http_stack() -> None:
    probe = (
        "import sys, certnb, pandas as pd; "
        "print(hasattr(pd.DataFrame, 'certs'), "
        "sorted(m for m in ('httpx', 'msal', 'starlette', 'uvicorn', 'matplotlib', 'openpyxl', 'trustme', "
        "'duckdb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True []"
