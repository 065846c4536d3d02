"""A bounded load test of `coopgraph serve` on loopback: concurrent clients running the
stored queries, then a query that runs past the server's timeout while the others go on, and
a hostile client flooding the server with runaway and memory-hungry queries while a plain
ASK is sent from a third client every quarter second.

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
other clients keep getting answers. Then the fair-share check: from one hostile client address
(127.0.0.3), --runaways queries that run past the timeout and --hungry queries that need more
than the server's --max-memory (answered 503); from another (127.0.0.2), a plain ASK every
0.25 s for the whole run. Printed: how the hostile queries were answered, and how long the
ASK waited (median and longest, and the longest while the hostile queries were in flight);
the ASK's errors count among the legitimate requests' errors. Loopback has every 127.x.y.z
address, so the three clients are three addresses to the server's fair shares
(--max-per-client). Exit status 0 when all hold, 1 otherwise.
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
PROBE_ADDRESS = "127.0.0.2"  # the client sending a plain ASK
HOSTILE_ADDRESS = "127.0.0.3"  # the client sending runaway and memory-hungry queries
# Every triple joined with every other, twice: billions of solutions, never finishes in time.
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# Every triple with every other, sorted: grows a worker by gigabytes in seconds (issue 12).
HUNGRY_QUERY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?d ?c ?f LIMIT 1"
PLAIN_ASK = "ASK { ?s a <https://w3id.org/coopgraph/def/State> }"
SERVER_OPTIONS = ["--max-per-client", "64", "--max-queue", "200", "--max-memory", "1G"]


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


@dataclass
class Hostile:
    """What the hostile client got, and how long the plain ASK of another client waited."""

    statuses: Counter[str] = field(default_factory=Counter)
    began: float = 0.0
    ended: float = 0.0
    asks: list[tuple[float, float]] = field(default_factory=list)  # (sent at, seconds)
    queued: list[tuple[float, float]] = field(default_factory=list)  # (sent at, ms queued)


def _from(address: str, base: str, connections: int) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(
        local_address=address,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=120)


async def flood(base: str, delay: float, runaways: int, hungry: int, hostile: Hostile) -> None:
    """From the hostile address: runaway and memory-hungry queries, all at once."""
    await asyncio.sleep(delay)
    async with _from(HOSTILE_ADDRESS, base, runaways + hungry) as http:

        async def send(query: str, label: str) -> None:
            try:
                response = await http.post("/sparql", data={"query": query})
                answer = str(response.status_code)
                if response.status_code >= 400:
                    answer += " " + response.json()["error"]["type"]
            except httpx.HTTPError as error:
                answer = type(error).__name__
            hostile.statuses[f"{label}: {answer}"] += 1

        hostile.began = time.monotonic()
        queries = [(f"{RUNAWAY_QUERY} # {n}", "runaway") for n in range(runaways)]
        queries += [(f"{HUNGRY_QUERY} # {n}", "memory-hungry") for n in range(hungry)]
        await asyncio.gather(*(send(query, label) for query, label in queries))
        hostile.ended = time.monotonic()


async def probe(base: str, deadline: float, hostile: Hostile, tally: Tally) -> None:
    """From the probe's address: a plain ASK every 0.25 s until the deadline."""
    async with _from(PROBE_ADDRESS, base, 1) as http:
        while time.monotonic() < deadline:
            sent = time.monotonic()
            try:
                response = await http.get(
                    "/sparql",
                    params={"query": PLAIN_ASK},
                    headers={"Accept": "application/sparql-results+json"},
                )
            except httpx.HTTPError as error:
                tally.errors.append(f"plain ASK: {type(error).__name__}: {error}")
                continue
            if response.status_code != 200:
                tally.errors.append(f"plain ASK: HTTP {response.status_code}")
            else:
                hostile.asks.append((sent, time.monotonic() - sent))
                timing = response.headers.get("server-timing", "")
                for part in timing.split(","):
                    name, _, duration = part.strip().partition(";dur=")
                    if name == "queue" and duration:
                        hostile.queued.append((sent, float(duration)))
            await asyncio.sleep(max(0.0, 0.25 - (time.monotonic() - sent)))


