"""The review panel against a real emulator: the live review, dry run, confirmed commit with progress,
outcomes, undo."""

from __future__ import annotations

import asyncio
import html
import re

import httpx
import pytest
from widget_tenant import ADMIN, ASOF, BOB, CAROL, IDS, held

from certnb.emulator.server import Emulator
from certnb.graph.urls import certifications_path
from certnb.session import Session
from certnb.staging import Staged, stage
from certnb.widgets import ReviewPanel


@pytest.fixture
def loaded(graph: Session) -> Staged:
    return stage(graph.load(users="all"))


def patches(emu: Emulator) -> int:
    return sum(n for route, n in emu.stats()["by_route"].items() if route.startswith("PATCH "))


def test_diff_and_dry_run_show_the_staged_edits_and_send_nothing(emu: Emulator, graph: Session,
                                                                 loaded: Staged) -> None:
    panel = ReviewPanel(loaded, graph)
    assert "<b>0</b> staged edits" in panel.diff.value
    loaded.set((IDS[BOB], "b1"), endDate="2028-06-30", issuingAuthority="Microsoft")
    panel.show_diff()
    assert "<b>2</b> staged edits on 1 certification" in panel.diff.value
    before = patches(emu)
    panel.dry_run_button.click()
    assert f"/users/{IDS[BOB]}/profile/certifications/b1" in panel.plan.value
    assert "{&quot;issuingAuthority&quot;:&quot;Microsoft&quot;,&quot;endDate&quot;:&quot;2028-06-30&quot;}" \
        in panel.plan.value
    assert patches(emu) == before


def test_commit_waits_for_confirmation_and_cancel_sends_nothing(emu: Emulator, graph: Session,
                                                                loaded: Staged) -> None:
    loaded.set((IDS[BOB], "b1"), endDate="2028-06-30")
    panel = ReviewPanel(loaded, graph)
    panel.commit_button.click()
    assert panel.confirmation.layout.display == ""
    assert "send 1 PATCH request carrying 1 edit" in panel.question.value
    assert held(emu, BOB, "b1")["endDate"] == "2027-06-30"
    panel.cancel_button.click()
    assert panel.confirmation.layout.display == "none"
    panel.confirm_button.click()  # nothing pending any more
    assert "Nothing is waiting for confirmation" in panel.messages.value
    assert held(emu, BOB, "b1")["endDate"] == "2027-06-30" and patches(emu) == 0


def test_confirmed_commit_writes_shows_outcomes_and_undo_restores(emu: Emulator, graph: Session,
                                                                  loaded: Staged) -> None:
    loaded.set((IDS[BOB], "b1"), endDate="2028-06-30")
    loaded.set((IDS[ADMIN], "a2"), {"allowedAudiences": ["contacts", "organization"]})
    panel = ReviewPanel(loaded, graph)
    updates: list[object] = []
    panel.on_change(lambda: updates.append(panel.value))
    panel.commit_button.click()
    panel.confirm_button.click()
    assert held(emu, BOB, "b1")["endDate"] == "2028-06-30"
    assert held(emu, ADMIN, "a2")["allowedAudiences"] == "contacts,organization"
    assert panel.value is not None and panel.value.counts == {"applied": 2}
    assert (panel.progress.value, panel.progress.max, panel.progress.bar_style) == (2, 2, "success")
    assert panel.results.value.count("applied") >= 2 and "2 applied" in panel.messages.value
    assert "applied" in panel.diff.value  # the diff now carries each edit's outcome
    assert updates == [panel.value]
    assert not panel.undo_button.disabled

    panel.undo_button.click()
    assert "<b>Undo:</b> send 2 PATCH requests carrying 2 edits" in panel.question.value
    panel.confirm_button.click()
    assert held(emu, BOB, "b1")["endDate"] == "2027-06-30"
    assert held(emu, ADMIN, "a2")["allowedAudiences"] == "organization"
    assert "Undo: 2 applied" in panel.messages.value
    panel.commit_button.click()  # the original edits are done: nothing left to commit
    assert "Nothing to commit" in panel.messages.value


def test_a_conflict_is_reported_not_overwritten(emu: Emulator, graph: Session, loaded: Staged) -> None:
    loaded.set((IDS[BOB], "b1"), endDate="2028-06-30")
    # Someone else changes the same certification after the load.
    url = emu.graph_url + certifications_path(IDS[BOB], "b1")
    reply = httpx.patch(url, json={"endDate": "2027-09-30"}, verify=emu.verify(), timeout=10,
                        headers={"Authorization": f"Bearer {emu.access_token()}"})
    assert reply.status_code == 200
    panel = ReviewPanel(loaded, graph)
    panel.commit_button.click()
    panel.confirm_button.click()
    assert held(emu, BOB, "b1")["endDate"] == "2027-09-30"
    assert panel.value is not None and panel.value.counts == {"conflict": 1}
    assert panel.progress.bar_style == "warning" and "conflict" in panel.results.value
    assert panel.undo_button.disabled


