"""Shapes that SHACL does not allow are refused before anything runs, each with one line that
names the shape, its file and line, and what is wrong: `sh:minCount "abc"`, a negative count,
a pattern that is not a string, a term of the SHACL namespace that SHACL does not define
(`sh:minCont`), a SPARQL constraint whose query does not parse. (SHACL 1.0 §3.4 leaves the
behaviour of a validator on an ill-formed shapes graph open; a silently skipped shape is the
one answer coopgraph does not give.)"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from coopgraph.errors import ShapeError
from coopgraph.model.sources import SourceIndex
from coopgraph.validation import compiled as shacl
from coopgraph.validation.literals import problem_of

_COUNTS = (
    SH.minCount,
    SH.maxCount,
    SH.minLength,
    SH.maxLength,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
)
_BOOLEANS = (SH.uniqueLang, SH.closed, SH.deactivated, SH.qualifiedValueShapesDisjoint)
_STRINGS = (SH.pattern, SH.flags)
_IRIS = (SH.datatype, SH.severity)
_LISTS = (SH["in"], SH.languageIn, SH["and"], SH["or"], SH.xone, SH.ignoredProperties)
_RANGES = (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive)
_NODE_KINDS = (
    SH.IRI,
    SH.BlankNode,
    SH.Literal,
    SH.BlankNodeOrIRI,
    SH.BlankNodeOrLiteral,
    SH.IRIOrLiteral,
)
_INTEGER_TYPES = {
    XSD.integer,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.byte,
    XSD.unsignedInt,
    XSD.unsignedLong,
    XSD.unsignedShort,
    XSD.unsignedByte,
}
_KNOWN_SH = sorted(SH.__annotations__)


def check_shapes(graph: Graph, files: Sequence[Path]) -> None:
    """Raise `ShapeError` for the first malformed shape of `graph` (read from `files`)."""
    try:
        _check(graph)
    except shacl.MalformedShape as error:
        raise shape_error(error, graph, files) from error


def shape_error(error: shacl.MalformedShape, graph: Graph, files: Sequence[Path]) -> ShapeError:
    """`error` as the user reads it: the shape named, located in `files` where known."""
    location = SourceIndex.from_files(files).locate(error.shape, graph) if files else None
    if isinstance(error.shape, BNode):
        from coopgraph.model.sources import nearest_named_ancestor  # noqa: PLC0415

        owner = nearest_named_ancestor(graph, error.shape)
        name = f"[] of {_n3(graph, owner)}" if owner is not None else "[]"
    else:
        name = _n3(graph, error.shape)
    file = location.file if location else (files[0] if len(files) == 1 else None)
    return ShapeError(name, error.problem, path=file, line=location.line if location else None)


def _n3(graph: Graph, term: Node) -> str:
    if isinstance(term, URIRef | Literal):
        return term.n3(graph.namespace_manager)
    return str(term)


def _shapes(graph: Graph) -> list[Node]:
    s = shacl.Shapes(graph)
    found: dict[Node, None] = {}
    roots = [*s.top_level()]
    for kind in (SH.NodeShape, SH.PropertyShape):
        roots += list(graph.subjects(RDF.type, kind))
    roots += list(graph.subjects(SH.path, None))
    for root in roots:
        for node in s.reachable(root):
            found.setdefault(node, None)
    return list(found)


def _check(graph: Graph) -> None:
    s = shacl.Shapes(graph)
    for shape in _shapes(graph):
        for predicate, value in sorted(graph.predicate_objects(shape), key=str):
            if isinstance(predicate, URIRef):
                _check_parameter(graph, shape, predicate, value)
        for prop in graph.objects(shape, SH.property):
            if (prop, None, None) not in graph:
                raise shacl.MalformedShape(
                    shape,
                    f"sh:property {_n3(graph, prop)} names a shape that no shapes file defines "
                    "(load the file that does, or take the reference out)",
                )
        paths = list(graph.objects(shape, SH.path))
        if len(paths) > 1:
            raise shacl.MalformedShape(shape, "a property shape has one sh:path, not several")
        if paths:
            try:
                s.path(paths[0])
            except shacl.Unsupported as error:
                raise shacl.MalformedShape(
                    shape, f"sh:path is not a SHACL path ({error})"
                ) from error
        for constraint in graph.objects(shape, SH.sparql):
            _check_sparql(graph, s, shape, constraint, "its sh:sparql constraint")
        for target in graph.objects(shape, SH.target):
            _check_sparql(graph, s, shape, target, "its SPARQL target")


def _check_parameter(graph: Graph, shape: Node, predicate: URIRef, value: Node) -> None:
    name = _n3(graph, predicate)
    shown = _n3(graph, value) if not isinstance(value, BNode) else "a blank node"
    if str(predicate).startswith(str(SH)) and predicate not in SH:
        local = str(predicate)[len(str(SH)) :]
        close = difflib.get_close_matches(local, _KNOWN_SH, n=1)
        suggestion = f" (did you mean sh:{close[0]}?)" if close else ""
        raise shacl.MalformedShape(shape, f"{name} is not a SHACL term{suggestion}")
    if predicate in _COUNTS:
        if not (
            isinstance(value, Literal)
            and value.datatype in _INTEGER_TYPES
            and problem_of(value) is None
            and re.fullmatch(r"\+?[0-9]+", str(value))
        ):
            raise shacl.MalformedShape(shape, f"{name} {shown} is not a non-negative integer")
    elif predicate in _BOOLEANS:
        if not (isinstance(value, Literal) and value.datatype == XSD.boolean):
            raise shacl.MalformedShape(shape, f"{name} {shown} is not true or false")
    elif predicate in _STRINGS:
        if not (isinstance(value, Literal) and value.datatype in (None, XSD.string)):
            raise shacl.MalformedShape(shape, f"{name} {shown} is not a string")
        if value.language is not None:
            raise shacl.MalformedShape(shape, f"{name} {shown} is not a plain string")
    elif predicate in _IRIS or predicate == SH["class"]:
        if not isinstance(value, URIRef):
            raise shacl.MalformedShape(shape, f"{name} {shown} is not an IRI")
    elif predicate == SH.nodeKind:
        if value not in _NODE_KINDS:
            raise shacl.MalformedShape(
                shape, f"sh:nodeKind {shown} is not one of sh:IRI, sh:Literal, sh:BlankNode, ..."
            )
    elif predicate in _LISTS:
        if not _is_list(graph, value):
            raise shacl.MalformedShape(shape, f"{name} {shown} is not an RDF list")
    elif predicate in _RANGES and not isinstance(value, Literal):
        raise shacl.MalformedShape(shape, f"{name} {shown} is not a literal")


def _is_list(graph: Graph, node: Node) -> bool:
    seen: set[Node] = set()
    while node != RDF.nil:
        if node in seen or isinstance(node, Literal):
            return False
        seen.add(node)
        if len(list(graph.objects(node, RDF.first))) != 1:
            return False
        rests = list(graph.objects(node, RDF.rest))
        if len(rests) != 1:
            return False
        node = rests[0]
    return True


def _check_sparql(graph: Graph, s: shacl.Shapes, shape: Node, constraint: Node, what: str) -> None:
    """The query of a SPARQL-based constraint must parse (with the shapes' prefixes)."""
    for key in (SH.select, SH.ask):
        text = graph.value(constraint, key)
        if text is None:
            continue
        body = str(text).replace("$PATH", "<urn:coopgraph:path>")
        refused = _not_allowed(body)
        if refused is not None:
            raise shacl.MalformedShape(
                shape,
                f"the SPARQL query of {what} uses {refused}, which SHACL does not allow there "
                "(SHACL 1.0 §5.3.1, pre-binding of variables)",
            )
        try:
            ox.Store().query(s.prologue + body)
        except SyntaxError as error:
            problem = _syntax_problem(str(error), body, s.prologue)
            raise shacl.MalformedShape(
                shape, f"the SPARQL query of {what} does not parse: {problem}"
            ) from error


_PRE_BOUND = ("this", "shapesGraph", "currentShape", "value")
_KEYWORDS = re.compile(r"\b(MINUS|VALUES|SERVICE)\b", re.IGNORECASE)
_REBOUND = re.compile(r"\bAS\s+[?$](\w+)", re.IGNORECASE)
_SUBSELECT = re.compile(r"\{\s*SELECT\b((?:(?!\bWHERE\b|\{).)*)", re.IGNORECASE | re.DOTALL)


def _not_allowed(query: str) -> str | None:
    """What a SPARQL-based constraint's query uses that SHACL forbids, or None: MINUS,
    VALUES, SERVICE, `AS` binding a pre-bound variable, a sub-select that does not project
    $this."""
    text = shacl.without_strings(query)
    keyword = _KEYWORDS.search(text)
    if keyword is not None:
        return keyword.group(1).upper()
    for rebound in _REBOUND.finditer(text):
        if rebound.group(1) in _PRE_BOUND:
            return f"AS ${rebound.group(1)}"
    for projection in _SUBSELECT.finditer(text):
        if not re.search(r"[?$]this\b", projection.group(1)):
            return "a sub-select that does not select $this"
    return None


_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_PREFIXED = re.compile(r"(?<![\w$?])([A-Za-z][\w-]*|)(?=:)")
_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*|):", re.IGNORECASE)
_IRI_OR_STRING = re.compile(r"<[^>]*>|\"[^\"]*\"|'[^']*'")


