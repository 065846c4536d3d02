"""The closure a build reasoned, kept with its store and revised after an edit.

A build by the compiled rules (`coopgraph.reasoning.rules`) keeps, next to the store, everything it
reasoned with: the term codes, every known triple (asserted and entailed) as an integer key,
the asserted keys of each input file, and the schema. After an edit, `Closure.revise` takes
the new content of the changed files and maintains the closure by DRed (delete and
rederive, Gupta, Mumick and Subrahmanian 1993), set at a time with the same rules:

1. over-delete: what the removed triples derived, round after round, is taken out;
2. rederive: of what was taken out, what the remaining triples still derive in one step
   comes back (the rules only derive a triple from premises that mention its subject or its
   object, so only the triples around the over-deleted ones are joined again);
3. insert: the added and the rederived triples run forward, semi-naively, to a fixpoint.

The work is that of the triples the edit touches and of what they derived, not that of the
whole graph. Where this does not hold, `NotIncremental` says why and the caller rebuilds in
full: an edit of most of the triples, an edit of the schema (class or property axioms),
owl:sameAs (from the data or from functional properties: every triple of an equated resource
is copied), blank nodes in an edited file (their labels differ between the store and this
closure), a predicate new to the store, or more terms than the integer coding has room for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyoxigraph as ox

from coopgraph.model.inputs import Part
from coopgraph.reasoning.rules import (
    I64,
    Arrays,
    Reasoned,
    Triple,
    _Coded,
    _Engine,
    _unique,
    compile_program,
)

FOLDER = "closure"
# Bump when what is kept changes.
FORMAT = "1"


# Above this share of the triples changed, building in full costs about as much.
MOST_CHANGED = 0.5


class NotIncremental(Exception):
    """The edit cannot be applied to the kept closure; the message says why."""


@dataclass(frozen=True)
class Revision:
    """What an edit changed: triples (N-Triples) of the data graph and of the entailments
    graph, and the predicates and classes of everything that changed."""

    data_removed: bytes
    data_added: bytes
    entailments_removed: bytes
    entailments_added: bytes
    asserted: int
    entailed: int
    predicates: frozenset[str]
    classes: frozenset[str]
    counts: Mapping[str, int]


def _minus(keys: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The sorted distinct `keys` that are not among the sorted distinct `other`."""
    if not len(other) or not len(keys):
        return keys
    pos = np.minimum(np.searchsorted(other, keys), len(other) - 1)
    return cast(np.ndarray, keys[other[pos] != keys])


