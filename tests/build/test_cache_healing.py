"""The cache of built stores heals and cannot be turned against its owner: a damaged store is
set aside and built again (and the user told), a killed build's folders are cleaned, one build
of a store at a time, a cache that cannot be written is one clear error, and no file in the
cache can run code when it is read (`coopgraph.build.cache`, `coopgraph.build.engine`)."""

from __future__ import annotations

import json
import os
import pickle
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coopgraph.build.cache import build_lock, remove_left_behind
from coopgraph.build.engine import StoreEngine, open_engine
from coopgraph.errors import CoopgraphError
from coopgraph.model.inputs import Inputs, stores_dir
from coopgraph.query.catalog import load_catalog, run_stored_query
from coopgraph.reasoning import closure
from coopgraph.validation.validator import validate

CLI = (sys.executable, "-c", "from coopgraph.cli import main; main()")
SRC = Path(__file__).resolve().parents[2] / "src" / "coopgraph"


def _built(cache: Path) -> tuple[StoreEngine, Path]:
    engine = open_engine(Inputs.bundled(), cache)
    assert engine.info is not None
    return engine, engine.info.location


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _damage_current(location: Path) -> None:
    (location / "store" / "CURRENT").write_text("garbage\n", encoding="utf-8")


def _truncate_manifest(location: Path) -> None:
    manifest = location / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:40])


def _remove_manifest(location: Path) -> None:
    (location / "manifest.json").unlink()


def _manifest_of_another_store(location: Path) -> None:
    manifest = location / "manifest.json"
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    recorded["digest"] = "0" * 32
    manifest.write_text(json.dumps(recorded), encoding="utf-8")


def _truncate_tables_of_rocksdb(location: Path) -> None:
    for table in sorted((location / "store").glob("*.sst"))[:3]:
        with table.open("r+b") as stream:
            stream.truncate(100)


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (_damage_current, "RocksDB: Corruption: CURRENT file corrupted"),
        (_truncate_manifest, "its manifest.json cannot be read"),
        (_remove_manifest, "it has no manifest.json"),
        (_manifest_of_another_store, "it names another store"),
        (_truncate_tables_of_rocksdb, "RocksDB: Corruption"),
    ],
    ids=["CURRENT", "truncated manifest", "no manifest", "another manifest", "truncated sst"],
)
def test_a_damaged_store_is_set_aside_built_again_and_said(
    tmp_path: Path, damage: object, why: str
) -> None:
    first, location = _built(tmp_path)
    del first
    damage(location)  # type: ignore[operator]
    warnings: list[str] = []
    healed = open_engine(Inputs.bundled(), tmp_path, warn=warnings.append)
    assert healed.info is not None and healed.info.rebuilt
    assert len(warnings) == 1 and why in warnings[0] and "built again" in warnings[0]
    assert str(location) in warnings[0]
    assert len(run_stored_query(load_catalog().get("former-states"), {}, healed)) > 0
    again = open_engine(Inputs.bundled(), tmp_path, warn=warnings.append)
    assert again.info is not None and not again.info.rebuilt
    assert len(warnings) == 1
    assert not [p for p in location.parent.iterdir() if p.name.startswith(".")]


def test_the_command_line_says_the_store_was_rebuilt(tmp_path: Path) -> None:
    _first, location = _built(tmp_path)
    _damage_current(location)
    completed = subprocess.run(
        [*CLI, "query", "former-states", "--cache-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert completed.returncode == 0, completed.stderr
    assert "coopgraph: warning: the store kept in" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_killed_builds_folders_are_removed_by_the_next_build(tmp_path: Path) -> None:
    stores = stores_dir(tmp_path)
    stores.mkdir(parents=True)
    dead = _dead_pid()
    left = [
        stores / f".{'a' * 32}.building-{dead}",
        stores / f".{'b' * 32}.revising-{dead}",
        stores / f".{'c' * 32}.damaged-{dead}",
    ]
    alive = stores / f".{'d' * 32}.building-{os.getppid()}"
    for folder in (*left, alive):
        (folder / "store").mkdir(parents=True)
    user_file = stores / "notes.txt"
    user_file.write_text("not a store", encoding="utf-8")
    _built(tmp_path)
    assert not any(folder.exists() for folder in left)
    assert alive.exists()  # its builder may still be at work
    assert user_file.exists()


def test_the_builder_holding_the_lock_removes_every_folder_of_its_store(tmp_path: Path) -> None:
    stores = tmp_path / "stores"
    stores.mkdir()
    digest = "e" * 32
    other = stores / f".{digest}.building-{os.getppid()}"  # alive, but cannot hold the lock
    other.mkdir()
    with build_lock(stores, digest):
        assert remove_left_behind(stores, locked=digest) == [other.name]


def test_one_build_of_a_store_at_a_time(tmp_path: Path) -> None:
    stores = stores_dir(tmp_path)
    digest = Inputs.bundled().digest()
    steps: list[str] = []
    opened: list[StoreEngine] = []

    class Recorder:
        def step(self, label: str, total: int | None = None) -> None:
            steps.append(label)

        def advance(self, amount: int = 1) -> None:
            return None

        def done(self) -> None:
            return None

    with build_lock(stores, digest):
        worker = threading.Thread(
            target=lambda: opened.append(open_engine(Inputs.bundled(), tmp_path, Recorder()))
        )
        worker.start()
        worker.join(timeout=3)
        assert worker.is_alive(), "built while another process held the store's lock"
        assert steps == ["waiting for another coopgraph building this store"]
    worker.join(timeout=300)
    assert opened and opened[0].info is not None and opened[0].info.rebuilt


def test_two_processes_building_one_store_both_succeed_and_build_it_once(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from coopgraph.build.engine import open_engine; "
        "from coopgraph.model.inputs import Inputs; "
        "print(open_engine(Inputs.bundled(), Path(sys.argv[1])).info.rebuilt)"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=600)[0].strip() for process in processes]
    assert all(process.returncode == 0 for process in processes)
    assert sorted(outputs) == ["False", "True"]
    stores = stores_dir(tmp_path)
    assert [p.name for p in stores.iterdir()] == [Inputs.bundled().digest()]


def test_a_cache_under_a_file_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CoopgraphError, match="cannot write the cache folder") as caught:
        open_engine(Inputs.bundled(), blocker / "cache")
    assert "--cache-dir" in str(caught.value)


