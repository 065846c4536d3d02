"""A store built from an earlier one after an edit, with work proportional to the edit.

When the inputs differ from those of a store already in the cache by a few data files, the
new store is that store revised rather than built again:

- parsing: only the edited (or added) files are parsed;
- reasoning: the closure kept with the earlier store is revised by DRed
  (`coopgraph.reasoning.closure`);
- the store: a RocksDB checkpoint of the earlier store (hard links, no copy), then the removed
  and added triples of the data and entailments graphs are applied;
- reports: the tables of every stored report whose footprint (`coopgraph.build.footprint`)
  meets none of the changed predicates and classes are carried over; the others run again,
  on an in-memory copy, as a full build does (`revise_store`);
- validation is not carried over: a result can depend on triples far from the edit (SPARQL
  constraints and targets, uniqueness across resources) and names line numbers that an edit
  shifts, so it runs again in full (by the caller, with the reports).

`NotIncremental` says when an edit cannot be applied this way; the caller then builds in full.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from coopgraph.build import footprint
from coopgraph.build.info import BuildInfo
from coopgraph.build.pipeline import (
    BUILT_BY,
    finish,
    precompute,
    precompute_wanted,
    remove_stale_stores,
    timed,
)
from coopgraph.model.files import load_file, ntriples_of
from coopgraph.model.inputs import Inputs, Part
from coopgraph.model.namespaces import DATA_GRAPH, ENTAILMENTS_GRAPH
from coopgraph.progress import Progress, Silent
from coopgraph.query import tables
from coopgraph.reasoning import closure
from coopgraph.reasoning.closure import Closure, NotIncremental, Revision


@dataclass(frozen=True)
class Revised:
    """What revising an earlier store did."""

    revision: Revision
    closure: Closure
    reports_carried: int
    queries_to_run: frozenset[str]  # the text of each stored report the edit may change
    seconds: Mapping[str, float]

    def entailments(self) -> bytes:
        """Every informative entailment of the revised closure, as N-Triples."""
        engine = self.closure.engine
        return engine.ntriples(engine.informative(engine.derived_keys()))


def earlier_store(
    stores: Path, parts: Sequence[Part], exclude: str, built_by: Mapping[str, str]
) -> Path | None:
    """The store folder in `stores`, built as `built_by` says (the same store layout and
    coopgraph version), whose inputs have the same ontology as `parts`, at least one data
    file at the same path, and the fewest bytes of data files that differ; None when there
    is none. (Whether the edit is small enough to
    revise is known once the edited files are parsed: `Closure.revise`.)"""
    sizes = {part.name: _size(part.name) for part in parts}
    best: tuple[int, Path] | None = None
    for folder in stores.iterdir() if stores.is_dir() else ():
        if folder.name == exclude or folder.name.startswith("."):
            continue
        try:
            recorded = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            earlier = {Part(*entry) for entry in recorded.get("parts", [])}
        except (OSError, ValueError, TypeError):
            continue
        if any(recorded.get(key) != value for key, value in built_by.items()):
            continue
        if not earlier or not (folder / closure.FOLDER).is_dir():
            continue
        ontology = [part for part in parts if part.role == "ontology"]
        if not set(ontology) <= earlier or any(
            p.role == "ontology" and p not in ontology for p in earlier
        ):
            continue
        names = {part.name for part in earlier if part.role == "data"}
        if not any(part.name in names for part in parts if part.role == "data"):
            continue  # other files altogether (e.g. the bundled data): not an edit of them
        edited = sum(sizes[part.name] for part in parts if part not in earlier)
        edited += sum(1 for part in earlier if part.name not in sizes)
        if best is None or edited < best[0]:
            best = (edited, folder)
    return best[1] if best is not None else None


def _size(name: str) -> int:
    try:
        return Path(name).stat().st_size
    except OSError:
        return 0


def revise(
    earlier: Path, staging: Path, parts: Sequence[Part], graphs: Mapping[str, ox.NamedNode]
) -> Revised:
    """Write into `staging` the store of `parts`, revised from the store folder `earlier`.
    `graphs` names the "data" and "entailments" graphs. Raises `NotIncremental` when the edit
    cannot be applied (nothing useful is then left in `staging`)."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    kept = Closure.load(earlier / closure.FOLDER)
    if kept is None:
        raise NotIncremental("the earlier store kept no closure")
    timed(seconds, "read closure", started)
    started = time.perf_counter()
    before = set(kept.parts)
    content = {part.name: ntriples_of(Path(part.name)) for part in parts if part not in before}
    timed(seconds, "parse", started)
    started = time.perf_counter()
    revision = kept.revise(parts, content)
    timed(seconds, "reason", started)
    started = time.perf_counter()
    ox.Store.read_only(str(earlier / "store")).backup(str(staging / "store"))
    store = ox.Store(str(staging / "store"))
    _apply(store, graphs["data"], revision.data_removed, revision.data_added)
    _apply(store, graphs["entailments"], revision.entailments_removed, revision.entailments_added)
    store.flush()
    del store
    timed(seconds, "store", started)
    started = time.perf_counter()
    kept.save(staging / closure.FOLDER)
    timed(seconds, "keep closure", started)
    started = time.perf_counter()
    texts = tables.stored_texts()
    footprints = footprint.kept_reads(texts, earlier.parent)
    unchanged = [
        text
        for text in texts
        if not footprints[text].touched_by(revision.predicates, revision.classes)
    ]
    tables.carry_over(earlier / tables.FOLDER, staging / tables.FOLDER, unchanged)
    timed(seconds, "carry reports", started)
    to_run = frozenset(texts) - frozenset(unchanged)
    return Revised(revision, kept, len(unchanged), to_run, seconds)


