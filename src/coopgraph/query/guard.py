"""What a public SPARQL endpoint lets a request do, checked on the parsed request.

Public API:
    RefusedError                      a request the endpoint will not run (HTTP 403)
    check_query(text, allow_service)  parse a query, refuse what the policy forbids; its form
    check_update(text, allow_service) parse an update likewise; how many DELETE/INSERT it has
    with_using(text, update, default_graphs, named_graphs)
                                      the update with the protocol's using-graph-uri /
                                      using-named-graph-uri written as USING clauses
    check_graph_iris(iris, allow_service)
                                      refuse file: IRIs given as protocol dataset parameters

The request is parsed with rdflib's SPARQL parser and its prefixed names resolved (the
first steps of rdflib's translation to algebra), and the tree is inspected: any `SERVICE`
and any `LOAD` are refused, and so is a `file:` IRI in a dataset clause (`FROM`, `FROM
NAMED`, `USING`, `WITH`), unless the server runs with `--allow-service`. Looking at the
parse tree rather than at the text means that `SERVICE` in a string, a comment or an IRI
is no false alarm, and that `PREFIX s: <file:///etc/> ... FROM s:passwd` is still caught.
A request that rdflib cannot parse is refused as a syntax error (400) with rdflib's line
and column: what cannot be checked is not run.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.algebra import translatePName, translatePrologue, traverse
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from coopgraph.errors import CoopgraphError, QueryError

QUERY_FORMS = {
    "SelectQuery": "SELECT",
    "ConstructQuery": "CONSTRUCT",
    "AskQuery": "ASK",
    "DescribeQuery": "DESCRIBE",
}
_SERVICE_HINT = "this endpoint does not call other services; start it with --allow-service to allow"


class RefusedError(CoopgraphError):
    """A request the endpoint refuses to run (SERVICE, LOAD, file: access, updates)."""


@dataclass(frozen=True)
class UpdateShape:
    """What the protocol needs to know of an update request."""

    modify_operations: int
    has_dataset_clause: bool


@functools.lru_cache(maxsize=512)
def check_query(text: str, allow_service: bool = False) -> str:
    """Parse `text` as a query and apply the policy; its form (SELECT, ASK, ...).

    Cached: rdflib's parser takes tens of milliseconds, and a server sees the same stored
    queries again and again. A refused or malformed query raises, and is not cached."""
    try:
        parsed = parseQuery(text)
        prologue = translatePrologue(parsed[0], None)
        tree = traverse(parsed[1], visitPost=functools.partial(translatePName, prologue=prologue))
    except ParseException as error:
        raise QueryError("query", error.msg, line=error.lineno, column=error.col) from error
    except Exception as error:  # rdflib raises a bare Exception for an unknown prefix
        raise QueryError("query", str(error)) from error
    if not allow_service:
        for node in _nodes(tree):
            _refuse_service(node)
            if node.name == "DatasetClause":
                _refuse_file(_field(node, "default"), "FROM")
                _refuse_file(_field(node, "named"), "FROM NAMED")
    return QUERY_FORMS.get(getattr(tree, "name", ""), "SELECT")


def check_update(text: str, allow_service: bool = False) -> UpdateShape:
    """Parse `text` as an update and apply the policy."""
    try:
        parsed = parseUpdate(text)
        operations: list[CompValue] = []
        prologue = None
        for declarations, request in zip(parsed.prologue or [], parsed.request or [], strict=False):
            prologue = translatePrologue(declarations, None, None, prologue)
            operations.append(
                traverse(request, visitPost=functools.partial(translatePName, prologue=prologue))
            )
    except ParseException as error:
        raise QueryError("update", error.msg, line=error.lineno, column=error.col) from error
    except Exception as error:
        raise QueryError("update", str(error)) from error
    modify = 0
    dataset_clause = False
    for operation in operations:
        if operation.name == "Modify":
            modify += 1
            if _field(operation, "withClause") is not None or _field(operation, "using"):
                dataset_clause = True
        if allow_service:
            continue
        if operation.name == "Load":
            raise RefusedError(
                f"LOAD <{_field(operation, 'iri')}> is not allowed on this endpoint",
                hint="this endpoint does not fetch documents; start it with --allow-service "
                "to allow LOAD",
            )
        for node in _nodes(operation):
            _refuse_service(node)
            if node.name == "UsingClause":
                _refuse_file(_field(node, "default"), "USING")
                _refuse_file(_field(node, "named"), "USING NAMED")
        _refuse_file(_field(operation, "withClause"), "WITH")
    return UpdateShape(modify, dataset_clause)


def check_graph_iris(iris: Iterable[str], allow_service: bool = False) -> None:
    """Refuse a `file:` IRI among the protocol's dataset parameters."""
    if allow_service:
        return
    for iri in iris:
        _refuse_file(iri, "a dataset parameter")