async def run_load(
    base: str,
    requests: Sequence[Request],
    clients: int,
    duration: float,
    max_requests: int,
    runaways: int = 8,
    hungry: int = 2,
) -> tuple[Tally, RunawayResult, float, Hostile]:
    tally = Tally()
    hostile = Hostile()
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    async with (
        httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http,
        _from(HOSTILE_ADDRESS, base, 1) as hostile_http,
    ):
        began = time.monotonic()
        cpu_began = time.process_time()
        deadline = began + duration
        budget = [max_requests]
        tasks = [
            client(http, requests, index * 7, deadline, budget, tally) for index in range(clients)
        ]
        results = await asyncio.gather(
            runaway(hostile_http, duration / 3, tally),
            flood(base, duration / 2, runaways, hungry, hostile),
            probe(base, deadline, hostile, tally),
            *tasks,
        )
        elapsed = time.monotonic() - began
        print(f"client CPU         {time.process_time() - cpu_began:.1f} s (this load generator)")
    runaway_result = results[0]
    assert isinstance(runaway_result, RunawayResult)
    return tally, runaway_result, elapsed, hostile


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
    tally: Tally,
    result: RunawayResult,
    elapsed: float,
    hostile: Hostile,
    clients: int,
    timeout: float,
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
    fair_ok = report_fairness(hostile, timeout)
    ok = not tally.errors and bool(latencies) and timeout_ok and fair_ok
    print(f"load test          {'passed' if ok else 'FAILED'}")
    return ok


def report_fairness(hostile: Hostile, timeout: float) -> bool:
    """How the hostile queries were answered and how long the plain ASK waited meanwhile."""
    for answer, count in sorted(hostile.statuses.items()):
        print(f"hostile client     {count} x {answer}")
    waits = [seconds * 1000 for _, seconds in hostile.asks]
    during = [
        seconds * 1000
        for sent, seconds in hostile.asks
        if hostile.began <= sent <= hostile.ended
        or hostile.began <= sent + seconds <= hostile.ended
    ]
    if not waits:
        print("plain ASK          no answer")
        return False
    print(
        f"plain ASK waited   median {statistics.median(waits):.1f} ms, longest "
        f"{max(waits):.1f} ms ({len(waits)} ASKs from another client address)"
    )
    if during:
        print(
            f"  while the hostile queries were in flight "
            f"({hostile.ended - hostile.began:.1f} s): {len(during)} ASKs, median "
            f"{statistics.median(during):.1f} ms, longest {max(during):.1f} ms"
        )
    queued = [
        milliseconds
        for sent, milliseconds in hostile.queued
        if hostile.began <= sent <= hostile.ended
    ]
    if queued:
        print(
            f"  of which waiting for a worker (the server's Server-Timing): median "
            f"{statistics.median(queued):.1f} ms, longest {max(queued):.1f} ms; the rest is "
            "the HTTP stack and a worker sharing the CPU with the hostile queries"
        )
    hungry_stopped = all(
        answer.startswith(("429", "503", "504"))
        for label_answer in hostile.statuses
        for label, _, answer in [label_answer.partition(": ")]
        if label == "memory-hungry"
    )
    fair = bool(during) and max(during) < timeout * 1000
    print(f"fair-share check   {'passed' if fair and hungry_stopped else 'FAILED'}")
    return fair and hungry_stopped


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
    parser.add_argument(
        "--runaways", type=int, default=8, help="runaway queries of the hostile client (8)"
    )
    parser.add_argument(
        "--hungry", type=int, default=2, help="memory-hungry queries of the hostile client (2)"
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
                arguments.runaways,
                arguments.hungry,
            )
        )
        return 0 if report(*outcome, arguments.clients, arguments.timeout) else 1
    log_path = Path(arguments.server_log)
    options = [*SERVER_OPTIONS, *arguments.serve_arg]
    with serve(arguments.timeout, options, log_path) as base:
        print(
            f"server             {base} (coopgraph serve --timeout {arguments.timeout:g} "
            + " ".join(options)
            + ")"
        )
        outcome = asyncio.run(
            run_load(
                base,
                requests,
                arguments.clients,
                arguments.duration,
                arguments.max_requests,
                arguments.runaways,
                arguments.hungry,
            )
        )
    return 0 if report(*outcome, arguments.clients, arguments.timeout) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
