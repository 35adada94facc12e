"""What a sign-in asks for: the `scope` form parameter, read as the identity platform reads it (contract §9).

Scopes come bare (`User.ReadWrite.All`) or prefixed with the resource (`https://graph.microsoft.us/...`, any
national cloud's Graph root, contract §5); `offline_access`, `openid`, `profile` and `email` ride along;
`{resource}/.default` means "what the app was granted" (the `default_scopes` knob).

>>> request = parse_scopes("https://graph.microsoft.com/User.Read offline_access openid", "")
>>> request.scp, request.audience, request.wants_refresh_token
('User.Read openid', 'https://graph.microsoft.com', True)
"""

from __future__ import annotations

from dataclasses import dataclass

from certnb.emulator.identity.errors import SignInError

# Contract §5: one Graph root per national cloud. Graph's application id names the global one too.
GRAPH_ROOTS = (
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
)
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
OIDC_SCOPES = ("openid", "profile", "offline_access", "email")
# The identity platform lists these OIDC scopes in an access token's `scp`; `offline_access` it does not.
_OIDC_IN_SCP = ("openid", "profile", "email")


@dataclass(frozen=True)
class ScopeRequest:
    """A parsed `scope` parameter: what to echo back, whom the token is for, and what `scp` says."""

    requested: tuple[str, ...]  # as sent, duplicates dropped, order kept
    audience: str  # the Graph root the token is for
    graph_scopes: tuple[str, ...]  # bare delegated names, `.default` expanded
    echoed: tuple[str, ...]  # the response's `scope`: every requested item verbatim, plus `.default`'s grant

    @property
    def wants_refresh_token(self) -> bool:
        """A refresh token is issued only when `offline_access` is asked for (identity platform v2)."""
        return any(s.lower() == "offline_access" for s in self.requested)

    @property
    def wants_id_token(self) -> bool:
        """An id_token is issued only when `openid` is asked for."""
        return any(s.lower() == "openid" for s in self.requested)

    @property
    def scope(self) -> str:
        """The token response's `scope`: MSAL's cache hits next time only if it covers what was asked."""
        return " ".join(self.echoed)

    @property
    def scp(self) -> str:
        """The access token's `scp` claim: bare Graph scopes plus openid/profile/email if asked."""
        oidc = [s for s in _OIDC_IN_SCP if any(r.lower() == s for r in self.requested)]
        return " ".join([*self.graph_scopes, *oidc])


def resource_of(scope: str) -> tuple[str | None, str]:
    """Split `https://graph.microsoft.us/User.Read` into (`https://graph.microsoft.us`, `User.Read`).

    A bare scope has resource None. A prefix that is no Graph root is returned as written.
    """
    lowered = scope.lower()
    for root in (*GRAPH_ROOTS, GRAPH_APP_ID):
        if lowered.startswith(root + "/"):
            audience = GRAPH_ROOTS[0] if root == GRAPH_APP_ID else root
            return audience, scope[len(root) + 1 :].lstrip("/")
    if "/" in scope:
        resource, _, name = scope.rpartition("/")
        return resource, name
    return None, scope


def parse_scopes(raw: str, default_scopes: str) -> ScopeRequest:
    """Parse a delegated `scope` parameter; 400 `invalid_scope` for another resource or mixed clouds."""
    requested = tuple(dict.fromkeys(raw.split()))
    if not requested:
        raise SignInError(
            "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."
        )
    audiences: set[str] = set()
    graph_scopes: list[str] = []
    echoed: list[str] = list(requested)
    for scope in requested:
        if scope.lower() in OIDC_SCOPES:
            continue
        resource, name = resource_of(scope)
        if resource is not None and resource not in GRAPH_ROOTS:
            raise SignInError(
                "invalid_resource",
                500011,
                f"The resource principal named {resource} was not found in the tenant. The emulator only "
                "serves Microsoft Graph.",
            )
        audiences.add(resource or GRAPH_ROOTS[0])
        if name.lower() == ".default":
            granted = default_scopes.split()
            graph_scopes.extend(granted)
            prefix = f"{resource}/" if resource else ""
            echoed.extend(f"{prefix}{s}" for s in granted)
        else:
            graph_scopes.append(name)
    if len(audiences) > 1:
        raise SignInError(
            "invalid_scope",
            28000,
            "Provided value for the input parameter scope is not valid because it contains more than one "
            f"resource. Scope {raw} is not valid.",
        )
    return ScopeRequest(
        requested=requested,
        audience=audiences.pop() if audiences else GRAPH_ROOTS[0],
        graph_scopes=tuple(dict.fromkeys(graph_scopes)),
        echoed=tuple(dict.fromkeys(echoed)),
    )


def parse_app_scope(raw: str) -> str:
    """The audience of a client-credentials `scope`, which must be exactly one `{resource}/.default`."""
    scopes = raw.split()
    resource, name = resource_of(scopes[0]) if len(scopes) == 1 else (None, "")
    if resource is None or resource not in GRAPH_ROOTS or name.lower() != ".default":
        raise SignInError(
            "invalid_scope",
            1002012,
            f"The provided value for scope {raw} is not valid. Client credential flows must have a scope "
            "value with /.default suffixed to the resource identifier (application ID URI).",
        )
    return resource
