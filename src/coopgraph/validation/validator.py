"""SHACL validation of coopgraph data: the bundled shapes against the bundled ontology plus data
(or the user's files), returned as a `ValidationReport` value.

Conformance: the data conforms when no result has severity sh:Violation. Warnings and infos are
reported but do not break conformance (pyshacl's `allow_warnings=True`).

No inference runs: the shapes rely only on rdfs:subClassOf from the ontology, which SHACL's
class targets and sh:class follow natively, so the ontology is loaded into the data graph.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import RDFS, BNode, Graph, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from coopgraph.errors import ValidationCouldNotRun
from coopgraph.model import resources
from coopgraph.model.files import load_file, load_graph
from coopgraph.model.namespaces import bind_project_prefixes
from coopgraph.model.sources import SourceIndex
from coopgraph.validation import compiled as shacl
from coopgraph.validation.kept import RawResults, keep_report, kept_report, store_folder
from coopgraph.validation.report import ValidationReport, compiled_report_graph, read_results


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

    The shapes run compiled to SPARQL on an in-memory Oxigraph store
    (`coopgraph.validation.compiled`); pySHACL, the reference, runs instead when they use what
    is not compiled, or when `reference` is true. Both give the same results. When the store
    for these files has been built (in `cache_dir`, default: the usual cache), the report its
    build filed is read.
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
    shapes_graph = load_graph(shape_files)
    if not shape_files:
        raise ValidationCouldNotRun(
            "there are no SHACL shapes to validate against",
            "add shapes/*.ttl, or name shape files",
        )
    if not reference:
        fast = validate_store(store, [ox.DefaultGraph()], shapes_graph, graph_files)
        if fast is not None:
            # A store revised after an edit keeps no report (`coopgraph.build.revise`): keep
            # this one.
            folder = store_folder(ontology_files, data_files, cache_dir)
            if folder is not None and folder.is_dir():
                with contextlib.suppress(OSError):
                    keep_report(folder, shape_files, graph_files, fast)
            return fast
    data_graph = load_graph(graph_files)
    from coopgraph.validation.reference import run_pyshacl  # noqa: PLC0415 - slow to import

    report_graph = run_pyshacl(data_graph, shapes_graph)
    results = read_results(
        report_graph, data_graph, shapes_graph, SourceIndex.from_files(graph_files)
    )
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
    report_graph = compiled_report_graph(raw, shapes_graph)
    context = _context_graph(raw, store, graphs, files)
    index = SourceIndex.from_files(files) if raw else SourceIndex()
    results = read_results(report_graph, context, shapes_graph, index)
    conforms = not any(result.severity == "Violation" for result in results)
    report = ValidationReport(conforms=conforms, results=results, report_graph=report_graph)
    return report, by_check


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
