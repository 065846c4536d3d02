"""Remote triple stores: queries on any SPARQL 1.1 endpoint, uploads through the Graph Store
HTTP Protocol.

`RemoteEngine` is a `QueryEngine` like the embedded store, so the catalog, the reports and
the `query`/`sparql` commands run unchanged against Virtuoso, GraphDB, Fuseki, Oxigraph
server, QLever or Neptune. Queries are sent with the SPARQL 1.1 Protocol (POST, form-encoded);
parameter values are bound with a VALUES block written by `engine.with_values`, never pasted
into the text. Answers are read back as rdflib terms, so a remote table compares equal to the
embedded store's when the rows are the same. A SELECT or ASK asks for SPARQL results; a CONSTRUCT
or DESCRIBE asks for an RDF graph (N-Triples, Turtle, RDF/XML, JSON-LD, by preference) and reads
whichever of them comes back.

Credentials (`Credentials`: a user and a password, HTTP basic or digest, as the server asks) are
given apart from the address, or written in it (`http://user:password@host/...`), in which case
they are taken out of it: no message, error or repr ever shows the password.

Only the standard library talks HTTP here: no client library to install, nothing that a
proxy-less loopback test could not run.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from io import BytesIO
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
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
# SELECT and ASK: SPARQL results only.
RESULTS_ACCEPT = f"{RESULTS_JSON}, {RESULTS_XML};q=0.9"
# CONSTRUCT and DESCRIBE: an RDF graph only (Virtuoso answers SPARQL JSON, an s p o table, to a
# CONSTRUCT when JSON is preferred; Comunica sends a body it cannot serialise).
GRAPH_ACCEPT = (
    "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.7"
)
# A query whose form cannot be told (the endpoint will say what is wrong with it).
ANY_ACCEPT = (
    f"{RESULTS_JSON}, {RESULTS_XML};q=0.9, application/n-triples;q=0.8, text/turtle;q=0.7, "
    "application/rdf+xml;q=0.6, application/ld+json;q=0.5"
)
# rdflib parser names of the graph media types an endpoint may answer a CONSTRUCT with.
GRAPH_MEDIA_TYPES = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "n3",
    "text/rdf+n3": "n3",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
# Dataset syntaxes (Comunica answers TriG when asked for RDF/XML): their triples are merged.
DATASET_MEDIA_TYPES = {
    "application/trig": "trig",
    "application/n-quads": "nquads",
}
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})
RESULT_FORMS = frozenset({"SELECT", "ASK"})
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


class EndpointAuthError(RemoteError):
    """The credentials could not be used: missing, refused, or asked for in a scheme that is
    neither basic nor digest."""


# --- Credentials -------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """A user name and a password for HTTP basic or digest authentication."""

    user: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password=<hidden>)"


def without_userinfo(url: str) -> str:
    """`url` with any `user:password@` taken out, for messages (works on malformed URLs)."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", r"\1", url.strip())


def split_credentials(url: str, what: str) -> tuple[str, Credentials | None]:
    """The address without the credentials written in it, and those credentials."""
    try:
        parts = urllib.parse.urlsplit(url)
        user, password = parts.username, parts.password
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise CoopgraphError(
            f"{what} {without_userinfo(url)!r} is not a valid URL",
            hint="give the full address, e.g. http://localhost:7878/query",
        ) from None
    if user is None and password is None:
        return url, None
    if password is None:
        raise CoopgraphError(
            f"{what} {without_userinfo(url)} names the user {urllib.parse.unquote(user or '')!r} "
            "but no password",
            hint="take the user out of the address and give --user NAME, with the password in "
            "COOPGRAPH_PASSWORD or at the prompt",
        )
    netloc = parts.netloc.rpartition("@")[2]
    clean = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    return clean, Credentials(
        urllib.parse.unquote(user or ""), urllib.parse.unquote(password or "")
    )


