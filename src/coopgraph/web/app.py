"""`coopgraph serve`: the embedded store on HTTP, as one Starlette application.

Public API (for the CLI, the tests and the browser UI):
    ServeConfig              every option of `coopgraph serve`
    create_app(config)       the ASGI application (the store is opened by its lifespan)
    serve(config, ready)     take the port, open the store, call ready(config), then run the
                             application with uvicorn until interrupted
    listening_socket(host, port)  the bound socket, or a one-line error (a busy port...)
    host_allowed(name, config)    whether a Host header's name is this server
    ServerContext            what the running application holds, `request.app.state.coopgraph`:
                             config, pool (coopgraph.web.workers), engine (a QueryEngine on the
                             pool, for any core function), catalog, templates
    ui_routes()              the browser UI's static files (coopgraph.web.ui) at `/static/...`;
                             the pages for people are coopgraph.web.explorer's, routed first
    http_problem(error)      the one mapping from an exception to (HTTP status, error type)
    error_response(...)      the one JSON error shape

Routes:
    /sparql            SPARQL 1.1 Protocol: GET ?query=, POST form (query= / update=), POST
                       application/sparql-query and application/sparql-update; the protocol's
                       dataset parameters; results by content negotiation. GET without a
                       query: the W3C service description (Turtle by default). Updates
                       only with --update, else 403.
    /store, /store/... Graph Store HTTP Protocol (?default, ?graph=IRI, or the request URL
                       itself as the graph IRI); GET and HEAD always, PUT, POST and DELETE
                       only with --update (else 403); POST /store creates a graph (201 and
                       Location).
    /queries           the stored queries (HTML; /queries.json as JSON)
    /queries/NAME      a report: a form for its parameters, the result table, with
                       /queries/NAME.csv and /queries/NAME.json for the same parameters
    /network           the cooperation network picture (/network.svg, /network.png), drawn
                       once per state of the store
    /def, /def/..., /id/...
                       linked data (W3C "Cool URIs", 303 flavour): the path under the
                       server root names the IRI with the same path under
                       https://w3id.org/coopgraph/. The resource answers 303 See Other (Vary:
                       Accept) to a document chosen by content negotiation: NAME.html for a
                       browser, NAME.ttl, .jsonld, .nt or .rdf for RDF clients; an IRI the
                       store does not mention is a 404.

Errors: every error, of every route, is one JSON object (pinned by tests/test_server_errors.py):
    {"error": {"status": 400, "type": "bad-query", "message": "...", "hint": "..." | null,
               "line": 3 | null, "column": 2 | null}}
The one exception is a report page's parameter error, which the HTML form shows beside the
fields (status 400), since a person fixes it there.

Who may ask (_Gate, before any route; _check_write, before any write): the Host header must
name this server (loopback names, --host, --allowed-host; on a server listening on every
address also any IP address), else 403, so a page that rebinds its DNS name to 127.0.0.1 gets
nothing; an over-long URL is a 414. A write needs `Authorization: Bearer TOKEN` (compared with
hmac.compare_digest; without a token configured, none matches) and is refused (403) when it
comes from another site's page: an Origin, or for a form a Referer, other than the server's own
or an --allowed-origin. A client that goes away mid-body is not answered and not logged.

Every store operation runs in a worker process of coopgraph.web.workers, so --timeout really
stops a query; see that module for the design (undo points for writes, the memory cap, fair
shares per client address). The server never opens the cached store for
writing: it serves a private copy of it (made at start, removed at exit), so --update
changes only that copy, and a cache clean-up by another coopgraph process cannot pull the
store from under a running server.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import fcntl
import hmac
import importlib.util
import ipaddress
import json
import secrets
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import anyio
import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.term import Node
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coopgraph import __version__
from coopgraph.build.engine import Warn, open_engine
from coopgraph.errors import CoopgraphError, QueryError, UnknownNameError
from coopgraph.model.inputs import Inputs
from coopgraph.model.namespaces import DATA_GRAPH, ENTAILMENTS_GRAPH, ONTOLOGY_GRAPH, compact
from coopgraph.query.catalog import Catalog, load_catalog, run_stored_query
from coopgraph.query.export import RDF_FORMATS, serialize_graph
from coopgraph.query.guard import RefusedError, check_graph_iris
from coopgraph.query.results import ResultTable, render_delimited, render_json
from coopgraph.report import formatting
from coopgraph.web import explorer
from coopgraph.web.conneg import media_type_of, negotiate
from coopgraph.web.linked_data import (
    DOCUMENT_FORMATS,
    HTML_SUFFIX,
    describe,
    iri_for_path,
    path_for_iri,
    replacement,
    split_document,
)
from coopgraph.web.operations import (
    GRAPH_ALIASES,
    GRAPH_TYPES,
    JSONLD,
    NTRIPLES,
    RDFXML,
    TURTLE,
    Answer,
    GraphNotFoundError,
    GraphRequest,
    Limits,
    NotAcceptableError,
    QueryRequest,
    RdfSyntaxError,
    TooManyRowsError,
    UnconfinedError,
    UnsupportedMediaTypeError,
    UpdateRequest,
    UpdateTooLargeError,
)
from coopgraph.web.operations import Request as Operation
from coopgraph.web.workers import (
    CLIENT,
    OutOfMemoryError,
    OverloadedError,
    PooledEngine,
    PoolSettings,
    QueryTimeoutError,
    TooManyRequestsError,
    UndoPoint,
    WorkerCrashedError,
    WorkerPool,
)

T = TypeVar("T")

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
HTML = "text/html"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
_GRAPH_FORMAT_NAMES = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "jsonld", RDFXML: "xml"}
_DOCUMENT_SUFFIXES = {
    RDF_FORMATS[name].media_type: suffix for suffix, name in DOCUMENT_FORMATS.items()
}


@dataclass(frozen=True)
class ServeConfig:
    """The options of `coopgraph serve`."""

    host: str = "127.0.0.1"
    port: int = 8000
    update: bool = False
    timeout: float = 5.0
    max_rows: int = 10_000
    max_request_bytes: int = 1_048_576
    max_concurrent: int = 4
    max_queue: int = 64
    queue_wait: float = 30.0
    cors: tuple[str, ...] = ()
    allow_service: bool = False
    data: tuple[Path, ...] = ()
    cache_dir: Path | None = None
    # Who may write, and to which names the server answers (see _Gate and _check_write).
    token: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    # What a request may cost.
    max_update_triples: int | None = 100_000
    update_timeout: float = 60.0
    max_memory: int | None = 2 << 30
    max_per_client: int = 16
    max_url_bytes: int = 16_384
    # A store that outlives the server (None: a private copy, removed at exit).
    store_dir: Path | None = None


# --- Errors: one mapping, one shape ---------------------------------------------------------


class RequestTooLargeError(CoopgraphError):
    """The request body is larger than --max-request-bytes."""


class ResourceNotFoundError(CoopgraphError):
    """No route, stored query or resource by that name."""


class UnauthorizedError(CoopgraphError):
    """A write without the server's token (HTTP 401)."""


