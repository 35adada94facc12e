"""The emulator's side of sign-in: what a client needs to sign in here through MSAL, and nothing more.

    emu.sign_in_protocol()     SignInProtocol: the server root, the Graph root, the MSAL authority, the CA
                               file to trust, and whether device codes are approved at once
    protocol.http_client()     MSAL's requests-like HTTP client for this emulator (`http_client=` of
                               `msal.PublicClientApplication`): trusts its CA, keeps its port, bounds each
                               exchange

A client reads only this: the emulator's app, config and tenant stay its own (the emulator is reached by
URL, and imports nothing of the rest of certnb).

>>> protocol = SignInProtocol(url="https://127.0.0.1:8443", tenant_id="7c1e", ca_file="/tmp/ca.pem",
...                           device_code_auto_approve=True)
>>> protocol.graph_url, protocol.authority
('https://127.0.0.1:8443/beta', 'https://127.0.0.1:8443/7c1e')
>>> protocol.http_client().with_port("https://127.0.0.1/common/userrealm/adele@contoso.example")
'https://127.0.0.1:8443/common/userrealm/adele@contoso.example'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["MsalHttpClient", "SignInProtocol"]


@dataclass(frozen=True)
class SignInProtocol:
    """How to sign in at one running emulator (a snapshot taken by `Emulator.sign_in_protocol()`)."""

    url: str  # the server root, e.g. https://127.0.0.1:50123
    tenant_id: str
    ca_file: str | None  # the CA to trust (None over plain HTTP)
    device_code_auto_approve: bool  # True: a device code is approved at once, nobody needs to see it

    @property
    def graph_url(self) -> str:
        """The Graph version root, `{url}/beta`."""
        return f"{self.url}/beta"

    @property
    def authority(self) -> str:
        """The MSAL authority of the emulator's tenant (not a Microsoft host: no instance discovery)."""
        return f"{self.url}/{self.tenant_id}"

    def http_client(self, timeout: float = 30.0) -> MsalHttpClient:
        """MSAL's HTTP client for this emulator, each exchange bounded by `timeout` seconds."""
        return MsalHttpClient(self.url, self.ca_file, timeout)


class MsalHttpClient:
    """MSAL's HTTP client for the emulator: trusts its CA, keeps the port MSAL drops, bounds each exchange.

    MSAL's user-realm discovery (before a password grant) builds its URL from the authority's host
    without the port; the emulator listens on a random port, so put it back.
    """

    def __init__(self, url: str, ca_file: str | None = None, timeout: float = 30.0) -> None:
        import requests  # MSAL's own HTTP library: it comes with msal

        self._session = requests.Session()
        self._timeout = timeout
        self._verify: str | bool = ca_file or False
        self._root = url
        self._portless = url.rsplit(":", 1)[0]

    def with_port(self, url: str) -> str:
        """`url` with the emulator's port put back where MSAL dropped it; any other URL as it is."""
        if url.startswith(self._portless + "/"):
            return self._root + url[len(self._portless) :]
        return url

    def get(self, url: str, **kwargs: Any) -> Any:
        return self._session.get(self.with_port(url), **self._options(kwargs))

    def post(self, url: str, **kwargs: Any) -> Any:
        return self._session.post(self.with_port(url), **self._options(kwargs))

    def _options(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs["verify"] = self._verify  # a per-request verify would override the session's
        kwargs.setdefault("timeout", self._timeout)
        # Sign-ins are rare: no idle keep-alive connection should outlive the emulator it points at.
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Connection": "close"}
        return kwargs

    def close(self) -> None:
        self._session.close()
