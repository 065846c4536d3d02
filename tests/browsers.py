"""Debian's Chromium driven by Playwright, for every browser test: one launch per module.

The flags are those the machine needs: no sandbox (tests run as root), and no background
networking, whose connections this machine's closed network refuses. Without Chromium a test
skips, except under CI (the CI variable set), where it fails: `.ci/run` installs it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

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