def test_without_a_session_only_the_dry_run_works(loaded: Staged) -> None:
    loaded.set((IDS[BOB], "b1"), endDate="2028-06-30")
    panel = ReviewPanel(loaded)
    panel.dry_run_button.click()
    assert "graph.microsoft.com/beta/users/" in panel.plan.value
    panel.commit_button.click()
    assert "No Graph session" in panel.messages.value and panel.confirmation.layout.display == "none"


def test_staging_while_a_commit_is_asked_withdraws_the_question(emu: Emulator, graph: Session,
                                                                loaded: Staged) -> None:
    loaded.set((IDS[BOB], "b1"), endDate="2028-06-30")
    panel = ReviewPanel(loaded, graph)
    panel.dry_run_button.click()
    panel.commit_button.click()
    assert "send 1 PATCH request carrying 1 edit" in panel.question.value
    loaded.set((IDS[ADMIN], "a2"), endDate="2030-01-31")  # code in a cell, or another form
    assert "<b>2</b> staged edits on 2 certifications" in panel.diff.value
    assert panel.confirmation.layout.display == "none" and panel.plan.value == ""
    assert "nothing was sent; press Commit… again" in panel.messages.value
    panel.confirm_button.click()
    assert patches(emu) == 0 and held(emu, BOB, "b1")["endDate"] == "2027-06-30"
    panel.commit_button.click()
    assert "send 2 PATCH requests carrying 2 edits" in panel.question.value


def test_the_review_is_live_and_speaks_the_analysts_language(loaded: Staged) -> None:
    panel = ReviewPanel(loaded, asof=ASOF)
    # Staged from code in another cell: the panel redraws with no click.
    loaded.set((IDS[CAROL], "c1"), endDate="2027-01-31")
    loaded.set((IDS[BOB], "b1"), issuingCompany="Microsoft")
    loaded.set((IDS[BOB], "b2"), webUrl=None)
    shown = panel.diff.value
    assert "<b>3</b> staged edits on 3 certifications of 2 people" in shown
    assert "3 of them fix audit findings." in shown
    assert "1 certification of 1 person: Expires extended by one year" in shown
    assert "1 certification of 1 person: Web URL cleared" in shown
    assert all(text in shown for text in ("Carol Coder", CAROL, "AZ-104", "Expires", "Issuing company"))
    assert 'title="fixes the audit finding expired">expired</span>' in shown
    assert 'title="fixes the audit finding issuer-spelling">issuer misspelt</span>' in shown
    assert '<td class="certnb-cleared">(cleared)</td>' in shown
    assert not any(guid in shown for guid in IDS.values()) and "None" not in shown and "Outcome" not in shown
    # Clearing the bad web URL removes that finding too.
    assert [line.fixes for line in panel.lines()] == [("expired",), ("issuer-spelling",), ("bad-url",)]

    headings = re.findall(r'class="certnb-review-group">([^<]*)<', shown)
    assert headings == ["Bob Builder (bob@contoso.example) ", "Carol Coder (carol@contoso.example) "]
    panel.grouping.value = "field"  # the toggle
    headings = re.findall(r'class="certnb-review-group">([^<]*)<', panel.diff.value)
    assert headings == ["Issuing company ", "Expires ", "Web URL "]
    loaded.unstage((IDS[BOB], "b2"))
    assert "<b>2</b> staged edits" in panel.diff.value and "Web URL" not in panel.diff.value


def test_the_review_names_what_is_created_and_deleted(loaded: Staged) -> None:
    panel = ReviewPanel(loaded, asof=ASOF)
    loaded.add(CAROL, displayName="AZ-305", endDate="2028-05-31")
    loaded.delete((IDS[BOB], "b2"))
    shown = html.unescape(panel.diff.value)
    assert "1 certification of 1 person: new, 'AZ-305'" in shown
    assert "1 certification of 1 person: deleted, 'PMP'" in shown


def test_a_commit_made_from_code_lands_in_the_review(emu: Emulator, graph: Session, loaded: Staged) -> None:
    panel = ReviewPanel(loaded, graph, asof=ASOF)
    loaded.set((IDS[BOB], "b1"), endDate="2028-06-30")
    assert "Outcome" not in panel.diff.value
    graph.commit(loaded)  # another cell; no button pressed
    assert "<th>Outcome</th>" in panel.diff.value and "<td>applied</td>" in panel.diff.value
    assert [line.outcome for line in panel.lines()] == ["applied"]


