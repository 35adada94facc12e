"""Writes a tenant does not permit (contract §13), committed against the emulator over real sockets: each of
the refusals real tenants answer (403 ErrorAccessDeniedForRole, 500 DirectoryObjectUnauthorizedAccess-
Exception, 404 UnknownError for a certification that is there), and a value an HR connector took over, end
as `not_permitted` ("not permitted by this tenant"), are sent once and never retried, and the result says
what the analyst can do, with Graph's request id."""

from __future__ import annotations

import pytest
from commit_tenant import committed, key, patches_sent, staged_on, user_id

from certnb.commit.outcome import Outcome
from certnb.emulator.server import Emulator
from certnb.graph.client import Graph

REFUSALS = [
    ("access_denied_for_role", 403, "ErrorAccessDeniedForRole"),
    ("directory_unauthorized", 500,
     "-1, Microsoft.Office.Server.Directory.DirectoryObjectUnauthorizedAccessException"),
    ("not_found", 404, "UnknownError"),
]


@pytest.mark.parametrize(("refusal", "status", "code"), REFUSALS)
def test_a_refused_write_is_not_permitted_sent_once_and_explained(
    emu: Emulator, graph: Graph, refusal: str, status: int, code: str
) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-0"), endDate="2027-06-30")
    staged.set(key(2, "cert-2-0"), endDate="2027-06-30")
    emu.set_faults(write_refusals={user_id(1): refusal})
    before = patches_sent(emu)
    result = committed(graph, staged)
    assert result.counts == {"applied": 1, "not_permitted": 1}, result.table
    assert patches_sent(emu) - before == 2  # one PATCH each: a refusal is not a transient failure
    [row] = result.table[result.table["outcome"] == "not_permitted"].to_dict("records")
    assert (row["userId"], row["status"], row["code"]) == (user_id(1), status, code)
    assert row["requestId"] and not result.ok
    text = str(result)
    assert "1 not permitted by this tenant" in text
    assert "ask the person to change it on their own profile" in text and row["requestId"] in text
    state = emu.state()
    changed = {c["id"]: c["endDate"] for u in state["users"] for c in u["certifications"]}
    assert changed["cert-1-0"] == "2026-12-31" and changed["cert-2-0"] == "2027-06-30"


def test_a_value_a_source_took_over_since_the_load_is_not_permitted(emu: Emulator, graph: Graph) -> None:
    staged = staged_on(graph)
    staged.set(key(1, "cert-1-1"), endDate="2028-01-31", description="renewed")
    # After the load, the HR connector's import takes the certification's dates over (contract §13).
    tenant = emu.app.tenant
    person = tenant.find_user(user_id(1))
    assert person is not None
    cert = dict(person.certifications["cert-1-1"])
    cert["sources"] = [{"isDefaultSource": True, "properties": ["displayName", "startDate", "endDate"],
                        "sourceId": "4ce763dd-9214-4eff-af7c-da491cc3782d"}]
    tenant.store(person, cert)
    before = patches_sent(emu)
    result = committed(graph, staged)
    assert set(result.table["outcome"]) == {Outcome.NOT_PERMITTED}, result.table
    assert patches_sent(emu) - before == 1
    [message] = set(result.table["message"])
    assert "'endDate'" in message and "Microsoft Entra ID" in message
    assert "correct it in the system it comes from" in str(result)
    assert emu.state()["users"][1]["certifications"][1]["endDate"] == "2026-12-31"

