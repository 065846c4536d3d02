"""What a query worker does to the store: SPARQL queries and updates and the Graph Store
Protocol's reads and writes, each answered as the bytes of an HTTP response body.

Public API:
    Limits(max_rows, allow_service, union_default_graph, max_update_triples)
    QueryRequest, UpdateRequest, GraphRequest     one operation each (picklable values)
    Answer(status, media_type, body, headers)     a successful answer
    confine_worker(limits)                        THE HOOK: call once where a worker process
                                                  starts, before its first request (see below)
    perform(store, request, limits) -> Answer     run one operation (raises CoopgraphError)
    SELECT_TYPES, BOOLEAN_TYPES, GRAPH_TYPES      the media types offered, by result kind
    RDF_INPUT_TYPES                               what the Graph Store Protocol accepts
    NotAcceptableError (406), UnsupportedMediaTypeError (415), TooManyRowsError,
    GraphNotFoundError (404), RdfSyntaxError (400), UnconfinedError (503),
    UpdateTooLargeError (413): the errors an operation raises besides
    coopgraph.errors.QueryError and coopgraph.guard.RefusedError.
    data_triples(reading)                         the triples of an update's INSERT DATA /
                                                  DELETE DATA blocks, counted by parsing them

The size of an update (--max-update-triples): the triples of INSERT DATA and DELETE DATA are
counted by parsing them (as TriG, with the update's prologue) before the update runs, and a
Graph Store Protocol body is parsed before anything is written; both are refused before they
run. Any other update (INSERT/DELETE ... WHERE, ADD, COPY, MOVE, DROP, CLEAR) can only be
measured by running it: Oxigraph gives Python no transaction to look into, so the update runs
and the change in the number of quads of the store is compared with the cap. The worker runs
every write after taking an undo point of the store (coopgraph.web.workers), so an update
found too large is undone before anything is answered. The limit of that measure: an update
that deletes as many quads as it inserts changes the size by nothing and passes.

Everything here runs inside a worker process (see coopgraph.web.workers), so a query that
runs too long is stopped by ending that process. Results are serialised here, in the
worker, with the row cap applied while they are read: the server never holds a result it
will refuse. SELECT results are written by this module in the four W3C formats (so that
the cap is applied before anything is written); graphs by Oxigraph's serialisers.

Calling out: a client's query or update is read by coopgraph.query.guard, which refuses
SERVICE, LOAD and file: IRIs (unless --allow-service), and the engine runs the text that check
read. `confine_worker` is the second lock: it takes away the worker process's ability to open
network sockets at all (coopgraph.query.confinement). It fails closed: while a worker is not
confined, `perform` refuses every client query and update (the server's own trusted queries
still run), so a worker started without the hook, or on a system without seccomp, never runs a
client's text with its network open.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from coopgraph.errors import CoopgraphError, QueryError
from coopgraph.model.namespaces import ALL_PREFIXES
from coopgraph.query import confinement
from coopgraph.query.engine import called_out, dataset_arguments
from coopgraph.query.guard import check_query, check_update, with_using
from coopgraph.query.lexer import WORD, Token
from coopgraph.query.reading import SparqlText
from coopgraph.web.conneg import media_type_of, negotiate

SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"

SELECT_TYPES = (SRJ, SRX, CSV, TSV)
BOOLEAN_TYPES = (SRJ, SRX)
GRAPH_TYPES = (TURTLE, NTRIPLES, JSONLD, RDFXML)
RESULT_ALIASES = {"application/json": SRJ, "application/xml": SRX, "text/xml": SRX}
GRAPH_ALIASES = {
    "application/x-turtle": TURTLE,
    "text/n3": TURTLE,
    "text/plain": NTRIPLES,
    "application/json": JSONLD,
    "application/xml": RDFXML,
    "text/xml": RDFXML,
}
RDF_INPUT_TYPES = (TURTLE, NTRIPLES, JSONLD, RDFXML)
_RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    NTRIPLES: ox.RdfFormat.N_TRIPLES,
    JSONLD: ox.RdfFormat.JSON_LD,
    RDFXML: ox.RdfFormat.RDF_XML,
}
_PREFIXES = {prefix: str(namespace) for prefix, namespace in ALL_PREFIXES.items()}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
T = TypeVar("T")


class NotAcceptableError(CoopgraphError):
    """The client accepts none of the media types this result can be written in."""


class UnsupportedMediaTypeError(CoopgraphError):
    """The request body is in a media type the endpoint does not read."""


class TooManyRowsError(CoopgraphError):
    """The result has more rows (or triples) than the server's cap."""


