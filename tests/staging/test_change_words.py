"""Staged changes said in words: one sentence per kind of change, fields by their form label, counts of
certifications and people (pure, no frame)."""

from __future__ import annotations

import pytest

from certnb.staging.change_words import date_shift, describe_changes
from certnb.staging.edit import Edit


def said(*edits: Edit) -> list[str]:
    return [sentence.text for sentence in describe_changes(edits)]


def test_a_date_moved_by_whole_years_months_or_days_is_said_in_that_unit() -> None:
    assert said(*(Edit(f"u{n}", f"c{n}", "endDate", f"202{n}-05-31", f"202{n + 1}-05-31") for n in range(6)),
                Edit("u0", "c9", "endDate", "2026-02-28", "2027-02-28")) == [
        "7 certifications of 6 people: Expires extended by one year"]
    assert said(Edit("u1", "c1", "endDate", "2027-01-31", "2026-10-31")) == [
        "1 certification of 1 person: Expires brought forward by 3 months"]
    assert said(Edit("u1", "c1", "startDate", "2027-01-01", "2027-01-31"),
                Edit("u2", "c2", "startDate", "2027-03-01", "2027-03-31")) == [
        "2 certifications of 2 people: Valid from moved later by 30 days"]
    assert said(Edit("u1", "c1", "issuedDate", "2027-01-02", "2027-01-01")) == [
        "1 certification of 1 person: Issued moved earlier by one day"]


@pytest.mark.parametrize(("before", "after", "shift"), [
    ("2024-02-29", "2025-02-28", (1, "year")),  # the day clipped to the month's end, as DateOffset does
    ("2026-01-31", "2026-02-28", (1, "month")),
    ("2026-01-30", "2026-02-28", (1, "month")),  # what shifting by a month gives, so said so
    ("2026-01-15", "2026-02-28", (44, "day")),
    ("2026-12-31", "2028-12-31", (2, "year")),
    ("2026-12-31", "2026-12-31", None),
    ("2026-12-31", None, None),
])
def test_date_shift_picks_the_unit_that_says_it_exactly(before: str, after: str | None,
                                                        shift: tuple[int, str] | None) -> None:
    assert date_shift(before, after) == shift


def test_clears_replacements_and_settings_each_read_their_own_way() -> None:
    assert said(Edit("u1", "c1", "endDate", "2027-01-31", None),
                Edit("u2", "c2", "endDate", "2028-01-31", None)) == [
        "2 certifications of 2 people: Expires cleared"]
    assert said(Edit("u1", "c1", "issuingCompany", "Microsft", "Microsoft"),
                Edit("u2", "c2", "issuingCompany", "Microsft", "Microsoft")) == [
        "2 certifications of 2 people: Issuing company 'Microsft' → 'Microsoft'"]
    assert said(Edit("u1", "c1", "certificationId", None, "AZ-104-1")) == [
        "1 certification of 1 person: Certification id set to 'AZ-104-1'"]
    assert said(Edit("u1", "c1", "inference.userHasVerifiedAccuracy", False, True)) == [
        "1 certification of 1 person: Verified by user no → yes"]


def test_one_value_set_over_several_old_ones_is_one_sentence() -> None:
    assert said(Edit("u1", "c1", "endDate", "2026-01-31", "2027-06-30"),
                Edit("u1", "c2", "endDate", "2025-03-15", "2027-06-30"),
                Edit("u2", "c3", "endDate", None, "2027-06-30")) == [
        "3 certifications of 2 people: Expires set to 2027-06-30"]
    assert said(Edit("u1", "c1", "issuingCompany", "MSFT", "Microsoft"),
                Edit("u2", "c2", "issuingCompany", "Microsft", "Microsoft")) == [
        "2 certifications of 2 people: Issuing company set to 'Microsoft'"]


def test_many_one_off_changes_of_a_field_are_summed_up_and_fields_keep_schema_order() -> None:
    edits = [Edit("u1", f"c{n}", "description", f"old {n}", f"new {n}") for n in range(4)]
    edits += [Edit("u1", "c0", "endDate", "2027-01-31", None),
              Edit("u2", "c9", "displayName", "AZ-10", "AZ-104")]
    assert said(*edits) == [
        "1 certification of 1 person: Title 'AZ-10' → 'AZ-104'",
        "4 certifications of 1 person: Description changed",
        "1 certification of 1 person: Expires cleared",
    ]
    sentences = describe_changes(edits)
    assert [s.cleared for s in sentences] == [False, False, True]
    assert sum(len(s.edits) for s in sentences) == len(edits)  # every edit is in exactly one sentence


def test_counts_name_certifications_and_people_not_edits() -> None:
    [sentence] = describe_changes([Edit("u1", "c1", "endDate", "2027-01-31", None),
                                   Edit("u1", "c2", "endDate", "2027-01-31", None)])
    assert (sentence.certifications, sentence.people, len(sentence.edits)) == (2, 1, 2)
    assert str(sentence) == "2 certifications of 1 person: Expires cleared"
    assert describe_changes([]) == []