class ForbiddenHostError(CoopgraphError):
    """The Host header names another server (DNS rebinding): HTTP 403."""


class UrlTooLongError(CoopgraphError):
    """The request's URL is longer than the server reads (HTTP 414)."""


_PROBLEMS: tuple[tuple[type[Exception], int, str], ...] = (
    (QueryError, 400, "bad-query"),
    (RdfSyntaxError, 400, "bad-rdf"),
    (TooManyRowsError, 400, "too-many-rows"),
    (RefusedError, 403, "forbidden"),
    (GraphNotFoundError, 404, "not-found"),
    (ResourceNotFoundError, 404, "not-found"),
    (NotAcceptableError, 406, "not-acceptable"),
    (UnauthorizedError, 401, "unauthorized"),
    (ForbiddenHostError, 403, "forbidden-host"),
    (RequestTooLargeError, 413, "request-too-large"),
    (UpdateTooLargeError, 413, "update-too-large"),
    (UrlTooLongError, 414, "uri-too-long"),
    (UnsupportedMediaTypeError, 415, "unsupported-media-type"),
    (TooManyRequestsError, 429, "too-many-requests"),
    (WorkerCrashedError, 500, "internal"),
    (OverloadedError, 503, "overloaded"),
    (OutOfMemoryError, 503, "out-of-memory"),
    (UnconfinedError, 503, "unconfined"),
    (QueryTimeoutError, 504, "timeout"),
    (CoopgraphError, 400, "bad-request"),
)
_HTTP_TYPES = {404: "not-found", 405: "method-not-allowed", 400: "bad-request"}


def http_problem(error: Exception) -> tuple[int, str]:
    """The HTTP status and the error type for `error`: the only place that decides them."""
    if isinstance(error, HTTPException):
        return error.status_code, _HTTP_TYPES.get(error.status_code, "http-error")
    if isinstance(error, UnknownNameError) and error.kind == "stored query":
        return 404, "not-found"
    for kind, status, name in _PROBLEMS:
        if isinstance(error, kind):
            return status, name
    return 500, "internal"


