"""What the explorer's pages read from the graph, once per state of the store.

`read_explorer(engine, catalog, generation)` reads, through the `QueryEngine` protocol, what
every page needs: the report folder's `Graph` (labels, instrument facts, States, modalities,
organisations), its four browse lists, the entities of each kind, the search index, the
stored reports that take each entity as their parameter, and the instrument types a report
can be asked about. The server keeps it until the store changes (the pool's generation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal

from coopgraph.query.catalog import Catalog, Parameter, StoredQuery
from coopgraph.query.engine import QueryEngine
from coopgraph.report.listings import Graph, Listing
from coopgraph.report.pages import ReportLink
from coopgraph.report.report_pages import ENTITY_PARAMETERS, asked_title
from coopgraph.report.terms import ENTITY_KINDS

LIST_NAMES = {
    "state": "states",
    "instrument": "instruments",
    "modality": "modalities",
    "organisation": "organisations",
}
KIND_OF_LIST = {name: kind for kind, name in LIST_NAMES.items()}
NAMESPACE_OF_KIND = {kind: namespace for namespace, kind in ENTITY_KINDS.items()}


@dataclass
class Explorer:
    """The graph as the pages read it, for one generation of the store."""

    generation: int
    graph: Graph
    listings: dict[str, Listing]  # by kind
    entities: dict[str, list[tuple[str, str]]]  # kind -> (IRI, label), in list order
    entities_by_label: dict[str, str]
    search_index: list[dict[str, object]]
    report_links: dict[str, list[ReportLink]]
    instrument_types: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label)
    # report -> (its parameter, the namespace of its values), for the reports with a run per entity
    report_parameters: dict[str, tuple[str, str]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # report -> rows of its default run


def read_explorer(engine: QueryEngine, catalog: Catalog, generation: int) -> Explorer:
    """Read what the pages need (blocking: run it in a thread)."""
    graph = Graph.read(engine)
    listings: dict[str, Listing] = {}
    entities: dict[str, list[tuple[str, str]]] = {}
    for listing in graph.listings():
        kind = KIND_OF_LIST[listing.name]
        listings[kind] = listing
        first = listing.columns[0].key
        entities[kind] = [
            (row.cells[first].links[0].iri, row.cells[first].links[0].label) for row in listing.rows
        ]
    seen: dict[str, set[str]] = {}
    for found in entities.values():
        for iri, label in found:
            seen.setdefault(label, set()).add(iri)
    by_label = {label: next(iter(iris)) for label, iris in seen.items() if len(iris) == 1}
    links: dict[str, list[ReportLink]] = {}
    report_parameters: dict[str, tuple[str, str]] = {}
    for query in catalog:
        parameter = entity_parameter(query)
        if parameter is None:
            continue
        kind = ENTITY_PARAMETERS[parameter.kind]
        report_parameters[query.name] = (parameter.name, NAMESPACE_OF_KIND[kind])
        for iri, label in entities.get(kind, []):
            title = asked_title(query, {parameter.name: label})
            links.setdefault(iri, []).append(ReportLink(query.name, parameter.name, title))
    types: dict[str, str] = {}
    for row in engine.select(_INSTRUMENT_TYPES).as_dicts():
        type_label = row.get("label")
        if isinstance(type_label, Literal) and type_label.language in (None, "en"):
            types[str(row["term"])] = str(type_label)
    return Explorer(
        generation,
        graph,
        listings,
        entities,
        by_label,
        graph.search_index(),
        links,
        sorted(types.items(), key=lambda item: item[1].casefold()),
        report_parameters,
    )


# The instrument types a report can be asked about: those the parameter resolver knows
# (coopgraph.query.catalog, kind "instrument-type").
_INSTRUMENT_TYPES = """PREFIX cg: <https://w3id.org/coopgraph/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?term ?label WHERE { ?term rdfs:subClassOf* cg:Instrument ; rdfs:label ?label }"""


def entity_parameter(query: StoredQuery) -> Parameter | None:
    """The parameter naming a State, a modality or an organisation, when it is the query's
    only one: a report that has a run for each such entity."""
    found = [p for p in query.parameters if p.kind in ENTITY_PARAMETERS]
    return found[0] if len(query.parameters) == 1 and found else None
