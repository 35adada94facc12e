"""Bad input never reaches Graph: each `reject-*` case is refused at staging and the emulator sees no request.

Two kinds of case files, each named after its outcome:

- `tests/cases/edits/reject-*.json` (shared with tests/staging/test_edit_cases.py): one certification and
  one `set` call on it. Here each case's certification is seeded into a real emulator (under its own id),
  loaded through a signed-in `Graph`, and the edit is staged on the loaded frame.
- `tests/cases/targets/reject-*.json`: edits naming a row the load does not hold (unknown ids, ids carrying
  `../`, `?`, `#`, `%2F`, another user's certification) or two values for one cell, through a `changes`
  table (`Staged.from_changes`) or a `select` + `set` call.

For every case: `EditsRefused` names the row, field, value and rule in its fields, and in its message the
person and certification (`subject` in a target case), the field's label, the value and the rule; and
the emulator's request count does not move, even when a commit is attempted afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pytest
from cases.values import decode, same

import certnb
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph
from certnb.schema import LABELS
from certnb.staging import EditsRefused, Staged, stage

CASES = Path(__file__).resolve().parents[1] / "cases"
EDIT_CASES = sorted((CASES / "edits").glob("reject-*.json"))
TARGET_CASES = sorted((CASES / "targets").glob("*.json"))

ADELE = "u-adele"
ADELE_NAMED = "Adele Vance (adele.vance@contoso.example)"  # how every message names her
BASE_CERTIFICATION = {
    "id": "c1", "displayName": "Azure Administrator Associate", "issuingAuthority": "Microsoft",
    "issuedDate": "2025-01-10", "startDate": "2025-01-15", "endDate": "2026-12-31",
    "allowedAudiences": "organization",
}


def seed() -> dict[str, Any]:
    """Adele holds `c1` plus every edit case's certification (id `c-<case>`); Bob holds `c-bob`."""
    adele = [dict(BASE_CERTIFICATION)]
    for path in EDIT_CASES:
        certification = json.loads(path.read_text(encoding="utf-8"))["certification"]
        adele.append({**certification, "id": f"c-{path.stem}"})
    return {
        "tenant": {"id": "tenant-bad-input", "domain": "contoso.example"},
        "defaultUser": "adele.vance@contoso.example",
        "users": [
            {"id": ADELE, "userPrincipalName": "adele.vance@contoso.example", "displayName": "Adele Vance",
             "certifications": adele},
            {"id": "u-bob", "userPrincipalName": "bob@contoso.example", "displayName": "Bob Kelly",
             "certifications": [{**BASE_CERTIFICATION, "id": "c-bob"}]},
        ],
    }


class Loaded(NamedTuple):
    emu: Emulator
    graph: Graph
    frame: pd.DataFrame
    state: dict[str, Any]  # the tenant right after the load: nothing may change it


@pytest.fixture(scope="module")
def loaded() -> Iterator[Loaded]:
    """One emulator and one signed-in session for the module; the whole tenant loaded once."""
    with Emulator(seed()) as emu:
        graph = certnb.connect(emulator=emu, write=True, all_users=True)
        try:
            frame = graph.load(users="all")
            yield Loaded(emu, graph, frame, emu.state())
        finally:
            graph.close()


def label_of(frame: pd.DataFrame, user_id: str, cert_id: str) -> Any:
    [label] = frame.index[(frame["userId"] == user_id) & (frame["id"] == cert_id)].tolist()
    return label


def graph_requests(emu: Emulator) -> tuple[int, dict[str, int]]:
    stats = emu.stats()
    return stats["requests_total"], dict(stats["by_route"])


def try_commit(graph: Graph, staged: Staged) -> None:
    """Commit what is staged, when the commit runner exists: after a refusal nothing may be sent."""
    commit = getattr(graph, "commit", None)
    if commit is not None:
        commit(staged)


def check_refusal(
    refused: EditsRefused, row: Any, field: str, value: Any, rule: str, subject: str | None = None
) -> None:
    """The refusal names the row (`row`, for code), and in its message whose certification it is
    (`subject`), the field by its label, the value and the rule; never a row label or a Graph name."""
    [problem] = refused.problems
    assert (problem.row, problem.field, problem.label) == (row, field, LABELS.get(field, field))
    assert same(problem.value, value)
    assert rule in problem.rule
    message = str(refused)
    assert message.startswith("1 edit refused; the whole call was refused, nothing was staged.")
    [line] = message.splitlines()[1:]
    if subject is not None:
        assert line.startswith(f"  {subject}: "), line
    else:  # ids that name no loaded certification: the field, then the rule naming those ids
        assert line.startswith(f"  {problem.label}: "), line
    assert problem.label in line
    assert value is None or repr(value)[:40] in line or (isinstance(value, str) and value in line)
    assert rule in line
    assert f"row {row}," not in line and "field '" not in line
    assert len(message) < 4000  # a 1 MB value is named, not pasted whole


def test_the_load_went_through_the_emulator(loaded: Loaded) -> None:
    total, routes = graph_requests(loaded.emu)
    assert total > 0 and routes
    assert len(loaded.frame) == len(EDIT_CASES) + 2


def test_there_are_at_least_fifty_bad_input_cases() -> None:
    assert len(EDIT_CASES) + len(TARGET_CASES) >= 50
    assert all(path.name.startswith("reject-") for path in TARGET_CASES)


@pytest.mark.parametrize("path", EDIT_CASES, ids=[p.stem for p in EDIT_CASES])
def test_bad_edit_is_refused_before_any_request(path: Path, loaded: Loaded, tmp_path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    row = label_of(loaded.frame, ADELE, f"c-{path.stem}")
    before = graph_requests(loaded.emu)
    staged = stage(loaded.frame, journal=tmp_path / "edits.journal")
    for earlier in case.get("staged_first", []):
        staged.set(row, {k: decode(v) for k, v in earlier.items()})
    accepted = staged.edits
    values = {k: decode(v) for k, v in case["set"].items()}
    field = case.get("field", next(iter(values)))

    with pytest.raises(EditsRefused) as refused:
        staged.set(row, values)

    title = case["certification"]["displayName"]
    check_refusal(refused.value, row, field, values[field], case["rule"], f"{ADELE_NAMED} · {title}")
    assert (refused.value.person, refused.value.certification) == (ADELE_NAMED, title)
    assert staged.edits == accepted
    if not accepted:
        try_commit(loaded.graph, staged)
    assert graph_requests(loaded.emu) == before
    assert loaded.emu.state() == loaded.state


@pytest.mark.parametrize("path", TARGET_CASES, ids=[p.stem for p in TARGET_CASES])
def test_edit_of_a_row_not_loaded_is_refused_before_any_request(
    path: Path, loaded: Loaded, tmp_path: Path
) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    before = graph_requests(loaded.emu)
    staged = stage(loaded.frame, journal=tmp_path / "edits.journal")
    row = tuple(case["row"]) if isinstance(case["row"], list) else case["row"]

    with pytest.raises(EditsRefused) as refused:
        if "changes" in case:
            staged.from_changes(pd.DataFrame(case["changes"]))
        else:
            selection = tuple(case["select"]) if isinstance(case["select"], list) else case["select"]
            staged.set(selection, case["set"])

    check_refusal(refused.value, row, case["field"], case["value"], case["rule"], case.get("subject"))
    assert staged.edits == []
    assert Staged.open(tmp_path / "edits.journal").edits == []
    try_commit(loaded.graph, staged)
    assert graph_requests(loaded.emu) == before
    assert loaded.emu.state() == loaded.state
