"""The findings' report order (certnb/frame/order.py): by severity, rule, user, certification id and field,
missing text last, whatever order the frame's rows come in; and the owned fixes found when ids repeat."""

from __future__ import annotations

import pandas as pd
from frame_sample import ASOF

import certnb.frame  # noqa: F401  (registers df.certs)
from certnb.frame.audit import RULES, SEVERITY_ORDER
from certnb.frame.build import build_frame
from certnb.frame.order import RowOrder


def in_report_order(findings: pd.DataFrame) -> pd.DataFrame:
    """`findings` sorted by the report's keys with pandas' own stable sort."""
    keys = findings.assign(
        _severity=findings["severity"].map({s: i for i, s in enumerate(SEVERITY_ORDER)}),
        _rule=findings["rule"].map({r: i for i, r in enumerate(RULES)}),
    )
    ordered = keys.sort_values(["_severity", "_rule", "userPrincipalName", "id", "field"], kind="stable",
                               na_position="last")
    return findings.loc[ordered.index]


def test_findings_come_in_report_order_whatever_the_rows_order(sample_frame: pd.DataFrame) -> None:
    shuffled = sample_frame.sample(frac=1, random_state=7).reset_index(drop=True)
    shuffled.loc[shuffled.index[::9], "userPrincipalName"] = pd.NA  # a person without a sign-in name
    findings = shuffled.certs.audit(asof=ASOF)
    assert findings["userPrincipalName"].isna().any()
    pd.testing.assert_frame_equal(in_report_order(findings), findings)
    assert findings["userPrincipalName"].isna().to_numpy()[-1]  # the missing name sorts last in its rule


def _twice_held(second_id: str) -> pd.DataFrame:
    """One person holding AZ-104 twice, spelled "MSFT" both times, the first copy's issuer owned by a
    Workday connector."""
    return build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
        {"id": "c1", "displayName": "AZ-104", "issuingCompany": "MSFT", "certificationId": "X1",
         "sources": [{"sourceId": "wd-1", "properties": ["issuingCompany"]}]},
        {"id": second_id, "displayName": "AZ-104", "issuingCompany": "MSFT", "certificationId": "X2"},
        {"id": "c3", "displayName": "CKA", "issuingCompany": "Microsoft", "certificationId": "X3"},
        {"id": "c4", "displayName": "AZ-900", "issuingCompany": "Microsoft", "certificationId": "X4"}]}])


def test_owned_fixes_are_looked_up_by_person_and_id_where_an_id_repeats() -> None:
    # Owners are known by (userId, id) (certnb.frame.owners.Ownership): where one person's id repeats (a
    # frame joined from two exports, or built by hand), both rows are that item, so both suggestions to
    # respell its owned issuer are owned fixes; the row's own `ownedBy` alone would miss the second.
    repeated, distinct = _twice_held("c1"), _twice_held("c2")
    assert not RowOrder(repeated).unique_ids and RowOrder(distinct).unique_ids
    owned = [f.certs.audit(asof=ASOF).query("rule == 'owned-fix'")["id"].tolist()
             for f in (repeated, distinct)]
    assert owned == [["c1", "c1"], ["c1"]]
