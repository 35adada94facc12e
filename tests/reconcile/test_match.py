"""The matching rules and each status: keys without case or spaces, issuer variants, no ambiguity picked."""

from __future__ import annotations

import pandas as pd
import pytest

import certnb
from certnb.reconcile.match import Claim, Held, identifies, match, same_value

ANA = "ana.lopez@contoso.example"
BEN = "ben.okafor@contoso.example"
AZ104 = "Microsoft Certified: Azure Administrator Associate"
PMP = "Project Management Professional (PMP)"
CKA = "Certified Kubernetes Administrator (CKA)"


def hr(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), index=range(2, 2 + len(rows)))


def statuses(rec: certnb.Reconciliation) -> dict[int, str]:
    """Source row → status (Graph-only entries have no row)."""
    table = rec.table.dropna(subset=["row"])
    return {int(r): str(s) for r, s in zip(table["row"], table["status"], strict=True)}


def test_an_id_matches_without_case_or_spaces_and_equal_values_are_equal(frame: pd.DataFrame) -> None:
    rec = certnb.reconcile(frame, hr({"Email": f"  {ANA.upper()} ", "Title": f"  {AZ104}", "certificationId":
                                      " az104-ana ", "Expires": "2026-06-30"}))
    [line] = rec.table[rec.table["row"] == 2].to_dict("records")
    assert (line["status"], line["id"], line["person"]) == ("equal", "c1", f"Ana Lopez ({ANA})")


def test_a_renamed_title_with_the_same_id_is_one_certification_that_differs_in_its_title(
    frame: pd.DataFrame,
) -> None:
    rec = certnb.reconcile(frame, hr({"Email": ANA, "Title": "AZ-104 Azure Administrator",
                                      "certificationId": "AZ104-ANA", "Expires": "2027-06-30"}))
    assert statuses(rec) == {2: "different"}
    assert rec.table.loc[rec.table["row"] == 2, "differences"].item() == (
        f"Title {AZ104} → AZ-104 Azure Administrator; Expires 2026-06-30 → 2027-06-30")
    assert rec.differences[["field", "label"]].values.tolist() == [["displayName", "Title"],
                                                                  ["endDate", "Expires"]]


def test_without_an_id_title_and_issuer_match_and_issuer_spellings_agree(frame: pd.DataFrame) -> None:
    # Graph's PMP has no certification id and its company is spelled "MSFT"; the source says "Microsoft".
    rec = certnb.reconcile(frame, hr({"Email": ANA, "Title": "project management  professional (pmp)",
                                      "Issuing company": "Microsoft", "certificationId": "PMP-77"}))
    [line] = rec.table[rec.table["row"] == 2].to_dict("records")
    assert (line["status"], line["id"]) == ("different", "c2")
    assert line["differences"] == (
        "Title Project Management Professional (PMP) → project management  professional (pmp); "
        "Issuing company MSFT → Microsoft; Certification id (empty) → PMP-77")


def test_another_issuer_under_the_same_title_is_another_certification(frame: pd.DataFrame) -> None:
    rec = certnb.reconcile(frame, hr({"Email": ANA, "Title": PMP, "Issuing company": "ISACA"}))
    assert statuses(rec) == {2: "only_in_source"}
    assert set(rec.only_in_graph["id"]) == {"c1", "c2"}


def test_two_ids_that_differ_never_match_even_with_the_same_title(frame: pd.DataFrame) -> None:
    rec = certnb.reconcile(frame, hr({"Email": ANA, "Title": AZ104, "certificationId": "OTHER"}))
    assert statuses(rec) == {2: "only_in_source"}


def test_a_row_with_two_graph_candidates_is_ambiguous_and_lists_both(frame: pd.DataFrame) -> None:
    rec = certnb.reconcile(frame, hr({"Email": BEN, "Title": CKA, "certificationId": "LF-1"}))
    [line] = rec.ambiguous.to_dict("records")
    assert line["row"] == 2 and line["candidates"] == ("c3", "c4") and pd.isna(line["id"])
    assert "2 Graph certifications match: rec.decide(2," in line["detail"]
    assert rec.only_in_graph.empty  # the candidates wait for the decision, not counted as Graph-only
    assert rec.counts["ambiguous"] == 1 and rec.counts["equal"] == 0


def test_two_source_rows_claiming_one_graph_certification_are_both_ambiguous(frame: pd.DataFrame) -> None:
    rec = certnb.reconcile(frame, hr({"Email": ANA, "Title": AZ104, "certificationId": "AZ104-ANA"},
                                     {"Email": ANA, "Title": AZ104, "certificationId": "az104-ana"}))
    table = rec.ambiguous
    assert table["row"].tolist() == [2, 3] and table["candidates"].tolist() == [("c1",), ("c1",)]
    assert "source row 3 match the same one" in table["detail"].iloc[0]


