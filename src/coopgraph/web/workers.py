"""Query workers: every store operation of the server runs in a worker process it can end.

Public API:
    PoolSettings(store_path, size, timeout, max_queue, queue_wait, writable, limits,
                 update_timeout, max_memory, max_per_client)
    WorkerPool(settings)   start `size` worker processes
        .run(request)      perform one coopgraph.web.operations request, return its Answer
                           (for the client named by CLIENT, a context variable), with a
                           Server-Timing header: queue;dur=ms waited, run;dur=ms on the worker
    CLIENT                 the address of the client a request is performed for
        .generation        a number that changes after every write (for caches of pages)
        .close()           stop every worker
    PooledEngine(pool)     a coopgraph.engine.QueryEngine whose queries run on the pool, so
                           the catalog and the other core functions work unchanged
    QueryTimeoutError      the operation ran past the timeout: its worker was ended
    OverloadedError        no worker became free in time, or too many requests wait
    TooManyRequestsError   this client already has --max-per-client requests in flight
    OutOfMemoryError       the worker ran out of its --max-memory (or died): replaced
    WorkerCrashedError     a worker failed for another reason (a bug)

Why processes: Oxigraph evaluates a query in Rust, in one call that Python cannot
interrupt, so a thread running a runaway query can only be abandoned, never stopped, and it
keeps a core busy. A worker process can be ended (SIGKILL) at the deadline: the caller gets
a clean QueryTimeoutError, the pool starts a replacement (a fork of a forkserver that has
already imported pyoxigraph and rdflib: 2 ms; then it opens the store and warms its parsers:
about 0.1 s), and the other workers go on answering. Workers are forked from a forkserver,
never from the threaded server process itself. Measured on this project's 2-core machine
(a 1 s timeout, a three-way cross join of the store): the error is answered 1.01-1.05 s
after the query was sent; a cheap query costs about 1 ms more through a worker than
in-process (pickling, a pipe, and the policy check's parse).

The store: with a read-only store every worker keeps one read-only handle open. With a
writable store (`--update`) RocksDB allows one writer and no reader beside it, so the pool
is also a readers-writer lock: reads run in parallel, a write waits for them to finish and
runs alone (writers go first once waiting), and each operation opens the store for itself
and closes it before it answers. A worker ended in the middle of an update leaves no trace:
an update is one transaction that was never committed.

Writes tell the truth. Before a write the worker takes an undo point of the store (a RocksDB
checkpoint: hard links, about 2 ms), runs the write, flushes it and only then drops the undo
point. A write that fails, is found too large (--max-update-triples), runs past
`update_timeout` or kills its worker is undone from that point by whoever sees it end (the
worker, or the pool after ending the worker), so its answer (an error) is its real outcome:
a timeout is never answered for an update that stays committed. The flush before answering
also keeps RocksDB's log short, so the read-only handles opened after a large update start as
fast as before (measured: 7 ms after a 500,000-triple INSERT DATA).

Waiting: a request waits at most `queue_wait` seconds for a free worker (apart from the
query timeout, so that a burst of clients queues instead of failing), and at most
`max_queue` requests wait at once; past either it fails with OverloadedError (HTTP 503).

Fair shares: one client (its address, CLIENT) has at most `max_per_client` requests in flight
(running or waiting; more: TooManyRequestsError, HTTP 429), and a free worker goes to the
waiting client with the fewest operations running, among those to the one served longest ago
(round robin between clients), not to the request that waited longest.
So a client that sends a hundred runaway queries fills at most its share of the waiting room,
and another client's query starts on the next worker that becomes free: it waits at most
about one timeout, however many queries the first has queued (the pool stays
work-conserving: a client alone may use every worker).

Memory: with `max_memory`, each worker's address space is capped (RLIMIT_AS). A query that
needs more gets a MemoryError in Python or ends the process in Rust (an allocation failure
aborts it); either way the caller gets OutOfMemoryError (HTTP 503) and a fresh worker takes
the place of one that died.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import resource
import shutil
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from coopgraph.errors import CoopgraphError, QueryError
from coopgraph.model.terms import from_oxigraph
from coopgraph.query.engine import Bindings, QueryOutcome, with_values
from coopgraph.query.guard import RefusedError
from coopgraph.query.results import ResultTable, Row
from coopgraph.web.operations import (
    NTRIPLES,
    SRJ,
    Answer,
    GraphNotFoundError,
    Limits,
    NotAcceptableError,
    QueryRequest,
    RdfSyntaxError,
    Request,
    TooManyRowsError,
    UnconfinedError,
    UnsupportedMediaTypeError,
    UpdateTooLargeError,
    confine_worker,
    perform,
)

CLIENT: ContextVar[str] = ContextVar("coopgraph_client", default="")


class QueryTimeoutError(CoopgraphError):
    """An operation ran past the server's timeout; its worker process was ended."""


