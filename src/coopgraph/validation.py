"""SHACL validation of coopgraph data: the bundled shapes against the bundled ontology plus data
(or the user's files), returned as a `ValidationReport` value.

Conformance: the data conforms when no result has severity sh:Violation. Warnings and infos are
reported but do not break conformance (pyshacl's `allow_warnings=True`).

No inference runs: the shapes rely only on rdfs:subClassOf from the ontology, which SHACL's
class targets and sh:class follow natively, so the ontology is loaded into the data graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from coopgraph import resources
from coopgraph.errors import ValidationCouldNotRun
from coopgraph.labels import label_of
from coopgraph.sources import SourceIndex, nearest_named_ancestor
from coopgraph.store import load_graph

Severity = TypingLiteral["Violation", "Warning", "Info"]
SEVERITIES: tuple[Severity, ...] = ("Violation", "Warning", "Info")
_SEVERITY_BY_IRI: dict[Node, Severity] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the terms compacted (`cg:hasParticipation`) for people."""

    severity: Severity
    focus_node: str
    """The full IRI of the focus node (or `_:id` for a blank node)."""
    focus: str
    """The focus node compacted with the graph's prefixes, e.g. `inst:palermo-protocol`."""
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    source_shape: str
    file: Path | None
    line: int | None

    @property
    def display_file(self) -> str | None:
        return resources.display_path(self.file) if self.file is not None else None

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "focus_node": self.focus_node,
            "focus": self.focus,
            "focus_label": self.focus_label,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "source_shape": self.source_shape,
            "file": self.display_file,
            "line": self.line,
        }


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation run; `results` are sorted by file, line, focus and path."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    report_graph: Graph = field(compare=False, repr=False)

    @property
    def counts(self) -> dict[Severity, int]:
        tally = Counter(result.severity for result in self.results)
        return {severity: tally[severity] for severity in SEVERITIES}

    @property
    def resource_count(self) -> int:
        """How many distinct focus nodes have at least one result."""
        return len({result.focus_node for result in self.results})

    def as_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "counts": dict(self.counts),
            "resources": self.resource_count,
            "results": [result.as_dict() for result in self.results],
        }


def validate(
    data_paths: Sequence[Path] | None = None,
    shapes_paths: Sequence[Path] | None = None,
    *,
    include_bundled_data: bool = False,
    ontology_paths: Sequence[Path] | None = None,
) -> ValidationReport:
    """Validate `data_paths` (default: the bundled data) with the ontology (default: bundled)
    against `shapes_paths` (default: the bundled shapes).

    With `include_bundled_data`, the user's files are checked together with the bundled data,
    so that they may refer to the bundled States and organisations. Raises `InputError` when a
    file cannot be read and `ValidationCouldNotRun` when there are no shapes or they are broken.
    """
    data_files = _data_files(data_paths, include_bundled_data)
    graph_files = [
        *(resources.ontology_files() if ontology_paths is None else ontology_paths),
        *data_files,
    ]
    shape_files = resources.shape_files() if shapes_paths is None else list(shapes_paths)
    data_graph = load_graph(graph_files)
    shapes_graph = load_graph(shape_files)
    if not shape_files:
        raise ValidationCouldNotRun(
            "there are no SHACL shapes to validate against",
            "add shapes/*.ttl, or name shape files",
        )
    report_graph = _run_pyshacl(data_graph, shapes_graph)
    results = _results(report_graph, data_graph, shapes_graph, SourceIndex.from_files(graph_files))
    conforms = not any(result.severity == "Violation" for result in results)
    return ValidationReport(conforms=conforms, results=results, report_graph=report_graph)


def _data_files(data_paths: Sequence[Path] | None, include_bundled_data: bool) -> list[Path]:
    if data_paths is None:
        return resources.data_files()
    files = list(data_paths)
    if include_bundled_data:
        given = {path.resolve() for path in files}
        files += [path for path in resources.data_files() if path.resolve() not in given]
    return files


def _run_pyshacl(data_graph: Graph, shapes_graph: Graph) -> Graph:
    try:
        _conforms, report, _text = pyshacl.validate(
            data_graph,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,
            allow_warnings=True,
        )
    except ReportableRuntimeError as error:
        raise ValidationCouldNotRun(
            f"SHACL validation could not run: {error}", "fix the shapes named in the message"
        ) from error
    if not isinstance(report, Graph):  # pyshacl returns its ValidationFailure in its place
        raise ValidationCouldNotRun(f"SHACL validation failed: {report}", "fix the shapes")
    return report


