"""Building the store fast: Oxigraph parses the files, the compiled rules reason, and the on-disk
store is written in a background thread while the rest of the work goes on.

Each file is parsed twice by Oxigraph, at once: into the on-disk store (in a background thread,
which RocksDB makes the slowest step) and into an in-memory store that the reasoning (and
validation) read. A file Oxigraph cannot parse is parsed again by rdflib, so that the error
names the same line and column as everywhere else in coopgraph (`coopgraph.store`).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import cast

import pyoxigraph as ox
from rdflib import Graph

from coopgraph import rules
from coopgraph.errors import InputError
from coopgraph.reasoning import entailments as reference_entailments
from coopgraph.store import parse_into, rdf_format

OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


def load_file(store: ox.Store, path: Path, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    """Add the triples of the file at `path` to `graph` of `store`; raise a located
    `InputError` when the file cannot be read or parsed."""
    fmt = rdf_format(path)
    try:
        store.bulk_load(
            path=str(path),
            format=OXIGRAPH_FORMATS[fmt],
            base_iri=path.resolve().as_uri(),
            to_graph=graph,
        )
    except (SyntaxError, ValueError, OSError) as error:
        # rdflib's parser gives the message and position the rest of coopgraph gives.
        parse_into(Graph(), path)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(path, message, hint="fix the file at that position") from error


def ntriples_of(path: Path) -> bytes:
    """The triples of the file at `path` as N-Triples; a located `InputError` when the file
    cannot be read or parsed."""
    fmt = rdf_format(path)
    try:
        quads = ox.parse(
            path=str(path), format=OXIGRAPH_FORMATS[fmt], base_iri=path.resolve().as_uri()
        )
        return cast(bytes, ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError, OSError) as error:
        parse_into(Graph(), path)
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(path, message, hint="fix the file at that position") from error


class BackgroundWriter:
    """Runs tasks in `workers` threads (Oxigraph releases the GIL while it writes, and
    RocksDB ingests bulk-loaded files concurrently). `wait` re-raises the first error; leaving
    the context early drops the pending tasks."""

    def __init__(self, workers: int = 2) -> None:
        self._tasks: list[Callable[[], object]] = []
        self.submitted = 0
        self._finished = 0
        self._lock = threading.Condition()
        self._closed = False
        self._cancelled = False
        self._error: BaseException | None = None
        self._threads = [
            threading.Thread(target=self._run, name=f"coopgraph-store-writer-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, task: Callable[[], object]) -> None:
        with self._lock:
            self._tasks.append(task)
            self.submitted += 1
            self._lock.notify_all()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._tasks and not self._closed:
                    self._lock.wait()
                if not self._tasks:
                    return
                task = self._tasks.pop(0)
                skip = self._cancelled or self._error is not None
            if not skip:
                try:
                    task()
                except BaseException as error:  # handed to the caller by wait()
                    with self._lock:
                        if self._error is None:
                            self._error = error
            with self._lock:
                self._finished += 1
                self._lock.notify_all()

    def _close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify_all()
        for thread in self._threads:
            thread.join()

    def wait(self, on_finished: Callable[[int], None] | None = None) -> None:
        """Wait for every task, calling `on_finished(n)` as `n` more are done; raise the
        first error one of them raised."""
        reported = 0
        with self._lock:
            self._closed = True
            self._lock.notify_all()
            while self._finished < self.submitted and self._error is None:
                self._lock.wait()
                if on_finished is not None and self._finished > reported:
                    on_finished(self._finished - reported)
                    reported = self._finished
            if on_finished is not None and self._finished > reported:
                on_finished(self._finished - reported)
        self._close()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            with self._lock:
                self._cancelled = True
            self._close()


def chunks(data: bytes, count: int) -> list[bytes]:
    """`data` (N-Triples or N-Quads) cut at line ends into about `count` pieces, so that
    several threads can load it at once."""
    size = max(1, len(data) // count + 1)
    pieces: list[bytes] = []
    start = 0
    while start < len(data):
        end = data.find(b"\n", min(len(data) - 1, start + size))
        end = len(data) if end < 0 else end + 1
        pieces.append(data[start:end])
        start = end
    return pieces


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