class GraphNotFoundError(CoopgraphError):
    """The Graph Store Protocol names a graph that is not in the store."""


class UnconfinedError(CoopgraphError):
    """The worker could not be kept from calling out, so it runs no client's text (503)."""


class UpdateTooLargeError(CoopgraphError):
    """An update changes more triples than --max-update-triples (refused, or undone)."""


class RdfSyntaxError(CoopgraphError):
    """A request body is not valid RDF in its media type; `line`, `column` when known."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Limits:
    """The server's settings that an operation obeys."""

    max_rows: int | None = None
    allow_service: bool = False
    union_default_graph: bool = True
    max_update_triples: int | None = None


@dataclass(frozen=True)
class QueryRequest:
    """A SPARQL query. `default_graphs`/`named_graphs` are the protocol's dataset (None when
    not given); a `trusted` query comes from coopgraph itself (the catalog, resource pages)
    and skips the policy check and the row cap."""

    text: str
    accept: str | None = None
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    trusted: bool = False
    writes: bool = field(default=False, init=False)


@dataclass(frozen=True)
class UpdateRequest:
    """A SPARQL update with the protocol's using-graph-uri / using-named-graph-uri."""

    text: str
    base_iri: str | None = None
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    writes: bool = field(default=True, init=False)


@dataclass(frozen=True)
class GraphRequest:
    """A Graph Store Protocol operation on one graph (`graph` None: the default graph).

    `parts` are the (media type, bytes) of the request body, several for a multipart POST.
    """

    method: str
    graph: str | None
    parts: tuple[tuple[str, bytes], ...] = ()
    accept: str | None = None
    created: bool = False

    @property
    def writes(self) -> bool:
        return self.method in ("PUT", "POST", "DELETE")


Request = QueryRequest | UpdateRequest | GraphRequest


@dataclass(frozen=True)
class Answer:
    """A successful answer: the HTTP status, the body's media type, the body, extra headers."""

    status: int
    media_type: str | None
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class _Confinement:
    """Whether this process was confined, or why it could not be."""

    confined = False
    failure: confinement.ConfinementError | None = None


def confine_worker(limits: Limits) -> None:
    """Confine this worker process (no network socket can be opened from now on) unless the
    server allows SERVICE. Call it once, at the start of each worker process: never in the
    server's own process, which needs its sockets. A failure is kept, not raised: the
    worker then refuses every client query and update with its reason (HTTP 503)."""
    if limits.allow_service or _Confinement.confined:
        return
    try:
        confinement.deny_network()
    except confinement.ConfinementError as error:
        _Confinement.failure = error
    else:
        _Confinement.confined = True


def _require_confinement(limits: Limits) -> None:
    if limits.allow_service or _Confinement.confined:
        return
    failure = _Confinement.failure
    raise UnconfinedError(
        failure.message if failure else "this query worker was started without its confinement",
        hint=failure.hint
        if failure
        else "call coopgraph.web.operations.confine_worker where a worker starts",
    )


def perform(store: ox.Store, request: Request, limits: Limits) -> Answer:
    """Run one operation on `store`."""
    if isinstance(request, QueryRequest):
        return _query(store, request, limits)
    if isinstance(request, UpdateRequest):
        return _update(store, request, limits)
    return _graph(store, request, limits)


# --- Queries ------------------------------------------------------------------------------


