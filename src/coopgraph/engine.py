"""The query engines: an embedded Oxigraph store kept on disk, and rdflib as the cross-check.

The Oxigraph store holds the ontology, the data and the OWL 2 RL entailments, each in its
own named graph, and is built once per content of the inputs: the cache folder's name is a
hash of every input file, so a second run opens the store without parsing or reasoning,
and an edited file gives a new hash: the new store is revised from the earlier one where
the edit allows (`coopgraph.delta`), else built in full. Either is written to a temporary
folder and renamed into place, so a failed build never leaves a half-written store and
never touches the previous good one.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node

from coopgraph import __version__, build, closure, delta, footprint, resources, shacl, tables
from coopgraph.closure import Part
from coopgraph.errors import CoopgraphError, InputError, QueryError
from coopgraph.progress import Progress, Silent
from coopgraph.reasoning import entailments
from coopgraph.results import ResultTable, Row, converted_rows
from coopgraph.store import load_graph
from coopgraph.terms import from_oxigraph

GRAPH_BASE = "https://w3id.org/coopgraph/graph/"
ONTOLOGY_GRAPH = URIRef(GRAPH_BASE + "ontology")
DATA_GRAPH = URIRef(GRAPH_BASE + "data")
ENTAILMENTS_GRAPH = URIRef(GRAPH_BASE + "entailments")

# Bump when the way a store is built changes, so that old caches are not reused.
STORE_LAYOUT = "3"
KEEP_STORES = 3

Bindings = Mapping[str, Node]
# `coopgraph sparql` ends its PREFIX prologue with this comment line.
PROLOGUE_END = "# end of coopgraph prefixes\n"


@dataclass(frozen=True)
class Inputs:
    """The files a store is built from."""

    ontology: tuple[Path, ...]
    data: tuple[Path, ...]

    @classmethod
    def bundled(cls) -> Inputs:
        return cls(tuple(resources.ontology_files()), tuple(resources.data_files()))

    @classmethod
    def with_data(cls, data: Sequence[Path]) -> Inputs:
        """The bundled ontology with the given data files."""
        return cls(tuple(resources.ontology_files()), tuple(data))

    def parts(self) -> list[Part]:
        """Each input file with its role and a hash of its content."""
        return [
            Part(str(path.resolve()), role, hashlib.sha256(_read(path)).hexdigest())
            for role, paths in (("ontology", self.ontology), ("data", self.data))
            for path in paths
        ]

    def digest(self, parts: Sequence[Part] | None = None) -> str:
        """A hash of the content of every input (`parts`, when they are at hand), of the
        store layout and of coopgraph's version."""
        hasher = hashlib.sha256(f"{STORE_LAYOUT}\0{__version__}\0".encode())
        for part in parts if parts is not None else self.parts():
            hasher.update(f"{part.role}\0{Path(part.name).name}\0{part.digest}\0".encode())
        return hasher.hexdigest()[:32]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read the file ({error.strerror})") from error


@dataclass(frozen=True)
class BuildInfo:
    """What opening a store took: whether it was (re)built, and how long each step took."""

    rebuilt: bool
    location: Path
    asserted_triples: int
    entailed_triples: int
    seconds: Mapping[str, float]
    # A store revised after an edit: the store it was revised from; else, when there was an
    # earlier store that could not be revised, why not.
    revised_from: str | None = None
    not_revised: str | None = None