def _field(node: CompValue, name: str) -> Any:
    """A field of a parse-tree node, None when absent (CompValue.get returns the name)."""
    return dict.get(node, name)


def _nodes(tree: Any) -> Iterator[CompValue]:
    """Every CompValue of a parse tree, depth first."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)


def _refuse_service(node: CompValue) -> None:
    if node.name == "ServiceGraphPattern":
        raise RefusedError(
            f"SERVICE {_show(_field(node, 'term'))} is not allowed on this endpoint", _SERVICE_HINT
        )


def _refuse_file(iri: object, where: str) -> None:
    if iri is not None and str(iri).lower().startswith("file:"):
        raise RefusedError(
            f"the file: IRI <{iri}> in {where} is not allowed on this endpoint",
            hint="this endpoint does not read local files",
        )


def _show(term: object) -> str:
    text = str(term)
    return text if text.startswith("?") else f"<{text}>"


# --- The protocol's update dataset ----------------------------------------------------------

_SAFE_IRI = re.compile(r'[^\x00-\x20<>"{}|^`\\]+')
_IRI_TOKEN = re.compile(r'<[^\x00-\x20<>"{}|^`\\]*>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def with_using(
    text: str,
    update: UpdateShape,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
) -> str:
    """`text` with `USING <g>` / `USING NAMED <g>` before the WHERE of each DELETE/INSERT.

    The SPARQL 1.1 Protocol's using-graph-uri and using-named-graph-uri parameters set the
    dataset of every DELETE/INSERT operation; an update that names its own (USING, WITH)
    cannot also take them.
    """
    if not default_graphs and not named_graphs:
        return text
    if update.has_dataset_clause:
        raise QueryError(
            "update",
            "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH",
            hint="give the dataset either in the update or as protocol parameters",
        )
    for iri in (*default_graphs, *named_graphs):
        if not _SAFE_IRI.fullmatch(iri):
            raise QueryError("update", f"{iri!r} is not a valid graph IRI", hint="give an IRI")
    clause = " ".join(
        [f"USING <{iri}>" for iri in default_graphs]
        + [f"USING NAMED <{iri}>" for iri in named_graphs]
    )
    positions = _top_level_wheres(text)
    if len(positions) != update.modify_operations:
        raise QueryError(
            "update",
            "cannot apply using-graph-uri to this update",
            hint="write USING clauses in the update instead",
        )
    for position in reversed(positions):
        text = f"{text[:position]}{clause}\n{text[position:]}"
    return text


def _top_level_wheres(text: str) -> list[int]:
    """The offsets of the WHERE keywords outside braces, strings, IRIs and comments that do
    not follow DELETE (the WHERE of each DELETE/INSERT ... WHERE operation)."""
    positions: list[int] = []
    depth = 0
    index = 0
    previous_word = ""
    length = len(text)
    while index < length:
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            index = length if end < 0 else end + 1
        elif char in "'\"":
            index = _string_end(text, index)
        elif char == "<" and (match := _IRI_TOKEN.match(text, index)):
            index = match.end()
        elif char == "{":
            depth += 1
            index += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                previous_word = "}"
            index += 1
        elif (match := _WORD.match(text, index)) and (index == 0 or not _is_name(text[index - 1])):
            word = match.group().upper()
            if depth == 0:
                if word == "WHERE" and previous_word != "DELETE":
                    positions.append(index)
                previous_word = word
            index = match.end()
        else:
            index += 1
    return positions


def _is_name(char: str) -> bool:
    return char.isalnum() or char in "_:?$-"


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        while end > 0 and _escaped(text, end):
            end = text.find(quote * 3, end + 1)
        return len(text) if end < 0 else end + 3
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == quote or text[index] == "\n":
            return index + 1
        index += 1
    return len(text)


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - 1 - backslashes >= 0 and text[index - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
