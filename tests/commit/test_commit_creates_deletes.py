"""Creates and deletes committed over a real socket: the dry run shows them, the conflict rules hold, every
create lands exactly once under the fault knobs (applied-but-429, dropped connections, 503), and undo inverts
them, the audit log linking old and new ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from commit_tenant import certification, committed, key, remote_patch, staged_on, user_id

from certnb.commit.plan import plan
from certnb.commit.undo import from_audit_log
from certnb.emulator.config import ScriptedFault
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph
from certnb.staging.operations import CREATE, DELETE

CKA = {"displayName": "CKA", "issuingAuthority": "CNCF", "certificationId": "LF-CKA-1",
       "startDate": "2026-11-01", "endDate": "2029-11-01"}


def holdings(emu: Emulator, user: int) -> list[dict[str, Any]]:
    found = next(u for u in emu.state()["users"] if u["id"] == user_id(user))
    return list(found["certifications"])


def titled(emu: Emulator, user: int, title: str) -> list[dict[str, Any]]:
    return [c for c in holdings(emu, user) if c.get("displayName") == title]


def test_the_dry_run_shows_the_post_and_delete_with_their_bodies(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.add("user1@contoso.example", **CKA)
    staged.delete(key(2, "cert-2-1"))
    planned = plan(staged, base_url=graph.base_url)
    text = str(planned)
    post = f"POST {graph.base_url}/users/{user_id(1)}/profile/certifications"
    assert f"{post}\nContent-Type: application/json" in text
    assert ('{"displayName":"CKA","issuingAuthority":"CNCF","certificationId":"LF-CKA-1",'
            '"startDate":"2026-11-01","endDate":"2029-11-01"}') in text
    assert f"DELETE {graph.base_url}/users/{user_id(2)}/profile/certifications/cert-2-1" in text
    assert planned.methods == {"POST": 1, "DELETE": 1}
    assert "2 requests (1 POST, 1 DELETE)" in repr(planned)
    assert emu.stats()["requests_total"] > 0 and certification(emu.state(), 2, "cert-2-1") is not None


def test_a_create_and_a_delete_are_committed_and_the_new_id_recorded(
    emu: Emulator, graph: Graph, tmp_path: Path,
) -> None:
    staged = staged_on(graph, tmp_path / "edits.journal")
    staged.add("user1@contoso.example", **CKA)
    staged.delete(key(2, "cert-2-1"))
    result = committed(graph, staged)
    assert result.ok and set(result.table["outcome"]) == {"applied"}
    assert result.counts == {"applied": 2}  # one create (its five fields travel in it) and one delete
    [made] = titled(emu, 1, "CKA")
    assert {k: made.get(k) for k in CKA} == CKA and made["createdBy"]["user"]["id"] == user_id(0)
    assert certification(emu.state(), 2, "cert-2-1") is None
    [create] = [r for r in result if r.field == CREATE]
    assert create.new_id == made["id"]
    entries = [json.loads(line) for line in Path(str(result.audit_log)).read_text().splitlines()]
    assert [e["newId"] for e in entries if e["field"] == CREATE] == [made["id"]]
    assert [e["outcome"] for e in entries if e["field"] == DELETE] == ["applied"]
    assert repr(committed(graph, staged)).startswith("nothing new to commit")
    assert len(titled(emu, 1, "CKA")) == 1


def test_a_delete_of_a_certification_changed_since_the_load_is_a_conflict(
    emu: Emulator, graph: Graph,
) -> None:
    staged = staged_on(graph)
    staged.delete([key(1, "cert-1-0"), key(1, "cert-1-1")])
    remote_patch(emu, 1, "cert-1-0", {"endDate": "2030-01-31"})
    result = committed(graph, staged)
    outcomes = dict(zip(result.table["id"], result.table["outcome"], strict=True))
    assert outcomes == {"cert-1-0": "conflict", "cert-1-1": "applied"}
    [conflict] = [r for r in result if r.outcome == "conflict"]
    assert "not deleted: Expires is '2030-01-31' now, loaded as '2026-12-31'" in str(conflict.message)
    assert certification(emu.state(), 1, "cert-1-0") is not None


def test_a_delete_of_a_certification_already_gone_is_already_applied(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.delete(key(1, "cert-1-0"))
    other = staged_on(graph)
    other.delete(key(1, "cert-1-0"))
    assert committed(graph, other).ok
    result = committed(graph, staged)
    assert result.table["outcome"].tolist() == ["already_applied"] and result.ok


def test_a_create_for_a_user_who_does_not_exist_is_missing(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.add("nobody@contoso.example", displayName="CKA")
    result = committed(graph, staged)
    assert set(result.table["outcome"]) == {"missing"}


@pytest.mark.parametrize("fault", [
    ScriptedFault(nth=1, status=429, method="POST", applied=True),
    ScriptedFault(nth=1, status=0, method="POST", applied=True),
    ScriptedFault(nth=1, status=503, method="POST", applied=True),
    ScriptedFault(nth=1, status=503, method="POST"),
    ScriptedFault(nth=1, status=0, method="POST"),
    ScriptedFault(nth=1, status=429, method="POST"),
], ids=["applied-429", "applied-drop", "applied-503", "503", "drop", "429"])
def test_a_create_lands_exactly_once_whatever_the_answer(
    emu: Emulator, graph: Graph, fault: ScriptedFault,
) -> None:
    staged = staged_on(graph)
    staged.add("user1@contoso.example", **CKA)
    staged.add("user1@contoso.example", displayName="CKAD", issuingAuthority="CNCF")
    emu.set_faults(scripted=[fault])
    result = committed(graph, staged)
    assert result.ok, result.table
    assert len(titled(emu, 1, "CKA")) == 1 and len(titled(emu, 1, "CKAD")) == 1
    ids = {r.new_id for r in result if r.field == CREATE}
    assert ids == {c["id"] for c in holdings(emu, 1) if c["displayName"] in ("CKA", "CKAD")}


def test_two_identical_creates_for_two_people_under_applied_but_429_make_one_each(
    emu: Emulator, graph: Graph,
) -> None:
    staged = staged_on(graph)
    for upn in ("user1@contoso.example", "user2@contoso.example"):
        staged.add(upn, displayName="SC-900", issuingAuthority="Microsoft")
    staged.delete(key(2, "cert-2-0"))
    emu.set_faults(applied_but_429_rate=1.0)
    result = committed(graph, staged)
    assert result.ok, result.table
    assert len(titled(emu, 1, "SC-900")) == 1 and len(titled(emu, 2, "SC-900")) == 1
    assert certification(emu.state(), 2, "cert-2-0") is None


def test_undo_deletes_what_was_created_and_recreates_what_was_deleted(
    emu: Emulator, graph: Graph, tmp_path: Path,
) -> None:
    deleted = certification(emu.state(), 2, "cert-2-1")
    assert deleted is not None
    staged = staged_on(graph, tmp_path / "edits.journal")
    staged.add("user1@contoso.example", **CKA)
    staged.delete(key(2, "cert-2-1"))
    staged.set(key(2, "cert-2-0"), endDate="2027-05-31")
    result = committed(graph, staged)
    undo = result.undo()
    assert set(plan(undo).methods) == {"POST", "PATCH", "DELETE"}
    undone = committed(graph, undo)
    assert undone.ok and set(undone.table["outcome"]) == {"applied"}
    assert titled(emu, 1, "CKA") == []
    assert certification(emu.state(), 2, "cert-2-0")["endDate"] == "2026-12-31"
    [back] = [c for c in holdings(emu, 2) if c["displayName"] == deleted["displayName"]
              and c["id"] != "cert-2-0"]
    writable = ("displayName", "issuingAuthority", "startDate", "endDate", "allowedAudiences", "inference")
    assert {k: back[k] for k in writable} == {k: deleted[k] for k in writable}
    entries = [json.loads(line) for line in Path(str(undone.audit_log)).read_text().splitlines()]
    [link] = [e for e in entries if e["field"] == CREATE]
    assert (link["before"], link["newId"]) == ("cert-2-1", back["id"])  # the old id and the new one


def test_an_undo_from_the_audit_log_alone_inverts_creates_and_deletes(
    emu: Emulator, graph: Graph, tmp_path: Path,
) -> None:
    staged = staged_on(graph, tmp_path / "edits.journal")
    staged.add("user1@contoso.example", **CKA)
    staged.delete(key(2, "cert-2-1"))
    result = committed(graph, staged)
    undo = from_audit_log(str(result.audit_log))
    assert undo.creates and undo.deletes
    [(_, restored)] = undo.creates.items()
    assert restored["displayName"] == "AZ-101" and restored["endDate"] == "2026-12-31"
    assert committed(graph, undo).ok
    assert titled(emu, 1, "CKA") == [] and len(titled(emu, 2, "AZ-101")) == 1
