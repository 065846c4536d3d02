"""A store built from an earlier one after an edit, with work proportional to the edit.

When the inputs differ from those of a store already in the cache by a few data files, the
new store is that store revised rather than built again:

- parsing: only the edited (or added) files are parsed;
- reasoning: the closure kept with the earlier store is revised by DRed (`coopgraph.closure`);
- the store: a RocksDB checkpoint of the earlier store (hard links, no copy), then the removed
  and added triples of the data and entailments graphs are applied;
- reports: the tables of every stored report whose footprint (`coopgraph.footprint`) meets
  none of the changed predicates and classes are carried over; the others run again (the
  caller runs them on an in-memory copy, as a full build does, `engine._revise`);
- validation is not carried over: a result can depend on triples far from the edit (SPARQL
  constraints and targets, uniqueness across resources) and names line numbers that an edit
  shifts, so it runs again in full (by the caller, with the reports).

`NotIncremental` says when an edit cannot be applied this way; the caller then builds in full.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from coopgraph import build, closure, footprint, tables
from coopgraph.closure import Closure, NotIncremental, Part, Revision


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
    build.timed(seconds, "read closure", started)
    started = time.perf_counter()
    before = set(kept.parts)
    content = {
        part.name: build.ntriples_of(Path(part.name)) for part in parts if part not in before
    }
    build.timed(seconds, "parse", started)
    started = time.perf_counter()
    revision = kept.revise(parts, content)
    build.timed(seconds, "reason", started)
    started = time.perf_counter()
    ox.Store.read_only(str(earlier / "store")).backup(str(staging / "store"))
    store = ox.Store(str(staging / "store"))
    _apply(store, graphs["data"], revision.data_removed, revision.data_added)
    _apply(store, graphs["entailments"], revision.entailments_removed, revision.entailments_added)
    store.flush()
    del store
    build.timed(seconds, "store", started)
    started = time.perf_counter()
    kept.save(staging / closure.FOLDER)
    build.timed(seconds, "keep closure", started)
    started = time.perf_counter()
    texts = tables.stored_texts()
    footprints = footprint.kept_reads(texts, earlier.parent)
    unchanged = [
        text
        for text in texts
        if not footprints[text].touched_by(revision.predicates, revision.classes)
    ]
    tables.carry_over(earlier / tables.FOLDER, staging / tables.FOLDER, unchanged)
    build.timed(seconds, "carry reports", started)
    to_run = frozenset(texts) - frozenset(unchanged)
    return Revised(revision, kept, len(unchanged), to_run, seconds)


def _apply(store: ox.Store, graph: ox.NamedNode, removed: bytes, added: bytes) -> None:
    for quad in ox.parse(removed, format=ox.RdfFormat.N_TRIPLES):
        store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    if added:
        store.load(added, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
