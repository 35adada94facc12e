"""SIGKILL at seeded random points, then resume from the journal: nothing staged is lost, every edit's outcome
is known, and the server ends exactly in the expected state.

The killed process is a real child Python process (crash_child.py) talking to the emulator over loopback
(plain HTTP, allowed for loopback); the emulator lives in the test process and survives every kill.
Kill points: after a seeded random number of PATCHes reached the emulator, or after a seeded random delay
(which may land in start-up, the conflict check or between writes). `make soak` uses more edits and points.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_tenant import ADMIN, SOAK, comparable, expected_state, seed, targets

import certnb
from certnb.commit.journal_outcomes import latest_outcomes
from certnb.commit.outcome import DONE
from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame
from certnb.staging import Staged

HERE = Path(__file__).resolve().parent
CHILD = HERE / "crash_child.py"
EDITS = 1000 if SOAK else 200
KILLS = 20 if SOAK else 5
SEED = 20261129


def child(*args: str, token: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    if token is not None:
        env["CERTNB_CHILD_TOKEN"] = token
    return subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def patches_seen(emu: Emulator) -> int:
    return sum(n for route, n in emu.stats()["by_route"].items() if route.startswith("PATCH "))


def kill(process: subprocess.Popen[str]) -> bool:
    """SIGKILL the child; True if it was still running (a real crash, not a finished run)."""
    alive = process.poll() is None
    if alive:
        os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    return alive


def journal_is_sound(path: Path) -> None:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def expected_edits() -> list[tuple[str, str, str, str]]:
    return [(u, c, "endDate", end) for u, c, end in targets(EDITS)]


def as_tuples(staged: Staged) -> list[tuple[str, str, str, str]]:
    return [(e.user_id, e.cert_id, e.field, e.after) for e in staged.edits]


@pytest.mark.slow
def test_kill_during_commit_then_resume(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    journal = tmp_path / "edits.journal"
    with Emulator(seed(EDITS), https=False, throttle_rps=200, latency_ms=5) as emu:
        initial = emu.state()
        staged = certnb.stage(build_frame(seed(EDITS)["users"]), journal=journal)
        for user, cert, end in targets(EDITS):
            staged.set((user, cert), endDate=end)
        staged.close()
        token = emu.access_token(ADMIN, scopes="User.ReadWrite.All")

        points: list[str] = []
        real_kills = 0
        while real_kills < KILLS and Staged.open(journal).pending():
            start = patches_seen(emu)
            process = child("commit", str(journal), str(EDITS), emu.graph_url, token=token)
            if rng.random() < 0.7:
                wanted = rng.randint(1, max(1, EDITS // (2 * KILLS)))
                deadline = time.monotonic() + 60
                while patches_seen(emu) - start < wanted and process.poll() is None:
                    assert time.monotonic() < deadline
                    time.sleep(0.001)
                points.append(f"after {wanted} PATCHes")
            else:
                delay = rng.uniform(0.3, 1.5)  # start-up takes about a second: kills land before and after
                time.sleep(delay)
                points.append(f"after {delay:.2f} s")
            if kill(process):
                real_kills += 1
            else:
                points[-1] += " (had finished)"
            journal_is_sound(journal)
            assert as_tuples(Staged.open(journal)) == expected_edits()  # no staged edit lost
            assert len(points) < 3 * KILLS, points

        assert real_kills == KILLS, points
        assert patches_seen(emu) > 0, points
        final = child("commit", str(journal), str(EDITS), emu.graph_url, token=token)
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err
        state = emu.state()

    reopened = Staged.open(journal)
    assert as_tuples(reopened) == expected_edits()
    latest = latest_outcomes(reopened.journal)
    assert {latest[e.seq].outcome for e in reopened.edits} <= DONE, out  # every outcome known
    assert reopened.pending() == []
    writes = {(u, c): end for u, c, end in targets(EDITS)}
    assert comparable(state) == expected_state(initial, writes)


@pytest.mark.slow
def test_kill_during_staging_then_resume(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    journal = tmp_path / "edits.journal"
    expected = expected_edits()
    acknowledged = 0
    for _ in range(KILLS):
        process = child("stage", str(journal), str(EDITS))
        assert process.stdout is not None
        wanted = acknowledged + rng.randint(1, max(1, (EDITS - acknowledged) // 3))
        seen = 0
        for line in process.stdout:
            if line.startswith("staged "):
                seen = int(line.split()[1])
                if seen >= wanted:
                    break
        assert kill(process)
        acknowledged = max(acknowledged, seen)
        journal_is_sound(journal)
        got = as_tuples(Staged.open(journal))
        # Every acknowledged call is on disk, in order, with its value; at most the call in flight more.
        assert len(got) >= acknowledged
        assert got == expected[: len(got)]

    finisher = child("stage", str(journal), str(EDITS))
    finisher.communicate(timeout=120)
    assert finisher.returncode == 0
    assert as_tuples(Staged.open(journal)) == expected

    with Emulator(seed(EDITS)) as emu:
        initial = emu.state()
        with certnb.connect(emulator=emu, write=True, all_users=True) as graph:
            result = graph.commit(Staged.open(journal))
        assert result.ok, result.counts
        writes = {(u, c): end for u, c, end in targets(EDITS)}
        assert comparable(emu.state()) == expected_state(initial, writes)
