"""`coopgraph serve` through Starlette's TestClient: the SPARQL protocol, content
negotiation, the policy of a public endpoint, the report pages and the linked-data pages."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from starlette.testclient import TestClient

from coopgraph.build.engine import open_engine
from coopgraph.model.namespaces import DATA_GRAPH, ONTOLOGY_GRAPH, STATE
from coopgraph.query.catalog import load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine
from coopgraph.query.results import render_delimited, render_json
from coopgraph.web.app import ServeConfig, create_app
from tests.web.test_server_errors import assert_error_shape

SD = "http://www.w3.org/ns/sparql-service-description#"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = """PREFIX cg: <https://w3id.org/coopgraph/def/>
CONSTRUCT { ?s ?p ?o } WHERE { ?s a cg:State ; ?p ?o } ORDER BY ?s ?p ?o LIMIT 40"""


LOCAL = "http://127.0.0.1:8000"
TOKEN = "test-token-of-the-writable-server"
WITH_TOKEN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def client(store_cache: Path) -> Iterator[TestClient]:
    """A read-only server, with CORS for one origin and a small row cap."""
    config = ServeConfig(
        max_concurrent=2,
        timeout=10,
        max_rows=200,
        cors=("https://portal.example",),
        cache_dir=store_cache,
    )
    with TestClient(create_app(config), base_url=LOCAL) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def writable(store_cache: Path) -> Iterator[TestClient]:
    """A server with --update."""
    config = ServeConfig(
        max_concurrent=2, timeout=10, update=True, cache_dir=store_cache, token=TOKEN
    )
    with TestClient(create_app(config), base_url=LOCAL, headers=WITH_TOKEN) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def engine(store_cache: Path) -> OxigraphEngine:
    return open_engine(cache_dir=store_cache)


def count(response_json: dict[str, object]) -> int:
    bindings = response_json["results"]["bindings"]  # type: ignore[index]
    return int(bindings[0]["n"]["value"])


# --- The protocol ---------------------------------------------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": COUNT})
    by_form = client.post("/sparql", data={"query": COUNT})
    by_direct = client.post(
        "/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query"}
    )
    for response in (by_get, by_form, by_direct):
        assert response.status_code == 200
        assert response.headers["content-type"] == SRJ
        assert "Accept" in response.headers["vary"]
    assert count(by_get.json()) == count(by_form.json()) == count(by_direct.json()) > 1000


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, SRJ),
        ("application/sparql-results+json", SRJ),
        ("application/json", SRJ),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        # a browser: it prefers application/xml (q=0.9), an alias of SPARQL XML, to */*
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", SRX),
        ("text/html,*/*;q=0.8", SRJ),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_select_results_by_content_negotiation(
    client: TestClient, accept: str | None, media_type: str
) -> None:
    query = (
        "SELECT ?code WHERE { ?s <https://w3id.org/coopgraph/def/iso3166Alpha3> ?code }"
        " ORDER BY ?code LIMIT 3"
    )
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    if media_type == SRJ:
        codes = [b["code"]["value"] for b in response.json()["results"]["bindings"]]
    elif media_type == "text/csv":
        codes = [row[0] for row in csv.reader(io.StringIO(response.text))][1:]
    elif media_type == "text/tab-separated-values":
        codes = [line.strip('"') for line in response.text.splitlines()[1:]]
    else:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        codes = [e.text or "" for e in ET.fromstring(response.content).iter(f"{ns}literal")]
    assert codes == sorted(codes) and len(codes) == 3


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_results_by_content_negotiation(
    client: TestClient, accept: str, fmt: str
) -> None:
    reference = client.get("/sparql", params={"query": CONSTRUCT})
    assert reference.headers["content-type"].startswith("text/turtle")
    expected = Graph().parse(data=reference.text, format="turtle")
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert isomorphic(Graph().parse(data=response.text, format=fmt), expected)
    assert len(expected) == 40


def test_ask_in_json_and_xml(client: TestClient) -> None:
    query = "ASK { ?s ?p ?o }"
    assert client.get("/sparql", params={"query": query}).json() == {"head": {}, "boolean": True}
    xml = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert b"<boolean>true</boolean>" in xml.content


def test_the_protocol_dataset_replaces_the_union_default_graph(client: TestClient) -> None:
    union = count(client.get("/sparql", params={"query": COUNT}).json())
    data = count(
        client.get("/sparql", params={"query": COUNT, "default-graph-uri": str(DATA_GRAPH)}).json()
    )
    both = count(
        client.get(
            "/sparql",
            params={"query": COUNT, "default-graph-uri": [str(DATA_GRAPH), str(ONTOLOGY_GRAPH)]},
        ).json()
    )
    named_only = count(
        client.get("/sparql", params={"query": COUNT, "named-graph-uri": str(DATA_GRAPH)}).json()
    )
    assert 0 < data < both < union
    assert named_only == 0  # named graphs only: the default graph is empty


def test_the_service_description(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    endpoint = URIRef(f"{LOCAL}/sparql")
    assert (endpoint, URIRef(SD + "endpoint"), endpoint) in graph
    languages = set(graph.objects(endpoint, URIRef(SD + "supportedLanguage")))
    assert languages == {URIRef(SD + "SPARQL11Query")}  # read-only: no update
    names = set(graph.objects(None, URIRef(SD + "name")))
    assert DATA_GRAPH in names
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert isomorphic(Graph().parse(data=jsonld.text, format="json-ld"), graph)


def test_a_non_utf8_body_is_refused(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert_error_shape(response, 415)
    response = client.post(
        "/sparql", content=b"ASK {} \xff", headers={"Content-Type": "application/sparql-query"}
    )
    assert_error_shape(response, 400)


def test_a_post_without_media_type_is_refused(client: TestClient) -> None:
    assert_error_shape(client.post("/sparql", content=b"query=ASK%20%7B%7D"), 415)


def test_the_row_cap_refuses_instead_of_truncating(client: TestClient) -> None:
    everything = "SELECT * WHERE { ?s ?p ?o }"
    error = assert_error_shape(client.get("/sparql", params={"query": everything}), 400)
    assert error["type"] == "too-many-rows" and "LIMIT 200" in error["hint"]
    limited = client.get("/sparql", params={"query": everything + " LIMIT 200"})
    assert len(limited.json()["results"]["bindings"]) == 200
    graph = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert_error_shape(graph, 400, "too-many-rows")


def test_cors_only_for_the_origins_named(client: TestClient) -> None:
    allowed = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://portal.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    other = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers


def test_cors_is_off_by_default(writable: TestClient) -> None:
    response = writable.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://portal.example"}
    )
    assert "access-control-allow-origin" not in response.headers


# --- What a public endpoint refuses ------------------------------------------------------------


REFUSED_QUERIES = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?x ?y ?z OPTIONAL { SERVICE SILENT <https://example.org/q> { ?s ?p ?o } } }",
    "SELECT * WHERE { VALUES ?e { <http://example.org/sparql> } SERVICE ?e { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "PREFIX f: <file:///etc/> SELECT * FROM NAMED f:passwd WHERE { GRAPH ?g { ?s ?p ?o } }",
]


@pytest.mark.parametrize("query", REFUSED_QUERIES)
def test_service_and_file_access_are_refused(client: TestClient, query: str) -> None:
    assert_error_shape(client.get("/sparql", params={"query": query}), 403, "forbidden")


def test_service_in_a_string_or_comment_is_no_false_alarm(client: TestClient) -> None:
    query = 'SELECT ("SERVICE <http://x/>" AS ?s) WHERE { # SERVICE <http://y/>\n}'
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_a_file_iri_as_protocol_dataset_is_refused(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK {}", "default-graph-uri": "file:///etc/passwd"}
    )
    assert_error_shape(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("method", "path", "options"),
    [
        ("POST", "/sparql", {"data": {"update": "CLEAR ALL"}}),
        (
            "POST",
            "/sparql",
            {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        ),
        ("GET", "/sparql?update=CLEAR%20ALL", {}),
        (
            "PUT",
            "/store?default",
            {
                "content": "<http://a> <http://b> <http://c> .",
                "headers": {"Content-Type": "text/turtle"},
            },
        ),
        ("DELETE", f"/store?graph={DATA_GRAPH}", {}),
    ],
)
def test_updates_are_refused_without_update(
    client: TestClient, method: str, path: str, options: dict[str, object]
) -> None:
    error = assert_error_shape(client.request(method, path, **options), 403, "forbidden")  # type: ignore[arg-type]
    assert "--update" in error["hint"]
    assert count(client.get("/sparql", params={"query": COUNT}).json()) > 1000


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://example.org/data.ttl>",
        "LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "INSERT { ?s ?p ?o } USING <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "PREFIX f: <file:///etc/> WITH f:passwd INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_load_service_and_file_are_refused_even_with_update(
    writable: TestClient, update: str
) -> None:
    response = writable.post("/sparql", data={"update": update})
    assert_error_shape(response, 403, "forbidden")


def test_updates_and_the_graph_store_with_update(writable: TestClient) -> None:
    graph = "http://example.org/graph/test"
    insert = (
        f'INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/a> <http://example.org/p> "1" }} }}'
    )
    assert writable.post("/sparql", data={"update": insert}).status_code == 204
    ask = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    assert writable.get("/sparql", params={"query": ask}).json()["boolean"] is True
    got = writable.get(
        "/store", params={"graph": graph}, headers={"Accept": "application/n-triples"}
    )
    assert got.status_code == 200 and '"1"' in got.text
    put = writable.put(
        "/store",
        params={"graph": graph},
        content='<http://example.org/b> <http://example.org/p> "2" .',
        headers={"Content-Type": "text/turtle"},
    )
    assert put.status_code == 204
    got = writable.get("/store", params={"graph": graph})
    assert '"2"' in got.text and '"1"' not in got.text
    bad = writable.put(
        "/store", params={"graph": graph}, content="<a> <b", headers={"Content-Type": "text/turtle"}
    )
    assert_error_shape(bad, 400, "bad-rdf")
    assert writable.delete("/store", params={"graph": graph}).status_code == 204
    assert_error_shape(writable.get("/store", params={"graph": graph}), 404)


def test_an_update_never_changes_the_cached_store(writable: TestClient, store_cache: Path) -> None:
    assert writable.post("/sparql", data={"update": "DROP ALL"}).status_code == 204
    assert count(writable.get("/sparql", params={"query": COUNT}).json()) == 0
    cached = open_engine(cache_dir=store_cache)
    assert len(cached.store) > 1000


# --- Reports ----------------------------------------------------------------------------------

CATALOG = load_catalog()


def test_the_catalog_as_html_and_json(client: TestClient) -> None:
    page = client.get("/queries")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for query in CATALOG:
        assert f'href="/queries/{query.name}"' in page.text
    listed = client.get("/queries.json").json()
    assert [entry["name"] for entry in listed] == CATALOG.names()
    assert client.get("/queries", headers={"Accept": "application/json"}).json() == listed


@pytest.mark.parametrize("name", CATALOG.names())
def test_every_report_page_shows_the_rows_of_the_stored_query(
    client: TestClient, engine: OxigraphEngine, name: str
) -> None:
    query = CATALOG.get(name)
    arguments = query.example_arguments()
    expected = run_stored_query(query, arguments, engine)
    page = client.get(f"/queries/{name}", params=arguments)
    assert page.status_code == 200
    assert page.text.count("<tr>") == len(expected) + 1  # a header row, then one per result row
    as_csv = client.get(f"/queries/{name}.csv", params=arguments)
    assert as_csv.text == render_delimited(expected, ",")
    as_json = client.get(f"/queries/{name}.json", params=arguments)
    assert as_json.json() == json.loads(render_json(expected))


def test_a_report_takes_values_as_a_person_types_them(client: TestClient) -> None:
    by_name = client.get("/queries/state-profile.json", params={"state": "Mali"}).json()
    by_code = client.get("/queries/state-profile.json", params={"state": "MLI"}).json()
    assert by_name == by_code and by_name
    page = client.get("/queries/state-profile", params={"state": "mali"})
    assert 'href="/queries/state-profile.csv?state=mali"' in page.text
    assert 'href="/id/state/MLI"' in page.text or "/id/instrument/" in page.text


def test_a_report_with_a_wrong_value_shows_the_form_with_the_problem(client: TestClient) -> None:
    page = client.get("/queries/state-profile", params={"state": "<script>alert(1)</script>"})
    assert page.status_code == 400
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert 'class="cg-error"' in page.text


def test_a_report_without_its_required_parameter_shows_the_form(client: TestClient) -> None:
    page = client.get("/queries/state-profile")
    assert page.status_code == 200
    assert 'name="state"' in page.text and "cg-results" not in page.text


def test_the_network_page_and_picture(client: TestClient) -> None:
    page = client.get("/network")
    assert page.status_code == 200 and 'href="/network.svg"' in page.text
    svg = client.get("/network.svg")
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get("/network.png")
    assert png.content.startswith(b"\x89PNG")
    assert client.get("/network.svg").content == svg.content  # drawn once, kept


# --- Linked data --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "document"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", "/id/state/MLI.html"),
        ("text/turtle", "/id/state/MLI.ttl"),
        ("application/ld+json", "/id/state/MLI.jsonld"),
        ("application/n-triples", "/id/state/MLI.nt"),
        ("application/rdf+xml", "/id/state/MLI.rdf"),
        (None, "/id/state/MLI.html"),
    ],
)
def test_a_resource_redirects_to_the_document_the_client_wants(
    client: TestClient, accept: str | None, document: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/id/state/MLI", headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == document
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("suffix", "fmt"), [(".ttl", "turtle"), (".jsonld", "json-ld"), (".nt", "nt"), (".rdf", "xml")]
)
def test_the_rdf_documents_describe_the_resource(client: TestClient, suffix: str, fmt: str) -> None:
    response = client.get(f"/id/state/MLI{suffix}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format=fmt)
    assert (STATE.MLI, RDFS.label, Literal("Mali", lang="en")) in graph
    assert any(graph.subjects(None, STATE.MLI))  # inverse links: what points at Mali


def test_the_html_page_of_a_resource(client: TestClient) -> None:
    page = client.get("/id/state/MLI.html")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Mali</h1>" in text
    assert 'href="/def/State"' in text  # its type, a local page
    assert "http://www.wikidata.org/entity/Q912" in text  # an external link, to itself
    # The explorer's page of a State (tests/web/test_explorer.py); the raw statements folded.
    assert '<details class="statements">' in text
    assert 'rel="alternate" type="text/turtle" href="/id/state/MLI.ttl"' in text


def test_ontology_terms_and_the_ontology_dereference(client: TestClient) -> None:
    assert 'id="State"' in client.get("/def/State.html").text  # the ontology documentation
    assert client.get("/def", follow_redirects=False).headers["location"] == "/def.html"
    assert "coopgraph ontology" in client.get("/def.html").text


@pytest.mark.parametrize(
    ("former", "current"),
    [
        ("/id/modality/information-exchange", "/id/modality/information-and-intelligence-exchange"),
        (
            "/id/modality/victim-reintegration.ttl",
            "/id/modality/victim-protection-and-reintegration.ttl",
        ),
        ("/id/modality/legislative-cooperation.html", "/id/modality/legislation.html"),
        (
            "/id/participation/teu-title-vi_eu-members.jsonld",
            "/id/participation/treaty-on-european-union_eu-members.jsonld",
        ),
    ],
)
def test_a_former_iri_redirects_permanently_to_the_one_that_replaced_it(
    client: TestClient, former: str, current: str
) -> None:
    response = client.get(former, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, current)
    assert client.get(former).status_code == 200


def test_an_unknown_resource_is_a_404(client: TestClient) -> None:
    assert_error_shape(client.get("/id/state/ATLANTIS"), 404, "not-found")
    assert_error_shape(client.get("/def/NoSuchClass.ttl"), 404, "not-found")
