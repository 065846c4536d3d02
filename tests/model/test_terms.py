"""Term conversion between rdflib and Oxigraph."""

from __future__ import annotations

import logging

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from coopgraph.model.terms import from_oxigraph, to_oxigraph


def test_an_ill_typed_literal_converts_without_a_logged_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        term = from_oxigraph(ox.Literal("2006-13-45", datatype=ox.NamedNode(str(XSD.date))))
    assert term == Literal("2006-13-45", datatype=XSD.date)
    assert not [record for record in caplog.records if record.name == "rdflib.term"]


@pytest.mark.parametrize(
    "term",
    [URIRef("https://example.org/a"), Literal("x", lang="en"), Literal("1", datatype=XSD.integer)],
)
def test_terms_go_both_ways(term: URIRef | Literal) -> None:
    assert from_oxigraph(to_oxigraph(term)) == term
