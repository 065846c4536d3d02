"""A shape that the compiled validator cannot judge exactly runs on pySHACL, the reference,
and the report says which and why: never a shape skipped, never one judged wrongly."""

from __future__ import annotations

from pathlib import Path

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
