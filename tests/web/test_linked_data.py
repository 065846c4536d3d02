"""Which IRIs the server redirects as former ones (coopgraph.web.linked_data.replacement)."""

from __future__ import annotations

import pytest
from rdflib import Graph

from coopgraph.query.engine import RdflibEngine
from coopgraph.web.linked_data import replacement

_GRAPH = """
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://w3id.org/coopgraph/id/modality/> .

ex:former dcterms:isReplacedBy ex:current .
ex:in-use a skos:Concept ; dcterms:isReplacedBy ex:current .
ex:split dcterms:isReplacedBy ex:one , ex:other .
ex:current a skos:Concept .
"""
BASE = "https://w3id.org/coopgraph/id/modality/"


@pytest.mark.parametrize(
    ("iri", "expected"),
    [
        ("former", BASE + "current"),  # untyped, one successor: a former IRI
        ("in-use", None),  # typed: still a resource of its own, described
        ("split", None),  # two successors: no single place to send the reader
        ("current", None),
        ("unknown", None),
    ],
)
def test_only_an_untyped_iri_with_one_successor_is_a_former_one(
    iri: str, expected: str | None
) -> None:
    engine = RdflibEngine(Graph().parse(data=_GRAPH, format="turtle"))
    assert replacement(engine, BASE + iri) == expected