class OverloadedError(CoopgraphError):
    """No worker became free in time, or too many requests are waiting."""


class WorkerCrashedError(CoopgraphError):
    """A worker failed for a reason that is not the request's (a bug)."""


class OutOfMemoryError(CoopgraphError):
    """A worker ran out of memory (or died) while performing an operation; it was replaced."""


class TooManyRequestsError(CoopgraphError):
    """This client already has as many requests in flight as one client may."""


@dataclass(frozen=True)
class PoolSettings:
    """How many workers, on which store, within which limits."""

    store_path: Path
    size: int = 2
    timeout: float = 5.0
    max_queue: int = 64
    queue_wait: float = 30.0
    writable: bool = False
    limits: Limits = field(default_factory=Limits)
    update_timeout: float = 60.0
    max_memory: int | None = None
    max_per_client: int = 16


# --- In the worker process ---------------------------------------------------------------


@dataclass(frozen=True)
class _Failure:
    """A CoopgraphError carried back from a worker (exceptions do not pickle reliably)."""

    kind: str
    message: str
    hint: str | None = None
    source: str | None = None
    problem: str | None = None
    line: int | None = None
    column: int | None = None

    @classmethod
    def of(cls, error: Exception) -> _Failure:
        if isinstance(error, QueryError):
            return cls(
                "QueryError",
                error.message,
                error.hint,
                error.source,
                error.problem,
                error.line,
                error.column,
            )
        if isinstance(error, CoopgraphError):
            line, column = getattr(error, "line", None), getattr(error, "column", None)
            return cls(type(error).__name__, error.message, error.hint, line=line, column=column)
        if isinstance(error, MemoryError):
            return cls("MemoryError", "the operation needed more memory than a worker may use")
        return cls("internal", f"{type(error).__name__}: {error}")

    def error(self) -> CoopgraphError:
        if self.kind == "QueryError":
            return QueryError(
                self.source or "query",
                self.problem or self.message,
                line=self.line,
                column=self.column,
                hint=self.hint,
            )
        if self.kind == "RdfSyntaxError":
            return RdfSyntaxError(self.message, self.hint, self.line, self.column)
        if self.kind == "MemoryError":
            return OutOfMemoryError(self.message, hint=_MEMORY_HINT)
        kind = _PORTABLE_ERRORS.get(self.kind)
        if kind is None:
            return WorkerCrashedError(f"the query worker failed: {self.message}")
        return kind(self.message, self.hint)


_PORTABLE_ERRORS: Mapping[str, type[CoopgraphError]] = {
    kind.__name__: kind
    for kind in (
        CoopgraphError,
        RefusedError,
        NotAcceptableError,
        UnsupportedMediaTypeError,
        TooManyRowsError,
        GraphNotFoundError,
        UnconfinedError,
        UpdateTooLargeError,
    )
}
_MEMORY_HINT = "make the query more selective (fewer solutions to sort or group), or add a LIMIT"


class _StoreHandle:
    """The worker's access to the store: one read-only handle kept open, or (writable
    store) a handle opened for each operation and closed before the answer is sent."""

    def __init__(self, path: str, writable: bool) -> None:
        self.path = path
        self.writable = writable
        self.kept: ox.Store | None = None

    @contextlib.contextmanager
    def open(self, writes: bool) -> Iterator[ox.Store]:
        if not self.writable:
            if self.kept is None:
                self.kept = ox.Store.read_only(self.path)
            yield self.kept
            return
        store = ox.Store(self.path) if writes else ox.Store.read_only(self.path)
        try:
            yield store
        finally:
            del store


