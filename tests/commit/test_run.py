"""The commit runner against the emulator over real sockets: minimal bodies as sent, dry run, conflicts,
missing and already-applied certifications, writes answered 429/503/dropped, 400 rejections, retries given
up, resume from the journal, and the result table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from commit_tenant import certification, committed, key, patches_sent, remote_patch, staged_on, user_id
from next_links import NextLinks

from certnb.commit.journal_outcomes import outcome_records
from certnb.commit.plan import CommitPlan, compact_json
from certnb.commit.plan import plan as plan_of
from certnb.commit.result import CommitResult
from certnb.commit.run import commit
from certnb.emulator.config import ScriptedFault
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph
from certnb.graph.urls import certifications_path
from certnb.staging import Staged


def outcome_of(result: CommitResult, user: int, cert: str, field: str) -> dict[str, Any]:
    rows = result.table[(result.table["userId"] == user_id(user)) & (result.table["id"] == cert)
                        & (result.table["field"] == field)]
    assert len(rows) == 1, result.table
    record: dict[str, Any] = {str(k): v for k, v in rows.iloc[0].to_dict().items()}
    return record


class Recording(httpx.AsyncBaseTransport):
    """The real transport to the emulator, keeping every request's bytes (a seam, not a patch)."""

    def __init__(self, emu: Emulator) -> None:
        self.inner = httpx.AsyncHTTPTransport(verify=emu.verify())
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.sent.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_minimal_bodies_as_sent_and_the_rest_untouched(emu: Emulator, graph: Graph) -> None:
    import certnb

    recording = Recording(emu)
    with certnb.connect(emulator=emu, write=True, all_users=True, transport=recording) as recorded:
        staged = staged_on(recorded)
        staged.set(key(1, "cert-1-0"), endDate="2027-06-30", allowedAudiences=["contacts", "organization"])
        staged.set(key(2, "cert-2-1"), {"inference.confidenceScore": 0.9})
        plan = plan_of(staged, base_url=recorded.base_url)
        recording.sent.clear()
        result = committed(recorded, staged)
    assert result.counts == {"applied": 3}, result.table
    items = [
        item
        for request in recording.sent if request.url.path.endswith("/$batch")
        for item in json.loads(request.content)["requests"] if item["method"] == "PATCH"
    ]
    sent = {item["url"]: compact_json(item["body"]) for item in items}
    assert sent == {p.path: p.content for p in plan}
    assert sent[certifications_path(user_id(1), "cert-1-0")] == (
        b'{"endDate":"2027-06-30","allowedAudiences":"contacts,organization"}'
    )
    # inference is one object on the wire: the untouched member goes at its loaded value.
    assert sent[certifications_path(user_id(2), "cert-2-1")] == (
        b'{"inference":{"confidenceScore":0.9,"userHasVerifiedAccuracy":false}}'
    )
    state = emu.state()
    changed = certification(state, 1, "cert-1-0")
    assert changed is not None
    assert (changed["endDate"], changed["startDate"], changed["displayName"]) == (
        "2027-06-30", "2024-01-01", "AZ-100"
    )
    untouched = certification(state, 1, "cert-1-1")
    assert untouched is not None and untouched["endDate"] == "2026-12-31"
    assert patches_sent(emu) == 2


