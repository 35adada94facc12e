"""The tenant's profile sources and precedence, as Graph's people admin settings serve them (contract §13).

    GET, POST           /admin/people/profileSources
    GET, PATCH, DELETE  /admin/people/profileSources/{id} · /admin/people/profileSources(sourceId='…')
    GET, POST           /admin/people/profilePropertySettings
    GET, PATCH, DELETE  /admin/people/profilePropertySettings/{id}

Reads need `PeopleSettings.Read.All` (or `.ReadWrite.All`), writes `PeopleSettings.ReadWrite.All`; a
profile source's `sourceId` is its alternate key and cannot be changed (profilesource-configure-settings).
Create answers 201, update 200 with the entity, delete 204, as the docs' examples show.

>>> resolve_admin("/admin/people/profileSources(sourceId='workdayhr')")
('profileSources', 'workdayhr', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from certnb.emulator.config import EmulatorConfig
from certnb.emulator.errors import GraphError
from certnb.emulator.exchange import Call, Reply
from certnb.emulator.payload import read_json
from certnb.emulator.profile_sources import ProfileSource, PropertySetting
from certnb.emulator.routes.links import Links
from certnb.emulator.tenant import Tenant

READ_SCOPES = frozenset({"PeopleSettings.Read.All", "PeopleSettings.ReadWrite.All"})
WRITE_SCOPES = frozenset({"PeopleSettings.ReadWrite.All"})
_COLLECTIONS = {"profilesources": "profileSources", "profilepropertysettings": "profilePropertySettings"}
_SOURCE_MEMBERS = frozenset({"id", "sourceId", "kind", "displayName", "webUrl", "localizations"})
_SETTING_MEMBERS = frozenset({"id", "name", "displayName", "prioritizedSourceUrls"})


def resolve_admin(path: str) -> tuple[str, str | None, bool]:
    """(collection, key, key is the `sourceId` alternate key) of an /admin/people path; GraphError 400
    for any other path."""
    parts = [unquote(p) for p in path.split("?", 1)[0].strip("/").split("/")]
    if len(parts) < 3 or parts[0].lower() != "admin" or parts[1].lower() != "people":
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{'/'.join(parts[1:2])}'.")
    head = parts[2]
    name, _, alternate = head.partition("(")
    collection = _COLLECTIONS.get(name.lower())
    if collection is None or len(parts) > 4:
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{head}'.")
    if alternate:
        prefix = "sourceid='"
        if collection != "profileSources" or not alternate.lower().startswith(prefix) or \
                not alternate.endswith("')") or len(parts) > 3:
            raise GraphError(400, "BadRequest", f"Resource not found for the segment '{head}'.")
        return collection, alternate[len(prefix):-2].replace("''", "'"), True
    return collection, (parts[3] if len(parts) == 4 and parts[3] else None), False


class PeopleAdmin:
    """The /admin/people routes over one tenant's `ProfileSources` (profile_sources.py)."""

    def __init__(self, tenant: Tenant, config: EmulatorConfig) -> None:
        self.tenant = tenant
        self.config = config

    def handle(self, call: Call, links: Links) -> Reply:
        collection, key, _ = resolve_admin(call.path)
        method = call.method.upper()
        allowed = ("GET", "POST") if key is None else ("GET", "PATCH", "DELETE")
        if method not in allowed:
            raise GraphError(405, "MethodNotAllowed", f"The HTTP method '{method}' is not allowed on this "
                             f"resource; allowed: {', '.join(allowed)}.", {"Allow": ", ".join(allowed)})
        principal = call.principal
        scopes = principal.scopes if principal is not None else frozenset()
        if principal is None or principal.app_only or not scopes & (READ_SCOPES if method == "GET"
                                                                    else WRITE_SCOPES):
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the "
                             "operation.")
        sources = self.tenant.profile_sources
        items: list[Any] = sources.sources if collection == "profileSources" else sources.settings
        context = links.context(f"admin/people/{collection}")
        with self.tenant.writing():
            if key is None and method == "GET":
                return Reply(200, {"@odata.context": context, "value": [i.to_graph() for i in items]})
            if key is None:
                made = self._create(collection, _body(call, self.config.max_json_depth), items)
                items.append(made)
                return Reply(201, {"@odata.context": context + "/$entity", **made.to_graph()})
            found = next((i for i in items if key in (i.id, getattr(i, "source_id", None))), None)
            if found is None:
                raise GraphError(404, "itemNotFound", f"The {collection[:-1]} '{key}' was not found.")
            if method == "GET":
                return Reply(200, {"@odata.context": context + "/$entity", **found.to_graph()})
            if method == "DELETE":
                items.remove(found)
                return Reply(204)
            _update(found, _body(call, self.config.max_json_depth))
            return Reply(200, {"@odata.context": context + "/$entity", **found.to_graph()})

    @staticmethod
    def _create(
        collection: str, body: Mapping[str, Any], items: list[Any]
    ) -> ProfileSource | PropertySetting:
        if collection == "profileSources":
            _known(body, _SOURCE_MEMBERS, "profileSource")
            source_id = body.get("sourceId")
            if not isinstance(source_id, str) or not source_id:
                raise GraphError(400, "invalidRequest", "A profileSource needs a sourceId.")
            if any(s.source_id == source_id for s in items):
                raise GraphError(409, "conflict", f"A profileSource with sourceId '{source_id}' exists.")
            return ProfileSource.from_graph({**body, "id": None})
        _known(body, _SETTING_MEMBERS, "profilePropertySetting")
        if not body.get("name") and any(not s.name for s in items):
            # "Only one configuration without a name is allowed per collection" (profilePropertySetting page)
            raise GraphError(409, "conflict", "Only one profilePropertySetting without a name is allowed.")
        return PropertySetting.from_graph({**body, "id": None})


def _update(found: ProfileSource | PropertySetting, body: Mapping[str, Any]) -> None:
    """Merge a PATCH body into a source or setting (PATCH is a merge); `sourceId` cannot change."""
    if isinstance(found, ProfileSource):
        _known(body, _SOURCE_MEMBERS, "profileSource")
        if "sourceId" in body and body["sourceId"] != found.source_id:
            raise GraphError(400, "invalidRequest", "The sourceId of a profileSource can't be updated.")
    else:
        _known(body, _SETTING_MEMBERS, "profilePropertySetting")
    merged = type(found).from_graph({**found.to_graph(), **body, "id": found.id})
    found.__dict__.update(merged.__dict__)


def _known(body: Mapping[str, Any], members: frozenset[str], type_name: str) -> None:
    for name in body:
        if name not in members and name != "@odata.type":
            raise GraphError(400, "invalidRequest", f"Could not find a property named '{name}' on type "
                             f"'microsoft.graph.{type_name}'.")


def _body(call: Call, max_depth: int) -> dict[str, Any]:
    content_type = call.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != "application/json":
        raise GraphError(400, "BadRequest", "Entity only allows writes with a JSON Content-Type header.")
    try:
        body = read_json(call.body or b"", max_depth)
    except ValueError as err:
        raise GraphError(400, "invalidRequest", f"Unable to read JSON request payload: {err}") from None
    if not isinstance(body, dict):
        raise GraphError(400, "invalidRequest", "The request body must be a JSON object.")
    return body
