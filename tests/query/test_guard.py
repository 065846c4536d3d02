"""The policy of a public endpoint, applied to the tokens the engine runs; the protocol's USING.

The differential tests at the end are the point: whatever text passes the check, Oxigraph
running the text the check hands it never evaluates SERVICE or LOAD. A call is seen without
any network: Oxigraph refuses port 1 before it connects ("The port 1 is not allowed").
"""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from coopgraph.errors import QueryError
from coopgraph.query.guard import (
    COMMAND_LINE,
    RefusedError,
    check_graph_iris,
    check_query,
    check_update,
    with_using,
)

PORT_1 = "http://127.0.0.1:1/sparql"


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
        ("ASK {}", "ASK"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://example.org/>", "DESCRIBE"),
        ("PREFIX : <http://x/> BASE <http://y/> select * { ?s :p ?o }", "SELECT"),
    ],
)
def test_the_form_of_a_query(query: str, form: str) -> None:
    assert check_query(query).form == form


REFUSED_QUERIES = [
    "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE SILENT ?x { ?s ?p ?o } } } }",
    "ASK FROM <FILE:///etc/passwd> {}",
    "BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }",
    "PREFIX f: <file:///etc/> SELECT * FROM NAMED f:passwd WHERE { GRAPH ?g { ?s ?p ?o } }",
    "ASK FROM <\\u0066ile:///etc/passwd> {}",
    # Issue 12: rdflib decoded the \u escapes across the text and saw SERVICE inside a string.
    'SELECT * WHERE { BIND("\\u0022\\u0022" AS ?a) SERVICE <http://127.0.0.1:9999/sparql> '
    '{ ?x ?y ?z } BIND("\\u0022" AS ?b) }',
    # Oxigraph's keywords need no word boundary: this is SERVICE :sparql.
    "PREFIX : <http://127.0.0.1:9999/> SELECT * WHERE { SERVICE:sparql { ?s ?p ?o } }",
    "PREFIX SERVICEx: <http://127.0.0.1:9999/> SELECT * WHERE { SERVICEx:y { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICESILENT<http://127.0.0.1:9999/> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p 1SERVICE<http://127.0.0.1:9999/>{ ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p trueSERVICE<http://127.0.0.1:9999/>{ ?s ?p ?o } }",
]


@pytest.mark.parametrize("query", REFUSED_QUERIES)
def test_refused_queries_and_allowed_with_allow_service(query: str) -> None:
    with pytest.raises(RefusedError):
        check_query(query)
    check_query(query, allow_service=True)


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <http://127.0.0.1:9999/data.ttl>",
        "LOAD SILENT <http://127.0.0.1:9999/data.ttl> INTO GRAPH <http://g>",
        'INSERT DATA { <http://a> <http://b> "\\u0022" } ; LOAD <http://127.0.0.1:9999/x> ; '
        'INSERT DATA { <http://a> <http://b> "\\u0022" }',
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9999/> { ?s ?p ?o } }",
        "INSERT { ?s ?p ?o } USING <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "PREFIX f: <file:///etc/> WITH f:passwd INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR ALL ;LOAD<http://127.0.0.1:9999/x>",
    ],
)
def test_refused_updates(update: str) -> None:
    with pytest.raises(RefusedError):
        check_update(update)
    check_update(update, allow_service=True)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ("SERVICE <http://x/>" AS ?s) WHERE { # SERVICE <http://y/>\n}',
        "SELECT ?service WHERE { ?service <http://example.org/LOAD> ?load }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ex:loader }",
        "SELECT * FROM <http://example.org/file:x> WHERE { ?s ?p ?o }",
    ],
)
def test_service_in_a_string_comment_iri_or_name_is_no_false_alarm(query: str) -> None:
    check_query(query)


def test_a_refusal_says_how_to_allow_it() -> None:
    with pytest.raises(RefusedError) as on_the_endpoint:
        check_query(REFUSED_QUERIES[0])
    assert "--allow-service" in str(on_the_endpoint.value)
    with pytest.raises(RefusedError) as on_the_command_line:
        check_query(REFUSED_QUERIES[0], policy=COMMAND_LINE)
    assert "without --allow-service" in on_the_command_line.value.message


def test_a_file_iri_among_the_protocol_dataset_is_refused() -> None:
    with pytest.raises(RefusedError):
        check_graph_iris(["http://example.org/g", "file:///etc/passwd"])
    check_graph_iris(["file:///etc/passwd"], allow_service=True)


def test_an_update_is_not_a_query_and_a_query_is_not_an_update() -> None:
    with pytest.raises(QueryError, match=r"this is a SPARQL update \(CLEAR\), not a query"):
        check_query("CLEAR ALL")
    with pytest.raises(QueryError, match=r"this is a SPARQL query \(SELECT\), not an update"):
        check_update("SELECT * WHERE { ?s ?p ?o }")


def test_a_relative_iri_takes_the_scheme_of_the_base() -> None:
    with pytest.raises(RefusedError):
        check_query("SELECT * FROM <passwd> WHERE { ?s ?p ?o }", base_iri="file:///etc/")
    check_query("SELECT * FROM <g> WHERE { ?s ?p ?o }", base_iri="http://example.org/sparql")


