"""Load profile certifications from Graph into the typed frame: me, a list of users, or the whole tenant.

    >>> graph = certnb.connect(emulator=True)                       # doctest: +SKIP
    >>> df = load_certifications(graph, users="all")                # doctest: +SKIP
    >>> load_failures(df)                                           # doctest: +SKIP

Many users are fetched through `$batch` (contract §7; the client packs 20 items a batch and runs batches
concurrently), and every user's list is read to its end, following `@odata.nextLink` (contract §6), again in
batches (`Graph.get_lists`, certnb/graph/listing.py). A user whose certifications cannot be read (unknown
user, 403, retries exhausted, a nextLink that loops or is malformed) is not dropped silently: the frame still
loads, `load_failures(df)` (also `df.attrs["certnb_failures"]`) lists each such user with the status, code,
message and url, and a `PartialLoadWarning` says how many failed.

`profile_sources=True` also reads the tenant's profile sources (`GET /admin/people/profileSources`), so the
frame names connector sources ("Workday (HR connector)") instead of showing their ids (`certnb.frame.owners`).
Reading them needs `PeopleSettings.Read.All`, which an analyst often lacks: when Graph refuses, the load goes
on, sources are shown by id, and a `PartialLoadWarning` says why.

A load of many users (more than 50, or `progress=True`) first says how long it will take at the tenant's
read limit (certnb/graph/limits.py: "about 2 minutes for 60,000 users ..."), then shows a tqdm bar with a
live ETA. Ctrl-C stops it with `LoadInterrupted`, saying how far it got: no frame is made of a part (a
partial frame would audit as if the missing people had no certifications), so load again.
"""

from __future__ import annotations

import gc
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

import pandas as pd

from certnb.errors import GraphError, LoadInterrupted
from certnb.frame.build import build_from_records, join_frames
from certnb.frame.interning import Interner
from certnb.graph.limits import estimate_reads, learned_rate
from certnb.graph.urls import certifications_path, user_path

FAILURES_ATTR = "certnb_failures"
"""The `DataFrame.attrs` key holding the failures table."""

FAILURE_COLUMNS: tuple[str, ...] = ("user", "userId", "status", "code", "message", "url")

USER_SELECT = "id,userPrincipalName,displayName"
PROFILE_SOURCES_PATH = "/admin/people/profileSources"
PROGRESS_THRESHOLD = 50  # users; below this a load is quick enough to need no progress bar


T = TypeVar("T")


class PartialLoadWarning(UserWarning):
    """Some users' certifications could not be loaded; `load_failures(df)` lists them."""


class GraphSession(Protocol):
    """What loading needs from `certnb.graph.client.Graph` (any object with these methods will do)."""

    def me(self) -> dict[str, Any]: ...

    def get_all(self, path: str, params: Any = None) -> list[dict[str, Any]]: ...

    def get_lists(
        self,
        paths: Iterable[str],
        *,
        on_first_pages: Callable[[int], None] | None = None,
        on_items: Callable[[list[Any]], None] | None = None,
    ) -> list[Any]: ...

    def get_each_list(
        self,
        path: str,
        params: Any,
        list_of: Callable[[dict[str, Any]], str],
        each_page: Callable[[list[dict[str, Any]], list[Any]], T],
        *,
        on_first_pages: Callable[[int], None] | None = None,
        on_page: Callable[[int], None] | None = None,
        on_items: Callable[[list[Any]], None] | None = None,
    ) -> list[T]: ...

    def count(self, path: str) -> int | None: ...

    def batch(
        self, requests: Iterable[Any], *, on_answered: Callable[[int], None] | None = None
    ) -> list[Any]: ...


