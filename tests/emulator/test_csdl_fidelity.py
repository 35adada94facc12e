"""The emulator's certifications as the beta CSDL types them (contract §13): the emulator's own property table
and the JSON it answers, both checked against the committed excerpt of Microsoft's metadata
(tests/data/beta-csdl-excerpt.xml: repository, path and commit in its header)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from certnb.emulator.resource import PROPERTIES
from certnb.emulator.server import Emulator

EXCERPT = Path(__file__).resolve().parents[1] / "data" / "beta-csdl-excerpt.xml"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def _types() -> dict[str, ET.Element]:
    schema = ET.parse(EXCERPT).getroot().find(f".//{EDM}Schema")
    assert schema is not None
    return {el.get("Name", ""): el for el in schema if el.tag in (f"{EDM}EntityType", f"{EDM}ComplexType")}


TYPES = _types()


def declared(type_name: str) -> dict[str, str]:
    """Every property of a type, its base types' included: name → CSDL type."""
    element = TYPES[type_name]
    props = {p.get("Name", ""): p.get("Type", "") for p in element.findall(f"{EDM}Property")}
    base = element.get("BaseType")
    return {**declared(base.removeprefix("graph.")), **props} if base else props


def test_the_excerpt_names_its_origin() -> None:
    head = EXCERPT.read_text(encoding="utf-8")[:800]
    assert "microsoftgraph/msgraph-metadata" in head and "schemas/beta-Prod.csdl" in head
    assert "0564689b82afc308d5aa8be54edfb9e5f1e0539f" in head


def test_the_emulators_property_table_is_the_csdls() -> None:
    csdl = declared("personCertification")
    assert set(PROPERTIES) == set(csdl)
    assert {name: spec.edm_type for name, spec in PROPERTIES.items()} == csdl
    for name, spec in PROPERTIES.items():
        if spec.complex_type is not None:
            short = spec.complex_type.name.rpartition(".")[2]
            assert set(spec.complex_type.members) == set(declared(short)), name


def test_profile_source_annotation_is_sourceid_not_the_docs_id() -> None:
    assert declared("profileSourceAnnotation") == {
        "isDefaultSource": "Edm.Boolean", "properties": "Collection(Edm.String)", "sourceId": "Edm.String",
    }
    assert declared("itemFacet")["sources"] == "Collection(graph.profileSourceAnnotation)"
    assert declared("personDataSources")["type"] == "Collection(Edm.String)"


def _conforms(value: Any, edm: str) -> bool:
    """Whether a JSON value (not null) is what the CSDL type declares."""
    if edm.startswith("Collection("):
        inner = edm[len("Collection("):-1]
        return isinstance(value, list) and all(v is None or _conforms(v, inner) for v in value)
    if edm in ("Edm.String", "Edm.Date", "Edm.DateTimeOffset", "graph.allowedAudiences"):
        return isinstance(value, str)
    if edm == "Edm.Boolean":
        return isinstance(value, bool)
    if edm == "Edm.Double":
        return isinstance(value, int | float) and not isinstance(value, bool)
    members = declared(edm.removeprefix("graph."))
    open_type = TYPES[edm.removeprefix("graph.")].get("OpenType") == "true"
    return isinstance(value, dict) and (open_type or set(value) <= set(members)) and all(
        value[m] is None or _conforms(value[m], t) for m, t in members.items() if m in value
    )


@pytest.fixture(scope="module")
def answered() -> Iterator[list[dict[str, Any]]]:
    """The certifications of the sample tenant's first users as the emulator answers them, and a new one."""
    with Emulator(https=False) as emu:
        token = emu.access_token()
        with httpx.Client(base_url=emu.graph_url, headers={"Authorization": f"Bearer {token}"}) as graph:
            items: list[dict[str, Any]] = []
            for user in emu.state()["users"][:30]:
                items += graph.get(f"/users/{user['id']}/profile/certifications", params={"$top": 999}
                                   ).json()["value"]
            items.append(graph.post("/me/profile/certifications", json={"displayName": "CKA"}).json())
            yield items


def test_every_answered_certification_conforms_to_the_csdl(answered: list[dict[str, Any]]) -> None:
    csdl = declared("personCertification")
    kinds = set()
    for item in answered:
        body = {k: v for k, v in item.items() if not k.startswith("@")}
        assert set(body) == set(csdl), set(body) ^ set(csdl)
        for name, value in body.items():
            assert value is None or _conforms(value, csdl[name]), (name, value)
        kinds.add(tuple(a["sourceId"] for a in body["sources"]))
        if body["source"] is not None:
            assert isinstance(body["source"]["type"], list)  # Collection(Edm.String), not the docs' string
    assert len(kinds) >= 3  # a mix of sources was checked, not only the user's own entries
