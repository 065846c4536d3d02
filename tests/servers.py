"""Start a server process on a free loopback port for a test, and always stop it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

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
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` (its output to `log`) until the block ends, once `ready_url` answers."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(command),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
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
