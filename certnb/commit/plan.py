"""The commit plan: staged edits → the exact PATCH requests a commit will send. Pure: no client, no I/O.

One PATCH per certification, by object id (`/users/{userId}/profile/certifications/{id}`, segments
percent-encoded, contract §1), with a minimal body: only the changed properties, in schema order, in Graph's
wire forms (dates `"YYYY-MM-DD"`, audiences `"contacts,organization"`, `null` to clear; contract §2: "send
only what changed"). `inference` is one object on the wire and a PATCH replaces it whole, so editing one of
its members sends both, the other at its loaded value.

    >>> from certnb.staging.edit import WRITABLE_FIELDS, Edit, RowSnapshot
    >>> rows = {("u1", "c1"): RowSnapshot("u1", "c1", "a@x", "A", "AZ-104", {"endDate": "2026-12-31"})}
    >>> plan = plan_commit([Edit("u1", "c1", "endDate", "2026-12-31", "2027-12-31", 1)], rows)
    >>> print(plan)
    PATCH https://graph.microsoft.com/beta/users/u1/profile/certifications/c1
    Content-Type: application/json
    <BLANKLINE>
    {"endDate":"2027-12-31"}

A staged create is one POST to the person's list with every field it sets (no `null`s: an empty field is not
sent) and a staged delete one DELETE without a body; a DELETE's `expected` holds every loaded value, so the
runner skips it as `conflict` when the certification changed since the load.

The plan is a dry run: printing it shows what a commit would send, and nothing is sent; `plan(staged)` plans
a staged set's pending edits (those its journal does not record as done), exactly what `commit` sends. Each
`PlannedPatch` carries `expected`, the loaded value of every property its body sets, so the runner can
re-read the certification and detect a conflict (Graph has no ETag for profile items, contract §2).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from certnb.clouds import GLOBAL
from certnb.commit.plan_report import plan_html, plan_text
from certnb.graph.limits import Estimate, estimate_writes
from certnb.graph.urls import certifications_path
from certnb.schema import FIELDS
from certnb.staging.change_words import ChangeSentence, describe_changes
from certnb.staging.edit import WRITABLE_FIELDS, Edit, RowSnapshot
from certnb.staging.operations import CREATE, DELETE, loaded_values

if TYPE_CHECKING:
    from certnb.staging.staged import Staged

__all__ = ["CommitPlan", "PlannedPatch", "plan", "plan_commit"]

CONTENT_TYPE = {"Content-Type": "application/json"}

# Writable columns grouped by top-level property, in schema order: {"endDate": ("endDate",), "inference":
# ("inference.confidenceScore", "inference.userHasVerifiedAccuracy"), ...}
_PROPERTY_COLUMNS: dict[str, tuple[str, ...]] = {}
for _f in FIELDS:
    if _f.writable:
        _PROPERTY_COLUMNS[_f.json] = (*_PROPERTY_COLUMNS.get(_f.json, ()), _f.column)
_PROPERTY_OF: dict[str, str] = {c: prop for prop, columns in _PROPERTY_COLUMNS.items() for c in columns}
_RANK: dict[str, int] = {name: rank for rank, name in enumerate([*_PROPERTY_COLUMNS, *_PROPERTY_OF])}
_SHOWN = 20  # requests spelled out by repr / _repr_html_
ESTIMATE_THRESHOLD = 100  # requests; a smaller plan is committed in seconds and says nothing of time


def compact_json(body: Any) -> bytes:
    """The exact bytes sent: compact JSON, UTF-8, key order kept.

    >>> compact_json({"displayName": "Zoë", "endDate": None})
    b'{"displayName":"Zo\\xc3\\xab","endDate":null}'
    """
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class PlannedPatch:
    """One PATCH of one certification: where, what body, and which staged edits it carries.

    `path` is relative to the version root (for `$batch`), `url` absolute. `expected` maps every column
    the body sets to its loaded value (for conflict detection).
    """

    user_id: str
    cert_id: str
    url: str
    path: str
    body: dict[str, Any] | None
    edits: tuple[Edit, ...]
    expected: dict[str, Any] = field(default_factory=dict)
    method: str = "PATCH"

    @property
    def headers(self) -> dict[str, str]:
        """The request headers the plan fixes (the runner adds authorization); a DELETE has no body."""
        return {} if self.body is None else dict(CONTENT_TYPE)

    @property
    def content(self) -> bytes:
        """The body exactly as sent (empty for a DELETE)."""
        return b"" if self.body is None else compact_json(self.body)

    @property
    def sent(self) -> dict[str, Any]:
        """The wire values a POST creates with, by frame column (`inference.confidenceScore`)."""
        return {e.field: e.after for e in self.edits if e.field != CREATE and e.after is not None}

    def to_batch_request(self, request_id: str) -> dict[str, Any]:
        """This request as one `$batch` item (contract §7: relative url, Content-Type with a body)."""
        item: dict[str, Any] = {"id": request_id, "method": self.method, "url": self.path}
        if self.body is not None:
            item.update(headers=self.headers, body=self.body)
        return item

    def __str__(self) -> str:
        if self.body is None:
            return f"{self.method} {self.url}"
        return f"{self.method} {self.url}\nContent-Type: application/json\n\n{self.content.decode('utf-8')}"


@dataclass(frozen=True)
class CommitPlan:
    """The PATCH requests a commit will send, in staging order (see the module docstring).

    `len(plan)` counts requests; iterating yields `PlannedPatch`es; `edits` counts what they carry;
    `sentences` says what they change in words. `rows` holds the loaded certifications the plan names
    (person, title), for its display.
    """

    requests: tuple[PlannedPatch, ...]
    base_url: str
    rows: Mapping[tuple[str, str], RowSnapshot] = field(default_factory=dict, repr=False, compare=False)
    # items a second Graph allowed the session that planned it (its pacer's), for the estimate
    learned_rate: float | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.requests)

    def __iter__(self) -> Iterator[PlannedPatch]:
        return iter(self.requests)

    @property
    def edits(self) -> tuple[Edit, ...]:
        """Every edit the plan carries."""
        return tuple(e for r in self.requests for e in r.edits)

    @property
    def sentences(self) -> list[ChangeSentence]:
        """What the plan changes, in words ("2 certifications of 2 people: Expires cleared")."""
        return describe_changes(self.edits)

    def to_batch_requests(self) -> list[dict[str, Any]]:
        """Every request as a `$batch` item, ids `"1"`, `"2"`, … in plan order (for `Graph.batch`, which packs
        them 20 to a batch: certnb/graph/batch.py)."""
        return [r.to_batch_request(str(n)) for n, r in enumerate(self.requests, start=1)]

    @property
    def methods(self) -> dict[str, int]:
        """Requests by method, in the order POST, PATCH, DELETE: {"POST": 2, "PATCH": 5}."""
        counts = {m: sum(1 for r in self.requests if r.method == m) for m in ("POST", "PATCH", "DELETE")}
        return {m: n for m, n in counts.items() if n}

    def estimate(self, learned_rate: float | None = None) -> Estimate:
        """How long committing it takes at Graph's documented limits, or the rate the session learned
        (certnb/graph/limits.py): its writes, a list read per person, the busiest person's writes.

        >>> print(plan_commit([], {}).estimate())
        under a second for 0 updates at this tenant's write limit (20 a second)
        """
        people = Counter(r.user_id for r in self.requests)
        busiest = max(people.values(), default=0)
        return estimate_writes(len(self.requests), reads=len(people), busiest_person=busiest,
                               tenant_users=len(people) or None,
                               learned_rate=learned_rate or self.learned_rate)

    def _summary(self) -> str:
        count, edits = len(self.requests), len(self.edits)
        methods = self.methods
        if set(methods) <= {"PATCH"}:
            what = f"{count} PATCH request{'s' if count != 1 else ''}"
        else:
            what = f"{count} request{'s' if count != 1 else ''} (" + ", ".join(
                f"{n} {m}" for m, n in methods.items()) + ")"
        carrying = f"carrying {edits} edit{'s' if edits != 1 else ''}"
        summary = f"Commit plan (dry run, nothing sent): {what} {carrying}"
        # A plan of more requests than a commit shows a bar for says how long it will take.
        return f"{summary}; {self.estimate()}" if count > ESTIMATE_THRESHOLD else summary

    def _shown(self) -> list[tuple[str, str, str]]:
        return [(r.method, r.url, r.content.decode("utf-8")) for r in self.requests[:_SHOWN]]

    def __str__(self) -> str:
        return "\n\n".join(str(r) for r in self.requests)

    def __repr__(self) -> str:
        return plan_text(self._summary(), self.edits, self._shown(), len(self))

    def _repr_html_(self) -> str:
        return plan_html(self._summary(), self.edits, self.rows, self._shown(), len(self))


def plan_commit(
    edits: Iterable[Edit],
    rows: Mapping[tuple[str, str], RowSnapshot],
    *,
    base_url: str | None = None,
    done: Iterable[int] = (),
    created: Mapping[tuple[str, str], str] | None = None,
) -> CommitPlan:
    """One minimal request per certification for `edits` (those whose `seq` is in `done` are left out): a
    PATCH, or the POST of a staged create, or the DELETE of a staged delete.

    `rows` gives each certification's loaded values (needed for `inference`, which is sent whole, and for a
    DELETE's conflict check); `base_url` is the Graph version root, default the global cloud's
    `https://graph.microsoft.com/beta`; `created` maps the local id of a create already made to the id Graph
    gave it, so an edit staged on it afterwards patches the real certification.
    """
    root = (base_url or GLOBAL.graph_url).rstrip("/")
    skip = set(done)
    grouped: dict[tuple[str, str], dict[str, Edit]] = {}
    for edit in edits:
        if edit.seq in skip:
            continue
        if edit.field not in _PROPERTY_OF and edit.field not in (CREATE, DELETE):
            raise ValueError(f"{edit.field!r} is not a writable certification field; cannot plan {edit}")
        grouped.setdefault(edit.row_key, {})[edit.field] = edit
    requests = []
    for (user_id, cert_id), by_field in grouped.items():
        row = rows.get((user_id, cert_id))
        if DELETE in by_field:
            requests.append(_delete(root, user_id, cert_id, by_field[DELETE], row))
            continue
        creating = by_field.pop(CREATE, None)
        body: dict[str, Any] = {}
        expected: dict[str, Any] = {}
        for prop in sorted({_PROPERTY_OF[c] for c in by_field}, key=_RANK.__getitem__):
            columns = _PROPERTY_COLUMNS[prop]
            if len(columns) == 1:
                body[prop] = by_field[columns[0]].after
                expected[columns[0]] = by_field[columns[0]].before
                continue
            members: dict[str, Any] = {}
            for column in columns:
                member = by_field.get(column)
                if member is not None:
                    before, after = member.before, member.after
                elif row is not None:
                    before = after = row.value(column)
                else:
                    raise KeyError(f"plan needs the loaded values of certification {cert_id!r} of {user_id}")
                members[column.split(".", 1)[1]] = after
                expected[column] = before
            body[prop] = members if any(v is not None for v in members.values()) else None
        carried = tuple(sorted(by_field.values(), key=lambda e: _RANK[e.field]))
        if creating is not None:
            path = certifications_path(user_id)
            sent = {prop: value for prop, value in body.items() if value is not None}
            requests.append(PlannedPatch(user_id, cert_id, root + path, path, sent, (creating, *carried),
                                         method="POST"))
            continue
        path = certifications_path(user_id, (created or {}).get((user_id, cert_id), cert_id))
        requests.append(PlannedPatch(user_id, cert_id, root + path, path, body, carried, expected))
    return CommitPlan(tuple(requests), root, {key: rows[key] for key in grouped if key in rows})


def _delete(root: str, user_id: str, cert_id: str, edit: Edit, row: RowSnapshot | None) -> PlannedPatch:
    """The DELETE of a certification; `expected` holds every loaded value (for the conflict check)."""
    loaded = dict(row.loaded) if row is not None and row.loaded else loaded_values(edit.before)
    expected = {column: loaded.get(column) for column in WRITABLE_FIELDS}
    path = certifications_path(user_id, cert_id)
    return PlannedPatch(user_id, cert_id, root + path, path, None, (edit,), expected, method="DELETE")


def plan(staged: Staged, *, base_url: str | None = None) -> CommitPlan:
    """The commit plan of `staged` (the dry run; sends nothing): one minimal PATCH per certification with
    pending edits. `base_url` is the Graph version root (default `https://graph.microsoft.com/beta`).

    >>> from certnb.staging.staged import stage
    >>> plan(stage(None))
    Commit plan (dry run, nothing sent): 0 PATCH requests carrying 0 edits
    """
    created = {(edit.user_id, edit.cert_id): given[2] for edit in staged.edits if edit.field == CREATE
               and (given := staged.journal.sends().get(edit.seq)) is not None and given[2] is not None}
    return plan_commit(staged.pending(), staged.rows, base_url=base_url, created=created)
