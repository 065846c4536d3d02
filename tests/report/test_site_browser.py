"""The report folder as a person uses it: Playwright driving Debian's Chromium on the pages
opened from file://, offline.

Every request other than file:// is blocked, and the test fails if one was tried. Each page
type is opened with no console error; the search, a network filter, the map, the timeline and
a sorted report are used as a person would; axe-core (vendored, see
scripts/vendor_browser_libs.py) checks each page type for serious or critical accessibility
violations. Screenshots are kept in test-artifacts/report-site/ (git-ignored), their paths
printed.

The browser is /usr/bin/chromium (Playwright's own downloads are not used); without it the
tests are skipped, saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser

from coopgraph.cli import main
from coopgraph.report.site import STATIC
from tests.browsers import Visit, visiting

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "report-site"
AXE = STATIC / "vendor" / "axe-core" / "axe.min.js"
PAGE_TYPES = {
    "home": "index.html",
    "states": "states.html",
    "instruments": "instruments.html",
    "modalities": "modalities.html",
    "organisations": "organisations.html",
    "reports": "reports.html",
    "state": "id/state/MLI.html",
    "former-state": "id/state/SCG.html",
    "instrument": "id/instrument/west-africa-child-trafficking-agreement-2005.html",
    "modality": "id/modality/joint-investigation-teams.html",
    "organisation": "id/organisation/unodc.html",
    "report": "reports/state-profile/MLI.html",
    "report-chart": "reports/modality-coverage.html",
    "network": "network.html",
    "map": "map.html",
    "timeline": "timeline.html",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browsed") / "report"
    result = CliRunner().invoke(main, ["report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def visit(browser: Browser, folder: Path) -> Iterator[Visit]:
    with visiting(browser, folder.as_uri() + "/", ("file:",), ARTIFACTS) as opened:
        yield opened


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_every_page_type_opens_offline_and_passes_axe(
    visit: Visit, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    visit.open(PAGE_TYPES[name])
    assert visit.page.locator("h1").count() == 1
    if visit.page.locator("[data-spec]").count():
        visit.drawn("[data-spec]")
    if name == "network":
        visit.page.wait_for_function(
            "window.coopgraphNetwork && window.coopgraphNetwork.nodes().length > 0"
        )
    visit.screenshot(name, capsys)
    visit.page.add_script_tag(path=str(AXE))
    results = visit.page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], preload: false})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target)})))"
    )
    serious = [v for v in results if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_typing_ivory_finds_cote_divoire_and_opens_its_page(
    visit: Visit, capsys: pytest.CaptureFixture[str]
) -> None:
    visit.open("index.html")
    box = visit.page.locator("#search-home")
    box.press_sequentially("Ivory", delay=40)
    first = visit.page.locator("#search-home-results li[role=option]").first
    first.wait_for()
    assert "Côte d'Ivoire" in first.inner_text()
    visit.screenshot("search-ivory", capsys)
    first.click()
    visit.page.wait_for_url("**/id/state/CIV.html")
    assert visit.page.locator("h1").inner_text() == "Côte d'Ivoire"


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("cote d'ivoire", "Côte d'Ivoire"),
        ("Macedonia", "North Macedonia"),
        # The Federal Republic of Yugoslavia was Serbia and Montenegro's name until 2003;
        # "the former Yugoslav Republic of Macedonia" North Macedonia's UN reference.
        ("Yugoslavia", "Serbia and Montenegro"),
        ("former Yugoslav Republic", "North Macedonia"),
        ("MLI", "Mali"),
        ("extradtion", "extradition"),  # a slip of the finger
        ("JIT", "joint investigation teams"),
        ("ECOWAS", "Economic Community of West African States"),
    ],
)
def test_the_search_tolerates_accents_typos_and_other_names(
    visit: Visit, typed: str, found: str
) -> None:
    visit.open("states.html")
    labels = visit.page.evaluate(
        "typed => window.coopgraphSearch.search(typed, 5).map(hit => hit.entry.label)", typed
    )
    assert labels and labels[0] == found, labels


def test_the_search_normalises_as_the_cli_does(visit: Visit) -> None:
    """Each name of the index, normalised by the page's script, gives the key the Python side
    (query/catalog.py normalise_name) wrote."""
    visit.open("index.html")
    mismatches = visit.page.evaluate(
        "() => window.COOPGRAPH_SEARCH.flatMap(e => e.names)"
        ".filter(n => window.coopgraphSearch.normalise(n[0]) !== n[2])"
    )
    assert mismatches == []


def test_a_network_filter(visit: Visit, capsys: pytest.CaptureFixture[str]) -> None:
    visit.open("network.html")
    visit.page.wait_for_function("window.coopgraphNetwork.nodes().length > 0")
    everything = visit.page.evaluate("window.coopgraphNetwork.nodes('.state').length")
    hubs = visit.page.evaluate("window.coopgraphNetwork.nodes('.hub').map(n => n.data('label'))")
    # A multilateral agreement is one hub, not a clique of lines between its parties.
    assert "Police Cooperation Convention for South-East Europe" in hubs
    assert visit.page.evaluate("window.coopgraphNetwork.edges('.bilateral').length") > 0
    visit.page.select_option("#network-modality", label="joint investigation teams")
    states = visit.page.evaluate(
        "window.coopgraphNetwork.nodes('.state').map(n => n.data('label')).sort()"
    )
    assert states == sorted(
        [
            "Albania",
            "Bosnia and Herzegovina",
            "Moldova",
            "Montenegro",
            "North Macedonia",
            "Romania",
            "Serbia",
            "Serbia and Montenegro",
        ]
    )
    assert len(states) < everything
    visit.screenshot("network-joint-investigation-teams", capsys)
    visit.page.select_option("#network-modality", value="")
    visit.page.check("#network-organisations")
    organisations = visit.page.evaluate("window.coopgraphNetwork.nodes('.organisation').length")
    assert organisations > 0
    visit.page.evaluate(
        "window.coopgraphNetwork.nodes('.state')"
        ".filter(n => n.data('label') === 'Mali').emit('tap')"
    )
    visit.page.wait_for_url("**/id/state/MLI.html")


def test_the_map_colours_by_a_chosen_modality(
    visit: Visit, capsys: pytest.CaptureFixture[str]
) -> None:
    visit.open("map.html")
    visit.drawn("#map")
    paths = visit.page.locator("#map svg path").count()
    assert paths > 150  # the world's countries
    assert "Serbia and Montenegro" in visit.page.locator("#unmapped").inner_text()
    visit.page.select_option("#map-modality", label="instruments covering extradition")
    visit.page.wait_for_selector("#map[data-showing$='extradition'][data-rendered=true]")
    assert "instruments covering extradition" in (
        visit.page.locator("#map svg").text_content() or ""
    )
    visit.screenshot("map-extradition", capsys)


def test_the_timeline_draws_a_year_as_a_year(visit: Visit) -> None:
    visit.open("timeline.html")
    visit.drawn("#timeline")
    # A bar for each date given as a year or a month, a point for each date given as a day.
    assert visit.page.locator("#timeline svg .mark-rect path").count() >= 8
    assert visit.page.locator("#timeline svg .mark-symbol path").count() >= 4


def test_a_report_sorted_by_a_column(visit: Visit, capsys: pytest.CaptureFixture[str]) -> None:
    visit.open("reports/cooperation-partners/MLI.html")
    assert visit.page.locator("h1").inner_text() == "Cooperation partners of Mali"
    headers = visit.page.locator("#report thead th").all_inner_texts()
    column = [text.strip() for text in headers].index("Instruments") + 1
    header = visit.page.locator(f"#report thead th:nth-child({column})")
    cells = visit.page.locator(f"#report tbody tr td:nth-child({column})")
    header.locator("button").click()
    counts = [int(t) for t in cells.all_inner_texts()]
    assert counts == sorted(counts)
    header.locator("button").click()
    counts = [int(t) for t in cells.all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    visit.screenshot("report-sorted", capsys)
    visit.page.select_option("#picker", label="Nigeria")
    visit.page.wait_for_url("**/reports/cooperation-partners/NGA.html")
    assert visit.page.locator("h1").inner_text() == "Cooperation partners of Nigeria"


def test_a_facet_filters_a_list(visit: Visit) -> None:
    visit.open("instruments.html")
    total = visit.page.locator("#list tbody tr").count()
    visit.page.locator("form.facets input[name=type][value='bilateral agreement']").check()
    shown = visit.page.locator("#list tbody tr:not([hidden])")
    assert 0 < shown.count() < total
    assert all(
        "bilateral agreement" in t for t in shown.locator("td:nth-child(2)").all_inner_texts()
    )
