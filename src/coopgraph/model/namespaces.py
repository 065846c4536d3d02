"""The namespaces coopgraph's ontology, data and shapes use, and their usual prefixes.

The same prefixes are written in the data files, predeclared for `coopgraph sparql`, and
used to shorten IRIs in tables, so a term reads the same everywhere (`state:MLI`).
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/coopgraph/"
CG = Namespace(BASE + "def/")
ID = BASE + "id/"
STATE = Namespace(ID + "state/")
ORGANISATION = Namespace(ID + "organisation/")
INSTRUMENT = Namespace(ID + "instrument/")
PARTICIPATION = Namespace(ID + "participation/")
PROVISION = Namespace(ID + "provision/")
MODALITY = Namespace(ID + "modality/")
ROLE = Namespace(ID + "role/")
SCOPE = Namespace(ID + "scope/")
SCHEME = Namespace(ID + "scheme/")
SOURCE = Namespace(ID + "source/")
EVENT = Namespace(ID + "event/")
MEMBERSHIP = Namespace(ID + "membership/")
STATE_NAME = Namespace(ID + "state-name/")
REGION = Namespace(ID + "region/")
OUTCOME = Namespace(ID + "outcome/")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
TIME = Namespace("http://www.w3.org/2006/time#")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")

MODALITY_SCHEME = URIRef(SCHEME["modalities"])

# The store's named graphs: the ontology, the data and the OWL 2 RL entailments.
GRAPH_BASE = BASE + "graph/"
ONTOLOGY_GRAPH = URIRef(GRAPH_BASE + "ontology")
DATA_GRAPH = URIRef(GRAPH_BASE + "data")
ENTAILMENTS_GRAPH = URIRef(GRAPH_BASE + "entailments")

PROJECT_PREFIXES: dict[str, Namespace] = {
    "cg": CG,
    "state": STATE,
    "orgn": ORGANISATION,
    "inst": INSTRUMENT,
    "part": PARTICIPATION,
    "art": PROVISION,
    "modality": MODALITY,
    "role": ROLE,
    "scope": SCOPE,
    "scheme": SCHEME,
    "src": SOURCE,
    "event": EVENT,
    "mship": MEMBERSHIP,
    "name": STATE_NAME,
    "region": REGION,
    "outcome": OUTCOME,
}

STANDARD_PREFIXES: dict[str, Namespace] = {
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "foaf": Namespace(str(FOAF)),
    "org": ORG,
    "time": TIME,
    "eli": ELI,
    "wd": WIKIDATA,
}

ALL_PREFIXES: dict[str, Namespace] = {**STANDARD_PREFIXES, **PROJECT_PREFIXES}


def bind_project_prefixes(graph: Graph) -> None:
    """Bind every prefix of ALL_PREFIXES, so that terms print as `cg:Instrument`, `state:MLI`."""
    for prefix, namespace in ALL_PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)


def sparql_prologue() -> str:
    """PREFIX declarations for every prefix of ALL_PREFIXES."""
    declarations = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in ALL_PREFIXES.items())
    return declarations + "# end of coopgraph prefixes\n"


def compact(iri: URIRef) -> str:
    """`iri` as prefix:local when a project prefix fits and the local part is simple."""
    text = str(iri)
    best = ""
    best_prefix = ""
    for prefix, namespace in ALL_PREFIXES.items():
        if text.startswith(str(namespace)) and len(str(namespace)) > len(best):
            best, best_prefix = str(namespace), prefix
    local = text[len(best) :]
    if best and local and all(ch.isalnum() or ch in "-_." for ch in local) and local[-1] != ".":
        return f"{best_prefix}:{local}"
    return f"<{text}>"
