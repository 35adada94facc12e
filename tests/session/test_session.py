"""`Session`, what connect() returns: Graph's verbs plus load, plan (the dry run), commit and sign_out; the
HTTP layer's `Graph` keeps only the verbs. And connect() knows the emulator only by its sign-in protocol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import certnb
from certnb.commit import CommitPlan, CommitResult
from certnb.emulator.server import Emulator
from certnb.emulator.signin_protocol import SignInProtocol
from certnb.graph import Graph
from certnb.session import Session

BOB = "bob@contoso.example"
BOB_ID = "2b3c4d5e-1111-4f60-8a9b-0c1d2e3f4a5b"
SEED: dict[str, Any] = {
    "tenant": {"id": "3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b", "domain": "contoso.example"},
    "defaultUser": BOB,
    "users": [
        {"id": BOB_ID, "userPrincipalName": BOB, "certifications": [
            {"id": "c1", "displayName": "AZ-900", "issuingAuthority": "MSFT", "endDate": "2027-06-30"},
        ]},
    ],
}


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(seed=SEED) as running:
        yield running


def patches(emu: Emulator) -> int:
    return sum(n for route, n in emu.stats()["by_route"].items() if route.startswith("PATCH "))


def test_graph_keeps_the_verbs_and_the_session_adds_the_workflow() -> None:
    for verb in ("get", "get_all", "get_lists", "batch", "patch", "post", "delete", "me", "close"):
        assert callable(getattr(Graph, verb)), verb
    for workflow in ("load", "plan", "commit", "sign_out"):
        assert not hasattr(Graph, workflow) and callable(getattr(Session, workflow)), workflow
    assert issubclass(Session, Graph) and certnb.Session is Session


def test_connect_returns_a_session_that_says_so(emu: Emulator) -> None:
    with certnb.connect(emulator=emu) as session:
        assert isinstance(session, Session)
        assert repr(session).startswith(f"<certnb.Session {emu.graph_url} cloud=custom account='{BOB}'")


def test_plan_is_the_dry_run_for_this_sessions_graph_and_sends_nothing(emu: Emulator) -> None:
    emu.reset()
    with certnb.connect(emulator=emu, write=True) as session:
        staged = certnb.stage(session.load())
        staged.set((BOB_ID, "c1"), issuingAuthority="Microsoft")
        before = emu.stats()["requests_total"]
        plan = session.plan(staged)
        assert isinstance(plan, CommitPlan) and len(plan) == 1
        assert emu.stats()["requests_total"] == before  # nothing sent
        assert f"PATCH {emu.graph_url}/users/{BOB_ID}/profile/certifications/c1" in str(plan)
        result = session.commit(staged)
        assert isinstance(result, CommitResult) and result.counts == {"applied": 1}
        assert patches(emu) == 1 and not len(session.plan(staged))  # done: nothing left to send


class OnlyTheProtocol:
    """An emulator seen only through what it says about sign-in: nothing of its app, config or tenant."""

    def __init__(self, emu: Emulator) -> None:
        self._emu = emu

    def start(self) -> OnlyTheProtocol:
        self._emu.start()
        return self

    def sign_in_protocol(self) -> SignInProtocol:
        return self._emu.sign_in_protocol()


def test_connect_reads_only_the_emulators_sign_in_protocol(emu: Emulator) -> None:
    with certnb.connect(emulator=OnlyTheProtocol(emu), all_users=True) as session:  # type: ignore[arg-type]
        assert session.account == BOB and session.base_url == emu.graph_url
        assert session.me()["userPrincipalName"] == BOB
