"""SHACL validation of coopgraph data: the bundled shapes against the bundled ontology plus data
(or the user's files), returned as a `ValidationReport` value.

Conformance: the data conforms when no result has severity sh:Violation. Warnings and infos are
reported but do not break conformance (pyshacl's `allow_warnings=True`).

No inference runs: the shapes rely only on rdfs:subClassOf from the ontology, which SHACL's
class targets and sh:class follow natively, so the ontology is loaded into the data graph.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pyoxigraph as ox
import rdflib
from rdflib import RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH, SKOS, XSD
from rdflib.term import Node

from coopgraph.errors import ValidationCouldNotRun
from coopgraph.model import resources
from coopgraph.model.files import OXIGRAPH_FORMATS, load_file, load_graph, rdf_format
from coopgraph.model.namespaces import bind_project_prefixes
from coopgraph.model.sources import SourceIndex
from coopgraph.validation import compiled as shacl
from coopgraph.validation.kept import RawResults, keep_report, kept_report, store_folder
from coopgraph.validation.literals import (
    WELL_TYPED_LITERALS,
    IllTypedLiteral,
    find_ill_typed,
    literal_line,
)
from coopgraph.validation.messages import with_generic_messages
from coopgraph.validation.reference import run_pyshacl
from coopgraph.validation.report import (
    ValidationReport,
    compiled_report_graph,
    merge_report_graphs,
    read_results,
    result_sort_key,
    shape_name,
)
from coopgraph.validation.wellformed import check_shapes, shape_error


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
    file cannot be read, `ShapeError` for a malformed shape and `ValidationCouldNotRun` when
    there are no shapes.

    Each top-level shape runs compiled to SPARQL on an in-memory Oxigraph store
    (`coopgraph.validation.compiled`), or, when it uses what is not compiled, on pySHACL, the
    reference (the report counts both); with `reference`, every shape runs on pySHACL. Both
    give the same results. Every literal of an XSD datatype is checked against its datatype
    as well (`coopgraph.validation.literals`). When the store for these files has been built
    (in `cache_dir`, default: the usual cache), the report its build filed is read.
    """
    data_files = _data_files(data_paths, include_bundled_data)
    ontology_files = list(resources.ontology_files() if ontology_paths is None else ontology_paths)
    graph_files = [*ontology_files, *data_files]
    shape_files = resources.shape_files() if shapes_paths is None else list(shapes_paths)
    if not reference and shape_files:
        kept = kept_report(ontology_files, data_files, shape_files, cache_dir)
        if kept is not None:
            return kept
    if not reference:
        # All in the default graph, as the build does: Oxigraph is fastest there.
        store = ox.Store()
        for path in graph_files:
            load_file(store, path, ox.DefaultGraph())
    shapes_graph = _load_shapes(shape_files)
    if not shape_files:
        raise ValidationCouldNotRun(
            "there are no SHACL shapes to validate against",
            "add shapes/*.ttl, or name shape files",
        )
    check_shapes(shapes_graph, shape_files)
    if not reference:
        report = validate_store(store, [ox.DefaultGraph()], shapes_graph, graph_files, shape_files)
        # A store revised after an edit keeps no report (`coopgraph.build.revise`): keep
        # this one.
        folder = store_folder(ontology_files, data_files, cache_dir)
        if folder is not None and folder.is_dir():
            with contextlib.suppress(OSError):
                keep_report(folder, shape_files, graph_files, report)
        return report
    data_graph = load_graph(graph_files)
    report_graph = run_pyshacl(data_graph, shapes_graph)
    literals = {o for o in data_graph.objects() if isinstance(o, Literal)}
    ill_typed = find_ill_typed(
        literals,
        lambda literal: [(s, cast(URIRef, p)) for s, p in data_graph.subject_predicates(literal)],
    )
    top_level = shacl.Shapes(shapes_graph).top_level()
    return _report(
        report_graph,
        [(report_graph, data_graph)],
        data_graph,
        shapes_graph,
        graph_files,
        ill_typed,
        compiled=0,
        fallback=[(shape, "asked for the reference") for shape in top_level],
    )


