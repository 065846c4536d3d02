"""Remote triple stores: queries on any SPARQL 1.1 endpoint, uploads through the Graph Store
HTTP Protocol.

`RemoteEngine` is a `QueryEngine` like the embedded store, so the catalog, the reports and
the `query`/`sparql` commands run unchanged against Virtuoso, GraphDB, Fuseki, Oxigraph
server, QLever or Neptune. Queries are sent with the SPARQL 1.1 Protocol (POST, form-encoded);
parameter values are bound with a VALUES block written by `engine.with_values`, never pasted
into the text. Answers are read back as rdflib terms, so a remote table compares equal to the
embedded store's when the rows are the same.

Only the standard library talks HTTP here: no client library to install, nothing that a
proxy-less loopback test could not run.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from io import BytesIO
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.query import Result, ResultRow
from rdflib.term import Node

from coopgraph import __version__
from coopgraph.errors import CoopgraphError, QueryError
from coopgraph.query.engine import Bindings, QueryOutcome, syntax_error, with_values
from coopgraph.query.results import ResultTable, Row

DEFAULT_QUERY_TIMEOUT = 60.0
DEFAULT_PUSH_TIMEOUT = 300.0

RESULTS_JSON = "application/sparql-results+json"
RESULTS_XML = "application/sparql-results+xml"
# Every kind of answer in one Accept header: the endpoint picks what fits the query form.
QUERY_ACCEPT = (
    f"{RESULTS_JSON}, application/n-triples;q=0.9, text/turtle;q=0.8, {RESULTS_XML};q=0.5"
)
# rdflib parser names of the graph media types an endpoint may answer a CONSTRUCT with.
GRAPH_MEDIA_TYPES = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
USER_AGENT = f"coopgraph/{__version__}"
_MESSAGE_LIMIT = 300
_ABSOLUTE_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]+')


# --- Errors ------------------------------------------------------------------------------


class RemoteError(CoopgraphError):
    """A remote endpoint or store could not be used; `url` is the address that failed."""

    def __init__(self, url: str, message: str, hint: str | None = None) -> None:
        self.url = url
        super().__init__(message, hint)


class EndpointUnreachable(RemoteError):
    """Nothing answers at the address (refused, unknown host, network down)."""


class EndpointTimeout(RemoteError):
    """The endpoint did not answer in time."""


class EndpointHTTPError(RemoteError):
    """The endpoint answered with an HTTP error status."""

    def __init__(
        self, url: str, status: int, message: str, hint: str | None = None, detail: str = ""
    ) -> None:
        self.status = status
        self.detail = detail
        super().__init__(url, message, hint)


class EndpointAnswerError(RemoteError):
    """The endpoint answered 2xx, but with something that is not a SPARQL answer."""


# --- HTTP --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Response:
    status: int
    media_type: str
    body: bytes


def check_url(url: str, what: str) -> str:
    """`url` if it is an absolute http(s) URL; else an error naming the option."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CoopgraphError(
            f"{what} {url!r} is not an http:// or https:// URL",
            hint="give the full address, e.g. http://localhost:7878/query",
        )
    return url


