"""Load profile certifications from Graph into the typed frame: me, a list of users, or the whole tenant.

    >>> graph = certnb.connect(emulator=True)                       # doctest: +SKIP
    >>> df = load_certifications(graph, users="all")                # doctest: +SKIP
    >>> load_failures(df)                                           # doctest: +SKIP

Many users are fetched through `$batch` (contract §7; the client packs 20 items a batch and runs batches
concurrently), and every user's list is read to its end, following `@odata.nextLink` (contract §6), again in
batches. A user whose certifications cannot be read (unknown user, 403, retries exhausted) is not dropped
silently: the frame still loads, `load_failures(df)` (also `df.attrs["certnb_failures"]`) lists each such
user with the status, code and message, and a `PartialLoadWarning` says how many failed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import pandas as pd

from certnb.errors import GraphError
from certnb.frame.build import build_from_records
from certnb.graph.urls import certifications_path, user_path

FAILURES_ATTR = "certnb_failures"
"""The `DataFrame.attrs` key holding the failures table."""

FAILURE_COLUMNS: tuple[str, ...] = ("user", "userId", "status", "code", "message", "url")

USER_SELECT = "id,userPrincipalName,displayName"
PROGRESS_THRESHOLD = 50  # users; below this a load is quick enough to need no progress bar
_CHUNK = 200  # batch items handed to the client at a time, so the progress bar moves


class PartialLoadWarning(UserWarning):
    """Some users' certifications could not be loaded; `load_failures(df)` lists them."""


class GraphSession(Protocol):
    """What loading needs from `certnb.graph.client.Graph` (any object with these methods will do)."""

    @property
    def base_url(self) -> str: ...

    def me(self) -> dict[str, Any]: ...

    def get(self, path: str, params: Any = None) -> Any: ...

    def get_all(self, path: str, params: Any = None) -> list[dict[str, Any]]: ...

    def batch(self, requests: Iterable[Any]) -> list[Any]: ...


def load_certifications(
    graph: GraphSession,
    users: str | Sequence[str] | None = None,
    *,
    progress: bool | None = None,
    page_size: int | None = None,
) -> pd.DataFrame:
    """One row per certification of the signed-in user (`None`), of `users` (UPNs or ids), or of `"all"`.

    `progress` shows a tqdm bar (default: when loading more than 50 users); `page_size` asks Graph for that
    many items a page (`$top`). Columns and dtypes: see `certnb.frame.build`.

    >>> df = load_certifications(graph, users=["adele@contoso.example", "8f1c..."])  # doctest: +SKIP
    """
    if page_size is not None and (
        isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1
    ):
        raise ValueError(f"page_size must be a positive whole number; got {page_size!r}")
    params = {"$top": page_size} if page_size else None
    if users is None or users == "me":
        me = graph.me()
        records = graph.get_all(certifications_path(None), params)
        return _frame([(me, records)], [])
    if users == "all":
        people = graph.get_all("/users", {"$select": USER_SELECT, "$top": 999})
        targets: list[tuple[str, dict[str, Any] | None]] = [(str(p.get("id")), p) for p in people]
    elif isinstance(users, str):
        raise ValueError(f"users must be None (me), 'all' or a list of UPNs or ids; got the string {users!r}")
    else:
        keys = [str(u) for u in users]
        if any(not k.strip() for k in keys):
            raise ValueError("users contains an empty UPN or id; pass UPNs or object ids")
        targets = [(k, None) for k in dict.fromkeys(keys)]
    show = progress if progress is not None else len(targets) > PROGRESS_THRESHOLD
    loaded, failures = _load_many(graph, targets, params, show)
    return _frame(loaded, failures)


def load_failures(frame: pd.DataFrame) -> pd.DataFrame:
    """The users whose certifications could not be loaded into `frame` (`FAILURE_COLUMNS`); empty if none."""
    table = frame.attrs.get(FAILURES_ATTR)
    if isinstance(table, pd.DataFrame):
        return table
    return pd.DataFrame(columns=list(FAILURE_COLUMNS))


def _frame(
    loaded: list[tuple[dict[str, Any], list[dict[str, Any]]]], failures: list[dict[str, Any]]
) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    owners: list[dict[str, Any]] = []
    for user, items in loaded:
        records.extend(items)
        owners.extend([user] * len(items))
    frame = build_from_records(records, owners)
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


