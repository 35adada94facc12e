"""The emulator's own description of `personCertification` (contract §2), and validation of write bodies.

Deliberately independent of `certnb/schema.py`: an emulator that shared the client's field table would repeat
its bugs. A test (tests/test_schema.py) checks that the two descriptions agree.

>>> PROPERTIES["endDate"].wire_type, PROPERTIES["endDate"].writable
('date', True)
>>> validate_body({"displayName": "AZ-104", "allowedAudiences": "organization, contacts"}, strict=False)
{'displayName': 'AZ-104', 'allowedAudiences': 'contacts,organization'}
"""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from certnb.emulator.errors import GraphError
from certnb.emulator.profile_sources import USER_EDITS

ODATA_TYPE = "#microsoft.graph.personCertification"
ENTITY_TYPE_NAME = "microsoft.graph.personCertification"

# Members of the flags enum `allowedAudiences` in declaration order, the order Graph serialises them (§2).
AUDIENCE_MEMBERS = (
    "me",
    "family",
    "contacts",
    "groupMembers",
    "organization",
    "federatedOrganizations",
    "everyone",
    "unknownFutureValue",
)
_AUDIENCE_RANK = {name: rank for rank, name in enumerate(AUDIENCE_MEMBERS)}

# Wire types that `$filter` and `$orderby` can compare (query.py); the others are structured values.
SCALAR_WIRE_TYPES = frozenset({"string", "date", "datetimeoffset", "flags", "bool", "number"})


@dataclass(frozen=True)
class ComplexType:
    """A structured value's CSDL complex type: qualified name and members (JSON name → wire type).

    >>> INFERENCE_DATA.members
    {'confidenceScore': 'number', 'userHasVerifiedAccuracy': 'bool'}
    """

    name: str
    members: dict[str, str] = field(hash=False)


# Contract §2, §13: `inference` is an inferenceData (Edm.Double, Edm.Boolean), `source` a personDataSources
# whose `type` is Collection(Edm.String) (the beta CSDL; the docs page says a string), `sources` a collection
# of profileSourceAnnotation (`sourceId`, as the CSDL names it; the docs page shows `id`).
INFERENCE_DATA = ComplexType(
    "microsoft.graph.inferenceData", {"confidenceScore": "number", "userHasVerifiedAccuracy": "bool"}
)
PERSON_DATA_SOURCES = ComplexType("microsoft.graph.personDataSources", {"type": "list"})
PROFILE_SOURCE_ANNOTATION = ComplexType(
    "microsoft.graph.profileSourceAnnotation",
    {"isDefaultSource": "bool", "properties": "list", "sourceId": "string"},
)

# How each wire type is declared in the CSDL (tests/emulator/test_csdl_fidelity.py reads the excerpt).
EDM_TYPES = {
    "string": "Edm.String",
    "date": "Edm.Date",
    "datetimeoffset": "Edm.DateTimeOffset",
    "bool": "Edm.Boolean",
    "number": "Edm.Double",
    "flags": "graph.allowedAudiences",
    "identitySet": "graph.identitySet",
    "list": "Collection(Edm.String)",  # a complex type's member: a list of strings
}


@dataclass(frozen=True)
class PropertySpec:
    """One property of personCertification: JSON name, wire type, whether a client may write it, and the
    complex type of a structured (`object`) value.

    >>> PROPERTIES["createdDateTime"]
    PropertySpec(name='createdDateTime', wire_type='datetimeoffset', writable=False, complex_type=None)
    >>> PROPERTIES["inference"].complex_type.name
    'microsoft.graph.inferenceData'
    """

    name: str
    wire_type: str
    writable: bool
    complex_type: ComplexType | None = None

    @property
    def scalar(self) -> bool:
        """Whether `$filter`/`$orderby` can compare this property."""
        return self.wire_type in SCALAR_WIRE_TYPES

    @property
    def edm_type(self) -> str:
        """The property's type as the beta CSDL declares it.

        >>> PROPERTIES["sources"].edm_type, PROPERTIES["endDate"].edm_type
        ('Collection(graph.profileSourceAnnotation)', 'Edm.Date')
        """
        if self.complex_type is not None:
            short = "graph." + self.complex_type.name.rpartition(".")[2]
            return f"Collection({short})" if self.wire_type == "list" else short
        return EDM_TYPES[self.wire_type]


