"""Who changed Ana's expiry date, when and why: one answer, from the audit log, after a commit against the
emulator — the reason given when staging, the account that staged and the one that committed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from commit_tenant import ADMIN, committed, key, remote_patch, user_id

import certnb
from certnb.commit.audit_log import AuditLog, read_audit_log
from certnb.emulator.server import Emulator
from certnb.session.session import Session
from certnb.staging import stage

MEGAN = "megan.bowen@contoso.example"


def test_who_changed_an_expiry_date_when_and_why(emu: Emulator, graph: Session, tmp_path: Path) -> None:
    df = graph.load(users="all")
    journal = tmp_path / "edits.journal"
    staged = stage(df, journal=journal, staged_by=MEGAN)  # Megan stages; the session's account commits
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30", reason="renewal confirmed by the learning system")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30", reason="CHG-1042")
    remote_patch(emu, 2, "cert-2-0", {"endDate": "2029-01-31"})  # someone else got there first: a conflict
    result = committed(graph, staged)

    upn = staged.rows[key(1, "cert-1-0")].user_principal_name
    assert upn is not None
    [change] = certnb.audit_log(staged).who_changed(person=upn.upper(), field="Expires").to_dict("records")
    assert (change["person"], change["userId"], change["id"], change["field"]) == (
        upn, user_id(1), "cert-1-0", "Expires")
    assert (change["before"], change["after"], change["outcome"]) == ("2026-12-31", "2027-06-30", "applied")
    assert change["reason"] == "renewal confirmed by the learning system"
    assert (change["staged_by"], change["committed_by"]) == (MEGAN, ADMIN)
    assert change["certification"] == staged.rows[key(1, "cert-1-0")].display_name
    assert pd.Timestamp(change["when"]).year >= 2026 and change["requestId"]

    # The conflict landed nothing: it is no answer to "who changed it", yet the log keeps it, with its reason.
    log = AuditLog(journal.with_name("edits.journal.audit.jsonl"))
    assert log.who_changed(person=user_id(2)).empty
    [conflict] = log.who_changed(person=user_id(2), outcomes=["conflict"]).to_dict("records")
    assert conflict["reason"] == "CHG-1042"

    # The result table and the journal tell the same, for another engineer's change log.
    lines = result.table.set_index("id")
    assert lines.loc["cert-1-0", ["reason", "staged_by", "committed_by"]].tolist() == [
        "renewal confirmed by the learning system", MEGAN, ADMIN]
    assert sorted(staged.outcomes()[["id", "reason", "staged_by", "committed_by"]].values.tolist()) == [
        ["cert-1-0", "renewal confirmed by the learning system", MEGAN, ADMIN],
        ["cert-2-0", "CHG-1042", MEGAN, ADMIN]]
    assert {e["staged_by"] for e in read_audit_log(log.path)} == {MEGAN}


def test_a_session_s_load_names_its_account_as_the_staging_account(graph: Session) -> None:
    staged = stage(graph.load(users="all"))
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    assert [e.staged_by for e in staged] == [ADMIN]


def test_connect_require_reason_makes_staging_its_loads_need_one(emu: Emulator, tmp_path: Path) -> None:
    from certnb.errors import EditsRefused
    from certnb.session import SignIn

    with certnb.connect(emu, sign_in=SignIn(token=emu.access_token()), require_reason=True,
                        environ={}) as session:
        staged = stage(session.load(users="all"))
    assert staged.require_reason
    with pytest.raises(EditsRefused, match="a reason is required"):
        staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    config = tmp_path / "config.toml"
    config.write_text("require_reason = true\n", encoding="utf-8")
    with certnb.connect(emu, sign_in=SignIn(token=emu.access_token()), config_file=config,
                        environ={}) as session:
        assert session.require_reason is True
    with certnb.connect(emu, sign_in=SignIn(token=emu.access_token()),
                        environ={"CERTNB_REQUIRE_REASON": "0"}) as session:
        assert not stage(session.load(users="all")).require_reason