def error_response(
    status: int,
    kind: str,
    message: str,
    hint: str | None = None,
    line: int | None = None,
    column: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The one JSON error shape."""
    body = {
        "error": {
            "status": status,
            "type": kind,
            "message": message,
            "hint": hint,
            "line": line,
            "column": column,
        }
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def _error_response(error: Exception) -> JSONResponse:
    status, kind = http_problem(error)
    headers: dict[str, str] = {}
    if isinstance(error, HTTPException):
        return error_response(status, kind, str(error.detail), headers=error.headers)
    if status in (429, 503):
        headers["Retry-After"] = "1"
    if isinstance(error, UnauthorizedError):
        headers["WWW-Authenticate"] = 'Bearer realm="coopgraph"'
    if isinstance(error, QueryError):
        return error_response(
            status, kind, error.problem, error.hint, error.line, error.column, headers
        )
    if isinstance(error, CoopgraphError):
        line, column = getattr(error, "line", None), getattr(error, "column", None)
        return error_response(status, kind, error.message, error.hint, line, column, headers)
    return error_response(
        status, kind, "the server failed to answer this request", "the server log has details"
    )


async def _handle_error(request: Request, error: Exception) -> Response:
    return explorer.for_people(request, _error_response(error))


async def _client_gone(_request: Request, _error: Exception) -> Response:
    """The client went away in the middle of its request body: nobody to answer, nothing to
    log (the answer is dropped by the server)."""
    return Response(status_code=400)


class _RequestSizeLimit:
    """Refuse a request whose body is larger than `max_bytes` (413), by its Content-Length
    or, when that is missing, while the body is read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _error(self) -> RequestTooLargeError:
        return RequestTooLargeError(
            f"the request body is larger than {self.max_bytes} bytes, the most this server reads",
            hint="send a smaller request",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await _error_response(self._error())(scope, receive, send)
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._error()
            return message

        await self.app(scope, limited, send)


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def host_name(header: str) -> str:
    """The name of a Host header, without its port (and the brackets of an IPv6 address)."""
    name = header.strip().lower()
    if name.startswith("["):
        return name[1:].split("]", 1)[0]
    return name.rsplit(":", 1)[0] if name.count(":") == 1 else name


def host_allowed(name: str, config: ServeConfig) -> bool:
    """Whether a Host header's `name` is this server: a loopback name (or a *.localhost, which
    browsers keep on loopback), the address it listens on, an --allowed-host, or, on a server
    listening on every address, any IP address (a DNS-rebinding page cannot make a browser
    send an IP address as Host: its Host is the attacker's domain name)."""
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    if name == config.host.lower() or name in {host.lower() for host in config.allowed_hosts}:
        return True
    if config.host in _WILDCARD_HOSTS:
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return False


class _Gate:
    """Before any route: refuse an over-long URL (414) and a Host header that does not name
    this server (DNS rebinding; 400 without one, 403 for another name), and note the client's
    address for the fair shares of the worker pool (coopgraph.web.workers.CLIENT)."""

    def __init__(self, app: ASGIApp, config: ServeConfig) -> None:
        self.app = app
        self.config = config

    def _refusal(self, scope: Scope) -> CoopgraphError | None:
        length = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b"")
        )
        if length > self.config.max_url_bytes:
            return UrlTooLongError(
                f"the URL is {length} bytes long, longer than the {self.config.max_url_bytes} "
                "this server reads",
                hint="send a long query with POST (Content-Type application/sparql-query)",
            )
        hosts = [value for name, value in scope["headers"] if name == b"host"]
        if len(hosts) != 1:
            return CoopgraphError(
                "the request has no Host header" if not hosts else "the request has two Hosts",
                hint="send one Host header naming this server",
            )
        name = host_name(hosts[0].decode("latin-1"))
        if not host_allowed(name, self.config):
            return ForbiddenHostError(
                f"this server does not answer to the name {name!r} (Host header)",
                hint=f"use its own address, or start it with --allowed-host {name} "
                "if that name is really this server",
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await _error_response(refusal)(scope, receive, send)
            return
        client = scope.get("client")
        token = CLIENT.set(str(client[0]) if client else "")
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT.reset(token)


def _check_write(request: Request, config: ServeConfig) -> None:
    """A write comes from whom it is meant for: not from another site's page (Origin, or for
    a form that a page could send, Referer), and with the server's token."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    allowed = {value.rstrip("/").lower() for value in config.allowed_origins}
    media_type, _ = media_type_of(request.headers.get("content-type"))
    sent_by_page = origin
    if sent_by_page is None and media_type in (FORM, "multipart/form-data", "text/plain"):
        referer = request.headers.get("referer")
        if referer:
            parts = urlsplit(referer)
            sent_by_page = f"{parts.scheme}://{parts.netloc}"
    if sent_by_page is not None:
        page = sent_by_page.rstrip("/").lower()
        if page != own and page not in allowed and "*" not in allowed:
            raise RefusedError(
                f"a write from the page of another site ({sent_by_page}) is refused",
                hint=f"start the server with --allowed-origin {sent_by_page} to allow writes "
                "from it",
            )
    if request.headers.get("sec-fetch-site") == "cross-site" and origin is None:
        raise RefusedError("a write from the page of another site is refused")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise UnauthorizedError(
            "this write carries no token; writes on this server need one",
            hint="send the header Authorization: Bearer TOKEN, with the token the server "
            "printed at start (or gave with --token or $COOPGRAPH_TOKEN)",
        )
    expected = config.token or ""
    if not expected or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise UnauthorizedError(
            "the token of this write is not this server's",
            hint="send the token the server printed at start (or gave with --token)",
        )


# --- The running server -------------------------------------------------------------------


@dataclass
class _Picture:
    generation: int
    svg: bytes
    png: bytes
    states: int
    instruments: int
    edges: int


@dataclass
class ServerContext:
    """What the application holds while it runs."""

    config: ServeConfig
    pool: WorkerPool
    catalog: Catalog
    workdir: Path
    engine: PooledEngine = field(init=False)
    templates: Environment = field(init=False)
    limiter: anyio.CapacityLimiter = field(init=False)
    _picture: _Picture | None = field(default=None, init=False)
    _picture_lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    store_lock: Any = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.engine = PooledEngine(self.pool)
        self.templates = Environment(
            loader=PackageLoader("coopgraph.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.limiter = anyio.CapacityLimiter(self.config.max_concurrent + self.config.max_queue)

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """Run a blocking core function (one that queries through `engine`) in a thread."""
        return await anyio.to_thread.run_sync(function, *args, limiter=self.limiter)

    async def perform(self, operation: Operation) -> Answer:
        return await self.call(self.pool.run, operation)

    def render(self, request: Request, template: str, **values: Any) -> str:
        root = request.scope.get("root_path", "")
        return self.templates.get_template(template).render(root=root, **values)

    async def picture(self) -> _Picture:
        """The network picture for the store as it is now, drawn at most once per state."""
        async with self._picture_lock:
            generation = self.pool.generation
            if self._picture is None or self._picture.generation != generation:
                self._picture = await self.call(self._draw, generation)
            return self._picture

    def _draw(self, generation: int) -> _Picture:
        # matplotlib is slow to import: only a server that draws the picture pays for it.
        from coopgraph.report.network import cooperation_network, draw_network  # noqa: PLC0415

        network = cooperation_network(self.engine)
        with tempfile.TemporaryDirectory(dir=self.workdir) as folder:
            svg, png = Path(folder) / "network.svg", Path(folder) / "network.png"
            draw_network(network, svg, png)
            return _Picture(
                generation,
                svg.read_bytes(),
                png.read_bytes(),
                len(network.nodes),
                len(network.instruments()),
                len(network.edges),
            )

    def close(self) -> None:
        self.pool.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.store_lock is not None:
            self.store_lock.close()


STORE_MARKER = "coopgraph-store.json"


def _start(config: ServeConfig, warn: Warn | None = None) -> ServerContext:
    """Open (or build) the cached store, copy it (or open the kept store of --store-dir),
    start the workers."""
    workdir = Path(tempfile.mkdtemp(prefix="coopgraph-serve-"))
    lock: Any = None
    try:
        if config.store_dir is not None:
            store, lock = _kept_store(config, warn)
        else:
            store = workdir / "store"
            shutil.copytree(_cached_store(config, warn), store)
        pool = WorkerPool(
            PoolSettings(
                store_path=store,
                size=config.max_concurrent,
                timeout=config.timeout,
                max_queue=config.max_queue,
                queue_wait=config.queue_wait,
                writable=config.update,
                limits=Limits(
                    config.max_rows,
                    config.allow_service,
                    union_default_graph=True,
                    max_update_triples=config.max_update_triples,
                ),
                update_timeout=config.update_timeout,
                max_memory=config.max_memory,
                max_per_client=config.max_per_client,
            )
        )
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        if lock is not None:
            lock.close()
        raise
    context = ServerContext(config, pool, load_catalog(), workdir)
    context.store_lock = lock
    return context


def _cached_store(config: ServeConfig, warn: Warn | None = None) -> Path:
    inputs = Inputs.with_data(list(config.data)) if config.data else Inputs.bundled()
    engine = open_engine(inputs, config.cache_dir, warn=warn)
    assert engine.info is not None
    cached = engine.info.location / "store"
    del engine  # closes the cached store: from here on only the workers open the copy
    return cached


def _kept_store(config: ServeConfig, warn: Warn | None = None) -> tuple[Path, Any]:
    """The store of --store-dir: opened again if coopgraph made it, made from the data if the
    folder is new or empty, refused if it holds anything else; locked for this server."""
    folder = config.store_dir
    assert folder is not None
    store = folder / "store"
    if folder.exists() and not folder.is_dir():
        raise CoopgraphError(
            f"--store-dir {folder} is a file, not a folder", hint="give a folder for the store"
        )
    marker = folder / STORE_MARKER
    if folder.is_dir() and not marker.is_file():
        present = sorted(entry.name for entry in folder.iterdir())
        if present:
            shown = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
            raise CoopgraphError(
                f"--store-dir {folder} holds files that are not a coopgraph store ({shown})",
                hint="give a new or empty folder, or the folder of an earlier --store-dir",
            )
    folder.mkdir(parents=True, exist_ok=True)
    lock = (folder / ".lock").open("a+")
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise CoopgraphError(
            f"the store in {folder} is in use by another coopgraph serve",
            hint="stop that server, or give another --store-dir",
        ) from None
    if not marker.is_file():
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(_cached_store(config, warn), store)
        marker.write_text(
            json.dumps({"coopgraph": __version__, "store": "store"}) + "\n", encoding="utf-8"
        )
    else:
        UndoPoint(store).restore()  # a write that a killed server left half done
    return store, lock


def _context(request: Request) -> ServerContext:
    context = request.app.state.coopgraph
    assert isinstance(context, ServerContext)
    return context


# --- SPARQL 1.1 Protocol ----------------------------------------------------------------------


async def sparql_endpoint(request: Request) -> Response:
    context = _context(request)
    params = list(request.query_params.multi_items())
    queries: list[str] = []
    updates: list[str] = []
    if request.method == "POST":
        media_type, charset = media_type_of(request.headers.get("content-type"))
        body = await request.body()
        if media_type == FORM:
            params += _form_fields(body, charset)
        elif media_type == SPARQL_QUERY:
            queries.append(_utf8(body, charset))
        elif media_type == SPARQL_UPDATE:
            updates.append(_utf8(body, charset))
        else:
            raise UnsupportedMediaTypeError(
                f"a SPARQL request cannot be sent as {media_type or 'a body without Content-Type'}",
                hint=f"POST with Content-Type {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}",
            )
    queries += [value for name, value in params if name == "query"]
    updates += [value for name, value in params if name == "update"]
    if queries and updates:
        raise CoopgraphError("a request holds either a query or an update, not both")
    if updates:
        return await _update(request, context, updates, params)
    if len(queries) > 1:
        raise CoopgraphError(
            f"the request holds {len(queries)} queries", hint="send one query per request"
        )
    if not queries:
        if request.method == "POST":
            raise CoopgraphError("the request holds no query", hint="send query=... or update=...")
        return _service_description(request, context)
    defaults = [value for name, value in params if name == "default-graph-uri"]
    named = [value for name, value in params if name == "named-graph-uri"]
    check_graph_iris([*defaults, *named], context.config.allow_service)
    dataset_given = bool(defaults or named)
    operation = QueryRequest(
        queries[0],
        accept=request.headers.get("accept"),
        base_iri=str(request.url_for("sparql")),
        default_graphs=tuple(defaults) if dataset_given else None,
        named_graphs=tuple(named) if dataset_given else None,
    )
    return _answer(await context.perform(operation))


async def _update(
    request: Request, context: ServerContext, updates: Sequence[str], params: list[tuple[str, str]]
) -> Response:
    if not context.config.update:
        raise RefusedError(
            "SPARQL Update is not enabled on this endpoint",
            hint="this endpoint is read-only; start the server with --update to allow updates",
        )
    if request.method != "POST":
        raise CoopgraphError("an update must be sent with POST", hint="POST the update")
    _check_write(request, context.config)
    if len(updates) > 1:
        raise CoopgraphError(
            f"the request holds {len(updates)} updates",
            hint="send one update (operations separated by ;) per request",
        )
    using = [value for name, value in params if name == "using-graph-uri"]
    using_named = [value for name, value in params if name == "using-named-graph-uri"]
    check_graph_iris([*using, *using_named], context.config.allow_service)
    operation = UpdateRequest(
        updates[0],
        base_iri=str(request.url_for("sparql")),
        using_graphs=tuple(using),
        using_named_graphs=tuple(using_named),
    )
    return _answer(await context.perform(operation))


def _utf8(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaTypeError(
            f"the request body is in charset {charset}", hint="send the body in UTF-8"
        )
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CoopgraphError(
            f"the request body is not UTF-8 (byte {error.start})", hint="send it in UTF-8"
        ) from error


def _form_fields(body: bytes, charset: str | None) -> list[tuple[str, str]]:
    text = _utf8(body, charset)
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise CoopgraphError(
            "a form field is not percent-encoded UTF-8", hint="encode the fields in UTF-8"
        ) from error


def _answer(answer: Answer) -> Response:
    headers = dict(answer.headers)
    headers["Vary"] = "Accept"
    if answer.media_type is None:
        return Response(status_code=answer.status, headers=headers)
    return Response(answer.body, answer.status, headers, _with_charset(answer.media_type))


def _with_charset(media_type: str) -> str:
    if media_type.startswith("text/"):
        return f"{media_type}; charset=utf-8"
    return media_type


def service_description(endpoint: str, config: ServeConfig) -> Graph:
    """The W3C SPARQL 1.1 Service Description of this endpoint."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, DCTERMS.title, Literal(f"coopgraph {__version__} SPARQL endpoint")))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if config.update:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if config.allow_service:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for fmt in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        graph.add((service, SD.resultFormat, FORMATS[fmt]))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode()
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    for name in (ONTOLOGY_GRAPH, DATA_GRAPH, ENTAILMENTS_GRAPH):
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, name))
    return graph


