"""Progress of a build: the steps the core reports, a bar per step on a terminal, nothing
when piped."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopgraph.build.engine import open_engine
from coopgraph.build.writer import BackgroundWriter
from coopgraph.cli import StepBars, main
from coopgraph.model.inputs import Inputs
from coopgraph.query.catalog import load_catalog


class Recorder:
    """A `Progress` that keeps what it is told."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, int | None]] = []
        self.advanced: dict[str, int] = {}
        self.finished = False

    def step(self, label: str, total: int | None = None) -> None:
        self.steps.append((label, total))
        self.advanced[label] = 0

    def advance(self, amount: int = 1) -> None:
        self.advanced[self.steps[-1][0]] += amount

    def done(self) -> None:
        self.finished = True


def test_a_build_reports_each_step_with_its_units(tmp_path: Path) -> None:
    recorder = Recorder()
    open_engine(Inputs.bundled(), tmp_path, progress=recorder)
    labels = [label for label, _total in recorder.steps]
    assert labels == [
        "parsing",
        "reasoning (OWL 2 RL)",
        "validating, materialising the reports",
        "writing the store",
    ]
    for label, total in recorder.steps:
        if total is not None:
            assert recorder.advanced[label] == total, label
    # validation, then one step per stored query
    assert dict(recorder.steps)["validating, materialising the reports"] == 1 + len(load_catalog())
    assert recorder.advanced["reasoning (OWL 2 RL)"] >= 1  # one per round of the rules
    assert recorder.finished


def test_an_open_store_reports_no_steps(tmp_path: Path) -> None:
    open_engine(Inputs.bundled(), tmp_path)
    recorder = Recorder()
    open_engine(Inputs.bundled(), tmp_path, progress=recorder)
    assert recorder.steps == []


def test_step_bars_draw_a_bar_per_step_and_keep_each_finished_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bars = StepBars("building the store")
    bars.step("parsing", total=4)
    bars.advance(2)
    bars.step("reasoning (OWL 2 RL)")
    bars.advance()
    bars.done()
    err = capsys.readouterr().err
    lines = err.split("\n")
    # Two finished lines (one per step), each redrawn in place with \r.
    assert len(lines) == 3 and lines[2] == ""
    assert "[############------------] 2/4" in lines[0]
    assert lines[0].rsplit("\r", 1)[-1].startswith("building the store: parsing")
    assert "4/4" in lines[0].rsplit("\r", 1)[-1]  # a finished step shows all its units
    # (click drops the escape that clears the rest of the line when stderr is no terminal)
    assert "reasoning (OWL 2 RL)" in lines[1] and lines[1].endswith(" s")


def test_a_piped_command_shows_no_progress(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["query", "former-states", "--format", "csv", "--cache-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (tmp_path / "stores").is_dir()  # the store was built, silently


def test_the_writer_reports_finished_tasks_and_the_first_error() -> None:
    gate = threading.Event()
    seen: list[int] = []

    def blocked() -> None:
        gate.wait()

    with BackgroundWriter() as writer:
        for _ in range(5):
            writer.submit(blocked)
        gate.set()
        writer.wait(on_finished=seen.append)
    assert sum(seen) == 5

    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), BackgroundWriter() as writer:
        writer.submit(fail)
        writer.wait()
