"""A journal belongs to the tenant and Graph root of its first commit: recorded then (with the account), and a
session of another tenant or root is refused before it sends a single request."""

from __future__ import annotations

from pathlib import Path

import pytest
from commit_tenant import ADMIN, TENANT_ID, committed, key, patches_sent, seed, staged_on

import certnb
from certnb.commit.plan import plan
from certnb.commit.run import commit, graph_root
from certnb.emulator.server import Emulator
from certnb.errors import JournalTenantMismatch
from certnb.graph.client import Graph
from certnb.staging import Staged, stage

OTHER_TENANT = "9f8e7d6c-0000-4000-8000-fabrikam00001"


def test_the_first_commit_records_tenant_root_and_account(
    emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    staged = staged_on(graph, tmp_path / "edits.journal")
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    assert graph.tenant_id == TENANT_ID == emu.tenant_id
    assert staged.journal.owner() is None  # staging binds nothing; nor does a dry run
    plan(staged, base_url=graph.base_url)
    assert staged.journal.owner() is None
    committed(graph, staged)
    owner = staged.journal.owner()
    assert owner is not None
    assert (owner.tenant_id, owner.graph_root, owner.account) == (TENANT_ID, graph_root(emu.graph_url), ADMIN)
    assert owner.since.startswith("20")


def test_a_journal_of_another_tenant_is_refused_before_any_request(
    emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    staged = staged_on(graph, tmp_path / "edits.journal")
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.journal.bind(OTHER_TENANT, graph_root(graph.base_url), "megan@fabrikam.example")
    before = emu.stats()["requests_total"]
    with pytest.raises(JournalTenantMismatch) as caught:
        commit(graph, staged)
    message = str(caught.value)
    assert f"belongs to tenant {OTHER_TENANT} at {graph_root(emu.graph_url)}" in message
    assert "signed in as megan@fabrikam.example" in message
    assert f"this session is tenant {TENANT_ID} at {graph_root(emu.graph_url)}: nothing was sent" in message
    assert caught.value.recorded == (OTHER_TENANT, graph_root(emu.graph_url))
    assert emu.stats()["requests_total"] == before  # not one request, let alone a write
    assert staged.journal.lease_holder() is None and len(staged.pending()) == 1


def test_a_journal_committed_through_one_emulator_is_refused_by_another(
    emu: Emulator, graph: Graph, tmp_path: Path
) -> None:
    journal = tmp_path / "edits.journal"
    staged = staged_on(graph, journal)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    assert committed(graph, staged).counts == {"applied": 1}
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")  # more edits, for the next commit
    staged.close()

    other_seed = seed()
    other_seed["tenant"]["id"] = OTHER_TENANT
    with Emulator(seed=other_seed) as other, \
            certnb.connect(emulator=other, write=True, all_users=True) as elsewhere:
        assert elsewhere.tenant_id == OTHER_TENANT
        other.reset()  # zero its statistics: the sign-in is behind us
        resumed = Staged.open(journal)
        with pytest.raises(JournalTenantMismatch) as caught:
            commit(elsewhere, resumed)
        assert other.stats()["requests_total"] == 0 and patches_sent(other) == 0
        elsewhere_root = graph_root(other.graph_url)
    assert f"belongs to tenant {TENANT_ID} at {graph_root(emu.graph_url)}" in str(caught.value)
    assert f"this session is tenant {OTHER_TENANT} at {elsewhere_root}" in str(caught.value)
    assert [e.key for e in resumed.pending()] == [(*key(2, "cert-2-0"), "endDate")]
    assert committed(graph, resumed).counts == {"applied": 2}  # its own tenant still commits it
    resumed.close()


def test_an_in_memory_journal_is_bound_too(emu: Emulator, graph: Graph) -> None:
    staged = stage(graph.load(users="all"))
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    committed(graph, staged)
    owner = staged.journal.owner()
    assert owner is not None and owner.tenant_id == TENANT_ID
