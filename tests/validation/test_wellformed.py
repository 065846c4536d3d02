"""A shape SHACL does not allow is an error naming the shape, its file and line, and what is
wrong; never a shape silently skipped. Shapes that SHACL allows are never refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from coopgraph.cli import main
from coopgraph.errors import ShapeError
from coopgraph.model import resources
from coopgraph.model.files import load_graph
from coopgraph.validation.validator import validate
from coopgraph.validation.wellformed import check_shapes

from ..conftest import STANDARDS

PROLOGUE = (
    "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
    "@prefix ex: <http://example.org/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "\n"
)
# (what the shape says after `ex:S a sh:NodeShape ; sh:targetClass ex:C ;`, the message)
MALFORMED = {
    "a count that is not a number": (
        'sh:property [ sh:path ex:p ; sh:minCount "abc" ] .',
        'shape [] of ex:S: sh:minCount "abc" is not a non-negative integer',
    ),
    "a negative count": (
        "sh:property [ sh:path ex:p ; sh:maxCount -1 ] .",
        'shape [] of ex:S: sh:maxCount "-1"^^xsd:integer is not a non-negative integer',
    ),
    "a decimal count": (
        "sh:property [ sh:path ex:p ; sh:minLength 1.5 ] .",
        "is not a non-negative integer",
    ),
    "a pattern that is not a string": (
        "sh:property [ sh:path ex:p ; sh:pattern ex:notAString ] .",
        "shape [] of ex:S: sh:pattern ex:notAString is not a string",
    ),
    "a pattern that is a number": (
        "sh:property [ sh:path ex:p ; sh:pattern 42 ] .",
        'sh:pattern "42"^^xsd:integer is not a string',
    ),
    "a misspelt SHACL term": (
        "sh:property [ sh:path ex:p ; sh:minCont 1 ] .",
        "sh:minCont is not a SHACL term (did you mean sh:minCount?)",
    ),
    "a class that is a literal": ('sh:class "ex:C" .', 'sh:class "ex:C" is not an IRI'),
    "an unknown node kind": ("sh:nodeKind ex:IRI .", "sh:nodeKind ex:IRI is not one of"),
    "sh:in that is not a list": ("sh:in ex:a .", "sh:in ex:a is not an RDF list"),
    "uniqueLang that is not a boolean": (
        'sh:property [ sh:path ex:p ; sh:uniqueLang "yes" ] .',
        'sh:uniqueLang "yes" is not true or false',
    ),
    "a property shape that no file defines": (
        "sh:property ex:Elsewhere .",
        "shape ex:S: sh:property ex:Elsewhere names a shape that no shapes file defines",
    ),
    "two paths": (
        "sh:property [ sh:path ex:p , ex:q ; sh:minCount 1 ] .",
        "a property shape has one sh:path, not several",
    ),
    "SPARQL with an undeclared prefix": (
        'sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?o }" ] .',
        "shape ex:S: the SPARQL query of its sh:sparql constraint does not parse: "
        "line 1, column 28 of the query: unknown prefix `ex:`",
    ),
    "SPARQL with MINUS": (
        'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }" ] .',
        "uses MINUS, which SHACL does not allow there",
    ),
    "SPARQL with VALUES": (
        'sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?o { 1 } $this ?p ?o }" ] .',
        "uses VALUES, which SHACL does not allow there",
    ),
    "SPARQL with SERVICE": (
        'sh:sparql [ sh:select "SELECT $this WHERE '
        '{ $this ?p ?o SERVICE <http://e/> { ?a ?b ?c } }" ] .',
        "uses SERVICE, which SHACL does not allow there",
    ),
    "SPARQL binding $this": (
        'sh:sparql [ sh:select "SELECT $this WHERE { BIND (1 AS $this) }" ] .',
        "uses AS $this, which SHACL does not allow there",
    ),
    "SPARQL with a sub-select that does not select $this": (
        'sh:sparql [ sh:select "SELECT $this WHERE '
        '{ $this ?p ?o { SELECT ?o WHERE { ?o ?q ?r } } }" ] .',
        "uses a sub-select that does not select $this",
    ),
    "SPARQL that does not parse": (
        'sh:sparql [ sh:select "SELECT $this WHERE { $this <http://e/p> ?o " ] .',
        "shape ex:S: the SPARQL query of its sh:sparql constraint does not parse: line 1",
    ),
}


def _shapes(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "shapes.ttl"
    path.write_text(
        PROLOGUE + "ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n    " + body + "\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_shape_is_a_located_error(name: str, tmp_path: Path) -> None:
    body, message = MALFORMED[name]
    shapes = _shapes(tmp_path, body)
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> a <http://example.org/C> .\n", encoding="utf-8")
    for reference in (False, True):
        with pytest.raises(ShapeError) as raised:
            validate([data], [shapes], reference=reference)
        assert str(raised.value).startswith(f"{shapes}:5: ")
        assert message in str(raised.value)
        assert raised.value.exit_code == 2


def test_the_cli_says_it_in_one_line_exit_2(tmp_path: Path) -> None:
    shapes = _shapes(tmp_path, MALFORMED["SPARQL with an undeclared prefix"][0])
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> a <http://example.org/C> .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(data), "--shapes", str(shapes)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    (line,) = result.stderr.strip().splitlines()
    assert f"{shapes}:5: shape ex:S" in line
    assert "unknown prefix `ex:`" in line
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "files",
    [
        pytest.param(resources.shape_files(), id="bundled"),
        pytest.param(
            [STANDARDS / "dcat-ap-3.0.1" / "shapes_recommended.ttl"], id="dcat-ap-recommended"
        ),
        *(
            pytest.param([path], id=path.relative_to(STANDARDS).as_posix())
            for path in sorted((STANDARDS / "w3c-shacl" / "core").rglob("*.ttl"))
            if path.name != "manifest.ttl"
        ),
    ],
)
def test_shapes_that_shacl_allows_are_accepted(files: list[Path]) -> None:
    check_shapes(load_graph(files), files)


def test_the_official_dcat_ap_shapes_name_shapes_they_do_not_define() -> None:
    """SEMICeu/DCAT-AP issue 448 (see tests/publish/test_publish.py): pySHACL and Jena refuse
    them too; coopgraph says which reference and where."""
    files = sorted((STANDARDS / "dcat-ap-3.0.1").glob("*.ttl"))
    with pytest.raises(ShapeError, match="names a shape that no shapes file defines"):
        check_shapes(load_graph(files), files)