def _service_description(request: Request, context: ServerContext) -> Response:
    media_type = negotiate(request.headers.get("accept"), GRAPH_TYPES, GRAPH_ALIASES)
    if media_type is None:
        raise NotAcceptableError(
            "cannot write the service description in any media type the request accepts",
            hint="accept one of " + ", ".join(GRAPH_TYPES),
        )
    graph = service_description(str(request.url_for("sparql")), context.config)
    body = serialize_graph(graph, _GRAPH_FORMAT_NAMES[media_type])
    return Response(body, 200, {"Vary": "Accept"}, _with_charset(media_type))


# --- Graph Store HTTP Protocol ---------------------------------------------------------------


async def graph_store(request: Request) -> Response:
    context = _context(request)
    method = request.method
    graph, created = _target_graph(request)
    parts: tuple[tuple[str, bytes], ...] = ()
    if method in ("PUT", "POST", "DELETE"):
        if not context.config.update:
            raise RefusedError(
                "the graph store is read-only on this server",
                hint="start the server with --update to change graphs",
            )
        _check_write(request, context.config)
        if method != "DELETE":
            parts = _body_parts(request.headers.get("content-type", ""), await request.body())
    operation = GraphRequest(method, graph, parts, request.headers.get("accept"), created)
    return _answer(await context.perform(operation))


