"""The editor page: every stored query a ready tab, nothing loaded from another host, the
vendored YASGUI as recorded."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib.plugins.sparql.parser import parseQuery

from coopgraph.build.engine import open_engine
from coopgraph.model.namespaces import ALL_PREFIXES
from coopgraph.query.catalog import bind_arguments, load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine
from coopgraph.web.ui import (
    STATIC_DIR,
    YASGUI_DIR,
    query_tabs,
    static_file,
    ui_config,
    ui_page,
    yasgui_version,
)

CATALOG = load_catalog()


@pytest.fixture(scope="module")
def engine(store_cache: Path) -> OxigraphEngine:
    return open_engine(cache_dir=store_cache)


@pytest.fixture(scope="module")
def page(engine: OxigraphEngine) -> str:
    return ui_page(CATALOG, engine)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.config: str = ""
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name):
                self.urls.append(str(values[name]))
        self._in_config = values.get("id") == "coopgraph-config"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config += data

    def handle_endtag(self, tag: str) -> None:
        self._in_config = False


def _parsed(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


def test_the_page_loads_nothing_from_another_host(page: str) -> None:
    urls = _parsed(page).urls
    assert "static/yasgui/yasgui.min.js" in urls
    assert "static/yasgui/yasgui.min.css" in urls
    assert "static/coopgraph-ui.js" in urls
    assert all(url == "data:," or not re.match(r"[a-z]+:|//", url) for url in urls), urls
    for url in urls:
        if url.startswith("static/"):
            assert static_file(url.removeprefix("static/")) is not None, url


def test_the_page_configures_the_endpoint_prefixes_and_a_tab_per_query(page: str) -> None:
    config = json.loads(_parsed(page).config)
    assert config["endpoint"] == "sparql"
    assert [tab["name"] for tab in config["tabs"]] == CATALOG.names()
    assert config["prefixes"] == {prefix: str(ns) for prefix, ns in ALL_PREFIXES.items()}
    for prefix, namespace in ALL_PREFIXES.items():
        assert f"PREFIX {prefix}: <{namespace}>" in config["starterQuery"]
    parseQuery(config["starterQuery"])


def test_the_configuration_cannot_end_its_script_element(engine: OxigraphEngine) -> None:
    page = ui_page(CATALOG, engine)
    data = page.split('<script type="application/json" id="coopgraph-config">', 1)[1]
    data = data.split("</script>", 1)[0]
    assert "<" not in data
    assert json.loads(data) == ui_config(CATALOG, engine)


@pytest.mark.parametrize("name", CATALOG.names())
def test_each_tab_is_ready_to_run_and_gives_the_stored_querys_rows(
    name: str, engine: OxigraphEngine
) -> None:
    """A tab's text runs as it is, with the defaults (and required examples) bound: the same
    rows as the stored query run with those arguments."""
    query = CATALOG.get(name)
    tab = next(tab for tab in query_tabs(CATALOG, engine) if tab.name == name)
    text = tab.query
    parseQuery(text)
    arguments = {
        p.name: p.example for p in query.parameters if p.required and p.example is not None
    }
    expected = run_stored_query(query, arguments, engine)
    answered = engine.select(text, None, query.list_columns)
    assert answered.variables == expected.variables
    assert answered.as_set() == expected.as_set()
    for parameter in query.parameters:
        assert f"#   ?{parameter.name} ({parameter.kind}): {parameter.description}" in text
    bound = bind_arguments(query, arguments, engine)
    for term in bound.values():
        assert f"<{term}>" in text or term.n3() in text


def test_an_optional_parameter_is_explained_with_a_ready_values_line(
    engine: OxigraphEngine,
) -> None:
    (tab,) = (t for t in query_tabs(CATALOG, engine) if t.name == "organisation-roles")
    assert (
        "optional, unbound; to use it:\n#     VALUES ?organisation { <https://w3id.org/"
        in tab.query
    )
    assert "VALUES (" not in tab.query


def test_static_files_are_found_and_typed_and_nothing_outside() -> None:
    found = static_file("yasgui/yasgui.min.js")
    assert found is not None
    assert found[1].startswith("text/javascript")
    assert static_file("coopgraph-ui.css") == (
        STATIC_DIR / "coopgraph-ui.css",
        "text/css; charset=utf-8",
    )
    for bad in ("", "../ui.py", "yasgui/../../ui.py", "/etc/passwd", "yasgui", "nope.js", "a\\b"):
        assert static_file(bad) is None, bad


def test_the_vendored_yasgui_is_the_recorded_one() -> None:
    record = json.loads((YASGUI_DIR / "VENDORED.json").read_text(encoding="utf-8"))
    assert record["package"] == "@zazuko/yasgui"
    assert record["license"] == "MIT"
    assert yasgui_version() == record["version"]
    for name, digest in record["files"].items():
        assert hashlib.sha256((YASGUI_DIR / name).read_bytes()).hexdigest() == digest, name
    licences = (YASGUI_DIR / "THIRD-PARTY-LICENSES.txt").read_text(encoding="utf-8")
    assert f"@zazuko/yasgui {record['version']} — licence: MIT" in licences
