"""Remote stores: `coopgraph push` and `--endpoint` against a real Oxigraph server.

The server is the `oxigraph` command from PyPI (a dev extra), started on a free loopback
port for this module and always stopped. Every stored query runs on it with its example
arguments and must give the same rows as on the embedded store.
"""

from __future__ import annotations

import shutil
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from coopgraph.build.engine import open_engine
from coopgraph.cli import main
from coopgraph.errors import CoopgraphError, QueryError
from coopgraph.model.namespaces import STATE
from coopgraph.query.catalog import load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine
from coopgraph.query.export import graph_dataset, merged_graph
from coopgraph.query.remote import (
    EndpointAnswerError,
    EndpointHTTPError,
    EndpointTimeout,
    EndpointUnreachable,
    RemoteEngine,
    graph_store_url,
    parse_answer,
)
from tests.servers import LOOPBACK, announce, free_port, running

pytestmark = pytest.mark.slow

CATALOG = load_catalog()
NAMED_GRAPH = "https://example.org/graph/coopgraph-asserted"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def oxigraph_command() -> str:
    beside_python = Path(sys.executable).with_name("oxigraph")
    found = str(beside_python) if beside_python.is_file() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the oxigraph server is not installed: pip install -e '.[dev]'")
    return found


@dataclass(frozen=True)
class Server:
    base: str
    cache: Path
    pushed_triples: int

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def store(self) -> str:
        return self.base + "/store"


