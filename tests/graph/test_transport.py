"""One call: Retry-After in every form, 5xx and dropped connections retried for reads, never for writes."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator

import httpx
import pytest

import certnb
from certnb.emulator.config import ScriptedFault
from certnb.emulator.server import Emulator
from certnb.errors import (
    AuthenticationError,
    GraphError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)
from certnb.graph import Graph, urls
from certnb.graph.auth import GraphAuth, StaticToken

from .seed import ADELE, MANY

LIST = urls.certifications_path(MANY)
ADELE_CERT = urls.certifications_path(None, "cert-1-0")


def test_fractional_retry_after_is_honoured(graph: Graph, fresh: Emulator) -> None:
    fresh.set_faults(scripted=[ScriptedFault(nth=1, status=429, method="GET", retry_after="0.35")])
    started = time.monotonic()
    page = graph.get(LIST)
    assert len(page["value"]) == 3
    assert time.monotonic() - started >= 0.35
    assert fresh.stats()["requests_total"] == 2


def test_whole_second_retry_after_is_honoured(graph: Graph, fresh: Emulator) -> None:
    fresh.set_faults(scripted=[ScriptedFault(nth=1, status=503, method="GET", retry_after="1")])
    started = time.monotonic()
    graph.get(LIST)
    assert time.monotonic() - started >= 1.0
    assert fresh.stats()["requests_total"] == 2


@pytest.fixture
def date_server() -> Iterator[tuple[Graph, list[float]]]:
    """A stand-in Graph answering 429 with an HTTP-date Retry-After two seconds ahead, then 200."""
    seen: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(time.time())
        if len(seen) == 1:
            when = email.utils.formatdate(time.time() + 2, usegmt=True)
            return httpx.Response(
                429, headers={"Retry-After": when}, json={"error": {"code": "TooManyRequests"}}
            )
        return httpx.Response(200, json={"value": []})

    graph = Graph(
        "https://graph.example.test/beta",
        GraphAuth(StaticToken("opaque-token")),
        transport=httpx.MockTransport(answer),
    )
    yield graph, seen
    graph.close()


def test_http_date_retry_after_is_honoured(date_server: tuple[Graph, list[float]]) -> None:
    graph, seen = date_server
    assert graph.get("/me/profile/certifications") == {"value": []}
    assert len(seen) == 2 and seen[1] - seen[0] >= 1.0  # an HTTP-date has whole-second resolution


def test_transient_5xx_and_drops_are_retried_for_reads(graph: Graph, fresh: Emulator) -> None:
    fresh.set_faults(
        scripted=[
            ScriptedFault(nth=1, status=500, method="GET"),
            ScriptedFault(nth=2, status=0, method="GET"),  # connection dropped
            ScriptedFault(nth=3, status=504, method="GET"),
        ]
    )
    assert len(graph.get_all(LIST)) == 11
    assert fresh.stats()["requests_total"] == 4 + 3


def test_reads_give_up_after_max_attempts(graph: Graph, fresh: Emulator) -> None:
    graph.max_attempts = 2
    fresh.set_faults(error_503_rate=1.0)
    with pytest.raises(GraphError) as caught:
        graph.get(LIST)
    assert caught.value.status == 503 and caught.value.code == "serviceNotAvailable"
    assert not caught.value.may_have_applied
    assert fresh.stats()["requests_total"] == 2


@pytest.mark.parametrize(("status", "kind"), [(503, GraphError), (429, ThrottledError), (0, NetworkError)])
def test_writes_are_never_retried(graph: Graph, fresh: Emulator, status: int, kind: type[GraphError]) -> None:
    fresh.set_faults(scripted=[ScriptedFault(nth=1, status=status, method="PATCH")])
    with pytest.raises(kind) as caught:
        graph.patch(ADELE_CERT, {"displayName": "Renamed"})
    assert caught.value.may_have_applied
    assert "re-read before retrying" in str(caught.value)
    assert fresh.stats()["requests_total"] == 1


def test_a_dropped_connection_names_the_host_and_the_cause(graph: Graph, fresh: Emulator) -> None:
    graph.max_attempts = 1
    fresh.set_faults(scripted=[ScriptedFault(nth=1, status=0, method="GET")])
    with pytest.raises(NetworkError) as caught:
        graph.get(LIST)
    host = fresh.url.split("://", 1)[1]
    assert (caught.value.cause, caught.value.host, caught.value.status) == ("dropped", host, 0)
    assert str(caught.value).startswith(f"cannot reach {host} (GET {fresh.graph_url}")
    assert "lost before an answer" in str(caught.value) and "Try: retry" in str(caught.value)
    assert isinstance(caught.value.__cause__, httpx.TransportError)  # chained to httpx's error


def test_applied_but_throttled_write_is_flagged(graph: Graph, fresh: Emulator) -> None:
    fresh.set_faults(scripted=[ScriptedFault(nth=1, status=429, method="PATCH", applied=True)])
    with pytest.raises(ThrottledError) as caught:
        graph.patch(ADELE_CERT, {"displayName": "Renamed"})
    assert caught.value.may_have_applied
    assert graph.get(ADELE_CERT)["displayName"] == "Renamed"  # it was applied: the flag was right


def test_patch_answers_the_whole_entity(graph: Graph) -> None:
    entity = graph.patch(ADELE_CERT, {"issuingCompany": "Contoso Ltd"})
    assert entity["issuingCompany"] == "Contoso Ltd" and entity["displayName"] == f"{ADELE} #0"


def test_not_found_and_unknown_error_messages(graph: Graph, fresh: Emulator) -> None:
    with pytest.raises(NotFoundError) as caught:
        graph.get(urls.certifications_path(None, "nope"))
    assert caught.value.code == "itemNotFound" and caught.value.request_id

    fresh.app.config.unknown_error_fidelity = True  # contract §3: UnknownError with an empty message
    try:
        with pytest.raises(NotFoundError) as caught:
            graph.get(urls.certifications_path(None, "nope"))
    finally:
        fresh.app.config.unknown_error_fidelity = False
    text = str(caught.value)
    assert caught.value.code == "UnknownError" and caught.value.message == ""
    assert "404" in text and "GET" in text and "/me/profile/certifications/nope" in text
    assert f"request-id {caught.value.request_id}" in text and "does not exist" in text


def test_forbidden_names_the_lacking_scope(fresh: Emulator) -> None:
    with certnb.connect(emulator=fresh) as reader:  # least privilege: User.Read
        assert reader.scopes == ("User.Read",)
        with pytest.raises(PermissionDeniedError) as caught:
            reader.patch(ADELE_CERT, {"displayName": "x"})
        assert caught.value.required_scope == "User.ReadWrite"
        assert "User.ReadWrite" in str(caught.value) and "granted: User.Read" in str(caught.value)
        with pytest.raises(PermissionDeniedError) as caught:
            reader.get(LIST)
        assert caught.value.required_scope == "User.Read.All"


def test_expired_token_is_refreshed_once_and_retried(graph: Graph, fresh: Emulator) -> None:
    graph.get(LIST)
    fresh.app.identity.expire_access_tokens()
    assert len(graph.get(LIST)["value"]) == 3
    assert fresh.stats()["by_status"].get("401") == 1


def test_a_token_refused_twice_is_an_authentication_error(fresh: Emulator) -> None:
    with (
        Graph(fresh.graph_url, GraphAuth(StaticToken("not-a-token")), verify=fresh.ca_file or True) as graph,
        pytest.raises(AuthenticationError) as caught,
    ):
        graph.get(LIST)
    assert caught.value.status == 401 and "not-a-token" not in str(caught.value)
    assert fresh.stats()["requests_total"] == 2  # the first try and one retry with a "refreshed" token


def test_next_link_to_another_host_is_refused(date_server: tuple[Graph, list[float]]) -> None:
    graph, _ = date_server
    with pytest.raises(GraphError) as caught:
        graph.get("https://evil.example/beta/me")
    assert caught.value.code == "foreignLink"


def test_a_refused_link_names_the_whole_origin(date_server: tuple[Graph, list[float]]) -> None:
    graph, seen = date_server
    for link, named in [
        ("https://evil.example/beta/me", "https://evil.example:443"),
        ("https://graph.example.test:8443/beta/me", "https://graph.example.test:8443"),  # another port
        ("http://graph.example.test/beta/me", "http://graph.example.test:80"),  # plain http
    ]:
        with pytest.raises(GraphError) as caught:
            graph.get(link)
        assert caught.value.code == "foreignLink" and caught.value.url == link
        text = str(caught.value)
        ours = "https://graph.example.test:443"
        assert f"refusing to send the token to {named}, which is not the origin {ours}" in text
        assert "opaque-token" not in text
    assert seen == []  # nothing was sent


@pytest.mark.parametrize(
    "link",
    [
        "https://graph.example.test:99999/beta/me",  # port out of range
        "https://graph.example.test:8443:1/beta/me",  # not a port at all
        "https://[::1/beta/me",  # an IPv6 host never closed
        "https:///beta/me",  # no host
        "https://graph.example.test/beta/me\x00",  # what httpx refuses at send time
    ],
)
def test_a_malformed_link_is_a_graph_error_naming_it(
    date_server: tuple[Graph, list[float]], link: str
) -> None:
    graph, seen = date_server
    with pytest.raises(GraphError) as caught:
        graph.get(link)
    assert caught.value.code == "invalidNextLink" and caught.value.url == link
    assert repr(link) in str(caught.value)
    assert seen == []
