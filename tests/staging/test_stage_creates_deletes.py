"""Staging creates and deletes: checked like edits, atomic, journaled, idempotent, and shown in the diff."""

from __future__ import annotations

import pandas as pd
import pytest

from certnb.errors import EditsRefused
from certnb.frame.build import build_frame
from certnb.staging.operations import CREATE, DELETE, is_new_id, loaded_values
from certnb.staging.staged import Staged, stage


@pytest.fixture
def frame() -> pd.DataFrame:
    return build_frame([
        {"id": "u1", "userPrincipalName": "ana@contoso.example", "displayName": "Ana Lopez",
         "certifications": [
            {"id": "c1", "displayName": "AZ-900", "issuingAuthority": "Microsoft", "startDate": "2025-01-01",
             "endDate": "2026-12-31"},
            {"id": "c2", "displayName": "AZ-900", "issuingAuthority": "Microsoft", "endDate": "2027-03-31"}]},
        {"id": "u2", "userPrincipalName": "ben@contoso.example", "displayName": "Ben Okafor",
         "certifications": [{"id": "c3", "displayName": "CKA", "certificationId": "LF-1"}]},
    ])


def test_add_stages_a_create_with_its_fields_by_upn(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.add("BEN@contoso.example", displayName="AZ-104", issuingAuthority="Microsoft",
               endDate="2027-06-30")
    [(key, values)] = staged.creates.items()
    assert key[0] == "u2" and is_new_id(key[1])
    assert values == {"displayName": "AZ-104", "issuingAuthority": "Microsoft", "endDate": "2027-06-30"}
    assert staged.rows[key].user_display_name == "Ben Okafor" and staged.rows[key].display_name == "AZ-104"
    fields = staged.diff().table.query("id == @key[1]")["field"].tolist()
    assert fields == [CREATE, "displayName", "issuingAuthority", "endDate"]
    assert "1 new" in repr(staged)


def test_adding_the_same_certification_twice_stages_it_once(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    for _ in range(2):
        staged.add("u2", displayName="AZ-104", endDate="2027-06-30")
    assert len(staged.creates) == 1


def test_add_takes_a_frame_of_new_certifications_and_refuses_it_whole(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    new = pd.DataFrame({"userPrincipalName": ["ana@contoso.example", "ben@contoso.example"],
                        "displayName": ["PL-300", None], "endDate": ["2028-01-31", "2028-02-30"]})
    with pytest.raises(EditsRefused) as refused:
        staged.add(new)
    text = str(refused.value)
    assert "Ben Okafor (ben@contoso.example)" in text and "a new certification needs a title" in text
    assert "Expires must be a date YYYY-MM-DD; got '2028-02-30' (no such day)" in text
    assert len(staged) == 0 and staged.journal.summary() is None
    staged.add(new.iloc[:1])
    assert [v["displayName"] for v in staged.creates.values()] == ["PL-300"]


def test_add_refuses_dates_out_of_order_and_a_certification_already_held(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    with pytest.raises(EditsRefused, match="Expires 2026-01-01 is before Valid from 2027-01-01"):
        staged.add("u1", displayName="SC-900", startDate="2027-01-01", endDate="2026-01-01")
    with pytest.raises(EditsRefused, match=r"Ben Okafor already holds this certification \(id c3\)"):
        staged.add("u2", displayName="Kubernetes Administrator", certificationId="LF-1")
    with pytest.raises(EditsRefused, match="needs the person"):
        staged.add("", displayName="SC-900")
    assert len(staged) == 0


def test_a_person_without_certifications_is_taken_as_given(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.add("cleo@contoso.example", displayName="SC-900")
    [row] = [staged.rows[key] for key in staged.creates]
    assert (row.user_id, row.user_principal_name) == ("cleo@contoso.example", "cleo@contoso.example")


def test_delete_keeps_the_loaded_values_and_withdraws_the_rows_edits(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.set(1, endDate="2028-03-31")
    staged.delete(1)
    assert list(staged.deletes) == [("u1", "c2")]
    [edit] = staged.edits
    assert edit.field == DELETE
    assert loaded_values(edit.before) == {"displayName": "AZ-900", "issuingAuthority": "Microsoft",
                                          "endDate": "2027-03-31"}
    with pytest.raises(EditsRefused, match="staged for deletion: unstage the delete first"):
        staged.set(1, endDate="2028-03-31")
    staged.delete(("u1", "c2"))  # again: nothing more
    assert len(staged) == 1
    staged.unstage(("u1", "c2"))
    assert staged.deletes == {} and len(staged) == 0


def test_deleting_or_unstaging_a_create_withdraws_it_whole(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.add("u1", displayName="SC-900", endDate="2027-01-31")
    staged.add("u1", displayName="SC-100")
    first, second = staged.creates
    staged.set(first, endDate="2027-02-28")
    assert staged.creates[first]["endDate"] == "2027-02-28"
    with pytest.raises(EditsRefused, match="a new certification needs a title"):
        staged.set(first, displayName=None)
    staged.delete(first)
    staged.unstage((*second, CREATE))
    assert staged.creates == {} and len(staged) == 0


def test_delete_refuses_a_row_that_is_not_there(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    with pytest.raises(EditsRefused, match="no row labelled 99"):
        staged.delete([0, 99])
    assert len(staged) == 0


def test_creates_and_deletes_survive_a_reopened_journal(frame: pd.DataFrame, tmp_path) -> None:
    path = tmp_path / "edits.journal"
    staged = stage(frame, journal=path)
    staged.add("u2", displayName="AZ-104", startDate="2026-11-01")
    staged.delete(0)
    creates, deletes = staged.creates, staged.deletes
    staged.close()
    again = Staged.open(path)
    assert again.creates == creates and again.deletes == deletes
    assert "1 new, 1 deleted" in repr(again)


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_a_create_cannot_be_given_or_left_with_a_blank_title(frame: pd.DataFrame, blank: str | None) -> None:
    staged = stage(frame)
    with pytest.raises(EditsRefused, match=r"Ben Okafor \(ben@contoso.example\): Title: a new certification "
                                           r"needs a title"):
        staged.add("u2", displayName=blank, endDate="2027-01-31")
    assert staged.creates == {}
    staged.add("u2", displayName="SC-900")
    [key] = staged.creates
    with pytest.raises(EditsRefused, match="SC-900: Title: a new certification needs a title"):
        staged.set(key, displayName=blank)
    assert staged.creates[key] == {"displayName": "SC-900"}


def test_add_takes_rows_as_dicts_several_for_one_person_or_one_for_several(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.add([{"userPrincipalName": "ana@contoso.example", "displayName": "SC-900"},
                {"userId": "u2", "displayName": "SC-100", "endDate": "2027-05-31"}])
    staged.add("ben@contoso.example", [{"displayName": "AI-900"}, {"displayName": "DP-900"}],
               issuingAuthority="Microsoft")
    staged.add(["u1", "u2"], displayName="MS-900", issuingAuthority="Microsoft")
    held = sorted((user, values["displayName"], values.get("issuingAuthority"), values.get("endDate"))
                  for (user, _), values in staged.creates.items())
    assert held == [
        ("u1", "MS-900", "Microsoft", None), ("u1", "SC-900", None, None),
        ("u2", "AI-900", "Microsoft", None), ("u2", "DP-900", "Microsoft", None),
        ("u2", "MS-900", "Microsoft", None), ("u2", "SC-100", None, "2027-05-31"),
    ]
    with pytest.raises(TypeError, match="takes the fields from the rows"):
        staged.add([{"userId": "u1", "displayName": "X"}], displayName="Y")
    with pytest.raises(EditsRefused, match="needs the person who holds it"):
        staged.add([{"displayName": "AZ-305"}])
    assert len(staged.creates) == 6


def test_a_create_keeps_its_title_while_staged(frame: pd.DataFrame) -> None:
    staged = stage(frame)
    staged.add("u2", displayName="SC-900", endDate="2027-01-31")
    [key] = staged.creates
    with pytest.raises(EditsRefused, match=r"SC-900: Title: a new certification needs a title: withdraw"):
        staged.unstage((*key, "displayName"))
    with pytest.raises(EditsRefused, match="needs a title"):
        staged.unstage(field="displayName")
    staged.unstage(key, field="endDate")
    assert staged.creates[key] == {"displayName": "SC-900"}
    staged.unstage(key)  # the whole create
    assert staged.creates == {}