def _target_graph(request: Request) -> tuple[str | None, bool]:
    """The graph a Graph Store Protocol request names (None: the default graph), and whether
    the server named it (a POST to the store itself creates a graph)."""
    params = request.query_params
    graphs = params.getlist("graph")
    default = "default" in params
    direct = request.path_params.get("path")
    if sum((bool(graphs), default, bool(direct))) > 1 or len(graphs) > 1:
        raise CoopgraphError(
            "name one graph: ?default, ?graph=IRI, or the graph's own URL under /store/"
        )
    if default:
        return None, False
    if direct:
        return _graph_iri(str(request.url.replace(query=""))), False
    if graphs:
        return _graph_iri(graphs[0]), False
    if request.method == "POST":
        return str(request.url_for("graph_store_direct", path=uuid.uuid4().hex)), True
    raise CoopgraphError(
        "the request names no graph", hint="add ?default or ?graph=IRI to the store's URL"
    )


def _graph_iri(iri: str) -> str:
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise CoopgraphError(
            f"{iri!r} is not an IRI: {error}", hint="give an absolute IRI"
        ) from error
    return iri


def _body_parts(content_type: str, body: bytes) -> tuple[tuple[str, bytes], ...]:
    media_type, _ = media_type_of(content_type)
    if media_type != "multipart/form-data":
        return ((content_type, body),)
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise CoopgraphError("the multipart/form-data body has no parts")
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            raise CoopgraphError("a part of the multipart/form-data body is not a file")
        parts.append((str(part.get("Content-Type", "")), payload))
    return tuple(parts)


