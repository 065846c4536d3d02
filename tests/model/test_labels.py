from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from coopgraph.model.labels import label_of

THING = URIRef("http://example.org/thing")


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([], None),
        ([(RDFS.label, Literal("Chose", lang="fr"))], "Chose"),
        ([(RDFS.label, Literal("Chose", lang="fr")), (RDFS.label, Literal("Plain"))], "Plain"),
        ([(RDFS.label, Literal("Plain")), (SKOS.prefLabel, Literal("Thing", lang="en"))], "Thing"),
        ([(SKOS.prefLabel, Literal("Thing", lang="en-GB"))], "Thing"),
    ],
)
def test_english_first_then_untagged_then_any(
    labels: list[tuple[URIRef, Literal]], expected: str | None
) -> None:
    graph = Graph()
    for prop, value in labels:
        graph.add((THING, prop, value))
    assert label_of(graph, THING) == expected
