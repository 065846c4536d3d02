"""Every literal of an XSD datatype is checked against its datatype, whether or not a shape
names its property; an ill-typed one is a violation located at its own line. Driven by the
files in literals/: `well-typed.ttl` gives no such result, and each `# expect: DATATYPE` line of
`ill-typed.ttl` is followed by the line of a literal that must be reported (and no other is)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from coopgraph.validation import literals
from coopgraph.validation.literals import WELL_TYPED_LITERALS
from coopgraph.validation.validator import validate

CASES = Path(__file__).parent / "literals"
SHAPES = CASES / "shapes.ttl"
_EXPECT = re.compile(r"^\s*# expect: (\S+)$")


def _literal_results(path: Path, *, reference: bool = False) -> list[tuple[int, str]]:
    report = validate([path], [SHAPES], reference=reference)
    found = [r for r in report.results if r.source_shape == WELL_TYPED_LITERALS.n3()]
    assert all(r.severity == "Violation" and r.file == path for r in found)
    return sorted((r.line or 0, r.message) for r in found)


def _expected(path: Path) -> list[tuple[int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        (number + 1, found.group(1))
        for number, line in enumerate(lines, start=1)
        if (found := _EXPECT.match(line))
    ]


def test_well_typed_literals_give_no_result() -> None:
    assert _literal_results(CASES / "well-typed.ttl") == []
    report = validate([CASES / "well-typed.ttl"], [SHAPES])
    assert report.conforms


def test_each_ill_typed_literal_is_a_violation_at_its_line() -> None:
    path = CASES / "ill-typed.ttl"
    expected = _expected(path)
    observed = _literal_results(path)
    assert [line for line, _ in observed] == [line for line, _ in expected]
    lines = path.read_text(encoding="utf-8").splitlines()
    for (line, message), (_, datatype) in zip(observed, expected, strict=True):
        # The message names the datatype and quotes the value as written.
        assert datatype in message
        (lexical,) = re.findall(r'"([^"]*)"\^\^', lines[line - 1])
        if datatype != "xsd:interger":
            assert f'"{lexical}" is not a valid {datatype}' in message
        else:
            assert message == "xsd:interger is not an XSD datatype"
    assert not validate([path], [SHAPES]).conforms


def test_the_reference_validator_reports_them_too() -> None:
    """pySHACL's path (`validate(reference=True)`) reads the data with rdflib, which writes
    a lexical form it can read in its canonical form (`" 12 "` as `"12"`): those aside, the
    same results."""
    path = CASES / "ill-typed.ttl"
    compiled = _literal_results(path)
    reference = _literal_results(path, reference=True)
    assert set(reference) <= set(compiled)
    rewritten = set()
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for lexical, prefixed in re.findall(r'"([^"]*)"\^\^xsd:(\w+)', text):
            if str(Literal(lexical, datatype=URIRef(str(XSD) + prefixed))) != lexical:
                rewritten.add(number)
    assert rewritten
    assert {line for line, _ in set(compiled) - set(reference)} == rewritten


def test_a_datatype_a_shape_checks_is_not_reported_twice(tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(
        "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a ex:count "abc"^^xsd:integer .\n',
        encoding="utf-8",
    )
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ;\n"
        "    sh:property [ sh:path ex:count ; sh:datatype xsd:integer ] .\n",
        encoding="utf-8",
    )
    (result,) = validate([data], [shapes]).results
    assert result.source_shape == "ex:S"
    assert result.line == 3


@pytest.mark.parametrize(
    ("lexical", "datatype", "well_typed"),
    [
        ("2006", XSD.gYear, True),
        ("20x5", XSD.gYear, False),
        ("0000", XSD.gYear, True),
        ("2004-02-29", XSD.date, True),
        ("1900-02-29", XSD.date, False),
        ("2000-02-29", XSD.date, True),
        ("2006-05-05T24:00:00", XSD.dateTime, True),
        ("2006-05-05T24:00:01", XSD.dateTime, False),
        ("2006-05-05T10:00:00+14:01", XSD.dateTime, False),
        ("P", XSD.duration, False),
        ("PT", XSD.duration, False),
        ("P1M", XSD.dayTimeDuration, False),
        ("PT1H", XSD.yearMonthDuration, False),
        ("-129", XSD.byte, False),
        ("65535", XSD.unsignedShort, True),
        ("65536", XSD.unsignedShort, False),
        ("0", XSD.positiveInteger, False),
        ("1", XSD.negativeInteger, False),
        ("INF", XSD.float, True),
        ("inf", XSD.float, False),
        ("SGVsbG8", XSD.base64Binary, False),
        ("a  b", XSD.token, False),
        ("a\tb", XSD.normalizedString, False),
        ("1ab", XSD.NCName, False),
        ("anything at all", XSD.string, True),
    ],
)
def test_lexical_spaces(lexical: str, datatype: str, well_typed: bool) -> None:
    problem = literals.lexical_problem(lexical, str(datatype))
    assert (problem is None) is well_typed, problem