# --- Reports ------------------------------------------------------------------------------------


def _term_renderer(
    root: str, labels: Mapping[Node, str] | None = None, plain: bool = False
) -> Callable[[Node | None], Markup]:
    """A function writing a term as escaped HTML: IRIs of the namespace link to their local
    page, other http(s) IRIs to themselves; literals show their language or datatype unless
    `plain` (report tables, read by people)."""
    names = labels or {}

    def render(term: Node | None) -> Markup:
        if term is None:
            return Markup("")
        if isinstance(term, URIRef):
            text = names.get(term) or compact(term)
            local = path_for_iri(str(term))
            if local is not None:
                href = root + local
            elif str(term).startswith(("http://", "https://")):
                href = str(term)
            else:
                return Markup('<span class="iri">{}</span>').format(str(term))
            return Markup('<a href="{}" title="{}">{}</a>').format(href, str(term), text)
        if isinstance(term, Literal):
            shown = Markup("{}").format(str(term))
            if plain:
                return shown
            if term.language:
                shown += Markup(' <span class="lang">@{}</span>').format(term.language)
            elif term.datatype is not None and term.datatype != XSD.string:
                shown += Markup(' <span class="datatype">{}</span>').format(compact(term.datatype))
            return shown
        return Markup('<span class="muted">_:{}</span>').format(str(term))

    return render


