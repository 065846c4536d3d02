"""The VoID description of a release (void.ttl): its size, its classes and properties, the
vocabularies it uses, where its entities live, how to get it, and its links to Wikidata.

Every count is taken from the graph the dumps hold (ontology, data and entailments merged),
so `void:triples` is the number of lines of the N-Triples dump.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, VOID, XSD
from rdflib.term import Node

from coopgraph.model.namespaces import ALL_PREFIXES, CG, MODALITY_SCHEME, WIKIDATA
from coopgraph.model.stats import instances, subclasses
from coopgraph.publish.dumps import CanonicalDataset
from coopgraph.publish.release import (
    DATASET,
    LICENSE,
    PUBLISHER,
    URI_SPACE,
    WIKIDATA_DATASET,
    WIKIDATA_LINKSET,
    Release,
)

LINK_PREDICATE = SKOS.exactMatch

_GRAPH_TITLES = {
    "ontology": "The ontology and its concept schemes",
    "data": "The data",
    "entailments": "The OWL 2 RL entailments of the ontology and data",
}


@dataclass(frozen=True)
class VoidFigures:
    """The counts of a VoID description."""

    triples: int
    entities: int
    classes: Counter[URIRef]
    """Each class with the number of its instances."""
    properties: Counter[URIRef]
    """Each property with the number of triples that use it."""
    distinct_subjects: int
    distinct_objects: int
    links: int
    """Links to Wikidata: skos:exactMatch triples from our URI space to Wikidata entities."""


def void_figures(graph: Graph) -> VoidFigures:
    classes: Counter[URIRef] = Counter()
    for cls in {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}:
        classes[cls] = len(set(graph.subjects(RDF.type, cls)))
    properties: Counter[URIRef] = Counter(p for _s, p, _o in graph if isinstance(p, URIRef))
    subjects = set(graph.subjects())
    return VoidFigures(
        triples=len(graph),
        entities=sum(1 for s in subjects if _in_uri_space(s)),
        classes=classes,
        properties=properties,
        distinct_subjects=len(subjects),
        distinct_objects=len(set(graph.objects())),
        links=sum(1 for s, o in graph.subject_objects(LINK_PREDICATE) if _is_link(s, o)),
    )


def _in_uri_space(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(URI_SPACE)


def _is_link(subject: Node, obj: Node) -> bool:
    return _in_uri_space(subject) and isinstance(obj, URIRef) and str(obj).startswith(str(WIKIDATA))


def vocabularies(figures: VoidFigures) -> list[URIRef]:
    """The namespaces of the classes and properties used."""
    terms = set(figures.classes) | set(figures.properties)
    return sorted({URIRef(namespace_of(term)) for term in terms})


def namespace_of(term: URIRef) -> str:
    """The namespace of `term`: the longest known prefix's, else up to the last # or /."""
    text = str(term)
    known = [str(ns) for ns in ALL_PREFIXES.values() if text.startswith(str(ns))]
    if known:
        return max(known, key=len)
    cut = max(text.rfind("#"), text.rfind("/"))
    return text[: cut + 1]


def example_resources(graph: Graph) -> list[URIRef]:
    """One instrument, one State, one organisation and one modality (the first by IRI)."""
    chosen = []
    for cls in (CG.Instrument, CG.State, CG.Organisation):
        members = sorted(
            (m for m in instances(graph, subclasses(graph, cls)) if isinstance(m, URIRef)),
            key=str,
        )
        members = [m for m in members if _in_uri_space(m)]
        if members:
            chosen.append(members[0])
    modalities = sorted(
        m for m in graph.subjects(SKOS.inScheme, MODALITY_SCHEME) if isinstance(m, URIRef)
    )
    if modalities:
        chosen.append(modalities[0])
    return [URIRef(str(m)) for m in chosen]


