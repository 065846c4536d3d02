"""The explorer's routes through Starlette's TestClient: every page type for a browser, the
downloads, the search, the report form, the editor at /sparql, the ontology documentation,
HTML errors for people and the JSON shape for clients, and that linked-data and protocol
clients still get what they asked for."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode

import openpyxl
import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from coopgraph.build.engine import open_engine
from coopgraph.query.catalog import load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine
from coopgraph.report.listings import Graph
from coopgraph.web.app import ServeConfig, create_app
from coopgraph.web.explorer import server_href, site_path
from coopgraph.web.explorer_graph import LIST_NAMES, entity_parameter
from coopgraph.web.explorer_search import distance, search, soundex
from tests.web.test_server_errors import assert_error_shape

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CATALOG = load_catalog()
MALI = "https://w3id.org/coopgraph/id/state/MLI"
# The server's own address, as `coopgraph serve` listens by default (a server may check the
# Host header of a request against it).
LOCAL = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def client(store_cache: Path) -> Iterator[TestClient]:
    config = ServeConfig(max_concurrent=2, timeout=20, cache_dir=store_cache)
    with TestClient(create_app(config), base_url=LOCAL, headers=BROWSER) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def engine(store_cache: Path) -> OxigraphEngine:
    return open_engine(cache_dir=store_cache)


@pytest.fixture(scope="module")
def graph(engine: OxigraphEngine) -> Graph:
    return Graph.read(engine)


def html(response: object) -> str:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    return response.text  # type: ignore[attr-defined,no-any-return]


def links(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


# --- Home and search ----------------------------------------------------------------------------


def test_the_home_page_has_the_search_the_figures_and_the_ways_in(
    client: TestClient, graph: Graph
) -> None:
    page = html(client.get("/"))
    assert 'role="search"' in page and 'name="coopgraph-search" content="/search.json"' in page
    for what, count, _ in graph.figures():
        assert f"<strong>{count}</strong> {what}" in page
    for address in ("/id/state/", "/id/instrument/", "/id/modality/", "/id/organisation/"):
        assert f'href="{address}"' in page
    for address in ("/queries", "/network", "/map", "/timeline", "/sparql"):
        assert f'href="{address}"' in page
    assert "yasgui" not in page  # the editor moved to /sparql


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Ivory", "Côte d'Ivoire"),
        ("cote divoire", "Côte d'Ivoire"),
        ("Yugoslav", "North Macedonia"),
        ("Yugoslavia", "Serbia and Montenegro"),
        ("Ivory Coast", "Côte d'Ivoire"),
        ("extradtion", "extradition"),
        ("ECOWAS", "Economic Community of West African States"),
        ("CIV", "Côte d'Ivoire"),
        ("mali", "Mali"),
        ("Malli", "Mali"),
        ("Macedonia", "North Macedonia"),
        ("joint investigation", "joint investigation teams"),
    ],
)
def test_the_search_finds_what_a_person_types(client: TestClient, typed: str, found: str) -> None:
    answer = client.get("/search.json", params={"q": typed}).json()
    labels = [hit["label"] for hit in answer["results"]]
    assert any(label.casefold() == found.casefold() for label in labels[:5]), labels
    first = answer["results"][0]
    assert first["href"] == "/" + first["page"]
    assert client.get(first["href"]).status_code == 200


def test_the_search_of_nothing_finds_nothing(client: TestClient) -> None:
    assert client.get("/search.json", params={"q": "  "}).json()["results"] == []
    assert client.get("/search.json", params={"q": "zzqqxx"}).json()["results"] == []


def test_a_bad_search_limit_is_a_json_error_for_a_client(client: TestClient) -> None:
    response = client.get(
        "/search.json", params={"q": "Mali", "limit": "x"}, headers={"Accept": "*/*"}
    )
    assert_error_shape(response, 400, "bad-request")


def test_the_search_ranking_helpers() -> None:
    assert distance("malli", "mali", 1) == 1
    assert distance("ab", "ba", 1) == 1  # a transposition is one slip
    assert distance("abcdef", "uvwxyz", 2) == 3  # stops once past the limit
    assert soundex("ivory") == soundex("ivoire")
    index = [
        {
            "label": "A",
            "kind": "State",
            "page": "id/state/A.html",
            "names": [["Alpha", "name", "alpha"]],
        }
    ]
    assert [hit.label for hit in search(index, "alpah")] == ["A"]
    assert search(index, "beta") == []


# --- Browse ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(LIST_NAMES))
def test_each_browse_page_lists_every_entity_with_facets_and_downloads(
    client: TestClient, graph: Graph, kind: str
) -> None:
    listing = next(item for item in graph.listings() if item.name == LIST_NAMES[kind])
    page = html(client.get(f"/id/{kind}/"))
    assert 'class="sortable"' in page
    assert page.count("<tr") == len(listing.rows) + 1
    if listing.facets and any(listing.facet_values(f.key) for f in listing.facets):
        assert 'class="facets"' in page
    first = listing.rows[0].cells[listing.columns[0].key].links[0]
    assert f'href="/{first.path}"' in page
    name = LIST_NAMES[kind]
    as_csv = client.get(f"/id/{kind}/{name}.csv")
    assert as_csv.content.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0] == [column.header for column in listing.columns]
    assert len(rows) == len(listing.rows) + 1
    as_xlsx = client.get(f"/id/{kind}/{name}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.max_row == len(listing.rows) + 1


def test_the_site_addresses_redirect_to_the_servers(client: TestClient) -> None:
    for old, new in [
        ("/states.html", "/id/state/"),
        ("/index.html", "/"),
        ("/reports.html", "/queries"),
        ("/network.html", "/network"),
        ("/reports/state-profile.html", "/queries/state-profile"),
        ("/id/state", "/id/state/"),
    ]:
        response = client.get(old, follow_redirects=False)
        assert response.status_code in (301, 308) and response.headers["location"] == new, old
    response = client.get("/reports/state-profile/MLI.html", follow_redirects=False)
    assert unquote(response.headers["location"]) == f"/queries/state-profile?state={MALI}"


def test_server_addresses_of_the_templates_links() -> None:
    assert site_path("modalities.html") == "id/modality/"
    assert site_path("reports/lineage.html") == "queries/lineage"
    assert server_href("/", None) is None
    assert site_path("static/site.css") == "static/site.css"


# --- Entity pages ------------------------------------------------------------------------------


def test_a_state_page_says_what_a_person_came_for(client: TestClient) -> None:
    page = html(client.get("/id/state/MLI.html"))
    assert "<h1>Mali</h1>" in page
    assert "part:" not in page.split("<details", 1)[0]  # labels, never codes, above the fold
    assert 'href="/id/instrument/' in page
    assert "Agencies that acted for Mali" in page and "Name history" in page
    assert '<details class="statements">' in page  # the raw statements, folded
    # Each report that takes a State, run for Mali, linked directly.
    taking_a_state = [q for q in CATALOG if (p := entity_parameter(q)) and p.kind == "state"]
    assert taking_a_state
    for query in taking_a_state:
        assert f'href="/queries/{query.name}?{urlencode({"state": MALI})}"' in page
    assert 'rel="alternate" type="text/turtle" href="/id/state/MLI.ttl"' in page


@pytest.mark.parametrize(
    ("kind", "iri_query"),
    [
        ("instrument", "SELECT ?x WHERE { ?x a cg:Instrument } ORDER BY ?x LIMIT 1"),
        ("modality", "SELECT ?x WHERE { ?x skos:inScheme ?s } ORDER BY ?x LIMIT 1"),
        ("organisation", "SELECT ?x WHERE { ?x a cg:Organisation } ORDER BY ?x LIMIT 1"),
    ],
)
def test_every_kind_of_entity_has_its_page(
    client: TestClient, graph: Graph, kind: str, iri_query: str
) -> None:
    listing = next(item for item in graph.listings() if item.name == LIST_NAMES[kind])
    link = listing.rows[0].cells[listing.columns[0].key].links[0]
    page = html(client.get(f"/{link.path}"))
    assert f"<h1>{link.label}" in page.replace("&#39;", "'")
    assert '<details class="statements">' in page


def test_the_west_africa_agreement_shows_its_modalities_and_commitments(client: TestClient) -> None:
    answer = client.get("/search.json", params={"q": "West Africa"}).json()
    instrument = next(hit for hit in answer["results"] if hit["kind"] == "instrument")
    page = html(client.get(instrument["href"]))
    assert "Modalities" in page and 'href="/id/modality/' in page


def test_an_entity_without_a_page_keeps_the_resource_page_and_rdf_clients_get_rdf(
    client: TestClient,
) -> None:
    assert client.get("/id/state/ATLANTIS.html").status_code == 404
    turtle = client.get("/id/state/MLI", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    redirect = client.get("/id/state/MLI", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "/id/state/MLI.html"


# --- Reports ----------------------------------------------------------------------------------


def test_the_reports_page_lists_every_report(client: TestClient) -> None:
    page = html(client.get("/queries"))
    for query in CATALOG:
        assert f'href="/queries/{query.name}"' in page
    assert client.get("/queries", headers={"Accept": "application/json"}).json()


def test_a_report_says_what_was_asked_with_human_headers_and_a_pick_list(
    client: TestClient, engine: OxigraphEngine
) -> None:
    query = CATALOG.get("state-profile")
    expected = run_stored_query(query, {"state": "Mali"}, engine)
    page = html(client.get("/queries/state-profile", params={"state": "Mali"}))
    assert "Mali" in re.search(r"<h1>(.*?)</h1>", page).group(1)  # type: ignore[union-attr]
    assert "state_a_label" not in page and "instrument_label</" not in page
    assert '<select id="parameter-state" name="state">' in page
    assert f'<option value="{MALI}" selected>Mali</option>' in page
    assert page.count("<tr") == len(expected) + 1
    editor = next(link for link in links(page) if link.startswith("/sparql#query="))
    assert f"<{MALI}>" in unquote(editor.split("=", 1)[1])
    assert 'href="/queries/state-profile.csv?state=Mali"' in page
    picked = html(client.get("/queries/state-profile", params={"state": MALI}))
    assert picked.count("<tr") == len(expected) + 1


def test_a_report_without_its_value_asks_for_it_and_a_wrong_value_says_why(
    client: TestClient,
) -> None:
    page = html(client.get("/queries/state-profile"))
    assert "Choose state" in page and 'class="sortable"' not in page
    wrong = client.get("/queries/state-profile", params={"state": "Atlantis"})
    assert wrong.status_code == 400 and 'class="cg-error' in wrong.text
    assert "no state matches" in wrong.text


def test_a_report_downloads_as_xlsx_and_keeps_csv_and_json(client: TestClient) -> None:
    workbook = client.get("/queries/state-profile.xlsx", params={"state": "Mali"})
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None and sheet.max_row > 1
    assert client.get("/queries/state-profile.json", params={"state": "Mali"}).json()


def test_reports_with_a_chart_where_it_fits(client: TestClient) -> None:
    page = html(client.get("/queries/modality-coverage"))
    assert 'id="chart"' in page and "vega-lite.min.js" in page


def test_entity_reports_are_those_with_one_entity_parameter() -> None:
    assert entity_parameter(CATALOG.get("state-profile")) is not None


# --- Pictures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/network", 'id="network-data"'),
        ("/map", 'id="map-data"'),
        ("/timeline", 'id="timeline"'),
    ],
)
def test_the_pictures_are_served_with_their_data(
    client: TestClient, path: str, marker: str
) -> None:
    page = html(client.get(path))
    assert marker in page
    for script in re.findall(r'<script src="([^"]+)"', page):
        assert client.get(script).status_code == 200, script


def test_the_network_picture_files_stay(client: TestClient) -> None:
    assert client.get("/network.svg").headers["content-type"] == "image/svg+xml"


# --- The editor, the ontology ----------------------------------------------------------------


def test_a_browser_gets_the_editor_at_sparql_and_clients_the_protocol(client: TestClient) -> None:
    page = html(client.get("/sparql"))
    assert 'id="yasgui"' in page
    description = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert description.headers["content-type"].startswith("text/turtle")
    plain = client.get("/sparql", headers={"Accept": ""})
    assert plain.headers["content-type"].startswith("text/turtle")
    answer = client.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.json()["boolean"] is True


def test_the_vocabulary_for_completion(client: TestClient) -> None:
    vocabulary = client.get("/vocabulary.json").json()
    names = {term["name"]: term["kind"] for term in vocabulary["terms"]}
    assert names["cg:State"] == "class"
    assert names["cg:iso3166Alpha3"] == "property"
    assert any(kind == "concept" for kind in names.values())


def test_the_ontology_documentation_for_def_and_every_term(client: TestClient) -> None:
    for path in ("/def/", "/def.html"):
        page = html(client.get(path))
        assert 'id="State"' in page
    term = client.get("/def/State.html", follow_redirects=False)
    assert term.status_code == 303 and term.headers["location"] == "/def/#State"
    assert client.get("/def/State", follow_redirects=True).url.path == "/def/"
    assert client.get("/def/NoSuchClass.html").status_code == 404


# --- Errors -----------------------------------------------------------------------------------


def test_a_browser_gets_an_html_error_with_the_hint_and_a_way_back(client: TestClient) -> None:
    response = client.get("/queries/no-such-report")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/"' in response.text and "Back to the home page" in response.text
    assert "no-such-report" in response.text
    bad_query = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert bad_query.status_code == 400 and "What to do:" in bad_query.text


def test_api_clients_keep_the_json_error_shape(client: TestClient) -> None:
    for accept in ("application/json", "*/*", ""):
        response = client.get("/queries/no-such-report", headers={"Accept": accept})
        assert_error_shape(response, 404, "not-found")
    assert_error_shape(
        client.get("/sparql", params={"query": "SELECT WHERE {"}, headers={"Accept": "*/*"}),
        400,
        "bad-query",
    )


def test_static_files_do_not_leave_their_folder(client: TestClient) -> None:
    assert client.get("/static/site.css").status_code == 200
    assert client.get("/static/vendor/cytoscape/cytoscape.min.js").status_code == 200
    assert client.get("/static/yasgui/yasgui.min.js").status_code == 200
    assert client.get("/static/../explorer.py").status_code == 404
    assert client.get("/static/vendor/axe-core/axe.min.js").status_code == 404


# --- The bad-inputs corpus of the explorer's routes ------------------------------------------

CORPUS = Path(__file__).parents[1] / "bad_inputs" / "http" / "explorer.toml"
CASES = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_bad_inputs_corpus_of_the_explorer(client: TestClient, case: dict[str, Any]) -> None:
    response = client.request(
        case["method"], case["path"], params=case.get("params"), headers={"Accept": "*/*"}
    )
    error = assert_error_shape(response, case["status"], case.get("type"))
    said = f"{error['message']} {error['hint'] or ''}"
    for fragment in case.get("message", []):
        assert fragment in said
    as_page = client.request(case["method"], case["path"], params=case.get("params"))
    assert as_page.status_code == case["status"]
    assert as_page.headers["content-type"].startswith("text/html")
    assert str(escape(error["message"])) in as_page.text
    assert "Back to the home page" in as_page.text


def test_an_entity_page_links_its_rdf_documents(client: TestClient) -> None:
    page = html(client.get("/id/state/MLI.html"))
    for suffix, name in ((".ttl", "Turtle"), (".jsonld", "JSON-LD"), (".nt", "N-Triples")):
        assert f'<a href="/id/state/MLI{suffix}"' in page and f">{name}</a>" in page
    turtle = client.get("/id/state/MLI.ttl")
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_the_pages_follow_an_update_of_the_store(store_cache: Path) -> None:
    # A server whose writes need a token gets one (the server engineer's --token).
    token = {"token": "explorer"} if "token" in {f.name for f in fields(ServeConfig)} else {}
    config = ServeConfig(
        max_concurrent=2,
        timeout=20,
        update=True,
        cache_dir=store_cache,
        **token,  # type: ignore[arg-type]
    )
    with TestClient(create_app(config), base_url=LOCAL, headers=BROWSER) as writable:
        before = writable.get("/search.json", params={"q": "Republic of Zembla"}).json()
        assert not any(hit["label"] == "Mali" for hit in before["results"])
        update = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
INSERT DATA {{ GRAPH <https://w3id.org/coopgraph/graph/data> {{
  <{MALI}> skos:altLabel "Republic of Zembla"@en }} }}"""
        written = writable.post(
            "/sparql",
            content=update.encode("utf-8"),
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": "Bearer explorer",
            },
        )
        assert written.status_code in (200, 204), written.text
        after = writable.get("/search.json", params={"q": "Republic of Zembla"}).json()
        assert after["results"][0]["label"] == "Mali"
        assert after["results"][0]["matched"] == "Republic of Zembla"
