"""Which system owns each value: a certification's `sources` annotations read as owners of its fields.

Every profile item (`itemFacet`, so every personCertification) carries `sources`, a list of
profileSourceAnnotation `{id, isDefaultSource, properties}`: the system the item's data came from, and the
names of the properties that have data from it (Graph beta, profileSourceAnnotation resource; the beta CSDL
spells the id `sourceId`, the docs page `id`: both are read). Microsoft's page: "If the value of a property
derives from tenant admin-controlled systems, such as Microsoft Entra ID or Organizational Data in
Microsoft 365, users can't edit the value directly via Microsoft Graph. If it derives from user-initiated
edits, users can edit it directly."

certnb's rule, from that: **a field is owned by a source when an annotation of an admin-controlled source
lists the field's property in `properties`**. Every source is admin-controlled except User initiated edits
and Microsoft account (MSA), the two a person edits themselves; a tenant's own sources (connectors for
Workday, SuccessFactors, ...) are admin-controlled. An annotation with no `properties` (absent, null or
empty) is taken to cover the whole item [undocumented: Graph does not say what an empty list means; reading
it as "everything" errs on the side of not overwriting an HR system's value]. An annotation without an id
names no source and owns nothing.

Names: the well-known ids of Microsoft's table (`WELL_KNOWN_SOURCES`), else the tenant's profile sources
(`GET /admin/people/profileSources`, read by `load_certifications(..., profile_sources=True)` and kept in
`df.attrs`), else the id itself. A tenant source is shown as "displayName (kind)".

    >>> cell = [{"sourceId": "46a57efc-33f8-4eec-a512-b90039ad6187", "properties": ["description"]},
    ...         {"id": "wd-1", "properties": ["endDate", "startDate"]}]
    >>> names = source_names([{"id": "wd-1", "displayName": "Workday", "kind": "HR connector"}])
    >>> owners(cell, "endDate", names), owners(cell, "description", names)
    (('Workday (HR connector)',), ())
    >>> all_sources(cell, names)
    ('User initiated edits', 'Workday (HR connector)')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from certnb.schema import FIELDS_BY_COLUMN, LABELS, TEXT_DTYPE, WRITABLE_COLUMNS, is_missing

__all__ = [
    "OWNED_COLUMNS",
    "PROFILE_SOURCES_ATTR",
    "USER_CONTROLLED",
    "WELL_KNOWN_SOURCES",
    "Annotation",
    "Ownership",
    "all_sources",
    "derived_columns",
    "item_owners",
    "owned_table",
    "owners",
    "read_annotations",
    "source_name",
    "source_names",
]

WELL_KNOWN_SOURCES: dict[str, str] = {
    "4ce763dd-9214-4eff-af7c-da491cc3782d": "Microsoft Entra ID",
    "0024a795-114d-4031-95c7-5fb543e00e80": "Microsoft Entra ID",  # two ids, one system (Microsoft's note)
    "7986c642-b494-4140-8df4-f5ed125e2c67": "Organizational Data in Microsoft 365",
    "6cdc4422-8c05-40c5-902e-8ade707725ab": "SharePoint User Profile Application (UPA)",
    "9a3e0ce2-cf4b-477e-b3b3-df246318e251": "Microsoft account (MSA)",
    "46a57efc-33f8-4eec-a512-b90039ad6187": "User initiated edits",
    "107a83c9-714e-4d52-9d08-c303f081323b": "Photo Etag",
    "75d4238e-b142-4d2d-aed9-232b830b8706": "Skills In Viva",
}
"""The source ids Microsoft's profileSourceAnnotation page names (beta), lower case → system."""

USER_CONTROLLED: frozenset[str] = frozenset(
    {"46a57efc-33f8-4eec-a512-b90039ad6187", "9a3e0ce2-cf4b-477e-b3b3-df246318e251"}
)
"""User initiated edits and Microsoft account: the sources whose values a person may edit via Graph."""

PROFILE_SOURCES_ATTR = "certnb_profile_sources"
"""The `DataFrame.attrs` key holding the tenant's source names (id or sourceId, lower case → name)."""

OWNED_COLUMNS: tuple[str, ...] = ("userId", "userPrincipalName", "userDisplayName", "id", "displayName",
                                  "field", "label", "source", "sourceId")