def void_graph(release: Release, dataset: CanonicalDataset) -> Graph:
    """The VoID description of `release`, whose graphs are `dataset`."""
    union = dataset.union
    figures = void_figures(union)
    graph = Graph()
    for prefix, namespace in (
        ("void", VOID),
        ("dcterms", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("xsd", XSD),
        *ALL_PREFIXES.items(),
    ):
        graph.bind(prefix, namespace, override=True, replace=True)

    def add(subject: Node, predicate: URIRef, obj: Node) -> None:
        graph.add((subject, predicate, obj))

    def count(value: int) -> Literal:
        return Literal(value, datatype=XSD.integer)

    text = release.text
    issued = Literal(release.date.isoformat(), datatype=XSD.date)
    add(DATASET, RDF.type, VOID.Dataset)
    add(DATASET, DCTERMS.title, Literal(text.title, lang="en"))
    add(DATASET, DCTERMS.description, Literal(text.description, lang="en"))
    add(DATASET, DCTERMS.license, LICENSE)
    add(DATASET, DCTERMS.publisher, PUBLISHER)
    add(DATASET, DCTERMS.issued, issued)
    add(DATASET, DCTERMS.modified, issued)
    add(DATASET, FOAF.homepage, release.index_page)
    add(DATASET, VOID.uriSpace, Literal(URI_SPACE))
    add(DATASET, VOID.sparqlEndpoint, release.sparql_endpoint)
    for dump in release.dumps:
        add(DATASET, VOID.dataDump, release.url(dump.name))
        add(DATASET, VOID.feature, dump.format.w3c_format_iri)
    for vocabulary in vocabularies(figures):
        add(DATASET, VOID.vocabulary, vocabulary)
    for example in example_resources(union):
        add(DATASET, VOID.exampleResource, example)

    add(DATASET, VOID.triples, count(figures.triples))
    add(DATASET, VOID.entities, count(figures.entities))
    add(DATASET, VOID.classes, count(len(figures.classes)))
    add(DATASET, VOID.properties, count(len(figures.properties)))
    add(DATASET, VOID.distinctSubjects, count(figures.distinct_subjects))
    add(DATASET, VOID.distinctObjects, count(figures.distinct_objects))

    for index, cls in enumerate(sorted(figures.classes)):
        partition = BNode(f"class{index:04d}")
        add(DATASET, VOID.classPartition, partition)
        add(partition, VOID["class"], cls)
        add(partition, VOID.entities, count(figures.classes[cls]))
    for index, prop in enumerate(sorted(figures.properties)):
        partition = BNode(f"property{index:04d}")
        add(DATASET, VOID.propertyPartition, partition)
        add(partition, VOID.property, prop)
        add(partition, VOID.triples, count(figures.properties[prop]))

    # The named graphs, each a subset.
    for name in dataset.graph_names:
        subset = URIRef(str(name))
        add(DATASET, VOID.subset, subset)
        add(subset, RDF.type, VOID.Dataset)
        short = str(name).rstrip("/").rsplit("/", 1)[-1]
        add(subset, DCTERMS.title, Literal(_GRAPH_TITLES.get(short, short), lang="en"))
        add(subset, VOID.triples, count(len(dataset.dataset.graph(name))))

    # The links to Wikidata.
    add(DATASET, VOID.subset, WIKIDATA_LINKSET)
    add(WIKIDATA_LINKSET, RDF.type, VOID.Linkset)
    add(WIKIDATA_LINKSET, DCTERMS.title, Literal("Links to Wikidata", lang="en"))
    add(WIKIDATA_LINKSET, VOID.linkPredicate, LINK_PREDICATE)
    add(WIKIDATA_LINKSET, VOID.subjectsTarget, DATASET)
    add(WIKIDATA_LINKSET, VOID.objectsTarget, WIKIDATA_DATASET)
    add(WIKIDATA_LINKSET, VOID.target, DATASET)
    add(WIKIDATA_LINKSET, VOID.target, WIKIDATA_DATASET)
    add(WIKIDATA_LINKSET, VOID.triples, count(figures.links))
    add(WIKIDATA_DATASET, RDF.type, VOID.Dataset)
    add(WIKIDATA_DATASET, DCTERMS.title, Literal("Wikidata", lang="en"))
    add(WIKIDATA_DATASET, FOAF.homepage, WIKIDATA_DATASET)
    add(WIKIDATA_DATASET, VOID.uriSpace, Literal(str(WIKIDATA)))
    return graph
