"""A confined process cannot open a network socket: not from Python, not from Oxigraph's
SERVICE or LOAD. Each test confines a child process (a filter cannot be removed, and the test
process needs its sockets); a loopback canary counts the connections that got through."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.bad_inputs.canary import Canary

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="seccomp is Linux's")

CHILD = textwrap.dedent(
    """
    import socket, sys
    import pyoxigraph as ox
    from coopgraph.query.confinement import deny_network

    url = sys.argv[1]
    if sys.argv[2] == "confined":
        deny_network()
    outcomes = []
    try:
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=2).close()
        outcomes.append("python connected")
    except OSError as error:
        outcomes.append(f"python refused: {error.errno}")
    try:
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"))
        outcomes.append("service answered")
    except OSError as error:
        outcomes.append(f"service refused: {type(error).__name__}")
    try:
        ox.Store().update(f"LOAD <{url}/data.ttl>")
        outcomes.append("load answered")
    except Exception as error:
        outcomes.append(f"load refused: {type(error).__name__}")
    left, right = socket.socketpair()  # what a worker's pipe to the server is
    left.send(b"x")
    outcomes.append(f"unix socket: {right.recv(1)!r}")
    print("; ".join(outcomes))
    """
)


def _child(canary: Canary, mode: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, canary.url, mode],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "NO_PROXY": "*"},
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_an_unconfined_process_reaches_the_canary() -> None:
    """The harness can see a call: without the filter, all three calls get through."""
    with Canary() as canary:
        outcome = _child(canary, "free")
    assert outcome.startswith("python connected; service answered")
    assert canary.calls >= 2


def test_a_confined_process_reaches_nothing_but_unix_sockets() -> None:
    with Canary() as canary:
        outcome = _child(canary, "confined")
    assert outcome == (
        "python refused: 13; service refused: PermissionError; load refused: PermissionError; "
        "unix socket: b'x'"
    )
    assert canary.calls == 0