"""Columns of `owned_table`: one row per (certification, owned field, owning source)."""

SEPARATOR = "; "  # between names in the derived columns: a tenant's display name may hold a comma


class Annotation(NamedTuple):
    """One profileSourceAnnotation as read: `properties` None means it lists none (the whole item)."""

    source_id: str | None
    is_default: bool | None
    properties: tuple[str, ...] | None

    @property
    def admin_controlled(self) -> bool:
        """True unless the source is one a person edits (`USER_CONTROLLED`); False without an id."""
        return self.source_id is not None and self.source_id.lower() not in USER_CONTROLLED

    def covers(self, prop: str) -> bool:
        """Does this annotation supply Graph property `prop` (a listed property, or the whole item)?"""
        if self.properties is None:
            return True
        wanted = prop.casefold()
        return any(p.casefold() == wanted for p in self.properties)


def _source_id(item: Mapping[str, Any]) -> Any:
    """An annotation's source id as Graph sends it: the docs' `id`, else the beta CSDL's `sourceId`."""
    return item.get("id") or item.get("sourceId")


def read_annotations(cell: Any) -> tuple[Annotation, ...]:
    """A `sources` cell (a list of annotation dicts, or nothing) → its annotations, read tolerantly.

    >>> read_annotations([{"id": "X", "isDefaultSource": True, "properties": []}, "junk"])
    (Annotation(source_id='X', is_default=True, properties=None),)
    """
    if cell is None or not isinstance(cell, list | tuple | np.ndarray):
        return ()
    found = []
    for item in cell:
        if not isinstance(item, Mapping):
            continue  # not an annotation: nothing to say who owns what
        source_id = _source_id(item)
        listed = item.get("properties")
        properties = tuple(str(p) for p in listed) if isinstance(listed, list | tuple) and listed else None
        default = item.get("isDefaultSource")
        found.append(Annotation(None if source_id is None else str(source_id),
                                default if isinstance(default, bool) else None, properties))
    return tuple(found)


def source_names(profile_sources: Iterable[Mapping[str, Any]] | Mapping[str, str] | None) -> dict[str, str]:
    """The tenant's profile sources (as `GET /admin/people/profileSources` lists them) → id → name, each
    source under both its `id` and its `sourceId` (lower case); a mapping of id → name is taken as it is.

    >>> source_names([{"id": "G1", "sourceId": "bamboohr1", "displayName": "HR Platform",
    ...                "kind": "BambooHR"}])
    {'g1': 'HR Platform (BambooHR)', 'bamboohr1': 'HR Platform (BambooHR)'}
    """
    if profile_sources is None:
        return {}
    if isinstance(profile_sources, Mapping):
        return {str(k).lower(): str(v) for k, v in profile_sources.items()}
    names: dict[str, str] = {}
    for source in profile_sources:
        shown = source.get("displayName") or source.get("sourceId") or source.get("id")
        if shown is None:
            continue
        kind = source.get("kind")
        name = f"{shown} ({kind})" if kind and str(kind).casefold() != str(shown).casefold() else str(shown)
        for key in ("id", "sourceId"):
            if source.get(key):
                names[str(source[key]).lower()] = name
    return names


def source_name(source_id: str, names: Mapping[str, str] | None = None) -> str:
    """A source's name: Microsoft's well-known table, else the tenant's (`names`), else the id itself.

    >>> source_name("7986C642-B494-4140-8DF4-F5ED125E2C67"), source_name("wd-1")
    ('Organizational Data in Microsoft 365', 'wd-1')
    """
    key = source_id.lower()
    return WELL_KNOWN_SOURCES.get(key) or (names or {}).get(key) or source_id


def _property(field: str) -> str:
    """The Graph property a column belongs to (`inference` for `inference.confidenceScore`)."""
    spec = FIELDS_BY_COLUMN.get(field)
    return spec.json if spec is not None else field


