"""The build: parse -> reason -> validate -> precompute -> write, for one input set.

Oxigraph parses each file twice, at once: into the on-disk store (on background threads,
`coopgraph.build.writer`, as RocksDB makes writing the slowest step) and into an in-memory
store that the reasoning, the validation and the reports read. The OWL 2 RL entailments come
from the compiled rules (owlrl where the schema is beyond them); then the validation report
and every stored report's rows are computed on the in-memory copy and kept with the store
(`coopgraph.query.tables`). The store is written in a staging folder and renamed into place,
so a failed build never leaves a half-written store and never touches the previous one.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from coopgraph import __version__
from coopgraph.build import footprint
from coopgraph.build.cache import replace_folder
from coopgraph.build.info import BuildInfo
from coopgraph.build.writer import BackgroundWriter, chunks
from coopgraph.errors import CoopgraphError
from coopgraph.model import resources
from coopgraph.model.files import load_file, load_graph, ntriples_of
from coopgraph.model.inputs import STORE_LAYOUT, Inputs, Part
from coopgraph.model.namespaces import DATA_GRAPH, ENTAILMENTS_GRAPH, ONTOLOGY_GRAPH
from coopgraph.progress import Progress, Silent
from coopgraph.query import tables
from coopgraph.query.catalog import StoredQuery, load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine
from coopgraph.reasoning import closure, rules
from coopgraph.reasoning.reference import entailments as reference_entailments
from coopgraph.validation import compiled as shacl
from coopgraph.validation import kept as kept_validation
from coopgraph.validation import validator as validation

KEEP_STORES = 3


@dataclass(frozen=True)
class Entailment:
    """The informative OWL 2 RL entailments as N-Triples, how many, which reasoner gave them
    (the compiled rules, or owlrl for a schema they do not cover), and the closure the rules
    computed (None from owlrl)."""

    ntriples: bytes
    count: int
    reasoner: str
    reasoned: rules.Reasoned | None = None


def entail(
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    outcome: rules.Outcome | None = None,
    on_round: Callable[[], None] | None = None,
    parts: Sequence[bytes] | None = None,
) -> Entailment:
    """The entailments of `graphs` of `store`, whose asserted triples are `parts` (N-Triples,
    one per input file) when given."""
    try:
        outcome = outcome if outcome is not None else rules.Outcome()
        tick = on_round or (lambda: None)
        if parts is None:
            text = rules.entailments_ntriples(
                store, graphs, progress=lambda _round: tick(), outcome=outcome
            )
            return Entailment(text, outcome.entailed, "rules")
        schema = rules.read_schema(store, graphs)
        reasoned = rules.reason(parts, schema, progress=lambda _round: tick(), outcome=outcome)
        return Entailment(reasoned.ntriples, reasoned.entailed, "rules", reasoned)
    except rules.UnsupportedSchema:
        pass
    graph = Graph()
    for graph_name in graphs:
        data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph_name)
        graph.parse(data=data, format="nt")
    derived = reference_entailments(graph)
    text = derived.serialize(format="nt", encoding="utf-8")
    return Entailment(text, len(derived), "owlrl")


PRECOMPUTE_LIMIT = 5_000_000


def precompute_wanted(asserted: int) -> bool:
    """Whether the build validates and materialises the reports on its in-memory copy:
    $COOPGRAPH_PRECOMPUTE "always" or "never", else (the default) up to 5 million asserted
    triples, above which holding the entailments in memory too costs more than it saves."""
    choice = os.environ.get("COOPGRAPH_PRECOMPUTE", "auto").lower()
    if choice in ("always", "1", "yes"):
        return True
    if choice in ("never", "0", "no"):
        return False
    return asserted <= PRECOMPUTE_LIMIT


def timed(seconds: dict[str, float], key: str, started: float) -> None:
    seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - started


BUILT_BY = {"coopgraph": __version__, "layout": STORE_LAYOUT}


def finish(
    staging: Path, final: Path, inputs: Inputs, parts: list[Part], record: Mapping[str, object]
) -> None:
    """Write the manifest of a finished store folder (`record`, with what it was built by and
    from: the parts, for revising the store later), then rename the folder into place (over a
    damaged one of the same inputs, moved aside first). The caller holds the store's lock."""
    manifest = {
        "digest": final.name,
        **BUILT_BY,
        **record,
        "inputs": [str(p) for p in (*inputs.ontology, *inputs.data)],
        "parts": [[part.name, part.role, part.digest] for part in parts],
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    replace_folder(staging, final)


def build_store(
    inputs: Inputs,
    parts: list[Part],
    cache: Path,
    digest: str,
    progress: Progress | None,
    not_revised: BuildInfo | None = None,
) -> BuildInfo:
    """Parse, reason and write the store for `inputs` in a staging folder, then rename it into
    place. The on-disk store is written by background threads (see `coopgraph.build.pipeline`) while
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
        with BackgroundWriter() as writer:
            for graph, path in files:
                writer.submit(functools.partial(load_file, disk, path, graph))
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
                texts.append(ntriples_of(path))
                memory.bulk_load(texts[-1], format=ox.RdfFormat.N_TRIPLES)
                progress.advance()
            asserted = len(memory)
            timed(seconds, "parse", started)
            started = time.perf_counter()
            progress.step("reasoning (OWL 2 RL)")
            entailment = entail(memory, [ox.DefaultGraph()], on_round=progress.advance, parts=texts)
            del texts
            derived, entailed, reasoner = entailment.ntriples, entailment.count, entailment.reasoner
            if entailment.reasoned is not None:
                kept = closure.Closure.of(entailment.reasoned, parts)
                writer.submit(functools.partial(kept.save, staging / closure.FOLDER))
            del entailment
            for piece in chunks(derived, 4):
                writer.submit(
                    functools.partial(
                        disk.bulk_load,
                        piece,
                        format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(str(ENTAILMENTS_GRAPH)),
                    )
                )
            timed(seconds, "reason", started)
            if precompute_wanted(asserted):
                # While the store is written: validate the asserted triples (the default
                # graph) and materialise the reports (over the entailments too), at once on
                # the in-memory copy; Oxigraph lets go of the GIL while it evaluates a query.
                memory.bulk_load(
                    derived,
                    format=ox.RdfFormat.N_TRIPLES,
                    to_graph=ox.NamedNode(str(ENTAILMENTS_GRAPH)),
                )
                del derived
                seconds.update(precompute(staging, memory, paths, None, progress))
            else:
                del derived
            started = time.perf_counter()
            progress.step("writing the store", total=writer.submitted)
            writer.wait(on_finished=progress.advance)
        disk.flush()
        del disk, memory
        timed(seconds, "load", started)
        finish(
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
    remove_stale_stores(cache, keep=digest)
    why = not_revised.not_revised if not_revised is not None else None
    return BuildInfo(True, cache / digest, asserted, entailed, seconds, not_revised=why)


def precompute(
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
        kept = kept_validation.kept_checks(earlier, shape_files) or {}
        texts = [text for text in validator.check_texts() if text in kept] if validator else []
        footprints = footprint.kept_reads(texts, earlier.parent, footprint.CHECK_FOOTPRINTS)
        reused = {text: kept[text] for text in texts if not footprints[text].touched_by(*changed)}
    prepared = time.perf_counter() - started

    def validate() -> None:
        compiled = validator if revising else validation.compiled_validator(memory, graphs, shapes)
        if compiled is None:
            return  # the shapes need pySHACL: `coopgraph validate` runs it when asked
        report, by_check = validation.run_validator(compiled, memory, graphs, shapes, paths, reused)
        kept_validation.keep_report(staging, shape_files, paths, report, by_check)

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


def remove_stale_stores(cache: Path, keep: str) -> None:
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