def _attempt(handle: _StoreHandle, request: Request, limits: Limits) -> Answer | _Failure:
    try:
        with handle.open(request.writes) as store:
            return perform(store, request, limits)
    except Exception as error:
        return _Failure.of(error)


def _answer(handle: _StoreHandle, request: Request, limits: Limits) -> Answer | _Failure:
    if not (handle.writable and request.writes):
        return _attempt(handle, request, limits)
    undo = UndoPoint(Path(handle.path))
    undo.discard()
    try:
        reply: Answer | _Failure = _write(handle, request, limits, undo)
    except Exception as error:
        reply = _Failure.of(error)
    # Every reference to the writer's handle is gone with _write's frame (and the traceback);
    # collect cycles too, so RocksDB's lock is released before the store is touched again.
    gc.collect()
    if isinstance(reply, _Failure):
        undo.restore()
    else:
        undo.discard(committed=True)
    return reply


def _write(handle: _StoreHandle, request: Request, limits: Limits, undo: UndoPoint) -> Answer:
    with handle.open(True) as store:
        undo.take(store)
        return perform(store, request, limits)


class UndoPoint:
    """A checkpoint of a writable store taken before a write, to put the store back as it was
    if the write does not end well. Files beside the store: `.undo` (a complete checkpoint),
    `.undo-partial` (one being taken), `.undo-state` ("committed" once a write was kept)."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.ready = store.with_name(store.name + ".undo")
        self.partial = store.with_name(store.name + ".undo-partial")
        self.spent = store.with_name(store.name + ".undo-spent")
        self.state = store.with_name(store.name + ".undo-state")

    def take(self, store: ox.Store) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)
        self.state.write_text("taking", encoding="utf-8")
        store.backup(str(self.partial))
        self.partial.rename(self.ready)
        self.state.write_text("taken", encoding="utf-8")

    def restore(self) -> bool:
        """Put the store back as it was before the write; False if there was nothing to undo
        (the write had not begun, or had been kept)."""
        shutil.rmtree(self.partial, ignore_errors=True)
        if not self.ready.is_dir():
            return False
        shutil.rmtree(self.spent, ignore_errors=True)
        self.store.rename(self.spent)
        self.ready.rename(self.store)
        shutil.rmtree(self.spent, ignore_errors=True)
        self.state.unlink(missing_ok=True)
        return True

    def discard(self, committed: bool = False) -> None:
        """Drop the undo point: the write is kept (or there was none). The state is written
        first: ended between the two steps, the write is still undone (and said to be)."""
        if committed:
            self.state.write_text("committed", encoding="utf-8")
        else:
            self.state.unlink(missing_ok=True)
        if self.ready.is_dir():
            self.ready.rename(self.spent)
        shutil.rmtree(self.spent, ignore_errors=True)
        shutil.rmtree(self.partial, ignore_errors=True)

    def committed(self) -> bool:
        """Whether the last write was kept (read after its worker was ended)."""
        try:
            return self.state.read_text(encoding="utf-8") == "committed"
        except OSError:
            return False


def _limit_memory(max_memory: int | None) -> None:
    if max_memory is not None:
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))


def _serve(
    connection: Connection,
    store_path: str,
    writable: bool,
    limits: Limits,
    max_memory: int | None = None,
) -> None:
    """The worker's loop: receive a request, answer it, until told to stop (None) or the
    server goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    confine_worker(limits)  # no network socket from here on (unless --allow-service)
    _limit_memory(max_memory)
    handle = _StoreHandle(store_path, writable)
    # Warm up before the first request: open the store, let the parsers build their tables.
    _attempt(handle, QueryRequest("ASK {}"), limits)
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        reply = _answer(handle, request, limits)
        try:
            connection.send(reply)
        except OSError:
            return


# --- In the server process ----------------------------------------------------------------


class _Expired(Exception):
    pass


