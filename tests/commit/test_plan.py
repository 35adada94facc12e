"""The commit plan: minimal PATCH bodies byte for byte, encoded URLs, resume, $batch items, dry-run display,
no socket ever opened, and bodies the emulator (contract-faithful) accepts."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

import certnb.commit.plan
from certnb.audience import Audience
from certnb.commit import CommitPlan, PlannedPatch, plan_commit
from certnb.commit.journal_outcomes import record_outcome
from certnb.commit.plan import plan as plan_of
from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame
from certnb.graph.batch import MAX_BATCH
from certnb.staging import Staged, stage

ROOT = Path(__file__).resolve().parents[2]
TENANT = ROOT / "data" / "tenant.json"
INFERENCE = {"confidenceScore": 0.5, "userHasVerifiedAccuracy": False}


def frame_of(user_id: str, *certifications: dict[str, Any]) -> pd.DataFrame:
    return build_frame([{"id": user_id, "userPrincipalName": "adele.vance@contoso.example",
                         "displayName": "Adele Vance", "certifications": list(certifications)}])


def test_body_is_minimal_compact_and_in_schema_order() -> None:
    frame = frame_of("u1", {"id": "c1", "displayName": "AZ-104", "description": "old",
                            "endDate": "2026-12-31", "allowedAudiences": "organization",
                            "webUrl": "https://example.com/v"})
    staged = stage(frame)
    # Staged in an order unlike the schema's; webUrl set to its loaded value (no edit).
    staged.set(0, allowedAudiences=[Audience.contacts, "organization"], endDate=dt.date(2027, 6, 30))
    staged.set(0, description=None, displayName="Azure Administrator — Zoë", webUrl="https://example.com/v")
    plan = plan_of(staged)
    [patch] = plan.requests
    assert patch.content == (
        '{"displayName":"Azure Administrator — Zoë","description":null,"endDate":"2027-06-30",'
        '"allowedAudiences":"contacts,organization"}'
    ).encode()
    assert patch.method == "PATCH" and patch.headers == {"Content-Type": "application/json"}
    assert patch.url == "https://graph.microsoft.com/beta/users/u1/profile/certifications/c1"
    assert patch.expected == {"displayName": "AZ-104", "description": "old", "endDate": "2026-12-31",
                              "allowedAudiences": "organization"}
    assert [e.field for e in patch.edits] == ["displayName", "description", "endDate", "allowedAudiences"]


def test_one_patch_per_certification_in_staging_order(own_frame: pd.DataFrame) -> None:
    staged = stage(own_frame)
    staged.set([5, 0], description="a")
    staged.set(5, endDate="2030-01-01")
    plan = plan_of(staged)
    assert [p.cert_id for p in plan] == [own_frame.at[5, "id"], own_frame.at[0, "id"]]
    assert [p.content for p in plan] == [
        b'{"description":"a","endDate":"2030-01-01"}', b'{"description":"a"}'
    ]
    assert len(plan.edits) == 3


def test_url_segments_are_percent_encoded() -> None:
    staged = stage(frame_of("o'brien+1/x", {"id": "cert #1 é"}))
    staged.set(0, description="x")
    [patch] = plan_of(staged, base_url="https://graph.microsoft.us/beta/").requests
    assert patch.path == "/users/o%27brien%2B1%2Fx/profile/certifications/cert%20%231%20%C3%A9"
    assert patch.url == "https://graph.microsoft.us/beta" + patch.path


def test_inference_is_sent_whole_with_the_loaded_sibling() -> None:
    staged = stage(frame_of("u1", {"id": "c1", "inference": INFERENCE}, {"id": "c2", "inference": INFERENCE}))
    staged.set(0, {"inference.confidenceScore": 0.9})
    staged.set(1, {"inference.confidenceScore": None, "inference.userHasVerifiedAccuracy": None})
    first, second = plan_of(staged).requests
    assert first.content == b'{"inference":{"confidenceScore":0.9,"userHasVerifiedAccuracy":false}}'
    assert first.expected == {"inference.confidenceScore": 0.5, "inference.userHasVerifiedAccuracy": False}
    assert second.content == b'{"inference":null}'


def test_applied_edits_are_left_out_on_resume(own_frame: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "edits.journal"
    staged = stage(own_frame, journal=path)
    staged.set([0, 1, 2], description="fixed")
    staged.set(0, endDate="2030-01-01")
    d0, d1, d2, e0 = staged.edits
    record_outcome(staged.journal, d0, attempt=1, outcome="applied", status=200)
    record_outcome(staged.journal, d1, attempt=1, outcome="already_applied", status=200)
    record_outcome(staged.journal, d2, attempt=1, outcome="failed", status=503, code="serviceNotAvailable")
    plan = plan_of(Staged.open(path))
    assert [(p.cert_id, p.content) for p in plan] == [
        (d2.cert_id, b'{"description":"fixed"}'),
        (d0.cert_id, b'{"endDate":"2030-01-01"}'),
    ]
    assert plan_commit(staged.edits, staged.rows, done=[d0.seq, d1.seq, d2.seq, e0.seq]).requests == ()


def test_batch_items_and_envelopes(own_frame: pd.DataFrame) -> None:
    staged = stage(own_frame)
    staged.set(slice(0, 44), description="batched")  # label slices include the end: 45 rows
    plan = plan_of(staged)
    items = plan.to_batch_requests()
    assert len(items) == 45
    assert items[0] == {
        "id": "1", "method": "PATCH",
        "url": f"/users/{own_frame.at[0, 'userId']}/profile/certifications/{own_frame.at[0, 'id']}",
        "headers": {"Content-Type": "application/json"}, "body": {"description": "batched"},
    }
    assert [item["id"] for item in items] == [str(n) for n in range(1, 46)]


def test_dry_run_shows_the_exact_requests(own_frame: pd.DataFrame) -> None:
    staged = stage(own_frame)
    staged.set(0, endDate="2030-01-01", description="<new>")
    plan = plan_of(staged)
    url = f"https://graph.microsoft.com/beta/users/{own_frame.at[0, 'userId']}/profile/certifications/" \
          f"{own_frame.at[0, 'id']}"
    body = '{"description":"<new>","endDate":"2030-01-01"}'
    request = f"PATCH {url}\nContent-Type: application/json\n\n{body}"
    assert str(plan) == request
    # In a terminal: the summary, what changes in words, then the exact requests.
    said = ("Commit plan (dry run, nothing sent): 1 PATCH request carrying 2 edits\n"
            "- 1 certification of 1 person: Description 'Audit, control and assure information systems.' → "
            "'<new>'\n- 1 certification of 1 person: Expires extended by 17 months")
    assert repr(plan) == f"{said}\n\n{request}"
    html = plan._repr_html_()
    sentences, requests = html.split("<details", 1)
    assert "Expires extended by 17 months" in sentences and "Megan Bowen" in sentences
    assert own_frame.at[0, "userId"] not in sentences  # no GUIDs outside the disclosure
    assert f"<b>PATCH</b> {url}" in requests and "&quot;description&quot;:&quot;&lt;new&gt;&quot;" in requests
    empty = "Commit plan (dry run, nothing sent): 0 PATCH requests carrying 0 edits"
    assert repr(plan_of(stage(own_frame))) == empty


def test_plan_module_has_no_client() -> None:
    tree = ast.parse(Path(certnb.commit.plan.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.split(".")[0] in ("httpx", "socket", "ssl", "urllib3", "msal")}
    assert not {m for m in imported if m and m.startswith(("certnb.graph.client", "certnb.graph.transport"))}


def test_planning_never_opens_a_socket() -> None:
    # An audit hook sees every socket the process creates or connects, whatever library would do it.
    script = textwrap.dedent(
        f"""
        import sys
        events = []
        sys.addaudithook(lambda event, args: events.append(event) if event.startswith("socket.") else None)
        import json
        from certnb.frame.build import build_frame
        from certnb.commit.plan import plan as plan_of
        from certnb.staging import stage
        frame = build_frame(json.load(open({str(TENANT)!r}, encoding="utf-8"))["users"])
        staged = stage(frame, owned="warn")  # every row, the connector-owned ones too: planning is the test
        staged.set(frame["endDate"].notna(), description="dry run")
        plan = plan_of(staged)
        text = str(plan) + repr(plan) + plan._repr_html_() + json.dumps(plan.to_batch_requests())
        assert len(plan) > 100, len(plan)
        print(sorted(set(events)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(seed=str(TENANT)) as running:
        yield running


def test_the_emulator_accepts_the_planned_bodies(emulator: Emulator, own_frame: pd.DataFrame) -> None:
    emulator.reset()
    staged = stage(own_frame)
    staged.set([0, 2], {"inference.confidenceScore": 0.75}, endDate=dt.date(2031, 1, 31), description=None)
    staged.set(2, allowedAudiences="contacts, everyone", webUrl="https://example.com/verify?id=1&x=ü")
    plan = plan_of(staged, base_url=emulator.graph_url)
    token = emulator.access_token(scopes="User.ReadWrite.All")
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, verify=emulator.verify()) as client:
        items = plan.to_batch_requests()
        for envelope in ({"requests": items[i:i + MAX_BATCH]} for i in range(0, len(items), MAX_BATCH)):
            reply = client.post(f"{emulator.graph_url}/$batch", json=envelope)
            assert reply.status_code == 200
            assert [r["status"] for r in reply.json()["responses"]] == [200] * len(envelope["requests"])
        for patch in plan:
            entity = client.get(patch.url).json()
            for prop, value in patch.body.items():
                assert entity[prop] == value, (prop, entity[prop], value)
        # A plain PATCH of the exact planned bytes works too.
        first = plan.requests[0]
        reply = client.patch(first.url, content=first.content, headers=first.headers)
        assert reply.status_code == 200, reply.text


def test_plan_types_are_exported() -> None:
    assert certnb.commit.__all__ == sorted(certnb.commit.__all__)
    assert {CommitPlan, PlannedPatch} <= {getattr(certnb.commit, n) for n in certnb.commit.__all__}


def test_plan_refuses_an_edit_of_a_read_only_field() -> None:
    from certnb.staging import Edit

    with pytest.raises(ValueError, match="'createdDateTime' is not a writable certification field"):
        plan_commit([Edit("u1", "c1", "createdDateTime", None, "2027-01-01T00:00:00Z", 1)], {})


def test_a_big_plan_says_how_long_committing_it_takes() -> None:
    from certnb.staging.edit import Edit, RowSnapshot

    def planned(count: int, learned_rate: float | None = None) -> CommitPlan:
        edits = [Edit(f"u{n % 50}", f"c{n}", "endDate", "2026-12-31", "2027-12-31", n) for n in range(count)]
        rows = {(e.user_id, e.cert_id): RowSnapshot(e.user_id, e.cert_id, "a@x", "A", "AZ-104",
                                                    {"endDate": "2026-12-31"}) for e in edits}
        made = plan_commit(edits, rows)
        return made if learned_rate is None else dataclasses.replace(made, learned_rate=learned_rate)

    assert "about" not in repr(planned(100)).splitlines()[0]  # a small plan: done in seconds, nothing said
    head = repr(planned(2_000)).splitlines()[0]
    assert head.endswith("carrying 2000 edits; about 2 minutes for 2,000 updates at this tenant's write "
                         "limit (20 a second)")
    # A session that learned Graph allows it 4 a second says so (Session.plan passes its pacer's rate).
    assert "at the rate Graph allowed this session (4 a second)" in repr(planned(2_000, learned_rate=4.0))