def test_decide_settles_an_ambiguous_row_and_the_other_candidate_is_graph_only(frame: pd.DataFrame) -> None:
    rec = certnb.reconcile(frame, hr({"Email": BEN, "Title": CKA, "certificationId": "LF-1",
                                      "Expires": "2028-03-01"}))
    rec.decide(2, "c4")
    assert statuses(rec) == {2: "different"}
    assert rec.table.loc[rec.table["row"] == 2, "id"].item() == "c4"
    assert rec.only_in_graph["id"].tolist() == ["c3"]
    rec.decide(2, None)
    assert statuses(rec) == {2: "only_in_source"} and sorted(rec.only_in_graph["id"]) == ["c3", "c4"]


def test_decide_refuses_a_certification_of_someone_else_and_an_unknown_row(frame: pd.DataFrame) -> None:
    rec = certnb.reconcile(frame, hr({"Email": BEN, "Title": CKA, "certificationId": "LF-1"}))
    with pytest.raises(ValueError, match=r"'c1' is not a certification of Ben Okafor .* theirs are: c3, c4"):
        rec.decide(2, "c1")
    with pytest.raises(ValueError, match="the source has no row 9"):
        rec.decide(9, "c3")
    assert statuses(rec) == {2: "ambiguous"}


def test_a_person_not_in_the_tenant_is_unknown_and_nothing_of_theirs_is_matched(frame: pd.DataFrame) -> None:
    rec = certnb.reconcile(frame, hr({"Email": "gone@contoso.example", "Title": AZ104,
                                      "certificationId": "AZ104-ANA"}))
    [line] = rec.unknown_person.to_dict("records")
    assert line["person"] == "gone@contoso.example"
    assert "not in the tenant (left the company?)" in line["detail"]
    assert rec.only_in_graph.empty  # scope="people": the source names no one of the tenant


def test_scope_tenant_counts_every_unclaimed_graph_certification(frame: pd.DataFrame) -> None:
    source = hr({"Email": ANA, "Title": AZ104, "certificationId": "AZ104-ANA"})
    assert certnb.reconcile(frame, source).counts["only_in_graph"] == 1  # Ana's PMP
    assert certnb.reconcile(frame, source, scope="tenant").counts["only_in_graph"] == 3  # and Ben's two


def test_an_empty_source_cell_says_nothing_unless_blanks_clear(frame: pd.DataFrame) -> None:
    source = hr({"Email": ANA, "Title": AZ104, "certificationId": "AZ104-ANA", "Expires": None})
    assert statuses(certnb.reconcile(frame, source)) == {2: "equal"}
    cleared = certnb.reconcile(frame, source, clear_blanks=True)
    differences = cleared.table.loc[cleared.table["row"] == 2, "differences"].item()
    assert differences == "Expires 2026-06-30 → (empty)"


def test_columns_limits_what_is_compared(frame: pd.DataFrame) -> None:
    source = hr({"Email": ANA, "Title": "AZ-104", "certificationId": "AZ104-ANA", "Expires": "2027-06-30"})
    rec = certnb.reconcile(frame, source, columns=["certificationId", "Expires"])
    assert rec.fields == ("certificationId", "endDate")
    assert rec.table.loc[rec.table["row"] == 2, "differences"].item() == "Expires 2026-06-30 → 2027-06-30"


def test_identifies_needs_the_titles_to_agree_when_an_id_is_missing() -> None:
    assert not identifies({"displayName": "CKA"}, {"displayName": "CKAD"})
    assert not identifies({"certificationId": "X"}, {"displayName": "CKA"})  # no title to fall back on
    assert identifies({"displayName": "CKA"}, {"displayName": "cka", "issuingCompany": "Linux Foundation"})
    assert identifies({"displayName": "AWS CP", "issuingCompany": "Amazon Web Services Inc."},
                      {"displayName": "AWS CP", "issuingAuthority": "Amazon Web Services"})


def test_same_value_keeps_case_for_texts_but_not_for_certification_ids() -> None:
    assert not same_value("issuingCompany", "microsoft", "Microsoft")
    assert same_value("certificationId", "AB12", " ab12 ")
    assert not same_value("endDate", pd.NaT, pd.Timestamp("2027-01-01"))


def test_match_keeps_source_order_then_graph_only_entries() -> None:
    held = [Held("p", "g1", {"displayName": "A"}), Held("p", "g2", {"displayName": "B"})]
    claims = [Claim(5, "p", {"displayName": "B"}), Claim(3, None, {"displayName": "A"})]
    entries = match(held, claims, ["displayName"])
    assert [(e.status, e.row, e.graph_id) for e in entries] == [
        ("equal", 5, "g2"), ("unknown_person", 3, None), ("only_in_graph", None, "g1")]
