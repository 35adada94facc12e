"""Exactly-once creates across a kill: a child process commits creates, deletes and edits through a slow
emulator (which also answers some writes 429 after making them) and is SIGKILLed at a random moment; the
parent resumes from the journal and the tenant ends exactly as staged: each create made once, each delete
done, each edit applied."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from commit_tenant import seed, user_id

import certnb
from certnb.commit.result import CommitResult
from certnb.emulator.server import Emulator
from certnb.staging import Journal, Staged, stage

USERS = 8
NEW_END = "2027-06-30"
KILLS = 12 if os.environ.get("CERTNB_SOAK") else 3

CHILD = textwrap.dedent("""
    import os, sys
    import certnb
    from certnb.staging import Staged

    graph = certnb.connect(token=os.environ["TEST_TOKEN"], base_url=os.environ["TEST_GRAPH_URL"],
                           max_concurrency=1, write=True, all_users=True)
    print(graph.commit(Staged.open(sys.argv[1])), flush=True)
""")


@pytest.mark.parametrize("kill", range(KILLS))
def test_a_killed_commit_of_creates_resumes_to_the_exact_state(tmp_path: Path, kill: int) -> None:
    journal = tmp_path / "edits.journal"
    pause = random.Random(kill).uniform(0.0, 0.6)
    with Emulator(seed=seed(USERS, 2), https=False) as emu, \
            certnb.connect(token=emu.access_token(), base_url=emu.graph_url, write=True,
                           all_users=True) as graph:
        frame = graph.load(users="all")
        staged = stage(frame, journal=journal)
        for n in range(1, USERS):
            staged.add(f"user{n}@contoso.example", displayName="CKA", issuingAuthority="CNCF",
                       startDate="2026-11-01")
            staged.delete((user_id(n), f"cert-{n}-1"))
            staged.set((user_id(n), f"cert-{n}-0"), endDate=NEW_END)
        staged.close()

        emu.set_faults(latency_ms=120, applied_but_429_rate=0.3, random_seed=kill)
        env = {**os.environ, "TEST_TOKEN": emu.access_token(), "TEST_GRAPH_URL": emu.graph_url}
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(journal)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        with Journal(journal) as watching:  # the first POST or DELETE is on its way, then a random wait
            while not watching.sends():
                assert child.poll() is None and time.monotonic() < deadline, "the child sent nothing"
                time.sleep(0.01)
        time.sleep(pause)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        with Journal(journal) as after_kill:
            sent, recorded = len(after_kill.sends()), len(after_kill.latest_outcome_names())
        assert sent > 0 and recorded < 3 * (USERS - 1) + 3 * (USERS - 1)  # killed mid-way

        emu.set_faults(latency_ms=0)
        graph.timeout = 1.0  # what the killed child had in flight lands within a second (latency 120 ms)
        resumed = Staged.open(journal)
        result = graph.commit(resumed)
        resumed.close()
        assert isinstance(result, CommitResult)
        state = emu.state()

    assert result.ok, result.table
    for n in range(1, USERS):
        held = next(u for u in state["users"] if u["id"] == user_id(n))["certifications"]
        assert [c["displayName"] for c in held if c["displayName"] == "CKA"] == ["CKA"], (n, held)
        others = {c["id"] for c in held if c["displayName"] != "CKA"}
        assert others == {f"cert-{n}-0"}  # the deleted one is gone, the edited one kept
        assert next(c for c in held if c["id"] == f"cert-{n}-0")["endDate"] == NEW_END
