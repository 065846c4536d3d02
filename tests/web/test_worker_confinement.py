"""The second lock: a query worker of a server without --allow-service cannot open a network
socket, so a SERVICE that reaches the engine (here: a trusted query, which skips the guard)
fails closed; a worker that was not confined runs no client's text at all."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.build.engine import open_engine
from coopgraph.query.guard import RefusedError
from coopgraph.web.operations import (
    Limits,
    QueryRequest,
    UnconfinedError,
    UpdateRequest,
    perform,
)
from coopgraph.web.workers import PoolSettings, WorkerPool
from tests.bad_inputs.canary import Canary

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")


@pytest.fixture(scope="module")
def store_copy(store_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    engine = open_engine(cache_dir=store_cache)
    assert engine.info is not None
    target = tmp_path_factory.mktemp("confined-pool") / "store"
    shutil.copytree(engine.info.location / "store", target)
    return target


@pytest.fixture
def canary() -> Iterator[Canary]:
    with Canary() as listener:
        yield listener


def _pool(store: Path, allow_service: bool) -> WorkerPool:
    return WorkerPool(
        PoolSettings(store, size=1, timeout=10, limits=Limits(allow_service=allow_service))
    )


def _service(canary: Canary) -> str:
    return f"SELECT * WHERE {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"


def test_a_service_past_the_check_fails_closed(store_copy: Path, canary: Canary) -> None:
    pool = _pool(store_copy, allow_service=False)
    try:
        with pytest.raises(RefusedError, match="tried to reach the network"):
            pool.run(QueryRequest(_service(canary), trusted=True))
        with pytest.raises(RefusedError, match="SERVICE"):
            pool.run(QueryRequest(_service(canary)))  # a client's text: the guard says no
        assert pool.run(QueryRequest("ASK { ?s ?p ?o }")).status == 200  # and it still works
    finally:
        pool.close()
    assert canary.calls == 0


def test_with_allow_service_the_worker_may_call_out(store_copy: Path, canary: Canary) -> None:
    """The same query reaches the canary when the server allows SERVICE: the test above can
    fail."""
    pool = _pool(store_copy, allow_service=True)
    try:
        answer = pool.run(QueryRequest(_service(canary)))
    finally:
        pool.close()
    assert answer.status == 200
    assert canary.calls == 1


@pytest.mark.parametrize(
    "request_",
    [QueryRequest("ASK {}"), UpdateRequest("CLEAR ALL")],
    ids=["query", "update"],
)
def test_an_unconfined_worker_runs_no_clients_text(request_: QueryRequest | UpdateRequest) -> None:
    """`perform` in a process where confine_worker was never called (this test's own)."""
    with pytest.raises(UnconfinedError, match="without its confinement"):
        perform(ox.Store(), request_, Limits())
    trusted = perform(ox.Store(), QueryRequest("ASK {}", trusted=True), Limits())
    assert trusted.status == 200
