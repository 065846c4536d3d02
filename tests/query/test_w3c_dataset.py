"""The W3C SPARQL dataset tests (FROM, FROM NAMED, GRAPH; tests/standards/w3c-sparql11/dataset,
copied from w3c/rdf-tests `sparql/sparql10/dataset/`) on the embedded engine and on the server.

Each `data-g*.ttl` is loaded into a named graph whose IRI is the file's name against the
query's base, so that the queries' relative `FROM <data-g1.ttl>` name it; each query of the
manifest runs, and its solutions, written as an `rs:ResultSet` graph, must be isomorphic to
the expected `.ttl` result set (so blank nodes match as blank nodes). The tally is printed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF
from rdflib.term import Node
from starlette.testclient import TestClient

from coopgraph.query.engine import OxigraphEngine
from coopgraph.web.app import ServeConfig, create_app

from ..conftest import STANDARDS

SUITE = STANDARDS / "w3c-sparql11" / "dataset"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
EMBEDDED_BASE = "http://example.org/w3c/dataset/"
SERVER = "http://testserver"
TALLY: dict[str, list[bool]] = {"embedded": [], "server": []}


@dataclass(frozen=True)
class DatasetTest:
    name: str
    query: Path
    result: Path


def read_manifest() -> list[DatasetTest]:
    manifest = Graph().parse(SUITE / "manifest.ttl", publicID=SUITE.as_uri() + "/manifest.ttl")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    entries = Collection(manifest, manifest.value(root, MF.entries))  # type: ignore[arg-type]
    tests = []
    for entry in entries:
        action = manifest.value(entry, MF.action)
        query = manifest.value(action, QT.query)
        result = manifest.value(entry, MF.result)
        name = manifest.value(entry, MF.name)
        tests.append(DatasetTest(str(name), _local(str(query)), _local(str(result))))
    return tests


def _local(iri: str) -> Path:
    return SUITE / iri.rsplit("/", 1)[1]


TESTS = read_manifest()
DATA = sorted(SUITE.glob("data-g*.ttl"))


def result_set(variables: Sequence[str], rows: Sequence[Mapping[str, Node]]) -> Graph:
    """Solutions as the DAWG result-set vocabulary the expected files use."""
    graph = Graph()
    root = BNode()
    graph.add((root, RDF.type, RS.ResultSet))
    for variable in variables:
        graph.add((root, RS.resultVariable, Literal(variable)))
    for row in rows:
        solution = BNode()
        graph.add((root, RS.solution, solution))
        for variable, value in row.items():
            binding = BNode()
            graph.add((solution, RS.binding, binding))
            graph.add((binding, RS.variable, Literal(variable)))
            graph.add((binding, RS.value, value))
    return graph


def expected_result_set(path: Path, base: str) -> Graph:
    """The expected solutions; their relative IRIs (graph names) against `base`, as the
    queries' relative FROM IRIs are."""
    graph = Graph().parse(path, format="turtle", publicID=base + path.name)
    graph.remove((None, RS["index"], None))  # no test here orders its solutions
    return graph


def _same(expected: Graph, actual: Graph) -> tuple[bool, str]:
    if isomorphic(expected, actual):
        return True, ""
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    return False, (
        f"missing:\n{only_expected.serialize(format='nt')}\n"
        f"unexpected:\n{only_actual.serialize(format='nt')}"
    )


@pytest.fixture(scope="module", autouse=True)
def tally() -> Iterator[None]:
    yield
    for where, outcomes in TALLY.items():
        print(f"\nW3C SPARQL dataset tests, {where}: {sum(outcomes)} of {len(outcomes)} pass")


# --- The embedded engine ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine() -> OxigraphEngine:
    store = ox.Store()
    for path in DATA:
        iri = EMBEDDED_BASE + path.name
        store.load(path=path, format=ox.RdfFormat.TURTLE, base_iri=iri, to_graph=ox.NamedNode(iri))
    return OxigraphEngine(store)


