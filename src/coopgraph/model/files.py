"""An input file of RDF: its format by suffix, parsed into an rdflib graph or an Oxigraph store,
every parse failure an `InputError` that names the file, the line and the column.

Before a file is read it is checked to be one (`check_input`): not a folder, a named pipe, a
device or a symbolic link loop, not binary or UTF-16, and, for Turtle, N-Triples and JSON-LD,
not starting with a UTF-8 byte-order mark (which their grammars do not allow and the parsers
refuse, or not all of them: the message names it rather than "bad syntax at 1:1"). RDF/XML
with a byte-order mark is read as it is (XML allows one). An empty file is a valid file of no
triples.
"""

from __future__ import annotations

import errno
import json
import stat
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


_BOM = b"\xef\xbb\xbf"
# The formats whose grammar allows no byte-order mark (RDF/XML does: XML allows one).
_NO_BYTE_ORDER_MARK = {".ttl": "Turtle", ".nt": "N-Triples", ".jsonld": "JSON (RFC 8259)"}
_SNIFF = 8192  # the bytes looked at to tell a binary file
_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def check_input(path: Path) -> None:
    """Raise `InputError` unless `path` names a readable regular file that looks like RDF
    text: say what it is instead (missing, a folder, a pipe, a link loop, binary, a file
    that starts with a byte-order mark where the format allows none)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(path, "no such file", hint="check the path") from None
    except OSError as error:
        raise _unreadable(path, error) from error
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, "is a folder, not a file", hint="name the files in it")
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        raise InputError(
            path,
            f"is {kind}, not a file",
            hint="save what it gives to a file and name that file (coopgraph reads a file "
            "twice and must know its size)",
        )
    try:
        with path.open("rb") as stream:
            start = stream.read(_SNIFF)
    except OSError as error:
        raise _unreadable(path, error) from error
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            path, "is UTF-16 text, not UTF-8", hint="save it as UTF-8 (without a byte-order mark)"
        )
    if b"\0" in start:
        raise InputError(
            path,
            "is a binary file, not RDF text",
            hint="give a Turtle, N-Triples, JSON-LD or RDF/XML file",
        )
    no_bom = _NO_BYTE_ORDER_MARK.get(path.suffix.lower())
    if start.startswith(_BOM) and no_bom is not None:
        raise InputError(
            path,
            f"starts with a UTF-8 byte-order mark, which {no_bom} does not allow",
            line=1,
            column=1,
            hint="save it as UTF-8 without a byte-order mark (in most editors: "
            "encoding 'UTF-8', not 'UTF-8 with BOM')",
        )


def _unreadable(path: Path, error: OSError) -> InputError:
    if error.errno == errno.ELOOP:
        return InputError(
            path, "is a symbolic link loop", hint="point the link at a file, or give the file"
        )
    if error.errno == errno.ENOTDIR:
        return InputError(
            path, "no such file (a part of the path is a file)", hint="check the path"
        )
    if error.errno == errno.EISDIR:
        return InputError(path, "is a folder, not a file", hint="name the files in it")
    return InputError(
        path, f"cannot be read ({error.strerror or error})", hint="check the file's permissions"
    )


def read_input(path: Path) -> bytes:
    """The bytes of the input file at `path`, checked first (`check_input`)."""
    check_input(path)
    try:
        return path.read_bytes()
    except OSError as error:
        raise _unreadable(path, error) from error


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
    raw = read_input(path)
    fmt = rdf_format(path)
    try:
        graph.parse(data=raw, format=fmt, publicID=path.resolve().as_uri())
    except Exception as error:  # rdflib's parsers raise many unrelated types; all mean bad input
        raise _input_error(path, fmt, raw, error) from error


def _input_error(path: Path, fmt: str, raw: bytes, error: Exception) -> InputError:
    line, column = _error_position(raw, error)
    hint = _FIX_HINT.get(fmt, "fix the file")
    if isinstance(error, UnicodeDecodeError):
        hint = "save the file as UTF-8 (it may be in Latin-1 or another encoding)"
    return InputError(path, _describe(error), line=line, column=column, hint=hint)


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
    check_input(path)
    fmt = rdf_format(path)
    try:
        store.bulk_load(
            path=str(path),
            format=OXIGRAPH_FORMATS[fmt],
            base_iri=path.resolve().as_uri(),
            to_graph=graph,
        )
    except MemoryError as error:
        raise _too_large(path, error) from error
    except (SyntaxError, ValueError, OSError) as error:
        raise _oxigraph_error(path, error) from error


def ntriples_of(path: Path) -> bytes:
    """The triples of the file at `path` as N-Triples; a located `InputError` when the file
    cannot be read or parsed."""
    check_input(path)
    fmt = rdf_format(path)
    try:
        quads = ox.parse(
            path=str(path), format=OXIGRAPH_FORMATS[fmt], base_iri=path.resolve().as_uri()
        )
        return cast(bytes, ox.serialize(quads, format=ox.RdfFormat.N_TRIPLES))
    except MemoryError as error:
        raise _too_large(path, error) from error
    except (SyntaxError, ValueError, OSError) as error:
        raise _oxigraph_error(path, error) from error


def _too_large(path: Path, error: MemoryError) -> InputError:
    # Oxigraph's parsers hold one token (an IRI, a name, a string) in a bounded buffer.
    if "buffer maximal size" in str(error):
        return InputError(
            path,
            "holds a single token (an IRI, a name or a string) longer than the parser's "
            "16 MiB limit",
            hint="check that it is the RDF file you meant; split or shorten that value",
        )
    return InputError(path, "is too large to parse in the memory there is", hint="split it")


def _oxigraph_error(path: Path, error: Exception) -> InputError:
    # rdflib's parser gives the message and position the rest of coopgraph gives.
    parse_into(Graph(), path)
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return InputError(path, message, hint="fix the file at that position")
