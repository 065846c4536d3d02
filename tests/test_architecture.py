"""The house: the stage folders import downwards only (the import-linter contract in
pyproject.toml), and the contract really fails on a breach: each test below copies the package,
makes one deliberate breach in the copy, and sees the contract broken with the import named."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "coopgraph"
CONFIG = ROOT / "pyproject.toml"


def lint(source_root: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    """import-linter on the package under `source_root`, with the project's contract."""
    program = (
        "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    )
    return subprocess.run(
        [sys.executable, "-c", program, str(CONFIG), "--no-cache", "--no-logo"],
        cwd=workdir,
        env={"PYTHONPATH": str(source_root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of the package's Python files, to break on purpose."""
    target = tmp_path / "src" / "coopgraph"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("static", "templates"))
    return target


def test_the_package_keeps_the_contract(tmp_path: Path) -> None:
    result = lint(ROOT / "src", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def _append(module: Path, line: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "breach", "named"),
    [
        # an upward import: the model importing the queries
        (
            "model/labels.py",
            "from coopgraph.query import engine",
            "coopgraph.model.labels -> coopgraph.query.engine",
        ),
        # a circle between two folders: query imports build, which imports query
        (
            "query/catalog.py",
            "from coopgraph.build import engine",
            "coopgraph.query.catalog -> coopgraph.build.engine",
        ),
        # a lazy import inside a function counts as much as one at the top
        (
            "validation/report.py",
            "def _late() -> None:\n    from coopgraph.web import app  # noqa: PLC0415",
            "coopgraph.validation.report -> coopgraph.web.app",
        ),
        # two independent stages of the same layer importing each other
        (
            "report/folder.py",
            "from coopgraph.publish import dumps",
            "coopgraph.report.folder -> coopgraph.publish.dumps",
        ),
    ],
)
def test_a_breach_breaks_the_contract(
    package_copy: Path, tmp_path: Path, module: str, breach: str, named: str
) -> None:
    _append(package_copy / module, breach)
    result = lint(package_copy.parent, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 1 broken" in result.stdout
    assert named in result.stdout


def test_a_folder_that_is_no_stage_breaks_the_contract(package_copy: Path, tmp_path: Path) -> None:
    (package_copy / "misc").mkdir()
    (package_copy / "misc" / "__init__.py").write_text('"""Odds and ends."""\n', encoding="utf-8")
    result = lint(package_copy.parent, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "coopgraph.misc" in result.stdout
