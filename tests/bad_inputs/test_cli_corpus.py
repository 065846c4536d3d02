"""The command-line cases of the bad-inputs corpus (tests/bad_inputs/README.md): each runs
`coopgraph` in a fresh process, in a folder of its own, and must end as the case says, with no
traceback, no file lost and no call to the canary."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from coopgraph.build.engine import open_engine
from coopgraph.model import resources
from coopgraph.model.inputs import Inputs, stores_dir

from .canary import Canary

CASES_DIR = Path(__file__).parent / "cli"
ALLOWED_KEYS = {
    "name",
    "command",
    "exit",
    "message",
    "files",
    "binary",
    "folders",
    "symlinks",
    "modes",
    "stdin",
    "env",
    "timeout",
    "stdout",
    "not_message",
    "may_change",
    "created",
    "not_created",
    "fresh_cache",
    "fifos",
    "setup",
    "damage",
    "filler",
}


@dataclass
class Tally:
    cases: int = 0
    tracebacks: int = 0
    files_lost: int = 0
    failures: list[str] = field(default_factory=list)


TALLY = Tally()


def _load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases: list[tuple[str, dict[str, Any]]] = []
    names: set[str] = set()
    for path in sorted(CASES_DIR.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8")).get("case", []):
            unknown = set(case) - ALLOWED_KEYS
            assert not unknown, f"{path.name}: {case.get('name')}: unknown keys {unknown}"
            assert case["name"] not in names, f"{path.name}: {case['name']} twice"
            names.add(case["name"])
            cases.append((f"{path.stem}: {case['name']}", case))
    return cases


CASES = _load_cases()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as listener:
        yield listener
    print(
        f"\nbad inputs (command line): {TALLY.cases} cases, {TALLY.tracebacks} tracebacks, "
        f"{TALLY.files_lost} files lost, {listener.calls} canary calls"
    )
    assert listener.calls == 0, "a case reached the canary: something called out"


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("corpus-cache")
    open_engine(Inputs.bundled(), cache)
    return cache


def _expand(text: str, places: Mapping[str, str]) -> str:
    def nested(match: re.Match[str]) -> str:
        depth = int(match.group(1))
        return "{ " * depth + "?s ?p ?o " + "} " * depth

    text = re.sub(r"\{nested:(\d+)\}", nested, text)
    for key, value in places.items():
        text = text.replace("{" + key + "}", value)
    return text


def _set_up(case: Mapping[str, Any], folder: Path, places: Mapping[str, str]) -> None:
    for name in case.get("folders", []):
        (folder / _expand(name, places)).mkdir(parents=True, exist_ok=True)
    for name in case.get("fifos", []):
        os.mkfifo(folder / name)
    for name, size in case.get("filler", {}).items():  # a large file: `size` bytes of "x"
        (folder / name).write_bytes(b"x" * size)
    for name, text in case.get("files", {}).items():
        target = folder / _expand(name, places)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_expand(text, places), encoding="utf-8")
    for name, hexed in case.get("binary", {}).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes.fromhex(hexed))
    for link, target in case.get("symlinks", {}).items():
        (folder / link).parent.mkdir(parents=True, exist_ok=True)
        (folder / link).symlink_to(_expand(target, places))
    for name, mode in case.get("modes", {}).items():
        (folder / name).chmod(mode)


def _run(command: list[str], work: Path, env: Mapping[str, str], **options: Any) -> Any:
    return subprocess.run(
        [sys.executable, "-c", "from coopgraph.cli import main; main()", *command],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        **options,
    )


def _snapshot(folder: Path, prefix: str = "") -> dict[str, str]:
    """Every path under `folder` with a digest of its content ("dir" for a folder, the
    target for a symlink)."""
    found: dict[str, str] = {}
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            path = Path(root) / name
            key = prefix + str(path.relative_to(folder))
            if path.is_symlink():
                found[key] = "link:" + str(path.readlink())
            elif path.is_dir():
                found[key] = "dir"
            elif not path.is_file():
                found[key] = "special"  # a named pipe: never opened
            else:
                try:
                    found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    found[key] = "unreadable"
    return found


def _covered(path: str, allowed: list[str]) -> bool:
    return any(path == a or path.startswith(a.rstrip("/") + "/") for a in allowed)


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[case_id for case_id, _ in CASES])
def test_case(
    case_id: str, case: dict[str, Any], tmp_path: Path, canary: Canary, shared_cache: Path
) -> None:
    work = tmp_path / "work"
    home = tmp_path / "home"
    work.mkdir()
    home.mkdir()
    cache = tmp_path / "cache" if case.get("fresh_cache") else shared_cache
    places = {
        "tmp": str(work),
        "home": str(home),
        "cache": str(cache),
        "canary": canary.url,
        "data": str(resources.asset_dir("data")),
        "store": str(stores_dir(cache) / Inputs.bundled().digest()),
    }
    _set_up(case, work, places)
    env = {
        **os.environ,
        "HOME": str(home),
        "COOPGRAPH_CACHE_DIR": str(cache),
        "NO_COLOR": "1",
        **{key: _expand(value, places) for key, value in case.get("env", {}).items()},
    }
    for setup in case.get("setup", []):  # coopgraph commands that prepare the case
        prepared = _run([_expand(argument, places) for argument in setup], work, env)
        assert prepared.returncode == 0, f"setup {setup}: {prepared.stderr}"
    for name, text in case.get("damage", {}).items():  # then files (over)written, e.g. the cache
        pattern = work / _expand(name, places)  # a `*` in its last part only
        targets = sorted(pattern.parent.glob(pattern.name)) if "*" in name else [pattern]
        assert targets, f"{name}: nothing matches {pattern}"
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_expand(text, places), encoding="utf-8")
    before = {**_snapshot(work), **_snapshot(home, "~/")}
    command = [_expand(argument, places) for argument in case["command"]]
    TALLY.cases += 1
    try:
        completed = _run(
            command,
            work,
            env,
            input=_expand(case.get("stdin", ""), places),
            timeout=case.get("timeout", 120),
        )
    finally:
        for name in case.get("modes", {}):
            (work / name).chmod(0o755)  # so that pytest can clean the folder
    output = completed.stdout + completed.stderr
    if "Traceback (most recent call last)" in output:
        TALLY.tracebacks += 1
    after = {**_snapshot(work), **_snapshot(home, "~/")}
    allowed = case.get("may_change", [])
    lost = [
        p for p, digest in before.items() if after.get(p) != digest and not _covered(p, allowed)
    ]
    TALLY.files_lost += len(lost)

    assert "Traceback (most recent call last)" not in output, output
    assert completed.returncode >= 0, f"ended by signal {-completed.returncode}: {output}"
    assert not lost, f"changed or lost: {lost}\n{output}"
    assert completed.returncode == case["exit"], output
    for fragment in case.get("message", []):
        assert _expand(fragment, places) in completed.stderr, completed.stderr
    for fragment in case.get("not_message", []):
        assert _expand(fragment, places) not in output, output
    for fragment in case.get("stdout", []):
        assert _expand(fragment, places) in completed.stdout, completed.stdout
    for name in case.get("created", []):
        assert (work / _expand(name, places)).exists(), f"{name} was not written"
    for name in case.get("not_created", []):
        assert not (work / _expand(name, places)).exists(), f"{name} is there"
    if case["exit"] == 2:
        # An error is one line (and its hint on the same line), never a screenful.
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("coopgraph: error: "), completed.stderr
