"""The worker pool: timeouts that end the worker, the waiting room, a writable store."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopgraph.build.engine import open_engine
from coopgraph.web.operations import Limits, QueryRequest, UpdateRequest
from coopgraph.web.workers import (
    CLIENT,
    OverloadedError,
    PooledEngine,
    PoolSettings,
    QueryTimeoutError,
    TooManyRequestsError,
    WorkerPool,
)

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def store_copy(store_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    engine = open_engine(cache_dir=store_cache)
    assert engine.info is not None
    target = tmp_path_factory.mktemp("pool") / "store"
    shutil.copytree(engine.info.location / "store", target)
    return target


@pytest.fixture
def pool(store_copy: Path) -> Iterator[WorkerPool]:
    workers = WorkerPool(PoolSettings(store_copy, size=1, timeout=0.5, max_queue=0))
    try:
        yield workers
    finally:
        workers.close()


def test_a_timeout_ends_the_worker_and_a_new_one_answers(pool: WorkerPool) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=r"stopped after 0\.5 s"):
        pool.run(QueryRequest(SLOW))
    assert time.monotonic() - started < 1.5
    answer = pool.run(QueryRequest("ASK { ?s ?p ?o }"))
    assert answer.body == b'{"head":{},"boolean":true}'


def test_a_full_waiting_room_answers_at_once(pool: WorkerPool) -> None:
    def slow() -> None:
        with pytest.raises(QueryTimeoutError):
            pool.run(QueryRequest(SLOW))

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    with pytest.raises(OverloadedError):
        pool.run(QueryRequest("ASK {}"))
    assert time.monotonic() - started < 0.2
    thread.join()


def test_the_pooled_engine_is_a_query_engine(pool: WorkerPool) -> None:
    engine = PooledEngine(pool)
    table = engine.select("SELECT ?n WHERE { VALUES ?n { 1 2 } } ORDER BY ?n")
    assert [str(row[0]) for row in table.rows] == ["1", "2"]
    graph = engine.run("CONSTRUCT { <http://a> <http://b> ?n } WHERE { VALUES ?n { 1 } }").graph
    assert graph is not None and len(graph) == 1
    assert engine.run("ASK {}").boolean is True


def test_a_writable_store_sees_its_writes_in_every_worker(tmp_path: Path, store_copy: Path) -> None:
    target = tmp_path / "store"
    shutil.copytree(store_copy, target)
    settings = PoolSettings(target, size=3, timeout=5, writable=True, limits=Limits())
    writable = WorkerPool(settings)
    try:
        insert = 'INSERT DATA { GRAPH <http://example.org/g> { <http://a> <http://b> "c" } }'
        before = writable.generation
        writable.run(UpdateRequest(insert))
        assert writable.generation == before + 1
        ask = QueryRequest('ASK { GRAPH <http://example.org/g> { <http://a> <http://b> "c" } }')
        answers = []
        threads = [
            threading.Thread(target=lambda: answers.append(writable.run(ask).body))
            for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [b'{"head":{},"boolean":true}'] * 6
        with pytest.raises(QueryTimeoutError):  # an update ended half-way leaves no trace
            writable.run(
                UpdateRequest(
                    "INSERT { GRAPH <http://example.org/x> { ?a ?b ?g } } "
                    "WHERE { GRAPH ?x { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } }"
                )
            )
        gone = QueryRequest("ASK { GRAPH <http://example.org/x> { ?s ?p ?o } }")
        assert writable.run(gone).body == b'{"head":{},"boolean":false}'
        writable.run(UpdateRequest("DROP GRAPH <http://example.org/g>"))
        assert writable.run(ask).body == b'{"head":{},"boolean":false}'
    finally:
        writable.close()


def _as(client: str, pool: WorkerPool, query: str, finished: list[str], label: str) -> None:
    CLIENT.set(client)
    with contextlib.suppress(QueryTimeoutError):
        pool.run(QueryRequest(query))
    finished.append(label)


def test_a_free_worker_goes_to_the_client_served_longest_ago(store_copy: Path) -> None:
    """One worker, busy with client a's slow query; a queues another, then b one: when the
    worker is free, b's goes first (waiting in turn, a's would)."""
    pool = WorkerPool(PoolSettings(store_copy, size=1, timeout=1.0, max_queue=8))
    finished: list[str] = []
    try:
        threads = []
        for client, query, label in (
            ("a", SLOW, "a slow"),
            ("a", SLOW + " # again", "a again"),
            ("b", "ASK {}", "b ask"),
        ):
            thread = threading.Thread(target=_as, args=(client, pool, query, finished, label))
            thread.start()
            threads.append(thread)
            time.sleep(0.2)
        for thread in threads:
            thread.join(timeout=30)
    finally:
        pool.close()
    assert finished == ["a slow", "b ask", "a again"]


def test_one_client_has_at_most_its_share_in_flight(store_copy: Path) -> None:
    pool = WorkerPool(PoolSettings(store_copy, size=1, timeout=1.0, max_queue=8, max_per_client=2))
    finished: list[str] = []
    try:
        threads = [
            threading.Thread(target=_as, args=("a", pool, f"{SLOW} # {n}", finished, str(n)))
            for n in range(2)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        CLIENT.set("a")
        with pytest.raises(TooManyRequestsError, match="2 requests in flight"):
            pool.run(QueryRequest("ASK {}"))
        CLIENT.set("b")
        assert pool.run(QueryRequest("ASK {}")).status == 200  # another client is served
        for thread in threads:
            thread.join(timeout=30)
    finally:
        CLIENT.set("")
        pool.close()
