"""The runner of one commit: reads, conflict checks, writes and settles, chunk by chunk (what run.py describes
in its steps 1-5). run.py is its shell: the lease, the tenant check, the bar, what a stop says.

    >>> runner = Runner(graph, OutcomeRecorder(journal, audit=None), max_attempts=8)   # doctest: +SKIP
    >>> runner.run(plan(staged))                                                      # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from time import sleep
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from certnb.commit.outcome import Outcome
from certnb.commit.permission import needs_reread, not_permitted
from certnb.commit.plan import CommitPlan, PlannedPatch
from certnb.commit.record import utc_now
from certnb.commit.recording import OutcomeRecorder
from certnb.commit.verdict import Verdict, find_created, verdict
from certnb.graph.batch import MAX_BATCH, BatchRequest, BatchResponse
from certnb.graph.urls import certifications_path
from certnb.staging.edit import WRITABLE_FIELDS
from certnb.staging.operations import CREATE, MATCH_FIELDS, ROW_OPERATIONS

if TYPE_CHECKING:
    from certnb.graph.client import Graph

__all__ = ["MAX_THROTTLED_RESENDS", "Runner"]

# A certification throttled this often in one commit is left `failed`; committing again resumes it.
MAX_THROTTLED_RESENDS = 20
_Key = tuple[str, str]
_ALL_PROPERTIES = tuple(dict.fromkeys(column.split(".")[0] for column in WRITABLE_FIELDS))


class Runner:
    """One commit run: reads, PATCHes and records, chunk by chunk."""

    def __init__(self, graph: Graph, recorder: OutcomeRecorder, max_attempts: int,
                 loaded_ids: set[str] | None = None) -> None:
        self.graph = graph
        self.journal = recorder.journal
        self.recorder = recorder
        self.attempts = recorder.attempts  # attempt numbers as journaled: counted across commits
        self.max_attempts = max_attempts
        self.sent: dict[str, int] = {}  # PATCHes per certification in this commit (bounded by max_attempts)
        self.throttled: dict[str, int] = {}  # 429-answered, not-applied PATCHes per certification
        # POSTs and DELETEs that went out (this commit or one before): (method, first sent, id Graph gave)
        self.sends = self.journal.sends()
        self.listed: dict[str, list[dict[str, Any]]] = {}  # the people's lists as last read
        # Ids no create may claim: loaded ones, and those other creates were given.
        self.taken = set(loaded_ids or ()) | {new_id for _, _, new_id in self.sends.values() if new_id}
        # Outcomes are recorded after each chunk of this many PATCHes: enough batches to keep every
        # concurrent slot busy, few enough that a crash loses little (and resume re-checks those anyway).
        self.chunk = MAX_BATCH * max(1, graph.max_concurrency) * 2

    def run(self, planned: CommitPlan) -> None:
        # A user's certifications travel together, so each chunk re-reads a user's list once (one list per
        # user, issue 5), whatever order the edits were staged in.
        first_seen: dict[str, int] = {}
        patches = sorted(planned, key=lambda p: first_seen.setdefault(p.user_id, len(first_seen)))
        self._await_in_flight(patches)
        self.recorder.total = len(planned.edits)
        # The calls ahead, a list read per person and a write per patch, so the pacer stops probing only
        # near the end of the commit, not of each chunk.
        with self.graph.pacer.planned(len(patches) + len(first_seen)) as calls:
            for start in range(0, len(patches), self.chunk):
                chunk = patches[start:start + self.chunk]
                self._run_chunk(chunk)
                calls.done(len(chunk) + len({p.user_id for p in chunk}))

    def _run_chunk(self, chunk: list[PlannedPatch]) -> None:
        """One chunk: its people's lists read, each patch's verdict recorded, what is to send sent."""
        current, unread = self._read_lists(chunk)
        to_send = []
        for patch in chunk:
            if patch.path in unread:
                response = unread[patch.path]
                self._record(patch, Outcome.FAILED, response)
                continue
            if patch.method == "POST":
                if not self._found_created(patch, current, None, "created by an earlier commit whose "
                                           "answer was lost; not sent again"):
                    to_send.append(patch)
                continue
            found = current.get((patch.user_id, patch.cert_id))
            name, why = verdict(patch, found)
            if name is Verdict.SEND:
                to_send.append(patch)
            elif name is Verdict.ALREADY_APPLIED and patch.method == "DELETE" and self._was_sent(patch):
                self._record(patch, Outcome.APPLIED, message="deleted by an earlier commit whose answer "
                             "was lost")
            else:
                self._record(patch, name.outcome, message=why)
        self._flush()
        self._send(to_send)

    # -- reads --------------------------------------------------------------------------------------------
    def _read_lists(
        self, patches: Sequence[PlannedPatch]
    ) -> tuple[dict[_Key, dict[str, Any]], dict[str, BatchResponse]]:
        """Current values of the patches' certifications, one list per user; plus unreadable ones.

        The lists are read by `Graph.get_lists` (first pages and nextLinks through `$batch`, one loop guard):
        a user whose list cannot be read to its end leaves its edits `failed`, naming why.
        """
        users = list(dict.fromkeys(p.user_id for p in patches))
        query = _select_query(patches) + "&$top=999"
        self.listed = {user: [] for user in users}
        with self._patient_reads():
            listings = self.graph.get_lists(f"{certifications_path(u)}?{query}" for u in users)
        current: dict[_Key, dict[str, Any]] = {}
        failed: dict[str, BatchResponse] = {}
        for user, listing in zip(users, listings, strict=True):
            if listing.missing:
                continue  # the user is gone, and every certification with it
            if listing.answer is not None:
                failed[user] = listing.answer
                continue
            for item in listing.items:
                current[(user, str(item.get("id")))] = item
                self.listed[user].append(item)
        # A POST's path is its person's list, shared by the person's other POSTs: key failures by user.
        return current, {p.path: failed[p.user_id] for p in patches if p.user_id in failed}

    def _read_each(self, patches: Sequence[PlannedPatch]) -> list[BatchResponse]:
        """Each patch's certification, re-read on its own (after a write whose fate is unknown)."""
        requests = [BatchRequest("GET", f"{p.path}?{_select_query([p])}", id=str(n))
                    for n, p in enumerate(patches)]
        if not requests:
            return []
        with self._patient_reads():
            return self.graph.batch(requests)

    @contextmanager
    def _patient_reads(self) -> Iterator[None]:
        """Reads tried as often as writes (`max_attempts`, 8 by default, over the session's 5): a read that
        gives up leaves its edits `failed` though nothing is wrong with them (5 transient failures in a row
        happen, at a 15 % fault rate, once in 13,000 reads)."""
        session = self.graph.max_attempts
        self.graph.max_attempts = max(session, self.max_attempts)
        try:
            yield
        finally:
            self.graph.max_attempts = session

    # -- writes -------------------------------------------------------------------------------------------
    def _send(self, patches: list[PlannedPatch]) -> None:
        while patches:
            self.journal.confirm_lease()  # a commit whose lease was taken over (lease.py) sends nothing more
            for patch in patches:
                self.sent[_slot(patch)] = self.sent.get(_slot(patch), 0) + 1
                for edit in patch.edits:
                    self.attempts[edit.seq] = self.attempts.get(edit.seq, 0) + 1
            self._note_sends(patches)  # durable before they go out: a lost answer is looked for, not resent
            requests = [BatchRequest(p.method, p.path, body=p.body, id=str(n)) for n, p in enumerate(patches)]
            uncertain: list[tuple[PlannedPatch, BatchResponse]] = []
            disguised: list[tuple[PlannedPatch, BatchResponse]] = []
            for patch, response in zip(patches, self.graph.batch(requests), strict=True):
                code = response.error.code if response.error is not None else None
                if response.ok:
                    self._record(patch, Outcome.APPLIED, response, new_id=_given_id(patch, response))
                elif not_permitted(response.status, code):
                    self._record(patch, Outcome.NOT_PERMITTED, response)  # before may_have_applied: no retry
                elif needs_reread(response.status, code) and patch.method != "POST":
                    disguised.append((patch, response))
                elif response.may_have_applied:
                    uncertain.append((patch, response))
                elif response.status == 404 and patch.method == "DELETE":
                    self._record(patch, Outcome.ALREADY_APPLIED, response, message="already gone from Graph")
                elif response.status == 404:
                    self._record(patch, Outcome.MISSING, response)
                elif 400 <= response.status < 500:
                    self._record(patch, Outcome.REJECTED, response)
                else:
                    self._record(patch, Outcome.FAILED, response)
            self._flush()  # before the re-reads: what is known is on disk before anything else is sent
            self._settle_disguised(disguised)
            patches = self._settle(uncertain)
            self._flush()

    def _settle_disguised(self, answered: list[tuple[PlannedPatch, BatchResponse]]) -> None:
        """Writes answered 404 UnknownError: `not_permitted` if the certification is still there (a refusal
        in disguise, permission.py), else gone as a 404 says."""
        reads = self._read_each([p for p, _ in answered])
        for (patch, response), read in zip(answered, reads, strict=True):
            if read.ok:
                self._record(patch, Outcome.NOT_PERMITTED, response, message=(
                    f"answered {response.status} {response.error.code if response.error else ''} but the "
                    "certification is still there: the tenant refused the write"))
            elif read.status == 404 and patch.method == "DELETE":
                self._record(patch, Outcome.ALREADY_APPLIED, response, message="already gone from Graph")
            elif read.status == 404:
                self._record(patch, Outcome.MISSING, response)
            else:
                self._record(patch, Outcome.FAILED, response, message=f"could not re-read it: {read.error}")

    def _settle(self, uncertain: list[tuple[PlannedPatch, BatchResponse]]) -> list[PlannedPatch]:
        """Re-read writes answered 429/5xx/no answer: applied, conflict, missing, or to send again."""
        again = []
        posts = [(p, r) for p, r in uncertain if p.method == "POST"]
        uncertain = [(p, r) for p, r in uncertain if p.method != "POST"]
        if posts:
            again += self._settle_posts(posts)
        reads = self._read_each([p for p, _ in uncertain])
        for (patch, response), read in zip(uncertain, reads, strict=True):
            if read.status == 404 and patch.method == "DELETE":
                self._record(patch, Outcome.APPLIED, response,
                             message=f"answered {response.status} but it is gone from Graph: deleted")
                continue
            if read.status == 404:
                self._record(patch, Outcome.MISSING, response, message="gone when re-read after the write")
                continue
            if not read.ok:
                self._record(patch, Outcome.FAILED, response, message=f"could not re-read it: {read.error}")
                continue
            name, why = verdict(patch, read.body if isinstance(read.body, dict) else {})
            if name is Verdict.ALREADY_APPLIED:
                # The write landed although the answer said otherwise (contract §8): it was applied.
                self._record(patch, Outcome.APPLIED, response,
                             message=f"answered {response.status} but the server holds the new values")
            elif name is Verdict.SEND:
                self._again(patch, response, again)
            else:
                self._record(patch, name.outcome, response, message=why)
        return again

    def _settle_posts(self, uncertain: list[tuple[PlannedPatch, BatchResponse]]) -> list[PlannedPatch]:
        """Re-list the people of POSTs answered 429/5xx/not at all: each create found is applied (with the
        id Graph gave it), each not found is sent again (never blindly: it was looked for first)."""
        again: list[PlannedPatch] = []
        current, unread = self._read_lists([p for p, _ in uncertain])
        for patch, response in uncertain:
            if patch.path in unread:
                self._record(patch, Outcome.FAILED, response,
                             message=f"could not re-read the list: {unread[patch.path].error}")
            elif not self._found_created(patch, current, response,
                                         f"answered {response.status} but Graph holds it: not sent again"):
                self._again(patch, response, again)
        return again

    def _again(self, patch: PlannedPatch, response: BatchResponse, again: list[PlannedPatch]) -> None:
        """A write found not applied after a doubtful answer: sent again, or `failed` when out of attempts."""
        if response.status == 429 and self._may_resend_throttled(patch):
            # Throttled and not applied: the server refused it for now, which is no failed attempt.
            self.sent[_slot(patch)] -= 1
            again.append(patch)
        elif self.sent[_slot(patch)] < self.max_attempts:
            again.append(patch)
        else:
            self._record(patch, Outcome.FAILED, response)

    def _found_created(self, patch: PlannedPatch, current: Mapping[_Key, dict[str, Any]],
                       response: BatchResponse | None, message: str) -> bool:
        """Record a POST `applied` if the certification it sends is in its person's list (see run.py);
        only a POST that went out before is looked for (a first one is simply sent)."""
        sent = self.sends.get(_create_seq(patch))
        if sent is None:
            return False
        items = self.listed.get(patch.user_id, [])
        found = find_created(patch, items, self.taken, sent[1])
        if found is None:
            return False
        self.taken.add(found)
        self._record(patch, Outcome.APPLIED, response, message=message, new_id=found)
        return True

    def _await_in_flight(self, patches: Sequence[PlannedPatch]) -> None:
        """Before looking for what an earlier, killed commit sent: a write it had in flight may still land
        until the session's `timeout` after it went out, so wait that long before reading the lists (else a
        create not there yet would be sent again, and land twice)."""
        if not any(self._was_sent(p) for p in patches):
            return
        last = self.journal.last_send()
        if last is None:
            return
        sent = dt.datetime.fromisoformat(last.replace("Z", "+00:00"))
        remaining = (sent - dt.datetime.now(dt.UTC)).total_seconds() + self.graph.timeout
        if remaining > 0:
            sleep(remaining)

    def _was_sent(self, patch: PlannedPatch) -> bool:
        return any(edit.seq in self.sends for edit in patch.edits if edit.field in ROW_OPERATIONS)

    def _note_sends(self, patches: Sequence[PlannedPatch]) -> None:
        """Journal the POSTs and DELETEs about to go out (the first time each is sent)."""
        time = utc_now()
        rows = [(edit.seq, p.user_id, p.cert_id, p.method, time) for p in patches for edit in p.edits
                if edit.field in ROW_OPERATIONS and edit.seq not in self.sends]
        if not rows:
            return
        with self.journal.transaction() as tx:
            tx.add_sends(rows)
        for seq, _, _, method, sent in rows:
            self.sends[seq] = (method, sent, None)

    def _may_resend_throttled(self, patch: PlannedPatch) -> bool:
        """Throttled writes are resent without spending an attempt, up to MAX_THROTTLED_RESENDS each."""
        self.throttled[_slot(patch)] = self.throttled.get(_slot(patch), 0) + 1
        return self.throttled[_slot(patch)] <= MAX_THROTTLED_RESENDS

    # -- recording ----------------------------------------------------------------------------------------
    def _record(self, patch: PlannedPatch, outcome: Outcome, response: BatchResponse | None = None,
                message: str | None = None, new_id: str | None = None) -> None:
        if new_id is not None:
            self.taken.add(new_id)
        self.recorder.note(patch, outcome, response, message, new_id)

    def _flush(self) -> None:
        self.recorder.flush()


