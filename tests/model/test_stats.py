from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from coopgraph.model.files import load_graph
from coopgraph.model.stats import GraphStats, graph_stats

from ..conftest import FIXTURE_ASSETS

INSTRUMENTS_WITHOUT_ONTOLOGY = """\
@prefix cg: <https://w3id.org/coopgraph/def/> .
@prefix ex: <http://example.org/> .
ex:a a cg:Instrument .
ex:b a cg:Treaty .
"""


def test_counts_of_the_fixture_graph() -> None:
    graph = load_graph(
        [FIXTURE_ASSETS / "ontology" / "core.ttl", FIXTURE_ASSETS / "data" / "core.ttl"]
    )
    assert graph_stats(graph) == GraphStats(
        instruments=2,
        instruments_by_type={"cg:MemorandumOfUnderstanding": 1, "cg:MultilateralTreaty": 1},
        states=2,
        organisations=2,
        modalities=2,
        triples=len(graph),
    )


def test_without_an_ontology_only_direct_instances_count(tmp_path: Path) -> None:
    path = tmp_path / "instruments.ttl"
    path.write_text(INSTRUMENTS_WITHOUT_ONTOLOGY)
    stats = graph_stats(load_graph([path]))
    assert stats.instruments_by_type == {"cg:Instrument": 1}


def test_an_instrument_typed_twice_counts_once_under_its_most_specific_type() -> None:
    graph = load_graph([FIXTURE_ASSETS / "ontology" / "core.ttl"])
    graph.parse(
        data="""@prefix cg: <https://w3id.org/coopgraph/def/> .
        <http://example.org/x> a cg:Instrument, cg:Treaty, cg:MultilateralTreaty .""",
        format="turtle",
    )
    assert graph_stats(graph).instruments_by_type == {"cg:MultilateralTreaty": 1}


def test_an_empty_graph_has_zero_counts() -> None:
    assert graph_stats(Graph()).as_dict() == {
        "instruments": 0,
        "instruments_by_type": {},
        "states": 0,
        "organisations": 0,
        "modalities": 0,
        "triples": 0,
    }
