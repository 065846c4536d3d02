"""Each command imports what it runs, when it runs it: the modules a command leaves in
`sys.modules`, read in a fresh interpreter (times are measured by benchmarks/cli.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coopgraph.build.engine import open_engine
from coopgraph.model.inputs import Inputs

# Slow to import, and needed only to build a store, to validate afresh or to serve.
HEAVY = ("rdflib.plugins.sparql", "pyshacl", "owlrl", "numpy", "starlette", "uvicorn")
# What a query on a built store has no use for.
BUILDING_OR_SERVING = (
    "coopgraph.reasoning",
    "coopgraph.validation",
    "coopgraph.build.pipeline",
    "coopgraph.build.revise",
    "coopgraph.web",
    "matplotlib",
)

PROBE = """
import json, sys
from coopgraph.cli import main
try:
    main(sys.argv[2:])
except SystemExit as leaving:
    code = leaving.code
else:
    code = 0
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"exit": code, "modules": sorted(sys.modules)}, out)
"""


def imported_by(arguments: list[str], cache: Path, tmp_path: Path) -> set[str]:
    """The modules `coopgraph ARGUMENTS` imports, in a fresh interpreter."""
    record = tmp_path / "modules.json"
    env = {**os.environ, "COOPGRAPH_CACHE_DIR": str(cache), "HOME": str(tmp_path)}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    outcome = json.loads(record.read_text(encoding="utf-8"))
    assert outcome["exit"] in (0, None), completed.stderr
    return set(outcome["modules"])


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the built store of the bundled data."""
    cache = tmp_path_factory.mktemp("warm-cache")
    open_engine(Inputs.bundled(), cache)
    return cache


@pytest.mark.parametrize("arguments", [["--help"], ["--version"], ["query", "--help"]])
def test_help_and_version_import_nothing_of_rdf(
    arguments: list[str], tmp_path: Path, warm_cache: Path
) -> None:
    modules = imported_by(arguments, warm_cache, tmp_path)
    assert loaded(modules, ("rdflib", "pyoxigraph", "yaml", *HEAVY)) == []


def test_listing_the_stored_queries_imports_no_sparql_engine(tmp_path: Path) -> None:
    # A fresh cache: listing the queries does not need a store.
    modules = imported_by(["queries"], tmp_path / "empty-cache", tmp_path)
    assert "coopgraph.query.catalog" in modules
    assert loaded(modules, (*HEAVY, *BUILDING_OR_SERVING)) == []


@pytest.mark.parametrize(
    "arguments",
    [
        ["query", "timeline"],
        ["query", "state-profile", "-p", "state=Mali"],
        ["query", "shared-modality-pairs", "--format", "csv"],
    ],
)
def test_a_stored_query_on_a_built_store_imports_no_build_or_server(
    arguments: list[str], tmp_path: Path, warm_cache: Path
) -> None:
    modules = imported_by(arguments, warm_cache, tmp_path)
    assert "coopgraph.build.engine" in modules
    assert loaded(modules, (*HEAVY, *BUILDING_OR_SERVING)) == []


def test_validate_on_a_built_store_reads_the_kept_report(tmp_path: Path, warm_cache: Path) -> None:
    modules = imported_by(["validate"], warm_cache, tmp_path)
    assert "coopgraph.validation.kept" in modules
    assert loaded(modules, (*HEAVY, "coopgraph.reasoning", "coopgraph.web", "matplotlib")) == []


def test_a_cold_query_builds_with_what_the_build_needs(tmp_path: Path) -> None:
    """The other side: without a built store, the build's modules are imported (so the tests
    above would see them if a command built)."""
    modules = imported_by(["query", "timeline"], tmp_path / "cold-cache", tmp_path)
    assert "coopgraph.build.pipeline" in modules
    assert "coopgraph.reasoning.rules" in modules