def _load_many(
    graph: GraphSession,
    targets: list[tuple[str, dict[str, Any] | None]],
    params: dict[str, Any] | None,
    show: bool,
) -> tuple[list[tuple[dict[str, Any], list[dict[str, Any]]]], list[dict[str, Any]]]:
    """First pages (and unknown users' identities) in batches, then nextLinks in batches, round by round."""
    query = f"?$top={params['$top']}" if params else ""
    requests: list[dict[str, Any]] = []
    for key, person in targets:
        requests.append({"method": "GET", "url": certifications_path(key) + query})
        if person is None:
            requests.append({"method": "GET", "url": f"{user_path(key)}?$select={USER_SELECT}"})
    bar = _progress(len(targets), show)
    try:
        answers = _run(graph, requests, bar, per_user=1 if all(p for _, p in targets) else 2)
    finally:
        if bar is not None:
            bar.close()
    loaded: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    failures: list[dict[str, Any]] = []
    pending: dict[int, str] = {}  # position in `loaded` → nextLink to follow
    position = 0
    for key, person in targets:
        page = answers[position]
        position += 1
        if person is None:
            identity = answers[position]
            position += 1
            if not identity.ok:
                failures.append(_failure(key, None, identity))
                continue
            person = identity.body
        assert person is not None
        if not page.ok:
            failures.append(_failure(key, person.get("id"), page))
            continue
        body = page.body if isinstance(page.body, dict) else {}
        loaded.append(
            (
                {k: person.get(k) for k in ("id", "userPrincipalName", "displayName")},
                list(body.get("value") or []),
            )
        )
        if body.get("@odata.nextLink"):
            pending[len(loaded) - 1] = body["@odata.nextLink"]
    _follow(graph, pending, loaded, failures)
    return loaded, failures


def _follow(
    graph: GraphSession,
    pending: dict[int, str],
    loaded: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    failures: list[dict[str, Any]],
) -> None:
    """Follow every user's nextLinks, one batch round per page depth (contract §6: links are opaque)."""
    base = graph.base_url.rstrip("/")
    seen: set[str] = set()
    failed: set[int] = set()
    while pending:
        if seen.intersection(pending.values()):
            raise GraphError(
                0,
                "nextLinkLoop",
                "the server repeated a nextLink already followed",
                method="GET",
                url=next(iter(seen.intersection(pending.values()))),
            )
        seen.update(pending.values())
        order = list(pending)
        relative = [pending[i][len(base) :] if pending[i].startswith(base + "/") else None for i in order]
        batched = [(i, url) for i, url in zip(order, relative, strict=True) if url is not None]
        answers = dict(
            zip(
                [i for i, _ in batched],
                graph.batch([{"method": "GET", "url": url} for _, url in batched]) if batched else [],
                strict=True,
            )
        )
        following: dict[int, str] = {}
        for i in order:
            if i in answers:
                answer = answers[i]
                if not answer.ok:
                    user = loaded[i][0]
                    failures.append(
                        _failure(user.get("userPrincipalName") or user.get("id"), user.get("id"), answer)
                    )
                    failed.add(i)
                    continue
                body = answer.body if isinstance(answer.body, dict) else {}
            else:  # a nextLink to another host cannot go in a batch: fetch it alone, verbatim
                body = graph.get(pending[i])
            loaded[i][1].extend(body.get("value") or [])
            if body.get("@odata.nextLink"):
                following[i] = body["@odata.nextLink"]
        pending = following
    # A user whose later page failed is reported, and its partial list removed rather than shown as whole.
    for i in sorted(failed, reverse=True):
        del loaded[i]


def _run(graph: GraphSession, requests: list[dict[str, Any]], bar: Any, per_user: int) -> list[Any]:
    answers: list[Any] = []
    step = _CHUNK - _CHUNK % per_user
    for start in range(0, len(requests), step):
        chunk = requests[start : start + step]
        answers.extend(graph.batch(chunk))
        if bar is not None:
            bar.update(len(chunk) // per_user)
    return answers


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


def _progress(total: int, show: bool) -> Any:
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="loading certifications", unit="user")
