from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, URIRef

from coopgraph.model.files import load_graph
from coopgraph.model.sources import SourceIndex, SourceLocation, nearest_named_ancestor

EX = "http://example.org/"

TURTLE = '''\
@prefix ex: <http://example.org/> .
PREFIX other: <http://other.example/>

ex:first a ex:Thing ;
    ex:child [ ex:grandchild [ ex:leaf 1 ] ] .
<http://example.org/full> ex:p ex:first .
ex:note ex:text """
ex:inside is text, not a subject
""" .
  ex:indented ex:p 1 .
other:x ex:p 1 .
ex:first ex:again 2 .
ex:dotted.name ex:p 1 .
'''


def _index_and_graph(tmp_path: Path) -> tuple[SourceIndex, Graph, Path]:
    path = tmp_path / "sample.ttl"
    path.write_text(TURTLE)
    return SourceIndex.from_files([path]), load_graph([path]), path


def test_subjects_at_column_zero_are_located_first_occurrence_wins(tmp_path: Path) -> None:
    index, _graph, path = _index_and_graph(tmp_path)
    expected = {
        EX + "first": 4,
        EX + "full": 6,
        EX + "note": 7,
        "http://other.example/x": 11,
        EX + "dotted.name": 13,
    }
    assert {str(iri): loc.line for iri, loc in index.locations.items()} == expected
    assert all(loc.file == path for loc in index.locations.values())


def test_a_blank_node_is_located_through_its_named_ancestor(tmp_path: Path) -> None:
    index, graph, path = _index_and_graph(tmp_path)
    leaf_holder = next(graph.subjects(URIRef(EX + "leaf")))
    assert isinstance(leaf_holder, BNode)
    assert nearest_named_ancestor(graph, leaf_holder) == URIRef(EX + "first")
    assert index.locate(leaf_holder, graph) == SourceLocation(path, 4)


def test_an_unlocated_node_gives_none(tmp_path: Path) -> None:
    index, graph, _path = _index_and_graph(tmp_path)
    assert index.locate(URIRef(EX + "indented")) is None
    assert index.locate(BNode(), graph) is None


def test_a_subject_with_an_undeclared_prefix_is_not_located(tmp_path: Path) -> None:
    path = tmp_path / "unbound.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nunbound:y ex:p 1 .\n")
    assert SourceIndex.from_files([path]).locations == {}


def test_other_formats_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonld"
    path.write_text("{}")
    assert SourceIndex.from_files([path]).locations == {}


def test_an_indented_prefix_declaration_counts_and_repeated_subjects_keep_the_first_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "indented.ttl"
    path.write_text(
        "  @prefix ex: <http://example.org/> .\n"
        "ex:a ex:p 1 .\n"
        "ex:a ex:q 2 .\n"
        "  ex:b ex:p 1 .\n"
        "ex:c ex:p 1 .\n",
        encoding="utf-8",
    )
    index = SourceIndex.from_files([path])
    assert index.locations == {
        URIRef(EX + "a"): SourceLocation(path, 2),
        URIRef(EX + "c"): SourceLocation(path, 5),
    }
