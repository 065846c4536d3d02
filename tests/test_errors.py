from __future__ import annotations

import pytest

from coopgraph.errors import (
    CoopgraphError,
    InputError,
    QueryError,
    UnknownNameError,
    ValidationCouldNotRun,
)


def test_input_error_names_file_line_column_and_what_to_do() -> None:
    error = InputError("data/foo.ttl", "bad syntax", line=12, column=5, hint="fix the Turtle")
    assert str(error) == "data/foo.ttl:12:5: bad syntax — fix the Turtle"
    assert (error.line, error.column) == (12, 5)


def test_input_error_leaves_out_an_unknown_position() -> None:
    assert str(InputError("x.ttl", "no such file")) == "x.ttl: no such file"


def test_query_error_has_a_position_and_a_default_hint() -> None:
    error = QueryError("queries/q.rq", "unexpected '}'", line=3, column=1)
    assert str(error) == "queries/q.rq:3:1: unexpected '}' — fix the SPARQL at that position"


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("ontolgy", "did you mean 'ontology'?"),
        ("zzz", "use one of: data, ontology"),
    ],
)
def test_unknown_name_suggests_close_matches(name: str, hint: str) -> None:
    error = UnknownNameError("asset folder", name, ["ontology", "data"])
    assert str(error) == f"unknown asset folder {name!r} — {hint}"


@pytest.mark.parametrize(
    "error_type", [CoopgraphError, InputError, QueryError, UnknownNameError, ValidationCouldNotRun]
)
def test_every_error_is_a_coopgraph_error_with_exit_code_2(error_type: type) -> None:
    assert issubclass(error_type, CoopgraphError)
    assert error_type.exit_code == 2
