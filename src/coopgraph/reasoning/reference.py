"""The OWL 2 RL closure of the graph, with owlrl as the reference reasoner.

The closure never mutates its input. `entailments` keeps only what a reader learns from:
owlrl also derives the axiomatic triples of RDF, RDFS and OWL themselves and trivial facts
(every resource `owl:sameAs` itself, every class a subclass of itself and of `owl:Thing`,
resources typed by the ontology's anonymous restrictions),
which would triple the graph and say nothing about cooperation.
"""

from __future__ import annotations

from collections.abc import Iterable

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

Triple = tuple[Node, Node, Node]

_VOCABULARY_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
_REFLEXIVE_PREDICATES = frozenset(
    {
        OWL.sameAs,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
    }
)
_TRIVIAL_OBJECTS = frozenset({OWL.Thing, RDFS.Resource, OWL.NamedIndividual})


def owl_rl_closure(graph: Graph) -> Graph:
    """A new graph: `graph` plus everything owlrl's OWL 2 RL semantics derives from it."""
    closed = Graph()
    for prefix, namespace in graph.namespaces():
        closed.bind(prefix, namespace, override=False)
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return closed


def entailments(graph: Graph) -> Graph:
    """A new graph of the informative triples the OWL 2 RL closure adds to `graph`."""
    closed = owl_rl_closure(graph)
    derived = Graph()
    for prefix, namespace in graph.namespaces():
        derived.bind(prefix, namespace, override=False)
    for triple in informative(closed, asserted=graph):
        derived.add(triple)
    return derived


def informative(triples: Iterable[Triple], asserted: Graph) -> Iterable[Triple]:
    """The triples of `triples` that are neither asserted nor trivial."""
    for triple in triples:
        if triple not in asserted and not is_trivial(triple):
            yield triple


def is_trivial(triple: Triple) -> bool:
    """True for an entailment that holds of every graph or says nothing about the data."""
    subject, predicate, obj = triple
    if isinstance(subject, Literal | BNode) or isinstance(obj, BNode):
        # Blank nodes here are the ontology's anonymous class expressions (restrictions).
        return True
    if isinstance(subject, URIRef) and str(subject).startswith(_VOCABULARY_NAMESPACES):
        return True
    if predicate in _REFLEXIVE_PREDICATES and subject == obj:
        return True
    if predicate in (RDF.type, RDFS.subClassOf) and obj in _TRIVIAL_OBJECTS:
        return True
    # owlrl re-types every class and datatype it meets; the ontology already declares ours.
    return predicate == RDF.type and obj in (OWL.Class, RDFS.Class, RDFS.Datatype)
