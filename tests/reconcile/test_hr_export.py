"""The shipped sample, data/hr-export.csv: made by its generator, and reconciled as its docstring says."""

from __future__ import annotations

import pandas as pd
from hr_export import COLUMNS, EXPECTED, EXPORT, text

import certnb


def reconciled(tenant_frame: pd.DataFrame) -> certnb.Reconciliation:
    return certnb.reconcile(tenant_frame, EXPORT, on="email", columns=COLUMNS, date_format="%d/%m/%Y")


def test_the_committed_export_is_what_the_generator_makes() -> None:
    assert EXPORT.read_bytes() == text().encode("utf-8"), "run: .venv/bin/python tests/reconcile/hr_export.py"
    assert 40 <= text().count("\r\n") - 1 <= 80


def test_each_status_is_found_as_many_times_as_the_sample_holds(tenant_frame: pd.DataFrame) -> None:
    rec = reconciled(tenant_frame)
    assert rec.counts.to_dict() == EXPECTED
    assert len(rec.source.rows) == 70 and rec.source.ignored == ("Employee ID", "Employee Name")


def test_the_disagreements_are_the_realistic_ones(tenant_frame: pd.DataFrame) -> None:
    rec = reconciled(tenant_frame)
    by_field = rec.differences.groupby("label")["row"].count().to_dict()
    assert by_field == {"Certification id": 1, "Expires": 5, "Issuing company": 8, "Title": 3,
                        "Valid from": 4}
    renamed = rec.differences[rec.differences["field"] == "displayName"]
    assert renamed["source"].tolist() == ["CISA - Certified Information Systems Auditor",
                                          "PMP - Project Management Professional",
                                          "Azure Data Engineer Associate (DP-203)"]
    assert sorted(rec.unknown_person["person"]) == [
        "Peter.Nilsson@contoso.example", "anna.kowalski@contoso.example", "r.hughes@contoso.example"]
    assert rec.ambiguous["person"].tolist() == ["Kenji Watanabe (kenji.watanabe@contoso.example)"]
    assert rec.only_in_graph["title"].tolist() == ["Microsoft Certified: Azure Fundamentals"]
    lapsed = rec.differences[(rec.differences["row"] == 13) & (rec.differences["field"] == "endDate")]
    assert lapsed[["graph", "source"]].values.tolist() == [[pd.Timestamp("2028-04-13"),
                                                            pd.Timestamp("2025-04-13")]]
