"""Input files that are not what they should be: each an `InputError` naming the file and what
to do (`coopgraph.model.files.check_input`), by every way a file is read: rdflib, Oxigraph's
parser and store, and the digest of the input set."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from coopgraph.errors import InputError
from coopgraph.model.files import load_file, load_graph, ntriples_of, parse_into
from coopgraph.model.inputs import Inputs

TURTLE = b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n"

READERS: dict[str, Callable[[Path], object]] = {
    "rdflib": lambda path: parse_into(Graph(), path),
    "oxigraph parse": ntriples_of,
    "oxigraph store": lambda path: load_file(ox.Store(), path, ox.DefaultGraph()),
    "input digest": lambda path: Inputs((), (path,)).digest(),
}


def _loop(folder: Path) -> Path:
    path = folder / "loop.ttl"
    path.symlink_to(path)
    return path


def _pipe(folder: Path) -> Path:
    path = folder / "pipe.ttl"
    os.mkfifo(path)
    return path


def _folder(folder: Path) -> Path:
    path = folder / "folder.ttl"
    path.mkdir()
    return path


def _file(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


BAD_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("symlink loop", _loop, "is a symbolic link loop"),
    ("named pipe", _pipe, "is a named pipe, not a file"),
    ("folder", _folder, "is a folder, not a file"),
    ("missing", lambda folder: folder / "missing.ttl", "no such file"),
    ("binary", _file("data.ttl", bytes(range(256)) * 4), "is a binary file, not RDF text"),
    ("utf-16", _file("data.ttl", TURTLE.decode().encode("utf-16")), "is UTF-16 text"),
    ("bom turtle", _file("data.ttl", b"\xef\xbb\xbf" + TURTLE), "UTF-8 byte-order mark"),
    (
        "bom n-triples",
        _file("data.nt", b"\xef\xbb\xbf<http://e/a> <http://e/b> <http://e/c> .\n"),
        "which N-Triples does not allow",
    ),
    ("bom json-ld", _file("data.jsonld", b'\xef\xbb\xbf{"@id": "http://e/a"}'), "which JSON"),
    ("path through a file", lambda folder: folder / "missing.ttl" / "x.ttl", "no such file"),
]


@pytest.mark.parametrize("reader", READERS, ids=list(READERS))
@pytest.mark.parametrize(
    ("make", "message"),
    [(make, message) for _name, make, message in BAD_FILES],
    ids=[name for name, _make, _message in BAD_FILES],
)
def test_a_file_that_is_not_rdf_text_is_named(
    tmp_path: Path, reader: str, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as caught:
        READERS[reader](path)
    assert caught.value.path == path
    assert caught.value.hint


def test_a_token_longer_than_the_parser_holds_is_named(tmp_path: Path) -> None:
    path = tmp_path / "huge.ttl"
    path.write_bytes(b"x" * (17 * 1024 * 1024))
    for reader in ("oxigraph parse", "oxigraph store"):
        with pytest.raises(InputError, match="longer than the parser's 16 MiB limit"):
            READERS[reader](path)


def test_a_file_that_is_not_utf8_says_to_save_it_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.ttl"
    path.write_bytes('@prefix ex: <http://e/> .\nex:a ex:b "café" .\n'.encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8") as caught:
        load_graph([path])
    assert caught.value.line == 2
    assert "save the file as UTF-8" in str(caught.value)


def test_an_empty_file_is_a_file_of_no_triples(tmp_path: Path) -> None:
    path = tmp_path / "empty.ttl"
    path.write_bytes(b"")
    assert len(load_graph([path])) == 0
    assert ntriples_of(path) == b""


def test_rdf_xml_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "data.rdf"
    path.write_bytes(
        b'\xef\xbb\xbf<?xml version="1.0"?>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:ex="http://e/"><rdf:Description rdf:about="http://e/a"><ex:b>c</ex:b>'
        b"</rdf:Description></rdf:RDF>\n"
    )
    assert len(load_graph([path])) == 1
    assert ntriples_of(path).count(b"\n") == 1


def test_the_digest_of_a_large_file_is_read_in_blocks(tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    line = b"<http://e/a> <http://e/b> <http://e/c> .\n"
    path.write_bytes(line * 100_000)
    first = Inputs((), (path,)).parts()[0]
    assert first.digest == hashlib.sha256(line * 100_000).hexdigest()