def default_cache_dir() -> Path:
    """$COOPGRAPH_CACHE_DIR, else $XDG_CACHE_HOME/coopgraph, else ~/.cache/coopgraph."""
    explicit = os.environ.get("COOPGRAPH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coopgraph"


# --- Engines ----------------------------------------------------------------------------


class QueryEngine(Protocol):
    """What the catalog and the commands need of an engine."""

    def select(
        self, query: str, bindings: Bindings | None = None, list_columns: frozenset[str] = ...
    ) -> ResultTable: ...

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome: ...


@dataclass(frozen=True)
class QueryOutcome:
    """The answer to any query: a table (SELECT), a boolean (ASK) or a graph."""

    table: ResultTable | None = None
    boolean: bool | None = None
    graph: Graph | None = None


class OxigraphEngine:
    """Queries on an Oxigraph store, whose default graph is the union of its named graphs.

    With a `tables` folder, the stored reports read their rows from the tables materialised
    there (`coopgraph.tables`), and file the rows of any other arguments they run with."""

    def __init__(
        self, store: ox.Store, info: BuildInfo | None = None, tables: Path | None = None
    ) -> None:
        self.store = store
        self.info = info
        self.tables = tables

    def _execute(self, query: str, bindings: Bindings | None, source: str = "query") -> object:
        # Oxigraph's own substitution needs each variable in the projection, which grouped
        # reports do not have; a VALUES block at the top of the WHERE clause binds them.
        text = with_values(query, bindings or {})
        try:
            return self.store.query(text, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise syntax_error(source, str(error), query) from error

    def select(
        self,
        query: str,
        bindings: Bindings | None = None,
        list_columns: frozenset[str] = frozenset(),
    ) -> ResultTable:
        name = None
        if self.tables is not None and query in tables.stored_texts():
            name = tables.key(query, with_values("WHERE {}", bindings or {}), list_columns)
            filed = tables.read(self.tables, name)
            if filed is not None:
                return filed
        solutions = self._execute(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("query", "not a SELECT query", hint="use a SELECT query here")
        table = _oxigraph_table(solutions, list_columns)
        if name is not None and self.tables is not None:
            tables.write(self.tables, name, table)
        return table

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome:
        answer = self._execute(query, bindings, source)
        if isinstance(answer, ox.QuerySolutions):
            return QueryOutcome(table=_oxigraph_table(answer, frozenset()))
        if isinstance(answer, ox.QueryBoolean):
            return QueryOutcome(boolean=bool(answer))
        graph = Graph()
        for triple in answer:  # type: ignore[attr-defined]
            graph.add(
                (
                    from_oxigraph(triple.subject),
                    from_oxigraph(triple.predicate),
                    from_oxigraph(triple.object),
                )
            )
        return QueryOutcome(graph=graph)

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        """Every quad of the store as rdflib terms."""
        for quad in self.store.quads_for_pattern(None, None, None, None):
            graph_name = quad.graph_name
            name = URIRef(graph_name.value) if isinstance(graph_name, ox.NamedNode) else DATA_GRAPH
            yield (
                from_oxigraph(quad.subject),
                from_oxigraph(quad.predicate),
                from_oxigraph(quad.object),
                name,
            )


def _oxigraph_table(solutions: ox.QuerySolutions, list_columns: frozenset[str]) -> ResultTable:
    variables = tuple(variable.value for variable in solutions.variables)
    cells = ((solution[name] for name in variables) for solution in solutions)
    rows = converted_rows(cells, from_oxigraph)
    return ResultTable(variables, rows, list_columns)


class RdflibEngine:
    """The same queries on rdflib's own SPARQL engine: slower, kept as the reference."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def _execute(self, query: str, bindings: Bindings | None) -> Result:
        init: dict[str, Identifier] = {
            k: v for k, v in (bindings or {}).items() if isinstance(v, Identifier)
        }
        try:
            return self.graph.query(query, initBindings=init)
        except ParseException as error:
            raise QueryError("query", error.msg, line=error.lineno, column=error.col) from error

    def select(
        self,
        query: str,
        bindings: Bindings | None = None,
        list_columns: frozenset[str] = frozenset(),
    ) -> ResultTable:
        result = self._execute(query, bindings)
        if result.type != "SELECT":
            raise QueryError("query", "not a SELECT query", hint="use a SELECT query here")
        return _rdflib_table(result, list_columns)

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome:
        result = self._execute(query, bindings)
        if result.type == "SELECT":
            return QueryOutcome(table=_rdflib_table(result, frozenset()))
        if result.type == "ASK":
            return QueryOutcome(boolean=bool(result.askAnswer))
        graph = Graph()
        for triple in result:
            graph.add(triple)  # type: ignore[arg-type]
        return QueryOutcome(graph=graph)


def _rdflib_table(result: Result, list_columns: frozenset[str]) -> ResultTable:
    variables = tuple(str(v) for v in (result.vars or []))
    rows: list[Row] = []
    for solution in result:
        assert isinstance(solution, ResultRow)
        rows.append(tuple(solution))
    return ResultTable(variables, tuple(rows), list_columns)


_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)


def syntax_error(source: str, message: str, query: str) -> QueryError:
    """A QueryError at the line and column of the user's text: the lines of the PREFIX
    prologue that `coopgraph sparql` puts before it are not counted."""
    match = _POSITION.match(message)
    if match is None:
        return QueryError(source, message)
    line, column, problem = int(match.group(1)), int(match.group(2)), match.group(3)
    end = query.find(PROLOGUE_END)
    prologue_lines = query.count("\n", 0, end + len(PROLOGUE_END)) if end >= 0 else 0
    return QueryError(source, problem or "syntax error", line=line - prologue_lines, column=column)


# --- Binding values into query text ---------------------------------------------------------

_UNSAFE_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_OUTER_GROUP = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def sparql_term(term: Node) -> str:
    """`term` in SPARQL syntax, refusing what could not be written safely."""
    if isinstance(term, URIRef):
        if _UNSAFE_IRI.search(str(term)):
            raise QueryError(
                "parameter",
                f"{str(term)!r} is not a valid IRI",
                hint="give an IRI without spaces, quotes or angle brackets",
            )
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise QueryError("parameter", f"cannot bind {term!r}", hint="give an IRI or a literal")


def with_values(query: str, bindings: Bindings) -> str:
    """`query` with a VALUES block binding `bindings` at the start of its outermost WHERE
    group. Each term is written by `sparql_term`, so a value can never become syntax: a
    literal's quotes are escaped, an IRI with syntax characters is refused."""
    if not bindings:
        return query
    searchable = re.sub(r"(?m)^\s*#.*$", lambda match: " " * len(match.group()), query)
    match = _OUTER_GROUP.search(searchable)
    if match is None:
        raise QueryError(
            "query", "has parameters but no WHERE clause", hint="write 'WHERE {' before the pattern"
        )
    names = sorted(bindings)
    values = (
        "VALUES ("
        + " ".join(f"?{name}" for name in names)
        + ") { ("
        + " ".join(sparql_term(bindings[name]) for name in names)
        + ") }"
    )
    return query[: match.end()] + "\n  " + values + "\n" + query[match.end() :]


# --- Building and opening the store ----------------------------------------------------------


def build_graphs(
    inputs: Inputs, seconds: dict[str, float] | None = None
) -> tuple[Graph, Graph, Graph]:
    """Parse the inputs and reason with owlrl, the reference: (ontology, data, entailments),
    each a new graph."""
    timings = seconds if seconds is not None else {}
    started = time.perf_counter()
    ontology = load_graph(inputs.ontology)
    data = load_graph(inputs.data)
    timings["parse"] = time.perf_counter() - started
    started = time.perf_counter()
    union = Graph()
    for triple in ontology:
        union.add(triple)
    for triple in data:
        union.add(triple)
    derived = entailments(union)
    timings["reason"] = time.perf_counter() - started
    return ontology, data, derived


def reference_graph(inputs: Inputs) -> Graph:
    """What the store holds, as one rdflib graph (ontology, data and entailments), for the
    reference engine."""
    union = Graph()
    for graph in build_graphs(inputs):
        for triple in graph:
            union.add(triple)
    return union


def open_engine(
    inputs: Inputs | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> OxigraphEngine:
    """The Oxigraph engine on the store for `inputs` (default: bundled), built if needed."""
    inputs = inputs or Inputs.bundled()
    cache = (cache_dir or default_cache_dir()) / "stores"
    parts = inputs.parts()
    digest = inputs.digest(parts)
    location = cache / digest
    manifest = location / "manifest.json"
    if manifest.is_file():
        try:
            store = ox.Store.read_only(str(location / "store"))
        except OSError:
            shutil.rmtree(location, ignore_errors=True)  # damaged: rebuild it below
        else:
            return OxigraphEngine(
                store, _read_manifest(manifest, location), location / tables.FOLDER
            )
    info = _revise(inputs, parts, cache, digest, progress)
    if info is None or info.revised_from is None:
        info = _build(inputs, parts, cache, digest, progress, not_revised=info)
    try:
        store = ox.Store.read_only(str(location / "store"))
        return OxigraphEngine(store, info, location / tables.FOLDER)
    except OSError as error:
        raise CoopgraphError(
            f"cannot open the store at {location}: {error}",
            hint="check the permissions of the cache folder, or set COOPGRAPH_CACHE_DIR",
        ) from error


def _read_manifest(manifest: Path, location: Path) -> BuildInfo:
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    return BuildInfo(
        rebuilt=False,
        location=location,
        asserted_triples=int(recorded["asserted_triples"]),
        entailed_triples=int(recorded["entailed_triples"]),
        seconds={},
    )


def _revise(
    inputs: Inputs, parts: list[Part], cache: Path, digest: str, progress: Progress | None
) -> BuildInfo | None:
    """The store for `inputs` revised from an earlier store in `cache` that differs from it in
    a few data files (`coopgraph.delta`); None when there is no such store; a BuildInfo
    without `revised_from`, saying why, when there is one but the edit cannot be applied."""
    earlier = delta.earlier_store(cache, parts, exclude=digest, built_by=_BUILT_BY)
    if earlier is None:
        return None
    progress = progress or Silent()
    staging = cache / f".{digest}.revising-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    started = time.perf_counter()
    progress.step(f"revising the store of {earlier.name[:8]}")
    graphs = {
        "data": ox.NamedNode(str(DATA_GRAPH)),
        "entailments": ox.NamedNode(str(ENTAILMENTS_GRAPH)),
    }
    try:
        staging.mkdir(parents=True)
        try:
            revised = delta.revise(earlier, staging, parts, graphs)
        except closure.NotIncremental as why:
            shutil.rmtree(staging, ignore_errors=True)
            progress.done()
            return BuildInfo(False, cache / digest, 0, 0, {}, not_revised=str(why))
        seconds = dict(revised.seconds)
        revision = revised.revision
        checks: dict[str, int] = {}
        if build.precompute_wanted(revision.asserted):
            # As a full build leaves them: the validation report and every report's rows
            # kept, here those of the reports the edit may change, on an in-memory copy.
            copying = time.perf_counter()
            paths = [*inputs.ontology, *inputs.data]
            memory = ox.Store()
            for path in paths:
                build.load_file(memory, path, ox.DefaultGraph())
            memory.bulk_load(
                revised.entailments(),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(str(ENTAILMENTS_GRAPH)),
            )
            build.timed(seconds, "in-memory copy", copying)
            changed = (revision.predicates, revision.classes)
            seconds.update(
                _precompute(
                    staging,
                    memory,
                    paths,
                    revised.queries_to_run,
                    progress,
                    earlier,
                    changed,
                    checks,
                )
            )
            del memory
        seconds["revise (wall)"] = time.perf_counter() - started
        _finish(
            staging,
            cache / digest,
            inputs,
            parts,
            {
                "asserted_triples": revision.asserted,
                "entailed_triples": revision.entailed,
                "reasoner": "rules",
                "revised_from": earlier.name,
                "revision": dict(revision.counts),
                "reports_carried": revised.reports_carried,
                "reports_to_run": len(revised.queries_to_run),
                **checks,
                "seconds": seconds,
            },
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    progress.done()
    _remove_stale_stores(cache, keep=digest)
    return BuildInfo(
        True, cache / digest, revision.asserted, revision.entailed, seconds, earlier.name
    )


_BUILT_BY = {"coopgraph": __version__, "layout": STORE_LAYOUT}


def _finish(
    staging: Path, final: Path, inputs: Inputs, parts: list[Part], record: Mapping[str, object]
) -> None:
    """Write the manifest of a finished store folder (`record`, with what it was built by and
    from: the parts, for revising the store later), then rename the folder into place (over a
    damaged one of the same inputs)."""
    manifest = {
        "digest": final.name,
        **_BUILT_BY,
        **record,
        "inputs": [str(p) for p in (*inputs.ontology, *inputs.data)],
        "parts": [[part.name, part.role, part.digest] for part in parts],
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)


def _build(
    inputs: Inputs,
    parts: list[Part],
    cache: Path,
    digest: str,
    progress: Progress | None,
    not_revised: BuildInfo | None = None,
) -> BuildInfo:
    """Parse, reason and write the store for `inputs` in a staging folder, then rename it into
    place. The on-disk store is written by background threads (see `coopgraph.build`) while
    an in-memory copy is parsed, reasoned over, validated and reported on."""
    progress = progress or Silent()
    cache.mkdir(parents=True, exist_ok=True)
    staging = cache / f".{digest}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    seconds: dict[str, float] = {}
    graphs = [ox.NamedNode(str(ONTOLOGY_GRAPH)), ox.NamedNode(str(DATA_GRAPH))]
    files = [(graphs[0], path) for path in inputs.ontology]
    files += [(graphs[1], path) for path in inputs.data]
    paths = [path for _graph, path in files]
    try:
        staging.mkdir(parents=True)
        disk = ox.Store(str(staging / "store"))
        with build.BackgroundWriter() as writer:
            for graph, path in files:
                writer.submit(functools.partial(build.load_file, disk, path, graph))
            started = time.perf_counter()
            progress.step("parsing", total=len(files))
            # The in-memory copy holds the asserted triples in its default graph, which the
            # rules and the shapes query (a list of named graphs as the default graph is
            # much slower in Oxigraph), and later the entailments in their own graph.
            # Each file as N-Triples too, which the rules code file by file: the closure is
            # kept with the asserted triples of each file, for revising it after an edit.
            memory = ox.Store()
            texts: list[bytes] = []
            for _graph, path in files:
                texts.append(build.ntriples_of(path))
                memory.bulk_load(texts[-1], format=ox.RdfFormat.N_TRIPLES)
                progress.advance()
            asserted = len(memory)
            build.timed(seconds, "parse", started)
            started = time.perf_counter()
            progress.step("reasoning (OWL 2 RL)")
            entailment = build.entail(
                memory, [ox.DefaultGraph()], on_round=progress.advance, parts=texts
            )
            del texts
            derived, entailed, reasoner = entailment.ntriples, entailment.count, entailment.reasoner
            if entailment.reasoned is not None:
                kept = closure.Closure.of(entailment.reasoned, parts)
                writer.submit(functools.partial(kept.save, staging / closure.FOLDER))
            del entailment
            for piece in build.chunks(derived, 4):
                writer.submit(
                    functools.partial(
                        disk.bulk_load,
                        piece,
                        format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(str(ENTAILMENTS_GRAPH)),
                    )
                )
            build.timed(seconds, "reason", started)
            if build.precompute_wanted(asserted):
                # While the store is written: validate the asserted triples (the default
                # graph) and materialise the reports (over the entailments too), at once on
                # the in-memory copy; Oxigraph lets go of the GIL while it evaluates a query.
                memory.bulk_load(
                    derived,
                    format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.NamedNode(str(ENTAILMENTS_GRAPH)),
                )
                del derived
                seconds.update(_precompute(staging, memory, paths, None, progress))
            else:
                del derived
            started = time.perf_counter()
            progress.step("writing the store", total=writer.submitted)
            writer.wait(on_finished=progress.advance)
        disk.flush()
        del disk, memory
        build.timed(seconds, "load", started)
        _finish(
            staging,
            cache / digest,
            inputs,
            parts,
            {
                "asserted_triples": asserted,
                "entailed_triples": entailed,
                "reasoner": reasoner,
                "seconds": seconds,
                **({"not_revised": not_revised.not_revised} if not_revised else {}),
            },
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    progress.done()
    _remove_stale_stores(cache, keep=digest)
    why = not_revised.not_revised if not_revised is not None else None
    return BuildInfo(True, cache / digest, asserted, entailed, seconds, not_revised=why)


def _precompute(
    staging: Path,
    memory: ox.Store,
    paths: list[Path],
    queries: Collection[str] | None,
    progress: Progress,
    earlier: Path | None = None,
    changed: tuple[frozenset[str], frozenset[str]] | None = None,
    counts: dict[str, int] | None = None,
) -> dict[str, float]:
    """Validate the asserted triples (the default graph of `memory`) and materialise the
    stored reports whose text is among `queries` (None: all), at once on two threads, keeping
    both in `staging`; the seconds each took. Oxigraph lets go of the GIL while it evaluates
    a query. For a store revised from the store folder `earlier` by an edit that `changed`
    these predicates and classes, the validation checks whose footprint the edit does not
    meet keep the results they had there (how many: `counts`)."""
    from coopgraph import validation  # noqa: PLC0415 - validation reads this module's cache

    started = time.perf_counter()
    shape_files = resources.shape_files()
    shapes = load_graph(shape_files)
    graphs = [ox.DefaultGraph()]
    revising = earlier is not None and changed is not None
    validator: shacl.Validator | None = None
    reused: dict[str, list[shacl.Result]] = {}
    if earlier is not None and changed is not None:
        # Compiled here, before the threads, only to reuse checks: the footprints parse
        # SPARQL with rdflib, whose parser is not thread-safe. A full build compiles the
        # shapes on its validation thread instead.
        validator = validation.compiled_validator(memory, graphs, shapes)
        kept = validation.kept_checks(earlier, shape_files) or {}
        texts = [text for text in validator.check_texts() if text in kept] if validator else []
        footprints = footprint.kept_reads(texts, earlier.parent, footprint.CHECK_FOOTPRINTS)
        reused = {text: kept[text] for text in texts if not footprints[text].touched_by(*changed)}
    prepared = time.perf_counter() - started

    def validate() -> None:
        compiled = validator if revising else validation.compiled_validator(memory, graphs, shapes)
        if compiled is None:
            return  # the shapes need pySHACL: `coopgraph validate` runs it when asked
        report, by_check = validation.run_validator(compiled, memory, graphs, shapes, paths, reused)
        validation.keep_report(staging, shape_files, paths, report, by_check)

    engine = OxigraphEngine(memory, tables=staging / tables.FOLDER)
    tasks: list[Callable[[], None]] = [validate, *_report_tasks(engine, queries)]
    progress.step("validating, materialising the reports", total=len(tasks))
    with ThreadPoolExecutor(max_workers=2) as pool:
        timings = [pool.submit(_timed, task) for task in tasks]
        for future in timings:
            future.result()
            progress.advance()
    seconds = {
        "validate": prepared + timings[0].result(),
        "reports": sum(future.result() for future in timings[1:]),
        "validate and reports (wall)": time.perf_counter() - started,
    }
    if counts is not None and validator is not None:
        counts["validation_checks"] = len(set(validator.check_texts()))
        counts["validation_checks_reused"] = len(reused)
    return seconds


def _report_tasks(
    engine: OxigraphEngine, queries: Collection[str] | None = None
) -> list[Callable[[], None]]:
    """A task per stored report: run it with the arguments `coopgraph report` gives it and
    with its example arguments, which files the rows (other arguments are filed the first
    time a report runs with them). The slowest reports come first, so that two threads
    finish together."""
    from coopgraph.catalog import StoredQuery, load_catalog, run_stored_query  # noqa: PLC0415

    def materialise(query: StoredQuery) -> None:
        for arguments in (query.report_arguments(), query.example_arguments()):
            # An example value may be missing from the user's data: that report is not filed.
            with contextlib.suppress(CoopgraphError):
                run_stored_query(query, arguments, engine)

    chosen = [query for query in load_catalog() if queries is None or query.text in queries]
    chosen.sort(key=lambda query: query.name not in _SLOW_REPORTS)
    return [functools.partial(materialise, query) for query in chosen]


# The reports that take longest on large data (measured at 1 M triples), started first.
_SLOW_REPORTS = frozenset(
    {"instruments-by-type", "modality-gaps", "modality-coverage", "sources", "timeline"}
)


def _timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _remove_stale_stores(cache: Path, keep: str) -> None:
    """Keep the new store and the few most recently built others (e.g. the bundled data's
    store while a user works on their own files); drop the rest."""
    others = sorted(
        (
            entry
            for entry in cache.iterdir()
            if entry.name != keep and not entry.name.startswith(".")
        ),
        key=lambda entry: entry.stat().st_mtime,
        reverse=True,
    )
    for entry in others[KEEP_STORES - 1 :]:
        shutil.rmtree(entry, ignore_errors=True)
