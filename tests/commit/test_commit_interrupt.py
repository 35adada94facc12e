"""Ctrl-C during a commit: the journal keeps every outcome received, the error names the resume command, and
the resumed commit sends only what was not applied, so every certification ends holding its value, written
once. Against the emulator over real sockets; the real SIGINT case runs in its own process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from commit_tenant import patches_sent, seed

import certnb
from certnb.commit import CommitProgress
from certnb.commit.journal_outcomes import outcome_records
from certnb.emulator.server import Emulator
from certnb.errors import CommitInterrupted
from certnb.session.session import Session
from certnb.staging import Journal, Staged, stage

USERS, CERTS = 31, 3  # 93 certifications: three rounds of 40 PATCHes at max_concurrency=1 (a round per 40)
NEW_END = "2027-06-30"


@pytest.fixture(scope="module")
def wide() -> Iterator[Emulator]:
    with Emulator(seed=seed(USERS, CERTS), page_size=5) as running:
        yield running


@pytest.fixture
def one_lane(wide: Emulator) -> Iterator[Session]:
    """A session sending one batch at a time, so a commit of 93 edits takes three journaled rounds."""
    wide.reset()
    with certnb.connect(emulator=wide, write=True, all_users=True, max_concurrency=1) as session:
        yield session


def stage_every_end(session: Session, journal: Path) -> Staged:
    frame = session.load(users="all")
    staged = stage(frame, journal=journal)
    staged.set(frame["userPrincipalName"] != "", endDate=NEW_END)
    return staged


def ends(emu: Emulator) -> list[str]:
    return [c["endDate"] for u in emu.state()["users"] for c in u["certifications"]]


def test_ctrl_c_after_a_round_keeps_its_outcomes_and_names_the_resume_command(
    wide: Emulator, one_lane: Session, tmp_path: Path
) -> None:
    journal = tmp_path / "edits.journal"
    staged = stage_every_end(one_lane, journal)
    total = len(staged)

    def interrupt(progress: CommitProgress) -> None:
        raise KeyboardInterrupt  # as "interrupt kernel" lands while the first round is being told

    with pytest.raises(CommitInterrupted) as stopped:
        one_lane.commit(staged, on_progress=interrupt)

    stop = stopped.value
    assert isinstance(stop, KeyboardInterrupt)  # still an interrupt: `except Exception` does not swallow it
    assert (stop.done, stop.total) == (40, total)
    message = str(stop)
    assert message.startswith(f"Stopped after 40 of {total} edits; nothing is lost")
    assert str(journal) in message and "Resume with: session.commit(staged)" in message
    assert f"certnb.Staged.open({str(journal)!r})" in message
    with Journal(journal) as reader:
        assert len(outcome_records(reader)) == 40  # every outcome received is on disk
    assert patches_sent(wide) == 40 and ends(wide).count(NEW_END) == 40

    result = one_lane.commit(staged)  # the command the message gives: the lease was released
    assert result.counts == {"applied": total}
    assert repr(result) == f"{total - 40} applied now, 40 applied earlier"
    assert patches_sent(wide) == total  # nothing sent twice
    assert ends(wide) == [NEW_END] * total


def test_the_bar_shows_the_estimate_and_outcomes_and_closes_when_stopped(
    one_lane: Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    staged = stage_every_end(one_lane, tmp_path / "edits.journal")
    calls: list[int] = []

    def interrupt_second(progress: CommitProgress) -> None:
        calls.append(progress.done)
        if len(calls) == 2:
            raise KeyboardInterrupt

    with pytest.raises(CommitInterrupted):
        one_lane.commit(staged, on_progress=interrupt_second, progress=True)
    out, err = capsys.readouterr()
    assert out == ""  # stdout stays the script's own
    assert err.startswith(f"Committing {len(staged)} edits: about")  # the estimate, before the first request
    assert "at this tenant's" in err
    assert "committing" in err and "applied=" in err  # the bar, its postfix the outcomes so far
    assert "stopped" in err.rsplit("\r", 1)[-1]  # closed, its last state marked as stopped

    one_lane.commit(staged, progress=False)
    _, err = capsys.readouterr()
    assert err == ""  # no bar when told so


SCRIPT = textwrap.dedent("""
    import json, os, signal, sys, threading
    import certnb
    from commit_tenant import seed
    from certnb.errors import CommitInterrupted

    journal = sys.argv[1]
    # 250 ms a request: the SIGINT lands while a $batch of PATCHes is in flight, not between rounds.
    with certnb.Emulator(seed=seed(31, 3), page_size=5, latency_ms=250) as emu:
        with certnb.connect(emulator=emu, write=True, all_users=True, max_concurrency=1) as session:
            frame = session.load(users="all")
            staged = certnb.stage(frame, journal=journal)
            staged.set(frame["userPrincipalName"] != "", endDate="2027-06-30")
            def ctrl_c(progress):
                if progress.done == 40:  # the first round is in; Ctrl-C in the middle of the second
                    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
            try:
                session.commit(staged, on_progress=ctrl_c)
                stopped = None
            except CommitInterrupted as stop:
                stopped = {"message": str(stop), "done": stop.done}
            sent = sum(n for r, n in emu.stats()["by_route"].items() if r.startswith("PATCH "))
            result = session.commit(staged)
            total = sum(n for r, n in emu.stats()["by_route"].items() if r.startswith("PATCH "))
            ends = [c["endDate"] for u in emu.state()["users"] for c in u["certifications"]]
    print(json.dumps({"stopped": stopped, "sent_before": sent, "counts": result.counts,
                      "patches": total, "ends": sorted(set(ends)), "certs": len(ends)}))
""")


def test_a_real_sigint_mid_batch_stops_cleanly_and_the_resume_writes_each_certification_once(
    tmp_path: Path
) -> None:
    here = Path(__file__).parent
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "edits.journal")], cwd=here,
                         capture_output=True, text=True, timeout=120, env=_env(here))
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["stopped"] is not None, "the interrupt did not land during the commit"
    assert report["stopped"]["message"].startswith("Stopped after 40 of 93 edits; nothing is lost")
    assert report["stopped"]["done"] == 40
    assert 40 <= report["sent_before"] <= 80  # the second round's batches were in flight, some maybe landed
    # The resume re-read what may have landed unrecorded and found it applied: every certification holds
    # the new value, and no certification was written twice.
    assert report["ends"] == ["2027-06-30"] and report["certs"] == 93
    assert report["patches"] == 93
    assert sum(report["counts"].values()) == 93 and set(report["counts"]) <= {"applied", "already_applied"}


def _env(here: Path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(here), env.get("PYTHONPATH", "")) if p)
    return env

