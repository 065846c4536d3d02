"""SHACL validation of coopgraph data: the bundled shapes against the bundled ontology plus data
(or the user's files), returned as a `ValidationReport` value.

Conformance: the data conforms when no result has severity sh:Violation. Warnings and infos are
reported but do not break conformance (pyshacl's `allow_warnings=True`).

No inference runs: the shapes rely only on rdfs:subClassOf from the ontology, which SHACL's
class targets and sh:class follow natively, so the ontology is loaded into the data graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import cast

import pyoxigraph as ox
import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from coopgraph import build, resources, shacl
from coopgraph.errors import CoopgraphError, ValidationCouldNotRun
from coopgraph.labels import label_of
from coopgraph.namespaces import bind_project_prefixes
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
    reference: bool = False,
    cache_dir: Path | None = None,
) -> ValidationReport:
    """Validate `data_paths` (default: the bundled data) with the ontology (default: bundled)
    against `shapes_paths` (default: the bundled shapes).

    With `include_bundled_data`, the user's files are checked together with the bundled data,
    so that they may refer to the bundled States and organisations. Raises `InputError` when a
    file cannot be read and `ValidationCouldNotRun` when there are no shapes or they are broken.

    The shapes run compiled to SPARQL on an in-memory Oxigraph store (`coopgraph.shacl`);
    pySHACL, the reference, runs instead when they use what is not compiled, or when
    `reference` is true. Both give the same results. When the store for these files has been
    built (in `cache_dir`, default: the usual cache), the report its build filed is read.
    """
    data_files = _data_files(data_paths, include_bundled_data)
    ontology_files = list(resources.ontology_files() if ontology_paths is None else ontology_paths)
    graph_files = [*ontology_files, *data_files]
    shape_files = resources.shape_files() if shapes_paths is None else list(shapes_paths)
    if not reference and shape_files:
        kept = _kept_report(ontology_files, data_files, shape_files, cache_dir)
        if kept is not None:
            return kept
    if not reference:
        # All in the default graph, as the build does: Oxigraph is fastest there.
        store = ox.Store()
        for path in graph_files:
            build.load_file(store, path, ox.DefaultGraph())
    shapes_graph = load_graph(shape_files)
    if not shape_files:
        raise ValidationCouldNotRun(
            "there are no SHACL shapes to validate against",
            "add shapes/*.ttl, or name shape files",
        )
    if not reference:
        fast = validate_store(store, [ox.DefaultGraph()], shapes_graph, graph_files)
        if fast is not None:
            # A store revised after an edit keeps no report (`coopgraph.delta`): keep this one.
            folder = _store_folder(ontology_files, data_files, cache_dir)
            if folder is not None and folder.is_dir():
                with contextlib.suppress(OSError):
                    keep_report(folder, shape_files, graph_files, fast)
            return fast
    data_graph = load_graph(graph_files)
    report_graph = _run_pyshacl(data_graph, shapes_graph)
    results = _results(report_graph, data_graph, shapes_graph, SourceIndex.from_files(graph_files))
    conforms = not any(result.severity == "Violation" for result in results)
    return ValidationReport(conforms=conforms, results=results, report_graph=report_graph)


def validate_store(
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    shapes_graph: Graph,
    files: Sequence[Path],
) -> ValidationReport | None:
    """Validate the data in `graphs` of `store` (parsed from `files`) with the compiled
    shapes; None when the shapes need pySHACL."""
    validator = compiled_validator(store, graphs, shapes_graph)
    if validator is None:
        return None
    return run_validator(validator, store, graphs, shapes_graph, files)[0]


def compiled_validator(
    store: ox.Store, graphs: Sequence[ox.NamedNode | ox.DefaultGraph], shapes_graph: Graph
) -> shacl.Validator | None:
    """The shapes compiled for `graphs` of `store`; None when they need pySHACL."""
    try:
        return shacl.Validator(shapes_graph, store, graphs)
    except shacl.Unsupported:
        return None


RawResults = dict[str, list[shacl.Result]]


def run_validator(
    validator: shacl.Validator,
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    shapes_graph: Graph,
    files: Sequence[Path],
    earlier: RawResults | None = None,
) -> tuple[ValidationReport, RawResults]:
    """The report of `validator`'s checks, and their raw results by check (a check whose
    query is in `earlier` is not run: see `shacl.Validator.results_by_check`)."""
    by_check = validator.results_by_check(earlier)
    raw = [result for found in by_check.values() for result in found]
    report_graph = _report_graph(raw, shapes_graph)
    context = _context_graph(raw, store, graphs, files)
    index = SourceIndex.from_files(files) if raw else SourceIndex()
    results = _results(report_graph, context, shapes_graph, index)
    conforms = not any(result.severity == "Violation" for result in results)
    report = ValidationReport(conforms=conforms, results=results, report_graph=report_graph)
    return report, by_check


_KEPT = "validation-{}.pickle"
_KEPT_CHECKS = "validation-checks-{}.pickle"


def _shapes_digest(shape_files: Sequence[Path]) -> str:
    hasher = hashlib.sha256()
    for path in shape_files:
        hasher.update(path.name.encode() + b"\0")
        try:
            hasher.update(path.read_bytes())
        except OSError:
            hasher.update(b"unreadable")
    return hasher.hexdigest()[:32]


def keep_report(
    folder: Path,
    shape_files: Sequence[Path],
    files: Sequence[Path],
    report: ValidationReport,
    by_check: RawResults | None = None,
) -> None:
    """File `report` (of `files` against `shape_files`) in a store's folder, where `validate`
    finds it again for as long as that store exists; and the raw results by check, which a
    store revised from this one reuses for the checks an edit cannot change."""
    data = pickle.dumps(
        (
            [str(path) for path in files],
            report.conforms,
            report.results,
            report.report_graph.serialize(format="turtle"),
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    digest = _shapes_digest(shape_files)
    (folder / _KEPT.format(digest)).write_bytes(data)
    if by_check is not None:
        raw = pickle.dumps(by_check, protocol=pickle.HIGHEST_PROTOCOL)
        (folder / _KEPT_CHECKS.format(digest)).write_bytes(raw)


def kept_checks(folder: Path, shape_files: Sequence[Path]) -> RawResults | None:
    """The raw results by check kept in a store's folder, for the same shapes; or None."""
    try:
        # Written by keep_report, in the store's own folder in the user's cache.
        kept = pickle.loads(
            (folder / _KEPT_CHECKS.format(_shapes_digest(shape_files))).read_bytes()
        )
    except (OSError, pickle.UnpicklingError, ValueError, EOFError, AttributeError):
        return None
    return kept if isinstance(kept, dict) else None