def _syntax_problem(message: str, body: str, prologue: str) -> str:
    """Oxigraph's message, short: where in the query's own text, and an unknown prefix named
    (its list of expected characters is no help to a person)."""
    found = _POSITION.match(message)
    if found is None:
        return message.splitlines()[0][:200] if message else "a syntax error"
    line, column = int(found.group(1)) - prologue.count("\n"), int(found.group(2))
    lines = body.splitlines()
    where = f"line {line}, column {column} of the query"
    if "Prefix not found" in found.group(3) and 0 < line <= len(lines):
        declared = set(_DECLARED.findall(prologue + body))
        # The prefixed names of the line up to the error, outside IRIs and strings.
        text = _IRI_OR_STRING.sub(lambda m: " " * len(m.group(0)), lines[line - 1][:column])
        unknown = [m for m in _PREFIXED.finditer(text) if m.group(1) not in declared]
        if not unknown:
            return f"{where}: an unknown prefix (declare it with sh:prefixes and sh:declare)"
        where = f"line {line}, column {unknown[-1].start() + 1} of the query"
        return (
            f"{where}: unknown prefix `{unknown[-1].group(1)}:` "
            "(declare it with sh:prefixes and sh:declare)"
        )
    detail = found.group(3).splitlines()[0]
    return f"{where}: {detail[:120]}{'...' if len(detail) > 120 else ''}"
