from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coopgraph.model import resources

# The `browser` fixture of every browser test (Debian's Chromium through Playwright).
pytest_plugins = ["tests.browsers"]

FIXTURES = Path(__file__).parent / "fixtures"
# The W3C and DCAT-AP suites the conformance tests run (tests/standards/README.md).
STANDARDS = Path(__file__).parent / "standards"
FIXTURE_ASSETS = FIXTURES / "assets"


@pytest.fixture
def fixture_assets(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the fixture folders stand in for the bundled ontology, shapes and data."""

    def fixture_asset_dir(name: str) -> Path:
        assert name in resources.ASSET_NAMES
        return FIXTURE_ASSETS / name

    monkeypatch.setattr(resources, "asset_dir", fixture_asset_dir)
    return FIXTURE_ASSETS


@pytest.fixture(scope="session")
def store_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session, so the bundled store is built once."""
    return tmp_path_factory.mktemp("store-cache")


@pytest.fixture(autouse=True)
def isolated_cache(store_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never let a test build stores in the user's ~/.cache."""
    monkeypatch.setenv("COOPGRAPH_CACHE_DIR", str(store_cache))
    return store_cache


@pytest.fixture
def own_data(tmp_path: Path) -> list[Path]:
    """A copy of the bundled data files that a test may edit."""
    folder = tmp_path / "data"
    folder.mkdir()
    copies = []
    for path in resources.data_files():
        copy = folder / path.name
        shutil.copyfile(path, copy)
        copies.append(copy)
    return copies