class _Worker:
    def __init__(
        self, context: multiprocessing.context.ForkServerContext, settings: PoolSettings
    ) -> None:
        parent, child = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(
                child,
                str(settings.store_path),
                settings.writable,
                settings.limits,
                settings.max_memory,
            ),
            name="coopgraph-query-worker",
            daemon=True,
        )
        self.process.start()
        child.close()
        self.connection = parent

    def call(self, request: Request, timeout: float) -> Answer | _Failure:
        self.connection.send(request)
        if not self.connection.poll(timeout):
            raise _Expired
        reply = self.connection.recv()
        assert isinstance(reply, Answer | _Failure)
        return reply

    def end(self) -> None:
        """Kill the process at once (it may be deep in a Rust loop) and reap it."""
        self.process.kill()
        self.process.join()
        self.connection.close()

    def stop(self, grace: float) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(grace)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class WorkerPool:
    """`size` worker processes behind a waiting room and, for a writable store, a
    readers-writer lock. Thread-safe: call `run` from any thread."""

    def __init__(self, settings: PoolSettings) -> None:
        self.settings = settings
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["coopgraph.web.workers"])
        self._condition = threading.Condition()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._waiting = 0
        self._reading = 0
        self._writing = False
        self._writers_waiting = 0
        self._running: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._waiting_clients: Counter[str] = Counter()
        self._served: dict[str, int] = {}  # the turn at which each client last got a worker
        self._turns = 0
        self._closed = False
        self.generation = 0
        for _ in range(settings.size):
            worker = _Worker(self._context, settings)
            self._idle.append(worker)
            self._all.add(worker)

    def run(self, request: Request) -> Answer:
        """Perform `request` on a free worker within the timeout."""
        client = CLIENT.get()
        queued = time.monotonic()
        worker = self._acquire(request.writes, client)
        started = time.monotonic()
        timeout = self.settings.update_timeout if request.writes else self.settings.timeout
        try:
            reply = worker.call(request, timeout)
        except _Expired:
            worker, outcome = self._replace(worker, request)
            raise QueryTimeoutError(
                f"the operation was stopped after {timeout:g} s, "
                "the longest this server lets one run" + outcome,
                hint="make the query more selective or add a LIMIT"
                if not request.writes
                else "split the update into smaller ones, or start the server with a longer "
                "--update-timeout",
            ) from None
        except (EOFError, OSError):
            died = time.monotonic() - started
            worker, outcome = self._replace(worker, request)
            raise OutOfMemoryError(
                f"the query worker died after {died:.1f} s"
                + (
                    f", most likely out of its memory (--max-memory "
                    f"{self.settings.max_memory / (1 << 20):.0f}M)"
                    if self.settings.max_memory
                    else ", most likely out of memory"
                )
                + outcome
                + "; a new worker takes its place",
                hint=_MEMORY_HINT,
            ) from None
        finally:
            self._release(worker, request.writes, client)
        if isinstance(reply, _Failure):
            raise reply.error()
        # How long the request waited for a worker and ran on it (the Server-Timing header):
        # the load test reads it to tell waiting in the queue from a busy machine.
        timing = (
            f"queue;dur={(started - queued) * 1000:.1f}, "
            f"run;dur={(time.monotonic() - started) * 1000:.1f}"
        )
        return dataclasses.replace(reply, headers=(*reply.headers, ("Server-Timing", timing)))

    def _undone(self, request: Request) -> str:
        """After a write's worker was ended: put the store back as it was before the write,
        and say what became of it."""
        if not (self.settings.writable and request.writes):
            return ""
        undo = UndoPoint(self.settings.store_path)
        if undo.restore():
            return "; the update was undone, the store is as it was before it"
        if undo.committed():
            return "; the update had been applied and stays"
        return "; the update had not begun, the store is unchanged"

    def _replace(self, worker: _Worker, request: Request) -> tuple[_Worker, str]:
        """End `worker`, undo its write if it was writing, start a worker in its place; the
        replacement and what became of the write."""
        worker.end()
        outcome = self._undone(request)
        replacement = _Worker(self._context, self.settings)
        with self._condition:
            self._all.discard(worker)
            self._all.add(replacement)
        return replacement, outcome

    def _ready(self, writes: bool, client: str) -> bool:
        if not self._idle or self._writing:
            return False
        if writes:
            return self._reading == 0
        if self._writers_waiting:
            return False
        # The free worker goes to the waiting client with the fewest operations running, and
        # among those to the one served longest ago (round robin).
        mine = self._share(client)
        return all(mine <= self._share(other) for other in self._waiting_clients)

    def _share(self, client: str) -> tuple[int, int]:
        return self._running[client], self._served.get(client, 0)

    def _acquire(self, writes: bool, client: str) -> _Worker:
        deadline = time.monotonic() + self.settings.queue_wait
        with self._condition:
            if self._closed:
                raise OverloadedError("the server is shutting down")
            if client and self._in_flight[client] >= self.settings.max_per_client:
                raise TooManyRequestsError(
                    f"this client already has {self._in_flight[client]} requests in flight, "
                    f"the most one client may have on this server (--max-per-client)",
                    hint="wait for an answer before sending more",
                )
            self._in_flight[client] += 1
            try:
                if not self._ready(writes, client):
                    self._wait(writes, client, deadline)
            except BaseException:
                self._forget(client)
                raise
            worker = self._idle.pop()
            if writes:
                self._writing = True
            else:
                self._reading += 1
            self._running[client] += 1
            self._turns += 1
            self._served[client] = self._turns
            return worker

    def _forget(self, client: str) -> None:
        self._in_flight[client] -= 1
        if self._in_flight[client] <= 0:
            del self._in_flight[client]
            self._served.pop(client, None)

    def _wait(self, writes: bool, client: str, deadline: float) -> None:
        """Wait (holding the condition) until a worker is ready for this request."""
        if self._waiting >= self.settings.max_queue:
            raise OverloadedError(
                f"all {self.settings.size} query workers are busy and "
                f"{self._waiting} requests are waiting",
                hint="retry in a moment",
            )
        self._waiting += 1
        self._writers_waiting += writes
        self._waiting_clients[client] += 1
        try:
            while not self._ready(writes, client):
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    raise OverloadedError(
                        f"no query worker became free within {self.settings.queue_wait:g} s",
                        hint="retry in a moment",
                    )
                self._condition.wait(remaining)
        finally:
            self._waiting -= 1
            self._writers_waiting -= writes
            self._waiting_clients[client] -= 1
            if self._waiting_clients[client] <= 0:
                del self._waiting_clients[client]

    def _release(self, worker: _Worker, writes: bool, client: str) -> None:
        with self._condition:
            if writes:
                self._writing = False
                self.generation += 1
            else:
                self._reading -= 1
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            self._forget(client)
            if self._closed:
                worker.stop(0.5)
            else:
                self._idle.append(worker)
            self._condition.notify_all()

    def close(self) -> None:
        """Stop the idle workers (the busy ones stop when they finish)."""
        with self._condition:
            self._closed = True
            idle, self._idle = self._idle, []
            self._condition.notify_all()
        for worker in idle:
            worker.stop(2.0)


