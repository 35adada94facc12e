"""Delegated sign-in with MSAL: the flows, the signed-in account's tokens, and the token cache file.

    connect() ──► sign_in(app, scopes)      cached account (silent) → device code | interactive | password
              ──► MsalTokens(app, ...)      a `TokenSource` for certnb.graph.auth.GraphAuth: valid tokens,
                                            renewed five minutes before expiry, or at once after a 401
              ──► TokenCacheFile(path)      MSAL's cache in one 0600 file per user, replaced atomically

Tokens never appear in a repr, a log line or an exception message. MSAL is imported lazily (only here,
only when signing in) so `import certnb` stays light. Every call into MSAL runs in `signing_in()`
(signin_host.py): an unreachable sign-in host is a `NetworkError` naming the cause, never a `requests`
exception. MSAL speaks HTTP through requests; nothing here touches httpx (that is certnb/graph/).

>>> sign_in(app, ["https://graph.microsoft.com/User.Read"], method="device_code")   # doctest: +SKIP
({'username': 'adele@contoso.example', ...}, {'access_token': ..., ...})
"""

from __future__ import annotations

import html
import os
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from certnb.errors import (
    AuthenticationError,
    SignInCancelled,
    SignInDeclined,
    SignInError,
    SignInExpired,
)
from certnb.graph.auth import refuse_app_only_token
from certnb.session.signin_host import signing_in

__all__ = ["MsalTokens", "TokenCacheFile", "show_device_code", "sign_in"]

_REFRESH_MARGIN_S = 300  # renew a token five minutes before it expires
_REFRESH_MARGIN_SHARE = 0.25  # ... or, for tokens living under 20 minutes, in the last quarter of its life


class TokenCacheFile:
    """MSAL's token cache persisted in one file per user, mode 0600, replaced atomically on each change.

    Encrypted with `msal-extensions` on Windows and macOS when it is installed (no hard dependency); a plain
    0600 file elsewhere, in the user's cache directory, outside any project.

    >>> cache = TokenCacheFile("~/.cache/certnb/msal_cache.bin")   # doctest: +SKIP
    >>> msal.PublicClientApplication(client_id, token_cache=cache.cache)   # doctest: +SKIP
    """

    def __init__(self, path: str | Path) -> None:
        import msal

        self.path = Path(path).expanduser()
        self.encrypted = False
        self.cache: Any = msal.SerializableTokenCache()
        if sys.platform in ("win32", "darwin"):
            try:
                import msal_extensions

                persistence = msal_extensions.build_encrypted_persistence(str(self.path))
                self.cache = msal_extensions.PersistedTokenCache(persistence)
                self.encrypted = True
                return
            except Exception:  # any keychain trouble: fall back to the 0600 file
                self.cache = msal.SerializableTokenCache()
        if self.path.exists():
            self.cache.deserialize(self.path.read_text(encoding="utf-8"))

    def __repr__(self) -> str:
        return f"<TokenCacheFile {str(self.path)!r}{' encrypted' if self.encrypted else ''}>"

    def save(self) -> None:
        """Write the cache if it changed: a new 0600 file renamed over the old one, so no reader sees half."""
        if self.encrypted or not self.cache.has_state_changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(prefix=".msal_cache.", dir=self.path.parent)  # mkstemp: mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.cache.serialize())
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self.cache.has_state_changed = False


class MsalTokens:
    """Tokens of one signed-in account from an MSAL app: cached until five minutes before expiry (a
    quarter of its life for a token living under 20 minutes), then renewed silently."""

    def __init__(
        self,
        app: Any,
        scopes: Sequence[str],
        account: Mapping[str, Any],
        result: Mapping[str, Any],
        cache_file: TokenCacheFile | None = None,
    ) -> None:
        self.app = app
        self.scopes = list(scopes)
        self.account = dict(account)
        self.cache_file = cache_file
        self._lock = threading.Lock()
        self._access_token = ""
        self._expires_at = 0.0
        self._margin_s = float(_REFRESH_MARGIN_S)
        self._keep(result)

    def __repr__(self) -> str:
        return f"<MsalTokens account={self.username!r} scopes={self.scopes}>"

    @property
    def username(self) -> str:
        """The signed-in account's user name (UPN)."""
        return str(self.account.get("username", ""))

    def token(self, force_refresh: bool = False) -> str:
        with self._lock:
            if not force_refresh and time.time() < self._expires_at - self._margin_s:
                return self._access_token
            with signing_in():
                result = self.app.acquire_token_silent_with_error(
                    self.scopes, account=self.account, force_refresh=force_refresh
                )
            if not result or "access_token" not in result:
                reason = (result or {}).get("error_description") or "no cached refresh token"
                raise AuthenticationError(
                    401,
                    "InvalidAuthenticationToken",
                    f"could not renew the sign-in of {self.username}: {_first_line(reason)}; "
                    "sign in again with certnb.connect(...)",
                )
            self._keep(result)
            if self.cache_file is not None:
                self.cache_file.save()
            return self._access_token

    def sign_out(self) -> None:
        """Remove the account (and its tokens) from MSAL's cache and the cache file."""
        with self._lock, signing_in():
            self.app.remove_account(self.account)
            self._access_token, self._expires_at = "", 0.0
            if self.cache_file is not None:
                self.cache_file.save()

    def _keep(self, result: Mapping[str, Any]) -> None:
        # A run longer than the token's life renews it silently from the refresh token (contract §9); a
        # short-lived token (a tenant policy, the emulator's `token_lifetime_s`) is kept most of its life
        # instead of being renewed on every request.
        lifetime = float(result.get("expires_in", 0) or 0)
        self._access_token = str(result["access_token"])
        self._expires_at = time.time() + lifetime
        self._margin_s = min(float(_REFRESH_MARGIN_S), lifetime * _REFRESH_MARGIN_SHARE)


