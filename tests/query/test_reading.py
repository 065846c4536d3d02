"""A text read once: what it is, the text the engine runs (same meaning, unambiguous `<`), and
Oxigraph's syntax errors made short and placed where the user wrote them."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopgraph.errors import QueryError
from coopgraph.model.namespaces import sparql_prologue
from coopgraph.query.engine import OxigraphEngine
from coopgraph.query.reading import read

N = ox.NamedNode


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for index, iri in enumerate(("http://e/a#b", "http://e/it's", "http://e/c")):
        store.add(ox.Quad(N(iri), N("http://e/p"), ox.Literal(str(index)), N("http://e/g")))
    return store


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s <http://e/p> ?o FILTER(?o<'2') }",
        "SELECT ?s WHERE { ?s <http://e/p> ?o FILTER(STR(?s)<STR(<http://e/b#>)) }",
        "SELECT ?s WHERE { VALUES ?s { <http://e/a#b> <http://e/it's> } ?s ?p ?o }",
        "SELECT ?s WHERE { ?s ?p ?o FILTER(?s IN (<http://e/a#b>, <http://e/c>)) } # <x>",
        "SELECT ?s WHERE { ?s ?p ?o FILTER(?o<='1'&&?o>='0') }",
    ],
)
def test_the_engine_text_means_what_the_user_wrote(store: ox.Store, query: str) -> None:
    reading = read(query)
    assert reading.text != query  # something was rewritten...

    def subjects(text: str) -> list[str]:
        solutions = store.query(text, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        return sorted(str(row["s"]) for row in solutions)

    original = subjects(query)
    assert subjects(reading.text) == original
    assert original  # ...and the query finds something


def test_the_dataset_clauses_are_seen() -> None:
    assert read("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }").names_dataset
    assert read("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }").names_dataset
    assert not read("SELECT * WHERE { ?s <http://e/from> 'FROM' } # FROM").names_dataset


def test_from_selects_the_default_graph_and_no_from_is_the_union(store: ox.Store) -> None:
    engine = OxigraphEngine(store)

    def counted(dataset: str) -> int:
        table = engine.select(f"SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o }}")
        return int(str(table.rows[0][0]))

    assert counted("") == 3
    assert counted("FROM <http://e/g>") == 3
    assert counted("FROM <urn:nothing>") == 0
    assert counted("FROM NAMED <http://e/g>") == 0  # FROM NAMED alone: an empty default graph


@pytest.mark.parametrize(
    ("text", "problem", "hint"),
    [
        ("SELECT * WHERE { ?s foo:x ?o }", "unknown prefix `foo:`", "PREFIX foo: <"),
        ("SELECT * WHERE { ?s stat:x ?o }", "unknown prefix `stat:`", "did you mean `state:`?"),
        ("INSERT DATA { <a:b> <a:c> <a:d> }", "this is a SPARQL update (INSERT)", "an update"),
        ("SELEC * WHERE {}", "not 'SELEC'", "did you mean SELECT?"),
        ("# only a comment", "the text holds no SPARQL query", "SELECT"),
    ],
)
def test_what_the_reader_says(text: str, problem: str, hint: str) -> None:
    with pytest.raises(QueryError) as caught:
        read(sparql_prologue() + text, "-q")
    assert problem in caught.value.problem
    assert hint in (caught.value.hint or "")
    assert caught.value.line in (1, None)  # the prologue's lines are not counted


def _oxigraph_message(text: str) -> str:
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(text)
    return str(caught.value)


@pytest.mark.parametrize(
    ("query", "problem", "where"),
    [
        ("SELECT * WHERE { ?s ?p ?o . ?s ?p }", "end of the text (after '}')", (1, 36)),
        ("SELECT * WHERE { ?s <rel> ?o }", "invalid IRI <rel>", (1, 21)),
        ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?y", "variable that is unbound", (1, 41)),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT x", "unexpected 'x'", (1, 35)),
    ],
)
def test_oxigraphs_syntax_errors_are_short_and_placed(
    query: str, problem: str, where: tuple[int, int]
) -> None:
    prologue = sparql_prologue()  # holds IRIs with '#', which the engine text rewrites
    reading = read(prologue + query, "-q")
    message = _oxigraph_message(reading.text)
    error = reading.syntax_error(message)
    assert problem in error.problem, (message, error)
    assert (error.line, error.column) == where
    assert len(str(error)) < 200 and "\\u{" not in str(error)


def test_the_unknown_prefix_of_the_issue_is_one_short_line() -> None:
    """Issue 12 item 8: today 530 characters of Unicode ranges."""
    with pytest.raises(QueryError) as caught:
        read(sparql_prologue() + "SELECT * WHERE { ?s foo:x ?o }", "-q")
    assert str(caught.value) == (
        "-q:1:21: unknown prefix `foo:` — declare it: PREFIX foo: <http://...>"
    )
