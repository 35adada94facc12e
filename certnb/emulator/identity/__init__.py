"""The emulator's identity platform: what MSAL signs in against, and the check of every Graph call's token.

    identity/
      tokens.py         HS256 compact JWTs with a per-emulator random key
      access_tokens.py  Graph access tokens: claims, verification (cached), expire-all
      scopes.py         the `scope` parameter: bare/prefixed, national clouds, `.default`
      device_codes.py   device-code sign-ins: pending → approved/declined → redeemed
      authorization_requests.py  the authorize query: loopback redirect_uri, response_type/mode, PKCE
      authorization_codes.py     browser sign-ins in flight; one-time PKCE-bound codes
      authorize_page.py `/{tenant}/oauth2/v2.0/authorize`: the browser sign-in page and its answers
      refresh_tokens.py opaque refresh tokens: rotate, revoke
      grants.py         the token endpoint's grant types → token responses
      endpoints.py      `/{tenant}/...` routes (contract §9)
      signin_page.py    the HTML page at `verification_uri`
      errors.py         `SignInError`, rendered as the identity platform's JSON error

>>> from certnb.emulator.server import Emulator
>>> with Emulator() as emu:                                  # doctest: +SKIP
...     app = msal.PublicClientApplication("my-app", authority=emu.authority(),
...                                        instance_discovery=False, verify=emu.ca_file)
...     flow = app.initiate_device_flow(["User.ReadWrite.All"])
...     result = app.acquire_token_by_device_flow(flow)   # the default user approves at once
...     emu.app.identity.set_browser_session("adele@contoso.com")
...     result = app.acquire_token_interactive(["User.ReadWrite.All"])  # the browser is signed in already
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from certnb.emulator.config import EmulatorConfig
from certnb.emulator.identity.access_tokens import AccessTokens
from certnb.emulator.identity.authorization_codes import AuthorizationCodes
from certnb.emulator.identity.authorize_page import AuthorizePage
from certnb.emulator.identity.device_codes import DeviceAuthorization, DeviceCodes
from certnb.emulator.identity.endpoints import IdentityEndpoints
from certnb.emulator.identity.errors import SignInError
from certnb.emulator.identity.grants import TokenIssuer
from certnb.emulator.identity.refresh_tokens import RefreshTokens
from certnb.emulator.identity.signin_page import SignInPage
from certnb.emulator.principal import Principal

if TYPE_CHECKING:
    from certnb.emulator.tenant import Tenant

__all__ = ["Identity", "SignInError"]


class Identity:
    """Sign-in endpoints and token verification for one emulated tenant.

    >>> identity = Identity(tenant, EmulatorConfig())             # doctest: +SKIP
    >>> identity.authenticate("Bearer eyJ...")                   # doctest: +SKIP
    Principal(user_id='...', user_principal_name='adele@contoso.com', scopes=frozenset({'User.Read'}), ...)
    """

    def __init__(self, tenant: Tenant, config: EmulatorConfig) -> None:
        self.tenant = tenant
        self.config = config
        self._access_tokens = AccessTokens(lambda: tenant.tenant_id, lambda: config.token_lifetime_s)
        self._device_codes = DeviceCodes()
        self._refresh_tokens = RefreshTokens()
        self.authorization_codes = AuthorizationCodes()
        self._authorize_page = AuthorizePage(tenant, config, self.authorization_codes)
        self._issuer = TokenIssuer(
            tenant,
            config,
            self._access_tokens,
            self._device_codes,
            self._refresh_tokens,
            self.authorization_codes,
        )

    def __repr__(self) -> str:
        return f"<Identity tenant={self.tenant.tenant_id}>"

    def authenticate(self, authorization_header: str | None) -> Principal:
        """The caller behind an `Authorization: Bearer ...` header; `GraphError` 401 otherwise."""
        return self._access_tokens.authenticate(authorization_header)

    def routes(self) -> list[BaseRoute]:
        """Starlette routes of the identity endpoints and the sign-in page, to mount at the server root."""
        page = SignInPage(self.tenant, self._device_codes)
        return [
            *page.routes(),
            *self._authorize_page.routes(),
            *IdentityEndpoints(self.tenant, self._issuer).routes(),
        ]

    # ----------------------------------------------------------------- hooks for tests
    def approve(self, user_code: str, upn: str) -> DeviceAuthorization:
        """Approve a pending device-code sign-in as user `upn` (what the sign-in page does)."""
        user = self.tenant.find_user(upn)
        if user is None:
            raise SignInError("invalid_request", 50034, f"No user {upn!r} in tenant {self.tenant.tenant_id}.")
        return self._device_codes.approve(user_code, user.id)

    def set_browser_session(self, upn: str | None) -> None:
        """Act as a browser already signed in as `upn` (None: signed out); the auto-approve seam.

        The authorize endpoint then answers with a code at once, unless a `prompt` other than `none` asks for
        the page: browser sign-in needs nobody at the page, as with a real browser's session.
        """
        if upn is not None and self.tenant.find_user(upn) is None:
            raise SignInError("invalid_request", 50034, f"No user {upn!r} in tenant {self.tenant.tenant_id}.")
        self._authorize_page.browser_session = upn

    def decline(self, user_code: str) -> DeviceAuthorization:
        """Decline a pending device-code sign-in: the poller gets `authorization_declined`."""
        return self._device_codes.decline(user_code)

    def revoke_refresh_tokens(self, upn: str | None = None) -> int:
        """Revoke the refresh tokens of user `upn` (everyone's when None); returns how many were revoked."""
        if upn is None:
            return self._refresh_tokens.revoke()
        user = self.tenant.find_user(upn)
        if user is None:
            raise SignInError("invalid_request", 50034, f"No user {upn!r} in tenant {self.tenant.tenant_id}.")
        return self._refresh_tokens.revoke({user.id})

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far count as expired (401 on the next Graph call)."""
        self._access_tokens.expire_all()