def _spec(
    name: str, wire_type: str, writable: bool, complex_type: ComplexType | None = None
) -> tuple[str, PropertySpec]:
    return name, PropertySpec(name, wire_type, writable, complex_type)


PROPERTIES: dict[str, PropertySpec] = dict(
    [
        _spec("id", "string", False),
        _spec("allowedAudiences", "flags", True),
        _spec("inference", "object", True, INFERENCE_DATA),
        _spec("certificationId", "string", True),
        _spec("description", "string", True),
        _spec("displayName", "string", True),
        _spec("endDate", "date", True),
        _spec("issuedDate", "date", True),
        _spec("issuingAuthority", "string", True),
        _spec("issuingCompany", "string", True),
        _spec("startDate", "date", True),
        _spec("thumbnailUrl", "string", True),
        _spec("webUrl", "string", True),
        _spec("createdDateTime", "datetimeoffset", False),
        _spec("lastModifiedDateTime", "datetimeoffset", False),
        _spec("createdBy", "identitySet", False),
        _spec("lastModifiedBy", "identitySet", False),
        _spec("source", "object", False, PERSON_DATA_SOURCES),
        _spec("isSearchable", "bool", False),
        _spec("sources", "list", False, PROFILE_SOURCE_ANNOTATION),
    ]
)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bad(message: str) -> GraphError:
    return GraphError(400, "invalidRequest", message)


def parse_date(text: str) -> dt.date | None:
    """The calendar date of an Edm.Date string `YYYY-MM-DD`, or None if it is not one.

    >>> parse_date("2026-02-28"), parse_date("2026-02-30"), parse_date("Date")
    (datetime.date(2026, 2, 28), None, None)
    """
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def normalise_audiences(text: str) -> str | None:
    """`allowedAudiences` in Graph's serialised form, or None if a member is unknown.

    Members may be separated by `,` with optional spaces (OData's flags literal); the result lists each member
    once, comma-separated without spaces, in declaration order, as Graph serialises flags.

    >>> normalise_audiences("organization, contacts"), normalise_audiences("friends")
    ('contacts,organization', None)
    """
    members = {part.strip() for part in text.split(",")}
    if not members or any(member not in _AUDIENCE_RANK for member in members):
        return None
    return ",".join(sorted(members, key=_AUDIENCE_RANK.__getitem__))


def _declared_members(
    value: Mapping[str, Any], type_name: str, names: Collection[str], strict: bool, where: str
) -> Iterator[tuple[str, Any]]:
    """The members of `value` that its type declares, in order; the one rule for an entity body and for
    every complex value nested in it (contract §2).

    `@odata.type` is skipped (the SDK sends it, also on nested values) unless strict mode finds it names
    another type; other unknown names are ignored, or refused in strict mode.
    """
    for name, item in value.items():
        if name in names:
            yield name, item
        elif name == "@odata.type":
            if strict and item not in (type_name, f"#{type_name}"):
                raise _bad(f"{_shown(item)} is not the type of {where} (#{type_name}).")
        elif strict:
            raise _bad(f"Could not find a property named '{name}' on type '{type_name}'.")


def _check_complex(name: str, kind: ComplexType, value: Any, strict: bool) -> dict[str, Any]:
    """A structured value checked member by member against its complex type, by the body's own rule."""
    if not isinstance(value, dict):
        short = kind.name.rpartition(".")[2]
        raise _bad(f"Invalid value for property '{name}': expected an object ({short}).")
    clean: dict[str, Any] = {}
    for key, item in _declared_members(value, kind.name, kind.members, strict, f"property '{name}'"):
        wire = kind.members[key]
        if item is not None and not _MEMBER_CHECKS[wire](item):
            raise _bad(f"Invalid value for property '{name}.{key}': expected a {wire}, got {_shown(item)}.")
        clean[key] = item
    return clean


def _shown(value: Any) -> str:
    """A value as an error message quotes it: its repr, cut short (a body may hold megabytes)."""
    return reprlib.repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# What a member of each wire type may hold (besides null); complex types only use these.
_MEMBER_CHECKS: dict[str, Callable[[Any], bool]] = {
    "number": _is_number,
    "bool": lambda value: isinstance(value, bool),
    "string": lambda value: isinstance(value, str),
    "list": lambda value: isinstance(value, list),
}


