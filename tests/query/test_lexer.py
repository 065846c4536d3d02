"""coopgraph's SPARQL lexer reads a text as Oxigraph does: escapes only in strings and IRIs,
keywords without a word boundary, `<` as an IRI or as less-than by where it stands, and a
nesting limit before any parser sees the text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coopgraph.errors import QueryError
from coopgraph.query import lexer
from coopgraph.query.lexer import (
    IRI,
    MAX_DEPTH,
    MAX_TERM_DEPTH,
    OPERATOR,
    PNAME,
    STRING,
    WORD,
    position,
    split_keywords,
    tokenize,
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(token.kind, token.text) for token in tokenize(text)]


def test_the_tokens_of_a_query() -> None:
    text = 'PREFIX ex: <http://e/> SELECT ?s WHERE { ?s ex:p "a\\"b"@en ; a _:b . } # c\nLIMIT 1'
    assert kinds(text) == [
        (WORD, "PREFIX"),
        (PNAME, "ex:"),
        (IRI, "<http://e/>"),
        (WORD, "SELECT"),
        (lexer.VAR, "?s"),
        (WORD, "WHERE"),
        (lexer.PUNCT, "{"),
        (lexer.VAR, "?s"),
        (PNAME, "ex:p"),
        (STRING, '"a\\"b"'),
        (lexer.LANGTAG, "@en"),
        (lexer.PUNCT, ";"),
        (WORD, "a"),
        (lexer.BLANK, "_:b"),
        (lexer.PUNCT, "."),
        (lexer.PUNCT, "}"),
        (WORD, "LIMIT"),
        (lexer.NUMBER, "1"),
    ]


def test_a_unicode_escape_in_a_string_is_part_of_the_string() -> None:
    """As Oxigraph reads it (and unlike rdflib, which decodes \\u first): the issue's query
    holds three tokens of BIND("\\u0022\\u0022" ...) and a SERVICE keyword after them."""
    text = 'BIND("\\u0022\\u0022" AS ?a) SERVICE <http://127.0.0.1:9/> { } BIND("\\u0022" AS ?b)'
    tokens = tokenize(text)
    assert tokens[2].kind == STRING and tokens[2].text == '"\\u0022\\u0022"'
    assert [t.text for t in tokens if t.kind == WORD] == ["BIND", "AS", "SERVICE", "BIND", "AS"]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { ?s ?p ?o } \\u004CIMIT 1",
        "SELECT ?\\u0073 WHERE { ?s ?p ?o }",
        "PREFIX a\\u003A <http://a/> SELECT * WHERE { }",
    ],
)
def test_an_escape_outside_strings_and_iris_is_refused(text: str) -> None:
    """Oxigraph would not decode it, rdflib and the SPARQL text would: no such differential."""
    with pytest.raises(QueryError, match="outside a string or an IRI"):
        tokenize(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FILTER(?a<?b&&?c>?d)", [OPERATOR, OPERATOR]),
        ("FILTER(STR(?a)<'x')", [OPERATOR]),
        ("FILTER(?a <= 3)", [OPERATOR]),
        ("FILTER(?x = <http://a#b>)", [IRI]),
        ("FILTER(?x IN (<a>, <b>))", [IRI, IRI]),
        ("{ ?s <http://x#p> ?o }", [IRI]),
        ("{ ?s ?p ( ?a <b#c> ) }", [IRI]),
        ("{ FILTER <http://fn>(?a<?b) }", [IRI, OPERATOR]),
        ("SELECT * WHERE { } ORDER BY ?a <http://fn>(?b)", [IRI]),
        ("SELECT (?a<?b AS ?c) WHERE { }", [OPERATOR]),
        ("{ VALUES (?x ?y) { (<a> <b#c>) } }", [IRI, IRI]),
    ],
)
def test_less_than_or_iri_by_where_it_stands(text: str, expected: list[str]) -> None:
    angles = [t.kind for t in tokenize(text) if t.text.startswith(("<", ">"))]
    assert angles == expected


def test_keywords_need_no_word_boundary() -> None:
    assert split_keywords("SELECTDISTINCT") == ["SELECT", "DISTINCT"]
    assert split_keywords("FromNamed") == ["From", "Named"]
    assert split_keywords("regex") == ["regex"]
    assert split_keywords("planet") is None
    words = [t.text for t in tokenize("SELECTDISTINCT*WHERE{?s ?p ?o}ORDERBY ?s") if t.kind == WORD]
    assert words == ["SELECT", "DISTINCT", "WHERE", "ORDER", "BY"]


def test_a_prefixed_name_ends_where_oxigraph_ends_it() -> None:
    """Oxigraph reads one run of dots inside a local name: ex:a.b.c is ex:a.b, '.', c."""
    assert [t.text for t in tokenize("ex:a.b.c")] == ["ex:a.b", ".", "c"]
    with pytest.raises(SyntaxError):
        ox.Store().query("PREFIX ex: <http://e/> SELECT * WHERE { BIND(ex:a.b.c AS ?x) }")


def test_a_hundred_nested_groups_are_read_and_run() -> None:
    text = "SELECT * WHERE " + "{ " * 100 + "?s ?p ?o " + "} " * 100
    tokenize(text)
    solutions = ox.Store().query(text)
    assert isinstance(solutions, ox.QuerySolutions) and list(solutions) == []


@pytest.mark.parametrize(
    ("opening", "closing", "limit", "what"),
    [
        ("{ ", "} ", MAX_DEPTH, "deeper than 128 levels"),
        ("( ", ") ", MAX_DEPTH, "deeper than 128 levels"),
        ("[ ?p ", "] ", MAX_TERM_DEPTH, "blank nodes"),
    ],
)
def test_nesting_deeper_than_the_limit_is_refused_where_it_goes_too_deep(
    opening: str, closing: str, limit: int, what: str
) -> None:
    inner = "{ ?s ?p " if opening.startswith("[") else ""
    outer = "} " if opening.startswith("[") else ""

    def nested(depth: int) -> str:
        return inner + opening * depth + "1 " + closing * depth + outer

    tokenize(nested(limit - (1 if inner else 0)))
    with pytest.raises(QueryError, match=what) as caught:
        tokenize(nested(limit + 5))
    assert caught.value.column is not None and caught.value.column > limit


@pytest.mark.parametrize(
    ("text", "problem", "where"),
    [
        ("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(\n}", "'(' opened at line 3, column 9", (4, 1)),
        ("SELECT * WHERE { ?s ?p ?o", "'{' opened here is never closed", (1, 16)),
        ("ASK {}}", "'}' closes no bracket", (1, 7)),
        ('ASK { ?s ?p "abc }', "a string is not closed on its line", (1, 13)),
        ("ASK { ?s ?p '''abc }", "a string is not closed", (1, 13)),
        ('ASK { ?s ?p "a\\qb" }', "the escape '\\\\q' is not one SPARQL has", (1, 15)),
        ("ASK { ?s ?p \x00 }", "unexpected character '\\x00' (U+0000)", (1, 13)),
        ("\ufeffASK {}", "byte-order mark", (1, 1)),
    ],
)
def test_what_cannot_be_read_is_said_where_it_is(
    text: str, problem: str, where: tuple[int, int]
) -> None:
    with pytest.raises(QueryError) as caught:
        tokenize(text)
    assert problem in caught.value.problem
    assert (caught.value.line, caught.value.column) == where


def test_positions_leave_out_the_coopgraph_prologue() -> None:
    text = "PREFIX a: <http://a/>\n" + lexer.PROLOGUE_END + "SELECT\n  ?x"
    assert position(text, text.index("?x")) == (2, 3)
    assert position("a\nbc", 3) == (2, 2)
