"""Debian's Chromium driven by Playwright, for every browser test: one launch per module.

The flags are those the machine needs: no sandbox (tests run as root), and no background
networking, whose connections this machine's closed network refuses. Without Chromium a test
skips, except under CI (the CI variable set), where it fails: `.ci/run` installs it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, launched once for the module that asks for it."""
    if not CHROMIUM.is_file():
        message = f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; under CI every browser test must run")
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Visit:
    """A page opened at `base` (the server's address, or the report folder's file: URI), with
    what it tried to load from anywhere else and its console errors."""

    def __init__(self, page: Page, base: str, artifacts: Path, prefix: str = "") -> None:
        self.page = page
        self.base = base
        self.artifacts = artifacts
        self.prefix = prefix
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.expect_status: int | None = None
        page.on("console", lambda message: self._console(message.type, message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, kind: str, text: str) -> None:
        # An error page's own status is reported by Chromium as a failed resource load.
        if kind == "error" and not (self.expect_status and str(self.expect_status) in text):
            self.errors.append(text)

    def open(self, path: str, status: int = 200) -> None:
        self.expect_status = status if status != 200 else None
        response = self.page.goto(self.base + path)
        if self.base.startswith("http"):  # a file: page has no response to check
            assert response is not None and response.status == status, path
        self.page.wait_for_load_state("load")

    def drawn(self, selector: str) -> None:
        """Wait until the chart or network at `selector` has drawn its SVG."""
        self.page.wait_for_selector(f"{selector}[data-rendered=true] svg", timeout=30_000)

    def screenshot(self, name: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{self.prefix}{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        with capsys.disabled():
            print(f"\nscreenshot: {path}")


@contextmanager
def visiting(
    browser: Browser, base: str, allowed: tuple[str, ...], artifacts: Path, prefix: str = ""
) -> Iterator[Visit]:
    """A fresh browser context whose requests may go only to `allowed` prefixes; on leaving,
    fails if the page asked for anything else or logged an error."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = Visit(context.new_page(), base, artifacts, prefix)

    def only_allowed(route: Route) -> None:
        if route.request.url.startswith(allowed):
            route.continue_()
        else:
            opened.blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_allowed)
    try:
        yield opened
    finally:
        context.close()
    assert opened.blocked == [], f"requests to other hosts: {opened.blocked}"
    assert opened.errors == [], f"console errors: {opened.errors}"
