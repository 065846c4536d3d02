from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef

from coopgraph.errors import InputError
from coopgraph.model.files import load_graph, rdf_format

from ..conftest import FIXTURES

BROKEN = sorted((FIXTURES / "broken").iterdir())
_EXPECTED = re.compile(rb"expect-error-at: (\d+):(\d+)")


def _expected_position(path: Path) -> tuple[int, int]:
    found = _EXPECTED.search(path.read_bytes())
    assert found, f"{path.name} must say where its error is"
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize("path", BROKEN, ids=[path.name for path in BROKEN])
def test_a_parse_error_names_file_line_and_column(path: Path) -> None:
    line, column = _expected_position(path)
    with pytest.raises(InputError) as caught:
        load_graph([path])
    assert (caught.value.line, caught.value.column) == (line, column)
    assert str(caught.value).startswith(f"{path}:{line}:{column}: ")
    assert caught.value.hint


def test_a_json_ld_error_has_a_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonld"
    path.write_text('{\n  "@id": "http://example.org/a",\n  "http://example.org/p": \n}\n')
    with pytest.raises(InputError) as caught:
        load_graph([path])
    assert (caught.value.line, caught.value.column) == (4, 1)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.ttl: no such file — check the path"):
        load_graph([tmp_path / "missing.ttl"])


def test_a_folder_is_an_input_error(tmp_path: Path) -> None:
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder"):
        load_graph([folder])


def test_an_unknown_suffix_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"\.ttl, \.nt"):
        rdf_format(tmp_path / "data.csv")


def test_files_are_merged_into_one_graph_with_project_prefixes() -> None:
    assets = FIXTURES / "assets"
    graph = load_graph([assets / "ontology" / "core.ttl", assets / "data" / "core.ttl"])
    treaty = URIRef("https://w3id.org/coopgraph/def/Treaty")
    assert treaty.n3(graph.namespace_manager) == "cg:Treaty"
    assert len(graph) > 20


def test_relative_iris_resolve_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "relative.ttl"
    path.write_text("<#a> <http://example.org/p> <#b> .\n")
    (subject,) = set(load_graph([path]).subjects())
    assert subject == URIRef(path.resolve().as_uri() + "#a")