def _store_folder(
    ontology_files: Sequence[Path], data_files: Sequence[Path], cache_dir: Path | None
) -> Path | None:
    """Where the store for these files is (or would be) kept; None for an unreadable file."""
    from coopgraph.engine import Inputs, default_cache_dir  # noqa: PLC0415 - engine imports us late

    try:
        digest = Inputs(tuple(ontology_files), tuple(data_files)).digest()
    except CoopgraphError:
        return None  # an unreadable file: the usual path says which
    return (cache_dir or default_cache_dir()) / "stores" / digest


def _kept_report(
    ontology_files: Sequence[Path],
    data_files: Sequence[Path],
    shape_files: Sequence[Path],
    cache_dir: Path | None = None,
) -> ValidationReport | None:
    """The report a build of the store for these files filed, if there is one."""
    folder = _store_folder(ontology_files, data_files, cache_dir)
    if folder is None:
        return None
    kept = folder / _KEPT.format(_shapes_digest(shape_files))
    try:
        files, conforms, results, turtle = pickle.loads(kept.read_bytes())
    except (OSError, pickle.UnpicklingError, ValueError, EOFError):
        return None
    if files != [str(path) for path in (*ontology_files, *data_files)]:
        return None
    return ValidationReport(conforms, results, Graph().parse(data=turtle, format="turtle"))


def _report_graph(raw: list[shacl.Result], shapes_graph: Graph) -> Graph:
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


_PREFIX_LINE = re.compile(
    rb"^\s*@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE
)


def _context_graph(
    raw: list[shacl.Result],
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    files: Sequence[Path],
) -> Graph:
    """The little of the data graph that describing `raw` reads: the labels of the nodes in
    the results and, for blank nodes, the triples leading to them; with the prefixes that
    parsing the files with rdflib would have bound."""
    context = Graph()
    bind_project_prefixes(context)
    for path in files:
        if path.suffix.lower() in (".ttl", ".nt"):
            for prefix, namespace in _PREFIX_LINE.findall(path.read_bytes()):
                context.bind(prefix.decode(), namespace.decode(), override=True, replace=True)
    nodes = {term for r in raw for term in (r.focus, r.value) if term is not None}
    pending = [n for n in nodes if isinstance(n, BNode)]
    labelled = [n for n in nodes if isinstance(n, URIRef | BNode)]
    seen: set[Node] = set(pending)
    while pending:
        blank = pending.pop()
        for quad in store.quads_for_pattern(None, None, ox.BlankNode(str(blank)), None):
            if quad.graph_name not in graphs:
                continue
            # The subject of a quad: an IRI or a blank node.
            subject = cast(URIRef | BNode, shacl._term(quad.subject))
            context.add((subject, shacl._term(quad.predicate), blank))
            if subject not in seen:
                seen.add(subject)
                labelled.append(subject)
                if isinstance(subject, BNode):
                    pending.append(subject)
    for node in labelled:
        term = ox.NamedNode(str(node)) if isinstance(node, URIRef) else ox.BlankNode(str(node))
        for predicate in (RDFS.label, SKOS.prefLabel):
            for quad in store.quads_for_pattern(term, ox.NamedNode(str(predicate)), None, None):
                if quad.graph_name in graphs:
                    context.add((node, predicate, shacl._term(quad.object)))
    return context


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