def _apply(store: ox.Store, graph: ox.NamedNode, removed: bytes, added: bytes) -> None:
    for quad in ox.parse(removed, format=ox.RdfFormat.N_TRIPLES):
        store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    if added:
        store.load(added, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)


def revise_store(
    inputs: Inputs, parts: list[Part], cache: Path, digest: str, progress: Progress | None
) -> BuildInfo | None:
    """The store for `inputs` revised from an earlier store in `cache` that differs from it in
    a few data files (`coopgraph.build.revise`); None when there is no such store; a BuildInfo
    without `revised_from`, saying why, when there is one but the edit cannot be applied."""
    earlier = earlier_store(cache, parts, exclude=digest, built_by=BUILT_BY)
    if earlier is None:
        return None
    progress = progress or Silent()
    staging = cache / f".{digest}.revising-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    started = time.perf_counter()
    progress.step(f"revising the store of {earlier.name[:8]}")
    graphs = {
        "data": ox.NamedNode(str(DATA_GRAPH)),
        "entailments": ox.NamedNode(str(ENTAILMENTS_GRAPH)),
    }
    try:
        staging.mkdir(parents=True)
        try:
            revised = revise(earlier, staging, parts, graphs)
        except NotIncremental as why:
            shutil.rmtree(staging, ignore_errors=True)
            progress.done()
            return BuildInfo(False, cache / digest, 0, 0, {}, not_revised=str(why))
        seconds = dict(revised.seconds)
        revision = revised.revision
        checks: dict[str, int] = {}
        if precompute_wanted(revision.asserted):
            # As a full build leaves them: the validation report and every report's rows
            # kept, here those of the reports the edit may change, on an in-memory copy.
            copying = time.perf_counter()
            paths = [*inputs.ontology, *inputs.data]
            memory = ox.Store()
            for path in paths:
                load_file(memory, path, ox.DefaultGraph())
            memory.bulk_load(
                revised.entailments(),
                format=ox.RdfFormat.N_TRIPLES,
                to_graph=ox.NamedNode(str(ENTAILMENTS_GRAPH)),
            )
            timed(seconds, "in-memory copy", copying)
            changed = (revision.predicates, revision.classes)
            seconds.update(
                precompute(
                    staging,
                    memory,
                    paths,
                    revised.queries_to_run,
                    progress,
                    earlier,
                    changed,
                    checks,
                )
            )
            del memory
        seconds["revise (wall)"] = time.perf_counter() - started
        finish(
            staging,
            cache / digest,
            inputs,
            parts,
            {
                "asserted_triples": revision.asserted,
                "entailed_triples": revision.entailed,
                "reasoner": "rules",
                "revised_from": earlier.name,
                "revision": dict(revision.counts),
                "reports_carried": revised.reports_carried,
                "reports_to_run": len(revised.queries_to_run),
                **checks,
                "seconds": seconds,
            },
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    progress.done()
    remove_stale_stores(cache, keep=digest)
    return BuildInfo(
        True, cache / digest, revision.asserted, revision.entailed, seconds, earlier.name
    )