_BOOLEAN_PARAMETERS = (SH.uniqueLang, SH.deactivated, SH.closed, SH.qualifiedValueShapesDisjoint)
_WRITTEN_AS_DIGIT = re.compile(
    rb"(?:uniqueLang|deactivated|closed|qualifiedValueShapesDisjoint)>?\s+[\"']\s*[01]\s*[\"']"
)
_NORMALISATION = threading.Lock()


def _load_shapes(shape_files: Sequence[Path]) -> Graph:
    """The shapes graph. SHACL activates sh:uniqueLang, sh:closed, sh:deactivated only for
    `true` itself, not for `"1"^^xsd:boolean`, which rdflib writes as `true` when it parses it:
    where the files write a boolean parameter so, they are read again without rdflib's
    normalisation, for those values only."""
    graph = load_graph(shape_files)
    digits = []
    for path in shape_files:
        with contextlib.suppress(OSError):
            digits.append(_WRITTEN_AS_DIGIT.search(path.read_bytes()) is not None)
    if not any(digits):
        return graph
    with _NORMALISATION:
        # A process-wide setting of rdflib's: coopgraph validates on one thread at a time.
        before = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = False
        try:
            raw = load_graph(shape_files)
        finally:
            rdflib.NORMALIZE_LITERALS = before
    exact = Graph()
    for prefix, namespace in graph.namespaces():
        exact.bind(prefix, namespace, override=True, replace=True)
    for subject, predicate, written in raw:
        value = written
        if isinstance(written, Literal) and predicate not in _BOOLEAN_PARAMETERS:
            value = Literal(str(written), lang=written.language, datatype=written.datatype)
        exact.add((subject, predicate, value))
    return exact


def validate_store(
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    shapes_graph: Graph,
    files: Sequence[Path],
    shape_files: Sequence[Path] = (),
) -> ValidationReport:
    """Validate the data in `graphs` of `store` (parsed from `files`) with the shapes:
    compiled where they can be, on pySHACL where not."""
    validator = compiled_validator(store, graphs, shapes_graph, shape_files)
    return run_validator(validator, store, graphs, shapes_graph, files)[0]


def compiled_validator(
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    shapes_graph: Graph,
    shape_files: Sequence[Path] = (),
) -> shacl.Validator:
    """The shapes compiled for `graphs` of `store` (those that are not are in its
    `fallback`). Raises `ShapeError` for a malformed shape."""
    try:
        return shacl.Validator(shapes_graph, store, graphs)
    except shacl.MalformedShape as error:
        raise shape_error(error, shapes_graph, shape_files) from error


def run_validator(
    validator: shacl.Validator,
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    shapes_graph: Graph,
    files: Sequence[Path],
    earlier: RawResults | None = None,
) -> tuple[ValidationReport, RawResults]:
    """The report of `validator`'s checks and of the shapes it left to pySHACL, and the raw
    results by check of the compiled ones (a check whose query is in `earlier` is not run:
    see `shacl.Validator.results_by_check`)."""
    written, ill_written = _rewritten_as_written(files)
    unsafe = validator.rewrite_unsafe(written)
    if unsafe:
        # The store cannot tell "5"^^xsd:int from "5"^^xsd:integer: pySHACL can.
        validator = shacl.Validator(shapes_graph, store, graphs, unsafe)
    by_check = validator.results_by_check(earlier)
    raw = [result for found in by_check.values() for result in found]
    ill_typed = _ill_typed_in_store(store, graphs)
    # Blank nodes are named apart by the store and by a parse of the files.
    known: set[tuple[Node | None, URIRef, Literal]]
    known = {(f.subject, f.predicate, f.literal) for f in ill_typed}
    known |= {(None, f.predicate, f.literal) for f in ill_typed if isinstance(f.subject, BNode)}
    for found in ill_written:
        subject = None if isinstance(found.subject, BNode) else found.subject
        if (subject, found.predicate, found.literal) not in known:
            ill_typed.append(found)
    data_graph: Graph | None = None
    fallback_graph: Graph | None = None
    if validator.fallback:
        data_graph = load_graph(files)
        fallback_graph = run_pyshacl(
            data_graph, _only(shapes_graph, validator, [shape for shape, _ in validator.fallback])
        )
    # The compiled results name blank nodes as the store does, pySHACL's as rdflib does:
    # each is read with its own graph.
    context = _context_graph(raw, store, graphs, files)
    for found in ill_typed:
        _add_context(context, found.subject, store, graphs)
    raw = with_generic_messages(raw, shapes_graph, context)
    report_graph = compiled_report_graph(raw, shapes_graph)
    parts = [(compiled_report_graph(raw, shapes_graph), context)]
    if fallback_graph is not None and data_graph is not None:
        parts.append((fallback_graph, data_graph))
        merge_report_graphs(report_graph, fallback_graph)
    report = _report(
        report_graph,
        parts,
        context,
        shapes_graph,
        files,
        ill_typed,
        compiled=len(validator.compiled),
        fallback=validator.fallback,
    )
    return report, by_check


