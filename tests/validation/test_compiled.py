"""The shapes compiled to SPARQL give the results pySHACL, the reference, gives: same focus node,
path, value, constraint component, source shape, severity and messages."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Graph
from rdflib.namespace import SH
from rdflib.term import Node

from coopgraph.model import resources
from coopgraph.model.files import load_graph
from coopgraph.validation import compiled as shacl
from coopgraph.validation.report import ValidationReport
from coopgraph.validation.validator import validate

from ..conftest import FIXTURES
from ..generated import generated_data
from . import test_shapes

Key = tuple[str, ...]


def _text(node: Node | None) -> str:
    # Blank nodes are named differently by the two parsers; the other fields place them.
    return "" if node is None else ("[]" if isinstance(node, BNode) else str(node))


def _key(
    focus: Node | None,
    path: Node | None,
    value: Node | None,
    component: Node | None,
    shape: Node | None,
    severity: Node | None,
    messages: list[str],
) -> Key:
    shapes = test_shapes.shapes_graph()
    return (
        _text(focus),
        test_shapes.render_path(shapes, path) if path is not None else "",
        _text(value),
        _text(component),
        test_shapes._compact(test_shapes._named_shape(shape)),
        _text(severity),
        " | ".join(sorted(messages)),
    )


def reference_results(data: Graph, shapes: Graph) -> Counter[Key]:
    _conforms, report, _text_report = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(report, Graph)
    return Counter(
        _key(
            report.value(node, SH.focusNode),
            report.value(node, SH.resultPath),
            report.value(node, SH.value),
            report.value(node, SH.sourceConstraintComponent),
            report.value(node, SH.sourceShape),
            report.value(node, SH.resultSeverity),
            [str(m) for m in report.objects(node, SH.resultMessage)],
        )
        for node in report.objects(None, SH.result)
    )


def compiled_results(data: Graph, shapes: Graph) -> Counter[Key]:
    store = ox.Store()
    graph = ox.NamedNode("urn:test:data")
    store.load(
        data.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=graph
    )
    return Counter(
        _key(
            r.focus, r.path, r.value, r.component, r.shape, r.severity, [str(m) for m in r.messages]
        )
        for r in shacl.Validator(shapes, store, [graph]).results()
    )


CASES = test_shapes.OK_CASES + test_shapes.BAD_CASES


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_every_shape_case(case: Path) -> None:
    data = test_shapes.case_data_graph(case)
    shapes = test_shapes.shapes_graph()
    assert compiled_results(data, shapes) == reference_results(data, shapes)


@pytest.mark.parametrize("name", [p.name for p in resources.data_files()])
def test_each_bundled_file_alone(name: str) -> None:
    """Without the other files, references dangle: many results to agree on."""
    (path,) = [p for p in resources.data_files() if p.name == name]
    data = load_graph([*resources.ontology_files(), path])
    shapes = test_shapes.shapes_graph()
    assert compiled_results(data, shapes) == reference_results(data, shapes)


def test_a_generated_graph_of_ten_thousand_triples() -> None:
    data = load_graph([*resources.ontology_files(), generated_data("10k")])
    shapes = test_shapes.shapes_graph()
    compiled = compiled_results(data, shapes)
    assert compiled == reference_results(data, shapes)


def _as_dicts(report: ValidationReport) -> list[dict[str, object]]:
    """The results as dicts, blank-node identifiers aside (each parser names them)."""
    rows = [result.as_dict() for result in report.results]
    for row in rows:
        if str(row["focus_node"]).startswith("_:"):
            row["focus_node"] = "_:"
    return rows


def test_validate_uses_the_compiled_shapes_and_agrees_with_pyshacl() -> None:
    files = [FIXTURES / "cases" / name for name in ("warning-only.ttl", "party-not-a-state.ttl")]
    fast = validate(files)
    reference = validate(files, reference=True)
    assert fast.conforms == reference.conforms
    assert _as_dicts(fast) == _as_dicts(reference)


def test_shapes_with_what_is_not_compiled_fall_back_to_pyshacl(tmp_path: Path) -> None:
    shapes = tmp_path / "less-than.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix cg: <https://w3id.org/coopgraph/def/> .\n"
        "<https://example.org/S> a sh:NodeShape ; sh:targetClass cg:State ;\n"
        "    sh:property [ sh:path cg:iso3166Alpha3 ; sh:lessThan cg:iso3166Alpha2 ] ;"
        " sh:message 'less'@en .\n",
        encoding="utf-8",
    )
    data = [FIXTURES / "cases" / "conforming.ttl"]
    fast = validate(data, [shapes, *resources.shape_files()], include_bundled_data=True)
    reference = validate(
        data, [shapes, *resources.shape_files()], include_bundled_data=True, reference=True
    )
    assert _as_dicts(fast) == _as_dicts(reference)
    assert any(r.source_shape == "<https://example.org/S>" for r in fast.results)
    # Only that shape ran on pySHACL, and the report says so and why.
    assert fast.fallback_shapes == (("<https://example.org/S>", "sh:lessThan is not compiled"),)
    assert fast.compiled_shapes == len(shacl.Shapes(test_shapes.shapes_graph()).top_level())
