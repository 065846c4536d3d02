"""Ctrl-C stops a command at once (exit 130), even inside a query Oxigraph evaluates in native
code, and leaves no output half-written: no file, no temporary file, no staging folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

COOPGRAPH = str(Path(sys.executable).with_name("coopgraph"))
# Billions of solutions on the bundled graph: it runs far longer than the test waits.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _interrupted(
    command: list[str], folder: Path, cache: Path, after: float
) -> tuple[int, str, float]:
    home = folder.parent / "home"  # what a library keeps in HOME is not the command's output
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "COOPGRAPH_CACHE_DIR": str(cache)}
    with subprocess.Popen(
        command, cwd=folder, env=env, stderr=subprocess.PIPE, text=True
    ) as process:
        time.sleep(after)
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        try:
            code = process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("Ctrl-C did not stop the command within 20 s")
        waited = time.monotonic() - sent
        assert process.stderr is not None
        return code, process.stderr.read(), waited


@pytest.fixture
def built(store_cache: Path) -> Path:
    """The bundled store, built before the clock starts."""
    subprocess.run(
        [COOPGRAPH, "query", "sources", "--format", "csv"],
        env={**os.environ, "COOPGRAPH_CACHE_DIR": str(store_cache)},
        capture_output=True,
        check=True,
    )
    return store_cache


def test_ctrl_c_stops_a_long_query_within_a_second_and_writes_nothing(
    built: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    command = [COOPGRAPH, "sparql", "-q", ENDLESS, "-o", "out.csv"]
    code, stderr, waited = _interrupted(command, work, built, after=3.0)
    assert code == 130, stderr
    assert waited < 1.0
    assert stderr.strip() == "coopgraph: interrupted; no output was changed"
    assert sorted(path.name for path in work.iterdir()) == []


def test_ctrl_c_during_a_report_leaves_no_staging_folder(built: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("mine", encoding="utf-8")
    code, stderr, _ = _interrupted([COOPGRAPH, "report", "-o", "r"], work, built, after=1.5)
    assert "Traceback" not in stderr
    left = sorted(path.name for path in work.iterdir())
    if code == 130:
        assert left == ["notes.txt"]
    else:  # the report was done before the signal came: then it is whole
        assert code == 0, stderr
        assert left == ["notes.txt", "r"]
        assert (work / "r" / ".coopgraph-output").is_file()
