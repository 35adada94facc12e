"""Each national cloud sets sign-in host, Graph root and scope prefix together (contract §5).

The real Microsoft hosts are unreachable from tests, so this is the one place with stand-ins: MSAL's
`http_client` is a recording identity platform, and Graph is an httpx transport that records requests.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests

import certnb
from certnb.clouds import CLOUDS, Cloud, get_cloud
from certnb.errors import ConfigError

TENANT = "contoso.example"


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}."


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class FakeIdentityPlatform:
    """A requests-like client answering as login.* would: discovery, device code, token. Records calls."""

    def __init__(self, cloud: Cloud) -> None:
        self.cloud = cloud
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def get(self, url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        self.calls.append(("GET", url, dict(params or {})))
        base = f"{self.cloud.login_host}/{TENANT}"
        if "discovery/instance" in url:
            host = urlsplit(self.cloud.login_host).netloc
            return self._json(
                {
                    "tenant_discovery_endpoint": f"{base}/v2.0/.well-known/openid-configuration",
                    "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
                }
            )
        return self._json(
            {
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{self.cloud.login_host}/tid/v2.0",
            }
        )

    def post(self, url: str, data: Any = None, **kwargs: Any) -> requests.Response:
        form = dict(data or {})
        self.calls.append(("POST", url, form))
        if url.endswith("/devicecode"):
            return self._json(
                {
                    "device_code": "dc",
                    "user_code": "ABCD-EFGH",
                    "verification_uri": f"{self.cloud.login_host}/device",
                    "expires_in": 900,
                    "interval": 1,
                    "message": "enter ABCD-EFGH",
                }
            )
        scope = form.get("scope", "")
        return self._json(
            {
                "access_token": jwt({"scp": "User.Read", "aud": self.cloud.graph_root}),
                "refresh_token": "rt",
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": scope,
                "client_info": b64({"uid": "uid", "utid": "tid"}),
                "id_token": jwt(
                    {
                        "oid": "uid",
                        "tid": "tid",
                        "sub": "s",
                        "preferred_username": "adele@contoso.example",
                        "iss": f"{self.cloud.login_host}/tid/v2.0",
                        "aud": "client",
                        "exp": int(time.time()) + 3600,
                        "iat": int(time.time()),
                    }
                ),
            }
        )

    def close(self) -> None:
        pass

    @staticmethod
    def _json(body: dict[str, Any]) -> requests.Response:
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        return response


@pytest.mark.parametrize("name", sorted(CLOUDS))
def test_cloud_sets_sign_in_host_graph_root_and_scopes(name: str, tmp_path: Path) -> None:
    cloud = get_cloud(name)
    identity = FakeIdentityPlatform(cloud)
    graph_requests: list[httpx.Request] = []

    def graph_answer(request: httpx.Request) -> httpx.Response:
        graph_requests.append(request)
        return httpx.Response(200, json={"value": []})

    shown: list[str] = []
    graph = certnb.connect(
        tenant=TENANT,
        client_id="client",
        cloud=name.upper(),
        token_cache=tmp_path / "cache.bin",
        environ={},
        http_client=identity,
        transport=httpx.MockTransport(graph_answer),
        on_device_code=lambda flow: shown.append(flow["user_code"]),
    )
    with graph:
        assert graph.get("/me/profile/certifications") == {"value": []}

    assert shown == ["ABCD-EFGH"]
    assert graph.cloud == cloud and graph.base_url == f"{cloud.graph_root}/beta"
    hosts = {urlsplit(url).netloc for _, url, _ in identity.calls}
    assert hosts == {urlsplit(cloud.login_host).netloc}
    assert any(url == f"{cloud.login_host}/{TENANT}/oauth2/v2.0/token" for _, url, _ in identity.calls)
    device_form = next(form for _, url, form in identity.calls if url.endswith("/devicecode"))
    assert f"{cloud.graph_root}/User.Read" in device_form["scope"].split()
    (request,) = graph_requests
    assert str(request.url) == f"{cloud.graph_root}/beta/me/profile/certifications"
    assert request.headers["Authorization"].startswith("Bearer ")


def test_unknown_cloud_names_key_and_value() -> None:
    with pytest.raises(ConfigError) as caught:
        get_cloud("mars")
    assert (caught.value.key, caught.value.value) == ("cloud", "mars")
    assert "usgov-dod" in str(caught.value)


def test_scope_prefix_and_urls() -> None:
    dod = get_cloud("usgov-dod")
    assert dod.scope("User.ReadWrite.All") == "https://dod-graph.microsoft.us/User.ReadWrite.All"
    assert dod.scope("https://dod-graph.microsoft.us/User.Read") == "https://dod-graph.microsoft.us/User.Read"
    assert dod.authority("t") == "https://login.microsoftonline.us/t"
