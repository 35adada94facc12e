"""The review panel against a real emulator: diff, dry run, confirmed commit with progress, outcomes, undo."""

from __future__ import annotations

import httpx
import pytest
from widget_tenant import ADMIN, BOB, IDS, held

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