# --------------------------------------------------------------------------- sign-in
def sign_in(
    app: Any,
    scopes: Sequence[str],
    *,
    method: str = "device_code",
    username: str | None = None,
    password: str | None = None,
    timeout: float = 900.0,
    on_device_code: Callable[[Mapping[str, Any]], None] | None = None,
) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """Sign in with an MSAL public client app: silently from its cache if possible; returns (account, result).

    `method` is `device_code`, `interactive` or `password` (username + password, for the emulator and
    scripts). The wait for a device code is bounded by `timeout` seconds; Ctrl-C raises `SignInCancelled`.
    A sign-in host that cannot be reached raises `NetworkError`.
    """
    with signing_in():  # around MSAL's calls only: an error of on_device_code stays what it is
        for account in app.get_accounts(username=username) if username else app.get_accounts():
            cached = app.acquire_token_silent(list(scopes), account=account)
            if cached and "access_token" in cached:
                return account, cached
    try:
        if method == "device_code":
            result = _device_code(app, scopes, timeout, on_device_code or show_device_code)
        elif method == "interactive":
            result = _interactive(app, scopes, username, timeout)
        elif method == "password":
            if not username or password is None:
                raise SignInError("auth='password' needs both username= and password=")
            with warnings.catch_warnings(), signing_in():
                # MSAL deprecates the password grant for public clients; it is meant for the emulator.
                warnings.simplefilter("ignore", DeprecationWarning)
                result = app.acquire_token_by_username_password(username, password, scopes=list(scopes))
        else:
            raise SignInError(f"unknown sign-in method {method!r}: use device_code, interactive or password")
    except KeyboardInterrupt:
        raise SignInCancelled("sign-in cancelled; run certnb.connect(...) again to sign in.") from None
    _raise_for_result(result, timeout)
    claims = result.get("id_token_claims") or {}
    who = claims.get("preferred_username") or username
    with signing_in():
        accounts = app.get_accounts(username=who) if who else app.get_accounts()
    if not accounts:
        raise SignInError("the sign-in returned no account (no id_token/client_info in the answer)")
    refuse_app_only_token(str(result["access_token"]))
    return accounts[0], result


def _device_code(
    app: Any, scopes: Sequence[str], timeout: float, show: Callable[[Mapping[str, Any]], None]
) -> dict[str, Any]:
    with signing_in():
        flow = app.initiate_device_flow(scopes=list(scopes))
    if "user_code" not in flow:
        reason = _first_line(flow.get("error_description"))
        raise SignInError(f"device code sign-in could not start: {reason}")
    show(flow)
    # MSAL polls until flow["expires_at"]: bound the wait by certnb's timeout too.
    flow["expires_at"] = min(float(flow.get("expires_at", 0)), time.time() + timeout)
    with signing_in():
        result: dict[str, Any] = app.acquire_token_by_device_flow(flow)
    return result


def _interactive(app: Any, scopes: Sequence[str], login_hint: str | None, timeout: float) -> dict[str, Any]:
    """MSAL's browser sign-in: a loopback listener, the system browser (`webbrowser`), a PKCE code."""
    import msal

    with signing_in():  # outside the timeout's handler: MSAL's timeout is a RuntimeError
        try:
            result: dict[str, Any] = app.acquire_token_interactive(
                list(scopes), login_hint=login_hint, timeout=timeout
            )
        except msal.BrowserInteractionTimeoutError:
            raise SignInExpired(
                f"nobody finished the browser sign-in within {timeout:.0f} s. Run certnb.connect(...) again "
                "and sign in in the browser window it opens, or use auth='device_code' where no browser can "
                "reach this machine."
            ) from None
    return result


def _raise_for_result(result: Mapping[str, Any] | None, timeout: float) -> None:
    if result and "access_token" in result:
        return
    error = (result or {}).get("error", "no_answer")
    detail = _first_line((result or {}).get("error_description"))
    if error in ("authorization_declined", "access_denied"):
        raise SignInDeclined(f"the sign-in was declined ({detail}). Run certnb.connect(...) to try again.")
    if error in ("expired_token", "authorization_pending", "code_expired", "bad_verification_code"):
        raise SignInExpired(
            f"nobody approved the sign-in within the wait (at most {timeout:.0f} s, {error}). "
            "Run certnb.connect(...) again and enter the code promptly."
        )
    raise SignInError(f"sign-in failed: {error}: {detail}")


def _first_line(text: object) -> str:
    return str(text or "").strip().splitlines()[0] if str(text or "").strip() else "(no description)"


def show_device_code(flow: Mapping[str, Any]) -> None:
    """Show where to sign in and the code: an HTML link and a copyable code in a notebook, text elsewhere."""
    uri, code = str(flow.get("verification_uri", "")), str(flow.get("user_code", ""))
    display = _notebook_display()
    if display is None:
        print(f"To sign in, open {uri} and enter the code {code}", file=sys.stderr, flush=True)
        return
    display(
        {
            "text/html": (
                f'<p>To sign in, open <a href="{html.escape(uri)}" target="_blank">{html.escape(uri)}</a> '
                f'and enter the code <code style="user-select:all;font-size:1.2em">{html.escape(code)}</code>'
                "</p>"
            ),
            "text/plain": f"To sign in, open {uri} and enter the code {code}",
        },
        raw=True,
    )


def _notebook_display() -> Callable[..., Any] | None:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    shell = ipython.get_ipython()
    if shell is None or type(shell).__name__ != "ZMQInteractiveShell":
        return None
    display: Callable[..., Any] = sys.modules["IPython"].display.display
    return display
