"""A bounded load test of `coopgraph serve` on loopback: concurrent clients running the
stored queries, then a query that runs past the server's timeout while the others go on.

    python benchmarks/load_test.py                       # 50 clients for 30 s
    python benchmarks/load_test.py --clients 10 --duration 5
    python benchmarks/load_test.py --url http://127.0.0.1:8000   # a server already running

It starts `coopgraph serve` on a free loopback port (unless --url is given), and stops it
at the end. Each client loops over the stored queries, each with its example arguments,
sent through the SPARQL 1.1 Protocol (POST /sparql, the parameters bound in a VALUES block)
and through the report pages' JSON (`/queries/NAME.json?param=value`), until the duration is
over or --max-requests have been sent: the test is bounded in time and in count, and only
ever talks to the loopback address. Printed: requests, errors (must be 0), throughput and
latency percentiles; then the timeout check: a query far too big to finish is sent during
the load and must be answered with an error near the server's timeout, not a 200, while the
other clients keep getting answers. Exit status 0 when both hold, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from coopgraph.build.engine import open_engine
from coopgraph.query.catalog import StoredQuery, bind_arguments, load_catalog
from coopgraph.query.engine import QueryEngine, with_values

LOOPBACK = "127.0.0.1"
# Every triple joined with every other, twice: billions of solutions, never finishes in time.
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass(frozen=True)
class Request:
    label: str
    method: str
    path: str
    form: dict[str, str] | None = None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)


def workload() -> list[Request]:
    """Every stored query with its example arguments, as a protocol request and as a report."""
    catalog = load_catalog()
    engine = open_engine()
    requests: list[Request] = []
    for query in catalog:
        arguments = query.example_arguments()
        requests.append(_protocol_request(query, arguments, engine))
        path = f"/queries/{query.name}.json"
        if arguments:
            path += "?" + urllib.parse.urlencode(arguments)
        requests.append(Request(f"report {query.name}", "GET", path))
    return requests


def _protocol_request(
    query: StoredQuery, arguments: dict[str, str], engine: QueryEngine
) -> Request:
    bindings = bind_arguments(query, arguments, engine)
    text = with_values(query.text, bindings)
    return Request(f"sparql {query.name}", "POST", "/sparql", {"query": text})


async def client(
    http: httpx.AsyncClient,
    requests: Sequence[Request],
    start: int,
    deadline: float,
    budget: list[int],
    tally: Tally,
) -> None:
    for request in itertools.islice(itertools.cycle(requests), start, None):
        if time.monotonic() >= deadline or budget[0] <= 0:
            return
        budget[0] -= 1
        began = time.perf_counter()
        try:
            if request.form is not None:
                response = await http.post(
                    request.path,
                    data=request.form,
                    headers={"Accept": "application/sparql-results+json"},
                )
            else:
                response = await http.get(request.path)
        except httpx.HTTPError as error:
            tally.errors.append(f"{request.label}: {type(error).__name__}: {error}")
            continue
        if response.status_code != 200:
            tally.errors.append(f"{request.label}: HTTP {response.status_code}")
            continue
        tally.latencies.append(time.perf_counter() - began)
        tally.finished_at.append(time.monotonic())


@dataclass(frozen=True)
class RunawayResult:
    status: int | None
    seconds: float
    body: str
    answered_meanwhile: int


async def runaway(http: httpx.AsyncClient, delay: float, tally: Tally) -> RunawayResult:
    await asyncio.sleep(delay)
    sent = time.monotonic()
    try:
        response = await http.post(
            "/sparql",
            data={"query": RUNAWAY_QUERY},
            headers={"Accept": "application/sparql-results+json"},
            timeout=120,
        )
        status: int | None = response.status_code
        body = response.text[:300]
    except httpx.HTTPError as error:
        status, body = None, f"{type(error).__name__}: {error}"
    answered = time.monotonic()
    meanwhile = sum(1 for moment in tally.finished_at if sent <= moment <= answered)
    return RunawayResult(status, answered - sent, body, meanwhile)


async def run_load(
    base: str, requests: Sequence[Request], clients: int, duration: float, max_requests: int
) -> tuple[Tally, RunawayResult, float]:
    tally = Tally()
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        began = time.monotonic()
        cpu_began = time.process_time()
        deadline = began + duration
        budget = [max_requests]
        tasks = [
            client(http, requests, index * 7, deadline, budget, tally) for index in range(clients)
        ]
        results = await asyncio.gather(runaway(http, duration / 3, tally), *tasks)
        elapsed = time.monotonic() - began
        print(f"client CPU         {time.process_time() - cpu_began:.1f} s (this load generator)")
    runaway_result = results[0]
    assert isinstance(runaway_result, RunawayResult)
    return tally, runaway_result, elapsed


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def coopgraph_command() -> str:
    beside = Path(sys.executable).with_name("coopgraph")
    found = str(beside) if beside.is_file() else shutil.which("coopgraph")
    if found is None:
        sys.exit("load_test: the coopgraph command is not installed (pip install -e .)")
    return found


@contextmanager
def serve(timeout: float, extra: Sequence[str], log_path: Path) -> Iterator[str]:
    """`coopgraph serve` on a free loopback port until the block ends; its base URL. Its
    output goes to `log_path`."""
    port = free_port()
    command = [coopgraph_command(), "serve", "--host", LOOPBACK, "--port", str(port)]
    command += ["--timeout", f"{timeout:g}", *extra]
    with log_path.open("w+b") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://{LOOPBACK}:{port}"
            _wait(base, process, log)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait(base: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            output = log.read().decode("utf-8", "replace")
            sys.exit(f"load_test: the server exited with {process.returncode}:\n{output}")
        try:
            httpx.get(base + "/sparql", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit("load_test: the server did not answer within 180 s")


# --- Report -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def report(
    tally: Tally, result: RunawayResult, elapsed: float, clients: int, timeout: float
) -> bool:
    latencies = [seconds * 1000 for seconds in tally.latencies]
    print(f"clients            {clients}")
    print(f"duration           {elapsed:.1f} s")
    print(f"requests           {tally.requests}")
    print(f"errors             {len(tally.errors)}")
    if latencies:
        print(f"throughput         {len(latencies) / elapsed:.1f} answers/s")
        print(f"latency p50        {percentile(latencies, 0.50):.1f} ms")
        print(f"latency p90        {percentile(latencies, 0.90):.1f} ms")
        print(f"latency p99        {percentile(latencies, 0.99):.1f} ms")
        print(f"latency max        {max(latencies):.1f} ms")
        print(f"latency mean       {statistics.fmean(latencies):.1f} ms")
    kinds = Counter(error.split(": ", 1)[1] for error in tally.errors)
    for kind, count in kinds.most_common():
        print(f"  error x{count}: {kind}")
    for error in tally.errors[:5]:
        print(f"  e.g. {error}")
    stopped = result.status is not None and result.status >= 400
    in_time = result.seconds <= timeout + 5
    others = result.answered_meanwhile > 0
    print(
        f"runaway query      answered {result.status} after {result.seconds:.2f} s "
        f"(server timeout {timeout:g} s); {result.answered_meanwhile} other answers meanwhile"
    )
    print(f"  its answer: {result.body.strip()[:200]}")
    timeout_ok = stopped and in_time and others
    print(f"timeout check      {'passed' if timeout_ok else 'FAILED'}")
    ok = not tally.errors and bool(latencies) and timeout_ok
    print(f"load test          {'passed' if ok else 'FAILED'}")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bounded loopback load test of coopgraph serve.")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (50)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load (30)")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="stop after this many (200000)"
    )
    parser.add_argument(
        "--timeout", type=float, default=5, help="the server's query timeout, in s (5)"
    )
    parser.add_argument("--url", default=None, help="use this running server (loopback only)")
    parser.add_argument(
        "--server-log",
        default=str(Path(tempfile.gettempdir()) / "coopgraph-load-test-server.log"),
        help="where the started server's output goes",
    )
    parser.add_argument(
        "--serve-arg", action="append", default=[], help="an extra option for coopgraph serve"
    )
    arguments = parser.parse_args(argv)
    if arguments.duration > 600 or arguments.clients > 500:
        parser.error("keep it bounded: at most 600 s and 500 clients")
    requests = workload()
    print(f"workload           {len(requests)} requests: every stored query, protocol and report")
    if arguments.url:
        host = urllib.parse.urlsplit(arguments.url).hostname or ""
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--url must be a loopback address")
        outcome = asyncio.run(
            run_load(
                arguments.url.rstrip("/"),
                requests,
                arguments.clients,
                arguments.duration,
                arguments.max_requests,
            )
        )
        return 0 if report(*outcome, arguments.clients, arguments.timeout) else 1
    log_path = Path(arguments.server_log)
    with serve(arguments.timeout, arguments.serve_arg, log_path) as base:
        print(f"server             {base} (coopgraph serve --timeout {arguments.timeout:g})")
        outcome = asyncio.run(
            run_load(base, requests, arguments.clients, arguments.duration, arguments.max_requests)
        )
    return 0 if report(*outcome, arguments.clients, arguments.timeout) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
