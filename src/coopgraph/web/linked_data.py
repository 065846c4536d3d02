"""Linked data: what the store says about one IRI of the project's namespace.

Public API:
    DOCUMENT_FORMATS               document suffix -> coopgraph.query.export RDF format name
                                   (".ttl": "turtle", ...; ".html" is the page for people)
    is_local(iri)                  whether `iri` is in https://w3id.org/coopgraph/
    iri_for_path(path)             "/id/state/MLI" -> "https://w3id.org/coopgraph/id/state/MLI"
    path_for_iri(iri)              the reverse ("/id/state/MLI"), None outside the namespace
    split_document(path)           "/id/state/MLI.ttl" -> ("/id/state/MLI", ".ttl")
    describe(engine, iri)          a Description, or None when the store never mentions `iri`
    replacement(engine, iri)       the IRI that replaced a former one (dcterms:isReplacedBy on an
                                   untyped resource), None for a resource in use
    Description                    label, types, statements (asserted and inferred),
                                   inverse links, sources, labels of every related term,
                                   and .graph(): the RDF document (asserted triples only)

The server maps a path under its root to the IRI with the same path under the namespace,
so a resource served at http://localhost:8000/id/state/MLI is the one whose IRI is
https://w3id.org/coopgraph/id/state/MLI (and w3id.org can redirect there). The queries run
on any coopgraph.engine.QueryEngine, the resource's IRI bound as a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from coopgraph.errors import QueryError
from coopgraph.model.namespaces import BASE, ENTAILMENTS_GRAPH, bind_project_prefixes
from coopgraph.query.engine import QueryEngine, sparql_term
from coopgraph.query.replaced import former_iris

DOCUMENT_FORMATS = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "nt", ".rdf": "xml"}
HTML_SUFFIX = ".html"
MAX_INVERSE_LINKS = 500

_PREFIXES = """PREFIX cg: <https://w3id.org/coopgraph/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
_OUTGOING = "SELECT ?p ?o ?g WHERE { GRAPH ?g { ?resource ?p ?o } }"
_INCOMING = f"""SELECT DISTINCT ?s ?p WHERE {{
  GRAPH ?g {{ ?s ?p ?resource }}
  FILTER(?g != <{ENTAILMENTS_GRAPH}>)
}} ORDER BY ?p ?s LIMIT {MAX_INVERSE_LINKS}"""
_SOURCES = (
    _PREFIXES
    + """SELECT DISTINCT ?source WHERE {
  { ?resource cg:sourceSection|dcterms:source|prov:wasDerivedFrom ?source }
  UNION
  {
    ?qualified ?link ?resource ;
               a ?kind ;
               cg:sourceSection|dcterms:source ?source .
    VALUES ?kind { cg:Participation org:Membership }
  }
} ORDER BY ?source"""
)
_LABELS = (
    _PREFIXES
    + """SELECT ?term ?label ?rank WHERE {
  VALUES ?term { %s }
  { ?term rdfs:label ?label BIND(1 AS ?rank) }
  UNION { ?term skos:prefLabel ?label BIND(2 AS ?rank) }
  UNION { ?term dcterms:title ?label BIND(3 AS ?rank) }
}"""
)


def is_local(iri: str) -> bool:
    return iri.startswith(BASE) and path_for_iri(iri) is not None


def iri_for_path(path: str) -> str:
    return BASE + path.lstrip("/")


def path_for_iri(iri: str) -> str | None:
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if rest == "def" or rest.startswith(("def/", "id/")):
        return "/" + rest
    return None


def split_document(path: str) -> tuple[str, str | None]:
    """The resource path and the document suffix (None: the path names the resource)."""
    for suffix in (*DOCUMENT_FORMATS, HTML_SUFFIX):
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], suffix
    return path, None


@dataclass(frozen=True)
class Statement:
    predicate: URIRef
    value: Node
    inferred: bool