@pytest.fixture(scope="module")
def server(
    store_cache: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """An Oxigraph server holding the graph with its entailments in the default graph, and
    the asserted triples alone in NAMED_GRAPH."""
    folder = tmp_path_factory.mktemp("oxigraph-server")
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    command = [oxigraph_command(), "serve", "--location", str(folder / "db")]
    command += ["--bind", f"{LOOPBACK}:{port}"]
    with running(command, base + "/", folder / "server.log"):
        code, out, err = run("push", "--store", base + "/store", "--cache-dir", str(store_cache))
        assert code == 0, err
        sent = int(out.split()[1])
        code, _, err = run(
            "push", "--store", base + "/store", "--graph", NAMED_GRAPH, "--no-inferred",
            "--cache-dir", str(store_cache),
        )  # fmt: skip
        assert code == 0, err
        announce(request, f"\nremote store: Oxigraph server at {base} ({sent} triples pushed)")
        yield Server(base, store_cache, sent)


@pytest.fixture(scope="module")
def local(store_cache: Path) -> OxigraphEngine:
    return open_engine(cache_dir=store_cache)


@pytest.fixture(scope="module")
def remote(server: Server) -> RemoteEngine:
    return RemoteEngine(server.query)


# --- Push -----------------------------------------------------------------------------------


def test_push_sends_the_graph_with_its_entailments(server: Server, local: OxigraphEngine) -> None:
    expected = merged_graph(graph_dataset(local.quads(), include_entailments=True))
    assert server.pushed_triples == len(expected)
    count = RemoteEngine(server.query).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert count.rows == ((Literal(len(expected)),),)


def test_push_to_a_named_graph_queried_through_the_url(
    server: Server, local: OxigraphEngine
) -> None:
    asserted = merged_graph(graph_dataset(local.quads(), include_entailments=False))
    engine = RemoteEngine(f"{server.query}?default-graph-uri={NAMED_GRAPH}")
    assert engine.default_graphs == (NAMED_GRAPH,)
    count = engine.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert count.rows == ((Literal(len(asserted)),),)


def test_push_reports_the_target(server: Server) -> None:
    code, out, _ = run(
        "push", "--store", server.store, "--graph", "urn:example:scratch", "--no-inferred",
        "--cache-dir", str(server.cache),
    )  # fmt: skip
    assert code == 0
    assert out.startswith("sent ")
    assert out.strip().endswith(f"triples to graph <urn:example:scratch> of {server.store}")


def test_push_to_a_wrong_address_names_it(server: Server) -> None:
    code, out, err = run(
        "push", "--store", server.base + "/nowhere", "--cache-dir", str(server.cache)
    )
    assert code == 2
    assert out == ""
    assert f"{server.base}/nowhere?default answered 404" in err
    assert "Oxigraph: /store" in err
    assert len(err.strip().splitlines()) == 1


# --- Every stored query, the same rows remotely -----------------------------------------------


@pytest.mark.parametrize("name", CATALOG.names())
def test_stored_query_gives_the_same_rows_remotely(
    name: str, local: OxigraphEngine, remote: RemoteEngine
) -> None:
    query = CATALOG.get(name)
    arguments = query.example_arguments()
    expected = run_stored_query(query, arguments, local)
    answered = run_stored_query(query, arguments, remote)
    assert answered.variables == expected.variables
    assert answered.as_set() == expected.as_set()
    assert len(answered) == len(expected)
    assert len(expected) > 0, f"{name} gives no rows with its example arguments"


def test_stored_queries_with_their_defaults_give_the_same_rows_remotely(
    local: OxigraphEngine, remote: RemoteEngine
) -> None:
    for query in CATALOG:
        if any(parameter.required for parameter in query.parameters):
            continue
        expected = run_stored_query(query, {}, local)
        assert run_stored_query(query, {}, remote).as_set() == expected.as_set(), query.name


def test_parameters_given_as_labels_codes_and_iris_resolve_remotely(server: Server) -> None:
    command = ["query", "cooperation-partners", "--format", "csv", "--endpoint", server.query]
    outputs = {
        run(*command, "-p", f"state={value}")
        for value in ("Mali", "mali", "MLI", "ML", str(STATE.MLI))
    }
    assert len(outputs) == 1
    code, out, _ = outputs.pop()
    assert code == 0
    assert "Burkina Faso" in out
    local = run("query", "cooperation-partners", "-p", "state=Mali", "--format", "csv")
    assert local == (0, out, "")


def test_an_unknown_label_gets_close_matches_from_the_endpoint(server: Server) -> None:
    code, out, err = run("query", "state-profile", "-p", "state=Mallii", "--endpoint", server.query)
    assert code == 2
    assert out == ""
    assert "no state matches 'Mallii'" in err
    assert "'Mali'" in err


def test_a_bound_value_cannot_become_syntax(remote: RemoteEngine) -> None:
    hostile = Literal('x" } ?s ?p ?o . FILTER(true) } #')
    table = remote.select(
        "SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        {"label": hostile},
    )
    assert len(table) == 0
    with pytest.raises(QueryError, match="not a valid IRI"):
        remote.select("SELECT ?s WHERE { ?s ?p ?o }", {"o": URIRef("x> } #")})


# --- The commands with --endpoint -------------------------------------------------------------


def test_query_command_output_is_the_same_remotely(server: Server) -> None:
    remote_run = run(
        "query", "shared-modality-pairs", "--format", "srj", "--endpoint", server.query
    )
    local_run = run("query", "shared-modality-pairs", "--format", "srj")
    assert remote_run[0] == 0
    assert remote_run == local_run


def test_sparql_command_remotely(server: Server) -> None:
    code, out, _ = run("sparql", "-q", "ASK { state:MLI a cg:State }", "--endpoint", server.query)
    assert (code, out) == (0, "true\n")
    construct = "CONSTRUCT { state:MLI rdfs:label ?l } WHERE { state:MLI rdfs:label ?l }"
    code, out, _ = run("sparql", "-q", construct, "--format", "nt", "--endpoint", server.query)
    assert code == 0
    assert out.strip() == (
        "<https://w3id.org/coopgraph/id/state/MLI> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Mali"@en .'
    )
    assert (code, out, "") == run("sparql", "-q", construct, "--format", "nt")


def test_a_syntax_error_remotely_is_at_the_users_line_and_column(server: Server) -> None:
    code, out, err = run("sparql", "-q", "SELECT ?s\nWHERE { ?s ?p }", "--endpoint", server.query)
    assert code == 2
    assert out == ""
    assert err.startswith("coopgraph: error: -q:2:")
    assert len(err.strip().splitlines()) == 1


def test_report_runs_on_the_endpoint(server: Server, tmp_path: Path) -> None:
    remote_dir, local_dir = tmp_path / "remote", tmp_path / "local"
    remote_code, _, remote_err = run("report", "-o", str(remote_dir), "--endpoint", server.query)
    local_code, _, local_err = run("report", "-o", str(local_dir))
    # The same outcome as on the embedded store (the local run also prints validation first).
    assert remote_code == local_code
    assert local_err.endswith(remote_err)
    if local_code != 0:
        return
    for name in CATALOG.names():
        remote_lines = (remote_dir / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        local_lines = (local_dir / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert remote_lines[0] == local_lines[0], name
        assert sorted(remote_lines) == sorted(local_lines), name


def test_endpoint_and_data_cannot_be_combined(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text("", encoding="utf-8")
    code, _, err = run("query", "timeline", "--data", str(data), "--endpoint", "http://x/q")
    assert code == 2
    assert "--endpoint and --data cannot be used together" in err


# --- Failures: one line naming the address and what to do -------------------------------------


def test_an_unreachable_endpoint_is_one_line_naming_it() -> None:
    url = f"http://{LOOPBACK}:{free_port()}/sparql"
    code, out, err = run("query", "timeline", "--endpoint", url)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"coopgraph: error: cannot reach the SPARQL endpoint {url}: ")
    assert "check the address and that the server is running" in lines[0]
    with pytest.raises(EndpointUnreachable) as caught:
        RemoteEngine(url).select("SELECT * WHERE { ?s ?p ?o }")
    assert caught.value.url == url


def test_an_endpoint_that_does_not_answer_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind((LOOPBACK, 0))
        silent.listen()
        url = f"http://{LOOPBACK}:{silent.getsockname()[1]}/sparql"
        with pytest.raises(EndpointTimeout, match=r"did not answer within 0\.5 s"):
            RemoteEngine(url, timeout=0.5).select("SELECT * WHERE { ?s ?p ?o }")


def test_a_wrong_path_is_an_http_error_with_a_hint(server: Server) -> None:
    with pytest.raises(EndpointHTTPError) as caught:
        RemoteEngine(server.base + "/nowhere").select("SELECT * WHERE { ?s ?p ?o }")
    assert caught.value.status == 404
    assert "Oxigraph: /query" in str(caught.value)


def test_a_web_page_is_not_a_sparql_answer(server: Server) -> None:
    with pytest.raises(EndpointAnswerError, match="not in a SPARQL results or RDF format"):
        parse_answer(b"<html></html>", "text/html", server.base)


def test_an_endpoint_url_must_be_http() -> None:
    with pytest.raises(CoopgraphError, match="is not an http:// or https:// URL"):
        RemoteEngine("localhost:7878/query")


# --- Without a server -----------------------------------------------------------------------


def test_graph_store_addresses() -> None:
    assert graph_store_url("http://h/store", None) == "http://h/store?default"
    assert graph_store_url("http://h/store", "urn:x:g") == "http://h/store?graph=urn%3Ax%3Ag"
    assert graph_store_url("http://h/ds/data?graph=old", None) == "http://h/ds/data?default"
    with pytest.raises(CoopgraphError, match="not an absolute IRI"):
        graph_store_url("http://h/store", "no iri")


def test_json_results_read_as_the_embedded_engine_gives_them() -> None:
    answer = parse_answer(
        b'{"head": {"vars": ["a", "b", "c", "d"]}, "results": {"bindings": [{'
        b'"a": {"type": "literal", "value": "x",'
        b' "datatype": "http://www.w3.org/2001/XMLSchema#string"},'
        b'"b": {"type": "literal", "value": "y", "xml:lang": "fr"},'
        b'"c": {"type": "typed-literal", "value": "2005",'
        b' "datatype": "http://www.w3.org/2001/XMLSchema#gYear"}}]}}',
        "application/sparql-results+json",
    )
    assert answer.table is not None
    assert answer.table.variables == ("a", "b", "c", "d")
    a, b, c, d = answer.table.rows[0]
    assert isinstance(a, Literal) and a == Literal("x") and a.datatype is None
    assert b == Literal("y", lang="fr")
    assert isinstance(c, Literal) and str(c.datatype).endswith("#gYear")
    assert d is None
    assert parse_answer(b'{"head": {}, "boolean": false}', "application/sparql-results+json") == (
        parse_answer(b'{"head": {}, "boolean": false}', "application/json")
    )