# --- The protocol's using-graph-uri -----------------------------------------------------------


def test_the_dataset_clauses_of_an_update() -> None:
    assert check_update("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }").names_dataset
    assert not check_update("CLEAR ALL ; DELETE WHERE { ?s ?p ?o }").names_dataset


USING_CASES = [
    ("INSERT { GRAPH <http://t> { ?s ?p ?o } } WHERE { ?s ?p ?o }", 1),
    (
        "PREFIX : <http://x/>\nDELETE { ?s :where ?o } INSERT { ?s ?p 'WHERE {' }\n"
        + "WHERE { ?s ?p ?o }",
        1,
    ),
    (
        'DELETE WHERE { ?s ?p "}" } ; # WHERE\n'
        + "INSERT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?o < 3) }",
        1,
    ),
    ('INSERT DATA { <http://a> <http://b> """x WHERE { """ } ; INSERT { ?s ?p ?o } WHERE {}', 1),
    ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }", 2),
]


@pytest.mark.parametrize(("update", "operations"), USING_CASES)
def test_using_is_written_before_each_where(update: str, operations: int) -> None:
    rewritten = with_using(check_update(update), ["http://d"], ["http://n"])
    assert rewritten.count("USING <http://d> USING NAMED <http://n>") == operations
    ox.Store().update(rewritten)  # still a valid update


def test_using_parameters_conflict_with_with() -> None:
    update = "WITH <http://g> INSERT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    with pytest.raises(QueryError, match="cannot be combined"):
        with_using(check_update(update), ["http://d"], [])


# --- No differential: what passes the check never calls out when Oxigraph runs it ----------

FRAGMENTS = [
    f"SERVICE <{PORT_1}> {{ ?s ?p ?o }}",
    "SERVICE:sparql { ?s ?p ?o }",
    f"SERVICE<{PORT_1}>{{?s ?p ?o}}",
    "?s ?p ?o .",
    "FILTER(?a<?b",
    "FILTER(?a < ?b",
    ")",
    "BIND(",
    " AS ?v)",
    '"',
    "'",
    '"""',
    "'''",
    "\\u0022",
    "\\u0027",
    "\\u003C",
    "\\",
    "#",
    "\n",
    "<",
    ">",
    "<http://x#y>",
    "<x'y#>",
    "'>'",
    "{",
    "}",
    ".",
    "1",
    "true",
    "a",
]
PROLOGUE = f"PREFIX : <{PORT_1.removesuffix('sparql')}> SELECT * WHERE {{ "


def _calls_out(text: str) -> bool:
    """Whether Oxigraph, running `text` on an empty store, evaluates a SERVICE to port 1."""
    try:
        result = ox.Store().query(text)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (SyntaxError, RuntimeError):  # not a query, or an evaluation error
        return False
    except OSError as error:
        assert "port 1" in str(error), error
        return True
    return False


def test_the_fragments_can_call_out() -> None:
    """The harness sees a call: the unguarded fragments do reach SERVICE."""
    assert _calls_out(PROLOGUE + FRAGMENTS[0] + " }")
    assert _calls_out(PROLOGUE + FRAGMENTS[1] + " }")
    assert _calls_out(PROLOGUE + FRAGMENTS[2] + " }")


def test_no_text_that_passes_the_check_calls_out() -> None:
    """5,000 random texts of the fragments that confuse a naive reader (quotes, escapes,
    comments, less-than, IRIs holding ' and #): each either is refused, or its engine text
    makes no SERVICE call; and some of those that pass do run (the test can fail)."""
    rng = random.Random(12)
    passed = ran = 0
    for _ in range(5000):
        body = " ".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 9)))
        text = PROLOGUE + body + " }"
        try:
            reading = check_query(text)
        except (QueryError, RefusedError):
            continue
        passed += 1
        assert not _calls_out(reading.text), text
        try:
            ox.Store().query(reading.text)
            ran += 1
        except SyntaxError:
            pass
    assert passed > 100 and ran > 20, (passed, ran)


UPDATE_FRAGMENTS = [
    f"LOAD <{PORT_1}>",
    "LOAD:x",
    f"LOAD<{PORT_1}>",
    "INSERT DATA { <http://a> <http://b> ",
    "}",
    ";",
    '"',
    "'",
    '"""',
    "\\u0022",
    "#",
    "\n",
    "1",
]


def test_no_update_that_passes_the_check_loads() -> None:
    rng = random.Random(13)
    passed = 0
    for _ in range(3000):
        body = " ".join(rng.choice(UPDATE_FRAGMENTS) for _ in range(rng.randint(1, 8)))
        text = f"PREFIX : <{PORT_1.removesuffix('sparql')}> " + body
        try:
            reading = check_update(text)
        except (QueryError, RefusedError):
            continue
        passed += 1
        try:
            ox.Store().update(reading.text)
        except SyntaxError:
            pass
        except OSError as error:
            raise AssertionError(f"{text!r} loaded: {error}") from error
    assert passed > 50, passed
