"""The ontology for the explorer: its documentation page (publish/ontodoc.py, as `publish`
writes `ontology.html`) and the terms the SPARQL editor completes.

Both read the bundled ontology files (`coopgraph.model.resources.ontology_files`), which do
not change while a server runs; the concepts come from the graph.
"""

from __future__ import annotations

import functools

from rdflib import Graph as RdfGraph
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from coopgraph import __version__
from coopgraph.model import resources
from coopgraph.model.namespaces import BASE, CG, compact
from coopgraph.publish.ontodoc import ontology_page as documentation_page
from coopgraph.query.engine import QueryEngine


def ontology_graph() -> RdfGraph:
    """The bundled ontology, parsed."""
    graph = RdfGraph()
    for path in resources.ontology_files():
        graph.parse(path)
    return graph


def ontology_page() -> str:
    """The ontology's documentation page, as HTML."""
    return documentation_page(ontology_graph(), f"coopgraph {__version__}")


@functools.cache
def ontology_terms() -> frozenset[URIRef]:
    """The terms of the project's namespace the ontology describes."""
    graph = ontology_graph()
    return frozenset(s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(str(CG)))


_CONCEPTS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?label ?scheme WHERE {
  ?term a skos:Concept ; skos:prefLabel ?label .
  OPTIONAL { ?term skos:inScheme ?scheme }
}"""


def vocabulary(engine: QueryEngine) -> dict[str, object]:
    """The terms the editor completes: the ontology's classes and properties (as prefixed
    names) and the graph's concepts (as IRIs of the namespace, written `<...>`)."""
    graph = ontology_graph()
    terms: dict[str, dict[str, str]] = {}
    kinds = (
        (OWL.Class, "class"),
        (RDFS.Class, "class"),
        (OWL.ObjectProperty, "property"),
        (OWL.DatatypeProperty, "property"),
        (OWL.AnnotationProperty, "property"),
        (RDF.Property, "property"),
    )
    for rdf_type, kind in kinds:
        for subject in graph.subjects(RDF.type, rdf_type):
            if not isinstance(subject, URIRef) or not subject.startswith(str(CG)):
                continue
            label = graph.value(subject, RDFS.label) or graph.value(subject, SKOS.prefLabel)
            name = compact(subject)
            terms.setdefault(
                name, {"name": name, "iri": str(subject), "kind": kind, "label": str(label or "")}
            )
    for row in engine.select(_CONCEPTS).as_dicts():
        iri = row.get("term")
        label = row.get("label")
        if not isinstance(iri, URIRef) or not iri.startswith(BASE):
            continue
        if isinstance(label, Literal) and label.language not in (None, "en"):
            continue
        name = compact(iri)
        if name == str(iri):
            name = f"<{iri}>"
        terms.setdefault(
            name, {"name": name, "iri": str(iri), "kind": "concept", "label": str(label or "")}
        )
    ordered = sorted(terms.values(), key=lambda t: (t["kind"], t["name"]))
    return {"base": BASE, "terms": ordered}
