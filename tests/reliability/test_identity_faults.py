"""Sign-in faults in the middle of a commit (contract §9): an expired access token is renewed silently from
the refresh token; a revoked refresh token stops the run with a clear message and the journal intact.

Both use the emulator's identity hooks (`expire_access_tokens`, `revoke_refresh_tokens`), fired from another
thread once the commit has started writing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from reliability_tenant import comparable, expected_state, seed, targets

import certnb
from certnb.commit.journal_outcomes import latest_outcomes
from certnb.commit.outcome import DONE
from certnb.emulator.server import Emulator
from certnb.errors import AuthenticationError, CertnbError
from certnb.graph.client import Graph
from certnb.staging import Staged

EDITS = 200


def stage_all(graph: Graph, journal: Path) -> Staged:
    frame = graph.load(users="all")
    wanted = {(u, c): end for u, c, end in targets(EDITS)}
    keys = list(zip(frame["userId"], frame["id"], strict=True))
    values = pd.Series([wanted.get(k) for k in keys], index=frame.index, dtype=object)
    staged = certnb.stage(frame, journal=journal)
    staged.set(frame["userId"] != "u-admin", endDate=values)
    assert len(staged) == EDITS
    return staged


def when_writing(emu: Emulator, action: Callable[[], object]) -> threading.Thread:
    """Run `action` from another thread as soon as the emulator has seen the commit's first PATCH."""

    def wait_then_act() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(route.startswith("PATCH ") for route in emu.stats()["by_route"]):
                action()
                return
            time.sleep(0.002)

    thread = threading.Thread(target=wait_then_act, daemon=True)
    thread.start()
    return thread


def access_token(graph: Graph) -> str:
    """The session's current access token, read from its MSAL token source (to compare before and after)."""
    token: str = graph._transport.auth.source._access_token  # type: ignore[attr-defined]
    return token


def test_expired_access_token_is_renewed_silently(tmp_path: Path) -> None:
    with Emulator(seed(EDITS), latency_ms=15) as emu:
        graph = certnb.connect(emulator=emu, write=True, all_users=True, max_concurrency=2)
        with graph:
            staged = stage_all(graph, tmp_path / "edits.journal")
            initial, before = emu.state(), access_token(graph)
            expiring = when_writing(emu, emu.app.identity.expire_access_tokens)
            result = graph.commit(staged)
            expiring.join(timeout=10)
            after = access_token(graph)
        stats = emu.stats()

    assert result.ok, result.counts
    assert int(stats["by_status"].get("401", 0)) > 0  # the expiry really hit the run
    assert after != before  # ... and a new token was fetched silently from the refresh token
    writes = {(u, c): end for u, c, end in targets(EDITS)}
    assert comparable(emu.state()) == expected_state(initial, writes)


def test_revoked_refresh_token_stops_the_run_and_keeps_the_journal(tmp_path: Path) -> None:
    journal = tmp_path / "edits.journal"
    with Emulator(seed(EDITS), latency_ms=15) as emu:

        def revoke() -> None:
            emu.app.identity.revoke_refresh_tokens()
            emu.app.identity.expire_access_tokens()

        graph = certnb.connect(emulator=emu, write=True, all_users=True, max_concurrency=2)
        with graph:
            staged = stage_all(graph, journal)
            initial, edits = emu.state(), staged.edits
            revoking = when_writing(emu, revoke)
            with pytest.raises(CertnbError) as stopped:
                graph.commit(staged)
            revoking.join(timeout=10)

        message = str(stopped.value)
        assert isinstance(stopped.value, AuthenticationError), repr(stopped.value)
        assert "sign in again" in message
        staged.close()

        # The run stopped part-way: some PATCHes landed, not all.
        server = comparable(emu.state())
        landed = [e for e in edits if server[e.row_key]["endDate"] == e.after]
        assert 0 < len(landed) < EDITS
        # The journal is intact: every staged edit, and a done outcome only where the server holds the value
        # (writes that landed unrecorded are found on resume).
        reopened = Staged.open(journal)
        assert reopened.edits == edits
        latest = latest_outcomes(reopened.journal)
        for edit in edits:
            record = latest.get(edit.seq)
            if record is not None and record.outcome in DONE:
                assert server[edit.row_key]["endDate"] == edit.after
        assert len(reopened.pending()) >= EDITS - len(landed)

        # Signing in again and committing the reopened journal finishes the job exactly.
        with certnb.connect(emulator=emu, write=True, all_users=True) as again:
            result = again.commit(reopened)
        assert result.ok, result.counts
        assert len(result) == EDITS
        writes = {(u, c): end for u, c, end in targets(EDITS)}
        assert comparable(emu.state()) == expected_state(initial, writes)
