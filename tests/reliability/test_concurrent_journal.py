"""Two real processes on one journal (concurrent_child.py): staging from both loses nothing; committing from
both sends every edit once, because the second committer is refused by the commit lease, naming the first;
a lease left by a killed committer is taken over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reliability_tenant import ADMIN, seed, targets

import certnb
from certnb.commit.journal_outcomes import outcome_records
from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame
from certnb.staging import Journal, Staged

HERE = Path(__file__).resolve().parent
CHILD = HERE / "concurrent_child.py"
EDITS = 200


def child(*args: str, token: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    if token is not None:
        env["CERTNB_CHILD_TOKEN"] = token
    return subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def patches_seen(emu: Emulator) -> int:
    return sum(n for route, n in emu.stats()["by_route"].items() if route.startswith("PATCH "))


def staged_everything(journal: Path) -> None:
    staged = certnb.stage(build_frame(seed(EDITS)["users"]), journal=journal)
    for user, cert, end in targets(EDITS):
        staged.set((user, cert), endDate=end)
    staged.close()


def test_two_processes_staging_into_one_journal_lose_nothing(tmp_path: Path) -> None:
    journal, go = tmp_path / "edits.journal", tmp_path / "go"
    children = [child("stage", str(journal), str(go), str(EDITS), str(part)) for part in (0, 1)]
    go.touch()
    acknowledged: set[tuple[str, str]] = set()
    for process in children:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        lines = out.splitlines()
        assert lines[-1] == "done", out
        acknowledged |= {(line.split()[1], line.split()[2]) for line in lines if line.startswith("staged ")}
    assert len(acknowledged) == EDITS
    reopened = Staged.open(journal)
    expected = {(user, cert): end for user, cert, end in targets(EDITS)}
    assert {(e.user_id, e.cert_id): e.after for e in reopened} == expected  # every acknowledged edit, once
    assert len(reopened) == EDITS
    reopened.close()


def test_a_second_committer_is_refused_naming_the_first(tmp_path: Path) -> None:
    journal, go = tmp_path / "edits.journal", tmp_path / "go"
    staged_everything(journal)
    with Emulator(seed(EDITS), https=False, latency_ms=200) as emu:  # each $batch takes a while
        token = emu.access_token(ADMIN, scopes="User.ReadWrite.All")
        children = [child("commit", str(journal), str(go), emu.graph_url, token=token) for _ in range(2)]
        names = []
        for process in children:
            assert process.stdout is not None
            names.append(process.stdout.readline().split(maxsplit=1)[1].strip())  # "pid PID HOST", then waits
        go.touch()
        outputs = []
        for process in children:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            outputs.append(out.strip())
        sent = patches_seen(emu)

    done = [n for n, out in enumerate(outputs) if out.startswith("done ")]
    refused = [n for n, out in enumerate(outputs) if out.startswith("refused ")]
    assert len(done) == len(refused) == 1, outputs
    pid, host = names[done[0]].split()
    assert f"being committed by process {pid} on {host} since" in outputs[refused[0]]
    assert outputs[done[0]] == f"done {EDITS} applied"
    assert sent == EDITS  # one PATCH per certification: none sent twice
    with Journal(journal) as after:
        records = outcome_records(after)
        assert len(records) == EDITS and len({r.seq for r in records}) == EDITS  # each recorded once
        assert after.lease_holder() is None  # released at the end


def test_a_lease_left_by_a_killed_committer_is_taken_over(tmp_path: Path) -> None:
    journal, go = tmp_path / "edits.journal", tmp_path / "go"
    staged_everything(journal)
    with Emulator(seed(EDITS), https=False, latency_ms=250) as emu:
        token = emu.access_token(ADMIN, scopes="User.ReadWrite.All")
        process = child("commit", str(journal), str(go), emu.graph_url, token=token)
        assert process.stdout is not None
        pid = int(process.stdout.readline().split()[1])
        go.touch()
        deadline = time.monotonic() + 60
        with Journal(journal) as watching:
            while watching.lease_holder() is None:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.005)
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            holder = watching.lease_holder()
        assert holder is not None and holder.pid == pid  # the dead process's lease is still there

        emu.set_faults(latency_ms=0)
        with certnb.connect(base_url=emu.graph_url, token=token, write=True, all_users=True) as graph:
            resumed = Staged.open(journal)
            result = graph.commit(resumed)
        assert result.ok and len(result) == EDITS, result.counts
        assert resumed.journal.lease_holder() is None
        resumed.close()
