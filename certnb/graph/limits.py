"""How long a run will take, from Graph's documented limits and the rate a session learned: an honest ETA.

    >>> print(estimate_writes(100_000))
    about 83 minutes for 100,000 updates at this tenant's write limit (20 a second)
    >>> print(estimate_writes(800))
    about 40 seconds for 800 updates at this tenant's write limit (20 a second)
    >>> print(estimate_reads(20_000, requests_per_user=2, tenant_users=20_000))
    about 50 seconds for 20,000 users at this tenant's read limit (800 a second)

Every request is held against several limits at once and the first one reached throttles (contract §8.1), so
the estimate is the slowest of them: the identity write limit per app and tenant (3,000 writes per 150 s =
20 a second), its read limit in resource units (3,500 / 5,000 / 8,000 per 10 s for tenants under 50, up to
500, over 500 users), and Outlook's per-mailbox limit (10,000 requests per 10 minutes a person), which the
profile API may be under (an inference, §8.1). When the session's pacer has learned the rate Graph actually
accepts (certnb/graph/pacing.py: `Graph.pacer.limits()`, items a second), that evidence replaces the
documented limits: none of them is documented for this API, and the one Graph enforces is the one it
answers 429 at. Latency is not counted: the bar's live ETA (commit, load) corrects the estimate as the run
goes. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "MAILBOX_REQUESTS_PER_S",
    "WRITES_PER_S",
    "Estimate",
    "duration_words",
    "estimate_reads",
    "estimate_writes",
    "learned_rate",
    "read_units_per_s",
]

WRITES_PER_S = 3_000 / 150  # identity and access, writes per app+tenant (contract §8.1)
MAILBOX_REQUESTS_PER_S = 10_000 / 600  # Outlook, requests per app and mailbox (§8.1, inferred to apply)


def read_units_per_s(tenant_users: int | None) -> float:
    """Resource units a second an app may spend on one tenant, by its size (contract §8.1).

    >>> read_units_per_s(30), read_units_per_s(200), read_units_per_s(5_000), read_units_per_s(None)
    (350.0, 500.0, 800.0, 350.0)
    """
    if tenant_users is None or tenant_users < 50:
        return 3_500 / 10  # unknown size: the smallest tenant's, so the estimate does not promise too much
    if tenant_users <= 500:
        return 5_000 / 10
    return 8_000 / 10


@dataclass(frozen=True)
class Estimate:
    """`seconds` for `count` `noun` (updates, users), bound by `limit` (its words) at `rate` a second."""

    seconds: float
    count: int
    noun: str
    limit: str
    rate: float

    def __str__(self) -> str:
        noun = self.noun[:-1] if self.count == 1 and self.noun.endswith("s") else self.noun
        return (f"{duration_words(self.seconds)} for {self.count:,} {noun} at {self.limit} "
                f"({_rate_words(self.rate)} a second)")

    def __repr__(self) -> str:
        return f"<Estimate {self}>"


def estimate_writes(
    writes: int, *, reads: int = 0, busiest_person: int = 0, tenant_users: int | None = None,
    learned_rate: float | None = None, noun: str = "updates",
) -> Estimate:
    """How long `writes` requests (PATCH, POST, DELETE) take, with `reads` requests besides (a commit's
    conflict check: a list per person) and at most `busiest_person` requests to one person's profile.

    >>> print(estimate_writes(100, reads=10, learned_rate=4.0))
    about 28 seconds for 100 updates at the rate Graph allowed this session (4 a second)
    >>> print(estimate_writes(30_000, busiest_person=30_000))
    about 30 minutes for 30,000 updates at one person's mailbox limit (17 a second)
    """
    limits = [(writes / WRITES_PER_S, "this tenant's write limit", WRITES_PER_S)]
    units = read_units_per_s(tenant_users)
    limits.append(((writes + reads) / units, "this tenant's read limit", units))
    mailbox = MAILBOX_REQUESTS_PER_S
    limits.append((busiest_person / mailbox, "one person's mailbox limit", mailbox))
    if learned_rate:  # evidence of the limit Graph enforces here
        limits = [((writes + reads) / learned_rate, "the rate Graph allowed this session", learned_rate)]
    seconds, limit, rate = max(limits, key=lambda found: found[0])
    return Estimate(seconds, writes, noun, limit, rate)


def estimate_reads(
    users: int, *, requests_per_user: int = 1, tenant_users: int | None = None,
    learned_rate: float | None = None,
) -> Estimate:
    """How long a load of `users` people takes: `requests_per_user` reads each (a list; two when each person
    is looked up first), every one costing one resource unit (`$select`, `$top`: contract §8.1).

    >>> print(estimate_reads(500, requests_per_user=2, learned_rate=25.0))
    about 40 seconds for 500 users at the rate Graph allowed this session (25 a second)
    """
    requests = users * requests_per_user
    units = read_units_per_s(tenant_users)
    limits = [(requests / units, "this tenant's read limit", units)]
    if learned_rate:  # evidence of the limit Graph enforces here
        limits = [(requests / learned_rate, "the rate Graph allowed this session", learned_rate)]
    seconds, limit, rate = max(limits, key=lambda found: found[0])
    return Estimate(seconds, users, "users", limit, rate)


def duration_words(seconds: float) -> str:
    """A duration as an analyst says it: seconds under a minute, minutes under three hours, then hours.

    >>> duration_words(0.2), duration_words(40.4), duration_words(89), duration_words(4_999)
    ('under a second', 'about 40 seconds', 'about 1 minute', 'about 83 minutes')
    >>> duration_words(5 * 3600)
    'about 5 hours'
    """
    if seconds < 1:
        return "under a second"
    if seconds < 59.5:
        whole = round(seconds)
        return f"about {whole} second{'s' if whole != 1 else ''}"
    if seconds < 3 * 3600:
        minutes = max(1, round(seconds / 60))
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(seconds / 3600, 1)
    return f"about {hours:g} hours"


def _rate_words(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.2g}"


def learned_rate(session: object, kind: Literal["reads", "writes"]) -> float | None:
    """The items a second of `kind` that `session`'s pacer learned from Graph's 429s (`Pacer.limits()`,
    certnb/graph/pacing.py), None before any or for an object without a certnb pacer: the one place an
    estimate reads the pacer.

    >>> learned_rate(object(), "writes") is None
    True
    """
    limits = getattr(getattr(session, "pacer", None), "limits", None)
    rate = limits().get(kind) if callable(limits) else None
    return float(rate) if isinstance(rate, int | float) and rate > 0 else None
