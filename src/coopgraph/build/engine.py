"""Opening the store for an input set: the one kept in the cache when its inputs are unchanged,
else a store revised from an earlier one (`coopgraph.build.revise`), else a full build
(`coopgraph.build.pipeline`).

Opening a built store imports nothing of the build: the reasoning, the validation and the
report materialisation are imported only when a store has to be built or revised.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from coopgraph.build.cache import build_lock, cache_error, remove_left_behind, set_aside
from coopgraph.build.info import BuildInfo
from coopgraph.errors import CoopgraphError
from coopgraph.model.inputs import Inputs, stores_dir
from coopgraph.progress import Progress
from coopgraph.query import tables
from coopgraph.query.engine import OxigraphEngine


class StoreEngine(OxigraphEngine):
    """The Oxigraph engine on a built store, with what opening it took (`info`)."""

    def __init__(self, store: ox.Store, info: BuildInfo, tables_folder: Path) -> None:
        super().__init__(store, tables_folder)
        self.info = info


class _Damaged(Exception):
    """A store folder in the cache that cannot be used as it is; the message says why."""


Warn = Callable[[str], None]


def open_engine(
    inputs: Inputs | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    warn: Warn | None = None,
) -> StoreEngine:
    """The Oxigraph engine on the store for `inputs` (default: bundled), built if needed.

    A store in the cache that is damaged (its manifest unreadable, RocksDB's files corrupted)
    is set aside and built again, and `warn` is told so. One process builds a given store at
    a time (`coopgraph.build.cache.build_lock`); another waits, then opens what it built."""
    inputs = inputs or Inputs.bundled()
    cache = stores_dir(cache_dir)
    parts = inputs.parts()
    digest = inputs.digest(parts)
    location = cache / digest
    with contextlib.suppress(_Damaged):  # a damaged store is dealt with under the lock
        kept = _open_kept(location)
        if kept is not None:
            return kept
    # Only a store that is not in the cache needs the build's machinery.
    from coopgraph.build.pipeline import build_store  # noqa: PLC0415
    from coopgraph.build.revise import revise_store  # noqa: PLC0415

    def waiting() -> None:
        if progress is not None:
            progress.step("waiting for another coopgraph building this store")

    with build_lock(cache, digest, waiting):
        remove_left_behind(cache, locked=digest)
        try:
            kept = _open_kept(location)  # built by another process meanwhile?
        except _Damaged as why:
            set_aside(location)
            if warn is not None:
                warn(
                    f"the store kept in {location} was damaged ({why}); it was removed and is "
                    "built again"
                )
        else:
            if kept is not None:
                return kept
        try:
            info = revise_store(inputs, parts, cache, digest, progress)
            if info is None or info.revised_from is None:
                info = build_store(inputs, parts, cache, digest, progress, not_revised=info)
        except OSError as error:
            raise cache_error(cache, error) from error
    try:
        store = ox.Store.read_only(str(location / "store"))
        return StoreEngine(store, info, location / tables.FOLDER)
    except (OSError, RuntimeError) as error:
        raise CoopgraphError(
            f"cannot open the store at {location}: {error}",
            hint="check the permissions of the cache folder, or set COOPGRAPH_CACHE_DIR",
        ) from error


def _open_kept(location: Path) -> StoreEngine | None:
    """The engine on the store kept at `location`; None when there is none; `_Damaged` when
    there is one that cannot be used."""
    if not location.exists() and not location.is_symlink():
        return None
    if location.is_symlink() or not location.is_dir():
        raise _Damaged("it is not a folder")
    manifest = location / "manifest.json"
    try:
        info = _read_manifest(manifest, location)
    except FileNotFoundError as error:
        raise _Damaged("it has no manifest.json") from error
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise _Damaged(f"its manifest.json cannot be read: {_first_line(error)}") from error
    try:
        store = ox.Store.read_only(str(location / "store"))
        # Touch the data: RocksDB opens some damaged stores and fails on the first read.
        next(iter(store.quads_for_pattern(None, None, None, None)), None)
    except (OSError, RuntimeError, ValueError) as error:
        raise _Damaged(f"RocksDB: {_first_line(error)}") from error
    return StoreEngine(store, info, location / tables.FOLDER)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _read_manifest(manifest: Path, location: Path) -> BuildInfo:
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    if not isinstance(recorded, dict):
        raise ValueError("not a JSON object")
    if recorded.get("digest") != location.name:
        raise ValueError(f"it names another store ({recorded.get('digest')!r})")
    return BuildInfo(
        rebuilt=False,
        location=location,
        asserted_triples=int(recorded["asserted_triples"]),
        entailed_triples=int(recorded["entailed_triples"]),
        seconds={},
    )
