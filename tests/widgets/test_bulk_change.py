"""Bulk changes as plain functions: preview (rows that change, before → after) and atomic staging."""

from __future__ import annotations

import pandas as pd
import pytest
from widget_tenant import label_of

from certnb.schema import LABELS
from certnb.staging import EditsRefused, Staged
from certnb.staging.edit import WRITABLE_FIELDS
from certnb.widgets.bulk_change import (
    CLEARABLE_FIELDS,
    ClearField,
    ReplaceIssuer,
    SetField,
    ShiftDates,
    parse_text,
    preview,
    stage_preview,
)


def rows(frame: pd.DataFrame, *cert_ids: str) -> list[object]:
    return [label_of(frame, c) for c in cert_ids]


def test_shift_end_dates_by_months_clamps_to_month_end_and_skips_empty(frame: pd.DataFrame,
                                                                      staged: Staged) -> None:
    p = preview(frame, rows(frame, "c1", "b2", "a2"), ShiftDates(1, "months"), staged)
    assert p.table[["id", "before", "after"]].values.tolist() == [
        ["c1", "2026-01-31", "2026-02-28"], ["a2", "2029-01-31", "2029-02-28"]]


@pytest.mark.parametrize(("amount", "unit", "after"), [
    (30, "days", "2027-01-14"), (-1, "years", "2025-12-15"), (2, "years", "2028-12-15")])
def test_shift_units(frame: pd.DataFrame, staged: Staged, amount: int, unit: str, after: str) -> None:
    p = preview(frame, rows(frame, "a1"), ShiftDates(amount, unit), staged)  # type: ignore[arg-type]
    assert p.table["after"].tolist() == [after]


def test_shift_counts_from_the_loaded_date_so_staging_twice_does_not_shift_twice(
        frame: pd.DataFrame, staged: Staged) -> None:
    for _ in range(2):
        stage_preview(staged, preview(frame, rows(frame, "a1"), ShiftDates(1, "years"), staged))
    assert [(e.field, e.before, e.after) for e in staged] == [("endDate", "2026-12-15", "2027-12-15")]
    again = preview(frame, rows(frame, "a1"), ShiftDates(1, "years"), staged)
    assert len(again) == 0  # already staged: nothing would change


def test_replace_issuer_changes_only_that_spelling(frame: pd.DataFrame, staged: Staged) -> None:
    everything = list(frame.index)
    p = preview(frame, everything, ReplaceIssuer(" MSFT ", "Microsoft", "issuingCompany"), staged)
    assert p.table[["id", "field", "before", "after"]].values.tolist() == [
        ["b1", "issuingCompany", "MSFT", "Microsoft"]]
    assert stage_preview(staged, p) == 1
    assert [(e.cert_id, e.field, e.after) for e in staged] == [("b1", "issuingCompany", "Microsoft")]


def test_set_field_counts_only_rows_that_differ(frame: pd.DataFrame, staged: Staged) -> None:
    p = preview(frame, list(frame.index), SetField("issuingAuthority", "Microsoft"), staged)
    assert sorted(p.table["id"]) == ["a2", "b1", "b2", "c2"]
    assert p.sample(2)["before"].tolist() == ["ISC2", "MSFT"]


def test_set_field_refuses_an_invalid_value_before_staging(frame: pd.DataFrame, staged: Staged) -> None:
    with pytest.raises(EditsRefused) as refused:
        preview(frame, list(frame.index), SetField("webUrl", "javascript:alert(1)"), staged)
    assert refused.value.field == "webUrl" and "http(s)" in str(refused.value.rule)
    assert len(staged) == 0


def test_staging_a_preview_is_all_or_nothing(frame: pd.DataFrame, staged: Staged) -> None:
    # Three years back puts a1's end (2026-12-15) before its start (2024-01-01): the whole call is refused.
    p = preview(frame, rows(frame, "a1", "a2"), ShiftDates(-3, "years"), staged)
    assert p.table["after"].tolist() == ["2023-12-15", "2026-01-31"]
    with pytest.raises(EditsRefused) as refused:
        stage_preview(staged, p)
    assert [problem.field for problem in refused.value.problems] == ["endDate"]
    [problem] = refused.value.problems
    assert (problem.person, problem.certification, problem.label) == (
        "Adele Admin (admin@contoso.example)", "AZ-104", "Expires")
    assert len(staged) == 0


def test_parse_text_reads_numbers_and_booleans() -> None:
    assert parse_text("inference.userHasVerifiedAccuracy", "TRUE") is True
    assert parse_text("inference.confidenceScore", "x") == "x"
    assert parse_text("displayName", "  AZ-104 ") == "AZ-104"


@pytest.mark.parametrize(("field", "value"), [
    ("endDate", None), ("issuingAuthority", None), ("issuingAuthority", "   "), ("allowedAudiences", None),
    ("inference.confidenceScore", float("nan"))])
def test_set_field_with_an_empty_value_is_refused_and_points_at_clear_field(
        frame: pd.DataFrame, staged: Staged, field: str, value: object) -> None:
    with pytest.raises(EditsRefused) as refused:
        preview(frame, list(frame.index), SetField(field, value), staged)
    assert refused.value.field == field and refused.value.row == "all picked"
    assert 'choose "Clear field"' in str(refused.value.rule)
    first = str(refused.value).splitlines()[1]
    said = f"  every picked certification: an empty value would clear {LABELS[field]} ({field})"
    assert first.startswith(said)
    assert len(staged) == 0


def test_replace_with_an_empty_spelling_is_refused_and_points_at_clear_field(frame: pd.DataFrame,
                                                                             staged: Staged) -> None:
    with pytest.raises(EditsRefused) as refused:
        preview(frame, list(frame.index), ReplaceIssuer("MSFT", " "), staged)
    assert "Issuing authority (issuingAuthority)" in str(refused.value.rule)
    assert "spelled 'MSFT'" in str(refused.value.rule) and 'choose "Clear field"' in str(refused.value.rule)


def test_clear_field_previews_only_rows_with_a_value_and_stages_null(frame: pd.DataFrame,
                                                                     staged: Staged) -> None:
    p = preview(frame, rows(frame, "a1", "b2", "c2"), ClearField("endDate"), staged)
    assert p.table[["id", "before", "after"]].values.tolist() == [
        ["a1", "2026-12-15", None], ["c2", "2027-03-31", None]]  # b2 has no end date: nothing to clear
    assert stage_preview(staged, p) == 2
    assert sorted((e.cert_id, e.field, e.after) for e in staged) == [("a1", "endDate", None),
                                                                     ("c2", "endDate", None)]


def test_only_writable_fields_may_be_cleared(frame: pd.DataFrame, staged: Staged) -> None:
    assert CLEARABLE_FIELDS == WRITABLE_FIELDS  # every property but id may be null (contract §2)
    with pytest.raises(EditsRefused) as refused:
        preview(frame, list(frame.index), ClearField("createdDateTime"), staged)
    assert "not a clearable field" in str(refused.value.rule) and "endDate" in str(refused.value.rule)