def _query(store: ox.Store, request: QueryRequest, limits: Limits) -> Answer:
    if request.trusted:
        reading = check_query(request.text, allow_service=True)
    else:
        _require_confinement(limits)
        reading = check_query(request.text, limits.allow_service, request.base_iri)
    max_rows = None if request.trusted else limits.max_rows
    dataset = _dataset(request, reading, limits)
    try:
        result = store.query(reading.text, base_iri=request.base_iri, **dataset)  # type: ignore[arg-type]
        if isinstance(result, ox.QueryBoolean):
            media_type = _choose(request.accept, BOOLEAN_TYPES, RESULT_ALIASES, "an ASK result")
            fmt = ox.QueryResultsFormat.JSON if media_type == SRJ else ox.QueryResultsFormat.XML
            return Answer(200, media_type, result.serialize(format=fmt) or b"")
        if isinstance(result, ox.QuerySolutions):
            media_type = _choose(request.accept, SELECT_TYPES, RESULT_ALIASES, "a SELECT result")
            variables = [variable.value for variable in result.variables]
            cells = ([solution[name] for name in variables] for solution in result)
            rows = _capped(cells, max_rows)
            return Answer(200, media_type, write_solutions(variables, rows, media_type))
        media_type = _choose(request.accept, GRAPH_TYPES, GRAPH_ALIASES, "a graph result")
        triples = _capped(iter(result), max_rows)
        return Answer(200, media_type, _write_graph(triples, media_type))
    except SyntaxError as error:
        raise reading.syntax_error(str(error)) from error
    except OSError as error:  # SERVICE: refused by the confinement, or the service failed
        raise called_out("query", error, confined=_Confinement.confined) from error
    except ValueError as error:
        raise CoopgraphError(str(error), hint="check the IRIs of the query") from error


def _dataset(request: QueryRequest, reading: SparqlText, limits: Limits) -> dict[str, object]:
    """The dataset arguments of Oxigraph's query(): the protocol's default-graph-uri and
    named-graph-uri when given (they replace the query's own FROM / FROM NAMED, SPARQL 1.1
    Protocol 2.1.4), else the query's dataset clauses, else the union default graph."""
    if request.default_graphs is None and request.named_graphs is None:
        return dataset_arguments(reading, union=limits.union_default_graph)
    graphs: dict[str, list[ox.NamedNode]] = {"default-graph-uri": [], "named-graph-uri": []}
    for parameter, iris in (
        ("default-graph-uri", request.default_graphs or ()),
        ("named-graph-uri", request.named_graphs or ()),
    ):
        for iri in iris:
            try:
                graphs[parameter].append(ox.NamedNode(iri))
            except ValueError as error:
                raise QueryError(
                    parameter,
                    f"{parameter} {iri!r} is not an IRI ({error})",
                    hint="give the graph's absolute IRI, e.g. https://w3id.org/coopgraph/data",
                ) from error
    return {"default_graph": graphs["default-graph-uri"], "named_graphs": graphs["named-graph-uri"]}


def _choose(accept: str | None, offered: Sequence[str], aliases: dict[str, str], what: str) -> str:
    chosen = negotiate(accept, offered, aliases)
    if chosen is None:
        raise NotAcceptableError(
            f"cannot write {what} in any media type of Accept: {accept}",
            hint="accept one of " + ", ".join(offered),
        )
    return chosen


def _capped(items: Iterable[T], max_rows: int | None) -> list[T]:
    if max_rows is None:
        return list(items)
    kept = list(islice(items, max_rows + 1))
    if len(kept) > max_rows:
        raise TooManyRowsError(
            f"the result has more than {max_rows} rows, the most this server returns",
            hint=f"add LIMIT {max_rows} (with OFFSET to page) or make the query more selective",
        )
    return kept


def _write_graph(triples: Iterable[object], media_type: str) -> bytes:
    data = ox.serialize(triples, format=_RDF_FORMATS[media_type], prefixes=_PREFIXES)  # type: ignore[arg-type]
    return data or b""


# --- SELECT results in the W3C formats -------------------------------------------------------

Cell = object  # an Oxigraph term or None (unbound)


