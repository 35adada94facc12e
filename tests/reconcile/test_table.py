"""The Reconciliation a manager reads: the table's columns, counts, filters, the text and the HTML."""

from __future__ import annotations

import pandas as pd

import certnb
from certnb.reconcile.match import STATUSES
from certnb.reconcile.table import TABLE_COLUMNS

ANA = "ana.lopez@contoso.example"


def sample(frame: pd.DataFrame) -> certnb.Reconciliation:
    source = pd.DataFrame([
        {"Email": ANA, "Title": "Microsoft Certified: Azure Administrator Associate",
         "certificationId": "AZ104-ANA", "Expires": "2027-06-30"},
        {"Email": "ben.okafor@contoso.example", "Title": "Certified Kubernetes Administrator (CKA)",
         "certificationId": "LF-1"},
        {"Email": "gone@contoso.example", "Title": "<b>PMP</b>"},
        {"Email": ANA, "Title": "CISSP"},
    ], index=[2, 3, 4, 5])
    return certnb.reconcile(frame, source)


def test_the_table_has_one_line_per_entry_sorted_by_status(frame: pd.DataFrame) -> None:
    rec = sample(frame)
    table = rec.table
    assert tuple(table.columns) == TABLE_COLUMNS
    assert table["status"].tolist() == ["different", "only_in_source", "only_in_graph", "ambiguous",
                                        "unknown_person"]
    assert table["row"].tolist()[:2] == [2, 5] and pd.isna(table["row"].iloc[2])
    assert table["row"].dtype == "Int64"
    assert table.loc[2, "title"] == "Project Management Professional (PMP)"  # Graph's title: no source row


def test_counts_hold_every_status_and_filters_give_their_rows(frame: pd.DataFrame) -> None:
    rec = sample(frame)
    assert tuple(rec.counts.index) == STATUSES
    assert rec.counts.to_dict() == {"equal": 0, "different": 1, "only_in_source": 1, "only_in_graph": 1,
                                    "ambiguous": 1, "unknown_person": 1}
    for status in STATUSES:
        assert (getattr(rec, status)["status"] == status).all()
        assert len(getattr(rec, status)) == rec.counts[status]


def test_the_text_summary_counts_and_says_what_to_do(frame: pd.DataFrame) -> None:
    text = repr(sample(frame))
    assert text.splitlines()[0] == (
        "Reconciliation of the DataFrame (4 rows, compared: Title, Certification id, Expires) with 4 "
        "certifications of 2 people in Graph (scope: the 2 people it names)")
    assert "  Different              1   Expires 1; stage() updates Graph from the source" in text
    assert "Ambiguous              1   a person decides: rec.decide(row, graph_id)" in text


def test_the_html_is_coloured_by_status_escaped_and_lists_what_to_decide(frame: pd.DataFrame) -> None:
    page = sample(frame)._repr_html_()
    assert "#c62828" in page and "#2e7d32" in page  # ambiguous red, equal green
    assert "source row 3 · Ben Okafor (ben.okafor@contoso.example) · Certified Kubernetes" in page
    assert "c3, c4" in page
    assert "<b>PMP</b>" not in page  # a title from the source is text, never markup


def test_source_fixes_say_what_to_change_in_the_source(frame: pd.DataFrame) -> None:
    fixes = sample(frame).source_fixes()
    change = fixes[fixes["action"] == "change"]
    assert change[["row", "label", "source", "graph"]].values.tolist() == [
        [2, "Expires", pd.Timestamp("2027-06-30"), pd.Timestamp("2026-06-30")]]
    added = fixes[fixes["action"] == "add"]
    assert added[["label", "graph"]].values.tolist() == [  # Ana's PMP, which the source does not hold
        ["Title", "Project Management Professional (PMP)"], ["Expires", pd.Timestamp("2027-01-01")]]
