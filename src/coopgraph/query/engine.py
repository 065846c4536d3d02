"""What a query runs on: the engine protocol, the embedded Oxigraph engine, rdflib's engine as
the cross-check, and the one safe way of binding values into a query's text.

`QueryEngine` is what the catalog, the reports and the web pages need of an engine: `select`
for a table and `run` for any query form. `OxigraphEngine` runs on an Oxigraph store (the
built store of `coopgraph.build.engine`, or an in-memory one), `RdflibEngine` on an rdflib
graph, `coopgraph.query.remote.RemoteEngine` on a SPARQL endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node

from coopgraph.errors import CoopgraphError, QueryError
from coopgraph.model.namespaces import DATA_GRAPH
from coopgraph.model.terms import from_oxigraph
from coopgraph.query import tables
from coopgraph.query.guard import RefusedError
from coopgraph.query.lexer import PROLOGUE_END
from coopgraph.query.reading import SparqlText, read
from coopgraph.query.results import ResultTable, Row, converted_rows

Bindings = Mapping[str, Node]
__all__ = ["PROLOGUE_END", "OxigraphEngine", "QueryEngine", "QueryOutcome", "RdflibEngine"]


class QueryEngine(Protocol):
    """What the catalog and the commands need of an engine."""

    def select(
        self, query: str, bindings: Bindings | None = None, list_columns: frozenset[str] = ...
    ) -> ResultTable: ...

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome: ...


@dataclass(frozen=True)
class QueryOutcome:
    """The answer to any query: a table (SELECT), a boolean (ASK) or a graph."""

    table: ResultTable | None = None
    boolean: bool | None = None
    graph: Graph | None = None


class OxigraphEngine:
    """Queries on an Oxigraph store, whose default graph is the union of its named graphs
    unless the query names its dataset (FROM, FROM NAMED: SPARQL 1.1 Query 13.2).

    Every text is read by coopgraph's lexer first (coopgraph.query.reading: its nesting
    depth, its prefixes, query or update) and the engine runs the text read. With a
    `tables` folder, the stored reports read their rows from the tables materialised there
    (`coopgraph.query.tables`), and file the rows of any other arguments they run with."""

    def __init__(self, store: ox.Store, tables: Path | None = None) -> None:
        self.store = store
        self.tables = tables

    def _execute(
        self, query: str, bindings: Bindings | None, source: str = "query"
    ) -> tuple[object, SparqlText]:
        # Oxigraph's own substitution needs each variable in the projection, which grouped
        # reports do not have; a VALUES block at the top of the WHERE clause binds them.
        reading = read(with_values(query, bindings or {}), source)
        try:
            return self.store.query(reading.text, **dataset_arguments(reading)), reading  # type: ignore[arg-type]
        except SyntaxError as error:
            raise reading.syntax_error(str(error)) from error
        except OSError as error:
            raise called_out(source, error) from error

    def select(
        self,
        query: str,
        bindings: Bindings | None = None,
        list_columns: frozenset[str] = frozenset(),
    ) -> ResultTable:
        name = None
        if self.tables is not None and query in tables.stored_texts():
            name = tables.key(query, with_values("WHERE {}", bindings or {}), list_columns)
            filed = tables.read(self.tables, name)
            if filed is not None:
                return filed
        solutions, reading = self._execute(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("query", "not a SELECT query", hint="use a SELECT query here")
        table = _evaluated(lambda: _oxigraph_table(solutions, list_columns), reading)
        if name is not None and self.tables is not None:
            tables.write(self.tables, name, table)
        return table

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome:
        answer, reading = self._execute(query, bindings, source)
        if isinstance(answer, ox.QuerySolutions):
            solutions = answer
            return QueryOutcome(
                table=_evaluated(lambda: _oxigraph_table(solutions, frozenset()), reading)
            )
        if isinstance(answer, ox.QueryBoolean):
            return QueryOutcome(boolean=bool(answer))
        return QueryOutcome(graph=_evaluated(lambda: _oxigraph_graph(answer), reading))

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        """Every quad of the store as rdflib terms."""
        for quad in self.store.quads_for_pattern(None, None, None, None):
            graph_name = quad.graph_name
            name = URIRef(graph_name.value) if isinstance(graph_name, ox.NamedNode) else DATA_GRAPH
            yield (
                from_oxigraph(quad.subject),
                from_oxigraph(quad.predicate),
                from_oxigraph(quad.object),
                name,
            )


T = TypeVar("T")


def _evaluated(evaluate: Callable[[], T], reading: SparqlText) -> T:
    """Oxigraph evaluates while the results are read: a SERVICE call fails there."""
    try:
        return evaluate()
    except OSError as error:
        raise called_out(reading.source, error) from error


def dataset_arguments(reading: SparqlText, union: bool = True) -> dict[str, object]:
    """The dataset arguments of Oxigraph's query() for a query read: none when the query
    names its dataset (Oxigraph then honours FROM and FROM NAMED), else the union of the
    named graphs as the default graph (Oxigraph's use_default_graph_as_union would override
    the query's FROM)."""
    if reading.names_dataset or not union:
        return {}
    return {"use_default_graph_as_union": True}


def called_out(source: str, error: OSError, confined: bool = False) -> CoopgraphError:
    """The error of a query whose SERVICE (or an update whose LOAD) could not be reached."""
    if confined or isinstance(error, PermissionError):
        return RefusedError(
            "the query tried to reach the network, which this endpoint does not allow",
            hint="remove SERVICE and LOAD from the request",
        )
    return QueryError(
        source,
        f"a SERVICE or LOAD call failed: {error}",
        hint="check the service's address, or leave SERVICE out",
    )


def _oxigraph_graph(triples: object) -> Graph:
    graph = Graph()
    for triple in triples:  # type: ignore[attr-defined]
        graph.add(
            (
                from_oxigraph(triple.subject),
                from_oxigraph(triple.predicate),
                from_oxigraph(triple.object),
            )
        )
    return graph


def _oxigraph_table(solutions: ox.QuerySolutions, list_columns: frozenset[str]) -> ResultTable:
    variables = tuple(variable.value for variable in solutions.variables)
    cells = ((solution[name] for name in variables) for solution in solutions)
    rows = converted_rows(cells, from_oxigraph)
    return ResultTable(variables, rows, list_columns)


class RdflibEngine:
    """The same queries on rdflib's own SPARQL engine: slower, kept as the reference."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def _execute(self, query: str, bindings: Bindings | None) -> Result:
        from pyparsing import ParseException  # noqa: PLC0415 - rdflib's engine is the slow path

        init: dict[str, Identifier] = {
            k: v for k, v in (bindings or {}).items() if isinstance(v, Identifier)
        }
        try:
            return self.graph.query(query, initBindings=init)
        except ParseException as error:
            raise QueryError("query", error.msg, line=error.lineno, column=error.col) from error

    def select(
        self,
        query: str,
        bindings: Bindings | None = None,
        list_columns: frozenset[str] = frozenset(),
    ) -> ResultTable:
        result = self._execute(query, bindings)
        if result.type != "SELECT":
            raise QueryError("query", "not a SELECT query", hint="use a SELECT query here")
        return _rdflib_table(result, list_columns)

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome:
        result = self._execute(query, bindings)
        if result.type == "SELECT":
            return QueryOutcome(table=_rdflib_table(result, frozenset()))
        if result.type == "ASK":
            return QueryOutcome(boolean=bool(result.askAnswer))
        graph = Graph()
        for triple in result:
            graph.add(triple)  # type: ignore[arg-type]
        return QueryOutcome(graph=graph)


def _rdflib_table(result: Result, list_columns: frozenset[str]) -> ResultTable:
    variables = tuple(str(v) for v in (result.vars or []))
    rows: list[Row] = []
    for solution in result:
        assert isinstance(solution, ResultRow)
        rows.append(tuple(solution))
    return ResultTable(variables, tuple(rows), list_columns)


def syntax_error(source: str, message: str, query: str) -> QueryError:
    """Oxigraph's syntax error `message` for `query` as a short QueryError at the line and
    column of the user's text (the lines of a `coopgraph sparql` prologue not counted)."""
    try:
        reading = read(query, source)
    except QueryError as lexical:  # what the lexer finds is said better
        return lexical
    return reading.syntax_error(message)


# --- Binding values into query text ---------------------------------------------------------

_UNSAFE_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_OUTER_GROUP = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def sparql_term(term: Node) -> str:
    """`term` in SPARQL syntax, refusing what could not be written safely."""
    if isinstance(term, URIRef):
        if _UNSAFE_IRI.search(str(term)):
            raise QueryError(
                "parameter",
                f"{str(term)!r} is not a valid IRI",
                hint="give an IRI without spaces, quotes or angle brackets",
            )
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise QueryError("parameter", f"cannot bind {term!r}", hint="give an IRI or a literal")


def with_values(query: str, bindings: Bindings) -> str:
    """`query` with a VALUES block binding `bindings` at the start of its outermost WHERE
    group. Each term is written by `sparql_term`, so a value can never become syntax: a
    literal's quotes are escaped, an IRI with syntax characters is refused."""
    if not bindings:
        return query
    searchable = re.sub(r"(?m)^\s*#.*$", lambda match: " " * len(match.group()), query)
    match = _OUTER_GROUP.search(searchable)
    if match is None:
        raise QueryError(
            "query", "has parameters but no WHERE clause", hint="write 'WHERE {' before the pattern"
        )
    names = sorted(bindings)
    values = (
        "VALUES ("
        + " ".join(f"?{name}" for name in names)
        + ") { ("
        + " ".join(sparql_term(bindings[name]) for name in names)
        + ") }"
    )
    return query[: match.end()] + "\n  " + values + "\n" + query[match.end() :]