async def queries_index(request: Request) -> Response:
    context = _context(request)
    wanted = negotiate(request.headers.get("accept"), [HTML, "application/json"])
    if request.url.path.endswith(".json") or wanted == "application/json":
        return JSONResponse([formatting.query_as_dict(query) for query in context.catalog])
    queries = list(context.catalog)
    return HTMLResponse(context.render(request, "queries.html", queries=queries))


async def query_page(request: Request) -> Response:
    context = _context(request)
    name = request.path_params["name"]
    suffix = next((s for s in (".csv", ".json") if name.endswith(s)), None)
    if suffix:
        name = name[: -len(suffix)]
    stored = context.catalog.get(name)
    arguments = {key: value for key, value in request.query_params.items() if value.strip()}
    if suffix == ".csv":
        table = await context.call(run_stored_query, stored, arguments, context.engine)
        return Response(render_delimited(table, ","), media_type="text/csv; charset=utf-8")
    if suffix == ".json":
        table = await context.call(run_stored_query, stored, arguments, context.engine)
        return Response(render_json(table), media_type="application/json")
    missing = [p.name for p in stored.parameters if p.required and p.name not in arguments]
    result: ResultTable | None = None
    error: CoopgraphError | None = None
    status = 200
    if not missing:
        try:
            result = await context.call(run_stored_query, stored, arguments, context.engine)
        except CoopgraphError as problem:
            status, _ = http_problem(problem)
            if status != 400:
                raise
            error = problem
    root = request.scope.get("root_path", "")
    query_string = urlencode(arguments)
    links = f"?{query_string}" if query_string else ""
    page = context.render(
        request,
        "query.html",
        query=stored,
        arguments=arguments,
        table=result,
        error=error,
        term=_term_renderer(root, plain=True),
        csv_href=f"{root}/queries/{stored.name}.csv{links}",
        json_href=f"{root}/queries/{stored.name}.json{links}",
    )
    return HTMLResponse(page, status_code=status)


async def network_page(request: Request) -> Response:
    context = _context(request)
    picture = await context.picture()
    suffix = request.url.path.rsplit("/", 1)[-1]
    if suffix == "network.svg":
        return Response(picture.svg, media_type="image/svg+xml")
    if suffix == "network.png":
        return Response(picture.png, media_type="image/png")
    page = context.render(
        request,
        "network.html",
        states=picture.states,
        instruments=picture.instruments,
        edges=picture.edges,
    )
    return HTMLResponse(page)


# --- Linked data ----------------------------------------------------------------------------


async def resource(request: Request) -> Response:
    context = _context(request)
    path = request.url.path[len(request.scope.get("root_path", "")) :]
    resource_path, suffix = split_document(path)
    iri = iri_for_path(resource_path)
    root = request.scope.get("root_path", "")
    current = await context.call(replacement, context.engine, iri)
    current_path = path_for_iri(current) if current is not None else None
    if current_path is not None:
        return RedirectResponse(f"{root}{current_path}{suffix or ''}", status_code=301)
    description = await context.call(describe, context.engine, iri)
    if description is None:
        raise ResourceNotFoundError(
            f"nothing is known about <{iri}>", hint="see /queries or /def for what there is"
        )
    if suffix is None:
        offered = [HTML, *_DOCUMENT_SUFFIXES]
        wanted = negotiate(request.headers.get("accept"), offered, GRAPH_ALIASES)
        if wanted is None:
            raise NotAcceptableError(
                f"cannot describe <{iri}> in any media type the request accepts",
                hint="accept one of " + ", ".join(offered),
            )
        document = _DOCUMENT_SUFFIXES.get(wanted, HTML_SUFFIX)
        return RedirectResponse(
            f"{root}{resource_path}{document}", status_code=303, headers={"Vary": "Accept"}
        )
    if suffix == HTML_SUFFIX:
        alternates = [(s, RDF_FORMATS[name].media_type) for s, name in DOCUMENT_FORMATS.items()]
        page = context.render(
            request,
            "resource.html",
            d=description,
            alternates=alternates,
            doc_base=root + resource_path,
            term=_term_renderer(root, description.labels),
        )
        return HTMLResponse(page)
    fmt = RDF_FORMATS[DOCUMENT_FORMATS[suffix]]
    body = serialize_graph(description.graph(), fmt.name)
    return Response(body, media_type=_with_charset(fmt.media_type))


# --- The application ---------------------------------------------------------------------------


