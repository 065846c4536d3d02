"""Exports round-trip: every format parses back to a graph isomorphic to what was exported."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from coopgraph.build.engine import open_engine
from coopgraph.errors import UnknownNameError
from coopgraph.model.inputs import Inputs
from coopgraph.model.namespaces import DATA_GRAPH, ENTAILMENTS_GRAPH, ONTOLOGY_GRAPH
from coopgraph.outputs import write_atomically
from coopgraph.query.engine import OxigraphEngine
from coopgraph.query.export import (
    RDF_FORMATS,
    graph_dataset,
    merged_graph,
    rdf_format,
    serialize_dataset,
)


@pytest.fixture(scope="module")
def engine(store_cache: Path) -> OxigraphEngine:
    return open_engine(Inputs.bundled(), store_cache)


def assert_isomorphic(actual: Graph, expected: Graph) -> None:
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail(
            "graphs differ:\nonly in the re-imported graph:\n"
            + only_actual.serialize(format="nt")[:2000]
            + "\nonly in the exported graph:\n"
            + only_expected.serialize(format="nt")[:2000]
        )


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
@pytest.mark.parametrize("format_name", list(RDF_FORMATS))
def test_export_round_trips(engine: OxigraphEngine, format_name: str, inferred: bool) -> None:
    exported = graph_dataset(engine.quads(), include_entailments=inferred)
    data = serialize_dataset(exported, format_name)
    fmt = rdf_format(format_name)
    if fmt.quads:
        reimported = Dataset()
        reimported.parse(data=data, format=fmt.plugin)
        names = [ONTOLOGY_GRAPH, DATA_GRAPH] + ([ENTAILMENTS_GRAPH] if inferred else [])
        for name in names:
            assert len(exported.graph(name)) > 0
            assert_isomorphic(reimported.graph(name), exported.graph(name))
    else:
        graph = Graph()
        graph.parse(data=data, format=fmt.plugin)
        assert_isomorphic(graph, merged_graph(exported))


def test_entailments_only_with_inferred(engine: OxigraphEngine) -> None:
    plain = merged_graph(graph_dataset(engine.quads(), include_entailments=False))
    inferred = merged_graph(graph_dataset(engine.quads(), include_entailments=True))
    assert len(inferred) > len(plain)


def test_jsonld_uses_the_published_context(engine: OxigraphEngine) -> None:
    data = serialize_dataset(graph_dataset(engine.quads(), False), "jsonld").decode("utf-8")
    assert '"@context"' in data
    assert '"coversModality"' in data


def test_unknown_format_is_refused_with_suggestions() -> None:
    with pytest.raises(UnknownNameError, match="turtle"):
        rdf_format("turtel")


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_sparql_tsv_is_read_back_by_rdflib_term_for_term() -> None:
    from io import BytesIO  # noqa: PLC0415

    from rdflib import XSD, BNode, Literal, URIRef  # noqa: PLC0415
    from rdflib.query import Result  # noqa: PLC0415

    from coopgraph.query.export import serialize_table  # noqa: PLC0415
    from coopgraph.query.results import ResultTable  # noqa: PLC0415

    rows = (
        (URIRef("https://example.org/a"), Literal('tab\there, "quoted"\nand a \\ line'), None),
        (BNode("b1"), Literal("Côte d'Ivoire", lang="fr"), Literal("2006", datatype=XSD.gYear)),
    )
    text = serialize_table(ResultTable(("s", "label", "year"), rows), "srt")
    assert text.splitlines()[0] == "?s\t?label\t?year"
    assert len(text.splitlines()) == 3  # the line break in the string is escaped
    parsed = Result.parse(BytesIO(text.encode("utf-8")), format="tsv")
    back: list[tuple[object, ...]] = [tuple(row) for row in parsed]  # type: ignore[arg-type]
    expected: list[tuple[object, ...]] = [tuple(row) for row in rows]
    assert back[0] == expected[0]
    assert back[1][1:] == expected[1][1:]
    assert isinstance(back[1][0], BNode)