@dataclass(frozen=True)
class Description:
    """What the store says about `iri`."""

    iri: URIRef
    statements: tuple[Statement, ...]
    inverse: tuple[tuple[Node, URIRef], ...]
    sources: tuple[Node, ...]
    labels: dict[Node, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.labels.get(self.iri) or _local_name(self.iri)

    def types(self) -> list[tuple[Node, bool]]:
        """The classes of the resource, asserted first, each with whether it is inferred."""
        asserted = [s.value for s in self.statements if s.predicate == RDF.type and not s.inferred]
        inferred = [
            s.value
            for s in self.statements
            if s.predicate == RDF.type and s.inferred and s.value not in asserted
        ]
        return [(t, False) for t in asserted] + [(t, True) for t in dict.fromkeys(inferred)]

    def properties(self, inferred: bool) -> list[tuple[URIRef, list[Node]]]:
        """(predicate, values) in predicate order; the inferred ones leave out what is asserted."""
        asserted = {(s.predicate, s.value) for s in self.statements if not s.inferred}
        grouped: dict[URIRef, list[Node]] = {}
        for s in self.statements:
            if s.predicate == RDF.type or s.inferred != inferred:
                continue
            if inferred and (s.predicate, s.value) in asserted:
                continue
            values = grouped.setdefault(s.predicate, [])
            if s.value not in values:
                values.append(s.value)
        return sorted(grouped.items(), key=lambda item: str(item[0]))

    def graph(self) -> Graph:
        """The RDF document: the asserted triples with the resource as subject or object."""
        graph = Graph()
        bind_project_prefixes(graph)
        for s in self.statements:
            if not s.inferred:
                graph.add((self.iri, s.predicate, s.value))
        for subject, predicate in self.inverse:
            graph.add((subject, predicate, self.iri))
        return graph


def describe(engine: QueryEngine, iri: str) -> Description | None:
    """The description of `iri`, None when no triple of the store mentions it."""
    resource = URIRef(iri)
    bindings = {"resource": resource}
    statements = tuple(
        Statement(row[0], row[1], row[2] == ENTAILMENTS_GRAPH)
        for row in engine.select(_OUTGOING, bindings).rows
        if isinstance(row[0], URIRef) and row[1] is not None
    )
    inverse = tuple(
        (row[0], row[1])
        for row in engine.select(_INCOMING, bindings).rows
        if row[0] is not None and isinstance(row[1], URIRef)
    )
    if not statements and not inverse:
        return None
    sources = tuple(row[0] for row in engine.select(_SOURCES, bindings).rows if row[0] is not None)
    related: list[Node] = [resource, *sources]
    for s in statements:
        related += [s.predicate, s.value]
    for subject, predicate in inverse:
        related += [subject, predicate]
    return Description(resource, statements, inverse, sources, labels(engine, related))


def replacement(engine: QueryEngine, iri: str) -> str | None:
    """The IRI that replaced `iri` when `iri` is a former one (coopgraph.query.replaced)."""
    return former_iris(engine).get(iri)


def labels(engine: QueryEngine, terms: Iterable[Node]) -> dict[Node, str]:
    """A label for each IRI of `terms` that has one (rdfs:label, then skos:prefLabel, then
    dcterms:title; English or untagged first)."""
    iris: list[str] = []
    for term in dict.fromkeys(terms):
        if isinstance(term, URIRef):
            try:
                iris.append(sparql_term(term))
            except QueryError:
                continue  # not writable as SPARQL: shown by its IRI
    if not iris:
        return {}
    best: dict[Node, tuple[tuple[int, int], str]] = {}
    for subject, label, rank in engine.select(_LABELS % " ".join(iris)).rows:
        if subject is None or not isinstance(label, Literal):
            continue
        english = 0 if label.language in (None, "en") else 1
        key = (english, int(str(rank)) if rank is not None else 9)
        if subject not in best or key < best[subject][0]:
            best[subject] = (key, str(label))
    return {term: text for term, (_, text) in best.items()}


def _local_name(iri: str) -> str:
    for separator in ("#", "/"):
        if separator in iri.rstrip("/"):
            return iri.rstrip("/").rsplit(separator, 1)[-1] or iri
    return iri


def display_terms(values: Sequence[Node]) -> list[Node]:
    """`values` in a stable order for display: IRIs by text, then literals."""
    return sorted(values, key=lambda v: (not isinstance(v, URIRef), str(v)))
