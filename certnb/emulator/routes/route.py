"""Which resource a Graph path addresses: `resolve(path)` → `Route`, and whose mailbox a call reaches.

    GET                /me · /users · /users/{key}                        basic user objects
    GET                /users/$count (ConsistencyLevel: eventual)         how many users, as text/plain
    GET                …/profile
    GET, POST          /me/profile/certifications · /users/{key}/profile/certifications
    GET, PATCH, DELETE …/profile/certifications/{id}

`{key}` is an object id or a UPN, percent-decoded segment by segment (a UPN may hold `%2F`, `'`, `#`, `+`,
`&`, `%`, non-ASCII), or `users('…')` with `''` for a quote (contract §1). Path segments match
case-insensitively, as Graph's do. An unknown segment is 400 `BadRequest` "Resource not found for the
segment …" as Graph answers it; a known route with another method is 405.

    >>> route = resolve("/Me/Profile/Certifications")
    >>> route.kind, route.user_key is ME
    ('certifications', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from certnb.emulator.errors import GraphError
from certnb.emulator.exchange import Call
from certnb.emulator.tenant import Tenant

ME = object()
"""The `Route.user_key` of a /me route: the caller, whoever the token names."""


@dataclass(frozen=True)
class Route:
    """A resolved path: what is addressed (`kind`), whose (`user_key`) and which certification."""

    kind: str  # "user", "users", "count", "profile", "certifications", "certification"
    user_key: object = None  # ME, a decoded id/UPN, or None for /users
    cert_id: str | None = None



METHODS: dict[str, tuple[str, ...]] = {  # the methods each kind of route answers; another one is 405
    "user": ("GET",),
    "users": ("GET",),
    "count": ("GET",),
    "profile": ("GET",),
    "certifications": ("GET", "POST"),
    "certification": ("GET", "PATCH", "DELETE"),
}


def _segment_error(segment: str) -> GraphError:
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def _parenthesised_key(segment: str) -> str | None:
    """The key of `users('…')` (contract §1: how a UPN starting with `$` is addressed), else None."""
    if not (segment[:7].lower() == "users('" and segment.endswith("')")) or len(segment) < 9:
        return None
    return segment[7:-2].replace("''", "'")


def resolve(path: str) -> Route:
    """The route of a version-root-relative, percent-encoded path; GraphError 400 for an unknown one.

    >>> resolve("/users/o%27brien%40contoso.com/profile/certifications/42")
    Route(kind='certification', user_key="o'brien@contoso.com", cert_id='42')
    """
    raw = path.split("?", 1)[0].strip("/")
    parts = [unquote(part) for part in raw.split("/")] if raw else []
    if not parts:
        raise GraphError(400, "BadRequest", "Invalid request URL: no resource segment.")
    head, rest = parts[0], parts[1:]
    user_key: object
    if head.lower() == "me":
        user_key = ME
    elif head.lower() == "users":
        if not rest:
            return Route("users")
        if rest == ["$count"]:
            return Route("count")
        user_key, rest = rest[0], rest[1:]
        if user_key == "":
            raise _segment_error(user_key)
    else:
        key = _parenthesised_key(head)
        if key is None:
            raise _segment_error(head)
        user_key = key
    if not rest:
        return Route("user", user_key)
    if rest[0].lower() != "profile":
        raise _segment_error(rest[0])
    if len(rest) == 1:
        return Route("profile", user_key)
    if rest[1].lower() != "certifications":
        raise _segment_error(rest[1])
    if len(rest) == 2:
        return Route("certifications", user_key)
    if len(rest) == 3 and rest[2]:
        return Route("certification", user_key, rest[2])
    raise _segment_error(rest[3] if len(rest) > 3 else rest[2])


def person_addressed(call: Call, tenant: Tenant) -> str | None:
    """The id of the person whose profile (their mailbox, contract §8.1) the call addresses, else None.

    `/me` is the caller; an id or UPN is looked up (an unknown one is its own key, case-folded); `/users`
    and unknown routes address nobody.

    >>> tenant = Tenant.from_seed({"tenant": {"id": "t1", "domain": "contoso.com"}, "users": [
    ...     {"id": "u1", "userPrincipalName": "adele@contoso.com", "displayName": "Adele"}]})
    >>> person_addressed(Call("GET", "/users/ADELE%40contoso.com/profile/certifications"), tenant)
    'u1'
    >>> person_addressed(Call("GET", "/users"), tenant) is None
    True
    """
    try:
        route = resolve(call.path)
    except GraphError:
        return None
    if route.user_key is None:
        return None
    if route.user_key is ME:
        return None if call.principal is None else call.principal.user_id
    key = str(route.user_key)
    found = tenant.find_user(key)
    return found.id if found is not None else key.casefold()
