"""What a query runs on: the engine protocol, the embedded Oxigraph engine, rdflib's engine as
the cross-check, and the one safe way of binding values into a query's text.

`QueryEngine` is what the catalog, the reports and the web pages need of an engine: `select`
for a table and `run` for any query form. `OxigraphEngine` runs on an Oxigraph store (the
built store of `coopgraph.build.engine`, or an in-memory one), `RdflibEngine` on an rdflib
graph, `coopgraph.query.remote.RemoteEngine` on a SPARQL endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node

from coopgraph.errors import QueryError
from coopgraph.model.namespaces import DATA_GRAPH
from coopgraph.model.terms import from_oxigraph
from coopgraph.query import tables
from coopgraph.query.results import ResultTable, Row, converted_rows

Bindings = Mapping[str, Node]
# `coopgraph sparql` ends its PREFIX prologue with this comment line.
PROLOGUE_END = "# end of coopgraph prefixes\n"


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
    """Queries on an Oxigraph store, whose default graph is the union of its named graphs.

    With a `tables` folder, the stored reports read their rows from the tables materialised
    there (`coopgraph.query.tables`), and file the rows of any other arguments they run with."""

    def __init__(self, store: ox.Store, tables: Path | None = None) -> None:
        self.store = store
        self.tables = tables

    def _execute(self, query: str, bindings: Bindings | None, source: str = "query") -> object:
        # Oxigraph's own substitution needs each variable in the projection, which grouped
        # reports do not have; a VALUES block at the top of the WHERE clause binds them.
        text = with_values(query, bindings or {})
        try:
            return self.store.query(text, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise syntax_error(source, str(error), query) from error

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
        solutions = self._execute(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("query", "not a SELECT query", hint="use a SELECT query here")
        table = _oxigraph_table(solutions, list_columns)
        if name is not None and self.tables is not None:
            tables.write(self.tables, name, table)
        return table

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome:
        answer = self._execute(query, bindings, source)
        if isinstance(answer, ox.QuerySolutions):
            return QueryOutcome(table=_oxigraph_table(answer, frozenset()))
        if isinstance(answer, ox.QueryBoolean):
            return QueryOutcome(boolean=bool(answer))
        graph = Graph()
        for triple in answer:  # type: ignore[attr-defined]
            graph.add(
                (
                    from_oxigraph(triple.subject),
                    from_oxigraph(triple.predicate),
                    from_oxigraph(triple.object),
                )
            )
        return QueryOutcome(graph=graph)

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


_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)


def syntax_error(source: str, message: str, query: str) -> QueryError:
    """A QueryError at the line and column of the user's text: the lines of the PREFIX
    prologue that `coopgraph sparql` puts before it are not counted."""
    match = _POSITION.match(message)
    if match is None:
        return QueryError(source, message)
    line, column, problem = int(match.group(1)), int(match.group(2)), match.group(3)
    end = query.find(PROLOGUE_END)
    prologue_lines = query.count("\n", 0, end + len(PROLOGUE_END)) if end >= 0 else 0
    return QueryError(source, problem or "syntax error", line=line - prologue_lines, column=column)


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
