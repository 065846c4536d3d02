"""benchmarks/generate.py: deterministic synthetic data of the project's shape, valid against its
shapes, at the size asked for."""

from __future__ import annotations

from pathlib import Path

import pycountry
from rdflib import Graph, Namespace
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from coopgraph.validation.validator import validate

from .generated import generated_data, generator

CG = Namespace("https://w3id.org/coopgraph/def/")


def test_ten_thousand_triples_conform_to_the_shapes() -> None:
    report = validate([generated_data("10k")])
    assert report.conforms, [r.as_dict() for r in report.results if r.severity == "Violation"]
    # Some instruments are undated, as in real sources: warnings, not violations.
    assert {r.severity for r in report.results} <= {"Warning"}


def test_the_size_is_about_what_was_asked() -> None:
    graph = Graph().parse(generated_data("10k"))
    assert 10_000 <= len(graph) <= 11_000


def test_every_current_and_former_state_is_there() -> None:
    graph = Graph().parse(generated_data("10k"))
    states = set(graph.subjects(RDF.type, CG.State))
    former = set(graph.subjects(RDF.type, CG.FormerState))
    assert len(states) == len(pycountry.countries)
    assert len(former) == len(pycountry.historic_countries)
    assert all((state, CG.successorState, None) in graph for state in former)


def test_the_same_seed_gives_the_same_bytes_and_formats_agree(tmp_path: Path) -> None:
    module = generator()
    size = module.parse_size("3k")
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    module.generate(size, first, seed=7)
    module.generate(size, second, seed=7)
    assert first.read_bytes() == second.read_bytes()
    ntriples = tmp_path / "a.nt"
    module.generate(size, ntriples, seed=7)
    assert isomorphic(Graph().parse(first), Graph().parse(ntriples))
    other = tmp_path / "c.ttl"
    module.generate(size, other, seed=8)
    assert other.read_bytes() != first.read_bytes()


def test_a_folder_gets_one_file_per_concern(tmp_path: Path) -> None:
    module = generator()
    files = module.generate(module.parse_size("10k"), tmp_path / "data", seed=1, per_file=40)
    names = {path.name for path in files}
    assert {"states.ttl", "organisations.ttl", "sources.ttl", "activities.ttl"} <= names
    assert sum(name.startswith("instruments-") for name in names) > 1
    single = tmp_path / "single.ttl"
    module.generate(module.parse_size("10k"), single, seed=1)
    merged = Graph()
    for path in files:
        merged.parse(path)
    assert isomorphic(merged, Graph().parse(single))
