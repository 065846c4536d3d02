"""The policy of a public endpoint, checked on the parsed request; the protocol's USING."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopgraph.errors import QueryError
from coopgraph.query.guard import RefusedError, check_query, check_update, with_using


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("ASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://example.org/>", "DESCRIBE"),
    ],
)
def test_the_form_of_a_query(query: str, form: str) -> None:
    assert check_query(query) == form


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }",
        "SELECT * WHERE { { SELECT * WHERE { SERVICE SILENT ?x { ?s ?p ?o } } } }",
        "ASK FROM <FILE:///etc/passwd> {}",
        "BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }",
    ],
)
def test_refused_queries_and_allowed_with_allow_service(query: str) -> None:
    with pytest.raises(RefusedError):
        check_query(query)
    check_query(query, allow_service=True)


def test_a_syntax_error_has_a_position() -> None:
    with pytest.raises(QueryError) as caught:
        check_query("SELECT * WHERE {\n  ?s ?p\n}")
    assert (caught.value.line, caught.value.column) == (2, 3)  # the unfinished triple


def test_an_update_is_not_a_query() -> None:
    with pytest.raises(QueryError):
        check_query("CLEAR ALL")


def test_the_shape_of_an_update() -> None:
    shape = check_update(
        "CLEAR ALL ; INSERT { ?s ?p ?o } WHERE { ?s ?p ?o } ; "
        "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o }"
    )
    assert shape.modify_operations == 2 and shape.has_dataset_clause


USING_CASES = [
    "INSERT { GRAPH <http://t> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
    "PREFIX : <http://x/> DELETE { ?s :where ?o } INSERT { ?s ?p 'WHERE {' } WHERE { ?s ?p ?o }",
    'DELETE WHERE { ?s ?p "}" } ; # WHERE\nINSERT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o < 3) }',
    'INSERT DATA { <http://a> <http://b> """x WHERE { """ } ; INSERT { ?s ?p ?o } WHERE {}',
]


@pytest.mark.parametrize("update", USING_CASES)
def test_using_is_written_before_each_where(update: str) -> None:
    shape = check_update(update)
    rewritten = with_using(update, shape, ["http://d"], ["http://n"])
    assert rewritten.count("USING <http://d> USING NAMED <http://n>") == shape.modify_operations
    ox.Store().update(rewritten)  # still a valid update


def test_using_parameters_conflict_with_with() -> None:
    update = "WITH <http://g> INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError, match="cannot be combined"):
        with_using(update, check_update(update), ["http://d"], [])
