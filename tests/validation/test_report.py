from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from coopgraph.validation.report import render_path

SHAPE = "http://example.org/shape"
PREFIXES = """\
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("ex:p", "ex:p"),
        ("( ex:p ex:q )", "ex:p/ex:q"),
        ("[ sh:inversePath ex:p ]", "^ex:p"),
        ("[ sh:alternativePath ( ex:p ex:q ) ]", "(ex:p|ex:q)"),
        ("[ sh:zeroOrMorePath ex:p ]", "ex:p*"),
        ("[ sh:oneOrMorePath ex:p ]", "ex:p+"),
        ("[ sh:zeroOrOnePath ex:p ]", "ex:p?"),
        ("( [ sh:inversePath ex:p ] ex:q )", "^ex:p/ex:q"),
        ("[ sh:inversePath ( ex:p ex:q ) ]", "^(ex:p/ex:q)"),
    ],
)
def test_shacl_paths_render_in_sparql_syntax(path: str, expected: str) -> None:
    graph = Graph().parse(data=f"{PREFIXES}<{SHAPE}> sh:path {path} .", format="turtle")
    node = graph.value(URIRef(SHAPE), URIRef("http://www.w3.org/ns/shacl#path"))
    assert node is not None
    assert render_path(graph, node) == expected