def _credentials_for(
    url: str, credentials: Credentials | None, what: str
) -> tuple[str, Credentials | None]:
    clean, in_url = split_credentials(url, what)
    if in_url is not None and credentials is not None:
        raise CoopgraphError(
            f"{what} {without_userinfo(url)} has a user written in it, and a user was given too",
            hint="give the user either in the address or with --user, not both",
        )
    return check_url(clean, what), credentials or in_url


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
            f"{what} {without_userinfo(url)!r} is not an http:// or https:// URL",
            hint="give the full address, e.g. http://localhost:7878/query",
        )
    return url


def _opener(url: str, credentials: Credentials | None) -> urllib.request.OpenerDirector:
    """An opener that answers a 401 challenge, basic or digest, with `credentials`; the
    password is sent only when the server asks for it, never before."""
    if credentials is None:
        return urllib.request.build_opener()
    passwords = _passwords(url, credentials)
    return urllib.request.build_opener(
        urllib.request.HTTPDigestAuthHandler(passwords),
        urllib.request.HTTPBasicAuthHandler(passwords),
    )


def _passwords(url: str, credentials: Credentials) -> urllib.request.HTTPPasswordMgr:
    parts = urllib.parse.urlsplit(url)
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(
        None, f"{parts.scheme}://{parts.netloc}/", credentials.user, credentials.password
    )
    return passwords


def _authorize_up_front(
    request: urllib.request.Request,
    credentials: Credentials | None,
    timeout: float,
    role: str,
) -> None:
    """Meet the server's challenge before an upload: HEAD requests on the same address draw
    the challenge and try the answer, and the upload carries a fresh one. Otherwise a store
    that answers 401 before reading the body (Virtuoso) breaks the pipe, and the body would
    go out twice."""
    url = request.full_url
    challenge = _challenge(urllib.request.Request(url, method="HEAD"), timeout)
    if challenge is None:
        return
    if credentials is None:
        raise _refused_credentials(url, role, None, "")
    scheme, _, parameters = challenge.strip().partition(" ")
    if scheme.lower() == "basic":
        token = base64.b64encode(f"{credentials.user}:{credentials.password}".encode()).decode()

        def answer(request: urllib.request.Request) -> str:
            return f"Basic {token}"

    elif scheme.lower() == "digest":
        digest = urllib.request.HTTPDigestAuthHandler(_passwords(url, credentials))
        fields = urllib.request.parse_keqv_list(
            list(filter(None, urllib.request.parse_http_list(parameters)))
        )

        def answer(request: urllib.request.Request) -> str:
            return f"Digest {digest.get_authorization(request, fields)}"

    else:
        return  # the handlers of the request itself will say that the scheme is not spoken
    trial = urllib.request.Request(url, method="HEAD")
    trial.add_unredirected_header("Authorization", answer(trial))
    if _challenge(trial, timeout) is not None:
        raise _refused_credentials(url, role, credentials, "")
    request.add_unredirected_header("Authorization", answer(request))


def _challenge(probe: urllib.request.Request, timeout: float) -> str | None:
    """The WWW-Authenticate header of a 401 answer to `probe`; None for any other answer."""
    probe.add_header("User-Agent", USER_AGENT)
    try:
        with urllib.request.build_opener().open(probe, timeout=timeout):
            return None
    except urllib.error.HTTPError as error:
        with error:
            return str(error.headers.get("WWW-Authenticate", "")) if error.code == 401 else None
    except (OSError, ValueError):
        return None  # the request itself will say what is wrong


