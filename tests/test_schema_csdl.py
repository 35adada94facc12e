"""schema.py against Graph's own metadata: every property of personCertification in the committed beta CSDL
excerpt (tests/data/beta-csdl-excerpt.xml, inherited ones and complex types' members included) is a column
of the frame of a kind its Edm type allows, and every column the frame reads from Graph is in the CSDL."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from certnb.schema import AUDIENCE_WIRE_COLUMN, FIELDS

EXCERPT = Path(__file__).parent / "data" / "beta-csdl-excerpt.xml"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"

# Edm type → the frame kinds that hold it faithfully. A collection of strings may be a list or, for
# `source.type` (a string in the docs, a collection in the CSDL: contract §2), its items joined as text.
KINDS = {
    "Edm.String": {"string", "url"},
    "Edm.Date": {"date"},
    "Edm.DateTimeOffset": {"datetime"},
    "Edm.Boolean": {"bool"},
    "Edm.Double": {"number"},
    "graph.allowedAudiences": {"flags"},
    "Collection(Edm.String)": {"list", "string"},
    "Collection(graph.profileSourceAnnotation)": {"list"},
}


def _types() -> dict[str, ET.Element]:
    schema = ET.parse(EXCERPT).getroot()
    return {t.get("Name", ""): t for t in schema.iter() if t.tag in (f"{EDM}EntityType", f"{EDM}ComplexType",
                                                                       f"{EDM}EnumType")}


def _properties(types: dict[str, ET.Element], name: str) -> dict[str, str]:
    """Property → Edm type of an entity or complex type, its base types' included."""
    element = types[name]
    base = element.get("BaseType")
    inherited = _properties(types, base.removeprefix("graph.")) if base else {}
    own = {p.get("Name", ""): p.get("Type", "") for p in element.findall(f"{EDM}Property")}
    return {**inherited, **own}


def _leaves(types: dict[str, ET.Element], name: str, prefix: str = "") -> dict[str, str]:
    """Dotted column → Edm type of every leaf: complex types opened up, as the frame flattens them."""
    out: dict[str, str] = {}
    for prop, edm in _properties(types, name).items():
        inner = edm.removeprefix("graph.")
        if inner in types and types[inner].tag == f"{EDM}ComplexType":
            out.update(_leaves(types, inner, f"{prefix}{prop}."))
        else:
            out[f"{prefix}{prop}"] = edm
    return out


CSDL = _leaves(_types(), "personCertification")
READ = {f.column: f for f in FIELDS if not f.derived and f.column != AUDIENCE_WIRE_COLUMN}


def test_the_excerpt_is_the_resource_as_graph_declares_it() -> None:
    assert {"displayName", "endDate", "isSearchable", "sources", "source.type", "inference.confidenceScore",
            "createdBy.user.displayName", "id"} <= set(CSDL)


def test_every_csdl_property_is_a_column_and_every_column_a_csdl_property() -> None:
    assert set(CSDL) - set(READ) == set(), "properties Graph declares that the frame drops"
    assert set(READ) - set(CSDL) == set(), "columns the frame reads that Graph does not declare"


@pytest.mark.parametrize("column", sorted(CSDL))
def test_each_column_has_a_kind_its_edm_type_allows(column: str) -> None:
    edm = CSDL[column]
    assert edm in KINDS, f"{column}: Edm type {edm} has no mapping here; add one"
    assert READ[column].kind in KINDS[edm], f"{column} is {READ[column].kind}, the CSDL says {edm}"