def test_the_dry_run_reads_as_sentences_with_the_requests_behind_a_disclosure(emu: Emulator, graph: Session,
                                                                             loaded: Staged) -> None:
    panel = ReviewPanel(loaded, graph)
    loaded.set([(IDS[ADMIN], "a1"), (IDS[CAROL], "c1"), (IDS[CAROL], "c2")], endDate=None)
    loaded.set((IDS[BOB], "b1"), issuingCompany="Microsoft")
    plan = panel.dry_run()
    words, requests = panel.plan.value.split("<details", 1)
    assert "3 certifications of 2 people: Expires cleared" in words
    assert "1 certification of 1 person: Issuing company &#x27;MSFT&#x27; → &#x27;Microsoft&#x27;" in words
    assert "Adele Admin" in words and not any(guid in words for guid in IDS.values())
    assert "The exact requests (4 PATCHes)" in requests
    for patch in plan:  # every request, exactly as sent: method, URL, body
        assert f"<b>PATCH</b> {patch.url}\nContent-Type: application/json\n\n" in requests
        assert html.escape(patch.content.decode("utf-8")) in requests
    assert "3 certifications of 2 people: Expires cleared" in repr(plan)  # a terminal reads the same
    assert patches(emu) == 0


def test_results_put_what_needs_attention_first_with_what_to_do_next(emu: Emulator, graph: Session,
                                                                     loaded: Staged) -> None:
    loaded.set((IDS[BOB], "b1"), endDate="2028-06-30")
    loaded.set((IDS[ADMIN], "a2"), endDate="2030-01-31")
    loaded.set((IDS[CAROL], "c2"), endDate="2028-03-31")
    token = {"Authorization": f"Bearer {emu.access_token()}"}
    # A second writer changes b1 after the load; c2 is deleted.
    assert httpx.patch(emu.graph_url + certifications_path(IDS[BOB], "b1"), json={"endDate": "2027-09-30"},
                       verify=emu.verify(), timeout=10, headers=token).status_code == 200
    assert httpx.delete(emu.graph_url + certifications_path(IDS[CAROL], "c2"), verify=emu.verify(),
                        timeout=10, headers=token).status_code == 204
    panel = ReviewPanel(loaded, graph)
    panel.commit_button.click()
    panel.confirm_button.click()
    assert panel.value is not None and panel.value.counts == {"applied": 1, "conflict": 1, "missing": 1}
    shown = panel.results.value
    assert shown == panel.value._repr_html_()
    counts = re.findall(r"certnb-outcome-(\w+)' style='background:(#\w+)[^>]*>([^<]*)<", shown)
    assert counts == [("applied", "#1a7f37", "1 applied"), ("conflict", "#bc4c00", "1 conflict"),
                      ("missing", "#8250df", "1 missing")]
    rows = re.findall(r"<tr class='certnb-row-(\w+)'>", shown)
    assert rows == ["conflict", "missing", "applied"]  # attention first
    attention, done = shown.split("certnb-done", 1)
    assert "someone changed it in Graph since you loaded; reload and re-stage if yours should win" \
        in attention
    assert "the certification (or its person) is gone from Graph" in attention
    assert "Bob Builder" in attention and "Carol Coder" in attention and "Adele Admin" in done
    visible, answers = shown.split("<details", 1)
    request_ids = [r.request_id for r in panel.value if r.request_id]
    assert request_ids and not any(rid in visible for rid in request_ids)
    assert all(rid in answers for rid in request_ids) and not any(guid in visible for guid in IDS.values())
    text = repr(panel.value).splitlines()
    assert text[0] == "1 applied, 1 conflict, 1 missing" and text[1].startswith("  conflict · Bob Builder")
    assert text[2].startswith("  missing · Carol Coder")


def test_in_a_running_event_loop_the_review_redraws_once_after_the_cell(loaded: Staged) -> None:
    # A Jupyter kernel runs cells and widget messages in an event loop: the review redraws once they end,
    # so a grid edit is not slowed by it, while a Commit… question is withdrawn at once.
    panel = ReviewPanel(loaded, asof=ASOF)
    drawn: list[str] = []
    panel.diff.observe(lambda change: drawn.append(change["new"]), names="value")

    async def cell() -> None:
        loaded.set((IDS[CAROL], "c1"), endDate="2027-01-31")
        loaded.set((IDS[BOB], "b1"), endDate="2028-06-30")
        assert drawn == []  # not yet: the cell is still running
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run(cell())
    assert len(drawn) == 1 and "<b>2</b> staged edits" in drawn[0]
