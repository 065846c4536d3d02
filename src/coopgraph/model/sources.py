"""Where in the source files each resource is defined, so messages can say `file:line`.

A plain text scan, not a parser: a Turtle or N-Triples statement whose subject starts at
column 0 — a prefixed name (expanded with the file's own prefix declarations) or a `<full IRI>`
— defines that subject at that line. The first occurrence wins. Lines inside triple-quoted
literals are skipped. Anything else (indented subjects, `[ ... ]` at top level, other formats)
is simply not located.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

_PREFIX_DECLARATION = re.compile(
    r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE
)
_IRI_SUBJECT = re.compile(r"^<([^>\s]+)>")
_PREFIXED_SUBJECT = re.compile(r"^([A-Za-z][\w.-]*)?:((?:[^\s;,\\]|\\.)*)")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_LONG_QUOTES = re.compile(r'"""|\'\'\'')
_SCANNED_SUFFIXES = {".ttl", ".nt"}


@dataclass(frozen=True)
class SourceLocation:
    """A 1-based line in a file."""

    file: Path
    line: int


@dataclass
class SourceIndex:
    """Maps each subject IRI to the file and line where it is first defined."""

    locations: dict[URIRef, SourceLocation] = field(default_factory=dict)

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> SourceIndex:
        """Scan the Turtle and N-Triples files among `paths` (others are skipped)."""
        index = cls()
        for path in paths:
            if path.suffix.lower() in _SCANNED_SUFFIXES:
                index.add_file(path)
        return index

    def add_file(self, path: Path) -> None:
        """Record the subjects defined in `path`, unless an earlier file defined them."""
        text = path.read_text(encoding="utf-8", errors="replace")
        for iri, line in _subjects_at_column_zero(text):
            self.locations.setdefault(iri, SourceLocation(path, line))

    def locate(self, node: Node, graph: Graph | None = None) -> SourceLocation | None:
        """Where `node` is defined; a blank node is located through its nearest named ancestor
        in `graph` (the subject that points to it, directly or through other blank nodes)."""
        if isinstance(node, BNode) and graph is not None:
            ancestor = nearest_named_ancestor(graph, node)
            return self.locations.get(ancestor) if ancestor is not None else None
        if isinstance(node, URIRef):
            return self.locations.get(node)
        return None


def nearest_named_ancestor(graph: Graph, node: BNode) -> URIRef | None:
    """The closest IRI subject from which `node` is reachable through blank nodes
    (breadth-first, ties broken by IRI order so the answer is stable)."""
    frontier: list[Node] = [node]
    seen: set[Node] = {node}
    while frontier:
        parents = sorted(
            {s for child in frontier for s in graph.subjects(None, child) if s not in seen},
            key=str,
        )
        named = [parent for parent in parents if isinstance(parent, URIRef)]
        if named:
            return named[0]
        frontier = [parent for parent in parents if isinstance(parent, BNode)]
        seen.update(frontier)
    return None


def _subjects_at_column_zero(text: str) -> Iterator[tuple[URIRef, int]]:
    prefixes: dict[str, str] = {}
    in_long_literal = False
    previous_token = ""
    for number, line in enumerate(text.splitlines(), start=1):
        starts_inside = in_long_literal
        # The cheap tests first: a data set of millions of lines is scanned whole.
        if ('"""' in line or "'''" in line) and len(_LONG_QUOTES.findall(line)) % 2 == 1:
            in_long_literal = not in_long_literal
        if starts_inside or not line:
            continue
        first = line.lstrip()[:1]
        if first and first in "@pP":  # a prefix declaration may be indented
            declaration = _PREFIX_DECLARATION.match(line)
            if declaration:
                prefixes[declaration.group(1) or ""] = declaration.group(2)
                previous_token = ""
                continue
        if line[0] in " \t#":
            continue
        # Statements about one subject often follow each other: the first one counts.
        token = line.split(None, 1)[0]
        if token == previous_token:
            continue
        previous_token = token
        iri = _subject_iri(line, prefixes)
        if iri is not None:
            yield iri, number


def _subject_iri(line: str, prefixes: dict[str, str]) -> URIRef | None:
    full = _IRI_SUBJECT.match(line)
    if full:
        return URIRef(full.group(1))
    prefixed = _PREFIXED_SUBJECT.match(line)
    if prefixed is None:
        return None
    namespace = prefixes.get(prefixed.group(1) or "")
    if namespace is None:
        return None
    local = _LOCAL_ESCAPE.sub(r"\1", prefixed.group(2)).rstrip(".")
    return URIRef(namespace + local)
