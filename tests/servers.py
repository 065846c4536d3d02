"""Start a server process on a free loopback port for a test, and always stop it: coopgraph
serve, and the stores of other makes the remote-store tests query (Virtuoso, Comunica)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_answers(
    url: str, process: subprocess.Popen[bytes], log: Path, seconds: float
) -> None:
    """Return once `url` answers any HTTP status; fail with the server's log if it dies or
    does not answer in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {process.returncode} before answering {url}:\n"
                + log.read_text(encoding="utf-8", errors="replace")
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered, with an error status: it is up
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(
        f"the server did not answer {url} within {seconds:g} s:\n"
        + log.read_text(encoding="utf-8", errors="replace")
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the process, then kill it if it does not exit within a few seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def running(
    command: Sequence[str],
    ready_url: str,
    log: Path,
    seconds: float = 60,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` (its output to `log`) until the block ends, once `ready_url` answers."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
        )
        try:
            wait_until_answers(ready_url, process, log, seconds)
            yield process
        finally:
            stop(process)


@contextmanager
def coopgraph_serve(store_cache: Path, log: Path, *options: str) -> Iterator[str]:
    """`coopgraph serve [options]` on a free loopback port, on the session's store cache,
    until the block ends; yields its base URL once /sparql answers."""
    command = Path(sys.executable).with_name("coopgraph")
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    with running(
        [str(command), "serve", "--host", LOOPBACK, "--port", str(port), *options],
        base + "/sparql",
        log,
        seconds=180,
        env={"COOPGRAPH_CACHE_DIR": str(store_cache)},
    ):
        yield base


# --- Stores the tests install (.ci/run) ------------------------------------------------------


def announce(request: pytest.FixtureRequest, line: str) -> None:
    """Say which store runs, on the terminal even while pytest captures the output."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)


STORES_DIR = Path(__file__).parent / "stores"
COMUNICA_BIN = STORES_DIR / "node_modules" / ".bin"


def required_program(path: str | None, what: str, install: str) -> str:
    """`path` when the program is there. Without it a test skips, except under CI (the CI
    variable set), where every store must run: then it fails."""
    if path is not None and Path(path).is_file():
        return path
    message = f"{what} is not installed ({install})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; under CI every store must run")
    pytest.skip(message)


def virtuoso_program() -> str:
    return required_program(
        shutil.which("virtuoso-t"), "Virtuoso", "apt-get install virtuoso-opensource-7-bin"
    )


def comunica_program() -> str:
    return required_program(
        str(COMUNICA_BIN / "comunica-sparql-file-http"),
        "Comunica",
        "npm ci --prefix tests/stores",
    )


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = {loopback}:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 60

[HTTPServer]
ServerPort = {loopback}:{http_port}
ServerRoot = {folder}
ServerThreads = 4
MaxClientConnections = 8
Charset = UTF-8

[SPARQL]
; Virtuoso cuts a result at ResultSetMaxRows without saying so: far above any result here.
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


@dataclass(frozen=True)
class Virtuoso:
    """A Virtuoso server of a test's own: its HTTP address and its SQL port."""

    base: str
    sql_port: int
    folder: Path

    @property
    def sparql(self) -> str:
        return self.base + "/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint that asks for digest credentials."""
        return self.base + "/sparql-graph-crud-auth"

    def sql(self, statements: str, password: str = "dba") -> str:
        """Run SQL statements as dba with isql (given on its standard input, so that no
        password but the old one shows in the process list)."""
        isql = shutil.which("isql-vt") or shutil.which("isql")
        if isql is None:
            raise RuntimeError("isql-vt (virtuoso-opensource-7-bin) is missing")
        done = subprocess.run(
            [isql, f"{LOOPBACK}:{self.sql_port}", "dba", password],
            input=statements,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed: {done.stdout}{done.stderr}")
        return done.stdout


@contextmanager
def virtuoso_server(folder: Path, seconds: float = 180) -> Iterator[Virtuoso]:
    """virtuoso-t in the foreground with a database in `folder` (a fresh one: user dba,
    password dba), its SQL and HTTP ports free loopback ports, until the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        _VIRTUOSO_INI.format(
            folder=folder, loopback=LOOPBACK, http_port=http_port, sql_port=sql_port
        ),
        encoding="utf-8",
    )
    command = [virtuoso_program(), "+configfile", str(ini), "+foreground"]
    base = f"http://{LOOPBACK}:{http_port}"
    with running(command, base + "/sparql", folder / "server.log", seconds, cwd=folder):
        yield Virtuoso(base, sql_port, folder)


def comunica_version() -> str:
    package = STORES_DIR / "node_modules" / "@comunica" / "query-sparql-file" / "package.json"
    return str(json.loads(package.read_text(encoding="utf-8"))["version"])


@contextmanager
def comunica_server(graph_file: Path, log: Path, seconds: float = 180) -> Iterator[str]:
    """Comunica's SPARQL endpoint over `graph_file` on a free loopback port, with the Node.js
    of tests/stores first on the PATH, until the block ends; yields the endpoint's URL."""
    program = comunica_program()
    port = free_port()
    url = f"http://{LOOPBACK}:{port}/sparql"
    command = [program, str(graph_file), "--port", str(port), "--workers", "1"]
    command += ["--timeout", "120"]
    env = {
        "PATH": f"{COMUNICA_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "NODE_OPTIONS": f"--require {STORES_DIR / 'loopback.cjs'}",
    }
    with running(command, url, log, seconds, env=env):
        yield url
