"""A reference flattener: one Graph personCertification JSON → one flat row, and back, per row in Python.

The package reads Graph JSON with its walker (certnb/frame/walk.py, a compiled twin) and writes minimal
bodies with certnb/commit/plan.py; these two slow, obvious functions over the same field table
(`certnb.schema`) are the oracle the tests check generated tenants and the field table against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from certnb.audience import Audience
from certnb.schema import AUDIENCE_WIRE_COLUMN, FIELDS, OWNED_BY_COLUMN, PROPERTIES, ROW_CONTEXT

__all__ = ["flatten", "to_wire"]


def flatten(entity: Mapping[str, Any], user: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One Graph personCertification JSON (and its user) → one flat row keyed by `COLUMNS`.

    >>> flatten({"id": "c1", "createdBy": {"user": {"id": "u1", "displayName": "Zoë"}}})["createdBy.user.id"]
    'u1'
    """
    row: dict[str, Any] = {f.column: (user or {}).get(f.json) for f in ROW_CONTEXT}
    for f in FIELDS:
        value: Any = entity
        for key in f.path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if f.column == AUDIENCE_WIRE_COLUMN:
            unknown = isinstance(value, str) and Audience.unknown_members(value)
            row[f.column] = value if unknown else None
        elif f.derived:
            row[f.column] = _source_names(value, owning=f.column == OWNED_BY_COLUMN)
        else:
            row[f.column] = f.from_wire(value)
    return row


# Microsoft's well-known profile source ids (profileSourceAnnotation, beta), copied by hand; the two a person
# edits (User initiated edits, MSA) own nothing.
_KNOWN = {
    "4ce763dd-9214-4eff-af7c-da491cc3782d": "Microsoft Entra ID", "0024a795-114d-4031-95c7-5fb543e00e80":
    "Microsoft Entra ID", "7986c642-b494-4140-8df4-f5ed125e2c67": "Organizational Data in Microsoft 365",
    "6cdc4422-8c05-40c5-902e-8ade707725ab": "SharePoint User Profile Application (UPA)",
    "9a3e0ce2-cf4b-477e-b3b3-df246318e251": "Microsoft account (MSA)",
    "46a57efc-33f8-4eec-a512-b90039ad6187": "User initiated edits",
    "107a83c9-714e-4d52-9d08-c303f081323b": "Photo Etag",
    "75d4238e-b142-4d2d-aed9-232b830b8706": "Skills In Viva",
}
_PERSONAL = {"46a57efc-33f8-4eec-a512-b90039ad6187", "9a3e0ce2-cf4b-477e-b3b3-df246318e251"}


def _source_names(sources: Any, *, owning: bool) -> str | None:
    """`sourceNames` (or, `owning`, `ownedBy`) of a `sources` value, the slow obvious way."""
    names: list[str] = []
    for item in sources if isinstance(sources, list) else []:
        ident = (item.get("id") or item.get("sourceId")) if isinstance(item, Mapping) else None
        if ident is None or (owning and str(ident).lower() in _PERSONAL):
            continue
        name = _KNOWN.get(str(ident).lower(), str(ident))
        if name not in names:
            names.append(name)
    return "; ".join(names) or None


def to_wire(row: Mapping[str, Any], properties: Iterable[str] | None = None) -> dict[str, Any]:
    """A flat row → Graph JSON for the given properties (default: every property with a column in `row`).

    Values go through `Field.validate`, so a bad value raises `ValueError`. Nested objects are rebuilt
    whole (a PATCH replaces a complex property entirely); an object whose leaves are all missing is `None`.

    >>> to_wire({"inference.confidenceScore": 0.9, "inference.userHasVerifiedAccuracy": True})
    {'inference': {'confidenceScore': 0.9, 'userHasVerifiedAccuracy': True}}
    """
    if properties is None:
        wanted = {f.json for f in FIELDS if f.column in row}
    else:
        wanted = set(properties)
        unknown = wanted - set(PROPERTIES)
        if unknown:
            raise KeyError(f"not personCertification properties: {sorted(unknown)}; known: {PROPERTIES}")
    body: dict[str, Any] = {}
    for f in FIELDS:
        if f.json not in wanted or f.column == AUDIENCE_WIRE_COLUMN or f.derived:
            continue
        value = row.get(f.column)
        raw = row.get(AUDIENCE_WIRE_COLUMN)
        if f.kind == "flags" and isinstance(value, Audience) and Audience.unknownFutureValue in value and raw:
            # Unedited value read from a newer service: give back exactly what it sent.
            leaf: Any = raw
        elif f.kind == "flags" and isinstance(value, Audience) and Audience.unknownFutureValue in value:
            leaf = value.to_wire()
        else:
            leaf = f.validate(value)
        _put(body, f.path, leaf)
    return {name: _prune(value) for name, value in sorted(body.items())}


def _put(tree: dict[str, Any], path: tuple[str, ...], leaf: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = leaf


def _prune(value: Any) -> Any:
    """Collapse nested objects whose leaves are all missing to `None` (Graph writes `null` for them)."""
    if not isinstance(value, dict):
        return value
    pruned = {key: _prune(inner) for key, inner in value.items()}
    return None if all(inner is None for inner in pruned.values()) else pruned
