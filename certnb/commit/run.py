"""The commit runner: the one place a commit does I/O. Plan → conflict check → PATCH → named outcomes.

    >>> commit(graph, staged)                       # doctest: +SKIP
    12 applied, 1 conflict
    >>> plan(staged, base_url=graph.base_url)       # the dry run (plan.py): nothing sent   # doctest: +SKIP

1. Conflict check. Graph has no ETag for profile items (contract §2), so the runner re-reads every affected
   certification (one list per user, `$select` of the edited properties, 20 lists per `$batch`) and
   compares the server's values with the loaded ("before") ones (verdict.py). A value that changed means
   `conflict` and the whole certification's PATCH is skipped: a commit never overwrites what someone else
   changed since the load. A certification gone from the server is `missing`; one already holding every new
   value is `already_applied`.
2. PATCH, 20 per `$batch`, concurrently through the session's pacing. A write is never retried blindly
   (contract §8): after a 429, 5xx or lost connection the certification is re-read; new values → `applied`,
   before values → sent again (at most `max_attempts` times, then `failed`), anything else → `conflict`.
3. Every outcome is written to the journal (and the audit log) when its round of `$batch` answers is in
   (one transaction each, up to 2 × 20 × `max_concurrency` PATCHes), before anything more is sent; then
   `on_progress` hears of it (`CommitProgress`, progress.py). A killed process therefore resumes exactly: the
   next commit leaves out what is done, and a PATCH that landed unrecorded is found `already_applied` by the
   conflict check.

4. Creates and deletes (POST, DELETE). POST is not idempotent (contract §8): each POST and DELETE is noted in
   the journal (`sends`) before it goes out, and after a doubtful answer — or in a commit resuming one that
   was killed — the person's list is read again and the certification looked for (`find_created`: the same
   certificationId, else title, issuer and dates, created since the first send, not claimed by another
   create) before anything is sent again, so a create is made once. The id Graph gave is journaled with
   the outcome (`OutcomeRecord.new_id`). A DELETE answered 404 is `already_applied` (it is gone, as asked);
   one whose certification changed since the load is `conflict`, and nothing is sent.

5. Refusals that do not pass (permission.py, contract §13): a 403, a 500 DirectoryObjectUnauthorizedAccess-
   Exception, or a 404 UnknownError for a certification a re-read still finds, is `not_permitted`, recorded
   with the request id and never sent again (waiting changes nothing: the tenant does not allow it).

A commit holds the journal's commit lease (staging/lease.py) from before it plans until it returns, so two
processes never send the same edits; and a journal is committed only through the tenant and Graph root of
its first commit (`JournalTenantMismatch`, checked before any request). The result marks each outcome an
earlier commit recorded (`earlier`): "3 applied now, 21 applied earlier".
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from time import sleep
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from certnb.commit.audit_log import AuditLog, default_audit_path
from certnb.commit.journal_outcomes import latest_outcomes, outcome_records, record_outcomes
from certnb.commit.outcome import Outcome
from certnb.commit.permission import needs_reread, not_permitted
from certnb.commit.plan import CommitPlan, PlannedPatch, plan
from certnb.commit.progress import CommitProgress
from certnb.commit.record import OutcomeRecord, utc_now
from certnb.commit.result import CommitResult, count_outcomes
from certnb.commit.verdict import Verdict, find_created, verdict
from certnb.errors import JournalTenantMismatch
from certnb.graph.batch import MAX_BATCH, BatchRequest, BatchResponse
from certnb.graph.urls import certifications_path
from certnb.staging.edit import WRITABLE_FIELDS, Edit
from certnb.staging.journal import Journal
from certnb.staging.operations import CREATE, MATCH_FIELDS, ROW_OPERATIONS

if TYPE_CHECKING:
    from certnb.graph.client import Graph
    from certnb.staging.staged import Staged

__all__ = ["DEFAULT_MAX_ATTEMPTS", "commit", "graph_root", "result_of"]

# PATCHes per certification per commit while the server still holds the before values after a 5xx or a lost
# answer (each resend follows a re-read, so none is blind). 8 makes a 15% transient-fault rate fail an edit
# about once in four million; a 429 that was not applied spends no attempt (MAX_THROTTLED_RESENDS bounds it).
DEFAULT_MAX_ATTEMPTS = 8
# A certification throttled this often in one commit is left `failed`; committing again resumes it.
MAX_THROTTLED_RESENDS = 20
_Key = tuple[str, str]
# an edit's outcome, Graph's answer, why, and the id Graph gave a created certification
_Noted = tuple[Edit, Outcome, BatchResponse | None, str | None, str | None]
_ALL_PROPERTIES = tuple(dict.fromkeys(column.split(".")[0] for column in WRITABLE_FIELDS))
OnProgress = Callable[[CommitProgress], None]


def commit(
    graph: Graph,
    staged: Staged,
    *,
    on_progress: OnProgress | None = None,
    audit_log: str | os.PathLike[str] | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> CommitResult:
    """Commit the pending staged edits to Graph (the dry run is `certnb.commit.plan.plan(staged)`).

    The result has one line per staged edit, those an earlier commit settled marked `earlier`; running it
    again on the same journal sends only what is not yet applied. `on_progress(CommitProgress)` is called
    after each round of outcomes is journaled; `audit_log` defaults to `<journal>.audit.jsonl`. Refused with
    `JournalInUse` while another process commits the journal, and with `JournalTenantMismatch` through a
    session of another tenant or Graph root than its first commit's.

    >>> commit(graph, staged, on_progress=print)    # doctest: +SKIP
    CommitProgress(done=1, total=1, counts={'applied': 1})
    1 applied
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1; got {max_attempts!r}")
    journal = staged.journal
    tenant_id, root = graph.tenant_id, graph_root(graph.base_url)
    path = Path(audit_log) if audit_log is not None else default_audit_path(journal.path)
    with journal.lease():
        owner = journal.owner()
        if owner is not None and not owner.admits(tenant_id, root):
            raise JournalTenantMismatch(str(journal.path or ":memory:"), (owner.tenant_id, owner.graph_root),
                                        (tenant_id, root), owner.account)
        planned = plan(staged, base_url=graph.base_url)  # under the lease: another commit's outcomes are in
        now: set[int] = set()
        if len(planned):
            who = _who(graph)
            if owner is None:
                journal.bind(tenant_id, root, who)
            audit = AuditLog(path, who, rows=staged.rows) if path is not None else None
            runner = _Runner(graph, journal, audit, max_attempts, on_progress, _loaded_ids(staged), who)
            runner.run(planned)
            now = {record.seq for record in runner.recorded}
    return result_of(staged, audit_log=path, now=now)


