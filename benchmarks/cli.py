"""How long the commands take to start and answer, beside the floor of the interpreter itself.

    python benchmarks/cli.py              # median of 10 runs of each command
    python benchmarks/cli.py --runs 20

Each command runs as a person runs it: the installed `coopgraph` script in a fresh process,
with the cache and HOME in a temporary folder. The floor, `python -c pass`, is measured in the
same run, beside each command, so that the figures compare on a busy machine too. "Warm"
means the store of the bundled data is built (once, before the timing) and the report rows
and validation report it keeps are read. Before each command is timed it runs once, untimed,
so that the operating system's file cache is warm for both, and Python's compiled modules are
written as on any installation.

Targets (on the project's 2-core machine): `--help` within 0.15 s of the floor, a warm
stored query within 0.35 s, `validate` on a warm store within 0.5 s. Exit status 1 when a
target is missed, 2 when a command fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Command:
    label: str
    arguments: tuple[str, ...]
    target: float | None  # seconds above the floor


COMMANDS = (
    Command("coopgraph --help", ("--help",), 0.15),
    Command("coopgraph --version", ("--version",), 0.15),
    Command("coopgraph queries", ("queries",), None),
    Command("coopgraph query timeline (warm)", ("query", "timeline"), 0.35),
    Command(
        "coopgraph query state-profile -p state=Mali (warm)",
        ("query", "state-profile", "-p", "state=Mali"),
        0.35,
    ),
    Command(
        "coopgraph query shared-modality-pairs --format csv (warm)",
        ("query", "shared-modality-pairs", "--format", "csv"),
        0.35,
    ),
    Command("coopgraph validate (warm)", ("validate",), 0.5),
)


def coopgraph_program() -> list[str]:
    """The installed `coopgraph` script beside this interpreter, else the module's entry."""
    script = Path(sys.executable).with_name("coopgraph")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from coopgraph.cli import main; main()"]


def seconds_of(program: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    completed = subprocess.run(program, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(program)} exited {completed.returncode}: "
            + completed.stderr.decode("utf-8", "replace").strip()[-500:]
        )
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (median)")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="coopgraph-cli-bench-"))
    env = {**os.environ, "HOME": str(folder), "COOPGRAPH_CACHE_DIR": str(folder / "cache")}
    # As on a user's machine, Python keeps the compiled modules (the untimed first run writes
    # them): this sandbox sets PYTHONDONTWRITEBYTECODE, which no installation does.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    coopgraph = coopgraph_program()
    floor_program = [sys.executable, "-c", "pass"]
    try:
        print("building the store of the bundled data (not timed) ...", file=sys.stderr)
        seconds_of([*coopgraph, "query", "timeline"], env)
        rows: list[tuple[Command, float, float]] = []
        for command in COMMANDS:
            program = [*coopgraph, *command.arguments]
            seconds_of(program, env)
            seconds_of(floor_program, env)
            times, floors = [], []
            for _ in range(options.runs):
                # Interleaved, so that the floor sees the same machine as the command.
                floors.append(seconds_of(floor_program, env))
                times.append(seconds_of(program, env))
            rows.append((command, statistics.median(times), statistics.median(floors)))
    except RuntimeError as error:
        print(f"benchmark could not run: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"median of {options.runs} runs; floor = `python -c pass`, measured beside each command")
    print(f"{'command':<58} {'median':>8} {'floor':>7} {'above':>7} {'target':>8}  met")
    missed = 0
    for command, median, floor in rows:
        above = median - floor
        if command.target is None:
            target, verdict = "-", ""
        else:
            target = f"<={command.target:.2f}"
            met = above <= command.target
            missed += not met
            verdict = "yes" if met else "NO"
        print(
            f"{command.label:<58} {median:>7.3f}s {floor:>6.3f}s {above:>6.3f}s "
            f"{target:>8}  {verdict}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
