"""The commit lease in one process against the emulator: released however a commit ends; a live lease of
another host refuses before any request; a stale one is taken over; a commit that lost its lease stops.
(Two real processes: tests/reliability/test_concurrent_journal.py.)"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any, cast

import pytest
from commit_tenant import committed, key, patches_sent, staged_on

from certnb.commit.journal_outcomes import outcome_records
from certnb.commit.run import commit
from certnb.emulator.server import Emulator
from certnb.errors import JournalInUse
from certnb.graph.client import Graph
from certnb.staging import Staged
from certnb.staging.lease import STALE_AFTER_S


class OnFirstBatch:
    """The session, with `act()` run when the first `$batch` carrying a `method` request is sent: before it
    (the batch is then not sent if `act` raises) or after it. A seam like widgets' ProgressGraph."""

    def __init__(self, graph: Graph, act: Any, *, method: str = "PATCH", after: bool = False) -> None:
        self._graph = graph
        self._act = act
        self._method = method
        self._after = after
        self.acted = False

    def batch(self, requests: Iterable[Any]) -> Any:
        items = list(requests)
        first = not self.acted and any(item.method == self._method for item in items)
        if first and not self._after:
            self.acted = True
            self._act()
        answers = self._graph.batch(items)
        if first and self._after:
            self.acted = True
            self._act()
        return answers

    def get_lists(self, paths: Iterable[str], **options: Any) -> Any:
        # The conflict check reads the users' lists through the one listing operation, not `batch`.
        first = not self.acted and self._method == "GET"
        if first and not self._after:
            self.acted = True
            self._act()
        answers = self._graph.get_lists(paths, **options)
        if first and self._after:
            self.acted = True
            self._act()
        return answers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)


def plant_lease(journal: Path, *, host: str, pid: int = 4242, age_s: float = 0.0) -> None:
    """Another machine's process holds the journal's lease, its last heartbeat `age_s` seconds ago."""
    beat = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=age_s)).isoformat(timespec="seconds")
    beat = beat.replace("+00:00", "Z")
    with closing(sqlite3.connect(journal)) as db, db:
        db.execute("INSERT OR REPLACE INTO lease VALUES (1, 'elsewhere-token', ?, ?, '', ?, ?)",
                   (pid, host, beat, beat))


def two_edits(graph: Graph, journal: Path) -> Staged:
    staged = staged_on(graph, journal)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    return staged


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError])
def test_the_lease_is_released_however_the_commit_ends(
    interruption: type[BaseException], emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    staged = two_edits(graph, tmp_path / "edits.journal")

    def interrupt() -> None:
        raise interruption("interrupted mid-commit")

    with pytest.raises(interruption):
        commit(cast(Graph, OnFirstBatch(graph, interrupt)), staged)
    assert staged.journal.lease_holder() is None
    result = committed(graph, staged)  # nobody holds it: the next commit goes ahead
    assert result.counts == {"applied": 2}
    assert staged.journal.lease_holder() is None  # released at a normal end too
    assert patches_sent(emu) == 2


def test_a_live_lease_of_another_host_refuses_before_any_request(
    emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    journal = tmp_path / "edits.journal"
    staged = two_edits(graph, journal)
    plant_lease(journal, host="lab-7.contoso.example", pid=4242, age_s=5)
    before = emu.stats()["requests_total"]
    with pytest.raises(JournalInUse) as caught:
        commit(graph, staged)
    assert "being committed by process 4242 on lab-7.contoso.example since 20" in str(caught.value)
    assert "nothing was sent" in str(caught.value) and "commit again" in str(caught.value)
    assert (caught.value.pid, caught.value.host) == (4242, "lab-7.contoso.example")
    assert emu.stats()["requests_total"] == before
    assert staged.journal.lease_holder() is not None  # still theirs


def test_a_stale_lease_is_taken_over(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    journal = tmp_path / "edits.journal"
    staged = two_edits(graph, journal)
    plant_lease(journal, host="lab-7.contoso.example", age_s=STALE_AFTER_S + 60)  # a machine that slept
    assert committed(graph, staged).counts == {"applied": 2}
    assert staged.journal.lease_holder() is None


@pytest.mark.parametrize(("during", "on_the_wire"), [("GET", 0), ("PATCH", 4)])
def test_a_commit_whose_lease_was_taken_over_records_and_sends_nothing_more(
    during: str, on_the_wire: int, emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    journal = tmp_path / "edits.journal"
    staged = staged_on(graph, journal)
    for user in (1, 2):
        for cert in (0, 1):
            staged.set(key(user, f"cert-{user}-{cert}"), endDate="2027-06-30")
    # While its conflict check (GET) or its first PATCHes are on the wire, another process takes the lease
    # over (this one froze).
    taken = OnFirstBatch(graph, lambda: plant_lease(journal, host="lab-7.contoso.example"), method=during,
                         after=True)
    with pytest.raises(JournalInUse) as caught:
        commit(cast(Graph, taken), staged, max_attempts=1)
    assert caught.value.lost
    assert "lost its lease to process 4242 on lab-7.contoso.example" in str(caught.value)
    assert patches_sent(emu) == on_the_wire  # what was on the wire when it lost the lease, nothing after
    assert outcome_records(staged.journal) == []  # the new holder's conflict check settles those writes
    holder = staged.journal.lease_holder()
    assert holder is not None and holder.host == "lab-7.contoso.example"  # not released: it is theirs