def write_solutions(
    variables: Sequence[str], rows: Sequence[Sequence[Cell]], media_type: str
) -> bytes:
    """SELECT results in SPARQL JSON, XML, CSV or TSV."""
    if media_type == SRJ:
        bindings = [
            {
                name: _json_term(term)
                for name, term in zip(variables, row, strict=True)
                if term is not None
            }
            for row in rows
        ]
        document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    if media_type == SRX:
        return _xml_solutions(variables, rows).encode("utf-8")
    if media_type == CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(term) for term in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines += ["\t".join("" if term is None else str(term) for term in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _json_term(term: Cell) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        encoded: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            encoded["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            encoded["datatype"] = term.datatype.value
        return encoded
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    return {"type": "literal", "value": str(term)}


def _xml_term(term: Cell) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    return f"<literal>{escape(str(term))}</literal>"


def _xml_solutions(variables: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
    ]
    parts += [f"<variable name={quoteattr(name)}/>" for name in variables]
    parts.append("</head>\n<results>\n")
    for row in rows:
        parts.append("<result>")
        parts += [
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
            for name, term in zip(variables, row, strict=True)
            if term is not None
        ]
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts)


def _csv_value(term: Cell) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


# --- Updates -------------------------------------------------------------------------------


def _update(store: ox.Store, request: UpdateRequest, limits: Limits) -> Answer:
    _require_confinement(limits)
    reading = check_update(request.text, limits.allow_service, request.base_iri)
    text = with_using(reading, request.using_graphs, request.using_named_graphs)
    if text != reading.original:
        reading = check_update(text, limits.allow_service, request.base_iri)
    cap = limits.max_update_triples
    if cap is not None:
        _refuse_larger(data_triples(reading, request.base_iri), cap, "its DATA blocks hold")
    before = len(store) if cap is not None else 0
    try:
        store.update(reading.text, base_iri=request.base_iri)
    except SyntaxError as error:
        raise reading.syntax_error(str(error)) from error
    except OSError as error:  # LOAD: refused by the confinement, or the fetch failed
        raise called_out("update", error, confined=_Confinement.confined) from error
    except ValueError as error:
        raise CoopgraphError(str(error), hint="check the IRIs of the update") from error
    if cap is not None:  # raised after the update ran: the worker undoes it
        _refuse_larger(abs(len(store) - before), cap, "it changed", undone=True)
    store.flush()
    return Answer(204, None, b"")


def _refuse_larger(triples: int, cap: int, what: str, undone: bool = False) -> None:
    if triples <= cap:
        return
    outcome = " (it was undone: the store is as it was)" if undone else ""
    raise UpdateTooLargeError(
        f"the update is larger than this server allows: {what} {triples} triples, "
        f"more than --max-update-triples {cap}{outcome}",
        hint="split it into smaller updates, or start the server with a larger "
        "--max-update-triples",
    )


def data_triples(reading: SparqlText, base_iri: str | None = None) -> int:
    """The triples of the INSERT DATA and DELETE DATA blocks of an update, counted by parsing
    each block (as TriG, the update's PREFIX and BASE declarations before it)."""
    tokens = reading.tokens
    prologue: list[str] = []
    count = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        word = token.text.upper() if token.kind == WORD else ""
        if word in ("PREFIX", "BASE"):
            end = index + (3 if word == "PREFIX" else 2)
            prologue.append(" ".join(t.text for t in tokens[index:end]))
            index = end
            continue
        if (
            word in ("INSERT", "DELETE")
            and index + 2 < len(tokens)
            and tokens[index + 1].text.upper() == "DATA"
            and tokens[index + 2].text == "{"
        ):
            close = _matching_brace(tokens, index + 2)
            block = _as_trig(reading.original, tokens[index + 3 : close])
            count += _count_trig("\n".join(prologue) + "\n" + block, base_iri)
            index = close + 1
            continue
        index += 1
    return count


def _matching_brace(tokens: Sequence[Token], opening: int) -> int:
    depth = 0
    for index in range(opening, len(tokens)):
        if tokens[index].text == "{":
            depth += 1
        elif tokens[index].text == "}":
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _as_trig(text: str, tokens: Sequence[Token]) -> str:
    """A DATA block's quads as TriG: the triples of the default graph in a `{ }` block of their
    own (so the last may end without a dot, as SPARQL allows), GRAPH blocks as they are."""
    parts: list[str] = []
    index = 0
    while index < len(tokens):
        if tokens[index].text.upper() == "GRAPH" and tokens[index].kind == WORD:
            close = _matching_brace(tokens, index + 2)
            parts.append(text[tokens[index].start : tokens[close].end])
            index = close + 1
            continue
        start = index
        while index < len(tokens) and not (
            tokens[index].kind == WORD and tokens[index].text.upper() == "GRAPH"
        ):
            index += 1
        segment = text[tokens[start].start : tokens[index - 1].end].strip().rstrip(".")
        if segment:
            parts.append("{ " + segment + " }")
    return "\n".join(parts)


def _count_trig(text: str, base_iri: str | None) -> int:
    try:
        return sum(1 for _ in ox.parse(text, format=ox.RdfFormat.TRIG, base_iri=base_iri))
    except (SyntaxError, ValueError):
        return 0  # not TriG after all: the update's own parse reports the error


# --- Graph Store Protocol ----------------------------------------------------------------


def _graph(store: ox.Store, request: GraphRequest, limits: Limits) -> Answer:
    target: ox.NamedNode | ox.DefaultGraph = (
        ox.DefaultGraph() if request.graph is None else ox.NamedNode(request.graph)
    )
    exists = isinstance(target, ox.DefaultGraph) or store.contains_named_graph(target)
    if request.method in ("GET", "HEAD"):
        if not exists:
            raise GraphNotFoundError(f"there is no graph <{request.graph}> in the store")
        media_type = _choose(request.accept, GRAPH_TYPES, GRAPH_ALIASES, "a graph")
        triples = _capped(
            (
                ox.Triple(quad.subject, quad.predicate, quad.object)
                for quad in store.quads_for_pattern(None, None, None, target)
            ),
            limits.max_rows,
        )
        body = b"" if request.method == "HEAD" else _write_graph(triples, media_type)
        return Answer(200, media_type, body)
    if request.method == "DELETE":
        if not exists:
            raise GraphNotFoundError(f"there is no graph <{request.graph}> in the store")
        if isinstance(target, ox.DefaultGraph):
            store.clear_graph(target)
        else:
            store.remove_graph(target)
        store.flush()
        return Answer(204, None, b"")
    quads = [
        ox.Quad(triple.subject, triple.predicate, triple.object, target)
        for media_type, body in request.parts
        for triple in _parse(media_type, body, request.graph)
    ]
    if limits.max_update_triples is not None:
        _refuse_larger(len(quads), limits.max_update_triples, "its body holds")
    if request.method == "PUT" and exists:
        store.clear_graph(target)
    if not isinstance(target, ox.DefaultGraph):
        store.add_graph(target)
    store.extend(quads)
    store.flush()
    headers: tuple[tuple[str, str], ...] = ()
    if request.created and request.graph is not None:
        headers = (("Location", request.graph),)
    return Answer(204 if exists else 201, None, b"", headers)


def _parse(media_type: str, body: bytes, base_iri: str | None) -> list[ox.Quad]:
    bare, charset = media_type_of(media_type)
    fmt = ox.RdfFormat.from_media_type(bare) if bare else None
    if fmt is None or bare not in (*RDF_INPUT_TYPES, *GRAPH_ALIASES):
        raise UnsupportedMediaTypeError(
            f"cannot read a graph in {media_type or 'a body without a Content-Type'}",
            hint="send one of " + ", ".join(RDF_INPUT_TYPES),
        )
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaTypeError(
            f"cannot read a body in charset {charset}", hint="send the body in UTF-8"
        )
    try:
        return list(
            ox.parse(
                body,
                format=fmt,
                base_iri=base_iri,
                without_named_graphs=True,
                rename_blank_nodes=True,
            )
        )
    except SyntaxError as error:
        raise RdfSyntaxError(
            f"the request body is not valid {fmt.name}: {error.msg}",
            hint="fix the RDF at that position",
            line=error.lineno,
            column=error.offset,
        ) from error
