"""Staging a reconciliation against the emulator: creates and updates staged and committed, deletes only when
asked, ambiguous and unknown rows never staged, refusals naming the source row, re-running stages nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hr_export import COLUMNS, EXPORT

import certnb
from certnb.emulator.server import Emulator
from certnb.session import Session

KENJI = "kenji.watanabe@contoso.example"
ZOE = "zoe.angstrom@contoso.example"


def held_ids(emu: Emulator, upn: str) -> list[str]:
    """The ids of the certifications the emulator holds for `upn` now."""
    users = emu.state()["users"]
    return [c["id"] for u in users if u["userPrincipalName"] == upn for c in u["certifications"]]


def reconciled(df: pd.DataFrame) -> certnb.Reconciliation:
    return certnb.reconcile(df, EXPORT, on="email", columns=COLUMNS, date_format="%d/%m/%Y")


def test_creates_and_updates_are_staged_committed_and_agree_on_reload(graph: Session) -> None:
    df = graph.load(users="all")
    rec = reconciled(df)
    staged = certnb.stage(df)
    report = rec.stage(staged)
    assert (len(report.created), len(report.updated), report.deleted) == (4, 15, ())
    assert len(staged.creates) == 4 and not staged.deletes
    assert sorted(report.skipped["status"]) == ["ambiguous", "only_in_graph", "unknown_person",
                                                "unknown_person", "unknown_person"]
    result = graph.commit(staged)
    assert result.ok, result.summary()
    again = reconciled(graph.load(users="all"))
    assert again.counts.to_dict() == {"equal": 65, "different": 0, "only_in_source": 1, "only_in_graph": 1,
                                      "ambiguous": 1, "unknown_person": 3}
    assert again.only_in_source["title"].tolist() == ["AWS Certified Solutions Architect – Associate"]


def test_a_refused_row_names_the_source_row_person_field_value_and_rule(graph: Session) -> None:
    df = graph.load(users="all")
    staged = certnb.stage(df)
    report = reconciled(df).stage(staged)
    [problem] = report.refused
    assert str(problem) == (
        "source row 10 · José Núñez (jose.nunez@contoso.example) · AWS Certified Solutions Architect – "
        "Associate: Expires 2024-09-15 is before Valid from 2026-09-15 "
        "(Expires must not be before Valid from)")
    assert (problem.row, problem.label, problem.value) == (10, "Expires", "2024-09-15")
    assert "Refused, nothing of these staged: 1 row" in repr(report)
    assert report.refusals()["where"].tolist() == ["source row 10"]
    titles = {v["displayName"] for v in staged.creates.values()}
    assert "AWS Certified Solutions Architect – Associate" not in titles  # the refused row stages nothing


def test_staging_again_stages_nothing_new(graph: Session) -> None:
    df = graph.load(users="all")
    rec = reconciled(df)
    staged = certnb.stage(df)
    first = rec.stage(staged)
    edits = len(staged)
    second = rec.stage(staged)
    assert first.edits_added == edits > 0 and second.edits_added == 0 and len(staged) == edits
    assert "0 edits added to the journal (the rest were staged already)" in repr(second)


def test_nothing_is_deleted_unless_asked_and_then_only_what_is_named(emu: Emulator, graph: Session) -> None:
    df = graph.load(users="all")
    rec = reconciled(df)
    staged = certnb.stage(df)
    rec.stage(staged)
    assert not staged.deletes
    [zoe_only] = rec.only_in_graph["id"].tolist()
    report = rec.stage(staged, create=False, update=False, delete=True, rows=[zoe_only])
    assert report.deleted == (zoe_only,) and list(staged.deletes) == [(df.loc[df["id"] == zoe_only,
                                                                               "userId"].item(), zoe_only)]
    graph.commit(staged)
    held = held_ids(emu, ZOE)
    assert zoe_only not in held and len(held) == 1


def test_an_ambiguous_row_is_staged_only_once_decided_and_its_duplicate_deleted_when_asked(
    emu: Emulator, graph: Session,
) -> None:
    df = graph.load(users="all")
    rec = reconciled(df)
    [row] = rec.ambiguous["row"].tolist()
    first, second = rec.ambiguous["candidates"].item()
    staged = certnb.stage(df)
    report = rec.stage(staged, rows=[row])
    assert len(staged) == 0 and report.skipped["status"].tolist() == ["ambiguous"]
    rec.decide(row, first)
    assert rec.table.loc[rec.table["row"] == row, "status"].item() == "equal"
    assert second in rec.only_in_graph["id"].tolist()
    rec.stage(staged, delete=True, rows=[second])
    graph.commit(staged)
    kenji = held_ids(emu, KENJI)
    assert first in kenji and second not in kenji
    again = reconciled(graph.load(users="all"))
    assert again.table.loc[again.table["row"] == row, "status"].item() == "equal"


def test_take_graph_stages_nothing_and_lists_what_to_fix_in_the_source(
    graph: Session, tmp_path: Path,
) -> None:
    df = graph.load(users="all")
    rec = reconciled(df)
    staged = certnb.stage(df)
    report = rec.stage(staged, take="graph")
    assert len(staged) == 0 and report.to_fix is not None
    fixes = report.to_fix
    lapsed = fixes[(fixes["row"] == 13) & (fixes["field"] == "endDate")]
    assert lapsed[["action", "label", "source", "graph"]].values.tolist() == [
        ["change", "Expires", pd.Timestamp("2025-04-13"), pd.Timestamp("2028-04-13")]]
    assert (fixes["action"] == "add").any()  # Zoë's Azure Fundamentals, unknown to the HR system
    out = certnb.write_tables(fixes, tmp_path / "fix-in-hr.csv")
    assert "Cisco Certified Network Associate (CCNA)" in out.read_text(encoding="utf-8-sig")
    assert "take='graph'" in repr(report)


def test_create_and_update_can_be_left_out_and_rows_can_be_a_table_subset(graph: Session) -> None:
    df = graph.load(users="all")
    rec = reconciled(df)
    staged = certnb.stage(df)
    report = rec.stage(staged, update=False, rows=rec.only_in_source.tail(2))  # not José's, refused
    assert len(report.created) == 2 and not report.updated and len(staged.creates) == 2
    report = rec.stage(staged, create=False, rows=rec.different)
    assert len(report.updated) == 15 and len(staged.creates) == 2


def test_stage_refuses_a_bad_take(graph: Session) -> None:
    df = graph.load(users="all")
    with pytest.raises(ValueError, match="take must be 'source'"):
        reconciled(df).stage(certnb.stage(df), take="hr")  # type: ignore[arg-type]


def test_every_edit_a_reconciliation_stages_carries_its_reason(graph: Session) -> None:
    df = graph.load(users="all")
    staged = certnb.stage(df)
    reconciled(df).stage(staged, reason="HR export of 2026-11-30")
    assert len(staged) > 0 and {e.reason for e in staged} == {"HR export of 2026-11-30"}
