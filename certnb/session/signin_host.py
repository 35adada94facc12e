"""The sign-in host as MSAL reaches it: only the cloud's own host, and every failure there a certnb error.

    public_client(client_id, authority)   MSAL's app; no instance discovery at login.microsoftonline.com
                                          for a host outside the four clouds (the emulator, a stand-in)
    with signing_in(): app.acquire_...    requests' failures → NetworkError (DNS, refused, TLS, proxy,
                                          timeout); an error answer or MSAL's own refusal → SignInError

MSAL speaks HTTP through requests; nothing of MSAL or requests reaches the user outside `CertnbError`.

>>> with signing_in("https://login.example.invalid/contoso"):
...     raise ValueError("Unable to get authority configuration for https://login.example.invalid/contoso.")
Traceback (most recent call last):
certnb.errors.SignInError: MSAL refused the sign-in for https://login.example.invalid/contoso: Unable to get \
authority configuration for https://login.example.invalid/contoso. Check tenant= (a tenant id or domain), \
client_id= and cloud=.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from certnb.clouds import is_national_sign_in
from certnb.errors import SignInError
from certnb.graph.network import unreachable

__all__ = ["public_client", "signing_in"]


def public_client(
    client_id: str,
    authority: str,
    *,
    http_client: Any = None,
    token_cache: Any = None,
    timeout: float | None = None,
) -> Any:
    """MSAL's public client app for `authority`, talking to the authority's own host only.

    MSAL asks login.microsoftonline.com about any authority outside Microsoft's clouds (instance
    discovery); an authority on another host (the emulator, a stand-in) is never sent there (contract §9).
    `timeout` bounds each of MSAL's HTTP exchanges (MSAL's own default waits forever); `http_client` is
    MSAL's requests-like seam.

    >>> public_client("client-id", "https://login.microsoftonline.com/contoso.example")  # doctest: +SKIP
    <msal.application.PublicClientApplication object at ...>
    """
    import msal

    options: dict[str, Any] = {"token_cache": token_cache, "timeout": timeout}
    if http_client is not None:
        options["http_client"] = http_client
    if not is_national_sign_in(authority):
        options["instance_discovery"] = False
    with signing_in(authority):
        return msal.PublicClientApplication(client_id, authority=authority, **options)


@contextmanager
def signing_in(authority: str = "") -> Iterator[None]:
    """Calls into MSAL: what MSAL and its HTTP library (requests) raise becomes a certnb error, chained.

    No answer from the sign-in host → `NetworkError` naming the host and the cause; an error status or a
    refusal from MSAL → `SignInError`. Messages show URLs without their query and never a token.

    >>> with signing_in("https://login.microsoftonline.com/contoso.example"):  # doctest: +SKIP
    ...     app.acquire_token_silent(scopes, account=account)
    """
    import msal
    import requests

    try:
        yield
    except requests.HTTPError as err:
        response = err.response
        answer = f"{response.status_code} {response.reason}" if response is not None else "an error"
        url = _without_query(str(response.url)) if response is not None else authority
        raise SignInError(
            f"the sign-in host answered {answer} to {url}. Retry later; if it persists, check tenant= "
            "(a tenant id or domain) and cloud=."
        ) from err
    except requests.RequestException as err:
        request = err.request
        url = _without_query(str(request.url)) if request is not None and request.url else authority
        known = "timeout" if isinstance(err, requests.Timeout) else None
        if isinstance(err, requests.exceptions.ProxyError):
            known = "proxy"
        method = str(request.method or "") if request is not None else ""
        raise unreachable(err, url, method=method, known=known) from err
    except (ValueError, RuntimeError, msal.exceptions.MsalError) as err:
        # e.g. "Unable to get authority configuration for ...": a tenant the sign-in host does not know.
        where = f" for {authority}" if authority else ""
        said = " ".join(_first_line(err).split())[:600].rstrip(". ")
        raise SignInError(
            f"MSAL refused the sign-in{where}: {said}. Check tenant= (a tenant id or domain), client_id= "
            "and cloud=."
        ) from err


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _first_line(text: object) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[0] if lines else "(no description)"