def _send(
    method: str,
    url: str,
    body: bytes | None,
    headers: Mapping[str, str],
    timeout: float,
    role: str,
    credentials: Credentials | None = None,
) -> _Response:
    """Send one request; every failure becomes a RemoteError naming `url`."""
    request = urllib.request.Request(
        url, data=body, method=method, headers={"User-Agent": USER_AGENT, **headers}
    )
    if method == "PUT":
        _authorize_up_front(request, credentials, timeout, role)
    try:
        with _opener(url, credentials).open(request, timeout=timeout) as answer:
            return _Response(answer.status, _media_type(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        with error:
            detail = _first_line(error.read())
        if error.code == 401:
            raise _refused_credentials(url, role, credentials, detail) from None
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
        if isinstance(reason, (BrokenPipeError, ConnectionResetError)):
            raise _closed(url, role, reason) from None
        raise EndpointUnreachable(
            url,
            f"cannot reach the {role} {url}: {_reason(reason)}",
            "check the address and that the server is running and reachable",
        ) from None
    except TimeoutError:
        raise _timeout(url, role, timeout) from None
    except ValueError as error:
        if "does not support the following scheme" in str(error):  # urllib's auth handlers
            raise EndpointAuthError(
                url,
                f"the {role} {url} asks for an authentication scheme other than basic or digest",
                "coopgraph speaks HTTP basic and digest; ask the administrator for one of them",
            ) from None
        raise EndpointUnreachable(
            url,
            f"cannot talk to the {role} {url}: {_reason(error)}",
            "check the address and that the server speaks HTTP",
        ) from None
    except (BrokenPipeError, ConnectionResetError) as error:
        raise _closed(url, role, error) from None
    except OSError as error:  # a connection reset, ...
        raise EndpointUnreachable(
            url,
            f"cannot talk to the {role} {url}: {_reason(error)}",
            "check the address and that the server speaks HTTP",
        ) from None


def _refused_credentials(
    url: str, role: str, credentials: Credentials | None, detail: str
) -> EndpointAuthError:
    if credentials is None:
        return EndpointAuthError(
            url,
            f"the {role} {url} needs a user and a password (it answered 401)",
            "give --user NAME, and the password in COOPGRAPH_PASSWORD or at the prompt",
        )
    return EndpointAuthError(
        url,
        f"the {role} {url} refused the password of user {credentials.user!r} (401)"
        + (f": {detail}" if detail and credentials.password not in detail else ""),
        "check the user and the password (COOPGRAPH_PASSWORD), and that the user may do this",
    )


def _closed(url: str, role: str, error: OSError) -> EndpointUnreachable:
    return EndpointUnreachable(
        url,
        f"the {role} {url} closed the connection before taking the request ({_reason(error)})",
        "it may refuse it before reading it (credentials, an upload limit): look at its log",
    )


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


def _one_line(text: str) -> str:
    """`text` on one line, shortened: a parser's message can quote the input over lines."""
    line = " ".join(text.split())
    return line if len(line) <= _MESSAGE_LIMIT else line[: _MESSAGE_LIMIT - 1] + "…"


def _first_line(body: bytes) -> str:
    """The first non-empty line of an error body, shortened: enough to say what went wrong."""
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):  # an HTML error page: its text is not worth a line
        return ""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= _MESSAGE_LIMIT else line[: _MESSAGE_LIMIT - 1] + "…"


def _http_hint(status: int, role: str, headers: Message) -> str:
    if status == 403:
        return f"the {role} refuses this request (to this user); ask its administrator"
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
        credentials: Credentials | None = None,
    ) -> None:
        endpoint, self.credentials = _credentials_for(endpoint, credentials, "the endpoint")
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
        query_kind = query_form(text)
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
                    "Accept": _accept(query_kind),
                },
                self.timeout,
                "SPARQL endpoint",
                self.credentials,
            )
        except EndpointHTTPError as error:
            if error.status == 400:
                raise self._refused(error, source, query) from None
            raise
        return parse_answer(response.body, response.media_type, self.url, query_kind)

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


# A token of a query's prologue: blanks, a comment, an IRI, a word or prefix name, a character.
_PROLOGUE_TOKEN = re.compile(r"\s+|#[^\n]*|<[^<>\s]*>|[A-Za-z_][\w.-]*:?|.", re.DOTALL)


