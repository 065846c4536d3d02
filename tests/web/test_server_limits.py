"""The limits of a public endpoint on a real `coopgraph serve`: a query past the timeout is
stopped (its worker process ended) and answered with a clean 504 while other queries are
answered meanwhile; the server goes on serving after it."""

from __future__ import annotations

import json
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import coopgraph_serve

pytestmark = pytest.mark.slow

TIMEOUT = 1.0
# 3,800-odd quads cubed: about 5e10 solutions to count, hours of work.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s a <https://w3id.org/coopgraph/def/State> }"


@pytest.fixture(scope="module")
def base(store_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("serve-limits") / "serve.log"
    options = ["--timeout", str(TIMEOUT), "--max-concurrent", "2"]
    with coopgraph_serve(store_cache, log, *options) as url:
        yield url


def ask(base: str, query: str) -> tuple[int, dict[str, object], float]:
    """Send `query`; the status, the JSON body and the seconds it took."""
    url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, json.loads(body), time.monotonic() - started


def test_a_slow_query_is_stopped_while_others_are_answered(base: str) -> None:
    slow: list[tuple[int, dict[str, object], float]] = []
    thread = threading.Thread(target=lambda: slow.append(ask(base, SLOW)))
    thread.start()
    time.sleep(0.2)  # the slow query is running on one of the two workers
    cheap: list[float] = []
    while thread.is_alive():
        status, body, seconds = ask(base, CHEAP)
        assert status == 200 and body == {"head": {}, "boolean": True}
        cheap.append(seconds)
    thread.join()
    [(status, body, seconds)] = slow
    assert status == 504
    error = body["error"]
    assert isinstance(error, dict) and error["type"] == "timeout"
    assert TIMEOUT <= seconds < TIMEOUT + 2
    assert len(cheap) >= 3 and max(cheap) < TIMEOUT
    print(
        f"\nslow query stopped after {seconds:.2f} s (timeout {TIMEOUT:g} s); "
        f"meanwhile {len(cheap)} cheap queries, median {statistics.median(cheap) * 1000:.0f} ms, "
        f"max {max(cheap) * 1000:.0f} ms"
    )


def test_the_server_goes_on_after_stopping_queries(base: str) -> None:
    for _ in range(3):  # more stops than workers: each replacement works
        status, _, _ = ask(base, SLOW)
        assert status == 504
    started = time.monotonic()
    status, body, _ = ask(base, CHEAP)
    assert status == 200 and body["boolean"] is True
    assert time.monotonic() - started < TIMEOUT
