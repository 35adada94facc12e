"""`load_certifications` against the emulator over a real socket: me, a list of users, the whole tenant;
paging through `$batch`, and users that fail reported instead of dropped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pandas as pd
import pytest
from next_links import NextLinks

from certnb.emulator.server import Emulator
from certnb.errors import LoadInterrupted
from certnb.frame.load import PartialLoadWarning, load_certifications, load_failures
from certnb.frame.records import to_records
from certnb.graph.client import Graph
from certnb.graph.urls import certifications_path
from certnb.session import connect

MEGAN = "megan.bowen@contoso.example"
PAGE_SIZE = 1  # small pages, so that most users' lists need nextLinks (contract §6)


@pytest.fixture(scope="module")
def emu(sample_seed_module: dict[str, Any]) -> Iterator[Emulator]:
    with Emulator(seed=sample_seed_module, page_size=PAGE_SIZE) as running:
        yield running


@pytest.fixture(scope="module")
def sample_seed_module() -> dict[str, Any]:
    import json

    from frame_sample import SAMPLE

    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def session(emu: Emulator, scopes: str = "User.Read.All") -> Graph:
    """A certnb Graph session of the sample's default user (MSAL sign-in at the emulator, contract §9)."""
    return connect(emulator=emu, scopes=scopes.split())


@pytest.fixture(scope="module")
def graph(emu: Emulator) -> Iterator[Graph]:
    with session(emu) as signed_in:
        yield signed_in


def seeded(seed: dict[str, Any], upn: str) -> dict[str, Any]:
    return next(u for u in seed["users"] if u["userPrincipalName"] == upn)


def test_load_me(graph: Graph, sample_seed_module: dict[str, Any]) -> None:
    df = load_certifications(graph)
    megan = seeded(sample_seed_module, MEGAN)
    # Graph's order (by createdDateTime, contract §1), and every certification of the seed.
    assert df["id"].tolist() == [c["id"] for c in graph.get_all(certifications_path(None))]
    assert sorted(df["id"]) == sorted(c["id"] for c in megan["certifications"])
    assert set(df["userPrincipalName"]) == {MEGAN} and set(df["userId"]) == {megan["id"]}
    assert load_failures(df).empty


def test_load_a_list_by_upn_and_id_follows_next_links(
    graph: Graph, emu: Emulator, sample_seed_module: dict[str, Any]
) -> None:
    zoe = seeded(sample_seed_module, "zoe.angstrom@contoso.example")
    sean = seeded(sample_seed_module, "sean.o'brien@contoso.example")
    assert len(zoe["certifications"]) > PAGE_SIZE
    before = emu.stats()["batch_items"]
    df = load_certifications(graph, users=[zoe["userPrincipalName"], sean["id"]])
    assert sorted(df["id"]) == sorted(c["id"] for c in zoe["certifications"] + sean["certifications"])
    assert df["userPrincipalName"].tolist() == (
        [zoe["userPrincipalName"]] * len(zoe["certifications"])
        + [sean["userPrincipalName"]] * len(sean["certifications"])
    )
    assert emu.stats()["batch_items"] > before + 4  # first pages, identities and nextLinks all went by $batch
    # Lossless against what Graph itself answered (including its @odata.type annotation).
    direct = graph.get_all(certifications_path(zoe["userPrincipalName"])) + graph.get_all(
        certifications_path(sean["id"])
    )
    assert to_records(df) == direct


def test_load_all_users(graph: Graph, sample_seed_module: dict[str, Any]) -> None:
    df = load_certifications(graph, users="all", progress=False)
    expected = [c["id"] for u in sample_seed_module["users"] for c in u["certifications"]]
    assert sorted(df["id"]) == sorted(expected)
    assert df["userId"].nunique() == sum(1 for u in sample_seed_module["users"] if u["certifications"])
    assert str(df["endDate"].dtype) == "datetime64[s]"
    assert load_failures(df).empty
    # Built page by page of users, joined: lossless against what Graph answers user by user, in order.
    people = graph.get_all("/users")
    assert to_records(df) == [c for p in people for c in graph.get_all(certifications_path(p["id"]))]


