"""Resume after a crash: a child process commits through a slow emulator and is SIGKILLed mid-way; the parent
resumes from the journal (taking over the lease the child left) and reaches exactly the expected state, every
edit's outcome known, none written twice. A resumed commit tells its own outcomes from earlier ones."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from commit_tenant import seed, user_id

import certnb
from certnb.commit.journal_outcomes import latest_outcomes, outcome_records
from certnb.commit.result import CommitResult
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph
from certnb.staging import Journal, Staged, stage

USERS, CERTS = 30, 2
NEW_END = "2027-06-30"

CHILD = textwrap.dedent("""
    import os, sys
    import certnb
    from certnb.staging import Staged

    graph = certnb.connect(token=os.environ["TEST_TOKEN"], base_url=os.environ["TEST_GRAPH_URL"],
                           max_concurrency=1, write=True, all_users=True)
    print(graph.commit(Staged.open(sys.argv[1])), flush=True)
""")


def test_resume_after_sigkill_mid_commit(tmp_path: Path) -> None:
    journal = tmp_path / "edits.journal"
    with Emulator(seed=seed(USERS, CERTS), https=False) as emu, \
            certnb.connect(token=emu.access_token(), base_url=emu.graph_url, write=True,
                           all_users=True) as graph:
        frame = graph.load(users="all")
        staged = stage(frame, journal=journal)
        staged.set(frame["id"].notna(), endDate=NEW_END)  # every certification
        edits = len(staged)
        staged.close()
        assert edits == USERS * CERTS

        emu.set_faults(latency_ms=250)  # each $batch takes a while: the kill lands mid-commit
        env = {**os.environ, "TEST_TOKEN": emu.access_token(), "TEST_GRAPH_URL": emu.graph_url}
        errors = tmp_path / "child.stderr"
        with errors.open("wb") as stderr:
            child = subprocess.Popen([sys.executable, "-c", CHILD, str(journal)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline = time.monotonic() + 60
            with Journal(journal) as watching:
                while not outcome_records(watching):
                    assert child.poll() is None, errors.read_text()
                    assert time.monotonic() < deadline, "the child recorded no outcome in 60 s"
                    time.sleep(0.02)
            child.send_signal(signal.SIGKILL)
        finally:
            child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL

        with Journal(journal) as after_kill:
            killed_at = len(latest_outcomes(after_kill))
        assert 0 < killed_at < edits  # really mid-way

        emu.set_faults(latency_ms=0)
        resumed = Staged.open(journal)
        result = graph.commit(resumed)
        resumed.close()
        assert isinstance(result, CommitResult)

    assert len(result) == edits and result.ok, result.table  # every edit's outcome known
    assert set(result.table["outcome"]) <= {"applied", "already_applied"}
    state = emu.state()
    ends = {(u["id"], c["id"]): c["endDate"] for u in state["users"] for c in u["certifications"]}
    assert ends == {(user_id(n), f"cert-{n}-{k}"): NEW_END for n in range(USERS) for k in range(CERTS)}
    patched = sum(n for route, n in emu.stats()["by_route"].items() if route.startswith("PATCH "))
    assert patched == edits  # one PATCH per certification, across both processes: none written twice


def test_a_resumed_commit_tells_its_outcomes_from_earlier_ones(
    emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    journal = tmp_path / "edits.journal"
    first = stage(graph.load(users="all"), journal=journal)
    first.set((user_id(1), "cert-1-0"), endDate=NEW_END)
    first.set((user_id(2), "cert-2-0"), endDate=NEW_END)
    assert repr(graph.commit(first)) == "2 applied"
    first.close()

    # The next run resumes the journal (explicitly) and stages one edit more.
    resumed = stage(graph.load(users="all"), journal=journal, resume=True)
    resumed.set((user_id(2), "cert-2-1"), endDate=NEW_END)
    result = graph.commit(resumed)
    assert isinstance(result, CommitResult)
    assert repr(result) == "1 applied now, 2 applied earlier"
    assert result.counts == {"applied": 3}
    assert result.table[["id", "outcome", "earlier"]].values.tolist() == [
        ["cert-1-0", "applied", True], ["cert-2-0", "applied", True], ["cert-2-1", "applied", False],
    ]
    assert [o.earlier for o in result] == [True, True, False]
    assert "1 applied now, 2 applied earlier" in result._repr_html_()

    before = emu.stats()["requests_total"]
    again = graph.commit(resumed)
    assert repr(again) == "nothing new to commit (3 applied earlier)"
    assert emu.stats()["requests_total"] == before  # nothing was sent
    resumed.close()
