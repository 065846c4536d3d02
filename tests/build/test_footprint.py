"""What a query reads decides which report tables an edit leaves as they were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coopgraph.build import footprint
from coopgraph.build.footprint import Footprint

EX = "https://example.org/"
TYPE = footprint.TYPE
PREFIX = f"PREFIX ex: <{EX}>\n"

CASES = [
    ("SELECT * WHERE { ?s ex:a ?o }", {EX + "a"}, set(), False, False),
    (
        "SELECT * WHERE { ?s a ex:C ; ex:b/ex:c ?o }",
        {TYPE, EX + "b", EX + "c"},
        {EX + "C"},
        False,
        False,
    ),
    ("SELECT * WHERE { ?s a ?class }", {TYPE}, set(), False, True),
    ("SELECT * WHERE { ?s ?p ?o }", set(), set(), True, True),
    ("SELECT * WHERE { ?s !ex:a ?o }", set(), set(), True, False),
    ("SELECT * WHERE { ?s (ex:a|^ex:b)* ?o }", {EX + "a", EX + "b"}, set(), False, False),
    (
        "SELECT * WHERE { ?s ex:a ?o FILTER EXISTS { ?o ex:d ?x } }",
        {EX + "a", EX + "d"},
        set(),
        False,
        False,
    ),
    (
        "SELECT * WHERE { ?s ex:a ?o MINUS { ?o ex:e ?x } OPTIONAL { ?s ex:f ?y } }",
        {EX + "a", EX + "e", EX + "f"},
        set(),
        False,
        False,
    ),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ex:g ?o } } }", {EX + "g"}, set(), False, False),
    (
        "SELECT * WHERE { ?s rdf:type/rdfs:subClassOf* ex:C }",
        {TYPE, "http://www.w3.org/2000/01/rdf-schema#subClassOf"},
        set(),
        False,
        True,
    ),
]


@pytest.mark.parametrize(("query", "predicates", "classes", "every_p", "every_c"), CASES)
def test_the_footprint_of_a_query(
    query: str, predicates: set[str], classes: set[str], every_p: bool, every_c: bool
) -> None:
    prefixes = PREFIX + "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    prefixes += "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    found = footprint.reads(prefixes + query)
    assert found == Footprint(frozenset(predicates), frozenset(classes), every_p, every_c)


def test_a_query_rdflib_cannot_read_reads_everything() -> None:
    found = footprint.reads("SELECT * WHERE { this is not SPARQL")
    assert found.every_predicate and found.every_class


@pytest.mark.parametrize(
    ("changed_predicates", "changed_classes", "touched"),
    [
        (set(), set(), False),
        ({EX + "a"}, set(), True),
        ({EX + "z"}, set(), False),
        ({TYPE}, {EX + "C"}, True),
        ({TYPE}, {EX + "D"}, False),
    ],
)
def test_touched_by_changed_predicates_and_classes(
    changed_predicates: set[str], changed_classes: set[str], touched: bool
) -> None:
    found = footprint.reads(PREFIX + "SELECT * WHERE { ?s a ex:C ; ex:a ?o }")
    assert found.touched_by(frozenset(changed_predicates), frozenset(changed_classes)) is touched


def test_every_class_is_touched_by_any_type_change() -> None:
    found = footprint.reads(PREFIX + "SELECT * WHERE { ?s a ?c }")
    assert found.touched_by(frozenset({TYPE}), frozenset({EX + "Anything"}))


def test_footprints_are_kept_and_read_back(tmp_path: Path) -> None:
    query = PREFIX + "SELECT * WHERE { ?s ex:a ?o }"
    first = footprint.kept_reads([query], tmp_path)
    assert first[query].predicates == {EX + "a"}
    kept = json.loads((tmp_path / footprint.FOOTPRINTS).read_text(encoding="utf-8"))
    # What is kept is what is used: a changed entry proves the file is read, not recomputed.
    (digest,) = kept
    kept[digest]["predicates"] = [EX + "kept"]
    (tmp_path / footprint.FOOTPRINTS).write_text(json.dumps(kept), encoding="utf-8")
    assert footprint.kept_reads([query], tmp_path)[query].predicates == {EX + "kept"}
    other = PREFIX + "SELECT * WHERE { ?s ex:b ?o }"
    footprint.kept_reads([other], tmp_path)
    assert len(json.loads((tmp_path / footprint.FOOTPRINTS).read_text(encoding="utf-8"))) == 2


def test_a_damaged_footprints_file_is_recomputed(tmp_path: Path) -> None:
    (tmp_path / footprint.FOOTPRINTS).write_text("{not json", encoding="utf-8")
    query = PREFIX + "SELECT * WHERE { ?s ex:a ?o }"
    found = footprint.kept_reads([query], tmp_path)
    assert found[query].predicates == {EX + "a"}
