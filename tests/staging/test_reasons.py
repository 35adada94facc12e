"""Reasons and who staged: every way of staging journals why and by whom; a required reason refuses a call
without one, naming each change; a journal written before reasons existed still opens."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

from certnb.errors import ConfigError, EditsRefused
from certnb.frame.changes import read_edits
from certnb.staging import Staged, stage
from certnb.staging.journal_file import FORMAT_VERSION
from certnb.staging.reason import ACCOUNT_ATTR, REASON_ENV

MEGAN = "megan@contoso.example"


def test_the_reason_and_the_staging_account_are_journaled_with_each_edit(
    own_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "edits.journal"
    staged = stage(own_frame, journal=path, staged_by=MEGAN)
    staged.set(0, endDate="2029-06-30", reason="  CHG-1042: renewal confirmed by the learning system ")
    staged.apply(1, description=lambda row: "checked", reason="ticket 7")
    staged.add(own_frame["userPrincipalName"].iat[0], displayName="CKA", reason="new exam passed")
    staged.delete(2, reason="duplicate of row 0")
    staged.set(3, description="no reason given")
    by_field = {(e.cert_id, e.field): (e.reason, e.staged_by) for e in staged}
    staged.close()
    reopened = Staged.open(path)
    assert {(e.cert_id, e.field): (e.reason, e.staged_by) for e in reopened} == by_field
    reasons = {e.reason for e in reopened}
    assert reasons == {"CHG-1042: renewal confirmed by the learning system", "ticket 7", "new exam passed",
                       "duplicate of row 0", None}
    assert {e.staged_by for e in reopened} == {MEGAN}
    table = reopened.diff().table
    assert table.loc[table["field"] == "endDate", "reason"].tolist() == [
        "CHG-1042: renewal confirmed by the learning system"]
    reopened.close()


def test_the_staging_account_is_the_loading_session_s_unless_given(own_frame: pd.DataFrame) -> None:
    frame = own_frame.copy()
    frame.attrs[ACCOUNT_ATTR] = "adele@contoso.example"  # what Session.load sets
    assert stage(frame).set(0, description="x").edits[0].staged_by == "adele@contoso.example"
    assert stage(frame, staged_by=MEGAN).staged_by == MEGAN
    assert stage(own_frame).set(0, description="x").edits[0].staged_by is None


def test_a_required_reason_refuses_the_whole_call_naming_each_change(
    own_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "edits.journal"
    staged = stage(own_frame, journal=path, require_reason=True)
    with pytest.raises(EditsRefused) as caught:
        staged.set([0, 1], endDate="2029-06-30")
    assert len(caught.value.problems) == 2
    first = caught.value.problems[0]
    assert first.label == "Expires" and first.rule.startswith("a reason is required: ")
    assert first.person and own_frame["userPrincipalName"].iat[0] in first.person
    assert first.certification == own_frame["displayName"].iat[0]
    assert "nothing was staged" in str(caught.value)
    for call in (lambda: staged.delete(0), lambda: staged.add(own_frame["userPrincipalName"].iat[0],
                                                               displayName="CKA"),
                 lambda: staged.set(0, endDate="2029-06-30", reason="   ")):
        with pytest.raises(EditsRefused, match="a reason is required"):
            call()
    assert len(staged) == 0 and staged.journal.events() == []  # nothing staged, nothing journaled
    staged.set([0, 1], endDate="2029-06-30", reason="CHG-7")
    assert [e.reason for e in staged] == ["CHG-7", "CHG-7"]
    with staged.because("CHG-8"):  # one reason for several calls (a grid's, a form's)
        staged.delete(2)
    assert staged.deletes and [e.reason for e in staged if e.field == "@delete"] == ["CHG-8"]
    staged.close()


def test_the_environment_requires_a_reason_when_the_argument_does_not_say(
    own_frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REASON_ENV, "1")
    assert stage(own_frame).require_reason
    assert not stage(own_frame, require_reason=False).require_reason  # the argument wins
    with pytest.raises(EditsRefused, match="a reason is required"):
        stage(own_frame).set(0, description="x")
    monkeypatch.setenv(REASON_ENV, "maybe")
    with pytest.raises(ConfigError, match="CERTNB_REQUIRE_REASON: bad value 'maybe' for 'require_reason'"):
        stage(own_frame)


def test_a_spreadsheet_s_reason_column_gives_each_row_its_reason(
    own_frame: pd.DataFrame, tmp_path: Path
) -> None:
    from certnb.frame.spreadsheet import to_csv

    path = tmp_path / "edit.csv"
    to_csv(own_frame.head(3), path)
    sheet = pd.read_csv(path, dtype=str, keep_default_na=False)
    sheet.loc[0, "description"] = "renewed"
    sheet.loc[1, "description"] = "checked"
    sheet["Reason"] = ["CHG-1", "", ""]
    sheet.to_csv(path, index=False)
    edits = read_edits(own_frame, path)
    assert edits.problems.empty and edits.changes["reason"].tolist() == ["CHG-1", None]
    staged = stage(own_frame, require_reason=True)
    with pytest.raises(EditsRefused) as caught:  # row 3 of the file says no reason
        staged.from_changes(edits)
    assert [p.where for p in caught.value.problems] == ["spreadsheet row 3"]
    staged.from_changes(edits, reason="sheet from HR, 2026-12-01")
    assert [e.reason for e in staged] == ["CHG-1", "sheet from HR, 2026-12-01"]


def test_the_review_says_why_and_who_staged(own_frame: pd.DataFrame) -> None:
    staged = stage(own_frame, staged_by=MEGAN).set(0, endDate="2029-06-30", reason="CHG-7")
    [line] = staged.diff().lines()
    assert line.why == f"because CHG-7 (staged by {MEGAN})" and str(line).endswith(line.why)
    assert f"because CHG-7 (staged by {MEGAN})" in staged._repr_html_()
    assert "<th>Why</th>" in staged._repr_html_()
    assert "<th>Why</th>" not in stage(own_frame).set(0, endDate="2029-06-30")._repr_html_()


def test_a_journal_written_before_reasons_existed_opens_and_takes_reasons(
    own_frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "format4.journal"
    staged = stage(own_frame, journal=path).set(0, description="from an older certnb")
    seq = staged.edits[0].seq
    staged.close()
    with closing(sqlite3.connect(path)) as db, db:  # as certnb wrote it before issue 20 (format 4)
        db.execute("ALTER TABLE events DROP COLUMN reason")
        db.execute("ALTER TABLE events DROP COLUMN staged_by")
        db.execute("ALTER TABLE outcomes DROP COLUMN committed_by")
        db.execute("INSERT INTO outcomes (edit_seq, user_id, cert_id, field, attempt, outcome, time, done) "
                   "SELECT seq, user_id, cert_id, field, 1, 'failed', time, 0 FROM events")
        db.execute("UPDATE meta SET value = '4' WHERE key = 'format'")
    reopened = Staged.open(path, own_frame, staged_by=MEGAN)
    [old] = reopened.edits
    assert (old.seq, old.after, old.reason, old.staged_by) == (seq, "from an older certnb", None, None)
    assert reopened.outcomes()[["outcome", "reason", "committed_by"]].values.tolist() == [
        ["failed", None, None]]
    reopened.set(1, description="with a reason", reason="CHG-9")
    assert [(e.reason, e.staged_by) for e in reopened] == [(None, None), ("CHG-9", MEGAN)]
    reopened.close()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone() == (FORMAT_VERSION,)
    assert [e.reason for e in Staged.open(path)] == [None, "CHG-9"]
