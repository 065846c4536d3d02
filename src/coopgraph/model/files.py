"""An input file of RDF: its format by suffix, parsed into an rdflib graph or an Oxigraph store,
every parse failure an `InputError` that names the file, the line and the column."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import cast
from xml.sax import SAXParseException

import pyoxigraph as ox
from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from coopgraph.errors import InputError
from coopgraph.model import resources
from coopgraph.model.namespaces import bind_project_prefixes

FORMAT_BY_SUFFIX = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}

_FIX_HINT = {
    "turtle": "fix the Turtle at that position",
    "nt": "fix the N-Triples line",
    "json-ld": "fix the JSON-LD at that position",
    "xml": "fix the RDF/XML at that position",
}


def rdf_format(path: Path) -> str:
    """The rdflib parser name for `path`, chosen by its suffix."""
    try:
        return FORMAT_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        raise InputError(
            path,
            f"cannot tell the RDF format of a {path.suffix or 'suffix-less'} file",
            hint="name it with one of the suffixes " + ", ".join(FORMAT_BY_SUFFIX),
        ) from None


def load_graph(paths: Iterable[Path]) -> Graph:
    """Parse every file in `paths` into one new graph; raise `InputError` on the first failure."""
    graph = Graph()
    bind_project_prefixes(graph)
    for path in paths:
        parse_into(graph, path)
    return graph


def bundled_graph() -> Graph:
    """The bundled ontology and data in one graph."""
    return load_graph([*resources.ontology_files(), *resources.data_files()])


def parse_into(graph: Graph, path: Path) -> None:
    """Add the triples of the file at `path` to `graph`."""
    fmt = rdf_format(path)
    raw = _read_bytes(path)
    try:
        graph.parse(data=raw, format=fmt, publicID=path.resolve().as_uri())
    except Exception as error:  # rdflib's parsers raise many unrelated types; all mean bad input
        raise _input_error(path, fmt, raw, error) from error


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file", hint="check the path") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file", hint="name the files in it") from None
    except OSError as error:
        raise InputError(
            path, f"cannot be read ({error.strerror})", hint="check the file's permissions"
        ) from error


def _input_error(path: Path, fmt: str, raw: bytes, error: Exception) -> InputError:
    line, column = _error_position(raw, error)
    return InputError(
        path, _describe(error), line=line, column=column, hint=_FIX_HINT.get(fmt, "fix the file")
    )


def _describe(error: Exception) -> str:
    if isinstance(error, BadSyntax):
        return f"bad syntax ({error._why})"
    if isinstance(error, UnicodeDecodeError):
        return f"not valid UTF-8 ({error.reason})"
    if isinstance(error, SAXParseException):
        return f"bad XML ({error.getMessage()})"
    if isinstance(error, json.JSONDecodeError):
        return f"bad JSON ({error.msg})"
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _error_position(raw: bytes, error: Exception) -> tuple[int | None, int | None]:
    """1-based (line, column) of a parse error, or None where the parser does not say."""
    if isinstance(error, BadSyntax):
        # The parser keeps the whole document and the character offset of the failure.
        document = error._str.decode("utf-8", errors="replace")
        return _line_and_column(document, error._i)
    if isinstance(error, UnicodeDecodeError):
        return _line_and_column(raw[: error.start].decode("utf-8", errors="replace"), None)
    if isinstance(error, SAXParseException):
        column = error.getColumnNumber()  # 0-based
        return error.getLineNumber(), column + 1 if column is not None else None
    if isinstance(error, json.JSONDecodeError):
        return error.lineno, error.colno
    return None, None


def _line_and_column(text: str, offset: int | None) -> tuple[int, int]:
    """The 1-based line and column of character `offset` in `text` (default: its end)."""
    before = text if offset is None else text[:offset]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    return line, column


OXIGRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}


def load_file(store: ox.Store, path: Path, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    """Add the triples of the file at `path` to `graph` of `store`; raise a located
    `InputError` when the file cannot be read or parsed."""
    fmt = rdf_format(path)
    try:
        store.bulk_load(
            path=str(path),
            format=OXIGRAPH_FORMATS[fmt],
            base_iri=path.resolve().as_uri(),
            to_graph=graph,
        )
    except (SyntaxError, ValueError, OSError) as error:
        raise _oxigraph_error(path, error) from error


def ntriples_of(path: Path) -> bytes:
    """The triples of the file at `path` as N-Triples; a located `InputError` when the file
    cannot be read or parsed."""
    fmt = rdf_format(path)
    try:
        quads = ox.parse(
            path=str(path), format=OXIGRAPH_FORMATS[fmt], base_iri=path.resolve().as_uri()
        )
        return cast(bytes, ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError, OSError) as error:
        raise _oxigraph_error(path, error) from error


def _oxigraph_error(path: Path, error: Exception) -> InputError:
    # rdflib's parser gives the message and position the rest of coopgraph gives.
    parse_into(Graph(), path)
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return InputError(path, message, hint="fix the file at that position")
