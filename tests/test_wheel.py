"""Build the wheel, install it into a fresh virtual environment, and run the CLI from another
folder: proves that the assets ship in the wheel and are found there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Without PYTHONPATH, so that the fresh environment imports the installed wheel and not
    # a checkout that the calling shell happens to point at.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )


def _checked(args: list[str | Path], cwd: Path) -> str:
    done = _run(args, cwd)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the fresh environment's bin folder, an unrelated working folder)."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    _checked([sys.executable, "-m", "build", "--wheel", "--outdir", dist, REPO_ROOT], root)
    (wheel,) = dist.glob("coopgraph-*.whl")
    venv.EnvBuilder(with_pip=True).create(root / "venv")
    bin_dir = root / "venv" / "bin"
    _checked([bin_dir / "python", "-m", "pip", "install", "--quiet", wheel], root)
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return bin_dir, elsewhere


@pytest.mark.slow
def test_the_assets_are_found_inside_the_installed_package(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    code = "import coopgraph.model.resources as r; print(*(r.asset_dir(n) for n in r.ASSET_NAMES))"
    folders = _checked([bin_dir / "python", "-c", code], elsewhere).split()
    assert len(folders) == 4
    assert all("site-packages/coopgraph/_assets/" in folder for folder in folders), folders


@pytest.mark.slow
def test_validate_runs_from_the_wheel(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    done = _run([bin_dir / "coopgraph", "validate"], elsewhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("— conforms")


@pytest.mark.slow
def test_stats_runs_from_the_wheel(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    stats = json.loads(_checked([bin_dir / "coopgraph", "stats", "--format", "json"], elsewhere))
    assert stats["triples"] > 0
    assert stats["states"] > 0


@pytest.mark.slow
def test_the_editor_ships_in_the_wheel(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    code = (
        "from coopgraph.web.ui import static_file, yasgui_version; "
        "print(static_file('yasgui/yasgui.min.js')[0], static_file('coopgraph-ui.js')[0], "
        "yasgui_version())"
    )
    script, page_script, version = _checked([bin_dir / "python", "-c", code], elsewhere).split()
    assert "site-packages/coopgraph/web/static/yasgui/" in script
    assert "site-packages/coopgraph/web/static/" in page_script
    assert version.count(".") == 2


@pytest.mark.slow
def test_the_report_pages_and_their_libraries_ship_in_the_wheel(
    installed: tuple[Path, Path],
) -> None:
    bin_dir, elsewhere = installed
    code = (
        "import json; from coopgraph.report.site import STATIC, TEMPLATES, VENDORED_FOR_PAGES; "
        "record = json.loads((STATIC / 'vendor' / 'VENDORED.json').read_text()); "
        "names = [n for e in record['packages'].values() for n in e['files']]; "
        "print(STATIC, TEMPLATES / 'home.html', *[(STATIC / 'vendor' / n).is_file() "
        "for n in [*names, *VENDORED_FOR_PAGES]])"
    )
    static, home, *found = _checked([bin_dir / "python", "-c", code], elsewhere).split()
    assert "site-packages/coopgraph/report/static" in static
    assert home.endswith("site-packages/coopgraph/report/templates/home.html")
    assert found and set(found) == {"True"}, found


@pytest.mark.slow
def test_the_report_site_is_written_from_the_wheel(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    _checked([bin_dir / "coopgraph", "report", "-o", "site"], elsewhere)
    for name in ("index.html", "id/state/MLI.html", "static/vendor/vega/vega.min.js"):
        assert (elsewhere / "site" / name).is_file(), name


@pytest.mark.slow
def test_publish_runs_from_the_wheel(installed: tuple[Path, Path]) -> None:
    bin_dir, elsewhere = installed
    _checked([bin_dir / "coopgraph", "publish", "-o", "release", "--date", "2026-01-15"], elsewhere)
    release = elsewhere / "release"
    for name in ("catalog.ttl", "void.ttl", "context.jsonld", "ontology.html", "index.html"):
        assert (release / name).is_file(), name
    assert (release / "coopgraph.nt.gz").stat().st_size > 0
