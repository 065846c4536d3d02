"""Counts that describe the knowledge graph: instruments by type, States, organisations,
modalities, triples."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from coopgraph.model.namespaces import CG, MODALITY_SCHEME, ORG

# The W3C ORG vocabulary's own subclasses of org:Organization, known here so that the count
# does not depend on the ORG ontology being loaded.
_ORG_SUBCLASSES = (ORG.FormalOrganization, ORG.OrganizationalUnit, ORG.OrganizationalCollaboration)


@dataclass(frozen=True)
class GraphStats:
    """`instruments_by_type` maps the compacted most specific type of each instrument (types
    joined with " & " when an instrument has several unrelated ones) to a count."""

    instruments: int
    instruments_by_type: dict[str, int]
    states: int
    organisations: int
    modalities: int
    triples: int

    def as_dict(self) -> dict[str, object]:
        return {
            "instruments": self.instruments,
            "instruments_by_type": dict(self.instruments_by_type),
            "states": self.states,
            "organisations": self.organisations,
            "modalities": self.modalities,
            "triples": self.triples,
        }


def graph_stats(graph: Graph) -> GraphStats:
    """Count what `graph` holds; class membership follows rdfs:subClassOf in the graph."""
    by_type = _instruments_by_type(graph)
    organisation_classes = subclasses(graph, ORG.Organization).union(
        *(subclasses(graph, c) for c in _ORG_SUBCLASSES)
    )
    return GraphStats(
        instruments=sum(by_type.values()),
        instruments_by_type=dict(sorted(by_type.items())),
        states=len(instances(graph, subclasses(graph, CG.State))),
        organisations=len(instances(graph, organisation_classes)),
        modalities=len(_modalities(graph)),
        triples=len(graph),
    )


def subclasses(graph: Graph, cls: URIRef) -> set[Node]:
    """`cls` and every class below it by rdfs:subClassOf*."""
    return {c for c in graph.transitive_subjects(RDFS.subClassOf, cls) if c is not None}


def instances(graph: Graph, classes: set[Node]) -> set[Node]:
    """Every resource typed with one of `classes`."""
    return {s for cls in classes for s in graph.subjects(RDF.type, cls)}


def _instruments_by_type(graph: Graph) -> Counter[str]:
    instrument_classes = subclasses(graph, CG.Instrument)
    tally: Counter[str] = Counter()
    for instrument in instances(graph, instrument_classes):
        types = set(graph.objects(instrument, RDF.type)) & instrument_classes
        # A subclass cycle (equivalent classes) leaves no most specific type: keep them all.
        most_specific = [
            t for t in types if not _has_strict_subclass_among(graph, t, types)
        ] or list(types)
        names = sorted(
            t.n3(graph.namespace_manager) for t in most_specific if isinstance(t, URIRef)
        )
        tally[" & ".join(names)] += 1
    return tally


def _has_strict_subclass_among(graph: Graph, cls: Node, candidates: set[Node]) -> bool:
    return any(
        other != cls and cls in graph.transitive_objects(other, RDFS.subClassOf)
        for other in candidates
    )


def _modalities(graph: Graph) -> set[Node]:
    in_scheme = set(graph.subjects(SKOS.inScheme, MODALITY_SCHEME))
    top = set(graph.subjects(SKOS.topConceptOf, MODALITY_SCHEME))
    return (in_scheme | top) & instances(graph, subclasses(graph, SKOS.Concept))