def load_certifications(
    graph: GraphSession,
    users: str | Sequence[str] | None = None,
    *,
    progress: bool | None = None,
    page_size: int | None = None,
    profile_sources: bool = False,
) -> pd.DataFrame:
    """One row per certification of the signed-in user (`None`), of `users` (UPNs or ids), or of `"all"`.

    `progress` shows a tqdm bar (default: when loading more than 50 users); `page_size` asks Graph for that
    many items a page (`$top`); `profile_sources=True` reads the tenant's source names too (module
    docstring). Columns and dtypes: see `certnb.frame.build`.

    >>> df = load_certifications(graph, users=["adele@contoso.example", "8f1c..."])  # doctest: +SKIP
    """
    if page_size is not None and (
        isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1
    ):
        raise ValueError(f"page_size must be a positive whole number; got {page_size!r}")
    params = {"$top": page_size} if page_size else None
    names = _profile_sources(graph) if profile_sources else None
    if users is None or users == "me":
        me = graph.me()
        records = graph.get_all(certifications_path(None), params)
        return _with_failures(_built([(me, records)], names), [])
    if users == "all":
        with _heap_settling() as settle:
            return _with_failures(*_load_tenant(graph, params, progress, names, settle))
    if isinstance(users, str):
        raise ValueError(f"users must be None (me), 'all' or a list of UPNs or ids; got the string {users!r}")
    keys = [str(u) for u in users]
    if any(not k.strip() for k in keys):
        raise ValueError("users contains an empty UPN or id; pass UPNs or object ids")
    targets: list[tuple[str, dict[str, Any] | None]] = [(k, None) for k in dict.fromkeys(keys)]
    show = progress if progress is not None else len(targets) > PROGRESS_THRESHOLD
    with _heap_settling() as settle:
        loaded, failures = _load_many(graph, targets, params, show, settle)
        return _with_failures(_built(loaded, names), failures)


def _profile_sources(graph: GraphSession) -> list[dict[str, Any]] | None:
    """The tenant's profile sources, or None (with a warning) when Graph will not list them."""
    try:
        return graph.get_all(PROFILE_SOURCES_PATH)
    except GraphError as refused:
        why = ("reading their names needs PeopleSettings.Read.All" if refused.status in (401, 403)
               else "this Graph does not list them")
        warnings.warn(
            f"the tenant's profile sources could not be read ({refused.status} {refused.code or ''}"
            f"{', request-id ' + refused.request_id if refused.request_id else ''}); sources are shown by "
            f"id: {why}",
            PartialLoadWarning,
            stacklevel=3,
        )
        return None


def load_failures(frame: pd.DataFrame) -> pd.DataFrame:
    """The users whose certifications could not be loaded into `frame` (`FAILURE_COLUMNS`); empty if none."""
    table = frame.attrs.get(FAILURES_ATTR)
    if isinstance(table, pd.DataFrame):
        return table
    return pd.DataFrame(columns=list(FAILURE_COLUMNS))


def _built(
    loaded: list[tuple[dict[str, Any], list[dict[str, Any]]]], profile_sources: list[dict[str, Any]] | None
) -> pd.DataFrame:
    """The frame of (person, certifications) pairs."""
    records: list[dict[str, Any]] = []
    owners: list[dict[str, Any]] = []
    for user, items in loaded:
        records.extend(items)
        owners.extend([user] * len(items))
    return build_from_records(records, owners, profile_sources=profile_sources)


def _with_failures(frame: pd.DataFrame, failures: list[dict[str, Any]]) -> pd.DataFrame:
    """The frame, its failures table in `attrs` and, when some user failed, the `PartialLoadWarning`."""
    table = pd.DataFrame(failures, columns=list(FAILURE_COLUMNS))
    frame.attrs[FAILURES_ATTR] = table
    if failures:
        names = ", ".join(str(f["user"]) for f in failures[:5]) + (" …" if len(failures) > 5 else "")
        warnings.warn(
            f"{len(failures)} user(s) could not be loaded ({names}); see certnb.frame.load_failures(df)",
            PartialLoadWarning,
            stacklevel=3,
        )
    return frame


