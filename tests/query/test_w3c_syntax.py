"""coopgraph's reader against the W3C SPARQL 1.1 syntax tests (tests/standards/w3c-sparql11/
syntax-query, syntax-update-1, syntax-update-2, syntax-fed; copied unchanged from w3c/rdf-tests).

Oxigraph, which runs the queries, is the judge: every text that Oxigraph parses, the reader
reads too (no query refused that the engine would have run, but for a `\\u` escape outside a
string or an IRI, which the reader refuses on purpose), and the engine text the reader makes
of it parses as well. The tally is printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.errors import QueryError
from coopgraph.query.reading import read

from ..conftest import STANDARDS

FOLDERS = ("syntax-query", "syntax-update-1", "syntax-update-2", "syntax-fed")
FILES = sorted(
    path
    for folder in FOLDERS
    for path in (STANDARDS / "w3c-sparql11" / folder).iterdir()
    if path.suffix in (".rq", ".ru")
)
TALLY = {"parsed by Oxigraph": 0, "read alike": 0, "refused by Oxigraph": 0}


def _oxigraph_parses(text: str, update: bool, base: str) -> bool:
    try:
        if update:
            ox.Store().update(text, base_iri=base)
        else:
            ox.Store().query(text, base_iri=base)
    except SyntaxError:
        return False
    except (OSError, RuntimeError, ValueError):  # parsed; evaluating failed (SERVICE, ...)
        return True
    return True


@pytest.fixture(scope="module", autouse=True)
def tally() -> Iterator[None]:
    yield
    print(
        f"\nW3C SPARQL 1.1 syntax tests: {len(FILES)} texts, "
        + ", ".join(f"{count} {what}" for what, count in TALLY.items())
    )


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_what_oxigraph_parses_is_read_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    update = path.suffix == ".ru"
    base = f"http://example.org/{path.parent.name}/{path.name}"
    if not _oxigraph_parses(text, update, base):
        TALLY["refused by Oxigraph"] += 1
        return
    TALLY["parsed by Oxigraph"] += 1
    try:
        reading = read(text, path.name, "update" if update else "query")
    except QueryError as error:
        assert "outside a string or an IRI" in error.problem, error
        return
    assert _oxigraph_parses(reading.text, update, base), reading.text
    TALLY["read alike"] += 1


def test_the_suites_are_there() -> None:
    assert len(FILES) > 140
