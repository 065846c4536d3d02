"""Unmodified SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) against `coopgraph serve`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from coopgraph.build.engine import open_engine
from coopgraph.model.inputs import Inputs
from coopgraph.query.catalog import load_catalog, run_stored_query
from coopgraph.query.engine import with_values
from coopgraph.query.results import ResultTable
from tests.servers import coopgraph_serve

pytestmark = pytest.mark.slow

CG = "https://w3id.org/coopgraph/def/"
STATE = "https://w3id.org/coopgraph/id/state/"
PAIRS = """
PREFIX cg: <https://w3id.org/coopgraph/def/>
PREFIX inst: <https://w3id.org/coopgraph/id/instrument/>
SELECT ?a ?b WHERE {
  inst:see-police-cooperation-convention-2006 cg:hasParty ?a , ?b .
  FILTER(STR(?a) < STR(?b))
}
"""


@pytest.fixture(scope="module")
def endpoint(store_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with coopgraph_serve(store_cache, log) as base:
        yield base + "/sparql"


def test_sparqlwrapper_select_json(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(PAIRS)
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert isinstance(answer, dict)
    pairs = {(b["a"]["value"], b["b"]["value"]) for b in answer["results"]["bindings"]}
    assert len(pairs) == 21  # seven bound States: Serbia and Montenegro only signed
    assert (STATE + "ALB", STATE + "SRB") in pairs


def test_sparqlwrapper_construct_turtle(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(
        "CONSTRUCT { ?s a <https://w3id.org/coopgraph/def/FormerState> } "
        "WHERE { ?s a <https://w3id.org/coopgraph/def/FormerState> }"
    )
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    assert isinstance(data, bytes | str)
    graph = Graph().parse(data=data, format="turtle")
    assert set(graph.subjects()) == {URIRef(STATE + "SCG")}


def test_rdflib_sparqlstore_reads_the_graph(endpoint: str, store_cache: Path) -> None:
    remote = Graph(store=SPARQLStore(endpoint))
    rows = {(str(r[0]), str(r[1])) for r in remote.query(PAIRS)}  # type: ignore[index]
    assert len(rows) == 21
    assert (URIRef(STATE + "SCG"), URIRef(CG + "successorState"), URIRef(STATE + "SRB")) in remote
    local = open_engine(Inputs.bundled(), store_cache)
    stored = load_catalog().get("cooperation-partners")
    expected = run_stored_query(stored, {"state": "Mali"}, local)
    # SPARQLStore would append initBindings after GROUP BY, where they join the groups, not
    # the pattern; the stored query is sent with its VALUES block instead, as --endpoint does.
    answered = remote.query(with_values(stored.text, {"state": URIRef(STATE + "MLI")}))
    table = ResultTable(
        tuple(str(v) for v in answered.vars or ()),
        tuple(tuple(row) for row in answered),  # type: ignore[arg-type]
        stored.list_columns,
    )
    assert table.as_set() == expected.as_set()
