"""`coopgraph validate data.ttl --shapes shapes.ttl` end to end: a shape that is also a class
(SHACL 1.0 §2.1.3.1) reports what pySHACL reports; an ill-typed literal is a located
violation; a shape left to pySHACL is named in the report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyshacl
from click.testing import CliRunner, Result
from rdflib import Graph
from rdflib.namespace import RDF, SH

from coopgraph.cli import main

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:Person a rdfs:Class , sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] ;
    sh:property [ sh:path ex:age ; sh:datatype xsd:integer ; sh:maxCount 1 ] .

ex:Organisation a owl:Class , sh:NodeShape ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""
DATA = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:alice a ex:Person ;
    ex:name "Alice" .

ex:bob a ex:Person ;
    ex:age "forty"^^xsd:integer , 41 .

ex:acme a ex:Organisation .

ex:event ex:year "20x5"^^xsd:gYear .
"""


def _run(tmp_path: Path, *args: str) -> Result:
    (tmp_path / "shapes.ttl").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(DATA, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "validate",
            str(tmp_path / "data.ttl"),
            "--shapes",
            str(tmp_path / "shapes.ttl"),
            "--cache-dir",
            str(tmp_path / "cache"),
            *args,
        ],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_a_shape_that_is_also_a_class_reports_what_pyshacl_reports(tmp_path: Path) -> None:
    result = _run(tmp_path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    shacl_results = Counter(
        (r["focus"], r["path"], r["source_shape"])
        for r in report["results"]
        if r["source_shape"] != "<https://w3id.org/coopgraph/validation#WellTypedLiterals>"
    )
    # pySHACL on the same files; it knows rdfs:Class targets, and owl:Class ones when told
    # (OWL declares owl:Class a subclass of rdfs:Class).
    shapes = Graph().parse(data=SHAPES, format="turtle")
    shapes.parse(
        data="<http://www.w3.org/2002/07/owl#Class> "
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<http://www.w3.org/2000/01/rdf-schema#Class> .",
        format="turtle",
    )
    _conforms, graph, _text = pyshacl.validate(
        Graph().parse(data=DATA, format="turtle"), shacl_graph=shapes, inference="none"
    )
    assert isinstance(graph, Graph)
    expected: Counter[tuple[str, str, str]] = Counter()
    for node in graph.subjects(RDF.type, SH.ValidationResult):
        path = graph.value(node, SH.resultPath)
        focus = graph.value(node, SH.focusNode)
        assert path is not None and focus is not None
        shape = graph.value(node, SH.sourceShape)
        owner = shapes.value(None, SH.property, shape)
        assert owner is not None
        key = (
            focus.n3(shapes.namespace_manager),
            path.n3(shapes.namespace_manager),
            owner.n3(shapes.namespace_manager),
        )
        expected[key] += 1
    assert expected.total() == 4  # bob: no name, an ill-typed and a second age; acme: no name
    assert shacl_results == expected
    assert report["shapes"] == {"compiled": 2, "pyshacl": []}


def test_an_ill_typed_literal_is_a_located_violation(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "20x5" in line]
    assert lines == [
        f"{tmp_path / 'data.ttl'}:12  Violation  ex:event  ex:year  "
        '"20x5" is not a valid xsd:gYear (an ill-typed literal) (value: "20x5"^^xsd:gYear)'
    ]


def test_a_shape_left_to_pyshacl_is_named(tmp_path: Path) -> None:
    (tmp_path / "disjoint.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "ex:Disjoint a sh:NodeShape ; sh:targetNode ex:alice ;\n"
        "    sh:property [ sh:path ex:name ; sh:qualifiedValueShape [ sh:datatype xsd:integer ] ;\n"
        "        sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ] .\n",
        encoding="utf-8",
    )
    result = _run(tmp_path, "--shapes", str(tmp_path / "disjoint.ttl"))
    assert result.exit_code == 1
    assert (
        "1 of 3 shapes ran on pySHACL: ex:Disjoint "
        "(sh:qualifiedValueShapesDisjoint is not compiled)" in result.stdout
    )
    (found,) = [line for line in result.stdout.splitlines() if "MinCount 1" in line]
    assert found.endswith(
        "  ex:alice  ex:name  Focus node does not conform to shape MinCount 1: "
        "[ sh:datatype xsd:integer ]"
    )


def test_a_closed_shape_runs_compiled(tmp_path: Path) -> None:
    (tmp_path / "closed.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "ex:Closed a sh:NodeShape ; sh:targetNode ex:alice ; sh:closed true ;\n"
        "    sh:property [ sh:path ex:name ] .\n",
        encoding="utf-8",
    )
    result = _run(tmp_path, "--shapes", str(tmp_path / "closed.ttl"), "--format", "json")
    report = json.loads(result.stdout)
    assert report["shapes"] == {"compiled": 3, "pyshacl": []}
    (closed,) = [r for r in report["results"] if r["source_shape"] == "ex:Closed"]
    assert (closed["focus"], closed["path"], closed["value"]) == (
        "ex:alice",
        "rdf:type",
        "ex:Person",
    )
    assert closed["message"] == "Node ex:alice is closed. It cannot have value: ex:Person"
