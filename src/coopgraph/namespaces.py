"""The namespaces coopgraph's ontology, data and shapes use, and their usual prefixes."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef

CG = Namespace("https://w3id.org/coopgraph/def/")
ID = "https://w3id.org/coopgraph/id/"
STATE = Namespace(ID + "state/")
ORGANISATION = Namespace(ID + "organisation/")
INSTRUMENT = Namespace(ID + "instrument/")
SCHEME = Namespace(ID + "scheme/")
ORG = Namespace("http://www.w3.org/ns/org#")

MODALITY_SCHEME = URIRef(SCHEME["modalities"])

PROJECT_PREFIXES = {
    "cg": CG,
    "state": STATE,
    "organisation": ORGANISATION,
    "inst": INSTRUMENT,
    "scheme": SCHEME,
    "org": ORG,
}


def bind_project_prefixes(graph: Graph) -> None:
    """Bind the project's prefixes, so that terms print as `cg:Instrument`, `state:FRA`."""
    for prefix, namespace in PROJECT_PREFIXES.items():
        graph.bind(prefix, namespace, override=False)
