"""The explorer as a person uses it: Playwright driving Debian's Chromium against `coopgraph
serve`. Every page type opens with no console error and no serious axe-core violation; the
search ("Ivory" finds Côte d'Ivoire, through the server's /search.json), a network filter,
the map, the timeline, a report with a value picked from its list, an error page and the
editor's completion of the project's terms are used as a person would. Screenshots are kept
in test-artifacts/browser/ (git-ignored), their paths printed. Nothing is fetched from
another host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser

from coopgraph.report.site import STATIC
from tests.browsers import Visit, visiting
from tests.servers import coopgraph_serve
from tests.web.test_browser import ARTIFACTS

pytestmark = pytest.mark.slow

AXE = STATIC / "vendor" / "axe-core" / "axe.min.js"
PAGE_TYPES = {
    "home": "/",
    "states": "/id/state/",
    "instruments": "/id/instrument/",
    "modalities": "/id/modality/",
    "organisations": "/id/organisation/",
    "state": "/id/state/MLI.html",
    "instrument": "/id/instrument/west-africa-child-trafficking-agreement-2005.html",
    "modality": "/id/modality/joint-investigation-teams.html",
    "organisation": "/id/organisation/unodc.html",
    "reports": "/queries",
    "report": "/queries/state-profile?state=Mali",
    "network": "/network",
    "map": "/map",
    "timeline": "/timeline",
    "error": "/queries/no-such-report",
    "ontology": "/def/",
}


@pytest.fixture(scope="module")
def site(store_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with coopgraph_serve(store_cache, log) as base:
        yield base


@pytest.fixture
def visit(browser: Browser, site: str) -> Iterator[Visit]:
    with visiting(browser, site, (site + "/", "data:"), ARTIFACTS, "explorer-") as opened:
        yield opened


def _axe(visit: Visit) -> list[dict[str, object]]:
    visit.page.add_script_tag(path=str(AXE))
    results = visit.page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], preload: false})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target)})))"
    )
    return [v for v in results if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_every_page_type_opens_and_passes_axe(
    visit: Visit, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    visit.open(PAGE_TYPES[name], 404 if name == "error" else 200)
    assert visit.page.locator("h1").count() == 1
    if visit.page.locator("[data-spec]").count():
        visit.drawn("[data-spec]")
    if name == "network":
        visit.page.wait_for_function(
            "window.coopgraphNetwork && window.coopgraphNetwork.nodes().length > 0"
        )
    visit.screenshot(name, capsys)
    assert _axe(visit) == []


def test_typing_ivory_finds_cote_divoire_through_the_server(
    visit: Visit, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []
    visit.page.on(
        "request",
        lambda request: asked.append(request.url) if "search.json" in request.url else None,
    )
    visit.open("/")
    box = visit.page.locator("#search-home")
    box.press_sequentially("Ivory", delay=60)
    first = visit.page.locator("#search-home-results li[role=option]").first
    first.wait_for()
    visit.page.wait_for_function(
        "document.querySelector('#search-home-results li[role=option]')"
        ".textContent.includes('Ivoire')"
    )
    assert "Côte d'Ivoire" in first.inner_text()
    assert any("q=Ivory" in url for url in asked)  # the suggestions came from /search.json
    visit.screenshot("search-ivory", capsys)
    first.click()
    visit.page.wait_for_url("**/id/state/CIV.html")
    assert visit.page.locator("h1").inner_text() == "Côte d'Ivoire"


def test_a_network_filter(visit: Visit, capsys: pytest.CaptureFixture[str]) -> None:
    visit.open("/network")
    visit.page.wait_for_function("window.coopgraphNetwork.nodes().length > 0")
    everything = visit.page.evaluate("window.coopgraphNetwork.nodes('.state').length")
    assert visit.page.evaluate("window.coopgraphNetwork.nodes('.hub').length") > 0
    visit.page.select_option("#network-modality", label="joint investigation teams")
    states = visit.page.evaluate("window.coopgraphNetwork.nodes('.state').length")
    assert 0 < states < everything
    visit.screenshot("network-joint-investigation-teams", capsys)
    visit.page.select_option("#network-modality", value="")
    visit.page.evaluate(
        "window.coopgraphNetwork.nodes('.state')"
        ".filter(n => n.data('label') === 'Mali').emit('tap')"
    )
    visit.page.wait_for_url("**/id/state/MLI.html")


def test_the_map_of_extradition_instruments_shows_cote_divoire(
    visit: Visit, capsys: pytest.CaptureFixture[str]
) -> None:
    visit.open("/map")
    visit.drawn("#map")
    assert visit.page.locator("#map svg path").count() > 150
    visit.page.select_option("#map-modality", label="instruments covering extradition")
    visit.page.wait_for_selector("#map[data-showing$='extradition'][data-rendered=true]")
    visit.screenshot("map-extradition", capsys)


def test_the_timeline(visit: Visit, capsys: pytest.CaptureFixture[str]) -> None:
    visit.open("/timeline")
    visit.drawn("#timeline")
    assert (
        visit.page.locator("#timeline svg .mark-rect path, #timeline svg .mark-symbol path").count()
        > 4
    )
    visit.screenshot("timeline", capsys)


def test_a_report_with_a_value_picked_from_its_list(
    visit: Visit, capsys: pytest.CaptureFixture[str]
) -> None:
    visit.open("/queries/state-profile")
    assert visit.page.locator("table.sortable").count() == 0
    visit.page.select_option("#parameter-state", label="Mali")
    visit.page.locator("form.parameters button[type=submit]").click()
    visit.page.wait_for_url("**/queries/state-profile?state=*")
    assert "Mali" in visit.page.locator("h1").inner_text()
    rows = visit.page.locator("#report tbody tr")
    assert rows.count() > 0
    headers = visit.page.locator("#report thead th").all_inner_texts()
    assert all("_" not in header for header in headers), headers
    visit.screenshot("report-state-profile-picked", capsys)
    editor = visit.page.locator("a", has_text="Open in the SPARQL editor")
    href = editor.get_attribute("href") or ""
    assert "MLI" in unquote(href)
    editor.click()
    visit.page.wait_for_selector(".yasqe .CodeMirror")
    text = visit.page.evaluate("window.coopgraph.yasgui.getTab().getQuery()")
    assert "https://w3id.org/coopgraph/id/state/MLI" in text
    visit.screenshot("editor-from-report", capsys)


def test_the_editor_completes_the_projects_terms_and_links_results_here(
    visit: Visit, capsys: pytest.CaptureFixture[str]
) -> None:
    visit.open("/sparql")
    visit.page.wait_for_selector(".yasqe .CodeMirror")
    yasqe = "window.coopgraph.yasgui.getTab().getYasqe()"
    visit.page.evaluate(
        f"{yasqe}.setValue('PREFIX cg: <https://w3id.org/coopgraph/def/>\\n"
        "SELECT ?s WHERE { ?s a cg:St')"
    )
    visit.page.evaluate(f"{yasqe}.focus(); {yasqe}.setCursor({{line: 1, ch: 28}})")
    visit.page.evaluate(f"{yasqe}.autocomplete()")
    hint = visit.page.locator(".CodeMirror-hints li").filter(has_text="cg:State").first
    hint.wait_for(timeout=10_000)
    visit.screenshot("editor-completion", capsys)
    visit.page.keyboard.press("Escape")
    visit.page.evaluate(
        f"{yasqe}.setValue('PREFIX cg: <https://w3id.org/coopgraph/def/>\\n"
        "SELECT ?s WHERE {{ ?s a cg:State }} ORDER BY ?s LIMIT 3')"
    )
    visit.page.locator(".tabPanel:visible .yasqe_queryButton").click()
    link = visit.page.locator(".tabPanel:visible .yasr table.dataTable tbody a").first
    link.wait_for(timeout=30_000)
    visit.page.wait_for_function(
        "[...document.querySelectorAll('.yasr table.dataTable tbody a')]"
        ".some(a => a.getAttribute('href').startsWith(location.origin + '/id/state/'))",
        timeout=10_000,
    )
