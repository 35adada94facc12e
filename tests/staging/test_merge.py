"""Merging duplicates: the keeper rule, fills where the others agree, conflicts reported and never guessed,
the analyst's keep=/resolve= checked, and staging the plan (fills set on the keeper, the others deleted)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from certnb.errors import EditsRefused
from certnb.frame.audit import audit
from certnb.frame.build import build_frame
from certnb.staging import stage
from certnb.staging.merge import plan_merges
from certnb.staging.operations import DELETE

KENJI = "kenji.watanabe@contoso.example"
TITLE = "Microsoft Certified: Azure Solutions Architect Expert"


def cert(cert_id: str, modified: str | None = "2026-06-05T18:45:02Z", **fields: Any) -> dict[str, Any]:
    base = {"id": cert_id, "displayName": TITLE, "issuingAuthority": "Microsoft"}
    if modified is not None:
        base["lastModifiedDateTime"] = modified
    return {**base, **fields}


def kenji(*certs: dict[str, Any], others: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    return build_frame([
        {"id": "u-kenji", "userPrincipalName": KENJI, "displayName": "Kenji Watanabe",
         "certifications": list(certs)},
        {"id": "u-ana", "userPrincipalName": "ana@contoso.example", "displayName": "Ana Lopez",
         "certifications": others or [cert("ana-1", displayName="CKA")]},
    ])


def test_the_keeper_is_the_most_complete_record_even_an_older_one() -> None:
    df = kenji(cert("new1", "2026-10-22T17:23:40Z"),
               cert("old1", "2026-01-01T00:00:00Z", endDate="2027-04-29", webUrl="https://x.example/b"))
    [group] = plan_merges(df, df)
    assert (group.keeper, group.others) == ("old1", ("new1",))
    assert group.why.startswith("the most complete: 4 of 13 fields filled (the other: 2)")
    assert group.person == f"Kenji Watanabe ({KENJI})" and group.title == TITLE


def test_a_tie_in_completeness_keeps_the_latest_modified_then_the_lowest_id() -> None:
    later = kenji(cert("bbb1", "2026-10-22T17:23:40Z"), cert("aaa1", "2026-06-05T18:45:02Z"))
    [group] = plan_merges(later, later)
    assert group.keeper == "bbb1"
    assert "modified later (2026-10-22 17:23 vs 2026-06-05 18:45)" in group.why
    same = kenji(cert("bbb1", "2026-06-05T18:45:02Z"), cert("aaa1", "2026-06-05T18:45:02Z"),
                 cert("ccc1", None))
    [group] = plan_merges(same, same)
    assert (group.keeper, group.others) == ("aaa1", ("bbb1", "ccc1"))  # never-modified ranks last
    assert group.why.endswith("the lowest id")


def test_an_empty_field_of_the_keeper_is_filled_when_every_other_value_agrees() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", endDate="2027-04-29", description="Design."),
               cert("o1", webUrl="https://x.example/b"),
               cert("o2", webUrl="https://x.example/b", thumbnailUrl="https://x.example/t.svg"))
    [group] = plan_merges(df, df)
    assert group.keeper == "k1"
    assert dict(group.fills) == {"webUrl": "https://x.example/b", "thumbnailUrl": "https://x.example/t.svg"}
    assert group.conflicts == {}
    assert "fill Web URL: 'https://x.example/b' (from o2, o1)" in repr(plan_merges(df, df))


def test_conflicting_values_are_reported_and_the_keeper_left_as_is() -> None:
    df = kenji(cert("a1b2c3", "2026-10-22T17:23:40Z", endDate="2027-06-18", description="Design."),
               cert("c3d4e5", endDate="2028-06-18", issuedDate="2025-06-18"),
               cert("e5f6a7", endDate="2028-06-18"))
    plan = plan_merges(df, df)
    [group] = plan
    assert group.keeper == "a1b2c3" and group.changes == {"issuedDate": "2025-06-18"}  # a fill, not Expires
    assert dict(group.conflicts["endDate"]) == {"a1b2c3": "2027-06-18", "c3d4e5": "2028-06-18",
                                               "e5f6a7": "2028-06-18"}
    text = repr(plan)
    assert ("conflict Expires: 2027-06-18 (a1b2…, kept) vs 2028-06-18 (c3d4…, e5f6…): left as is, "
            "resolve= picks one") in text
    table = plan.conflicts
    assert table[["id", "value", "kept"]].values.tolist() == [
        ["a1b2c3", "2027-06-18", True], ["c3d4e5", "2028-06-18", False], ["e5f6a7", "2028-06-18", False]]
    assert set(table["label"]) == {"Expires"} and set(table["person"]) == {f"Kenji Watanabe ({KENJI})"}


def test_an_empty_keeper_field_the_others_disagree_on_stays_empty() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", description="Design.", webUrl="https://x.example/a"),
               cert("o1", endDate="2027-06-18"), cert("o2", endDate="2028-06-18"))
    [group] = plan_merges(df, df)
    assert group.keeper == "k1" and "endDate" not in group.fills and "endDate" in group.conflicts
    assert "2027-06-18 (o1) vs 2028-06-18 (o2): left empty, resolve= picks one" in repr(plan_merges(df, df))


def test_every_kind_of_field_is_filled_and_a_row_named_twice_is_one_record() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", endDate="2027-04-29", webUrl="https://x.example/a",
                    description="Design."),
               cert("o1", allowedAudiences="contacts,organization",
                    inference={"confidenceScore": 0.75, "userHasVerifiedAccuracy": True}))
    [group] = plan_merges(df, [0, 1, 0])
    assert len(group.records) == 2
    assert group.fills == {"allowedAudiences": "contacts,organization", "inference.confidenceScore": 0.75,
                           "inference.userHasVerifiedAccuracy": True}
    staged = stage(df)
    staged.merge_duplicates([("u-kenji", "o1"), ("u-kenji", "k1")])
    assert {e.field: e.after for e in staged if e.cert_id == "k1"} == group.fills


def test_staging_sets_the_fills_on_the_keeper_and_deletes_the_others() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", endDate="2027-04-29"), cert("o1", webUrl="https://x.example/b"))
    staged = stage(df)
    plan = staged.merge_duplicates(df)
    assert plan.staged == 2 and repr(plan).startswith("Merge staged from 3 chosen records")
    assert [(e.cert_id, e.field, e.before, e.after) for e in staged] == [
        ("k1", "webUrl", None, "https://x.example/b"), ("o1", DELETE, staged.edits[1].before, None)]
    assert list(staged.deletes) == [("u-kenji", "o1")]


def test_running_the_merge_again_stages_nothing_new() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", endDate="2027-04-29"), cert("o1", webUrl="https://x.example/b"))
    staged = stage(df)
    staged.merge_duplicates(audit(df, "2026-11-30"))
    edits = staged.edits
    again = staged.merge_duplicates(audit(df, "2026-11-30"))
    assert again.staged == 0 and "nothing new staged" in repr(again) and staged.edits == edits


def test_a_fill_never_replaces_a_value_staged_before_and_the_others_edits_go_with_them() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", endDate="2027-04-29"), cert("o1", webUrl="https://x.example/b"))
    staged = stage(df)
    staged.set(("u-kenji", "k1"), webUrl="https://x.example/mine")
    staged.set(("u-kenji", "o1"), description="doomed")
    plan = staged.merge_duplicates(df)
    assert plan.skipped == ((("u-kenji", "k1"), "webUrl"),)
    assert "Web URL of k1 was not filled: a value staged before is kept" in repr(plan)
    assert [(e.cert_id, e.field, e.after) for e in staged] == [
        ("k1", "webUrl", "https://x.example/mine"), ("o1", DELETE, None)]


def test_keep_chooses_the_keeper_by_group_or_by_ids() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", endDate="2027-04-29"), cert("o1", webUrl="https://x.example/b"),
               others=[cert("ana-1", displayName="CKA"), cert("ana-2", displayName="cka ")])
    rule = plan_merges(df, df)
    assert [g.keeper for g in rule] == ["ana-1", "k1"]  # groups by person, then title
    by_ids = plan_merges(df, df, keep=["ana-2", "o1"])
    assert [g.keeper for g in by_ids] == ["ana-2", "o1"]
    [_, kenji_group] = by_ids
    assert kenji_group.fills == {"endDate": "2027-04-29"} and kenji_group.others == ("k1",)
    assert kenji_group.why.startswith("chosen with keep= (3 of 13 fields filled; the rule would keep k1")
    by_group = plan_merges(df, df, keep={rule[1]: ("u-kenji", "o1"), "ana-1": "ana-2"})
    assert [g.keeper for g in by_group] == ["ana-2", "o1"]
    staged = stage(df)
    staged.merge_duplicates(df, keep="o1")
    assert list(staged.deletes) == [("u-ana", "ana-2"), ("u-kenji", "k1")]


def test_bad_keep_values_are_refused_naming_the_group_and_nothing_is_staged() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z"), cert("o1"), others=[cert("ana-1"), cert("ana-2")])
    staged = stage(df)
    with pytest.raises(EditsRefused) as refused:
        staged.merge_duplicates(df, keep={"k1": "ana-2", "nope": "k1"})
    first, second = refused.value.problems
    assert first.person == f"Kenji Watanabe ({KENJI})" and first.certification == TITLE
    assert "keep: 'ana-2' is not a record of this group (its records: k1, o1)" in str(first)
    assert "keep: no group of duplicates holds a record 'nope'" in str(second)
    with pytest.raises(EditsRefused, match="keep names two records of this group to keep"):
        staged.merge_duplicates(df, keep=["k1", "o1"])
    with pytest.raises(TypeError, match="keep= takes a mapping"):
        staged.merge_duplicates(df, keep=3)
    assert len(staged) == 0


def test_resolve_picks_a_conflicts_value_explicitly() -> None:
    df = kenji(cert("a1b2c3", "2026-10-22T17:23:40Z", endDate="2027-06-18", description="Design."),
               cert("c3d4e5", endDate="2028-06-18"))
    staged = stage(df)
    plan = staged.merge_duplicates(df, resolve={("c3d4", "Expires"): "2028-06-18"})
    [group] = plan
    assert group.resolved == {"endDate": "2028-06-18"} and group.changes == {"endDate": "2028-06-18"}
    assert "conflict Expires: 2027-06-18 (a1b2…) vs 2028-06-18 (c3d4…): resolved to 2028-06-18" in repr(plan)
    assert plan.conflicts["resolved"].tolist() == ["2028-06-18", "2028-06-18"]
    assert [(e.cert_id, e.field, e.after) for e in staged] == [
        ("a1b2c3", "endDate", "2028-06-18"), ("c3d4e5", DELETE, None)]


def test_bad_resolve_values_are_refused_and_nothing_is_staged() -> None:
    df = kenji(cert("a1b2c3", "2026-10-22T17:23:40Z", endDate="2027-06-18", description="Design."),
               cert("c3d4e5", endDate="2028-06-18"))
    staged = stage(df)
    with pytest.raises(EditsRefused) as refused:
        staged.merge_duplicates(df, resolve={("a1b2c3", "endDate"): "2028-02-30",
                                             ("a1b2c3", "Title"): "AZ-305",
                                             ("a1b2c3", "Created"): "x",
                                             "a1b2c3": "2028-06-18"})
    texts = [str(p) for p in refused.value.problems]
    assert "Expires must be a date YYYY-MM-DD; got '2028-02-30' (no such day)" in texts[0]
    assert texts[0].startswith(f"Kenji Watanabe ({KENJI}) · {TITLE}")
    assert "the records do not disagree on Title, so there is nothing to resolve" in texts[1]
    assert "'Created' is not a writable field" in texts[2]
    assert "each key is (group or id, field)" in texts[3]
    assert len(staged) == 0


def test_a_fill_that_breaks_the_date_order_refuses_the_whole_merge() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", startDate="2027-01-01", description="Design."),
               cert("o1", endDate="2026-12-31"),
               others=[cert("ana-1", displayName="CKA"), cert("ana-2", displayName="CKA")])
    staged = stage(df)
    with pytest.raises(EditsRefused, match="Expires 2026-12-31 is before Valid from 2027-01-01"):
        staged.merge_duplicates(df)
    assert len(staged) == 0  # not even Ana's merge, which alone would pass


def test_a_keeper_staged_for_deletion_is_refused() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z"), cert("o1"))
    staged = stage(df)
    staged.delete(("u-kenji", "k1"))
    with pytest.raises(EditsRefused, match=r"the record to keep \(k1\) is staged for deletion"):
        staged.merge_duplicates(df)
    assert list(staged.deletes) == [("u-kenji", "k1")]


def test_a_selection_with_one_record_per_certification_merges_nothing_and_says_so() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z"), cert("o1"), others=[cert("ana-1", displayName="CKA")])
    staged = stage(df)
    plan = staged.merge_duplicates(df.index[[0, 2]])  # one of Kenji's two, and Ana's only one
    assert len(plan) == 0 and plan.staged == 0 and len(staged) == 0
    assert repr(plan) == ("Merge plan: the 2 chosen records have no duplicate among the chosen records: "
                          "nothing to merge")
    findings = audit(df[df["userId"] == "u-ana"], "2026-11-30")
    assert repr(plan_merges(df, findings)) == (
        'Merge plan: 0 "duplicate" findings: no record has a duplicate among them, nothing to merge')


def test_findings_group_by_title_or_certification_id_and_other_rules_are_ignored() -> None:
    df = kenji(cert("k1", "2026-10-22T17:23:40Z", certificationId="A014CF10", endDate="2026-01-31"),
               cert("o1", displayName="AZ-305", certificationId=" A014CF10"),
               cert("o2", displayName=" microsoft certified: azure solutions architect EXPERT"),
               cert("x1", displayName="AZ-104", certificationId="a014cf10"),  # another reference: not linked
               others=[cert("ana-1", displayName="CKA", endDate="2026-01-31")])
    findings = audit(df, "2026-11-30")
    assert {"expired", "duplicate"} <= set(findings["rule"])
    [group] = plan_merges(df, findings)
    assert set(group.keys) == {("u-kenji", "k1"), ("u-kenji", "o1"), ("u-kenji", "o2")}
    assert set(group.conflicts) >= {"displayName"}  # the titles differ: reported, the keeper's kept


def test_rows_the_frame_does_not_hold_are_refused() -> None:
    df = kenji(cert("k1"), cert("o1"))
    stranger = pd.DataFrame({"rule": ["duplicate"], "userId": ["u-kenji"], "id": ["gone"]})
    with pytest.raises(EditsRefused, match="no certification 'gone' of user 'u-kenji' in the frame"):
        plan_merges(df, stranger)
    with pytest.raises(TypeError, match="needs the columns userId and id"):
        plan_merges(df, pd.DataFrame({"x": [1]}))


def test_the_notebook_view_shows_the_records_side_by_side_the_keeper_marked() -> None:
    df = kenji(cert("a1b2c3", "2026-10-22T17:23:40Z", endDate="2027-06-18", description="Design."),
               cert("c3d4e5", endDate="2028-06-18", webUrl="https://x.example/<b>"))
    shown = plan_merges(df, df)._repr_html_()
    assert "<th class='certnb-keeper'>keep a1b2…</th><th class='certnb-deleted'>delete c3d4…</th>" in shown
    assert "<td class='certnb-fill'>→ https://x.example/&lt;b&gt;</td>" in shown
    assert "<td class='certnb-conflict'>2027-06-18</td><td class='certnb-conflict'>2028-06-18</td>" in shown
    assert "Conflicts (nothing guessed)" in shown and "<b>" not in shown.split("Web URL")[1].split("</tr>")[0]


def test_the_sample_tenants_duplicates_are_each_merged_into_their_latest_record(
    tenant_frame: pd.DataFrame,
) -> None:
    findings = audit(tenant_frame, "2026-11-30")
    staged = stage(tenant_frame)
    plan = staged.merge_duplicates(findings)
    duplicates = findings[findings["rule"] == "duplicate"]
    assert len(plan) * 2 == len(duplicates) and len(staged.deletes) == len(plan)
    kenji_group = next(g for g in plan if g.person.endswith(f"({KENJI})"))
    assert kenji_group.title == TITLE and kenji_group.keeper.startswith("06c41054")
    assert kenji_group.fills == {} and kenji_group.conflicts == {}