def _select_query(patches: Iterable[PlannedPatch]) -> str:
    """The properties a conflict check reads: those the PATCHes set; every one for a DELETE (it compares
    them all); for a POST, what identifies the certification it created, and when that was created."""
    properties = dict.fromkeys(["id"])
    for patch in patches:
        if patch.method == "DELETE":
            properties.update(dict.fromkeys(_ALL_PROPERTIES))
        elif patch.method == "POST":
            properties.update(dict.fromkeys(("certificationId", *MATCH_FIELDS, "createdDateTime")))
        else:
            properties.update(dict.fromkeys(patch.body or ()))
    return "$select=" + quote(",".join(properties), safe=",")


def _slot(patch: PlannedPatch) -> str:
    """What counts a request's attempts: its certification (a POST's path is its person's whole list)."""
    return f"{patch.path}#{patch.cert_id}" if patch.method == "POST" else patch.path


def _create_seq(patch: PlannedPatch) -> int:
    return next((e.seq for e in patch.edits if e.field == CREATE), -1)


def _given_id(patch: PlannedPatch, response: BatchResponse) -> str | None:
    """The id Graph gave the certification a POST created (201, the whole entity: contract §1)."""
    if patch.method != "POST" or not isinstance(response.body, dict):
        return None
    found = response.body.get("id")
    return None if found is None else str(found)

