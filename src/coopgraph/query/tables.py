"""Materialised report tables: the rows of the stored reports, computed when the store is built
and kept next to it, so that a report on a built store reads its rows instead of running.

A store is built once per content of its inputs and never changes (its folder is named by a
hash of them), so a table computed on it stays right for as long as the store exists: a table
is the result of one stored query (its exact text) with one set of bound arguments, filed
under a hash of both. The build fills the tables of every stored report with its default and
example arguments; a report run with other arguments runs its query and files the table then
(a later run reads it). Rows are kept as JSON (never pickles: a file in the cache must not
be able to run code when it is read) and turned back into rdflib terms without parsing a
lexical form twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from coopgraph.model import resources
from coopgraph.query.results import ResultTable, converted_rows

FOLDER = "tables"
# Bump when the way rows are filed changes.
FORMAT = "2"
SUFFIX = ".json"

Encoded = tuple[object, ...]


@cache
def stored_texts() -> frozenset[str]:
    """The text of every bundled stored query: only these are materialised."""
    return frozenset(path.read_text(encoding="utf-8") for path in resources.query_files())


def query_digest(query_text: str) -> str:
    """The start of the names of every table of the query `query_text`."""
    return hashlib.sha256(query_text.encode("utf-8")).hexdigest()[:20]


def key(query_text: str, bound_text: str, list_columns: frozenset[str]) -> str:
    hasher = hashlib.sha256(f"{FORMAT}\0{','.join(sorted(list_columns))}\0".encode())
    hasher.update(bound_text.encode("utf-8"))
    return f"{query_digest(query_text)}-{hasher.hexdigest()[:24]}"


def carry_over(earlier: Path, folder: Path, query_texts: Iterable[str]) -> int:
    """Link (or copy) into `folder` the tables of the queries `query_texts` filed in
    `earlier`, the folder of a store whose answers to them are the same; how many."""
    prefixes = tuple(f"{query_digest(text)}-" for text in query_texts)
    if not prefixes or not earlier.is_dir():
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    carried = 0
    for table in earlier.glob(f"*{SUFFIX}"):
        if not table.name.startswith(prefixes):
            continue
        try:
            # Tables are replaced, never written in place, so sharing the file is safe.
            os.link(table, folder / table.name)
        except OSError:
            try:
                shutil.copyfile(table, folder / table.name)
            except OSError:
                continue  # not carried: the report runs again when asked
        carried += 1
    return carried


def _encode(term: Node | None) -> Encoded | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("u", str(term))
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype is not None else None
        return ("l", str(term), term.language, datatype)
    raise TypeError(f"cannot file {term!r}")


def read(folder: Path, name: str) -> ResultTable | None:
    """The table filed under `name`, or None."""
    try:
        filed = json.loads((folder / f"{name}{SUFFIX}").read_text(encoding="utf-8"))
        variables = [str(variable) for variable in filed["variables"]]
        list_columns = frozenset(str(column) for column in filed["list_columns"])
        encoded = [
            [tuple(cell) if cell is not None else None for cell in row] for row in filed["rows"]
        ]
        rows = converted_rows(encoded, _decode)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # not filed, or damaged: the query runs (and files it again)
    return ResultTable.presorted(tuple(variables), rows, list_columns)


def _decode(cell: Encoded) -> Node:
    kind = cell[0]
    if kind == "u":
        return URIRef(str(cell[1]))
    if kind != "l":
        raise ValueError(f"not a filed term: {kind!r}")
    _kind, lexical, language, datatype = cell
    if language is not None:
        return Literal(str(lexical), lang=str(language))
    return Literal(str(lexical), datatype=URIRef(str(datatype)) if datatype else None)


def write(folder: Path, name: str, table: ResultTable) -> None:
    """File `table` under `name` (atomically); a table with blank nodes is not filed (their
    labels are the store's own), nor is anything when the folder cannot be written."""
    if any(isinstance(cell, BNode) for row in table.rows for cell in row):
        return
    encoded = [[_encode(cell) for cell in row] for row in table.rows]
    data = json.dumps(
        {
            "variables": list(table.variables),
            "list_columns": sorted(table.list_columns),
            "rows": encoded,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{name}.{os.getpid()}.tmp"
        temporary.unlink(missing_ok=True)
        # A new file, never through a symbolic link planted in the cache.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(temporary, flags, 0o666), "wb") as stream:
            stream.write(data)
        temporary.replace(folder / f"{name}{SUFFIX}")
    except OSError:
        return
