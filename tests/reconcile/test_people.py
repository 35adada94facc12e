"""Person keys: sign-in names and emails without case, a `mail` column, employee ids through `people=`."""

from __future__ import annotations

import pandas as pd
import pytest

import certnb
from certnb.reconcile.people import People


def test_an_email_is_found_by_sign_in_name_or_by_the_frames_mail_column(frame: pd.DataFrame) -> None:
    framed = frame.assign(mail=["ana@contoso.com", "ana@contoso.com", None, None])
    people = People(framed)
    assert people.find("email", "ANA@contoso.com").user_id == "u-ana"  # type: ignore[union-attr]
    assert people.find("email", "ben.okafor@contoso.example ").user_id == "u-ben"  # type: ignore[union-attr]
    assert people.find("userPrincipalName", "ana@contoso.com") is None  # a mail is not a sign-in name


def test_employee_ids_need_a_people_table(frame: pd.DataFrame) -> None:
    source = pd.DataFrame({"Employee ID": ["E7"], "Title": ["Certified Kubernetes Administrator (CKA)"],
                           "certificationId": ["LF-1"]})
    with pytest.raises(ValueError, match="on='employeeId': the frame holds no employee ids; pass people="):
        certnb.reconcile(frame, source, on="employeeId")
    rec = certnb.reconcile(frame, source, on="employeeId", people={"e7": "BEN.OKAFOR@contoso.example"})
    assert rec.table["status"].tolist() == ["ambiguous"]  # Ben, found by his id, holds the CKA twice
    assert rec.table["person"].tolist() == ["Ben Okafor (ben.okafor@contoso.example)"]


def test_someone_the_people_table_names_without_certifications_is_a_person_of_the_tenant(
    frame: pd.DataFrame,
) -> None:
    table = pd.DataFrame({"employeeId": ["E9"], "userPrincipalName": ["new.hire@contoso.example"],
                          "userDisplayName": ["New Hire"]})
    source = pd.DataFrame({"Employee ID": ["E9", "E404"], "Title": ["CKA", "PMP"]})
    rec = certnb.reconcile(frame, source, on="employeeId", people=table)
    assert dict(zip(rec.table["row"], rec.table["status"], strict=True)) == {
        0: "only_in_source", 1: "unknown_person"}
    assert rec.table["person"].tolist() == ["New Hire (new.hire@contoso.example)", "E404"]


def test_a_people_table_needs_to_say_who(frame: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="people= needs a userPrincipalName"):
        People(frame, pd.DataFrame({"employeeId": ["E1"]}))
