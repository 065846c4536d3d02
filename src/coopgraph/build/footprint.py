"""What a query reads: the predicates of its triple patterns and the classes it asks
rdf:type of, so that an edit which changes none of them leaves its answer as it was.

The query's algebra (rdflib's) is walked whole, so that patterns inside EXISTS, OPTIONAL,
MINUS, sub-queries and property paths all count. A pattern whose predicate is a variable, or
a negated property set, reads every predicate; a type pattern whose class is a variable reads
every class.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import RDF, URIRef
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

TYPE = str(RDF.type)
# Kept in the folder of the stores, shared by all (dot names: not a store).
FOOTPRINTS = ".footprints.json"
CHECK_FOOTPRINTS = ".check-footprints.json"


@dataclass(frozen=True)
class Footprint:
    """The predicates and classes a query reads (`every_predicate`, `every_class`: any)."""

    predicates: frozenset[str]
    classes: frozenset[str]
    every_predicate: bool = False
    every_class: bool = False

    def touched_by(self, predicates: frozenset[str], classes: frozenset[str]) -> bool:
        """Whether changed triples with these predicates (and rdf:type triples with these
        classes) may change the query's answer."""
        if not predicates:
            return False
        if self.every_predicate or predicates & (self.predicates - {TYPE}):
            return True
        if TYPE not in predicates:
            return False
        return self.every_class or bool(classes & self.classes)


def kept_reads(
    query_texts: Iterable[str], folder: Path, name: str = FOOTPRINTS
) -> dict[str, Footprint]:
    """The footprint of each query, read from those kept in the file `name` of `folder` when
    there, else computed (rdflib's parser takes some 30 ms a query, and is not thread-safe:
    call this from one thread at a time) and added to the file."""
    kept: dict[str, Any] = {}
    try:
        read = json.loads((folder / name).read_text(encoding="utf-8"))
        kept = read if isinstance(read, dict) else {}
    except (OSError, ValueError):
        pass  # none kept yet, or damaged: computed again
    found: dict[str, Footprint] = {}
    added = False
    for text in query_texts:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        entry: Any = kept.get(digest)
        try:
            found[text] = Footprint(
                frozenset(entry["predicates"]),
                frozenset(entry["classes"]),
                bool(entry["every_predicate"]),
                bool(entry["every_class"]),
            )
        except (TypeError, KeyError):
            found[text] = footprint = reads(text)
            kept[digest] = {
                "predicates": sorted(footprint.predicates),
                "classes": sorted(footprint.classes),
                "every_predicate": footprint.every_predicate,
                "every_class": footprint.every_class,
            }
            added = True
    if added:
        temporary = folder / f"{name}.{os.getpid()}.tmp"
        with contextlib.suppress(OSError):
            temporary.write_text(json.dumps(kept), encoding="utf-8")
            temporary.replace(folder / name)
    return found


@cache
def reads(query_text: str) -> Footprint:
    """The footprint of the SPARQL query `query_text`; every predicate when it cannot be
    parsed here (nothing is then assumed unchanged)."""
    try:
        algebra = prepareQuery(query_text).algebra
    except Exception:  # whatever rdflib cannot read: assume it reads everything
        return Footprint(frozenset(), frozenset(), every_predicate=True, every_class=True)
    predicates: set[str] = set()
    classes: set[str] = set()
    every_predicate = every_class = False
    for _subject, predicate, obj in _patterns(algebra):
        if isinstance(predicate, PropertyPath):
            found, negated = _path_predicates(predicate)
            predicates |= found
            every_predicate |= negated
            every_class |= TYPE in found
        elif isinstance(predicate, URIRef):
            predicates.add(str(predicate))
            if str(predicate) == TYPE:
                if isinstance(obj, URIRef):
                    classes.add(str(obj))
                else:
                    every_class = True
        else:
            every_predicate = every_class = True
    return Footprint(frozenset(predicates), frozenset(classes), every_predicate, every_class)


def _patterns(node: object) -> Iterator[tuple[object, object, object]]:
    if isinstance(node, CompValue):
        for key, value in node.items():
            if key == "triples" and isinstance(value, list):
                for triple in value:
                    if isinstance(triple, (list, tuple)) and len(triple) == 3:
                        yield triple[0], triple[1], triple[2]
            else:
                yield from _patterns(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _patterns(item)


def _path_predicates(path: PropertyPath | URIRef) -> tuple[set[str], bool]:
    """The predicates a property path reads, and whether it reads any (a negated set)."""
    if isinstance(path, URIRef):
        return {str(path)}, False
    if isinstance(path, NegatedPath):
        return set(), True
    inner: list[PropertyPath | URIRef]
    if isinstance(path, (SequencePath, AlternativePath)):
        inner = list(path.args)
    elif isinstance(path, InvPath):
        inner = [path.arg]
    elif isinstance(path, MulPath):
        inner = [path.path]
    else:
        return set(), True
    found: set[str] = set()
    negated = False
    for part in inner:
        part_found, part_negated = _path_predicates(part)
        found |= part_found
        negated |= part_negated
    return found, negated