def test_a_failing_user_is_reported_not_dropped_silently(graph: Graph) -> None:
    with pytest.warns(PartialLoadWarning, match="1 user"):
        df = load_certifications(graph, users=[MEGAN, "nobody@contoso.example"])
    assert set(df["userPrincipalName"]) == {MEGAN}
    failures = load_failures(df)
    assert failures["user"].tolist() == ["nobody@contoso.example"]
    assert failures["status"].tolist() == [404]
    assert df.attrs["certnb_failures"] is failures
    assert df.certs.failures() is failures


def test_a_user_the_token_may_not_read_is_reported(emu: Emulator) -> None:
    with session(emu, scopes="User.Read") as only_me, pytest.warns(PartialLoadWarning):
        df = load_certifications(only_me, users=[MEGAN, "zoe.angstrom@contoso.example"])
    failures = load_failures(df)
    assert failures["status"].tolist() == [403]
    assert isinstance(df, pd.DataFrame) and set(df["userPrincipalName"]) <= {MEGAN}


def test_bad_arguments_are_refused_before_any_request(graph: Graph) -> None:
    with pytest.raises(ValueError, match="users must be"):
        load_certifications(graph, users="zoe.angstrom@contoso.example")
    with pytest.raises(ValueError, match="page_size"):
        load_certifications(graph, page_size=0)


def test_progress_bar_on_request(graph: Graph, capsys: pytest.CaptureFixture[str]) -> None:
    load_certifications(graph, users=[MEGAN], progress=True)
    out, err = capsys.readouterr()
    assert "loading certifications" in err and out == ""  # stdout stays the script's own
    # The estimate first: a lookup and a list for a user given by UPN, at the small tenant's read limit.
    assert err.startswith(
        "Loading 1 user: under a second for 1 user at this tenant's read limit (350 a second)\n")