def test_dry_run_sends_nothing(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    before = emu.stats()["requests_total"]
    plan = graph.plan(staged)
    assert isinstance(plan, CommitPlan) and len(plan) == 1
    assert "PATCH" in repr(plan) and "2027-06-30" in repr(plan)
    assert emu.stats()["requests_total"] == before
    assert outcome_records(staged.journal) == []


def test_the_plan_is_the_dry_run_and_commit_always_commits(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    before = emu.stats()["requests_total"]
    planned = plan_of(staged, base_url=graph.base_url)
    assert [p.url for p in planned] == [graph.base_url + certifications_path(user_id(1), "cert-1-0")]
    with pytest.raises(TypeError, match="dry_run"):
        commit(graph, staged, dry_run=True)  # type: ignore[call-arg]
    assert emu.stats()["requests_total"] == before and staged.journal.owner() is None
    result = commit(graph, staged)
    assert isinstance(result, CommitResult) and repr(result) == "1 applied"


def test_remote_change_is_a_conflict_and_the_server_keeps_it(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30", displayName="AZ-104")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    remote_patch(emu, 1, "cert-1-0", {"endDate": "2028-01-31"})
    result = committed(graph, staged)
    assert outcome_of(result, 1, "cert-1-0", "endDate")["outcome"] == "conflict"
    # The whole certification's PATCH is skipped, the unchanged field included.
    assert outcome_of(result, 1, "cert-1-0", "displayName")["outcome"] == "conflict"
    assert "2028-01-31" in outcome_of(result, 1, "cert-1-0", "endDate")["message"]
    assert outcome_of(result, 2, "cert-2-0", "endDate")["outcome"] == "applied"
    kept = certification(emu.state(), 1, "cert-1-0")
    assert kept is not None and (kept["endDate"], kept["displayName"]) == ("2028-01-31", "AZ-100")
    assert patches_sent(emu) == 2  # the remote one and ours for user 2
    assert result.summary() == "1 applied, 2 conflict"
    assert repr(result).splitlines()[1:] == [  # each conflict named, with what to do next
        f"  conflict · User 1 (user1@contoso.example) · AZ-100 · {label} → {value}: someone changed it in "
        "Graph since you loaded; reload and re-stage if yours should win"
        for label, value in (("Expires", "2027-06-30"), ("Title", "'AZ-104'"))
    ]


def test_audiences_compare_canonically(emu: Emulator, graph: Graph) -> None:
    remote_patch(emu, 1, "cert-1-0", {"allowedAudiences": "organization,contacts"})
    staged = staged_on(graph)
    remote_patch(emu, 1, "cert-1-0", {"allowedAudiences": "contacts,organization"})  # same members
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    result = committed(graph, staged)
    assert result.counts == {"applied": 1}


def test_deleted_certification_is_missing(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    url = emu.graph_url + certifications_path(user_id(1), "cert-1-0")
    reply = httpx.delete(url, headers={"Authorization": f"Bearer {emu.access_token()}"}, verify=emu.verify())
    assert reply.status_code == 204
    result = committed(graph, staged)
    assert result.counts == {"missing": 1}
    assert patches_sent(emu) == 0
    assert staged.pending() == staged.edits  # not done: a later commit tries again


def test_values_already_on_the_server_are_already_applied(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    remote_patch(emu, 1, "cert-1-0", {"endDate": "2027-06-30"})
    result = committed(graph, staged)
    assert result.counts == {"already_applied": 1}
    assert patches_sent(emu) == 1  # the remote one only
    assert staged.pending() == []


@pytest.mark.parametrize("fault", [
    ScriptedFault(nth=1, status=429, method="PATCH", applied=True, retry_after="0"),
    ScriptedFault(nth=1, status=503, method="PATCH", applied=True),
])
def test_write_applied_but_answered_an_error_ends_applied_once(
    emu: Emulator, graph: Graph, fault: ScriptedFault
) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    emu.set_faults(scripted=[fault])
    result = committed(graph, staged)
    assert result.counts == {"applied": 1}, result.table
    row = outcome_of(result, 1, "cert-1-0", "endDate")
    assert row["status"] == fault.status and "holds the new values" in row["message"]
    assert patches_sent(emu) == 1  # not written twice
    held = certification(emu.state(), 1, "cert-1-0")
    assert held is not None and held["endDate"] == "2027-06-30"


def test_applied_but_429_rate_knob_ends_applied_without_rewrites(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-1"), endDate="2027-06-30")
    emu.set_faults(applied_but_429_rate=1.0)
    result = committed(graph, staged)
    assert result.counts == {"applied": 2}
    assert patches_sent(emu) == 2


@pytest.mark.parametrize("status", [503, 0])  # 0: the emulator drops the connection
def test_write_not_applied_is_retried_after_a_re_read(emu: Emulator, graph: Graph, status: int) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    emu.set_faults(scripted=[ScriptedFault(nth=1, status=status, method="PATCH")])
    result = committed(graph, staged)
    assert result.counts == {"applied": 1}, result.table
    assert patches_sent(emu) == 2  # the refused one, then the retry
    held = certification(emu.state(), 1, "cert-1-0")
    assert held is not None and held["endDate"] == "2027-06-30"
    assert [r.attempt for r in outcome_records(staged.journal)] == [2]


def test_retries_are_bounded_then_failed(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    emu.set_faults(scripted=[ScriptedFault(nth=n, status=503, method="PATCH") for n in (1, 2, 3)])
    result = committed(graph, staged, max_attempts=2)
    row = outcome_of(result, 1, "cert-1-0", "endDate")
    assert (row["outcome"], row["status"], row["code"]) == ("failed", 503, "serviceNotAvailable")
    assert patches_sent(emu) == 2
    # A later commit (the fault script has one 503 left) gets there.
    again = committed(graph, staged)
    assert again.counts == {"applied": 1}
    assert [r.attempt for r in outcome_records(staged.journal)] == [2, 4]  # numbered across commits


def test_a_400_is_rejected_with_graph_code_and_message(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    emu.set_faults(scripted=[ScriptedFault(nth=1, status=400, method="PATCH", path_contains="cert-1-0")])
    result = committed(graph, staged)
    row = outcome_of(result, 1, "cert-1-0", "endDate")
    assert (row["outcome"], row["status"]) == ("rejected", 400)
    assert row["code"] and row["message"] and row["requestId"]
    assert outcome_of(result, 2, "cert-2-0", "endDate")["outcome"] == "applied"


def test_commit_again_sends_only_what_is_not_applied(emu: Emulator, graph: Graph, tmp_path: Path) -> None:
    journal = tmp_path / "edits.journal"
    staged = staged_on(graph, journal)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    emu.set_faults(scripted=[ScriptedFault(nth=1, status=400, method="PATCH", path_contains="cert-2-0")])
    first = committed(graph, staged)
    assert first.counts == {"applied": 1, "rejected": 1}
    staged.close()
    emu.set_faults(scripted=[])
    reopened = Staged.open(journal)
    before = patches_sent(emu)
    second = committed(graph, reopened)
    assert second.counts == {"applied": 2}  # one line per staged edit, earlier outcomes included
    assert patches_sent(emu) - before == 1
    total = emu.stats()["requests_total"]
    third = committed(graph, reopened)
    assert third.counts == {"applied": 2} and emu.stats()["requests_total"] == total  # nothing sent
    reopened.close()


def test_result_table_and_display(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    result = committed(graph, staged)
    assert list(result.table.columns) == [  # "earlier": issue 13, outcomes of an earlier commit told apart;
        "userId", "id", "field", "before", "after", "outcome", "status", "code", "message", "requestId",
        "time", "earlier", "newId",  # "newId": issue 16, the id Graph gave a create
        "reason", "staged_by", "committed_by",  # issue 20: why, and who staged and who committed it
    ]
    row = outcome_of(result, 1, "cert-1-0", "endDate")
    assert (row["before"], row["after"], row["status"]) == ("2026-12-31", "2027-06-30", 200)
    assert row["requestId"] and pd.Timestamp(row["time"]).year >= 2026
    assert "1 applied" in result._repr_html_() and "<table" in result._repr_html_()
    assert result["outcome"].tolist() == ["applied"] and result.ok


def test_list_nextlinks_are_followed_in_the_conflict_check(tmp_path: Path) -> None:
    from commit_tenant import seed

    import certnb

    with Emulator(seed=seed(users=2, certs=5), max_top=2) as small, \
            certnb.connect(emulator=small, write=True, all_users=True) as graph:
        staged = staged_on(graph)
        staged.set(key(1, "cert-1-4"), endDate="2027-06-30")  # on the list's third page
        remote_patch(small, 1, "cert-1-4", {"endDate": "2028-01-31"})
        result = committed(graph, staged)
        assert result.counts == {"conflict": 1}


def test_an_unreadable_list_fails_its_edits_and_sends_nothing_for_them(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    emu.set_faults(scripted=[ScriptedFault(nth=1, status=403, method="GET", path_contains=user_id(1))])
    result = committed(graph, staged)
    row = outcome_of(result, 1, "cert-1-0", "endDate")
    assert (row["outcome"], row["status"]) == ("failed", 403)
    assert outcome_of(result, 2, "cert-2-0", "endDate")["outcome"] == "applied"
    assert patches_sent(emu) == 1
    held = certification(emu.state(), 1, "cert-1-0")
    assert held is not None and held["endDate"] == "2026-12-31"


def test_the_conflict_check_reads_as_patiently_as_it_writes(emu: Emulator, graph: Graph) -> None:
    # Six 503s in a row for one person's list: more than the session's 5 attempts, fewer than the commit's 8.
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    assert graph.max_attempts == 5
    emu.set_faults(scripted=[ScriptedFault(nth=n, status=503, method="GET", path_contains=user_id(1))
                             for n in range(1, 7)])
    base, graph.pacer.backoff_base_s = graph.pacer.backoff_base_s, 0.01  # the module's session: put back
    try:
        result = committed(graph, staged)
    finally:
        graph.pacer.backoff_base_s = base
    assert result.counts == {"applied": 1}, result.table
    assert graph.max_attempts == 5  # the session's own budget is given back
    held = certification(emu.state(), 1, "cert-1-0")
    assert held is not None and held["endDate"] == "2027-06-30"


def test_a_repeated_next_link_in_the_conflict_check_fails_those_edits_naming_it(
    emu: Emulator, graph: Graph
) -> None:
    import certnb

    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    looping = certifications_path(user_id(1))
    # A server bug: every page of user 1's list points at that same page again.
    server = NextLinks(emu, lambda url: url if looping + "?" in url else None)
    with certnb.connect(emulator=emu, write=True, all_users=True, transport=server) as seam:
        result = committed(seam, staged)
    row = outcome_of(result, 1, "cert-1-0", "endDate")
    assert (row["outcome"], row["code"]) == ("failed", "nextLinkLoop")
    link = server.replaced[0]
    assert link in row["message"] and "already followed" in row["message"]
    assert len(server.replaced) == 2  # the first page and its nextLink once: then the guard stops the list
    assert outcome_of(result, 2, "cert-2-0", "endDate")["outcome"] == "applied"
    assert patches_sent(emu) == 1  # nothing sent for user 1, whose list could not be read
    held = certification(emu.state(), 1, "cert-1-0")
    assert held is not None and held["endDate"] == "2026-12-31"
