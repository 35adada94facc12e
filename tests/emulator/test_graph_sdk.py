"""Microsoft's own msgraph-beta-sdk lists, gets, patches (and batches) certifications against the emulator.

The SDK is the strictest independent reader of our wire format: it deserialises `@odata.type`, dates,
identity sets and `@odata.nextLink` exactly as it would from graph.microsoft.com.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import pytest
from graph_seed import ADELE, ADELE_CERTS, PATRICK, token

from certnb.emulator.server import Emulator

msgraph_beta = pytest.importorskip("msgraph_beta", reason="the sdk extra (msgraph-beta-sdk) is not installed")

from kiota_abstractions.authentication import (  # noqa: E402
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from msgraph_beta import GraphServiceClient  # noqa: E402
from msgraph_beta.generated.models.person_certification import PersonCertification  # noqa: E402
from msgraph_beta.graph_request_adapter import GraphRequestAdapter  # noqa: E402
from msgraph_beta.graph_request_adapter import options as sdk_options  # noqa: E402
from msgraph_core import APIVersion, GraphClientFactory  # noqa: E402

T = TypeVar("T")
# The SDK's own generated request builders warn about themselves; nothing we could change.
pytestmark = [
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:This class is deprecated. Please use the generic:DeprecationWarning"),
]


class StaticToken(AccessTokenProvider):
    """Hands the SDK a token we got from the emulator's token endpoint."""

    def __init__(self, access_token: str) -> None:
        self._token = access_token

    async def get_authorization_token(self, uri: str, additional_authentication_context: Any = None) -> str:
        return self._token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return AllowedHostsValidator([])


def with_sdk(emu: Emulator, use: Callable[[GraphServiceClient], Coroutine[Any, Any, T]]) -> T:
    """Run `use(client)` with an SDK client pointed at the emulator, in a fresh event loop."""

    async def run() -> T:
        # The SDK's own middleware options: among them the rewrite of /users/me-token-to-replace to /me.
        # The transport is ours to close: the factory wraps it in middleware whose aclose() leaves it open.
        transport = httpx.AsyncHTTPTransport(verify=emu.verify())
        http = GraphClientFactory.create_with_default_middleware(
            api_version=APIVersion.beta, client=httpx.AsyncClient(transport=transport), options=sdk_options
        )
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken(token(emu))), http)
        adapter.base_url = emu.graph_url
        try:
            return await use(GraphServiceClient(request_adapter=adapter))
        finally:
            await http.aclose()
            await transport.aclose()

    return asyncio.run(run())


def me(client: GraphServiceClient) -> Any:
    """`client.me`: a method in msgraph-beta-sdk 1.66 (it lost its @property), a property elsewhere."""
    return client.me() if callable(client.me) else client.me


@pytest.fixture(scope="module")
def emu() -> Any:
    from graph_seed import SEED

    with Emulator(seed=SEED) as running:
        yield running


def test_sdk_lists_every_page_gets_and_patches(emu: Emulator) -> None:
    emu.reset()

    async def use(client: GraphServiceClient) -> tuple[list[Any], Any, Any, Any]:
        certifications = me(client).profile.certifications
        page = await certifications.get()
        items = list(page.value)
        while page.odata_next_link:
            page = await certifications.with_url(page.odata_next_link).get()
            items += page.value
        one = await certifications.by_person_certification_id("cert-01").get()
        patched = await certifications.by_person_certification_id("cert-01").patch(
            PersonCertification(end_date=dt.date(2031, 3, 31), description="via the SDK")
        )
        other = await client.users.by_user_id(PATRICK["upn"]).profile.certifications.get()
        return items, one, patched, other

    items, one, patched, other = with_sdk(emu, use)
    assert sorted(c.id for c in items) == sorted(c["id"] for c in ADELE_CERTS)
    assert all(isinstance(c, PersonCertification) for c in items)
    assert one.display_name == "Cert 01" and one.end_date == dt.date(2026, 2, 1)
    assert one.issued_date == dt.date(2024, 1, 15)
    assert patched.end_date == dt.date(2031, 3, 31) and patched.description == "via the SDK"
    assert patched.last_modified_by.user.id == ADELE["id"]
    assert patched.last_modified_date_time > one.last_modified_date_time
    assert [c.id for c in other.value] == ["cert-20"]
    stored = {c["id"]: c for c in emu.state()["users"][0]["certifications"]}
    assert stored["cert-01"]["endDate"] == "2031-03-31"


def test_sdk_sees_graph_errors_as_odata_errors(emu: Emulator) -> None:
    from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError

    emu.reset()

    async def use(client: GraphServiceClient) -> None:
        await me(client).profile.certifications.by_person_certification_id("no-such").get()

    with pytest.raises(ODataError) as caught:
        with_sdk(emu, use)
    assert caught.value.response_status_code == 404
    assert caught.value.error.code == "itemNotFound"
