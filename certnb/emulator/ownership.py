"""Who owns a certification's values, and what a write to a value owned by an admin-controlled source does
(contract §13).

A certification's `sources` annotations name, per source, the `properties` whose data comes from it. A
property named by an admin-controlled source (Entra ID, Organizational data, an HR connector) is *owned*:
users "can't edit the value directly via Microsoft Graph" (profileSourceAnnotation page). What Graph does
with such a write is undocumented, so the `source_owned_writes` knob chooses:

    refuse  (default, as the docs say) 403 `accessDenied`, nothing changes          [undocumented shape]
    revert  the write is answered as usual; the next `run_import()` puts the source's values back (and a
            deleted certification back), as the next connector import would

Writes to values from "User initiated edits" are the user's own and always go through; a successful write
adds what it set to that source's annotation (a create gets it as its only source).

>>> cert = {"id": "c1", "endDate": "2027-01-31", "description": None,
...         "sources": [annotation("workdayhr", ["endDate"], default=True)]}
>>> owners(cert, ProfileSources.from_seed(None))
{'endDate': 'workdayhr'}
>>> user_edited(cert, {"description": "mine"})["sources"][1]["properties"]
['description']
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from certnb.emulator.errors import GraphError
from certnb.emulator.profile_sources import USER_EDITS, ProfileSources

SOURCE_OWNED_WRITES = ("refuse", "revert")
"""The values of the `source_owned_writes` knob (config.py)."""


def annotation(source_id: str, properties: Iterable[str], *, default: bool) -> dict[str, Any]:
    """One `profileSourceAnnotation` as the CSDL names its members (`sourceId`, not the docs' `id`).

    >>> annotation(USER_EDITS, ["displayName"], default=True)["sourceId"] == USER_EDITS
    True
    """
    return {"isDefaultSource": default, "properties": list(properties), "sourceId": source_id}


def given_properties(cert: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """The names among `names` that hold a value in `cert` (what a source "has data" for)."""
    return [name for name in names if cert.get(name) is not None]


def owners(cert: Mapping[str, Any], sources: ProfileSources) -> dict[str, str]:
    """Each property an admin-controlled source owns → that source's id (the higher-ranked one if several).
    """
    owned: dict[str, tuple[int, str]] = {}
    for item in cert.get("sources") or []:
        source_id = str(item.get("sourceId"))
        if not sources.admin_controlled(source_id):
            continue
        rank = sources.rank(source_id)
        for prop in item.get("properties") or []:
            if prop not in owned or rank < owned[prop][0]:
                owned[prop] = (rank, source_id)
    return {prop: source_id for prop, (_, source_id) in owned.items()}


def refusal(prop: str, source_id: str, sources: ProfileSources) -> GraphError:
    """The 403 a write to an owned value gets (contract §13: Graph's shape for it is undocumented; this is
    the documented 403 `accessDenied`, "the caller doesn't have permission to perform the action")."""
    name = sources.name_of(source_id)
    return GraphError(
        403,
        "accessDenied",
        f"The property '{prop}' comes from the profile source '{name}' ({source_id}), which the "
        "organization's admin controls; it can't be edited through Microsoft Graph.",
    )


def check_write(cert: Mapping[str, Any], fields: Mapping[str, Any] | None, sources: ProfileSources) -> None:
    """Refuse (GraphError 403) a PATCH of `fields`, or a DELETE (`fields` None), touching an owned value.

    A PATCH that sets an owned property to the value it already has changes nothing and goes through.
    """
    owned = owners(cert, sources)
    if fields is None:
        if owned:
            prop, source_id = next(iter(owned.items()))
            raise refusal(prop, source_id, sources)
        return
    for prop, value in fields.items():
        if prop in owned and cert.get(prop) != value:
            raise refusal(prop, owned[prop], sources)


def user_edited(cert: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict: `cert` whose "User initiated edits" annotation names the properties `fields` set (and no
    longer those it cleared); the annotation is added, not default, when the certification had none."""
    updated = dict(cert)
    annotations = copy.deepcopy(list(cert.get("sources") or []))
    mine = next((a for a in annotations if a.get("sourceId") == USER_EDITS), None)
    if mine is None:
        mine = annotation(USER_EDITS, [], default=not annotations)
        annotations.append(mine)
    named = list(mine.get("properties") or [])
    for prop, value in fields.items():
        if value is None and prop in named:
            named.remove(prop)
        elif value is not None and prop not in named:
            named.append(prop)
    mine["properties"] = named
    updated["sources"] = annotations
    return updated


def imported_values(cert: Mapping[str, Any], sources: ProfileSources) -> dict[str, Any] | None:
    """What an import would put back: a copy of `cert` as its admin-controlled sources gave it, or None when
    no admin-controlled source owns anything of it."""
    return copy.deepcopy(dict(cert)) if owners(cert, sources) else None


def reimported(current: Mapping[str, Any] | None, imported: Mapping[str, Any],
               sources: ProfileSources) -> dict[str, Any] | None:
    """The certification after an import: the owned values (and the annotations) as `imported` holds them;
    None when nothing changes. A deleted certification (`current` None) comes back whole."""
    if current is None:
        return copy.deepcopy(dict(imported))
    owned = owners(imported, sources)
    updated = dict(current)
    for prop in owned:
        updated[prop] = copy.deepcopy(imported.get(prop))
    if any(updated.get(prop) != current.get(prop) for prop in owned):
        mine = [a for a in current.get("sources") or [] if a.get("sourceId") == USER_EDITS]
        kept = [dict(a, properties=[p for p in a.get("properties") or [] if p not in owned]) for a in mine]
        others = [a for a in imported.get("sources") or [] if a.get("sourceId") != USER_EDITS]
        updated["sources"] = copy.deepcopy(others) + [a for a in kept if a["properties"]]
        return updated
    return None
