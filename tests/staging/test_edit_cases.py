"""Every staging rule, one data file per case under tests/cases/edits/; the file name states the outcome.

A case holds one certification, optional earlier calls (`staged_first`, accepted), and one `set` call.
`reject-*`: the call raises `EditsRefused` naming the person, certification, field label, value and rule,
and stages nothing.
`accept-*` / `noop-*`: the call is taken and the staged edits (field → wire value) are exactly `edits`.
Values that JSON cannot hold are written {"$date": ...}, {"$datetime": ...}, {"$timestamp": ...},
{"$nat": true}, {"$repeat": [text, n]}.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from cases.values import decode, same

from certnb.schema import LABELS
from certnb.staging import EditsRefused, Staged, stage
from certnb.staging.edit import WRITABLE_FIELDS, Refusal, check_value

CASES = sorted((Path(__file__).resolve().parents[1] / "cases" / "edits").glob("*.json"))


def test_there_are_cases_of_each_outcome() -> None:
    outcomes = {path.name.split("-")[0] for path in CASES}
    assert outcomes == {"accept", "reject", "noop"}
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_edit_case(path: Path, one_row: Callable[[dict[str, Any]], pd.DataFrame], tmp_path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    journal = tmp_path / "edits.journal"
    staged = stage(one_row(case["certification"]), journal=journal)
    for earlier in case.get("staged_first", []):
        staged.set(0, {k: decode(v) for k, v in earlier.items()})
    before_call = staged.edits
    values = {k: decode(v) for k, v in case["set"].items()}

    if path.name.startswith("reject-"):
        with pytest.raises(EditsRefused) as refused:
            staged.set(0, values)
        [problem] = refused.value.problems
        field = case.get("field", next(iter(values)))
        assert (problem.row, problem.field) == (0, field)
        assert same(problem.value, values[field])
        assert case["rule"] in problem.rule
        assert case["rule"] in str(refused.value)
        # In the analyst's words: whose certification, the field by its label, never a row label.
        person = "Adele Vance (adele.vance@contoso.example)"
        title = case["certification"]["displayName"]
        assert (problem.person, problem.certification) == (person, title)
        assert (problem.user_id, problem.cert_id) == ("u-adele", case["certification"]["id"])
        assert problem.label == LABELS.get(field, field)
        assert f"  {person} · {title}: " in str(refused.value)
        assert problem.label in str(refused.value)
        assert "row 0" not in str(refused.value) and "field '" not in str(refused.value)
        str(refused.value).encode("utf-8")  # a notebook can show the refusal: the value in it is escaped
        # Atomic: nothing staged, nothing journaled.
        assert staged.edits == before_call
        assert Staged.open(journal).edits == before_call
    else:
        staged.set(0, values)
        assert {e.field: e.after for e in staged} == case["edits"]
        loaded = staged.rows[("u-adele", case["certification"]["id"])]
        assert all(e.before == loaded.value(e.field) for e in staged)
        assert Staged.open(journal).edits == staged.edits


VALUE_CASES = [
    p for p in CASES
    if p.name.startswith("reject-") and "must not be before" not in json.loads(p.read_text("utf-8"))["rule"]
]


@pytest.mark.parametrize("path", VALUE_CASES, ids=[p.stem for p in VALUE_CASES])
def test_check_value_alone_says_the_label_the_value_and_the_rule(path: Path) -> None:
    # What the grid shows in a refused cell, with no person known: the field as the form names it, then
    # the rule (which shows the value, unless the value is too long to show).
    case = json.loads(path.read_text(encoding="utf-8"))
    values = {k: decode(v) for k, v in case["set"].items()}
    field = case.get("field", next(iter(values)))
    with pytest.raises(Refusal) as refused:
        check_value(field, values[field])
    text = str(refused.value)
    assert case["rule"] in text
    named = LABELS[field] if field in LABELS else repr(field)
    assert text.startswith(named), text
    if field in WRITABLE_FIELDS:
        assert field not in text.replace(named, "", 1), text  # the Graph name is not said again