def query_form(text: str) -> str | None:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first keyword after the prologue (PREFIX and
    BASE declarations, comments); None when the text does not start like a query."""
    for match in _PROLOGUE_TOKEN.finditer(text):
        token = match.group()
        if token.isspace() or token[0] in "#<:" or token.endswith(":"):
            continue
        word = token.upper()
        if word in ("PREFIX", "BASE"):
            continue
        return word if word in GRAPH_FORMS | RESULT_FORMS else None
    return None


def _accept(form: str | None) -> str:
    if form in GRAPH_FORMS:
        return GRAPH_ACCEPT
    if form in RESULT_FORMS:
        return RESULTS_ACCEPT
    return ANY_ACCEPT


def parse_answer(
    body: bytes, media_type: str, url: str = "the endpoint", form: str | None = None
) -> QueryOutcome:
    """A SPARQL answer in JSON or XML results, or a graph in an RDF syntax, as an outcome;
    `form` (the query's, when known) says which of the two kinds the answer must be."""
    graph_answer = media_type in GRAPH_MEDIA_TYPES or media_type in DATASET_MEDIA_TYPES
    results_answer = media_type in (
        RESULTS_JSON,
        "application/json",
        RESULTS_XML,
        "application/xml",
    )
    if (form in GRAPH_FORMS and results_answer) or (form in RESULT_FORMS and graph_answer):
        wanted = "an RDF graph" if form in GRAPH_FORMS else "SPARQL results"
        raise EndpointAnswerError(
            url,
            f"the SPARQL endpoint {url} answered a {form} query in {media_type}, not as {wanted}",
            "the endpoint does not honour the Accept header; check that it is a SPARQL 1.1 "
            "endpoint",
        )
    try:
        if media_type in (RESULTS_JSON, "application/json"):
            return _from_json(json.loads(body))
        if media_type in (RESULTS_XML, "application/xml"):
            return _from_rdflib(Result.parse(BytesIO(body), format="xml"))
        if media_type in GRAPH_MEDIA_TYPES:
            syntax = GRAPH_MEDIA_TYPES[media_type]
            if syntax == "json-ld":
                _refuse_remote_contexts(json.loads(body))
            graph = Graph()
            graph.parse(data=body, format=syntax)
            return QueryOutcome(graph=graph)
        if media_type in DATASET_MEDIA_TYPES:
            dataset = Dataset()
            dataset.parse(data=body, format=DATASET_MEDIA_TYPES[media_type])
            graph = Graph()
            for subject, predicate, obj, _context in dataset.quads((None, None, None, None)):
                graph.add((subject, predicate, obj))
            return QueryOutcome(graph=graph)
    except (ValueError, KeyError, TypeError, SyntaxError, AttributeError) as error:
        raise EndpointAnswerError(
            url,
            f"the SPARQL endpoint {url} sent a {media_type} answer that cannot be read "
            f"({type(error).__name__}: {_one_line(str(error))})",
            "check that the address is a SPARQL endpoint",
        ) from None
    raise EndpointAnswerError(
        url,
        f"the SPARQL endpoint {url} answered in {media_type or 'an unnamed format'}, "
        "not in a SPARQL results or RDF format",
        "check that the address is a SPARQL endpoint and not a web page",
    )


def _refuse_remote_contexts(document: Any) -> None:
    """A JSON-LD answer whose @context names a document elsewhere: rdflib would fetch it, so
    an endpoint could make coopgraph call any address. Refused instead."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "@context":
                contexts = value if isinstance(value, list) else [value]
                if any(isinstance(context, str) for context in contexts):
                    raise ValueError("its @context refers to a document elsewhere, not fetched")
            _refuse_remote_contexts(value)
    elif isinstance(document, list):
        for item in document:
            _refuse_remote_contexts(item)


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
    credentials: Credentials | None = None,
) -> PushSummary:
    """Replace `graph_iri` (None: the default graph) at the Graph Store `store` with `graph`,
    sent as N-Triples in one PUT (twice when the store asks for credentials: urllib answers
    the challenge by sending the request again)."""
    store, credentials = _credentials_for(store, credentials, "the graph store")
    url = graph_store_url(store, graph_iri)
    body = graph.serialize(format="nt11", encoding="utf-8")
    response = _send(
        "PUT",
        url,
        body,
        {"Content-Type": "application/n-triples; charset=utf-8"},
        timeout,
        "graph store",
        credentials,
    )
    return PushSummary(store, graph_iri, len(graph), response.status)
