"""The site as a person sees it: Playwright driving Debian's Chromium against `coopgraph serve`.

Opens the editor (at /sparql), runs a stored query from its tab and sees its rows, then a
report page with a parameter and a resource page. Screenshots are kept in
test-artifacts/browser/ at the root of the checkout (git-ignored), and their paths printed.
Every request the pages make must go to the server itself: nothing from a CDN or another host.

Playwright's own browser downloads are not used: the browser is /usr/bin/chromium, which
.ci/run installs. Without it the test is skipped, saying so.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from coopgraph.build.engine import open_engine
from coopgraph.query.catalog import load_catalog, run_stored_query
from tests.browsers import ARTIFACTS as TEST_ARTIFACTS
from tests.servers import coopgraph_serve

pytestmark = pytest.mark.slow

ARTIFACTS = TEST_ARTIFACTS / "browser"
STORED_QUERY = "state-profile"


@pytest.fixture(scope="module")
def site(store_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`coopgraph serve` on a free loopback port, on the session's store cache."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with coopgraph_serve(store_cache, log) as base:
        yield base


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=site)
    visited: list[str] = []
    context.on("request", lambda request: visited.append(request.url))
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()
    foreign = [url for url in visited if not url.startswith((site + "/", "data:"))]
    assert not foreign, f"requests to other hosts: {foreign}"


def _screenshot(page: Page, name: str, capsys: pytest.CaptureFixture[str]) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


def test_the_editor_runs_a_stored_query_from_its_tab(
    page: Page, store_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = load_catalog().get(STORED_QUERY)
    expected = run_stored_query(
        query, query.example_arguments(), open_engine(cache_dir=store_cache)
    )
    assert len(expected) > 0

    page.goto("/sparql")  # the editor, for a browser (the explorer's home page is at /)
    page.wait_for_selector(".yasqe .CodeMirror")
    tabs = page.locator(".tabsList a[role=tab] span").all_inner_texts()
    assert tabs == ["Query", *load_catalog().names()]
    _screenshot(page, "editor", capsys)

    page.locator(".tabsList a[role=tab]", has_text=STORED_QUERY).click()
    panel = page.locator(".tabPanel:visible")
    text = page.evaluate("window.coopgraph.yasgui.getTab().getQuery()")
    assert "VALUES (?state) { (<https://w3id.org/coopgraph/id/state/MLI>) }" in text
    panel.locator(".yasqe_queryButton").click()
    rows = panel.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for(timeout=30_000)
    assert rows.count() == len(expected)
    shown = panel.locator(".yasr table.dataTable tbody").inner_text()
    for row in expected.as_dicts():
        assert str(row["instrument_label"]) in shown
    _screenshot(page, "editor-stored-query", capsys)


def test_a_report_page_with_a_parameter(
    page: Page, store_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = load_catalog().get(STORED_QUERY)
    expected = run_stored_query(query, {"state": "Mali"}, open_engine(cache_dir=store_cache))
    response = page.goto(f"/queries/{STORED_QUERY}?state=Mali")
    assert response is not None and response.status == 200
    assert "Mali" in page.locator("h1").inner_text()  # the title says what was asked
    table = page.locator("table").first
    table.wait_for()
    text = table.inner_text()
    for row in expected.as_dicts():
        assert str(row["instrument_label"]) in text
    assert page.locator("form input[name=state], form select[name=state]").count() == 1
    _screenshot(page, "report-state-profile-mali", capsys)


def test_a_resource_page(page: Page, capsys: pytest.CaptureFixture[str]) -> None:
    response = page.goto("/id/state/MLI")
    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Mali" in page.locator("h1").first.inner_text()
    assert page.locator("a[href*='/id/']").count() > 0
    _screenshot(page, "resource-state-mli", capsys)
