"""What a journal says about itself: what it holds (`JournalSummary`) and whom it belongs to (`JournalOwner`).

    >>> owner = JournalOwner("t1", "https://graph.microsoft.com/beta", "adele@contoso.example")
    >>> owner.admits("t1", "https://graph.microsoft.com/beta"), owner.admits("t1", "https://graph.microsoft.us/beta")
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["JournalOwner", "JournalSummary"]


@dataclass(frozen=True)
class JournalOwner:
    """Where a journal was first committed: the tenant id, the Graph root, the account, and when."""

    tenant_id: str | None
    graph_root: str
    account: str | None = None
    since: str = ""

    def admits(self, tenant_id: str | None, graph_root: str) -> bool:
        """True when a session of `tenant_id` at `graph_root` may commit the journal (unknown tenants match).

        >>> JournalOwner("t1", "https://graph.microsoft.com/beta").admits("t2", "https://graph.microsoft.com/beta")
        False
        """
        same_tenant = self.tenant_id is None or tenant_id is None or self.tenant_id == tenant_id
        return same_tenant and self.graph_root == graph_root


@dataclass(frozen=True)
class JournalSummary:
    """What a journal holds: staged edits, `pending` (not yet on the server), `applied`, and of the pending
    ones those a commit already tried, `failed` (its latest outcome: failed, conflict, missing or rejected).

    >>> print(JournalSummary(24, 3, 21, 1, "2026-11-30T09:12:01.000000Z"))  # doctest: +NORMALIZE_WHITESPACE
    24 staged edits (21 applied, 3 pending, 1 of them failed in an earlier commit),
    last written 2026-11-30 09:12:01 UTC
    """

    edits: int
    pending: int
    applied: int
    failed: int
    last_written: str

    def __str__(self) -> str:
        parts = [f"{self.applied} applied", f"{self.pending} pending"]
        if self.failed:
            parts.append(f"{self.failed} of them failed in an earlier commit")
        written = self.last_written[:19].replace("T", " ") + " UTC" if self.last_written else "never"
        return (f"{self.edits} staged edit{'s' if self.edits != 1 else ''} ({', '.join(parts)}), "
                f"last written {written}")
