"""Every stored query orders its rows totally, so that a report is the same run to run and store
to store (issue 13, item 5).

The ORDER BY keys of each stored query are read from its text and evaluated on the rows the
embedded store gives (with the example and with the default arguments): the rows must be in
the order the keys give, by SPARQL's rules (no value first, numbers by value, strings by code
point), two rows equal in every key must be equal in every column, and every column holding
IRIs must be read by a key (ties broken by an IRI, whatever the data). A key may only use the
projected columns (or an aggregate that is projected), through STR, LCASE and COALESCE, so that
it can be evaluated here. That the remote stores give the rows in this same order is
tests/query/test_remote_stores.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node

from coopgraph.build.engine import open_engine
from coopgraph.model.inputs import Inputs
from coopgraph.query.catalog import StoredQuery, load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine
from coopgraph.query.results import ResultTable

CATALOG = load_catalog()

# A value of a key: None (no value) sorts first, then numbers, then strings.
SortValue = tuple[int, float | str]
Evaluator = Callable[[dict[str, Node | None]], "Node | str | None"]


@dataclass(frozen=True)
class OrderKey:
    text: str
    descending: bool
    evaluate: Evaluator
    columns: frozenset[str]  # the projected columns it reads


# --- Reading the ORDER BY clause -------------------------------------------------------------

_TOKEN = re.compile(r'\s*(\?\w+|"(?:[^"\\]|\\.)*"|[A-Za-z_]\w*|[(),])')
_AGGREGATES = {"MIN", "MAX", "SAMPLE", "COUNT", "SUM", "AVG", "GROUP_CONCAT"}


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot read the ORDER BY clause at {text[position:]!r}")
        tokens.append(match.group(1))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


class _Reader:
    def __init__(self, tokens: list[str], projections: dict[str, str], columns: Sequence[str]):
        self.tokens, self.position = tokens, 0
        self.projections, self.columns = projections, columns
        self.read: set[str] = set()

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token.upper() != expected):
            raise ValueError(f"expected {expected or 'more'} in ORDER BY, found {token!r}")
        self.position += 1
        return token

    def keys(self) -> list[OrderKey]:
        keys = []
        while self.peek() is not None:
            start = self.position
            self.read = set()
            direction = (self.peek() or "").upper()
            if direction in ("ASC", "DESC"):
                self.take()
                self.take("(")
                evaluate = self.expression()
                self.take(")")
            else:
                evaluate = self.expression()
            text = " ".join(self.tokens[start : self.position])
            keys.append(OrderKey(text, direction == "DESC", evaluate, frozenset(self.read)))
        return keys

    def expression(self) -> Evaluator:
        token = self.take()
        if token.startswith("?"):
            name = token[1:]
            if name not in self.columns:
                raise ValueError(f"ORDER BY uses ?{name}, which is not a projected column")
            self.read.add(name)
            return lambda row: row.get(name)
        if token.startswith('"'):
            constant = token[1:-1]
            return lambda row: constant
        if token == "(":
            inner = self.expression()
            self.take(")")
            return inner
        function = token.upper()
        if function in _AGGREGATES:
            return self.aggregate(token)
        self.take("(")
        arguments = [self.expression()]
        while self.peek() == ",":
            self.take()
            arguments.append(self.expression())
        self.take(")")
        return _function(function, arguments)

    def aggregate(self, name: str) -> Evaluator:
        """An aggregate is read as text: it must be projected, and its column is its value."""
        start, depth = self.position, 0
        while True:
            token = self.take()
            depth += {"(": 1, ")": -1}.get(token, 0)
            if depth == 0:
                break
        text = "".join([name, *self.tokens[start : self.position]])
        alias = self.projections.get(text)
        if alias is None:
            raise ValueError(f"ORDER BY uses {text}, which is not a projected aggregate")
        self.read.add(alias)
        return lambda row: row.get(alias)


def _function(name: str, arguments: list[Evaluator]) -> Evaluator:
    def text_of(value: Node | str | None) -> str | None:
        return None if value is None else str(value)

    if name == "STR" and len(arguments) == 1:
        return lambda row: text_of(arguments[0](row))
    if name == "LCASE" and len(arguments) == 1:

        def lower(row: dict[str, Node | None]) -> str | None:
            value = text_of(arguments[0](row))
            return None if value is None else value.lower()

        return lower
    if name == "COALESCE":

        def first_bound(row: dict[str, Node | None]) -> Node | str | None:
            for argument in arguments:
                value = argument(row)
                if value is not None:
                    return value
            return None

        return first_bound
    raise ValueError(f"ORDER BY uses {name}(...), which this test cannot evaluate")


def _projections(select_clause: str) -> dict[str, str]:
    """The projected expressions, without spaces, and their aliases: `MIN(?d)` -> `date`."""
    compact = re.sub(r"\s+", "", select_clause)
    found: dict[str, str] = {}
    for match in re.finditer(r"AS\?(\w+)\)", compact):
        depth, index = 1, match.start() - 1
        while index >= 0 and depth:
            depth += {")": 1, "(": -1}.get(compact[index], 0)
            index -= 1
        found[compact[index + 2 : match.start()]] = match.group(1)
    return found


def order_keys(query_text: str, columns: Sequence[str]) -> list[OrderKey]:
    """The ORDER BY keys of the outermost query, ready to be evaluated on its rows."""
    text = _without_comments(query_text)
    at = text.upper().rfind("ORDER BY")
    if at < 0:
        raise ValueError("no ORDER BY")
    clause = re.split(r"\b(?:LIMIT|OFFSET)\b", text[at + len("ORDER BY") :], flags=re.I)[0]
    select = text[text.upper().find("SELECT") : text.upper().find("WHERE")]
    return _Reader(_tokens(clause), _projections(select), columns).keys()


# --- Checking an order ------------------------------------------------------------------------


def _sort_value(value: Node | str | None) -> SortValue:
    if value is None:
        return (0, "")
    if isinstance(value, Literal) and isinstance(value.toPython(), int | float):
        number = value.toPython()
        assert isinstance(number, int | float)
        return (1, float(number))
    return (2, str(value))


def order_problems(table: ResultTable, keys: Sequence[OrderKey]) -> list[str]:
    """Where the rows are out of the keys' order, or tied in every key yet different."""
    problems = []
    values = []
    for row in table.rows:
        named = dict(zip(table.variables, row, strict=True))
        values.append([_sort_value(key.evaluate(named)) for key in keys])
    for index in range(1, len(values)):
        before, after = values[index - 1], values[index]
        for key, first, second in zip(keys, before, after, strict=True):
            if first == second:
                continue
            if (first > second) != key.descending:
                problems.append(f"rows {index - 1} and {index} are out of order on {key.text}")
            break
        else:
            if table.rows[index - 1] != table.rows[index]:
                problems.append(
                    f"rows {index - 1} and {index} tie on every key but differ: "
                    f"{table.rows[index - 1]} / {table.rows[index]}"
                )
    return problems


