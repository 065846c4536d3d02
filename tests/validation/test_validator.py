"""SHACL validation, driven by the files in fixtures/cases: each says in header comments
whether it conforms (`# expect-conforms: true|false`) and which results it must give
(`# expect: <Severity> <focus> <path> line <N>`, a blank node's focus as `[] of <its
named ancestor>`), and gives no others."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib.namespace import RDF, SH

from coopgraph.errors import InputError, ValidationCouldNotRun
from coopgraph.validation.report import ValidationReport
from coopgraph.validation.validator import validate

from ..conftest import FIXTURES

CASES = sorted((FIXTURES / "cases").glob("*.ttl"))
_CONFORMS = re.compile(r"^# expect-conforms: (true|false)$", re.MULTILINE)
_RESULT = re.compile(r"^# expect: (\w+) (.+) (\S+) line (\d+)$", re.MULTILINE)

Expected = tuple[str, str, str, int]


def _expectations(case: Path) -> tuple[bool, set[Expected]]:
    text = case.read_text()
    conforms = _CONFORMS.search(text)
    assert conforms, f"{case.name} must say whether it conforms"
    results = {(sev, focus, path, int(line)) for sev, focus, path, line in _RESULT.findall(text)}
    return conforms.group(1) == "true", results


def _observed(report: ValidationReport) -> set[Expected]:
    return {(r.severity, r.focus, r.path or "-", r.line or 0) for r in report.results}


@pytest.mark.usefixtures("fixture_assets")
@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_case(case: Path) -> None:
    conforms, expected = _expectations(case)
    report = validate([case], include_bundled_data=True)
    assert _observed(report) == expected
    assert report.conforms is conforms
    assert all(r.file == case for r in report.results)


@pytest.mark.usefixtures("fixture_assets")
def test_the_bundled_data_is_the_default() -> None:
    report = validate()
    assert report.conforms
    assert report.results == ()
    assert (None, RDF.type, SH.ValidationReport) in report.report_graph


@pytest.mark.usefixtures("fixture_assets")
def test_a_result_carries_label_message_shape_and_location() -> None:
    case = FIXTURES / "cases" / "missing-title.ttl"
    (result,) = validate([case], include_bundled_data=True).results
    assert result.focus_node == "https://w3id.org/coopgraph/id/instrument/untitled"
    assert result.focus_label == "An untitled treaty"
    assert result.message == "an instrument needs a title"
    assert result.source_shape == "cgsh:InstrumentShape"
    assert result.as_dict()["line"] == 9


@pytest.mark.usefixtures("fixture_assets")
def test_without_the_bundled_data_references_are_unresolved() -> None:
    report = validate([FIXTURES / "cases" / "conforming.ttl"])
    assert not report.conforms
    assert {r.path for r in report.results} == {"cg:party", "cg:hasParticipation"}


@pytest.mark.usefixtures("fixture_assets")
def test_results_are_sorted_and_counted() -> None:
    cases = [FIXTURES / "cases" / name for name in ("warning-only.ttl", "party-not-a-state.ttl")]
    report = validate(cases)
    keys = [(r.display_file, r.line, r.focus, r.path) for r in report.results]
    assert keys == sorted(keys, key=lambda k: (k[0] or "", k[1] or 0, k[2], k[3] or ""))
    assert report.counts == {"Violation": 4, "Warning": 1, "Info": 0}
    assert report.resource_count == 4


@pytest.mark.usefixtures("fixture_assets")
def test_the_report_as_a_dict_is_json() -> None:
    report = validate([FIXTURES / "cases" / "party-not-a-state.ttl"], include_bundled_data=True)
    decoded = json.loads(json.dumps(report.as_dict()))
    assert decoded["conforms"] is False
    assert decoded["counts"]["Violation"] == 2
    assert {r["path"] for r in decoded["results"]} == {"cg:party", "cg:hasParticipation"}


@pytest.mark.usefixtures("fixture_assets")
def test_no_shapes_means_validation_could_not_run() -> None:
    with pytest.raises(ValidationCouldNotRun, match="no SHACL shapes"):
        validate(shapes_paths=[])


@pytest.mark.usefixtures("fixture_assets")
def test_a_broken_data_file_is_an_input_error() -> None:
    with pytest.raises(InputError):
        validate([FIXTURES / "broken" / "missing-dot.ttl"])


def test_a_malformed_shape_means_validation_could_not_run(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://example.org/S> a sh:NodeShape ;\n"
        "    sh:targetNode <http://example.org/x> ; sh:property [ sh:minCount 1 ] .\n"
    )
    data = FIXTURES / "cases" / "conforming.ttl"
    with pytest.raises(ValidationCouldNotRun, match="not a well-formed SHACL PropertyShape"):
        validate([data], [shapes], ontology_paths=[])
