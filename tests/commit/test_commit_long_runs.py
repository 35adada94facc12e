"""Commits longer than a token: one outliving its access token goes on (silent refresh from the refresh
token); one outliving its refresh token stops cleanly, saying to sign in again and how to resume, and
resumes to completion after a new sign-in."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from commit_tenant import patches_sent, seed

import certnb
from certnb.emulator.server import Emulator
from certnb.errors import AuthenticationError
from certnb.session.session import Session
from certnb.staging import Staged, stage

NEW_END = "2027-06-30"
CERTS = 93  # 31 people × 3: three journaled rounds at max_concurrency=1


def staged_ends(session: Session, journal: Path) -> Staged:
    frame = session.load(users="all")
    staged = stage(frame, journal=journal)
    staged.set(frame["userPrincipalName"] != "", endDate=NEW_END)
    return staged


def access_token(session: Session) -> str:
    token: str = session._transport.auth.source._access_token  # type: ignore[attr-defined]
    return token


def ends(emu: Emulator) -> list[str]:
    return [c["endDate"] for u in emu.state()["users"] for c in u["certifications"]]


def test_a_commit_longer_than_the_access_token_renews_it_silently(tmp_path: Path) -> None:
    with Emulator(seed=seed(31, 3), page_size=5, token_lifetime_s=2, latency_ms=300) as emu, \
            certnb.connect(emulator=emu, write=True, all_users=True, max_concurrency=1) as session:
        staged = staged_ends(session, tmp_path / "edits.journal")
        first, began = access_token(session), time.monotonic()
        result = session.commit(staged)
        outlived = time.monotonic() - began > 2  # the run outlived the token it started with
        renewed = access_token(session) != first
        stats = emu.stats()

    assert outlived, "the commit was too quick to outlive its token: nothing tested"
    assert result.counts == {"applied": CERTS}
    assert renewed  # a new token, from the refresh token, without asking anyone
    # Every request was answered in the end: a token that expired on its way (a 2 s token's `exp` is whole
    # seconds) was refused 401 and sent again with a renewed one (certnb/graph/auth.py), never given up.
    assert set(stats["by_status"]) <= {"200", "401"}


def test_a_commit_longer_than_the_refresh_token_stops_cleanly_and_resumes_after_sign_in(
    tmp_path: Path
) -> None:
    journal = tmp_path / "edits.journal"
    # The refresh token lapses (2 s) before the access token (4 s) is due for renewal: its renewal is
    # refused with invalid_grant AADSTS700082, as a sign-in left unused past its lifetime is.
    with Emulator(seed=seed(31, 3), page_size=5, token_lifetime_s=4, refresh_token_lifetime_s=2,
                  latency_ms=300) as emu:
        with certnb.connect(emulator=emu, write=True, all_users=True, max_concurrency=1) as session:
            staged = staged_ends(session, journal)
            with pytest.raises(AuthenticationError) as stopped:
                session.commit(staged)
        message = str(stopped.value)
        assert "AADSTS700082" in message and "sign in again with certnb.connect(...)" in message
        assert "nothing is lost" in message and str(journal) in message
        assert "Once signed in again, resume with: session.commit(staged)" in message
        sent = patches_sent(emu)
        assert 0 < sent < CERTS  # it stopped part-way

        with certnb.connect(emulator=emu, write=True, all_users=True) as again:
            result = again.commit(staged)
        assert result.ok and sum(result.counts.values()) == CERTS
        assert ends(emu) == [NEW_END] * CERTS
        assert patches_sent(emu) == CERTS  # the resume sent only what had not landed
