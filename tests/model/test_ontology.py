"""The ontology documents itself: every term of ours has an English label and a definition."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from coopgraph.model import resources
from coopgraph.model.namespaces import CG

ONTOLOGY = Graph()
for _path in resources.ontology_files():
    ONTOLOGY.parse(_path)

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
OUR_TERMS = sorted(
    {
        term
        for kind in TERM_TYPES
        for term in ONTOLOGY.subjects(RDF.type, kind)
        if isinstance(term, URIRef) and str(term).startswith(str(CG))
    }
)


def test_the_ontology_has_a_version_iri() -> None:
    ontology = URIRef("https://w3id.org/coopgraph/def")
    assert (ontology, RDF.type, OWL.Ontology) in ONTOLOGY
    assert ONTOLOGY.value(ontology, OWL.versionIRI) is not None


def test_there_are_terms() -> None:
    assert len(OUR_TERMS) > 80


@pytest.mark.parametrize("term", OUR_TERMS, ids=lambda t: str(t).rsplit("/", 1)[-1])
def test_every_term_has_an_english_label_and_a_definition(term: URIRef) -> None:
    labels = [label for label in ONTOLOGY.objects(term, RDFS.label) if label.language == "en"]  # type: ignore[attr-defined]
    assert len(labels) == 1
    assert ONTOLOGY.value(term, SKOS.definition) is not None


def test_every_data_term_used_is_declared() -> None:
    """A typo in a property or class name of the data would otherwise pass unnoticed."""
    data = Graph()
    for path in resources.data_files():
        data.parse(path)
    used = {p for p in data.predicates() if str(p).startswith(str(CG))}
    used |= {o for o in data.objects(None, RDF.type) if str(o).startswith(str(CG))}
    assert used - set(OUR_TERMS) == set()
