"""The compiled OWL 2 RL rules give the same informative entailments as owlrl, the reference."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from coopgraph.build import pipeline
from coopgraph.build.reference import build_graphs
from coopgraph.model import resources
from coopgraph.model.files import load_file
from coopgraph.model.inputs import Inputs
from coopgraph.model.terms import from_oxigraph
from coopgraph.reasoning import rules
from coopgraph.reasoning.reference import entailments

from ..generated import generated_data

Triples = set[tuple[object, object, object]]


def _fast(ontology: Sequence[Path], data: Sequence[Path]) -> Triples:
    store = ox.Store()
    graphs = [ox.NamedNode("urn:test:ontology"), ox.NamedNode("urn:test:data")]
    for graph, files in zip(graphs, (ontology, data), strict=True):
        for path in files:
            load_file(store, path, graph)
    text = rules.entailments_ntriples(store, graphs)
    return {
        (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object))
        for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    }


def _reference(ontology: Sequence[Path], data: Sequence[Path]) -> Triples:
    _ontology, _data, derived = build_graphs(Inputs(tuple(ontology), tuple(data)))
    return set(derived)


def _assert_same(fast: Triples, reference: Triples) -> None:
    missing, extra = reference - fast, fast - reference
    assert not missing and not extra, (
        f"{len(missing)} entailments only from owlrl, e.g. {sorted(map(str, missing))[:3]}; "
        f"{len(extra)} only from the rules, e.g. {sorted(map(str, extra))[:3]}"
    )


def test_the_bundled_data() -> None:
    ontology, data = resources.ontology_files(), resources.data_files()
    _assert_same(_fast(ontology, data), _reference(ontology, data))


def test_a_generated_graph_of_ten_thousand_triples() -> None:
    ontology = resources.ontology_files()
    data = [generated_data("10k")]
    _assert_same(_fast(ontology, data), _reference(ontology, data))


EQUALITY_CASE = """
@prefix cg: <https://w3id.org/coopgraph/def/> .
@prefix ex: <https://example.org/case/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

# A participation in two instruments: cg:participationIn is functional, so owlrl equates
# the two instruments and copies everything said of one onto the other.
ex:a a cg:BilateralAgreement ; rdfs:label "A"@en ; cg:hasParticipation ex:p .
ex:b a cg:MultilateralAgreement ; rdfs:label "B"@en ; cg:hasParticipation ex:p .
ex:p a cg:Participation ; cg:party ex:state .
ex:state a cg:State ; cg:iso3166Alpha2 "XA" , "XB" .
ex:other a cg:State ; cg:iso3166Alpha2 "XA" .
"""


def test_equalities_from_functional_properties(tmp_path: Path) -> None:
    """prp-fp with resources (two instruments) and with literals (two codes of a State)."""
    case = tmp_path / "equalities.ttl"
    case.write_text(EQUALITY_CASE, encoding="utf-8")
    ontology = resources.ontology_files()
    _assert_same(_fast(ontology, [case]), _reference(ontology, [case]))


def test_a_schema_the_rules_do_not_compile_falls_back_to_owlrl(tmp_path: Path) -> None:
    schema = tmp_path / "keys.ttl"
    schema.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix ex: <https://example.org/> .\n"
        "ex:Thing a owl:Class ; owl:hasKey ( ex:code ) .\n"
        "ex:a a ex:Thing ; ex:code 'x' .\nex:b a ex:Thing ; ex:code 'x' .\n",
        encoding="utf-8",
    )
    store = ox.Store()
    graph = ox.NamedNode("urn:test:data")
    load_file(store, schema, graph)
    with pytest.raises(rules.UnsupportedSchema):
        rules.entailments_ntriples(store, [graph])
    entailment = pipeline.entail(store, [graph])
    text, count, reasoner = entailment.ntriples, entailment.count, entailment.reasoner
    assert reasoner == "owlrl"
    expected = entailments(Graph().parse(schema))
    assert count == len(expected)
    assert set(Graph().parse(data=text, format="nt")) == set(expected)
