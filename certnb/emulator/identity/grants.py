"""The token endpoint's decisions: one function per grant type, each returning the token response (§9).

Grant types: device code (`urn:ietf:params:oauth:grant-type:device_code`), `authorization_code` (the browser
sign-in's code, with its PKCE verifier), `refresh_token`, `password` (resource-owner password, for scripted
sign-in) and `client_credentials` (app-only, which Graph then refuses with 403, contract §4). Pure of HTTP:
`endpoints.py` parses the form and renders what comes back.

>>> issuer = TokenIssuer(tenant, config, access_tokens, DeviceCodes(), RefreshTokens())  # doctest: +SKIP
>>> issuer.token({"grant_type": "password", "client_id": "c", "username": "adele@contoso.com",
...               "password": "x", "scope": "User.Read"}, "https://127.0.0.1:8443")  # doctest: +SKIP
{'token_type': 'Bearer', 'scope': 'User.Read', 'expires_in': 3600, ...}
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from certnb.emulator.config import EmulatorConfig
from certnb.emulator.identity.access_tokens import AccessTokens
from certnb.emulator.identity.authorization_codes import AuthorizationCodes
from certnb.emulator.identity.device_codes import DeviceCodes
from certnb.emulator.identity.errors import SignInError, missing_parameter
from certnb.emulator.identity.refresh_tokens import RefreshTokens
from certnb.emulator.identity.scopes import parse_app_scope, parse_scopes
from certnb.emulator.identity.tokens import b64url_encode

if TYPE_CHECKING:
    from certnb.emulator.tenant import Tenant, User

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_TYPES = (DEVICE_CODE_GRANT, "authorization_code", "refresh_token", "password", "client_credentials")


def require(form: Mapping[str, str], name: str) -> str:
    """A required, non-empty form parameter; 400 `invalid_request` (AADSTS900144) without it."""
    value = form.get(name, "").strip()
    if not value:
        raise missing_parameter(name)
    return value


def check_password(tenant: Tenant, username: str, password: str) -> User:
    """The user `username` if `password` is theirs; `invalid_grant` AADSTS50034 / AADSTS50126 otherwise."""
    user = tenant.find_user(username)
    if user is None:
        raise SignInError(
            "invalid_grant",
            50034,
            f"The user account {username} does not exist in the {tenant.tenant_id} directory. "
            "To sign into this application, the account must be added to the directory.",
        )
    # A seeded user without a password accepts any (contract §10 seeds rarely carry one).
    if user.password is not None and not hmac.compare_digest(user.password.encode(), password.encode()):
        raise SignInError(
            "invalid_grant", 50126, "Error validating credentials due to invalid username or password."
        )
    return user


class TokenIssuer:
    """Answers the device-code and token endpoints of one tenant."""

    def __init__(
        self,
        tenant: Tenant,
        config: EmulatorConfig,
        access_tokens: AccessTokens,
        device_codes: DeviceCodes,
        refresh_tokens: RefreshTokens,
        authorization_codes: AuthorizationCodes | None = None,
    ) -> None:
        self.tenant = tenant
        self.config = config
        self.access_tokens = access_tokens
        self.device_codes = device_codes
        self.refresh_tokens = refresh_tokens
        self.authorization_codes = authorization_codes or AuthorizationCodes()

    def __repr__(self) -> str:
        return f"<TokenIssuer tenant={self.tenant.tenant_id}>"

    # ----------------------------------------------------------------- device authorization
    def start_device_flow(self, form: Mapping[str, str], root: str) -> dict[str, Any]:
        """The device authorization response: codes, where to enter them, how often to poll."""
        client_id = require(form, "client_id")
        scope = require(form, "scope")
        parse_scopes(scope, self.config.default_scopes)  # refuse a bad scope now, as the platform does
        auto_approve = (
            self.config.device_code_auto_approve and self.tenant.users
        )  # nobody to approve otherwise
        approver = self.tenant.default_user.id if auto_approve else None
        auth = self.device_codes.issue(
            client_id, scope, lifetime_s=self.config.device_code_expires_s, approved_by=approver
        )
        verification_uri = f"{root}/devicelogin"
        message = (
            f"To sign in, use a web browser to open the page {verification_uri} and enter the code "
            f"{auth.user_code} to authenticate."
        )
        return {
            "user_code": auth.user_code,
            "device_code": auth.device_code,
            "verification_uri": verification_uri,
            "expires_in": self.config.device_code_expires_s,
            "interval": self.config.device_code_interval_s,
            "message": message,
        }

    # ----------------------------------------------------------------- token endpoint
    def token(self, form: Mapping[str, str], root: str) -> dict[str, Any]:
        """The token response for one token-endpoint request, or a `SignInError`."""
        grant_type = require(form, "grant_type")
        client_id = require(form, "client_id")
        if grant_type == DEVICE_CODE_GRANT:
            auth = self.device_codes.redeem(require(form, "device_code"), client_id)
            user = self._user(auth.user_id or "")
            return self._delegated(user, client_id, form.get("scope") or auth.scope, form, root)
        if grant_type == "authorization_code":
            code = self.authorization_codes.redeem(
                require(form, "code"),
                client_id,
                require(form, "redirect_uri"),
                form.get("code_verifier", ""),  # missing = not matching (AADSTS501481)
            )
            claims = {"auth_time": code.auth_time, "nonce": code.request.nonce}
            user = self._user(code.user_id)
            scope = form.get("scope") or code.request.scope
            return self._delegated(user, client_id, scope, form, root, id_claims=claims)
        if grant_type == "password":
            user = check_password(self.tenant, require(form, "username"), require(form, "password"))
            return self._delegated(user, client_id, require(form, "scope"), form, root)
        if grant_type == "refresh_token":
            grant = self.refresh_tokens.redeem(require(form, "refresh_token"), client_id)
            user = self._user(grant.user_id)
            return self._delegated(user, client_id, form.get("scope") or grant.scope, form, root)
        if grant_type == "client_credentials":
            return self._app_only(client_id, form)
        raise SignInError(
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type}'. The emulator supports: "
            + ", ".join(GRANT_TYPES),
        )

    def _user(self, key: str) -> User:
        user = self.tenant.find_user(key)
        if user is None:
            raise SignInError(
                "invalid_grant",
                50034,
                f"The user account does not exist in the {self.tenant.tenant_id} directory.",
            )
        return user

    def _delegated(
        self,
        user: User,
        client_id: str,
        scope: str,
        form: Mapping[str, str],
        root: str,
        id_claims: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        request = parse_scopes(scope, self.config.default_scopes)
        access_token, expires_in = self.access_tokens.issue_delegated(
            user_id=user.id,
            upn=user.user_principal_name,
            name=user.display_name,
            client_id=client_id,
            audience=request.audience,
            scp=request.scp,
        )
        response: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": request.scope,
            "expires_in": expires_in,
            "ext_expires_in": expires_in,
            "access_token": access_token,
        }
        if request.wants_refresh_token:
            response["refresh_token"] = self.refresh_tokens.issue(
                user.id, client_id, scope, lifetime_s=self.config.refresh_token_lifetime_s
            )
        if request.wants_id_token:
            response["id_token"] = self._id_token(user, client_id, root, id_claims or {})
        if form.get("client_info") == "1":  # MSAL asks for it; it keys the account in MSAL's cache
            info = {"uid": user.id, "utid": self.tenant.tenant_id}
            response["client_info"] = b64url_encode(json.dumps(info, separators=(",", ":")).encode())
        return response

    def _id_token(self, user: User, client_id: str, root: str, extra: Mapping[str, Any]) -> str:
        now = time.time()
        # The platform's `sub` is pairwise: the same user looks different to different apps.
        sub = b64url_encode(hashlib.sha256(f"{client_id}:{user.id}".encode()).digest())
        claims = {
            "aud": client_id,
            "iss": f"{root}/{self.tenant.tenant_id}/v2.0",
            "iat": int(now),
            "nbf": int(now),
            "exp": int(now) + self.config.token_lifetime_s,
            "name": user.display_name,
            "oid": user.id,
            "preferred_username": user.user_principal_name,
            "sub": sub,
            "tid": self.tenant.tenant_id,
            "ver": "2.0",
        }
        # A browser sign-in's `nonce` comes back unchanged (MSAL checks it) and `auth_time` says when it was.
        claims.update({name: value for name, value in extra.items() if value is not None})
        return self.access_tokens.sign_id_token(claims)

    def _app_only(self, client_id: str, form: Mapping[str, str]) -> dict[str, Any]:
        if not (form.get("client_secret") or form.get("client_assertion")):
            raise SignInError(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: "
                "'client_assertion' or 'client_secret'.",
                status=401,
            )
        audience = parse_app_scope(require(form, "scope"))
        token, lifetime = self.access_tokens.issue_app_only(client_id, audience, self.config.app_roles)
        return {
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": token,
        }
