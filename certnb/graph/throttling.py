"""Which throttle scope a call counts against, and which one a 429 came from (contract §8.1).

Graph stacks several limits; a 429 says which one refused when it can:

    x-ms-throttle-scope `<Scope>/Write/…`, or      → "writes"     (identity-and-access write limits)
      x-ms-throttle-information WriteLimitExceeded
    error code ApplicationThrottled, "…MailboxConcurrency…"  → "concurrency" of the person's mailbox
    error code ApplicationThrottled, anything else  → "mailbox"    (Outlook's per-mailbox request limit)
    anything else (ReadWrite, resource units, none)  → "requests"   (every call of the session)

A call's mailbox is the person whose profile it addresses: `/me/...` is "me", `/users/{id or UPN}/...` that
key, case-folded (a person addressed both ways counts as two; certnb addresses each person one way).

>>> mailbox_of("https://graph.microsoft.com/beta/users/Adele%40contoso.com/profile/certifications")
'adele@contoso.com'
>>> scope_of_429({"x-ms-throttle-scope": "Tenant_Application/Write/app/tenant"}, None)
'writes'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

__all__ = ["MAILBOX_CONCURRENCY", "Spend", "mailbox_of", "scope_of_429"]

Scope429 = Literal["requests", "writes", "mailbox", "concurrency"]
MAILBOX_CONCURRENCY = 4  # contract §8.1: Outlook serves at most 4 requests at once per app and mailbox
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def mailbox_of(url: str) -> str | None:
    """The mailbox (person) a Graph URL addresses — "me", or an id or UPN case-folded — else None.

    >>> mailbox_of("/me/profile/certifications/1"), mailbox_of("/users('$ops@x.org')/profile")
    ('me', '$ops@x.org')
    >>> mailbox_of("/users") is None
    True
    """
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    parts = [p for p in path.split("/") if p]
    for index, part in enumerate(parts):
        lowered = part.lower()
        if lowered == "me":
            return "me"
        if lowered == "users":
            return unquote(parts[index + 1]).casefold() if index + 1 < len(parts) else None
        if lowered.startswith("users('") and lowered.endswith("')"):
            return unquote(part[7:-2]).replace("''", "'").casefold()
    return None


def scope_of_429(headers: Mapping[str, str], body: Any) -> Scope429:
    """The scope a 429 belongs to, from its headers and error body (see the table above)."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("code") == "ApplicationThrottled":
        return "concurrency" if "concurrency" in str(error.get("message", "")).lower() else "mailbox"
    limit = lowered.get("x-ms-throttle-scope", "").split("/")
    if len(limit) > 1 and limit[1].lower() == "write":
        return "writes"
    if lowered.get("x-ms-throttle-information", "").lower() == "writelimitexceeded":
        return "writes"
    return "requests"


@dataclass(frozen=True)
class Spend:
    """What a set of calls spends: items in all, how many are writes, how many per mailbox.

    >>> Spend.of([("PATCH", "/users/a/profile/certifications/1"), ("GET", "/users/A/profile/certifications")])
    Spend(items=2, writes=1, mailboxes={'a': 2})
    """

    items: int = 1
    writes: int = 0
    mailboxes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, calls: Iterable[tuple[str, str]]) -> Spend:
        """The spend of (method, url) pairs."""
        items = writes = 0
        mailboxes: Counter[str] = Counter()
        for method, url in calls:
            items += 1
            writes += method.upper() not in _READS
            mailbox = mailbox_of(url)
            if mailbox is not None:
                mailboxes[mailbox] += 1
        return cls(items, writes, dict(mailboxes))

    def slots(self) -> dict[str, int]:
        """Concurrency slots per mailbox while these calls are in flight: Outlook runs at most 4 of one
        `$batch`'s items for a mailbox at once (contract §8.1), so a batch holds at most 4 of them."""
        return {mailbox: min(MAILBOX_CONCURRENCY, n) for mailbox, n in self.mailboxes.items()}
