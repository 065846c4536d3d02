"""DRed on the kept closure gives exactly the closure of a full run of the rules, whatever is
removed and added; a closure survives being kept and read back."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import pytest

from coopgraph.model import resources
from coopgraph.model.files import ntriples_of
from coopgraph.model.inputs import Part
from coopgraph.reasoning import rules
from coopgraph.reasoning.closure import Closure, NotIncremental

from ..generated import generated_data


def _parts(files: list[tuple[str, Path]]) -> tuple[list[Part], list[bytes]]:
    parts, texts = [], []
    for role, path in files:
        parts.append(Part(str(path), role, hashlib.sha256(path.read_bytes()).hexdigest()))
        texts.append(ntriples_of(path))
    return parts, texts


def _closure(files: list[tuple[str, Path]]) -> Closure:
    parts, texts = _parts(files)
    store = ox.Store()
    for text in texts:
        store.load(text, format=ox.RdfFormat.N_TRIPLES)
    schema = rules.read_schema(store, [ox.DefaultGraph()])
    return Closure.of(rules.reason(texts, schema), parts)


def _named(closure: Closure, keys: np.ndarray) -> set[tuple[bytes, bytes, bytes]]:
    """The triples of `keys` without blank nodes (whose labels differ between parses)."""
    engine = closure.engine
    s, p, o = engine.unpack(keys)
    terms = engine.coded.terms
    return {
        (terms[a], terms[b], terms[c])
        for a, b, c in zip(s.tolist(), p.tolist(), o.tolist(), strict=True)
        if not terms[a].startswith(b"_:") and not terms[c].startswith(b"_:")
    }


def _ontology() -> list[tuple[str, Path]]:
    return [("ontology", path) for path in resources.ontology_files()]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dred_gives_the_closure_a_full_run_gives(tmp_path: Path, seed: int) -> None:
    data = tmp_path / "data.nt"
    data.write_bytes(ntriples_of(generated_data("10k")))
    files = [*_ontology(), ("data", data)]
    kept = _closure(files)
    kept.save(tmp_path / "closure")
    # Remove 3 % of the triples at random, and add triples made by giving a few subjects
    # the objects of other triples with the same predicate (not of a functional property,
    # which would equate resources: `test_an_edit_with_owl_same_as_is_not_revised`).
    program = kept.engine.program
    equating = program.functional | program.inverse_functional
    # ... nor of the inverse of one (cg:hasParticipation, the inverse of cg:participationIn)
    equating |= {q for p in equating for q in program.inverses.get(p, set())}
    functional = {str(p).encode() for p in equating}
    rng = random.Random(seed)
    lines = data.read_bytes().splitlines(keepends=True)
    rng.shuffle(lines)
    kept_lines = lines[: int(len(lines) * 0.97)]
    added = []
    for line in lines[:200]:
        subject, predicate, _rest = line.split(b" ", 2)
        other = rng.choice(lines)
        if other.split(b" ", 2)[1] == predicate and predicate not in functional:
            added.append(subject + b" " + predicate + b" " + other.split(b" ", 2)[2])
    assert added
    data.write_bytes(b"".join(kept_lines + added))
    revised = Closure.load(tmp_path / "closure")
    assert revised is not None
    parts, texts = _parts(files)
    revision = revised.revise(parts, {parts[-1].name: texts[-1]})
    assert revision.counts["over_deleted"] > 0 and revision.counts["rederived"] > 0
    full = _closure(files)
    assert _named(revised, revised.engine.known) == _named(full, full.engine.known)
    engine, reference = revised.engine, full.engine
    assert _named(revised, engine.informative(engine.derived_keys())) == _named(
        full, reference.informative(reference.derived_keys())
    )
    assert revision.entailed == len(reference.informative(reference.derived_keys()))


def test_a_kept_closure_reads_back_the_same(tmp_path: Path) -> None:
    files = [*_ontology(), *(("data", path) for path in resources.data_files())]
    closure = _closure(files)
    closure.save(tmp_path / "closure")
    back = Closure.load(tmp_path / "closure")
    assert back is not None
    assert np.array_equal(back.engine.known, closure.engine.known)
    assert back.parts == closure.parts
    assert back.schema == closure.schema


def test_a_damaged_or_missing_closure_is_not_read(tmp_path: Path) -> None:
    assert Closure.load(tmp_path / "nothing") is None
    files = [*_ontology(), *(("data", path) for path in resources.data_files())]
    _closure(files).save(tmp_path / "closure")
    (tmp_path / "closure" / "keys.npy").write_bytes(b"not numpy")
    assert Closure.load(tmp_path / "closure") is None


def test_an_edit_with_owl_same_as_is_not_revised(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(
        "<https://example.org/a> <http://www.w3.org/2002/07/owl#sameAs> "
        "<https://example.org/b> .\n",
        encoding="utf-8",
    )
    files = [*_ontology(), ("data", data)]
    closure = _closure(files)
    data.write_text("", encoding="utf-8")
    parts, texts = _parts(files)
    with pytest.raises(NotIncremental, match="sameAs"):
        closure.revise(parts, {parts[-1].name: texts[-1]})