def ui_routes() -> list[BaseRoute]:
    """The static files of the browser UI (coopgraph.web.ui: YASGUI and its assets) at
    `/static/...`; the editor page itself is the explorer's `/sparql` for browsers."""
    if importlib.util.find_spec("coopgraph.web.ui") is None:
        return []
    from coopgraph.web import ui  # noqa: PLC0415

    async def static(request: Request) -> Response:
        found = ui.static_file(request.path_params["path"])
        if found is None:
            raise ResourceNotFoundError(f"no static file {request.path_params['path']!r}")
        path, media_type = found
        return FileResponse(path, media_type=media_type)

    return [Route("/static/{path:path}", static, name="static")]


def create_app(config: ServeConfig, started: ServerContext | None = None) -> Starlette:
    """The application; the store is opened and the workers started by its lifespan (or
    before, by `serve`, which gives them as `started`, so that a start-up error is one line).

    With --update and no token, a token nobody knows is made: writes then fail closed."""
    if config.update and not config.token:
        config = dataclasses.replace(config, token=secrets.token_urlsafe(32))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        context = started if started is not None else await anyio.to_thread.run_sync(_start, config)
        app.state.coopgraph = context
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(context.close)

    store_methods = ["GET", "HEAD", "PUT", "POST", "DELETE"]
    routes: list[BaseRoute] = [
        *explorer.explorer_routes(_context),
        *ui_routes(),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"], name="sparql"),
        Route("/store", graph_store, methods=store_methods, name="graph_store"),
        Route("/store/{path:path}", graph_store, methods=store_methods, name="graph_store_direct"),
        Route("/queries", queries_index, name="queries"),
        Route("/queries.json", queries_index, name="queries_json"),
        Route("/queries/{name}", query_page, name="query"),
        Route("/network", network_page, name="network"),
        Route("/network.svg", network_page, name="network_svg"),
        Route("/network.png", network_page, name="network_png"),
        Route("/def", resource, name="ontology"),
        Route("/def.{suffix}", resource, name="ontology_document"),
        Route("/def/{path:path}", resource, name="definition"),
        Route("/id/{path:path}", resource, name="resource"),
    ]
    middleware = [Middleware(_RequestSizeLimit, max_bytes=config.max_request_bytes)]
    if config.cors or config.allowed_origins:
        middleware.insert(
            0,
            Middleware(
                CORSMiddleware,
                allow_origins=[*config.cors, *config.allowed_origins],
                allow_methods=store_methods,
                allow_headers=["Accept", "Content-Type", "Authorization"],
                expose_headers=["Location", "Content-Type"],
            ),
        )
    middleware.insert(0, Middleware(_Gate, config=config))
    # CoopgraphError and HTTPException are answered by Starlette's ExceptionMiddleware;
    # anything else is a bug, answered (500, same shape) by ServerErrorMiddleware and logged.
    handlers: dict[Any, Callable[[Request, Exception], Any]] = {
        CoopgraphError: _handle_error,
        HTTPException: _handle_error,
        ClientDisconnect: _client_gone,
        Exception: _handle_error,
    }
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers=handlers,
        lifespan=lifespan,
    )


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or a one-line error saying why not (a busy port...)."""
    try:
        family, kind, protocol, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as error:
        raise CoopgraphError(
            f"cannot listen on --host {host}: {error.strerror}",
            hint="give an address of this machine, e.g. 127.0.0.1",
        ) from None
    listener = socket.socket(family, kind, protocol)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise CoopgraphError(f"port {port} is in use; choose another with --port") from None
        raise CoopgraphError(
            f"cannot listen on {host}:{port}: {error.strerror}",
            hint="choose another --host or --port (ports below 1024 need privileges)",
        ) from None
    listener.set_inheritable(True)
    return listener


def serve(
    config: ServeConfig,
    ready: Callable[[ServeConfig], None] | None = None,
    warn: Warn | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); the workers stop with the server. The port
    is taken and the store opened before anything is served, so a busy port or a broken data
    file is a CoopgraphError (one line), not a traceback from inside the server; `ready` is
    called then, to say how to use it."""
    import uvicorn  # noqa: PLC0415

    listener = listening_socket(config.host, config.port)
    try:
        context = _start(config, warn)
    except BaseException:
        listener.close()
        raise
    if ready is not None:
        ready(config)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, context),
            host=config.host,
            port=config.port,
            log_level="info",
            server_header=False,
            timeout_graceful_shutdown=5,
            # Longer than clients keep idle connections (httpx: 5 s), so the server never closes
            # a connection at the moment a client reuses it.
            timeout_keep_alive=75,
            # Let URLs longer than --max-url-bytes reach the application, which answers 414 in
            # the JSON error shape (h11's own limit would answer in plain text).
            h11_max_incomplete_event_size=max(1 << 20, 4 * config.max_url_bytes),
        )
    )
    server.run(sockets=[listener])
