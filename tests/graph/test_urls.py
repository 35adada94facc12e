"""Path encoding reaches the right user (contract §1); plain http is refused except on loopback."""

from __future__ import annotations

import pytest

from certnb.errors import ConfigError
from certnb.graph import Graph, urls

from .seed import AWKWARD


@pytest.mark.parametrize("upn", AWKWARD)
def test_awkward_upn_reaches_its_own_user(graph: Graph, upn: str) -> None:
    items = graph.get_all(urls.certifications_path(upn))
    assert [item["displayName"] for item in items] == [f"{upn} #0"]


def test_awkward_upns_in_one_batch(graph: Graph) -> None:
    answers = graph.batch([{"method": "GET", "url": urls.certifications_path(upn)} for upn in AWKWARD])
    assert [a.status for a in answers] == [200] * len(AWKWARD)
    assert [a.body["value"][0]["displayName"] for a in answers] == [f"{upn} #0" for upn in AWKWARD]


def test_certification_id_is_one_segment() -> None:
    assert urls.certifications_path("a@b", "x/y?z") == "/users/a%40b/profile/certifications/x%2Fy%3Fz"
    assert urls.user_path(None) == "/me"
    with pytest.raises(ValueError):
        urls.user_path("")


@pytest.mark.parametrize(
    "url",
    ["http://graph.microsoft.com/beta", "ftp://127.0.0.1/beta", "http://10.0.0.1/beta", "/beta"],
)
def test_plain_http_refused_off_loopback(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        urls.check_base_url(url)
    assert caught.value.key == "base_url" and caught.value.value == url
    assert repr(url) in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/beta", "http://localhost/beta", "http://[::1]:1/beta"]
)
def test_plain_http_allowed_on_loopback(url: str) -> None:
    assert urls.check_base_url(url + "/") == url