def _only(shapes_graph: Graph, validator: shacl.Validator, shapes: Sequence[Node]) -> Graph:
    """A copy of `shapes_graph` in which only `shapes` have targets (pySHACL runs them)."""
    copy = Graph()
    for prefix, namespace in shapes_graph.namespaces():
        copy.bind(prefix, namespace)
    for triple in shapes_graph:
        copy.add(triple)
    s = validator.shapes
    for shape in validator.compiled:
        for predicate in _TARGETS:
            copy.remove((shape, predicate, None))
        if s.implicit_class(shape):
            copy.remove((shape, RDF.type, RDFS.Class))
            copy.remove((shape, RDF.type, OWL.Class))
    for shape in shapes:
        if s.implicit_class(shape):
            # pySHACL knows only rdfs:Class (and its subclasses in the shapes graph) there.
            copy.add((shape, SH.targetClass, shape))
    return copy


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def _ill_typed_in_store(
    store: ox.Store, graphs: Sequence[ox.NamedNode | ox.DefaultGraph]
) -> list[IllTypedLiteral]:
    query = (
        "SELECT DISTINCT ?l WHERE { ?s ?p ?l FILTER (isLiteral(?l) "
        f'&& STRSTARTS(STR(DATATYPE(?l)), "{XSD}") && DATATYPE(?l) != <{XSD.string}>) }}'
    )
    # Their lexical forms as written: rdflib would write some in canonical form (" 12 ").
    written: dict[Literal, str] = {}
    for row in shacl._select(store, query, graphs):
        term = row["l"]
        literal = Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
        written[literal] = str(term)

    def triples_of(literal: Literal) -> list[tuple[Node, URIRef]]:
        query = f"SELECT ?s ?p WHERE {{ ?s ?p {written[literal]} }}"
        found = shacl._select(store, query, graphs)
        return [(shacl._term(row["s"]), cast(URIRef, shacl._term(row["p"]))) for row in found]

    return find_ill_typed(written, triples_of)


# Oxigraph stores "300"^^xsd:byte as "300"^^xsd:integer (`shacl.STORE_REWRITES`): the files
# that may hold such a literal are read again.
_MENTIONS_REWRITTEN = re.compile(
    rb"[:#](?:byte|short|int|long|dateTimeStamp|unsigned(?:Byte|Short|Int|Long)"
    rb"|(?:positive|negative|nonNegative|nonPositive)Integer)\b"
)


def _rewritten_as_written(
    files: Sequence[Path],
) -> tuple[frozenset[URIRef], list[IllTypedLiteral]]:
    """The datatypes that the store rewrites with which the data writes literals, and those
    literals that are ill-typed, read from the files that mention one of them (parsed again:
    that is rare, and fast)."""
    found: dict[Literal, list[tuple[Node, URIRef]]] = {}
    for path in files:
        try:
            if not _MENTIONS_REWRITTEN.search(path.read_bytes()):
                continue
            triples = ox.parse(
                path=str(path),
                format=OXIGRAPH_FORMATS[rdf_format(path)],
                base_iri=path.resolve().as_uri(),
            )
            for quad in triples:
                term = quad.object
                if (
                    not isinstance(term, ox.Literal)
                    or URIRef(term.datatype.value) not in shacl.STORE_REWRITES
                ):
                    continue
                literal = Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
                subject = shacl._term(quad.subject)
                found.setdefault(literal, []).append((subject, URIRef(quad.predicate.value)))
        except (OSError, SyntaxError, ValueError):
            continue  # the store loaded it: what cannot be read again is not checked again
    written = frozenset(cast(URIRef, literal.datatype) for literal in found)
    return written, find_ill_typed(found, lambda literal: found[literal])