class CtrlCDuringTheLists:
    """A session (the `GraphSession` seam of certnb.frame.load) on which Ctrl-C lands while the lists are
    read: the first user's list comes in, then the interrupt, as it reaches the waiting caller."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def me(self) -> dict[str, Any]:
        return self.graph.me()

    def get_all(self, path: str, params: Any = None) -> list[dict[str, Any]]:
        return self.graph.get_all(path, params)

    def batch(self, requests: Any, *, on_answered: Callable[[int], None] | None = None) -> list[Any]:
        return self.graph.batch(requests, on_answered=on_answered)

    def get_lists(
        self, paths: Any, *, on_first_pages: Callable[[int], None] | None = None, on_items: Any = None
    ) -> list[Any]:
        self.graph.get_lists(list(paths)[:1], on_first_pages=on_first_pages, on_items=on_items)
        raise KeyboardInterrupt

    def count(self, path: str) -> int | None:
        return self.graph.count(path)

    def get_each_list(
        self, path: str, params: Any, list_of: Callable[[dict[str, Any]], str], each_page: Any, *,
        on_first_pages: Callable[[int], None] | None = None, on_page: Callable[[int], None] | None = None,
        on_items: Any = None,
    ) -> list[Any]:
        people = self.graph.get_all(path, params)
        return [each_page(people, self.get_lists([list_of(people[0])], on_first_pages=on_first_pages))]


def test_ctrl_c_stops_a_load_saying_how_far_it_got(
    graph: Graph, sample_seed_module: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    users = len(sample_seed_module["users"])
    with pytest.raises(LoadInterrupted) as stopped:
        load_certifications(CtrlCDuringTheLists(graph), users="all", progress=True)
    assert isinstance(stopped.value, KeyboardInterrupt)
    assert (stopped.value.done, stopped.value.total) == (1, users)
    assert str(stopped.value).startswith(f"Load stopped by an interrupt after 1 of {users} users; nothing")
    assert "Load again" in str(stopped.value)
    assert "stopped" in capsys.readouterr().err  # the bar closed, marked


def loops_on(user: str) -> Callable[[str], str | None]:
    """A server bug for one user (UPN or id, as the load asks): every page of the list points at itself."""
    looping = certifications_path(user)
    return lambda url: url if looping + "?" in url or url.endswith(looping) else None


def test_a_repeated_next_link_is_that_users_failure(
    emu: Emulator, sample_seed_module: dict[str, Any]
) -> None:
    zoe = seeded(sample_seed_module, "zoe.angstrom@contoso.example")
    server = NextLinks(emu, loops_on(zoe["userPrincipalName"]))
    with (
        connect(emulator=emu, scopes=["User.Read.All"], transport=server) as seam,
        pytest.warns(PartialLoadWarning, match="1 user"),
    ):
        df = load_certifications(seam, users=[MEGAN, zoe["userPrincipalName"]])
    failures = load_failures(df)
    assert failures[["user", "userId", "status", "code"]].values.tolist() == [
        [zoe["userPrincipalName"], zoe["id"], 0, "nextLinkLoop"]
    ]
    link = server.replaced[0]
    assert failures["url"].tolist() == [link] and link in failures["message"][0]
    assert len(server.replaced) == 2  # the first page and its nextLink once: then the guard stops the list
    assert set(df["userPrincipalName"]) == {MEGAN}  # the other user loads whole; zoe's part is left out


def test_a_malformed_next_link_is_that_users_failure(
    emu: Emulator, sample_seed_module: dict[str, Any]
) -> None:
    zoe = seeded(sample_seed_module, "zoe.angstrom@contoso.example")
    looping = loops_on(zoe["id"])
    bad = emu.graph_url.replace(f":{httpx.URL(emu.graph_url).port}", ":99999") + "/users?$skip=1"
    server = NextLinks(emu, lambda url: bad if looping(url) else None)
    with (
        connect(emulator=emu, scopes=["User.Read.All"], transport=server) as seam,
        pytest.warns(PartialLoadWarning, match="1 user"),
    ):
        df = load_certifications(seam, users="all", progress=False)
    failures = load_failures(df)
    assert failures[["user", "status", "code", "url"]].values.tolist() == [
        [zoe["id"], 0, "invalidNextLink", bad]
    ]
    assert bad in failures["message"][0] and "Port out of range" in failures["message"][0]
    assert zoe["id"] not in set(df["userId"]) and df["userId"].nunique() > 1


def test_a_whole_tenant_load_is_estimated_from_the_users_count(
    graph: Graph, sample_seed_module: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    users = len(sample_seed_module["users"])
    df = load_certifications(graph, users="all", progress=True)
    err = capsys.readouterr().err
    # Counted (GET /users/$count, ConsistencyLevel: eventual) before the first list is read.
    assert err.startswith(f"Loading {users} users: ")
    assert f"{users}/{users}" in err  # the bar ends at the count
    assert df["userId"].nunique() == sum(1 for u in sample_seed_module["users"] if u["certifications"])


class NoCount(httpx.AsyncBaseTransport):
    """The emulator, except that `/users/$count` is answered 400 as a tenant that cannot count (B2C)."""

    def __init__(self, emu: Emulator) -> None:
        self.inner = httpx.AsyncHTTPTransport(verify=emu.verify())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/users/$count"):
            body = {"error": {"code": "Request_BadRequest", "message": "This request is not supported."}}
            return httpx.Response(400, json=body, request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_a_tenant_that_cannot_count_its_users_loads_with_a_growing_bar(
    emu: Emulator, sample_seed_module: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    users = len(sample_seed_module["users"])
    with connect(emulator=emu, scopes=["User.Read.All"], transport=NoCount(emu)) as seam:
        df = load_certifications(seam, users="all")  # no progress= : a tenant of unknown size gets a bar
    err = capsys.readouterr().err
    assert err.startswith("Loading every user of the tenant (Graph would not count them, so no estimate)")
    assert f"{users}/{users}" in err
    expected = [c["id"] for u in sample_seed_module["users"] for c in u["certifications"]]
    assert sorted(df["id"]) == sorted(expected) and load_failures(df).empty


def test_a_load_leaves_no_object_exempt_from_garbage_collection(graph: Graph) -> None:
    import gc

    load_certifications(graph, users="all", progress=False)
    assert gc.get_freeze_count() == 0
    with pytest.raises(LoadInterrupted):
        load_certifications(CtrlCDuringTheLists(graph), users="all", progress=True)
    assert gc.get_freeze_count() == 0


def test_a_tenant_of_many_pages_of_users_loads_as_one_build_would() -> None:
    from certnb.emulator.generate import generate_tenant

    seed = generate_tenant(users=1_100, seed=19)  # two pages of /users at $top=999
    with Emulator(seed=seed) as emu, connect(emulator=emu, scopes=["User.Read.All"]) as graph:
        whole = load_certifications(graph, users="all", progress=False)
        ids = [u["id"] for u in seed["users"]]
        listed = load_certifications(graph, users=ids, progress=False)  # one build, as before
    pd.testing.assert_frame_equal(whole, listed)
    assert whole["userId"].nunique() == sum(1 for u in seed["users"] if u["certifications"])
