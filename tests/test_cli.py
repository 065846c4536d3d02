from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph
from rdflib.namespace import RDF, SH

from coopgraph import __version__
from coopgraph.cli import main

from .conftest import FIXTURES

CASES = FIXTURES / "cases"


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    # A user error ends with an exit code, never with a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.usefixtures("fixture_assets")
def test_the_bundled_data_conforms_exit_0() -> None:
    result = run("validate")
    assert result.exit_code == 0
    assert result.stdout.strip() == "0 violations, 0 warnings, 0 info in 0 resources — conforms"


@pytest.mark.usefixtures("fixture_assets")
def test_a_broken_file_names_file_line_column_exit_2() -> None:
    broken = FIXTURES / "broken" / "missing-dot.ttl"
    result = run("validate", broken)
    assert result.exit_code == 2
    assert f"{broken}:7:1: bad syntax" in result.stderr
    assert "fix the Turtle at that position" in result.stderr
    assert result.stdout == ""


@pytest.mark.usefixtures("fixture_assets")
def test_a_missing_file_exit_2(tmp_path: Path) -> None:
    result = run("validate", tmp_path / "nowhere.ttl")
    assert result.exit_code == 2
    assert "nowhere.ttl: no such file — check the path" in result.stderr


@pytest.mark.usefixtures("fixture_assets")
def test_a_non_conforming_file_names_file_line_and_label_exit_1(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(FIXTURES)
    result = run("validate", "cases/missing-title.ttl", "--with-bundled-data")
    assert result.exit_code == 1
    first, summary = result.stdout.strip().splitlines()
    assert first == (
        'cases/missing-title.ttl:9  Violation  inst:untitled "An untitled treaty"  '
        "dcterms:title  an instrument needs a title"
    )
    assert summary == "1 violation, 0 warnings, 0 info in 1 resource — does not conform"


@pytest.mark.usefixtures("fixture_assets")
def test_warnings_alone_exit_0() -> None:
    result = run("validate", CASES / "warning-only.ttl", "--with-bundled-data")
    assert result.exit_code == 0
    assert "Warning" in result.stdout


@pytest.mark.usefixtures("fixture_assets")
def test_json_output_parses() -> None:
    result = run(
        "validate", CASES / "party-not-a-state.ttl", "--with-bundled-data", "--format", "json"
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert {r["line"] for r in report["results"]} == {12}


@pytest.mark.usefixtures("fixture_assets")
def test_turtle_output_is_the_shacl_report_graph() -> None:
    result = run(
        "validate", CASES / "missing-title.ttl", "--with-bundled-data", "--format", "turtle"
    )
    assert result.exit_code == 1
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert (None, RDF.type, SH.ValidationReport) in graph
    assert len(set(graph.subjects(RDF.type, SH.ValidationResult))) == 1


@pytest.mark.usefixtures("fixture_assets")
def test_other_shapes_can_be_named() -> None:
    result = run("validate", "--shapes", FIXTURES / "broken" / "unbound-prefix.ttl")
    assert result.exit_code == 2
    assert "unbound-prefix.ttl:4:6" in result.stderr


@pytest.mark.usefixtures("fixture_assets")
def test_stats_json() -> None:
    result = run("stats", "--format", "json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["instruments"] == 2
    assert stats["states"] == 2
    assert stats["modalities"] == 2


@pytest.mark.usefixtures("fixture_assets")
def test_stats_text_of_named_files() -> None:
    result = run("stats", CASES / "missing-title.ttl")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["instruments    1", "  cg:Treaty  1"]


def test_an_unknown_option_is_a_usage_error_exit_2() -> None:
    result = run("validate", "--format", "yaml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


@pytest.mark.usefixtures("fixture_assets")
@pytest.mark.parametrize("command", ["validate", "stats"])
def test_every_command_reports_input_errors_the_same_way(command: str) -> None:
    broken = FIXTURES / "broken" / "not-utf8.ttl"
    result = run(command, broken)
    assert result.exit_code == 2
    assert result.stderr == (
        f"coopgraph: error: {broken}:3:12: not valid UTF-8 (invalid start byte)"
        " — save the file as UTF-8 (it may be in Latin-1 or another encoding)\n"
    )