def _among(keys: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The sorted distinct `keys` that are also among the sorted distinct `other`."""
    if not len(other) or not len(keys):
        return keys[:0]
    pos = np.minimum(np.searchsorted(other, keys), len(other) - 1)
    return cast(np.ndarray, keys[other[pos] == keys])


def _member(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Whether each of `values` is among the sorted distinct `ordered`."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return cast(np.ndarray, ordered[pos] == values)


def _union(arrays: Sequence[np.ndarray]) -> np.ndarray:
    return _unique(np.concatenate(arrays)) if arrays else np.zeros(0, dtype=I64)


class Closure:
    """An engine holding a closure, with the asserted keys of each part (input file)."""

    def __init__(
        self,
        engine: _Engine,
        parts: Sequence[Part],
        keys: Sequence[np.ndarray],
        schema: set[Triple],
    ) -> None:
        self.engine = engine
        self.parts = list(parts)
        self.keys = {part.name: part_keys for part, part_keys in zip(parts, keys, strict=True)}
        self.schema = schema

    @classmethod
    def of(cls, reasoned: Reasoned, parts: Sequence[Part]) -> Closure:
        return cls(reasoned.engine, parts, reasoned.part_keys, reasoned.schema)

    # --- Keeping it with the store -------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write the closure into `folder` (created)."""
        folder.mkdir(parents=True)
        engine = self.engine
        arrays: dict[str, Any] = {
            f"part{index}": self.keys[part.name] for index, part in enumerate(self.parts)
        }
        arrays.update(
            known=engine.known, asserted=engine.asserted_keys, predicates=engine.predicates
        )
        with (folder / "keys.npy").open("wb") as handle:
            np.savez(handle, **arrays)
        (folder / "terms").write_bytes(b"\n".join(engine.coded.terms))
        schema = "".join(f"{s} {p} {o} .\n" for s, p, o in sorted(self.schema, key=str))
        meta = {
            "format": FORMAT,
            "term_bits": engine.term_bits,
            "pred_bits": engine.pred_bits,
            "parts": [[part.name, part.role, part.digest] for part in self.parts],
            "schema": schema,
        }
        (folder / "closure.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Closure | None:
        """The closure kept in `folder`, or None when there is none (or it is damaged or of
        another format)."""
        try:
            meta = json.loads((folder / "closure.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                return None
            terms = (folder / "terms").read_bytes().split(b"\n")
            with np.load(folder / "keys.npy", allow_pickle=False) as arrays:
                known = arrays["known"]
                asserted = arrays["asserted"]
                predicates = arrays["predicates"]
                parts = [Part(*entry) for entry in meta["parts"]]
                keys = [arrays[f"part{index}"] for index in range(len(parts))]
            schema = {
                (quad.subject, quad.predicate, quad.object)
                for quad in ox.parse(meta["schema"].encode(), format=ox.RdfFormat.N_TRIPLES)
            }
        except (OSError, ValueError, KeyError, TypeError, SyntaxError):
            return None
        engine = _Engine.restored(
            _Coded(terms),
            compile_program(cast(set[Triple], schema)),
            known=known,
            asserted=asserted,
            predicates=predicates,
            term_bits=int(meta["term_bits"]),
            pred_bits=int(meta["pred_bits"]),
        )
        return cls(engine, parts, keys, cast(set[Triple], schema))

    # --- Revising it after an edit ---------------------------------------------------------

    def revise(self, parts: Sequence[Part], content: Mapping[str, bytes]) -> Revision:
        """Bring the closure to the inputs `parts`, given as N-Triples the `content` of each
        part that is new or whose digest changed. Raises `NotIncremental` (leaving this object
        unusable) when the edit cannot be applied here."""
        engine = self.engine
        if (engine.full[1] == engine.same_as).any():
            raise NotIncremental("the data equates resources with owl:sameAs")
        before = {part.name: part for part in self.parts}
        if [p for p in parts if p.role == "ontology"] != [
            p for p in self.parts if p.role == "ontology"
        ]:
            raise NotIncremental("the ontology changed")
        old_data = _union([self.keys[p.name] for p in self.parts if p.role == "data"])
        old_known, old_asserted = engine.known, engine.asserted_keys
        edited = [name for name in before if name not in {p.name for p in parts}]
        coded_parts: dict[str, Arrays] = {}
        for part in parts:
            if before.get(part.name) != part:
                coded_parts[part.name] = engine.coded.add_ntriples(content[part.name])
                edited.append(part.name)
        self._extend_terms()
        for name in edited:
            if name in self.keys and self._has_blank_nodes(engine.unpack(self.keys[name])):
                raise NotIncremental(f"{name} had blank nodes")
        for name, arrays in coded_parts.items():
            if self._has_blank_nodes(arrays):
                raise NotIncremental(f"{name} has blank nodes")
            if len(arrays[1]) and engine.pred_index[arrays[1]].min() < 0:
                raise NotIncremental(f"{name} uses a predicate new to the store")
            self.keys[name] = _unique(engine.pack(*arrays))
        self.keys = {p.name: self.keys[p.name] for p in parts}
        self.parts = list(parts)
        new_data = _union([self.keys[p.name] for p in parts if p.role == "data"])
        new_asserted = _union(list(self.keys.values()))
        removed = _minus(old_asserted, new_asserted)
        added = _minus(new_asserted, old_asserted)
        if len(removed) + len(added) > MOST_CHANGED * len(new_asserted):
            raise NotIncremental("the edit changes most of the triples")
        if engine.schema_triples(removed) or engine.schema_triples(added):
            raise NotIncremental("the edit changes class or property axioms")
        counts = self._maintain(removed, added, new_asserted)
        derived_before = engine.informative(_minus(old_known, old_asserted))
        derived_after = engine.derived_keys()
        if engine.schema_triples(derived_after) - engine.program.closure:
            raise NotIncremental("the data now entails new class or property axioms")
        derived_after = engine.informative(derived_after)
        changes = {
            "data_removed": _minus(old_data, new_data),
            "data_added": _minus(new_data, old_data),
            "entailments_removed": _minus(derived_before, derived_after),
            "entailments_added": _minus(derived_after, derived_before),
        }
        predicates, classes = self._signature(_union(list(changes.values())))
        return Revision(
            **{key: engine.ntriples(keys) for key, keys in changes.items()},
            asserted=len(new_asserted),
            entailed=len(derived_after),
            predicates=predicates,
            classes=classes,
            counts={**counts, **{key: len(keys) for key, keys in changes.items()}},
        )

    def _extend_terms(self) -> None:
        engine = self.engine
        size = len(engine.coded.ids)
        if size >= 1 << engine.term_bits:
            raise NotIncremental("the edit adds more terms than the store's coding has room for")
        engine.coded.freeze()
        index = np.full(size, -1, dtype=I64)
        index[: len(engine.pred_index)] = engine.pred_index
        engine.pred_index = index
        engine.size = size

    def _has_blank_nodes(self, arrays: Arrays) -> bool:
        blank = self.engine.coded.blank
        return bool(blank[arrays[0]].any() or blank[arrays[2]].any())

    def _maintain(
        self, removed: np.ndarray, added: np.ndarray, asserted: np.ndarray
    ) -> dict[str, int]:
        """DRed: over-delete what `removed` derived, rederive, insert `added`."""
        engine = self.engine
        gone = removed
        delta = gone
        while len(delta):
            derived: list[Arrays] = []
            engine.derive(engine.unpack(delta), derived)
            found = _keys(engine, derived)
            # What is still asserted stays, and so does what it derives.
            found = _minus(_minus(_among(found, engine.known), gone), asserted)
            gone = _union([gone, found])
            delta = found
        engine.known = _minus(engine.known, gone)
        engine.asserted_keys = asserted
        engine.full = engine.unpack(engine.known)
        back = _among(engine.schema_keys(), gone)
        if len(gone):
            s, _p, o = engine.unpack(gone)
            around = _unique(np.concatenate([s, o]))
            full_s, _full_p, full_o = engine.full
            near = _member(full_s, around) | _member(full_o, around)
            derived = []
            engine.derive(cast(Arrays, tuple(a[near] for a in engine.full)), derived)
            back = _union([back, _among(_keys(engine, derived), gone)])
        step = engine.add([engine.unpack(_union([back, added]))])
        rounds = 0
        while step is not None:
            rounds += 1
            derived = []
            engine.derive(step, derived)
            step = engine.add(derived)
        if engine.functional_pairs() is not None:
            raise NotIncremental("functional properties now equate resources")
        return {
            "over_deleted": len(gone),
            "rederived": len(back),
            "insert_rounds": rounds,
        }

    def _signature(self, keys: np.ndarray) -> tuple[frozenset[str], frozenset[str]]:
        """The predicates of the triples `keys`, and the classes of their rdf:type triples."""
        engine = self.engine
        _s, p, o = engine.unpack(keys)
        terms = engine.coded.terms

        def iri(term: int) -> str:
            return terms[term].decode("utf-8")[1:-1]

        predicates = frozenset(iri(term) for term in _unique(p).tolist())
        classes = frozenset(iri(term) for term in _unique(o[p == engine.type]).tolist())
        return predicates, classes


def _keys(engine: _Engine, derived: list[Arrays]) -> np.ndarray:
    parts = [d for d in derived if len(d[0])]
    if not parts:
        return np.zeros(0, dtype=I64)
    return _unique(engine.pack(*(np.concatenate([d[index] for d in parts]) for index in range(3))))