def owners(cell: Any, field: str, names: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The admin-controlled sources owning `field` (a column or Graph property name) of an item, by name;
    `()` when a person may edit it (the module docstring's rule)."""
    prop = _property(field)
    return _unique(source_name(a.source_id, names) for a in read_annotations(cell)
                   if a.admin_controlled and a.source_id is not None and a.covers(prop))


def item_owners(cell: Any, names: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The admin-controlled sources supplying any of an item's values (so deleting it is theirs to do)."""
    return _unique(source_name(a.source_id, names) for a in read_annotations(cell)
                   if a.admin_controlled and a.source_id is not None)


def all_sources(cell: Any, names: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Every source of an item, by name, in the order Graph lists them (two Entra ids give one name)."""
    return _unique(source_name(a.source_id, names) for a in read_annotations(cell) if a.source_id is not None)


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


_NOT_AN_ANNOTATION = object()  # an item of a `sources` list that read_annotations skips


def _source_ids(cell: list[Any]) -> tuple[Any, ...]:
    """The source id of each annotation of a `sources` list, as read_annotations reads it (hashable)."""
    ids = []
    for item in cell:
        if not isinstance(item, Mapping):
            ids.append(_NOT_AN_ANNOTATION)
            continue
        found = _source_id(item)
        ids.append(found if found is None or isinstance(found, str) else repr(found))
    return tuple(ids)


def derived_columns(sources: Sequence[Any], names: Mapping[str, str] | None = None) -> tuple[Any, Any]:
    """The `sourceNames` and `ownedBy` columns for a `sources` column (string arrays, `<NA>` where empty).

    >>> [list(c) for c in derived_columns([None, [{"id": "wd-1", "properties": ["endDate"]}]])]
    [[<NA>, 'wd-1'], [<NA>, 'wd-1']]
    """
    every = np.full(len(sources), None, dtype=object)
    owning = np.full(len(sources), None, dtype=object)
    memo: dict[Any, tuple[str | None, str | None]] = {}
    for i, cell in enumerate(sources):
        if cell is None or (not isinstance(cell, list) and is_missing(cell)):
            continue  # the usual case (an older Graph sends no `sources`): nothing to work out
        # Both columns depend on the annotations' source ids alone (read_annotations' reading of them), so
        # cells listing the same ids share one answer; a key of ids is cheaper than the cell's repr.
        key = _source_ids(cell) if isinstance(cell, list) else repr(cell)
        if key not in memo:
            found, owned = all_sources(cell, names), item_owners(cell, names)
            memo[key] = (SEPARATOR.join(found) or None, SEPARATOR.join(owned) or None)
        every[i], owning[i] = memo[key]
    return pd.array(every, dtype=TEXT_DTYPE), pd.array(owning, dtype=TEXT_DTYPE)


class Ownership:
    """The owners of a frame's values, looked up by (userId, id): built once per frame, for the rows that
    carry `sources` only (the tenant's source names from `frame.attrs`).

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [
    ...     {"id": "c1", "sources": [{"sourceId": "4ce763dd-9214-4eff-af7c-da491cc3782d"}]}]}])
    >>> Ownership(df).owners(("u1", "c1"), "endDate")
    ('Microsoft Entra ID',)
    """

    def __init__(self, frame: pd.DataFrame | None, rows: Any = None) -> None:
        # `rows` (a boolean mask): index only those rows, the ones a caller will ask about (the audit: rows
        # some source owns and rows sharing a certification), instead of a million.
        self.names: dict[str, str] = {}
        self._cells: dict[tuple[str, str], Any] = {}
        self._read: dict[int, tuple[Annotation, ...]] = {}  # each cell's annotations, read once
        self._owners: dict[tuple[int, str], tuple[str, ...]] = {}  # (cell, field) → its owners
        self._sources: dict[int, tuple[str, ...]] = {}  # cell → its sources
        self._owned: set[tuple[Any, Any]] | None = None  # the items some source owns, if the frame says
        if frame is None or "sources" not in frame.columns:
            return
        self.names = dict(frame.attrs.get(PROFILE_SOURCES_ATTR) or {})
        chosen = slice(None) if rows is None else np.flatnonzero(np.asarray(rows, dtype=bool))
        users = frame["userId"].to_numpy(dtype=object)[chosen].tolist()
        ids = frame["id"].to_numpy(dtype=object)[chosen].tolist()
        cells = frame["sources"].to_numpy(dtype=object)[chosen].tolist()
        for user, item, cell in zip(users, ids, cells, strict=True):
            if isinstance(cell, list) and cell and isinstance(user, str) and isinstance(item, str):
                self._cells[user, item] = cell
        if "ownedBy" in frame.columns:
            # The frame's `ownedBy` (derived from `sources` when it was built) names the items some source
            # owns: every other item is looked up in one set, not by reading its annotations.
            owned = frame["ownedBy"].notna().to_numpy(dtype=bool)[chosen].tolist()
            self._owned = {(u, i) for u, i, o in zip(users, ids, owned, strict=True) if o}

    def __bool__(self) -> bool:
        return bool(self._cells)

    def _annotations(self, key: tuple[str, str] | None) -> tuple[Annotation, ...]:
        if key is None or key not in self._cells:
            return ()
        # Read once per cell (a bulk call asks for every field of 100,000 rows); by the cell's identity, which
        # holds while the frame keeps the cell: rows copied from one another share their cell.
        cell = self._cells[key]
        found = self._read.get(id(cell))
        if found is None:
            found = self._read[id(cell)] = read_annotations(cell)
        return found

    def owners(self, key: tuple[str, str] | None, field: str) -> tuple[str, ...]:
        """Who owns `field` of certification `key` (`()`: nobody, a person may edit it)."""
        if key is not None and self._owned is not None and key not in self._owned:
            return ()
        cell = self._cells.get(key) if key is not None else None
        if cell is None:
            return ()
        memo = (id(cell), field)
        found = self._owners.get(memo)
        if found is None:
            prop = _property(field)
            found = self._owners[memo] = _unique(
                source_name(a.source_id, self.names) for a in self._annotations(key)
                if a.admin_controlled and a.source_id is not None and a.covers(prop))
        return found

    def item_owners(self, key: tuple[str, str] | None) -> tuple[str, ...]:
        """Who supplies any value of certification `key` (`()`: nobody)."""
        return _unique(source_name(a.source_id, self.names) for a in self._annotations(key)
                       if a.admin_controlled and a.source_id is not None)

    def sources(self, key: tuple[str, str] | None) -> tuple[str, ...]:
        """Every source of certification `key`, by name."""
        cell = self._cells.get(key) if key is not None else None
        if cell is None:
            return ()
        found = self._sources.get(id(cell))
        if found is None:
            named = (source_name(a.source_id, self.names) for a in self._annotations(key)
                     if a.source_id is not None)
            found = self._sources[id(cell)] = _unique(named)
        return found


def owned_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every owned value of a frame: one row per (certification, field, owning source), `OWNED_COLUMNS`.

    A whole-item annotation owns every writable field; a property the field table does not know is listed
    under its own name.

    >>> from certnb.frame.build import build_frame
    >>> df = build_frame([{"id": "u1", "certifications": [
    ...     {"id": "c1", "sources": [{"id": "wd-1", "properties": ["endDate"]}]}]}])
    >>> owned_table(df)[["id", "field", "label", "source"]].values.tolist()
    [['c1', 'endDate', 'Expires', 'wd-1']]
    """
    names = dict(frame.attrs.get(PROFILE_SOURCES_ATTR) or {})
    columns_of: dict[str, list[str]] = {}
    for column in WRITABLE_COLUMNS:
        columns_of.setdefault(_property(column).casefold(), []).append(column)
    lines: list[tuple[Any, ...]] = []
    if "sources" in frame.columns:
        people = frame[["userId", "userPrincipalName", "userDisplayName", "id", "displayName"]]
        for who, cell in zip(people.itertuples(index=False), frame["sources"].tolist(), strict=True):
            seen: set[tuple[str, str]] = set()
            for a in read_annotations(cell):
                if not a.admin_controlled or a.source_id is None:
                    continue
                name = source_name(a.source_id, names)
                fields = (list(WRITABLE_COLUMNS) if a.properties is None else
                          [c for p in a.properties for c in columns_of.get(p.casefold(), [p])])
                for field in fields:
                    if (field, name) not in seen:
                        seen.add((field, name))
                        lines.append((*(_plain(v) for v in who), field, LABELS.get(field, field), name,
                                      a.source_id))
    return pd.DataFrame(lines, columns=list(OWNED_COLUMNS), dtype=object)


def _plain(value: Any) -> Any:
    return None if is_missing(value) else value