def _check_value(spec: PropertySpec, value: Any, strict: bool) -> Any:
    """The value to store for a writable property, or GraphError 400 naming the property."""
    if value is None:
        return None  # contract §2: everything except id may be null; an explicit null clears
    name = spec.name
    if spec.complex_type is not None:
        return _check_complex(name, spec.complex_type, value, strict)
    if not isinstance(value, str):
        raise _bad(f"Invalid value for property '{name}': expected a string, got {type(value).__name__}.")
    if spec.wire_type == "date":
        if parse_date(value) is None:
            raise _bad(
                f"Invalid value for property '{name}': {_shown(value)} is not a date (Edm.Date, YYYY-MM-DD)."
            )
        return value
    if spec.wire_type == "flags":
        audiences = normalise_audiences(value)
        if audiences is None:
            members = ", ".join(AUDIENCE_MEMBERS)
            raise _bad(
                f"Invalid value for property '{name}': {_shown(value)} is not a combination of {members}."
            )
        return audiences
    return value


def validate_body(body: Any, *, strict: bool) -> dict[str, Any]:
    """The writable properties of a POST/PATCH body, checked and normalised; GraphError 400 otherwise.

    Read-only properties and `@odata.type` are ignored (the SDK sends them), unknown names too, unless
    `strict` (contract §2).

    >>> validate_body({"@odata.type": ODATA_TYPE, "endDate": None}, strict=False)
    {'endDate': None}
    """
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object (a personCertification).")
    clean: dict[str, Any] = {}
    for name, value in _declared_members(body, ENTITY_TYPE_NAME, PROPERTIES, strict, "this resource"):
        spec = PROPERTIES[name]
        if not spec.writable:
            if strict:
                raise _bad(f"The property '{name}' is read-only and cannot be written.")
            continue
        clean[name] = _check_value(spec, value, strict)
    return clean


def timestamp(moment: dt.datetime | None = None) -> str:
    """An Edm.DateTimeOffset as Graph writes it: UTC, 7 fraction digits, `Z` (contract §2).

    >>> timestamp(dt.datetime(2024, 5, 2, 10, 11, 12, 123456, tzinfo=dt.UTC))
    '2024-05-02T10:11:12.1234560Z'
    """
    moment = (moment or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def identity_set(user_id: str | None, display_name: str | None) -> dict[str, Any]:
    """An identitySet naming a user, as Graph writes `createdBy`/`lastModifiedBy`.

    >>> identity_set("42", "Adele")["user"]
    {'displayName': 'Adele', 'id': '42'}
    """
    return {"application": None, "device": None, "user": {"displayName": display_name, "id": user_id}}


def new_certification(fields: Mapping[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
    """A created certification: a fresh id, every writable property (null when not given), server fields set,
    and "User initiated edits" as its one source, naming the properties given (contract §13).

    >>> cert = new_certification({"displayName": "AZ-104"}, identity_set("42", "Adele"))
    >>> cert["displayName"], cert["endDate"], cert["createdDateTime"] == cert["lastModifiedDateTime"]
    ('AZ-104', None, True)
    >>> cert["sources"][0] == {"isDefaultSource": True, "properties": ["displayName"], "sourceId": USER_EDITS}
    True
    """
    now = timestamp()
    cert: dict[str, Any] = {"id": str(uuid.uuid4())}
    for name, spec in PROPERTIES.items():
        if spec.writable:
            cert[name] = fields.get(name)
    given = [name for name, spec in PROPERTIES.items() if spec.writable and cert[name] is not None]
    cert.update(
        createdDateTime=now, lastModifiedDateTime=now, createdBy=actor, lastModifiedBy=actor, source=None,
        isSearchable=True,
        sources=[{"isDefaultSource": True, "properties": given, "sourceId": USER_EDITS}],
    )
    return cert


def patched(cert: Mapping[str, Any], fields: Mapping[str, Any], actor: dict[str, Any]) -> dict[str, Any]:
    """A new dict: `cert` merged with `fields` (PATCH is a merge, contract §2), modification stamped.

    Stored certifications are never mutated in place, so a reply being serialised never sees a half-write.

    >>> patched({"id": "1", "displayName": "a"}, {"displayName": "b"}, identity_set("4", None))["displayName"]
    'b'
    """
    updated = {**cert, **fields}
    updated["lastModifiedDateTime"] = timestamp()
    updated["lastModifiedBy"] = actor
    return updated