class PooledEngine:
    """A `QueryEngine` (see coopgraph.query.engine) whose queries run on a worker pool, so that
    stored queries, parameter look-ups and resource pages obey the server's timeout."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool

    def select(
        self,
        query: str,
        bindings: Bindings | None = None,
        list_columns: frozenset[str] = frozenset(),
    ) -> ResultTable:
        outcome = self.run(query, bindings)
        if outcome.table is None:
            raise QueryError("query", "not a SELECT query", hint="use a SELECT query here")
        return ResultTable(outcome.table.variables, outcome.table.rows, list_columns)

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome:
        text = with_values(query, bindings or {})
        accept = f"{SRJ}, {NTRIPLES};q=0.9"
        answer = self.pool.run(QueryRequest(text, accept=accept, trusted=True))
        if answer.media_type == NTRIPLES:
            graph = Graph()
            graph.parse(data=answer.body.decode("utf-8"), format="nt")
            return QueryOutcome(graph=graph)
        parsed = ox.parse_query_results(answer.body, ox.QueryResultsFormat.JSON)
        if isinstance(parsed, ox.QueryBoolean):
            return QueryOutcome(boolean=bool(parsed))
        variables = tuple(variable.value for variable in parsed.variables)
        rows: list[Row] = [
            tuple(_term(solution[name]) for name in variables) for solution in parsed
        ]
        return QueryOutcome(table=ResultTable(variables, tuple(rows)))


def _term(term: object) -> Node | None:
    return None if term is None else from_oxigraph(term)