def result_of(staged: Staged, audit_log: Path | None = None, now: Iterable[int] = ()) -> CommitResult:
    """The result table of a staged set as its journal records it: the latest outcome of each edit, marked
    `earlier` unless its `seq` is in `now` (the edits this commit recorded)."""
    latest = latest_outcomes(staged.journal)
    mine = set(now)
    records = [latest[e.seq].as_earlier(e.seq not in mine) for e in staged.edits if e.seq in latest]
    return CommitResult(records, staged=staged, audit_log=audit_log)


def graph_root(base_url: str) -> str:
    """A Graph root spelt one way (scheme and host lower-case, no trailing slash), to compare two.

    >>> graph_root("HTTPS://Graph.Microsoft.com/beta/")
    'https://graph.microsoft.com/beta'
    """
    parts = urlsplit(base_url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def _loaded_ids(staged: Staged) -> set[str]:
    """Ids of certifications that existed at the load: never taken for one a create made."""
    ids = {cert_id for _, cert_id in staged.rows}
    frame = staged.frame
    if frame is not None and "id" in frame.columns:
        ids.update(str(v) for v in frame["id"].dropna().tolist())
    return ids


def _who(graph: Graph) -> str | None:
    if graph.account:
        return graph.account
    upn = graph.me().get("userPrincipalName")
    return None if upn is None else str(upn)


# -- doing ------------------------------------------------------------------------------------------------

class _Runner:
    """One commit run: reads, PATCHes and records, chunk by chunk."""

    def __init__(self, graph: Graph, journal: Journal, audit: AuditLog | None, max_attempts: int,
                 on_progress: OnProgress | None = None, loaded_ids: set[str] | None = None,
                 committed_by: str | None = None) -> None:
        self.graph = graph
        self.committed_by = committed_by  # the signed-in account, on every outcome it records
        self.journal = journal
        self.audit = audit
        self.max_attempts = max_attempts
        self.on_progress = on_progress
        self.total = 0  # edits this commit settles (the plan's)
        self.recorded: list[OutcomeRecord] = []  # what this commit journaled so far
        self.attempts: dict[int, int] = {}  # attempt numbers as journaled: counted across commits
        self.sent: dict[str, int] = {}  # PATCHes per certification in this commit (bounded by max_attempts)
        self.throttled: dict[str, int] = {}  # 429-answered, not-applied PATCHes per certification
        self.unrecorded: list[_Noted] = []  # outcomes known, not journaled yet
        for record in outcome_records(journal):
            self.attempts[record.seq] = max(self.attempts.get(record.seq, 0), record.attempt)
        # POSTs and DELETEs that went out (this commit or one before): (method, first sent, id Graph gave)
        self.sends = journal.sends()
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
        self.total = len(planned.edits)
        for start in range(0, len(patches), self.chunk):
            chunk = patches[start:start + self.chunk]
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
        return self.graph.batch(requests) if requests else []

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
        """Note the outcome of each edit the request carries; `_flush` writes it before more is sent."""
        if new_id is not None:
            self.taken.add(new_id)
        self.unrecorded += [(e, outcome, response, message, new_id if e.field == CREATE else None)
                            for e in patch.edits]

    def _flush(self) -> None:
        """Write the outcomes known so far, stamped with one time: one journal transaction (one fsync) and one
        audit append; then tell `on_progress`."""
        if not self.unrecorded:
            return
        time = utc_now()
        records = [self._outcome_record(*noted, time) for noted in self.unrecorded]
        self.unrecorded = []
        record_outcomes(self.journal, records)
        if self.audit is not None:
            self.audit.append(records)
        self.recorded += records
        if self.on_progress is not None:
            self.on_progress(CommitProgress(len(self.recorded), self.total, count_outcomes(self.recorded)))

    def _outcome_record(self, edit: Edit, outcome: Outcome, response: BatchResponse | None,
                        message: str | None, new_id: str | None, time: str) -> OutcomeRecord:
        """The record of one edit's outcome, with Graph's status, error code and message, and request-id."""
        error = response.error if response is not None else None
        text = message
        if text is None and error is not None:
            text = error.message or error.hint()
        request_id = (error.request_id if error is not None else None) or (
            _header(response.headers, "request-id") if response is not None else None
        )
        return OutcomeRecord(edit.user_id, edit.cert_id, edit.field, edit.before, edit.after, outcome,
                             response.status if response is not None else None,
                             error.code if error is not None else None, text, request_id, time, edit.seq,
                             attempt=max(1, self.attempts.get(edit.seq, 0)), new_id=new_id,
                             reason=edit.reason, staged_by=edit.staged_by, committed_by=self.committed_by)


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


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
