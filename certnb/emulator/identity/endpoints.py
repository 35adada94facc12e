"""The identity platform's HTTP surface under `/{tenant}/...` (contract §9), mounted at the server root.

    GET  /{tenant}/v2.0/.well-known/openid-configuration   discovery (what MSAL reads first)
    GET  /{tenant}/discovery/v2.0/keys                     jwks_uri (empty: tokens are HS256)
    POST /{tenant}/oauth2/v2.0/devicecode                  device authorization
    POST /{tenant}/oauth2/v2.0/token                       token endpoint (grants.py)
    GET  /{tenant}/oauth2/v2.0/authorize                   browser sign-in (authorize_page.py, mounted apart)
    GET  /{tenant}/oauth2/v2.0/logout                      end_session_endpoint
    GET  /common/userrealm/{username}                      user-realm discovery (before a password grant)

`{tenant}` is the tenant id, its domain, `organizations` or `common`; anything else is 400 AADSTS90002.

>>> IdentityEndpoints(tenant, issuer).routes()   # doctest: +SKIP
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from certnb.emulator.identity.errors import SignInError
from certnb.emulator.identity.grants import TokenIssuer

if TYPE_CHECKING:
    from certnb.emulator.tenant import Tenant

_MULTI_TENANT = ("common", "organizations")
_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}

Handler = Callable[[Request], Awaitable[Response]]


class IdentityEndpoints:
    """Starlette routes answering as the Microsoft identity platform does, for one tenant."""

    def __init__(self, tenant: Tenant, issuer: TokenIssuer) -> None:
        self.tenant = tenant
        self.issuer = issuer

    def __repr__(self) -> str:
        return f"<IdentityEndpoints tenant={self.tenant.tenant_id}>"

    def routes(self) -> list[BaseRoute]:
        """The routes listed in the module docstring."""
        guarded = self._guarded
        return [
            Route("/common/userrealm/{username}", guarded(self.user_realm), methods=["GET"]),
            Route(
                "/{tenant}/v2.0/.well-known/openid-configuration",
                guarded(self.openid_configuration),
                methods=["GET"],
            ),
            Route("/{tenant}/discovery/v2.0/keys", guarded(self.keys), methods=["GET"]),
            Route("/{tenant}/oauth2/v2.0/devicecode", guarded(self.device_code), methods=["POST"]),
            Route("/{tenant}/oauth2/v2.0/token", guarded(self.token), methods=["POST"]),
            Route("/{tenant}/oauth2/v2.0/logout", guarded(self.logout), methods=["GET"]),
        ]

    # ----------------------------------------------------------------- handlers
    async def openid_configuration(self, request: Request) -> Response:
        """Discovery: every endpoint on this server's own https root, built from the request."""
        segment = self._tenant_segment(request)
        root = _root(request)
        # As the platform does: a multi-tenant authority keeps its segment and a `{tenantid}` issuer template.
        issuer_tenant = "{tenantid}" if segment in _MULTI_TENANT else self.tenant.tenant_id
        base = f"{root}/{segment}"
        return _json(
            {
                "issuer": f"{root}/{issuer_tenant}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["HS256"],
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "nbf",
                    "name",
                    "oid",
                    "tid",
                    "ver",
                    "preferred_username",
                ],
                "tenant_region_scope": "WW",
                "cloud_instance_name": request.url.hostname or "localhost",
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": "graph.microsoft.com",
            }
        )

    async def keys(self, request: Request) -> Response:
        """No public keys: HS256 tokens are checked with a secret only this emulator holds."""
        self._tenant_segment(request)
        return _json({"keys": []})

    async def device_code(self, request: Request) -> Response:
        """Device authorization: user code, device code, verification page, interval."""
        self._tenant_segment(request)
        return _json(self.issuer.start_device_flow(await read_form(request), _root(request)))

    async def token(self, request: Request) -> Response:
        """The token endpoint, for every grant type the emulator supports."""
        self._tenant_segment(request)
        return _json(self.issuer.token(await read_form(request), _root(request)))

    async def logout(self, request: Request) -> Response:
        """The end-session page; sessions are per token here, so there is nothing to end."""
        self._tenant_segment(request)
        return HTMLResponse("<!doctype html><title>Signed out</title><p>You have signed out.</p>")

    async def user_realm(self, request: Request) -> Response:
        """Every seeded account is a cloud-only ("Managed") one: MSAL goes on with a plain password grant."""
        username = request.path_params["username"]
        return _json(
            {
                "ver": "1.0",
                "account_type": "Managed",
                "domain_name": username.rpartition("@")[2] or self.tenant.domain,
                "cloud_instance_name": request.url.hostname or "localhost",
                "cloud_audience_urn": "urn:federation:MicrosoftOnline",
            }
        )

    # ----------------------------------------------------------------- plumbing
    def _tenant_segment(self, request: Request) -> str:
        return tenant_segment(self.tenant, request)

    @staticmethod
    def _guarded(handler: Handler) -> Handler:
        """Render a `SignInError` as the platform's JSON error body, echoing the correlation id."""

        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInError as err:
                correlation_id = request.headers.get("client-request-id") or str(uuid.uuid4())
                return _json(err.body(correlation_id), status=err.status)

        return endpoint


def tenant_segment(tenant: Tenant, request: Request) -> str:
    """The path's `{tenant}` as the tenant id, or `common`/`organizations`; 400 AADSTS90002 otherwise."""
    segment = str(request.path_params["tenant"])
    known = {tenant.tenant_id.lower(), tenant.domain.lower(), *_MULTI_TENANT}
    if segment.lower() not in known:
        raise SignInError(
            "invalid_tenant",
            90002,
            f"Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are "
            "signing into the correct cloud.",
        )
    return segment.lower() if segment.lower() in _MULTI_TENANT else tenant.tenant_id


def _root(request: Request) -> str:
    """This server's own root (`https://127.0.0.1:50123`), as the client reached it."""
    return str(request.base_url).rstrip("/")


async def read_form(request: Request) -> dict[str, str]:
    """A form-encoded body; first value wins. (Parsed by hand: Starlette's parser needs python-multipart.)"""
    body = (await request.body()).decode("utf-8", "replace")
    form: dict[str, str] = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        form.setdefault(name, value)
    return form


def _json(content: dict[str, Any], status: int = 200) -> Response:
    return JSONResponse(content, status_code=status, headers=_NO_STORE)
