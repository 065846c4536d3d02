"""Former IRIs: resources kept only to lead to the one that replaced them.

Public API:
    former_iris(engine)   {former IRI: current IRI} for each untyped resource with exactly one
                          dcterms:isReplacedBy (a typed resource that names a successor is still
                          a resource of its own, and is not in the map)

The server answers a former IRI with a permanent redirect, the report site writes a page that
sends the reader on, and the stored queries' parameters accept a former IRI or slug.
"""

from __future__ import annotations

from rdflib import URIRef

from coopgraph.query.engine import QueryEngine

_FORMER = """PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?former ?current WHERE {
  ?former dcterms:isReplacedBy ?current .
  FILTER NOT EXISTS { ?former a ?type }
} ORDER BY ?former ?current"""


def former_iris(engine: QueryEngine) -> dict[str, str]:
    successors: dict[str, set[str]] = {}
    for former, current in engine.select(_FORMER).rows:
        if isinstance(former, URIRef) and isinstance(current, URIRef):
            successors.setdefault(str(former), set()).add(str(current))
    return {former: next(iter(found)) for former, found in successors.items() if len(found) == 1}