def _results(
    report_graph: Graph, data_graph: Graph, shapes_graph: Graph, index: SourceIndex
) -> tuple[ValidationResult, ...]:
    for prefix, namespace in data_graph.namespaces():
        report_graph.bind(prefix, namespace, override=True, replace=True)
    # Only top-level results: those nested under sh:detail explain a result already listed.
    nodes = {
        result
        for report in report_graph.subjects(RDF.type, SH.ValidationReport)
        for result in report_graph.objects(report, SH.result)
    }
    results = [_result(node, report_graph, data_graph, shapes_graph, index) for node in nodes]
    return tuple(sorted(results, key=_sort_key))


def _sort_key(result: ValidationResult) -> tuple[object, ...]:
    file = result.display_file
    return (
        file is None,
        file or "",
        result.line or 0,
        result.focus,
        result.path or "",
        SEVERITIES.index(result.severity),
        result.message,
        result.value or "",
    )


def _result(
    node: Node, report: Graph, data_graph: Graph, shapes_graph: Graph, index: SourceIndex
) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    location = index.locate(focus, data_graph) if focus is not None else None
    return ValidationResult(
        severity=_severity(report.value(node, SH.resultSeverity)),
        focus_node=str(focus) if not isinstance(focus, BNode) else focus.n3(),
        focus=_display(report, data_graph, focus),
        focus_label=_label(data_graph, focus),
        path=render_path(report, path) if path is not None else None,
        value=_display(report, data_graph, value) if value is not None else None,
        message=_message(report, node),
        source_shape=_shape_name(report, shapes_graph, report.value(node, SH.sourceShape)),
        file=location.file if location else None,
        line=location.line if location else None,
    )


def _severity(iri: Node | None) -> Severity:
    """A custom severity (SHACL allows any IRI) counts as a violation, to be safe."""
    return _SEVERITY_BY_IRI.get(iri, "Violation") if iri is not None else "Violation"


def _compact(graph: Graph, term: Node | None) -> str:
    if term is None:
        return "-"
    if isinstance(term, URIRef | Literal | BNode):
        return term.n3(graph.namespace_manager)
    return str(term)


def _display(report: Graph, data_graph: Graph, term: Node | None) -> str:
    """A term compacted for people; a blank node is shown as `[] of <its named ancestor>`."""
    if isinstance(term, BNode):
        ancestor = nearest_named_ancestor(data_graph, term)
        return f"[] of {_compact(report, ancestor)}" if ancestor is not None else "[]"
    return _compact(report, term)


def _label(data_graph: Graph, focus: Node | None) -> str | None:
    if focus is None:
        return None
    label = label_of(data_graph, focus)
    if label is None and isinstance(focus, BNode):
        ancestor = nearest_named_ancestor(data_graph, focus)
        label = label_of(data_graph, ancestor) if ancestor is not None else None
    return label


def _message(report: Graph, node: Node) -> str:
    messages = [m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)]
    english = [m for m in messages if (m.language or "en").lower().startswith("en")]
    chosen = sorted(str(m) for m in (english or messages))
    if chosen:
        return "; ".join(chosen)
    component = report.value(node, SH.sourceConstraintComponent)
    return f"{_compact(report, component)} not satisfied"


def _shape_name(report: Graph, shapes_graph: Graph, shape: Node | None) -> str:
    """A blank-node property shape is named by the node shape it belongs to."""
    if isinstance(shape, BNode):
        named = nearest_named_ancestor(shapes_graph, shape)
        if named is not None:
            return _compact(report, named)
    return _compact(report, shape)


def render_path(graph: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL property-path syntax, e.g. `^cg:party/rdfs:label`."""
    if not isinstance(path, BNode):
        return _compact(graph, path)
    if (path, RDF.first, None) in graph:
        return "/".join(_grouped(graph, step) for step in Collection(graph, path))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(render_path(graph, a) for a in Collection(graph, alternatives)) + ")"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _grouped(graph, inverse)
    for predicate, suffix in _PATH_SUFFIXES.items():
        inner = graph.value(path, predicate)
        if inner is not None:
            return _grouped(graph, inner) + suffix
    return path.n3()


_PATH_SUFFIXES = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def _grouped(graph: Graph, path: Node) -> str:
    rendered = render_path(graph, path)
    needs_brackets = isinstance(path, BNode) and (path, RDF.first, None) in graph
    return f"({rendered})" if needs_brackets else rendered