# --- The stored queries -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def oxigraph(store_cache: Path) -> OxigraphEngine:
    return open_engine(Inputs.bundled(), store_cache)


def _cases() -> list[tuple[StoredQuery, str, dict[str, str]]]:
    cases = [(query, "example", query.example_arguments()) for query in CATALOG]
    cases += [
        (query, "defaults", query.report_arguments())
        for query in CATALOG
        if query.report_arguments() != query.example_arguments()
    ]
    return cases


CASES = _cases()


@pytest.mark.parametrize(
    ("query", "case", "arguments"), CASES, ids=[f"{q.name}-{c}" for q, c, _ in CASES]
)
def test_the_order_by_orders_the_rows_totally(
    query: StoredQuery, case: str, arguments: dict[str, str], oxigraph: OxigraphEngine
) -> None:
    table = run_stored_query(query, arguments, oxigraph)
    keys = order_keys(query.text, table.variables)
    assert len(table.rows) > 1, f"{query.name} ({case}) gives too few rows to show an order"
    problems = order_problems(table, keys)
    assert not problems, f"{query.name} ({case}):\n" + "\n".join(problems[:5])
    # Ties are broken by an IRI: whatever the data, two rows about different resources are
    # never tied, however their labels read.
    iri_columns = {
        name
        for index, name in enumerate(table.variables)
        if any(isinstance(row[index], URIRef) for row in table.rows)
    }
    ordered = frozenset().union(*(key.columns for key in keys))
    assert iri_columns <= ordered, (
        f"{query.name}: ORDER BY {' '.join(key.text for key in keys)} does not break ties by "
        f"{sorted(iri_columns - ordered)}"
    )


# --- The checker itself finds what it must ------------------------------------------------------


def _table(*rows: tuple[str, str]) -> ResultTable:
    return ResultTable(("label", "iri"), tuple((Literal(a), Literal(b)) for a, b in rows))


def test_a_tie_that_hides_a_difference_is_found() -> None:
    keys = order_keys("SELECT ?label ?iri WHERE { } ORDER BY STR(LCASE(?label))", ("label", "iri"))
    tied = _table(("Same", "urn:b"), ("same", "urn:a"))
    assert any("tie on every key" in problem for problem in order_problems(tied, keys))
    keys = order_keys(
        "SELECT ?label ?iri WHERE { } ORDER BY STR(LCASE(?label)) STR(?iri)", ("label", "iri")
    )
    assert any("out of order" in problem for problem in order_problems(tied, keys))
    assert order_problems(_table(("same", "urn:a"), ("Same", "urn:b")), keys) == []


def test_descending_keys_and_aggregates_are_read() -> None:
    text = (
        "SELECT ?iri (MIN(?d) AS ?label) WHERE { } GROUP BY ?iri ORDER BY DESC(STR(MIN(?d))) ?iri"
    )
    keys = order_keys(text, ("label", "iri"))
    assert [key.descending for key in keys] == [True, False]
    assert order_problems(_table(("b", "urn:1"), ("a", "urn:2")), keys) == []
    assert order_problems(_table(("a", "urn:1"), ("b", "urn:2")), keys) != []


def test_a_key_on_a_column_not_projected_is_refused() -> None:
    with pytest.raises(ValueError, match="not a projected column"):
        order_keys("SELECT ?iri WHERE { } ORDER BY ?label", ("iri",))