def _add_context(
    context: Graph,
    subject: Node,
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
) -> None:
    """What describing a result about `subject` reads (its labels, the triples to it)."""
    term = ox.NamedNode(str(subject)) if isinstance(subject, URIRef) else ox.BlankNode(str(subject))
    for quad in store.quads_for_pattern(None, None, term, None):
        if quad.graph_name in graphs:
            context.add((shacl._term(quad.subject), shacl._term(quad.predicate), subject))
    for predicate in (RDFS.label, SKOS.prefLabel):
        for quad in store.quads_for_pattern(term, ox.NamedNode(str(predicate)), None, None):
            if quad.graph_name in graphs:
                context.add((subject, predicate, shacl._term(quad.object)))


def _report(
    report_graph: Graph,
    parts: Sequence[tuple[Graph, Graph]],
    data_graph: Graph,
    shapes_graph: Graph,
    files: Sequence[Path],
    ill_typed: Sequence[IllTypedLiteral],
    *,
    compiled: int,
    fallback: Sequence[tuple[Node, str]],
) -> ValidationReport:
    """The located report of the results of `parts` (each a report graph and the data graph
    that names its blank nodes; `report_graph` has them all) and of the ill-typed literals
    in `data_graph` (one that a shape's sh:datatype result already names is not named twice)."""
    index = SourceIndex.from_files(files)
    results = [
        result for part, graph in parts for result in read_results(part, graph, shapes_graph, index)
    ]
    named = {(r.focus_node, r.path, r.value) for r in results}
    literal_results = []
    for found in ill_typed:
        (result,) = read_results(
            _literal_report(found, report_graph), data_graph, shapes_graph, index
        )
        if (result.focus_node, result.path, result.value) in named:
            continue
        place = literal_line(found.literal, result.file, result.line, files)
        if place is not None:
            result = dataclasses.replace(result, file=place[0], line=place[1])
        literal_results.append(result)
        _add_literal_result(report_graph, found)
    conforms = not any(result.severity == "Violation" for result in (*results, *literal_results))
    report_graph.set(
        (next(report_graph.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(conforms))
    )
    everything = tuple(sorted([*results, *literal_results], key=result_sort_key))
    return ValidationReport(
        conforms=conforms,
        results=everything,
        report_graph=report_graph,
        compiled_shapes=compiled,
        fallback_shapes=tuple(
            (shape_name(report_graph, shapes_graph, shape), why) for shape, why in fallback
        ),
    )


def _literal_report(found: IllTypedLiteral, like: Graph) -> Graph:
    graph = Graph()
    for prefix, namespace in like.namespaces():
        graph.bind(prefix, namespace)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    _add_literal_result(graph, found, root)
    return graph


def _add_literal_result(graph: Graph, found: IllTypedLiteral, root: Node | None = None) -> None:
    if root is None:
        root = next(graph.subjects(RDF.type, SH.ValidationReport))
    node = BNode()
    graph.add((root, SH.result, node))
    graph.add((node, RDF.type, SH.ValidationResult))
    graph.add((node, SH.focusNode, found.subject))
    graph.add((node, SH.resultPath, found.predicate))
    graph.add((node, SH.value, found.literal))
    graph.add((node, SH.resultSeverity, SH.Violation))
    graph.add((node, SH.sourceConstraintComponent, SH.DatatypeConstraintComponent))
    graph.add((node, SH.sourceShape, WELL_TYPED_LITERALS))
    graph.add((node, SH.resultMessage, Literal(found.problem)))


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