def _load_tenant(
    graph: GraphSession, params: dict[str, Any] | None, progress: bool | None,
    profile_sources: list[dict[str, Any]] | None, settle: Callable[[int], None],
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Every user of the tenant and their certifications, as the frame and the failures.

    Each page of users has its lists read while the next page of users comes (`graph.get_each_list`), so
    the throttle budget is spent from the first page on, and its part of the frame is built as soon as its
    lists are in, so the parsed JSON of one page is let go before the next (a whole load's JSON held 1.8 GB
    for 300,000 certifications); the parts are joined at the end (`join_frames`), as one build makes them.
    The users are counted first (`/users/$count`) for the estimate and the bar; a tenant that cannot count
    them gets a bar that grows as the pages come."""
    query = f"?$top={params['$top']}" if params else ""
    counted = graph.count("/users") if progress is not False else None
    show = progress if progress is not None else (counted is None or counted > PROGRESS_THRESHOLD)
    bar = _progress(counted, show, 0, counted, learned_rate(graph, "reads"))

    def more(n: int) -> None:  # a page of users came: the bar's total grows when no count was given
        if bar is not None and counted is None:
            bar.total = (bar.total or 0) + n
            bar.refresh()

    def part(people: list[dict[str, Any]], listings: list[Any]) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        loaded, failures = _gathered([(str(p.get("id")), p, None) for p in people], listings)
        return _built(loaded, profile_sources), failures

    with _interruptible(bar, counted):
        parts = graph.get_each_list(
            "/users", {"$select": USER_SELECT, "$top": 999},
            lambda person: certifications_path(str(person.get("id"))) + query, part,
            on_first_pages=_lists_read(settle, bar), on_page=more, on_items=Interner().records)
    return join_frames([frame for frame, _ in parts]), [f for _, failed in parts for f in failed]


def _load_many(
    graph: GraphSession,
    targets: list[tuple[str, dict[str, Any] | None]],
    params: dict[str, Any] | None,
    show: bool,
    settle: Callable[[int], None],
) -> tuple[list[tuple[dict[str, Any], list[dict[str, Any]]]], list[dict[str, Any]]]:
    """Unknown users' identities in batches, then every list by `graph.get_lists` (first pages, then
    nextLinks, in batches round by round); failures in the order of `targets`."""
    query = f"?$top={params['$top']}" if params else ""
    lookups = sum(1 for _, person in targets if person is None)
    bar = _progress(len(targets), show, lookups, None, learned_rate(graph, "reads"))
    with _interruptible(bar, len(targets)):
        identities = _identify(graph, [key for key, person in targets if person is None], bar)
        people: list[tuple[str, dict[str, Any] | None, Any]] = []
        for key, person in targets:
            identity = identities.get(key)
            if identity is not None and identity.ok:
                person = identity.body if isinstance(identity.body, dict) else {}
            people.append((key, person, identity))
        listings = graph.get_lists(
            [certifications_path(key) + query for key, person, _ in people if person is not None],
            on_first_pages=_lists_read(settle, bar), on_items=Interner().records,
        )
    return _gathered(people, listings)


def _lists_read(settle: Callable[[int], None], bar: Any) -> Callable[[int], None]:
    """What a load does as `n` more lists' first pages come: settle the heap, move the bar (if shown)."""

    def read(n: int) -> None:
        settle(n)
        if bar is not None:
            bar.update(n)

    return read


SETTLE_EVERY = 1000  # lists read between two freezes of the heap (_heap_settling)


@contextmanager
def _heap_settling() -> Iterator[Callable[[int], None]]:
    """While a load piles up its answers: `settle(n)` after `n` more lists, so the garbage collector stops
    walking what is already loaded.

    A load keeps millions of small objects alive until it ends (the parsed certifications, or, for a
    whole tenant, the `sources` lists its frame's parts hold), and every full collection walks all of them
    again: 11 collections took 3 s of a 30-second load of 30,000 people, and stalled a 100,000-person load
    for seconds at a time while Graph's budget went unspent.
    Every `SETTLE_EVERY` lists, `gc.freeze()` moves what exists into the permanent generation, which
    collections skip; at the end (frame built or not) `gc.unfreeze()` hands it back, so nothing stays exempt.
    """
    since = 0

    def settle(n: int) -> None:
        nonlocal since
        since += n
        if since >= SETTLE_EVERY:
            since = 0
            gc.collect(1)  # the young garbage first (the loop's cycles): frozen, it would stay till the end
            gc.freeze()

    try:
        yield settle
    finally:
        gc.unfreeze()