def _send(
    method: str,
    url: str,
    body: bytes | None,
    headers: Mapping[str, str],
    timeout: float,
    role: str,
) -> _Response:
    """Send one request; every failure becomes a RemoteError naming `url`."""
    request = urllib.request.Request(
        url, data=body, method=method, headers={"User-Agent": USER_AGENT, **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return _Response(answer.status, _media_type(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            detail = _first_line(error.read())
        raise EndpointHTTPError(
            url,
            error.code,
            f"the {role} {url} answered {error.code} {error.reason}"
            + (f": {detail}" if detail else ""),
            _http_hint(error.code, role, error.headers),
            detail,
        ) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise _timeout(url, role, timeout) from None
        raise EndpointUnreachable(
            url,
            f"cannot reach the {role} {url}: {_reason(reason)}",
            "check the address and that the server is running and reachable",
        ) from None
    except TimeoutError:
        raise _timeout(url, role, timeout) from None
    except (OSError, ValueError) as error:  # a connection reset, a malformed URL, ...
        raise EndpointUnreachable(
            url,
            f"cannot talk to the {role} {url}: {_reason(error)}",
            "check the address and that the server speaks HTTP",
        ) from None


def _timeout(url: str, role: str, seconds: float) -> EndpointTimeout:
    return EndpointTimeout(
        url,
        f"the {role} {url} did not answer within {seconds:g} s",
        "try again later, or ask its administrator whether it is overloaded",
    )


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _media_type(headers: Message) -> str:
    return headers.get_content_type().lower() if headers.get("Content-Type") else ""


def _first_line(body: bytes) -> str:
    """The first non-empty line of an error body, shortened: enough to say what went wrong."""
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):  # an HTML error page: its text is not worth a line
        return ""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= _MESSAGE_LIMIT else line[: _MESSAGE_LIMIT - 1] + "…"


def _http_hint(status: int, role: str, headers: Message) -> str:
    if status in (401, 403):
        return f"the {role} needs credentials or refuses this request; ask its administrator"
    if status == 404:
        if role == "graph store":
            return "check the address (Oxigraph: /store, Fuseki: /DATASET/data)"
        return "check the address (Oxigraph: /query, Fuseki: /DATASET/sparql)"
    if status == 405:
        if role == "graph store":
            return "the store is read-only or this is not its Graph Store address"
        return "this address does not accept SPARQL POST requests; check it is the endpoint"
    if status in (301, 302, 307, 308) and headers.get("Location"):
        return f"use the address it points to: {headers.get('Location')}"
    if status == 413:
        return "the request is larger than the server accepts; raise its upload limit"
    if status >= 500:
        return "the server failed; try again later or look at its log"
    return "check the address and the request"


# --- Queries -----------------------------------------------------------------------------


class RemoteEngine:
    """The QueryEngine protocol on a SPARQL 1.1 endpoint.

    Graph parameters (`default-graph-uri`, `named-graph-uri`) may be given in the endpoint
    URL (`http://host/sparql?default-graph-uri=IRI`) or as arguments; they are sent with each
    query as the protocol says.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float = DEFAULT_QUERY_TIMEOUT,
    ) -> None:
        check_url(endpoint, "the endpoint")
        parts = urllib.parse.urlsplit(endpoint)
        kept: list[tuple[str, str]] = []
        defaults, named = list(default_graphs), list(named_graphs)
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
            if key == "default-graph-uri":
                defaults.append(value)
            elif key == "named-graph-uri":
                named.append(value)
            else:
                kept.append((key, value))
        self.endpoint = endpoint
        self.url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(kept)))
        self.default_graphs = tuple(defaults)
        self.named_graphs = tuple(named)
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"RemoteEngine({self.endpoint!r})"

    def select(
        self,
        query: str,
        bindings: Bindings | None = None,
        list_columns: frozenset[str] = frozenset(),
    ) -> ResultTable:
        outcome = self._ask(query, bindings, "query")
        if outcome.table is None:
            raise QueryError("query", "not a SELECT query", hint="use a SELECT query here")
        if list_columns:
            return ResultTable(outcome.table.variables, outcome.table.rows, list_columns)
        return outcome.table

    def run(
        self, query: str, bindings: Bindings | None = None, source: str = "query"
    ) -> QueryOutcome:
        return self._ask(query, bindings, source)

    def _ask(self, query: str, bindings: Bindings | None, source: str) -> QueryOutcome:
        text = with_values(query, bindings or {})
        form = [("query", text)]
        form += [("default-graph-uri", iri) for iri in self.default_graphs]
        form += [("named-graph-uri", iri) for iri in self.named_graphs]
        try:
            response = _send(
                "POST",
                self.url,
                urllib.parse.urlencode(form).encode("utf-8"),
                {
                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                    "Accept": QUERY_ACCEPT,
                },
                self.timeout,
                "SPARQL endpoint",
            )
        except EndpointHTTPError as error:
            if error.status == 400:
                raise self._refused(error, source, query) from None
            raise
        return parse_answer(response.body, response.media_type, self.url)

    def _refused(self, error: EndpointHTTPError, source: str, query: str) -> QueryError:
        """A 400: the endpoint's message, at the position in the user's text when it says."""
        detail = error.detail
        located = syntax_error(source, detail, query)
        if located.line is not None:
            return located
        return QueryError(
            source,
            f"the SPARQL endpoint {self.url} refused the query" + (f": {detail}" if detail else ""),
            hint="fix the query; some endpoints do not support every SPARQL 1.1 feature",
        )


def parse_answer(body: bytes, media_type: str, url: str = "the endpoint") -> QueryOutcome:
    """A SPARQL answer in JSON or XML results, or a graph in an RDF syntax, as an outcome."""
    try:
        if media_type in (RESULTS_JSON, "application/json"):
            return _from_json(json.loads(body))
        if media_type in (RESULTS_XML, "application/xml"):
            return _from_rdflib(Result.parse(BytesIO(body), format="xml"))
        if media_type in GRAPH_MEDIA_TYPES:
            graph = Graph()
            graph.parse(data=body, format=GRAPH_MEDIA_TYPES[media_type])
            return QueryOutcome(graph=graph)
    except (ValueError, KeyError, TypeError, SyntaxError) as error:
        raise EndpointAnswerError(
            url,
            f"the SPARQL endpoint {url} sent a {media_type} answer that cannot be read "
            f"({type(error).__name__}: {error})",
            "check that the address is a SPARQL endpoint",
        ) from None
    raise EndpointAnswerError(
        url,
        f"the SPARQL endpoint {url} answered in {media_type or 'an unnamed format'}, "
        "not in a SPARQL results or RDF format",
        "check that the address is a SPARQL endpoint and not a web page",
    )


def _from_json(document: Any) -> QueryOutcome:
    if "boolean" in document:
        return QueryOutcome(boolean=bool(document["boolean"]))
    variables = tuple(str(name) for name in document["head"].get("vars", []))
    rows: list[Row] = []
    for solution in document["results"]["bindings"]:
        rows.append(tuple(_json_term(solution.get(name)) for name in variables))
    return QueryOutcome(table=ResultTable(variables, tuple(rows)))


def _json_term(value: Any) -> Node | None:
    if value is None:
        return None
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        return plain_literal(text, value.get("xml:lang"), value.get("datatype"))
    raise ValueError(f"unknown term type {kind!r}")


def plain_literal(text: str, language: str | None, datatype: str | None) -> Literal:
    """A literal as the embedded engine gives it: xsd:string and rdf:langString left implicit."""
    if language:
        return Literal(text, lang=language)
    if datatype is None or datatype in (str(XSD.string), str(RDF.langString)):
        return Literal(text)
    return Literal(text, datatype=URIRef(datatype))


def _from_rdflib(result: Result) -> QueryOutcome:
    if result.type == "ASK":
        return QueryOutcome(boolean=bool(result.askAnswer))
    variables = tuple(str(v) for v in (result.vars or []))
    rows: list[Row] = []
    for solution in result:
        assert isinstance(solution, ResultRow)
        rows.append(tuple(_normal(term) for term in solution))
    return QueryOutcome(table=ResultTable(variables, tuple(rows)))


def _normal(term: Node | None) -> Node | None:
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else None
        return plain_literal(str(term), term.language, datatype)
    return term


# --- Uploads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PushSummary:
    """What an upload sent, and where."""

    store: str
    graph: str | None
    triples: int
    status: int

    @property
    def target(self) -> str:
        return f"graph <{self.graph}>" if self.graph else "the default graph"


def graph_store_url(store: str, graph: str | None) -> str:
    """The Graph Store Protocol address of `graph` (None: the default graph) at `store`."""
    check_url(store, "the graph store")
    parts = urllib.parse.urlsplit(store)
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    pairs = [(key, value) for key, value in pairs if key not in ("graph", "default")]
    if graph is None:
        query = "&".join(filter(None, (urllib.parse.urlencode(pairs), "default")))
    else:
        if not _ABSOLUTE_IRI.fullmatch(graph):
            raise CoopgraphError(
                f"the graph name {graph!r} is not an absolute IRI",
                hint="give an IRI such as https://example.org/graph/coopgraph",
            )
        query = urllib.parse.urlencode([*pairs, ("graph", graph)])
    return urllib.parse.urlunsplit(parts._replace(query=query))


def push_graph(
    store: str,
    graph: Graph,
    graph_iri: str | None = None,
    timeout: float = DEFAULT_PUSH_TIMEOUT,
) -> PushSummary:
    """Replace `graph_iri` (None: the default graph) at the Graph Store `store` with `graph`,
    sent as N-Triples in one PUT."""
    url = graph_store_url(store, graph_iri)
    body = graph.serialize(format="nt11", encoding="utf-8")
    response = _send(
        "PUT",
        url,
        body,
        {"Content-Type": "application/n-triples; charset=utf-8"},
        timeout,
        "graph store",
    )
    return PushSummary(store, graph_iri, len(graph), response.status)