@pytest.mark.parametrize("test", TESTS, ids=[test.name for test in TESTS])
def test_on_the_embedded_engine(engine: OxigraphEngine, test: DatasetTest) -> None:
    text = f"BASE <{EMBEDDED_BASE}>\n" + test.query.read_text(encoding="utf-8")
    table = engine.run(text).table
    assert table is not None
    rows = [
        {name: value for name, value in zip(table.variables, row, strict=True) if value is not None}
        for row in table.rows
    ]
    expected = expected_result_set(test.result, EMBEDDED_BASE)
    same, difference = _same(expected, result_set(table.variables, rows))
    TALLY["embedded"].append(same)
    assert same, difference


# --- The server ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(store_cache: Path) -> Iterator[TestClient]:
    config = ServeConfig(
        max_concurrent=1,
        timeout=20,
        update=True,
        cache_dir=store_cache,
        token="w3c-dataset-tests",
        allowed_hosts=("testserver",),
    )
    writer = {"Authorization": "Bearer w3c-dataset-tests"}
    with TestClient(create_app(config), base_url=SERVER, headers=writer) as client:
        for path in DATA:
            response = client.put(
                "/store",
                params={"graph": f"{SERVER}/{path.name}"},
                content=path.read_bytes(),
                headers={"Content-Type": "text/turtle"},
            )
            assert response.status_code in (201, 204), response.text
        yield client


def _term(value: Mapping[str, Any]) -> Node:
    if value["type"] == "uri":
        return URIRef(value["value"])
    if value["type"] == "bnode":
        return BNode(value["value"])
    return Literal(value["value"], lang=value.get("xml:lang"), datatype=value.get("datatype"))


def _ask(server: TestClient, query: str, **dataset: list[str]) -> tuple[list[str], list[dict]]:  # type: ignore[type-arg]
    response = server.get(
        "/sparql",
        params={"query": query, **dataset},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    return answer["head"]["vars"], answer["results"]["bindings"]


@pytest.mark.parametrize("test", TESTS, ids=[test.name for test in TESTS])
def test_on_the_server(server: TestClient, test: DatasetTest) -> None:
    variables, bindings = _ask(server, test.query.read_text(encoding="utf-8"))
    rows = [{name: _term(value) for name, value in binding.items()} for binding in bindings]
    expected = expected_result_set(test.result, SERVER + "/")
    same, difference = _same(expected, result_set(variables, rows))
    TALLY["server"].append(same)
    assert same, difference


def test_the_protocol_dataset_takes_precedence_over_from(server: TestClient) -> None:
    """SPARQL 1.1 Protocol 2.1.4: default-graph-uri / named-graph-uri replace the query's
    FROM / FROM NAMED."""
    query = "SELECT ?p ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    with_from = query.replace("WHERE", "FROM <data-g1.ttl> FROM NAMED <data-g2.ttl> WHERE")
    _, by_query = _ask(server, with_from)
    _, by_protocol = _ask(server, with_from, **{"default-graph-uri": [f"{SERVER}/data-g2.ttl"]})

    def default_predicates(bindings: list[dict]) -> set[str]:  # type: ignore[type-arg]
        return {binding["p"]["value"] for binding in bindings if "g" not in binding}

    assert default_predicates(by_query) == {"http://example/p"}  # data-g1 (and g2 named)
    assert [binding for binding in by_query if "g" in binding]
    assert default_predicates(by_protocol) == {"http://example/q"}  # data-g2 is the default
    assert not [binding for binding in by_protocol if "g" in binding]  # and no named graph


def test_the_union_default_graph_stays_without_a_dataset_clause(server: TestClient) -> None:
    _, bindings = _ask(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(bindings[0]["n"]["value"]) > 1000  # the bundled data and the loaded graphs
    _, nothing = _ask(server, "SELECT (COUNT(*) AS ?n) FROM <urn:nothing> WHERE { ?s ?p ?o }")
    assert int(nothing[0]["n"]["value"]) == 0


def test_the_suite_has_its_twelve_tests() -> None:
    assert len(TESTS) == 12
