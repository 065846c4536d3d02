"""Opening the store for an input set: the one kept in the cache when its inputs are unchanged,
else a store revised from an earlier one (`coopgraph.build.revise`), else a full build
(`coopgraph.build.pipeline`).

Opening a built store imports nothing of the build: the reasoning, the validation and the
report materialisation are imported only when a store has to be built or revised.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox

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


def open_engine(
    inputs: Inputs | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> StoreEngine:
    """The Oxigraph engine on the store for `inputs` (default: bundled), built if needed."""
    inputs = inputs or Inputs.bundled()
    cache = stores_dir(cache_dir)
    parts = inputs.parts()
    digest = inputs.digest(parts)
    location = cache / digest
    manifest = location / "manifest.json"
    if manifest.is_file():
        try:
            store = ox.Store.read_only(str(location / "store"))
        except OSError:
            shutil.rmtree(location, ignore_errors=True)  # damaged: rebuild it below
        else:
            return StoreEngine(store, _read_manifest(manifest, location), location / tables.FOLDER)
    # Only a store that is not in the cache needs the build's machinery.
    from coopgraph.build.pipeline import build_store  # noqa: PLC0415
    from coopgraph.build.revise import revise_store  # noqa: PLC0415

    info = revise_store(inputs, parts, cache, digest, progress)
    if info is None or info.revised_from is None:
        info = build_store(inputs, parts, cache, digest, progress, not_revised=info)
    try:
        store = ox.Store.read_only(str(location / "store"))
        return StoreEngine(store, info, location / tables.FOLDER)
    except OSError as error:
        raise CoopgraphError(
            f"cannot open the store at {location}: {error}",
            hint="check the permissions of the cache folder, or set COOPGRAPH_CACHE_DIR",
        ) from error


def _read_manifest(manifest: Path, location: Path) -> BuildInfo:
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    return BuildInfo(
        rebuilt=False,
        location=location,
        asserted_triples=int(recorded["asserted_triples"]),
        entailed_triples=int(recorded["entailed_triples"]),
        seconds={},
    )
