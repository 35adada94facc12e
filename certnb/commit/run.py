"""A commit: plan → conflict check → PATCH → named outcomes; the steps below are runner.py's, the shell here.

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

A big commit (over 100 edits, or `progress=True`) prints its estimate (certnb/graph/limits.py) and shows a
tqdm bar (progress_bar.py). A commit that stops — Ctrl-C, "interrupt kernel", a sign-in that lapsed —
journals what it had heard first, releases the lease, and says how far it got and how to resume
(interruption.py): `CommitInterrupted` for an interrupt, the sign-in error with the resume words otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from certnb.commit.audit_log import AuditLog, default_audit_path
from certnb.commit.interruption import stopped
from certnb.commit.journal_outcomes import latest_outcomes
from certnb.commit.plan import plan
from certnb.commit.progress import CommitProgress
from certnb.commit.progress_bar import CommitBar, show_bar
from certnb.commit.recording import OnProgress, OutcomeRecorder
from certnb.commit.result import CommitResult
from certnb.commit.runner import Runner
from certnb.errors import JournalTenantMismatch
from certnb.graph.limits import learned_rate

if TYPE_CHECKING:
    from certnb.graph.client import Graph
    from certnb.staging.staged import Staged

__all__ = ["DEFAULT_MAX_ATTEMPTS", "commit", "graph_root", "result_of"]

# PATCHes per certification per commit while the server still holds the before values after a 5xx or a lost
# answer (each resend follows a re-read, so none is blind). 8 makes a 15% transient-fault rate fail an edit
# about once in four million; a 429 that was not applied spends no attempt (MAX_THROTTLED_RESENDS bounds it).
DEFAULT_MAX_ATTEMPTS = 8


def commit(
    graph: Graph,
    staged: Staged,
    *,
    on_progress: OnProgress | None = None,
    audit_log: str | os.PathLike[str] | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    progress: bool | None = None,
) -> CommitResult:
    """Commit the pending staged edits to Graph (the dry run is `certnb.commit.plan.plan(staged)`).

    The result has one line per staged edit, those an earlier commit settled marked `earlier`; running it
    again on the same journal sends only what is not yet applied. `on_progress(CommitProgress)` is called
    after each round of outcomes is journaled; `progress` shows a tqdm bar with a live ETA, after the
    estimate (default: for more than 100 edits); `audit_log` defaults to `<journal>.audit.jsonl`. Refused
    with `JournalInUse` while another process commits the journal, and with `JournalTenantMismatch` through a
    session of another tenant or Graph root than its first commit's. Ctrl-C stops it with
    `CommitInterrupted`, every outcome received journaled, saying how to resume (interruption.py).

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
            bar = CommitBar(len(planned.edits), len(planned), show_bar(progress, len(planned.edits)),
                            planned.estimate(learned_rate(graph, "writes")))
            recorder = OutcomeRecorder(journal, audit, _both(bar.update, on_progress), who)
            runner = Runner(graph, recorder, max_attempts, _loaded_ids(staged))
            with bar:
                try:
                    runner.run(planned)
                except BaseException as stop:
                    _keep_what_came(recorder)
                    told = stopped(stop, len(recorder.recorded), recorder.total, journal.path)
                    if told is None:
                        raise
                    raise told from None
            now = {record.seq for record in recorder.recorded}
    return result_of(staged, audit_log=path, now=now)


def _both(first: OnProgress, second: OnProgress | None) -> OnProgress:
    if second is None:
        return first

    def tell(progress: CommitProgress) -> None:
        first(progress)
        second(progress)

    return tell


def _keep_what_came(recorder: OutcomeRecorder) -> None:
    """Journal the outcomes noted before a stop. Best effort: if the journal itself is what failed, the stop
    is what to report, and the conflict check of the next commit finds what landed unrecorded."""
    with suppress(Exception):
        recorder.flush(quiet=True)


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
