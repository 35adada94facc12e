"""`commit(..., on_progress=...)`: a `CommitProgress` after each round of outcomes is journaled, headless (no
widget), against the emulator over real sockets."""

from __future__ import annotations

from pathlib import Path

from commit_tenant import committed, key, remote_patch, staged_on

from certnb.commit import CommitProgress
from certnb.commit.journal_outcomes import outcome_records
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph
from certnb.staging import Journal, stage


def test_progress_after_each_journaled_round_ends_at_the_result_counts(
    emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    path = tmp_path / "edits.journal"
    staged = staged_on(graph, path)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")  # changed behind the commit's back: conflict
    staged.set(key(1, "cert-1-1"), endDate="2027-06-30")  # already so on the server: already_applied
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30", description="renewed")  # sent: 2 edits applied
    remote_patch(emu, 1, "cert-1-0", {"endDate": "2029-01-31"})
    remote_patch(emu, 1, "cert-1-1", {"endDate": "2027-06-30"})
    heard: list[tuple[CommitProgress, int]] = []

    def on_progress(progress: CommitProgress) -> None:
        with Journal(path) as reader:  # another connection: the round is on disk before it is told
            heard.append((progress, len(outcome_records(reader))))

    result = committed(graph, staged, on_progress=on_progress)
    assert result.counts == {"applied": 2, "already_applied": 1, "conflict": 1}
    progress = [p for p, _ in heard]
    assert progress == [
        CommitProgress(2, 4, {"already_applied": 1, "conflict": 1}),  # the conflict check's round
        CommitProgress(4, 4, {"applied": 2, "already_applied": 1, "conflict": 1}),  # the PATCHes' round
    ]
    assert progress[-1].counts == result.counts and progress[-1].done == len(result)
    assert [on_disk for _, on_disk in heard] == [p.done for p in progress]
    assert list(progress[-1].counts) == list(result.counts)  # in summary order, as plain names
    assert all(type(name) is str for name in progress[-1].counts)


def test_a_resumed_commit_counts_only_its_own_outcomes(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "edits.journal"
    first = staged_on(graph, path).set(key(1, "cert-1-0"), endDate="2027-06-30")
    committed(graph, first)
    first.close()
    resumed = stage(graph.load(users="all"), journal=path, resume=True)
    resumed.set(key(2, "cert-2-0"), endDate="2027-06-30")
    heard: list[CommitProgress] = []
    result = committed(graph, resumed, on_progress=heard.append)
    assert repr(result) == "1 applied now, 1 applied earlier"
    assert heard == [CommitProgress(1, 1, {"applied": 1})]
    assert heard[-1].fraction == 1.0
    # Nothing left to send: the commit sends nothing, and there is no round to tell of.
    again: list[CommitProgress] = []
    result = committed(graph, resumed, on_progress=again.append)
    assert repr(result) == "nothing new to commit (2 applied earlier)"
    assert again == []
