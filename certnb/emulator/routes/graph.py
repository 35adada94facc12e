"""What one Graph call does: route, authorise, read or change the tenant, answer (contract §1, §2, §4, §6).

    GET                /me · /users · /users/{key}                        basic user objects
    GET                /users/$count (ConsistencyLevel: eventual)         how many users, as text/plain
    GET                …/profile
    GET, POST          /me/profile/certifications · /users/{key}/profile/certifications
    GET, PATCH, DELETE …/profile/certifications/{id}
    …                  /admin/people/profileSources, /admin/people/profilePropertySettings (people_admin.py)

Writes to another person's profile may be refused as real tenants refuse them (refusals.py, the
`write_refusals` knob), and writes to values an admin-controlled source owns are refused or reverted
(ownership.py, the `source_owned_writes` knob): contract §13. Entities carry no `@odata.type`: minimal
metadata leaves it out where the type is the one declared (the docs' list, get and create examples).

Paths are resolved in route.py (`{key}` as an id, a UPN or `users('…')`; unknown segments are 400,
another method on a known route 405).

>>> service = GraphService(Tenant.from_seed(None), EmulatorConfig())          # doctest: +SKIP
>>> service.handle(Call("GET", "/me/profile/certifications", principal=me)).status  # doctest: +SKIP
200
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, overload

from certnb.emulator.config import EmulatorConfig
from certnb.emulator.errors import GraphError
from certnb.emulator.exchange import Call, Reply
from certnb.emulator.ownership import check_write, user_edited
from certnb.emulator.payload import read_json
from certnb.emulator.principal import OTHER_USERS_READ_SCOPES, READ_SCOPES, Principal
from certnb.emulator.query import ENTITY_OPTIONS, LIST_OPTIONS, QueryOptions, next_query, parse_query
from certnb.emulator.refusals import refusal_for
from certnb.emulator.resource import (
    PROPERTIES,
    identity_set,
    new_certification,
    patched,
    validate_body,
)
from certnb.emulator.routes.links import Links
from certnb.emulator.routes.people_admin import PeopleAdmin
from certnb.emulator.routes.route import ME, METHODS, Route, person_addressed, resolve
from certnb.emulator.tenant import Tenant, User

__all__ = [  # the service and its words; resolving paths (Route, resolve, person_addressed) moved to route.py
    "CERT_TYPES", "USER_TYPES", "WRITE_OTHER_SCOPES", "WRITE_OWN_SCOPES", "GraphService", "Route",
    "person_addressed", "resolve",
]

WRITE_OWN_SCOPES = frozenset({"User.ReadWrite", "User.ReadWrite.All"})
WRITE_OTHER_SCOPES = frozenset({"User.ReadWrite.All"})

CERT_TYPES = {name: spec.wire_type for name, spec in PROPERTIES.items()}
USER_TYPES = {
    "id": "string",
    "userPrincipalName": "string",
    "displayName": "string",
    "givenName": "string",
    "surname": "string",
    "mail": "string",
    "jobTitle": "string",
    "department": "string",
    "officeLocation": "string",
    "companyName": "string",
    "preferredLanguage": "string",
    "mobilePhone": "string",
    "accountEnabled": "bool",
}
_DEFAULT_CERT_ORDER = (("createdDateTime", False),)  # contract §1: lists are ordered by createdDateTime
_DENIED = "Insufficient privileges to complete the operation."


def _json_body(call: Call, max_depth: int) -> Any:
    """The parsed JSON body of a write; GraphError 400 for a missing or foreign Content-Type or bad JSON."""
    content_type = call.headers.get("content-type")
    if content_type is None:
        # Graph's own wording for a write without the header
        raise GraphError(
            400,
            "BadRequest",
            "Write requests (excluding DELETE) must contain the Content-Type header declaration.",
        )
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise GraphError(400, "BadRequest", "Entity only allows writes with a JSON Content-Type header.")
    if not call.body:
        raise GraphError(400, "invalidRequest", "The request body is empty; send a JSON object.")
    try:
        return read_json(call.body, max_depth)  # contract §11.2: nesting past max_depth is a 400 too
    except ValueError as err:
        raise GraphError(400, "invalidRequest", f"Unable to read JSON request payload: {err}") from None




class GraphService:
    """The Graph routes over one tenant; `handle(call)` answers a `Call` whose principal is authenticated."""

    def __init__(self, tenant: Tenant, config: EmulatorConfig) -> None:
        self.tenant = tenant
        self.config = config

    def __repr__(self) -> str:
        return f"<GraphService {self.tenant!r}>"

    def handle(self, call: Call) -> Reply:
        """Answer one Graph call; raises GraphError for every refusal (rendered by the pipeline)."""
        if call.path.strip("/").split("/", 1)[0].lower() == "admin":
            return PeopleAdmin(self.tenant, self.config).handle(call, Links(call))
        route = resolve(call.path)
        method = call.method.upper()
        allowed = METHODS[route.kind]
        if method not in allowed:
            raise GraphError(
                405,
                "MethodNotAllowed",
                f"The HTTP method '{method}' is not allowed on this resource; allowed: {', '.join(allowed)}.",
                {"Allow": ", ".join(allowed)},
            )
        principal = call.principal
        if principal is None or principal.app_only or principal.user_id is None:
            # contract §4: application permissions are not supported for profile items
            raise GraphError(403, "Authorization_RequestDenied", _DENIED)
        links = Links(call)
        if route.kind == "users":
            self._authorise(principal, own=False, write=False)
            return self._list_users(call, links)
        if route.kind == "count":
            self._authorise(principal, own=False, write=False)
            return self._count_users(call)
        write = method != "GET"
        user = self._user(route, principal, write=write)
        if write and not self._own(route, user, principal):
            refused = refusal_for(self.config.faults.write_refusals, (user.id, user.user_principal_name))
            if refused is not None:  # contract §13: as real tenants refuse writes to others' profiles
                raise refused
        if route.kind == "user":
            return self._get_user(call, user, links)
        if route.kind == "profile":
            return Reply(
                200, {"@odata.context": links.context(f"users('{user.id}')/profile/$entity"), "id": user.id}
            )
        if route.kind == "certifications":
            if method == "POST":
                return self._create(call, user, principal, links)
            return self._list(call, user, links)
        assert route.cert_id is not None  # resolve() sets it for "certification"
        if method == "GET":
            return self._get(call, user, route.cert_id, links)
        if method == "PATCH":
            return self._update(call, user, route.cert_id, principal, links)
        return self._delete(user, route.cert_id)

    # ----------------------------------------------------------------- authorisation (contract §4)
    def _authorise(self, principal: Principal, *, own: bool, write: bool) -> None:
        if write:
            needed = WRITE_OWN_SCOPES if own else WRITE_OTHER_SCOPES
        else:
            needed = READ_SCOPES if own else OTHER_USERS_READ_SCOPES
        if not principal.scopes & needed:
            raise GraphError(403, "Authorization_RequestDenied", _DENIED)

    @staticmethod
    def _own(route: Route, user: User, principal: Principal) -> bool:
        """Whether the call addresses the caller's own profile (by /me, id or UPN)."""
        return route.user_key is ME or user.id == principal.user_id

    def _user(self, route: Route, principal: Principal, *, write: bool) -> User:
        """The addressed user, after the scope check (a token addressing itself by id or UPN is "own")."""
        if route.user_key is ME:
            key = str(principal.user_id)
            own = True
        else:
            key = str(route.user_key)
            found = self.tenant.find_user(key)
            own = (
                key == principal.user_id
                or (found is not None and found.id == principal.user_id)
                or (principal.user_principal_name or "").casefold() == key.casefold()
            )
        self._authorise(principal, own=own, write=write)
        user = self.tenant.find_user(key)
        if user is None:
            raise GraphError(
                404,
                "itemNotFound",
                f"Resource '{key}' does not exist or one of its queried reference-property objects "
                "are not present.",
            )
        return user

    def _actor(self, principal: Principal) -> dict[str, Any]:
        name = principal.display_name
        if name is None and principal.user_id is not None:
            caller = self.tenant.find_user(principal.user_id)
            name = caller.display_name if caller is not None else None
        return identity_set(principal.user_id, name)

    # ----------------------------------------------------------------- users
    def _list_users(self, call: Call, links: Links) -> Reply:
        options = parse_query(call.query, USER_TYPES)
        return self._page(call, options, _UserRows(self.tenant.users), links, "users", lambda row: row)

    def _count_users(self, call: Call) -> Reply:
        # Contract §6: counting directory objects is an advanced query, only with ConsistencyLevel eventual.
        if call.headers.get("consistencylevel", "").strip().lower() != "eventual":
            raise GraphError(400, "Request_BadRequest", "$count is not currently supported.")
        return Reply(200, len(self.tenant.users), media_type="text/plain")

    def _get_user(self, call: Call, user: User, links: Links) -> Reply:
        options = parse_query(call.query, USER_TYPES, allowed=ENTITY_OPTIONS)
        row = _selected(user.to_graph(), options.select)
        return Reply(
            200, {"@odata.context": links.context("users" + _select_suffix(options) + "/$entity"), **row}
        )

    # ----------------------------------------------------------------- certifications
    def _list(self, call: Call, user: User, links: Links) -> Reply:
        options = parse_query(
            call.query, CERT_TYPES, allowed=LIST_OPTIONS, default_orderby=_DEFAULT_CERT_ORDER
        )
        rows = self.tenant.certifications(user)
        return self._page(call, options, rows, links, f"users('{user.id}')/profile/certifications", _entity)

    def _page(
        self,
        call: Call,
        options: QueryOptions,
        rows: Sequence[Mapping[str, Any]],
        links: Links,
        context: str,
        shape: Any,
    ) -> Reply:
        page, total, more = options.apply(rows, page_size=self.config.page_size, max_top=self.config.max_top)
        body: dict[str, Any] = {"@odata.context": links.context(context + _select_suffix(options))}
        if options.count:
            body["@odata.count"] = total
        size = min(self.config.page_size if options.top is None else options.top, self.config.max_top)
        if more:
            body["@odata.nextLink"] = links.url(call.path, next_query(call.query, options.skip + size))
        body["value"] = [shape(_selected(row, options.select)) for row in page]
        return Reply(200, body)

    def _get(self, call: Call, user: User, cert_id: str, links: Links) -> Reply:
        options = parse_query(call.query, CERT_TYPES, allowed=ENTITY_OPTIONS)
        cert = self._certification(user, cert_id)
        return Reply(200, self._entity_body(user, _selected(cert, options.select), links, options))

    def _create(self, call: Call, user: User, principal: Principal, links: Links) -> Reply:
        fields = validate_body(_json_body(call, self.config.max_json_depth), strict=self.config.strict)
        cert = new_certification(fields, self._actor(principal))
        self.tenant.store(user, cert)
        location = links.url(f"/users/{user.id}/profile/certifications/{cert['id']}", "")
        return Reply(201, self._entity_body(user, cert, links), {"Location": location})

    def _update(self, call: Call, user: User, cert_id: str, principal: Principal, links: Links) -> Reply:
        fields = validate_body(_json_body(call, self.config.max_json_depth), strict=self.config.strict)
        with self.tenant.writing():  # read-merge-store as one step against concurrent PATCHes
            current = self._certification(user, cert_id)
            if self.config.source_owned_writes == "refuse":
                check_write(current, fields, self.tenant.profile_sources)  # contract §13
            cert = user_edited(patched(current, fields, self._actor(principal)), fields)
            self.tenant.store(user, cert)
        # contract §1: PATCH answers 200 with the whole updated entity, not 204
        return Reply(200, self._entity_body(user, cert, links))

    def _delete(self, user: User, cert_id: str) -> Reply:
        with self.tenant.writing():
            current = self._certification(user, cert_id)
            if self.config.source_owned_writes == "refuse":
                check_write(current, None, self.tenant.profile_sources)  # contract §13
            if not self.tenant.remove(user, cert_id):
                raise self._missing(user, cert_id)
        return Reply(204)

    def _certification(self, user: User, cert_id: str) -> dict[str, Any]:
        cert = self.tenant.certification(user, cert_id)
        if cert is None:
            raise self._missing(user, cert_id)
        return cert

    @staticmethod
    def _missing(user: User, cert_id: str) -> GraphError:
        return GraphError(
            404, "itemNotFound", f"The certification '{cert_id}' of user '{user.id}' was not found."
        )

    @staticmethod
    def _entity_body(
        user: User, cert: Mapping[str, Any], links: Links, options: QueryOptions | None = None
    ) -> dict[str, Any]:
        suffix = _select_suffix(options) if options is not None else ""
        context = links.context(f"users('{user.id}')/profile/certifications{suffix}/$entity")
        return {"@odata.context": context, **_entity(cert)}


class _UserRows(Sequence[Mapping[str, Any]]):
    """The tenant's users as Graph rows, each made when read: a page of 999 out of 100,000 converts 999,
    so listing a large tenant costs per page what a small one does (a filter still reads every row)."""

    def __init__(self, users: Sequence[User]) -> None:
        self._users = users

    def __len__(self) -> int:
        return len(self._users)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(index, slice):
            return [user.to_graph() for user in self._users[index]]
        return self._users[index].to_graph()


def _entity(row: Mapping[str, Any]) -> dict[str, Any]:
    # Minimal metadata: no `@odata.type` on an entity of the declared type (contract §13)
    return dict(row)


def _selected(row: Mapping[str, Any], select: tuple[str, ...] | None) -> Mapping[str, Any]:
    if select is None:
        return row
    return {name: row.get(name) for name in select}


def _select_suffix(options: QueryOptions) -> str:
    return f"({','.join(options.select)})" if options.select else ""