@contextmanager
def _interruptible(bar: Any, total: int | None) -> Iterator[None]:
    """Ctrl-C during a load: `LoadInterrupted` saying how far it got (nothing is kept); the bar closed."""
    try:
        yield
    except KeyboardInterrupt:
        done = 0 if bar is None else int(bar.n)
        if bar is not None:
            bar.set_description("stopped")
        of = f" of {total:,}" if total is not None else ""
        where = f" after {done:,}{of} users" if bar is not None else ""
        raise LoadInterrupted(
            f"Load stopped by an interrupt{where}; nothing was kept (a frame of some people would audit as "
            "if the others had no certifications). Load again to start over.",
            done=done, total=total if total is not None else done) from None
    finally:
        if bar is not None:
            bar.close()


def _gathered(
    people: list[tuple[str, dict[str, Any] | None, Any]], listings: list[Any]
) -> tuple[list[tuple[dict[str, Any], list[dict[str, Any]]]], list[dict[str, Any]]]:
    """(person, certifications) of each person read to the end, and a failure for every other one, in
    order; `listings` belong, in order, to the people found (`person` not None)."""
    lists = iter(listings)
    loaded: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    failures: list[dict[str, Any]] = []
    for key, person, identity in people:
        if person is None:
            failures.append(_failure(key, None, identity))
            continue
        listing = next(lists)
        if not listing.ok:
            # A user whose later page failed is reported, its partial list left out rather than shown whole.
            failures.append(_failure(key, person.get("id"), listing.answer))
            continue
        loaded.append(({k: person.get(k) for k in ("id", "userPrincipalName", "displayName")}, listing.items))
    return loaded, failures


def _identify(graph: GraphSession, keys: list[str], bar: Any) -> dict[str, Any]:
    """The `$batch` answer to `GET /users/{key}?$select=...` of every user given by UPN or id."""
    if not keys:
        return {}
    if bar is not None:
        bar.set_description("looking up users")
    answers = graph.batch(
        [{"method": "GET", "url": f"{user_path(key)}?$select={USER_SELECT}"} for key in keys],
        on_answered=None if bar is None else bar.update,
    )
    if bar is not None:
        bar.reset()
        bar.set_description("loading certifications")
    return dict(zip(keys, answers, strict=True))


def _failure(key: str | None, user_id: Any, answer: Any) -> dict[str, Any]:
    error = getattr(answer, "error", None)
    body: dict[str, Any] = answer.body if isinstance(getattr(answer, "body", None), dict) else {}
    detail: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
    request = getattr(answer, "request", None)
    return {
        "user": key,
        "userId": user_id,
        "status": int(answer.status),
        "code": getattr(error, "code", None) or detail.get("code"),
        "message": getattr(error, "message", None) or detail.get("message") or "",
        "url": getattr(request, "url", None),
    }


def _progress(
    total: int | None, show: bool, lookups: int, tenant_users: int | None, rate: float | None
) -> Any:
    """The bar of a load, after its estimate (a list read per user, and a lookup per user given by name);
    `total` None: the tenant would not count its users, so there is no estimate and the bar grows."""
    if not show:
        return None
    from tqdm.auto import tqdm

    if total is None:
        tqdm.write("Loading every user of the tenant (Graph would not count them, so no estimate)",
                   file=sys.stderr)
        return tqdm(total=0, desc="loading certifications", unit="user")
    requests = 1 + round(lookups / total) if total else 1
    estimate = estimate_reads(total, requests_per_user=requests, tenant_users=tenant_users, learned_rate=rate)
    # On stderr with the bar: what a script prints on stdout stays its own.
    tqdm.write(f"Loading {total:,} user{'s' if total != 1 else ''}: {estimate}", file=sys.stderr)
    return tqdm(total=total, desc="loading certifications", unit="user")
