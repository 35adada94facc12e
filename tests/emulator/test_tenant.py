"""The emulated tenant: seed loading and checking, lookups, reset, and concurrent writes (contract §10)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from graph_seed import ADELE, ODD, PATRICK, SEED

from certnb.emulator.resource import PROPERTIES
from certnb.emulator.tenant import BUILTIN_SEED, DEFAULT_SEED, SeedError, Tenant


def test_seed_round_trips_through_to_seed() -> None:
    tenant = Tenant.from_seed(SEED)
    again = Tenant.from_seed(tenant.to_seed())
    assert again.to_seed() == tenant.to_seed()
    assert (tenant.tenant_id, tenant.domain) == (SEED["tenant"]["id"], "fabrikam.example")
    assert [u.id for u in tenant.users] == [u["id"] for u in SEED["users"]]


def test_a_seed_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(SEED, ensure_ascii=False), encoding="utf-8")
    assert (
        Tenant.from_seed(path).to_seed()
        == Tenant.from_seed(str(path)).to_seed()
        == Tenant.from_seed(SEED).to_seed()
    )


def test_none_is_the_sample_tenant() -> None:
    expected = DEFAULT_SEED if DEFAULT_SEED.exists() else BUILTIN_SEED
    assert Tenant.from_seed(None).to_seed() == Tenant.from_seed(expected).to_seed()
    builtin = Tenant.from_seed(BUILTIN_SEED)
    assert any("'" in u.user_principal_name for u in builtin.users)
    assert any(not u.user_principal_name.isascii() for u in builtin.users)


def test_find_user_by_id_or_upn_case_insensitively() -> None:
    tenant = Tenant.from_seed(SEED)
    for user in (ADELE, PATRICK, ODD):
        assert tenant.find_user(user["id"]).id == user["id"]  # type: ignore[union-attr]
        assert tenant.find_user(user["upn"].upper()).id == user["id"]  # type: ignore[union-attr]
    assert tenant.find_user("nobody@fabrikam.example") is None


def test_default_user_is_the_seeds_or_the_first() -> None:
    assert Tenant.from_seed(SEED).default_user.id == ADELE["id"]
    second_first = {**SEED, "defaultUser": PATRICK["id"]}
    assert Tenant.from_seed(second_first).default_user.id == PATRICK["id"]
    no_default = {k: v for k, v in SEED.items() if k != "defaultUser"}
    assert Tenant.from_seed(no_default).default_user.id == SEED["users"][0]["id"]


def test_seeded_certifications_get_every_property_and_normalised_audiences() -> None:
    seed = {
        "tenant": {"id": "t"},
        "users": [
            {
                "userPrincipalName": "a@b.c",
                "certifications": [
                    {
                        "displayName": "x",
                        "allowedAudiences": "organization, me",
                        "@odata.type": "#microsoft.graph.personCertification",
                    }
                ],
            }
        ],
    }
    user = Tenant.from_seed(seed).users[0]
    cert = next(iter(user.certifications.values()))
    assert {n for n, s in PROPERTIES.items() if s.writable} <= set(cert)
    assert cert["allowedAudiences"] == "me,organization" and "@odata.type" not in cert
    assert cert["id"] and user.id


@pytest.mark.parametrize(
    ("seed", "why"),
    [
        ([], "JSON object"),
        ({"tenant": [], "users": []}, "'tenant' must be an object"),
        ({"users": [{"id": "x"}]}, "userPrincipalName"),
        (
            {"users": [{"userPrincipalName": "a@b"}, {"userPrincipalName": "A@B"}]},
            "share a userPrincipalName",
        ),
        (
            {"users": [{"id": "1", "userPrincipalName": "a@b"}, {"id": "1", "userPrincipalName": "c@d"}]},
            "share an id",
        ),
        ({"users": [{"userPrincipalName": "a@b", "certifications": {}}]}, "must be a list"),
        ({"users": [{"userPrincipalName": "a@b", "certifications": [{"endDate": "Date"}]}]}, "endDate"),
        (
            {"users": [{"userPrincipalName": "a@b", "certifications": [{"allowedAudiences": "x"}]}]},
            "allowedAudiences",
        ),
        (
            {"users": [{"userPrincipalName": "a@b", "certifications": [{"id": "1"}, {"id": "1"}]}]},
            "duplicate id",
        ),
        ({"users": [{"userPrincipalName": "a@b", "certifications": ["x"]}]}, "certifications[0]"),
        ({"defaultUser": "ghost", "users": [{"userPrincipalName": "a@b"}]}, "defaultUser"),
    ],
)
def test_bad_seeds_are_refused_with_a_message_naming_the_place(seed: Any, why: str) -> None:
    with pytest.raises(SeedError) as caught:
        Tenant.from_seed(seed)
    assert why in str(caught.value)


def test_unreadable_seed_file_names_the_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    for path in (broken, tmp_path / "missing.json"):
        with pytest.raises(SeedError, match=path.name):
            Tenant.from_seed(path)


def test_replace_swaps_content_in_place() -> None:
    tenant = Tenant.from_seed(SEED)
    adele = tenant.find_user(ADELE["id"])
    assert adele is not None
    tenant.remove(adele, "cert-01")
    holder = tenant
    tenant.replace(Tenant.from_seed(SEED))
    assert holder is tenant
    assert "cert-01" in tenant.find_user(ADELE["id"]).certifications  # type: ignore[union-attr]


def test_concurrent_stores_and_reads_are_consistent() -> None:
    tenant = Tenant.from_seed(SEED)
    user = tenant.find_user(ODD["id"])
    assert user is not None

    def writer(offset: int) -> None:
        for i in range(200):
            tenant.store(user, {"id": f"w{offset}-{i}"})
            tenant.certifications(user)
            tenant.to_seed()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tenant.certifications(user)) == 1 + 4 * 200
