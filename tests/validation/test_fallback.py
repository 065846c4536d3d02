"""A shape that the compiled validator cannot judge exactly runs on pySHACL, the reference,
and the report says which and why: never a shape skipped, never one judged wrongly."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.errors import ValidationCouldNotRun
from coopgraph.validation.report import ValidationReport
from coopgraph.validation.validator import validate

PROLOGUE = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


def _files(tmp_path: Path, data: str, shapes: str) -> tuple[Path, Path]:
    (tmp_path / "data.ttl").write_text(PROLOGUE + data, encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text(PROLOGUE + shapes, encoding="utf-8")
    return tmp_path / "data.ttl", tmp_path / "shapes.ttl"


def _found(report: ValidationReport) -> set[tuple[str, str | None, str | None]]:
    return {(r.focus, r.path, r.value) for r in report.results}


def test_a_datatype_the_store_rewrites(tmp_path: Path) -> None:
    """Oxigraph keeps "5"^^xsd:int as "5"^^xsd:integer: compiled, ex:a would fail
    sh:datatype xsd:int and ex:b pass it."""
    data, shapes = _files(
        tmp_path,
        'ex:a ex:n "5"^^xsd:int .\nex:b ex:n "5"^^xsd:integer .\n',
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;\n"
        "    sh:property [ sh:path ex:n ; sh:datatype xsd:int ] .\n",
    )
    report = validate([data], [shapes])
    assert _found(report) == {("ex:b", "ex:n", '"5"^^xsd:integer')}
    assert _found(report) == _found(validate([data], [shapes], reference=True))
    ((shape, why),) = report.fallback_shapes
    assert shape == "ex:S"
    assert "sh:datatype xsd:int cannot tell xsd:int from xsd:integer" in why


def test_the_same_shape_compiles_on_data_without_such_literals(tmp_path: Path) -> None:
    data, shapes = _files(
        tmp_path,
        "ex:b ex:n 5 .\n",
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;\n"
        "    sh:property [ sh:path ex:n ; sh:datatype xsd:int ] .\n",
    )
    report = validate([data], [shapes])
    assert report.fallback_shapes == ()
    assert _found(report) == {("ex:b", "ex:n", '"5"^^xsd:integer')}


def test_a_sparql_constraint_that_does_not_select_this(tmp_path: Path) -> None:
    data, shapes = _files(
        tmp_path,
        "ex:a a ex:C ; ex:p ex:b .\n",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        '    sh:sparql [ sh:select "SELECT ?value WHERE { $this <http://example.org/p> ?value }" ;'
        ' sh:message "has p"@en ] .\n',
    )
    report = validate([data], [shapes])
    assert report.fallback_shapes == (("ex:S", "its SPARQL constraint does not select $this"),)
    assert _found(report) == _found(validate([data], [shapes], reference=True))
    assert [r.message for r in report.results] == ["has p"]


def test_the_bundled_shapes_all_run_compiled_on_the_bundled_data() -> None:
    report = validate()
    assert report.fallback_shapes == ()
    assert report.compiled_shapes > 30


def test_this_pre_bound_where_no_pattern_binds_it(tmp_path: Path) -> None:
    """SHACL pre-binds $this: `FILTER ($this = ex:a)` alone selects the focus node ex:a."""
    data, shapes = _files(
        tmp_path,
        "ex:a a ex:C .\nex:b a ex:C .\n",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        '    sh:sparql [ sh:select "SELECT $this WHERE '
        '{ FILTER ($this = <http://example.org/a>) }" ;'
        ' sh:message "is a"@en ] .\n',
    )
    report = validate([data], [shapes])
    assert report.fallback_shapes == ()
    assert _found(report) == {("ex:a", None, "ex:a")}


def test_this_in_a_group_that_does_not_bind_it(tmp_path: Path) -> None:
    """Inside `{ FILTER ($this = ...) } UNION { ... }` $this has the focus node's value, as
    substituting it would give (SHACL 1.0 §5.3.1); pySHACL, with rdflib's initial bindings,
    selects every focus node there."""
    data, shapes = _files(
        tmp_path,
        "ex:a a ex:C .\nex:b a ex:C .\n",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        '    sh:sparql [ sh:select "SELECT $this WHERE { { FILTER (false) } UNION '
        '{ FILTER ($this = <http://example.org/a>) } }" ; sh:message "is a"@en ] .\n',
    )
    report = validate([data], [shapes])
    assert report.fallback_shapes == ()
    assert _found(report) == {("ex:a", None, "ex:a")}
    assert _found(validate([data], [shapes], reference=True)) == {
        ("ex:a", None, "ex:a"),
        ("ex:b", None, "ex:b"),
    }


def test_a_constraint_component_the_shapes_declare(tmp_path: Path) -> None:
    """SHACL 1.0 §6: a shape using a parameter of a declared component runs on pySHACL
    (never a parameter silently ignored)."""
    data, shapes = _files(
        tmp_path,
        'ex:a ex:p "x" .\n',
        "ex:Equal a sh:ConstraintComponent ;\n"
        "    sh:parameter [ sh:path ex:mustBe ] ;\n"
        '    sh:propertyValidator [ a sh:SPARQLSelectValidator ; sh:message "not {$mustBe}" ;\n'
        '        sh:select "SELECT $this ?value WHERE '
        '{ $this $PATH ?value FILTER (?value != $mustBe) }" ] .\n'
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ;\n"
        '    sh:property [ sh:path ex:p ; ex:mustBe "y" ] .\n',
    )
    report = validate([data], [shapes])
    ((_shape, why),) = report.fallback_shapes
    assert why == "it uses the constraint component ex:Equal"
    assert _found(report) == {("ex:a", "ex:p", '"x"')}


def test_what_neither_validator_runs_is_one_clear_error(tmp_path: Path) -> None:
    data, shapes = _files(
        tmp_path,
        "ex:a a ex:C .\n",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n"
        '    sh:sparql [ sh:select "SELECT $this WHERE '
        '{ GRAPH $shapesGraph { $this ?p ?o } }" ] .\n',
    )
    with pytest.raises(ValidationCouldNotRun, match=r"\$shapesGraph"):
        validate([data], [shapes])


def test_a_boolean_parameter_written_1_is_not_true(tmp_path: Path) -> None:
    """SHACL activates sh:deactivated and sh:uniqueLang only for true itself; rdflib writes
    "1"^^xsd:boolean as true when it parses it, so coopgraph reads those values as written."""
    data, shapes = _files(
        tmp_path,
        'ex:a a ex:C ; ex:label "A"@en , "B"@en .\n',
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:deactivated "1"^^xsd:boolean ;\n'
        "    sh:property [ sh:path ex:label ; sh:maxCount 1 ] .\n"
        "ex:T a sh:NodeShape ; sh:targetClass ex:C ;\n"
        "    sh:property [ sh:path ex:label ; sh:uniqueLang '1'^^xsd:boolean ] .\n",
    )
    report = validate([data], [shapes])
    assert [(r.source_shape, r.path) for r in report.results] == [("ex:S", "ex:label")]