def test_a_cache_without_write_permission_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests may run as root, whom a mode does not stop: refuse the way the system would.
    real_mkdir = Path.mkdir

    def denied(self: Path, *args: object, **kwargs: object) -> None:
        if ".building-" in self.name or ".revising-" in self.name:
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", denied)
    with pytest.raises(CoopgraphError, match="Permission denied"):
        open_engine(Inputs.bundled(), tmp_path)


class _Planted:
    """Unpickling this creates the file `path`: what a crafted pickle could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.path),))


def test_a_crafted_pickle_in_the_cache_is_never_run(tmp_path: Path, own_data: list[Path]) -> None:
    cache = tmp_path / "cache"
    engine = open_engine(Inputs.with_data(own_data), cache)
    assert engine.info is not None and engine.tables is not None
    location = engine.info.location
    ran = tmp_path / "the-pickle-ran"
    crafted = pickle.dumps(_Planted(ran))
    kept = [*engine.tables.iterdir(), *location.glob("validation-*")]
    assert kept
    for path in kept:  # the files it keeps, and the names an earlier layout gave them
        path.write_bytes(crafted)
        path.with_suffix(".pickle").write_bytes(crafted)
    planted = np.array([_Planted(ran)], dtype=object)
    with (location / closure.FOLDER / "keys.npy").open("wb") as stream:
        names = ("known", "asserted", "predicates", *(f"part{n}" for n in range(len(own_data) + 5)))
        arrays: dict[str, Any] = dict.fromkeys(names, planted)
        np.savez(stream, **arrays)

    for query in load_catalog():
        run_stored_query(query, query.report_arguments(), engine)
    validate(list(own_data), cache_dir=cache)
    instruments = next(path for path in own_data if path.name == "instruments.ttl")
    instruments.write_text(
        instruments.read_text(encoding="utf-8").replace("Bali Process", "The Bali Process"),
        encoding="utf-8",
    )
    revised = open_engine(Inputs.with_data(own_data), cache)  # reads the kept closure, checks
    assert revised.info is not None and revised.info.rebuilt
    assert not ran.exists(), "a file in the cache ran code"


def test_no_module_reads_a_format_that_can_run_code() -> None:
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(pickle|marshal|shelve|dill)\b", text, re.M), (
            path
        )
        for call in re.findall(r"np\.load\([^)]*\)", text):
            assert "allow_pickle=False" in call, f"{path}: {call}"


def test_a_file_or_link_where_a_store_should_be_is_set_aside(tmp_path: Path) -> None:
    stores = stores_dir(tmp_path)
    stores.mkdir(parents=True)
    location = stores / Inputs.bundled().digest()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("keep me", encoding="utf-8")
    location.symlink_to(elsewhere)
    warnings: list[str] = []
    engine = open_engine(Inputs.bundled(), tmp_path, warn=warnings.append)
    assert engine.info is not None and engine.info.rebuilt
    assert "it is not a folder" in warnings[0]
    assert (elsewhere / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert location.is_dir() and not location.is_symlink()
    assert not [p for p in stores.iterdir() if p.name.startswith(".")]


def test_a_link_planted_as_the_lock_creates_nothing(tmp_path: Path) -> None:
    stores = stores_dir(tmp_path)
    (tmp_path / "locks").mkdir(parents=True)
    target = tmp_path / "would-be-created"
    (tmp_path / "locks" / "f00.lock").symlink_to(target)
    with (
        pytest.raises(CoopgraphError, match="cannot write the cache folder"),
        build_lock(stores, "f00"),
    ):
        pass
    assert not target.exists()
