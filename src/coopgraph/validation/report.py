"""The validation report: every SHACL result located at the file and line of its focus node,
with its terms compacted and labelled for people, whichever validator gave it.

`compiled_report_graph` writes the SHACL report graph pySHACL would give for the compiled checks'
results; `read_results` reads any SHACL report graph (pySHACL's or that one) into
`ValidationResult`s.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Literal as TypingLiteral

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from coopgraph.model import resources
from coopgraph.model.labels import label_of
from coopgraph.model.sources import SourceIndex, nearest_named_ancestor

if TYPE_CHECKING:
    from coopgraph.validation import compiled as shacl

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
    compiled_shapes: int = 0
    """How many top-level shapes ran compiled to SPARQL."""
    fallback_shapes: tuple[tuple[str, str], ...] = ()
    """The top-level shapes that ran on pySHACL instead, each (shape, why)."""

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
            "shapes": {
                "compiled": self.compiled_shapes,
                "pyshacl": [
                    {"shape": shape, "reason": reason} for shape, reason in self.fallback_shapes
                ],
            },
        }


def compiled_report_graph(raw: list[shacl.Result], shapes_graph: Graph) -> Graph:
    """The SHACL report graph pySHACL would give for `raw`."""
    report = Graph()
    for prefix, namespace in shapes_graph.namespaces():
        report.bind(prefix, namespace, override=False)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    conforms = not any(r.severity == SH.Violation for r in raw)
    report.add((root, SH.conforms, Literal(conforms)))
    for result in raw:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, result.focus))
        report.add((node, SH.resultSeverity, result.severity))
        report.add((node, SH.sourceConstraintComponent, result.component))
        report.add((node, SH.sourceShape, result.shape))
        if result.value is not None:
            report.add((node, SH.value, result.value))
        if result.path is not None:
            report.add((node, SH.resultPath, result.path))
            _copy_structure(shapes_graph, result.path, report)
        for message in result.messages:
            report.add((node, SH.resultMessage, message))
    return report


def merge_report_graphs(report: Graph, other: Graph) -> None:
    """Add the results of the SHACL report graph `other` to `report`, and say again whether
    `report` conforms (no result of severity sh:Violation)."""
    (root,) = report.subjects(RDF.type, SH.ValidationReport)
    roots = set(other.subjects(RDF.type, SH.ValidationReport))
    for triple in other:
        subject, predicate, _ = triple
        if subject in roots:
            if predicate == SH.result:
                report.add((root, SH.result, triple[2]))
            continue
        report.add(triple)
    for prefix, namespace in other.namespaces():
        report.bind(prefix, namespace, override=False)
    violation = any(
        report.value(result, SH.resultSeverity) not in (SH.Warning, SH.Info)
        for result in report.objects(root, SH.result)
    )
    report.set((root, SH.conforms, Literal(not violation)))


def _copy_structure(source: Graph, node: Node, target: Graph) -> None:
    """Copy the blank-node structure below `node` (a SHACL path) from `source` to `target`."""
    pending = [node]
    seen: set[Node] = set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BNode) or current in seen:
            continue
        seen.add(current)
        for predicate, obj in source.predicate_objects(current):
            target.add((current, predicate, obj))
            pending.append(obj)


def read_results(
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
    return tuple(sorted(results, key=result_sort_key))


def result_sort_key(result: ValidationResult) -> tuple[object, ...]:
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
        source_shape=shape_name(report, shapes_graph, report.value(node, SH.sourceShape)),
        file=location.file if location else None,
        line=location.line if location else None,
    )


def _severity(iri: Node | None) -> Severity:
    """A custom severity (SHACL allows any IRI) counts as a violation, to be safe."""
    return _SEVERITY_BY_IRI.get(iri, "Violation") if iri is not None else "Violation"


def _compact(graph: Graph, term: Node | None) -> str:
    if term is None:
        return "-"
    if isinstance(term, Literal) and term.datatype == XSD.string:
        term = Literal(str(term))  # RDF 1.1: the same literal, however a parser wrote it
    if isinstance(term, URIRef | Literal | BNode):
        with warnings.catch_warnings():
            # An ill-typed number ("1e"^^xsd:double) is written as it is, which rdflib warns of.
            warnings.simplefilter("ignore")
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


def shape_name(report: Graph, shapes_graph: Graph, shape: Node | None) -> str:
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
