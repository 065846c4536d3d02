"""The W3C SPARQL 1.1 Protocol and Graph Store HTTP Protocol test suites against a real `coopgraph
serve --update` on a free loopback port.

The manifests are read from tests/standards/w3c-sparql11/ (copied unchanged from w3c/rdf-tests,
see tests/standards/README.md). Each test's `ut:graphData` is loaded first (a Graph Store PUT of
the data file into the graph its label names) after the store is emptied with `DROP ALL`, so
every test starts from the same state. Each request of a test is sent as the manifest writes it
(method, path with /sparql/ -> /sparql and /gsp -> /store, headers, body in its character
encoding) and the answer checked: status, result format, boolean, and for the Graph Store tests
the response's Content-Type and its graph (isomorphic to the expected one). The tally is printed
at the end.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic
from rdflib.namespace import RDFS
from rdflib.term import Node

from tests.servers import LOOPBACK, free_port, running

from ..conftest import STANDARDS

pytestmark = pytest.mark.slow

SUITES = STANDARDS / "w3c-sparql11"
PROTOCOL = SUITES / "protocol" / "manifest.ttl"
GRAPH_STORE = (
    SUITES / "graph-store-protocol" / "manifest-direct.ttl",
    SUITES / "graph-store-protocol" / "manifest-indirect.ttl",
)
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
TOKEN = "w3c-protocol-tests"
# The protocol tests write without saying how they are authorised: every request carries the
# server's token (a request's own Authorization header, if any, is kept).
WRITER = {"Authorization": f"Bearer {TOKEN}"}
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
STATUS_NAMES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"},
}

# --- Reading the manifests -------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    encoding: str
    statuses: tuple[str, ...]
    boolean: bool | None
    result_format: str | None
    location_variable: str | None
    content_type: str | None
    expected_body: str | None


@dataclass(frozen=True)
class ManifestTest:
    name: str
    graph_data: tuple[tuple[Path, str], ...]
    exchanges: tuple[Exchange, ...]


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    return next(iter(graph.objects(subject, predicate)), None)


def _headers(graph: Graph, node: Node) -> tuple[tuple[str, str], ...]:
    listed = _one(graph, node, HT.headers)
    if listed is None:
        return ()
    return tuple(
        (str(_one(graph, header, HT.fieldName)), str(_one(graph, header, HT.fieldValue)))
        for header in Collection(graph, listed)
    )


def _exchange(graph: Graph, request: Node) -> Exchange:
    body = _one(graph, request, HT.body)
    response = _one(graph, request, HT.resp)
    assert response is not None
    expected_body = _one(graph, response, HT.body)
    boolean = _one(graph, response, MF.expectedBoolean)
    location = _one(graph, response, MF.expectedLocation)
    response_type = dict(_headers(graph, response)).get("content-type")
    fmt = _one(graph, response, MF.expectedFormat)
    return Exchange(
        method=str(_one(graph, request, HT.methodName)),
        path=str(_one(graph, request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=None if body is None else str(_one(graph, body, CNT.chars)),
        encoding="utf-8" if body is None else str(_one(graph, body, CNT.characterEncoding)),
        statuses=tuple(str(s) for s in graph.objects(response, MF.expectedStatus)),
        boolean=None if boolean is None else bool(boolean.toPython()),  # type: ignore[attr-defined]
        result_format=None if fmt is None else str(fmt),
        location_variable=None if location is None else str(location),
        content_type=response_type,
        expected_body=None if expected_body is None else str(_one(graph, expected_body, CNT.chars)),
    )


def read_manifest(path: Path) -> list[ManifestTest]:
    graph = Graph()
    graph.parse(path, format="turtle")
    manifest = next(iter(graph.subjects(MF.entries, None)))
    entries = _one(graph, manifest, MF.entries)
    assert entries is not None
    tests = []
    for entry in Collection(graph, entries):
        name = str(entry).rsplit("#", 1)[-1]
        data = tuple(
            (path.parent / str(_one(graph, item, UT.graph)).rsplit("/", 1)[-1], str(label))
            for item in graph.objects(entry, UT.graphData)
            if (label := _one(graph, item, RDFS.label)) is not None
        )
        action = _one(graph, entry, MF.action)
        requests = _one(graph, action, HT.requests) if action is not None else None
        assert requests is not None, name
        exchanges = tuple(_exchange(graph, request) for request in Collection(graph, requests))
        tests.append(ManifestTest(name, data, exchanges))
    return tests


PROTOCOL_TESTS = read_manifest(PROTOCOL)
GRAPH_STORE_TESTS = [test for path in GRAPH_STORE for test in read_manifest(path)]


# --- The server and the client ---------------------------------------------------------------


@dataclass
class Tally:
    passed: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, list[str]] = field(default_factory=dict)

    def record(self, suite: str, name: str, ok: bool) -> None:
        (self.passed if ok else self.failed).setdefault(suite, []).append(name)


@dataclass
class Server:
    port: int
    tally: Tally

    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={**WRITER, **headers})
            response = connection.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def reset(self) -> None:
        status, _, body = self.send(
            "POST", "/sparql", {"Content-Type": "application/sparql-update"}, b"DROP ALL"
        )
        assert status == 204, body

    def load(self, data: Path, graph: str) -> None:
        path = "/store?graph=" + urllib.parse.quote(graph, safe="")
        headers = {"Content-Type": "application/n-triples"}
        status, _, body = self.send("PUT", path, headers, data.read_bytes())
        assert status in (201, 204), body


@pytest.fixture(scope="module")
def server(
    store_cache: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Server]:
    command = Path(sys.executable).with_name("coopgraph")
    port = free_port()
    log = tmp_path_factory.mktemp("serve-w3c") / "serve.log"
    tally = Tally()
    with running(
        [
            str(command),
            "serve",
            "--update",
            "--token",
            TOKEN,
            "--host",
            LOOPBACK,
            "--port",
            str(port),
        ],
        f"http://{LOOPBACK}:{port}/sparql",
        log,
        seconds=180,
        env={"COOPGRAPH_CACHE_DIR": str(store_cache)},
    ):
        yield Server(port, tally)
    lines = []
    for suite, total in (
        ("protocol", len(PROTOCOL_TESTS)),
        ("graph store", len(GRAPH_STORE_TESTS)),
    ):
        passed = len(tally.passed.get(suite, []))
        failed = tally.failed.get(suite, [])
        line = f"W3C SPARQL 1.1 {suite} tests: {passed} of {total} passed"
        lines.append(line + (" (failed: " + ", ".join(failed) + ")" if failed else ""))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print("\n" + "\n".join(lines))


def _status_ok(status: int, expected: tuple[str, ...]) -> bool:
    for value in expected:
        name = value.removeprefix(HTS)
        if name.startswith("StatusCode") and name.endswith("xx"):
            if status // 100 == int(name[len("StatusCode")]):
                return True
        elif STATUS_NAMES.get(name) == status:
            return True
    return False


def _boolean(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        value = json.loads(body)["boolean"]
        assert isinstance(value, bool)
        return value
    root = ET.fromstring(body)
    element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None and element.text is not None
    return element.text.strip() == "true"


def _run(server: Server, test: ManifestTest) -> list[str]:
    """Run `test`; the problems found (none: it passed)."""
    server.reset()
    for data, graph in test.graph_data:
        server.load(data, graph)
    problems: list[str] = []
    variables: dict[str, str] = {}
    for number, exchange in enumerate(test.exchanges, start=1):
        path = exchange.path
        body_text = exchange.body
        for variable, value in variables.items():
            path = path.replace(variable, value)
            body_text = body_text.replace(variable, value) if body_text is not None else None
        if path.startswith("/sparql/"):
            path = "/sparql" + path[len("/sparql/") :]
        elif path.startswith("/gsp"):
            path = "/store" + path[len("/gsp") :]
        body = None if body_text is None else body_text.encode(exchange.encoding.lower())
        headers = dict(exchange.headers)
        status, response_headers, answer = server.send(exchange.method, path, headers, body)
        where = f"request {number} ({exchange.method} {path})"
        if not _status_ok(status, exchange.statuses):
            problems.append(f"{where}: status {status}, expected {exchange.statuses}: {answer!r}")
            continue
        content_type = response_headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if exchange.result_format and media_type not in FORMATS[exchange.result_format]:
            problems.append(f"{where}: {content_type} is no {exchange.result_format} format")
        if exchange.boolean is not None and _boolean(media_type, answer) != exchange.boolean:
            problems.append(f"{where}: the answer is not {exchange.boolean}")
        if exchange.content_type and content_type.replace(" ", "").lower() != (
            exchange.content_type.replace(" ", "").lower()
        ):
            problems.append(f"{where}: Content-Type {content_type}, not {exchange.content_type}")
        if exchange.expected_body is not None and exchange.method != "HEAD":
            expected, got = Graph(), Graph()
            expected.parse(data=exchange.expected_body, format="turtle")
            got.parse(data=answer.decode("utf-8"), format="turtle")
            if not isomorphic(expected, got):
                _, missing, extra = graph_diff(expected, got)
                problems.append(
                    f"{where}: another graph; missing {missing.serialize(format='nt')!r}, "
                    f"extra {extra.serialize(format='nt')!r}"
                )
        if exchange.location_variable:
            location = response_headers.get("location")
            if not location:
                problems.append(f"{where}: no Location header")
            else:
                variables[exchange.location_variable] = location
    return problems


def _check(server: Server, suite: str, test: ManifestTest) -> None:
    problems = _run(server, test)
    server.tally.record(suite, test.name, not problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=lambda t: t.name)
def test_protocol(server: Server, test: ManifestTest) -> None:
    _check(server, "protocol", test)


@pytest.mark.parametrize("test", GRAPH_STORE_TESTS, ids=lambda t: t.name)
def test_graph_store(server: Server, test: ManifestTest) -> None:
    _check(server, "graph store", test)


def test_the_suites_are_the_expected_size() -> None:
    assert len(PROTOCOL_TESTS) == 34
    assert len(GRAPH_STORE_TESTS) == 13


def test_the_service_description_names_the_endpoint(server: Server) -> None:
    """The W3C service description tests: GET on the endpoint returns RDF with a matching
    sd:endpoint triple."""
    status, headers, body = server.send("GET", "/sparql", {"Accept": "text/turtle"}, None)
    assert status == 200
    assert headers["content-type"].startswith("text/turtle")
    graph = Graph()
    graph.parse(data=body.decode("utf-8"), format="turtle")
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = URIRef(f"http://{LOOPBACK}:{server.port}/sparql")
    assert (None, sd.endpoint, endpoint) in graph
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) in graph
