"""Undo: the inverse edits of a commit, staged anew, restore the original state; conflict-checked against
what the commit wrote; from the result or from the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from commit_tenant import certification, committed, key, remote_patch, seed, staged_on, user_id

from certnb.commit.result import CommitResult
from certnb.commit.undo import Undo, from_audit_log
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph

WRITABLE = ("displayName", "endDate", "allowedAudiences", "inference")


def writable(state: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(u["id"], c["id"]): {p: c.get(p) for p in WRITABLE} for u in state["users"]
            for c in u["certifications"]}


def edit_some(graph: Graph, journal: Path) -> CommitResult:
    staged = staged_on(graph, journal)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30", allowedAudiences=["contacts", "organization"])
    staged.set(key(2, "cert-2-1"), {"inference.confidenceScore": 0.9}, displayName="AZ-305")
    return committed(graph, staged)


def test_undo_restores_the_original_state(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    original = writable(emu.state())
    result = edit_some(graph, tmp_path / "edits.journal")
    assert result.counts == {"applied": 4}
    assert writable(emu.state()) != original
    undo = result.undo()
    assert undo.journal.path == tmp_path / "edits.undo.journal"
    assert sorted((e.field, e.before, e.after) for e in undo) == [
        ("allowedAudiences", "contacts,organization", "organization"),
        ("displayName", "AZ-305", "AZ-101"),
        ("endDate", "2027-06-30", "2026-12-31"),
        ("inference.confidenceScore", 0.9, 0.5),
    ]
    undone = committed(graph, undo)
    assert undone.counts == {"applied": 4}
    assert writable(emu.state()) == original
    assert writable(seed()) == original  # really the seed's values


def test_undo_does_not_overwrite_a_later_change(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    result = edit_some(graph, tmp_path / "edits.journal")
    remote_patch(emu, 1, "cert-1-0", {"endDate": "2029-01-31"})
    undone = committed(graph, result.undo())
    assert undone.counts == {"applied": 2, "conflict": 2}
    kept = certification(emu.state(), 1, "cert-1-0")
    assert kept is not None and (kept["endDate"], kept["allowedAudiences"]) == ("2029-01-31",
                                                                                "contacts,organization")


def test_undo_from_the_audit_log(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    original = writable(emu.state())
    result = edit_some(graph, tmp_path / "edits.journal")
    audit = tmp_path / "edits.journal.audit.jsonl"
    assert result.audit_log == audit
    undo = from_audit_log(audit, frame=graph.load(users="all"))
    assert len(undo) == 4 and undo.journal.path == tmp_path / "edits.undo.journal"
    assert committed(graph, undo).counts == {"applied": 4}
    assert writable(emu.state()) == original


def test_only_applied_edits_are_undone(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    staged = staged_on(graph, tmp_path / "edits.journal")
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    remote_patch(emu, 2, "cert-2-0", {"endDate": "2029-01-31"})
    result = committed(graph, staged)
    assert result.counts == {"applied": 1, "conflict": 1}
    undo = result.undo()
    assert [(e.user_id, e.cert_id) for e in undo] == [(user_id(1), "cert-1-0")]
    second = result.undo()
    assert second.journal.path == tmp_path / "edits.undo-2.journal"


def commit_with_values_already_there(emu: Emulator, graph: Graph, journal: Path) -> CommitResult:
    """Three edits: one this client writes, two someone else made first (so they end `already_applied`)."""
    staged = staged_on(graph, journal)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30", displayName="AZ-900")
    remote_patch(emu, 2, "cert-2-0", {"endDate": "2027-06-30", "displayName": "AZ-900"})
    result = committed(graph, staged)
    assert result.counts == {"applied": 1, "already_applied": 2}
    return result


def test_undo_leaves_what_was_already_so_on_the_server(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    result = commit_with_values_already_there(emu, graph, tmp_path / "edits.journal")
    undo = result.undo()
    assert [(e.user_id, e.cert_id, e.field, e.after) for e in undo] == [
        (user_id(1), "cert-1-0", "endDate", "2026-12-31")
    ]
    assert isinstance(undo, Undo) and undo.left_alone == 2
    assert "2 edits were already so on the server; undo leaves them" in repr(undo)
    assert "undo leaves them" in undo._repr_html_()
    assert committed(graph, undo).counts == {"applied": 1}
    theirs = certification(emu.state(), 2, "cert-2-0")
    assert theirs is not None and (theirs["endDate"], theirs["displayName"]) == ("2027-06-30", "AZ-900")
    ours = certification(emu.state(), 1, "cert-1-0")
    assert ours is not None and ours["endDate"] == "2026-12-31"


def test_undo_from_the_audit_log_leaves_what_was_already_so(
    emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    result = commit_with_values_already_there(emu, graph, tmp_path / "edits.journal")
    undo = from_audit_log(result.audit_log, frame=graph.load(users="all"))
    assert [(e.user_id, e.cert_id, e.field) for e in undo] == [(user_id(1), "cert-1-0", "endDate")]
    assert undo.left_alone == 2 and "undo leaves them" in repr(undo)
    assert committed(graph, undo).counts == {"applied": 1}
    theirs = certification(emu.state(), 2, "cert-2-0")
    assert theirs is not None and (theirs["endDate"], theirs["displayName"]) == ("2027-06-30", "AZ-900")


def test_an_undo_that_leaves_nothing_says_nothing(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    undo = edit_some(graph, tmp_path / "edits.journal").undo()
    assert undo.left_alone == 0 and undo.note == "" and repr(undo).startswith("<Staged: 4 edits")
    assert "already so" not in repr(undo)
