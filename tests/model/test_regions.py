"""The UN M49 regions (data/regions.ttl) and the region of every State (data/states.ttl): codes
as notations, one broader chain up to the world, every State in a sub-region of its region."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from coopgraph.model.files import parse_into
from coopgraph.model.resources import data_files

CG = Namespace("https://w3id.org/coopgraph/def/")
REGION = "https://w3id.org/coopgraph/id/region/"
M49 = URIRef("https://unstats.un.org/unsd/methodology/m49/")


@pytest.fixture(scope="module")
def data() -> Graph:
    graph = Graph()
    for path in data_files():
        parse_into(graph, path)
    return graph


def _regions(data: Graph) -> Iterator[URIRef]:
    for region in data.subjects(RDF.type, CG.GeographicRegion):
        assert isinstance(region, URIRef)
        yield region


def _chain(data: Graph, region: URIRef) -> list[URIRef]:
    chain = [region]
    while (broader := data.value(chain[-1], SKOS.broader)) is not None:
        assert isinstance(broader, URIRef) and broader not in chain
        chain.append(broader)
    return chain


def test_every_region_has_its_m49_code_as_notation_and_cites_m49(data: Graph) -> None:
    regions = list(_regions(data))
    assert len(regions) >= 10
    for region in regions:
        code = str(region).removeprefix(REGION)
        assert data.value(region, SKOS.notation) == Literal(code), region
        assert len(code) == 3 and code.isdigit(), region
        assert (region, DCTERMS.source, M49) in data, region
        assert _chain(data, region)[-1] == URIRef(REGION + "001"), region


def test_every_state_lies_in_a_sub_region_of_its_region(data: Graph) -> None:
    states = set(data.subjects(RDF.type, CG.State)) | set(data.subjects(RDF.type, CG.FormerState))
    assert len(states) == 28
    for state in states:
        sub_region = data.value(state, CG.m49SubRegion)
        region = data.value(state, CG.m49Region)
        assert isinstance(sub_region, URIRef) and isinstance(region, URIRef), state
        chain = _chain(data, sub_region)
        assert region in chain[1:] and chain[chain.index(region) + 1] == URIRef(REGION + "001")
        assert (state, DCTERMS.source, M49) in data, state


@pytest.mark.parametrize(
    ("state", "sub_region"),
    [
        ("SCG", "039"),
        ("SRB", "039"),
        ("MKD", "039"),
        ("MDA", "151"),
        ("GBR", "154"),
        ("USA", "021"),
        ("CHN", "030"),
        ("VNM", "035"),
        ("CIV", "011"),
    ],
)
def test_state_sub_regions_as_m49_lists_them(data: Graph, state: str, sub_region: str) -> None:
    iri = URIRef("https://w3id.org/coopgraph/id/state/" + state)
    assert data.value(iri, CG.m49SubRegion) == URIRef(REGION + sub_region)


def test_a_text_region_is_linked_only_where_it_is_an_m49_region(data: Graph) -> None:
    linked = {
        (str(data.value(instrument, CG.region)), str(data.value(region, SKOS.prefLabel)))
        for instrument, region in data.subject_objects(CG.coversRegion)
    }
    assert linked == {("Europe", "Europe"), ("West Africa", "Western Africa")}
