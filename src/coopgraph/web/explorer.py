"""The explorer: the server's pages for people who do not write SPARQL.

`explorer_routes(context_of)` gives the Starlette routes, placed before the server's own in
`coopgraph.web.app` (so `/`, `/network`, `/queries/NAME` and the `.html` documents of the
entities are the explorer's; everything else, and every request for RDF, CSV or JSON, stays
the server's). The pages are the report folder's (`coopgraph.report.site`): the same models
(`report.pages`, `listings`, `report_pages`, `charts`) rendered with the same templates, the
server adding a form for a report's parameters and a link to the editor.

Routes:
    /                      home: the search box, the graph's figures, the ways in
    /search.json?q=        the search, as JSON (explorer_search: typo- and accent-tolerant)
    /id/KIND/              browse States, instruments, modalities, organisations (sortable,
                           faceted), with /id/KIND/LIST.csv (a byte-order mark) and .xlsx
    /id/KIND/NAME.html     an entity's page (the document `/id/KIND/NAME` sends browsers to);
                           an IRI without a page of its own keeps the server's resource page
    /queries, /queries/NAME  the reports for people (HTML); .csv, .json and JSON clients
                           stay the server's
    /network, /map, /timeline  the pictures
    /sparql                a browser asking for HTML without a query gets the editor;
                           protocol clients get the protocol
    /vocabulary.json       the ontology's classes and properties and the graph's concepts,
                           for the editor's completion
    /def/, /def.html, /def/TERM.html   the ontology documentation (publish/ontodoc.py)
    /static/...            the report pages' scripts, styles and vendored libraries, the
                           search index and the world map, then the editor's files
    /index.html, /states.html, /reports/NAME.html, ...  the report folder's addresses,
                           redirected to the server's

`for_people(request, response)` turns the server's JSON error into an HTML page (the message,
the hint, a way back) for a browser that asks for HTML.

What the pages read from the graph (`explorer_graph`: `Graph.read`, the lists, the search
index) is read once per state of the store (the worker pool's generation) and kept. The search
is `explorer_search`, the report form `explorer_reports`, the ontology documentation and the
editor's vocabulary `explorer_ontology`; this module holds the routes, the addresses and the
rendering.
"""

from __future__ import annotations

import asyncio
import functools
import json
import posixpath
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import jinja2
from rdflib import URIRef
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Route

from coopgraph import __version__
from coopgraph.errors import CoopgraphError
from coopgraph.model.namespaces import CG
from coopgraph.query.spreadsheet import csv_for_excel, xlsx
from coopgraph.report.listings import Listing
from coopgraph.report.pages import PAGE_BUILDERS
from coopgraph.report.report_pages import (
    ENTITY_PARAMETERS,
)
from coopgraph.report.terms import KIND_NAMES, Link, page_path
from coopgraph.web.conneg import negotiate
from coopgraph.web.explorer_graph import (
    KIND_OF_LIST,
    LIST_NAMES,
    NAMESPACE_OF_KIND,
    Explorer,
    entity_parameter,
    read_explorer,
)
from coopgraph.web.explorer_ontology import ontology_page, ontology_terms, vocabulary
from coopgraph.web.explorer_reports import (
    count_rows,
    report_answer,
    report_as_listing,
    report_entry,
)
from coopgraph.web.explorer_search import search
from coopgraph.web.linked_data import path_for_iri

if TYPE_CHECKING:
    from coopgraph.web.app import ServerContext

HTML = "text/html"
JSON = "application/json"
EXPLORER_TEMPLATES = Path(__file__).resolve().parent / "templates" / "explorer"
PICTURES = ("network", "map", "timeline")
ContextOf = Callable[[Request], "ServerContext"]


# --- What the pages read from the graph, once per state of the store -------------------------


class _Keeper:
    """What the explorer keeps between requests: the read graph, the rendered ontology page,
    the editor page, the world map script."""

    def __init__(self) -> None:
        self.explorer: Explorer | None = None
        self.lock = asyncio.Lock()
        self.env = environment()
        self.ontology_page: str | None = None
        self.vocabulary: dict[str, object] | None = None
        self.editor: str | None = None
        self.world: bytes | None = None


@functools.cache
def environment() -> jinja2.Environment:
    """The report folder's templates, with the explorer's own (forms, errors) before them."""
    from coopgraph.report.site import environment as site_environment  # noqa: PLC0415

    env = site_environment()
    assert env.loader is not None
    explorer = jinja2.PrefixLoader({"explorer": jinja2.FileSystemLoader(EXPLORER_TEMPLATES)})
    env.loader = jinja2.ChoiceLoader([explorer, env.loader])
    return env


def _keeper(request: Request) -> _Keeper:
    state = request.app.state
    if not hasattr(state, "explorer"):
        state.explorer = _Keeper()
    keeper = state.explorer
    assert isinstance(keeper, _Keeper)
    return keeper


async def _explorer(request: Request, context: ServerContext) -> Explorer:
    keeper = _keeper(request)
    async with keeper.lock:
        generation = context.pool.generation
        if keeper.explorer is None or keeper.explorer.generation != generation:
            keeper.explorer = await context.call(
                read_explorer, context.engine, context.catalog, generation
            )
        return keeper.explorer


# --- Addresses ------------------------------------------------------------------------------


def root_of(request: Request) -> str:
    return str(request.scope.get("root_path", "")) + "/"


def server_href(
    root: str, target: str | Link | None, explorer: Explorer | None = None
) -> str | None:
    """The server's address of `target`: an entity (a `Link`), or a path of the report
    folder ("states.html", "reports/state-profile/MLI.html"), which the templates name."""
    if target is None:
        return None
    if isinstance(target, Link):
        iri = target.iri
        path = page_path(iri)
        if path is not None:
            return root + path
        local = path_for_iri(iri)
        if local is not None:
            return root + local.lstrip("/")
        if iri.startswith(("http://", "https://")):
            return iri
        return None
    return root + site_path(target, explorer)


def site_path(path: str, explorer: Explorer | None = None) -> str:
    """The server's path (under its root, no leading slash) for a report-folder path."""
    if path == "index.html":
        return ""
    name = path[: -len(".html")] if path.endswith(".html") else path
    if name in KIND_OF_LIST:
        return f"id/{KIND_OF_LIST[name]}/"
    if name == "reports":
        return "queries"
    if name in PICTURES:
        return name
    if name.startswith("reports/"):
        parts = name.split("/")
        if len(parts) == 2:
            return f"queries/{quote(parts[1])}"
        if len(parts) == 3:
            return _entity_report(parts[1], parts[2], explorer)
    return path


def _entity_report(name: str, local: str, explorer: Explorer | None) -> str:
    """The run of report `name` for the entity named `local` (in the report folder,
    `reports/NAME/LOCAL.html`): the report's page with the entity's IRI as its value."""
    found = explorer.report_parameters.get(name) if explorer is not None else None
    if found is None:
        return f"reports/{name}/{local}.html"  # redirected there by the server
    parameter, namespace = found
    return f"queries/{quote(name)}?" + urlencode({parameter: namespace + local})


def render(
    request: Request,
    template: str,
    page_path_: str,
    status: int = 200,
    explorer: Explorer | None = None,
    **context: object,
) -> HTMLResponse:
    root = root_of(request)
    page = (
        _keeper(request)
        .env.get_template(template)
        .render(
            page_path=page_path_,
            root=root,
            href=lambda target: server_href(root, target, explorer),
            version=__version__,
            kinds=KIND_NAMES,
            **context,
        )
    )
    return HTMLResponse(page, status_code=status)


def wants_html(request: Request, others: Sequence[str] = (JSON,)) -> bool:
    """Whether the client prefers HTML to `others` (a browser does; no Accept header does not)."""
    accept = request.headers.get("accept")
    if not accept:
        return False
    return negotiate(accept, [*others, HTML]) == HTML


# --- Errors for people ------------------------------------------------------------------------


def for_people(request: Request, response: Response) -> Response:
    """`response` (the server's JSON error) as an HTML page when the client asks for HTML."""
    if not wants_html(request) or not isinstance(response, JSONResponse):
        return response
    try:
        problem = json.loads(bytes(response.body))["error"]
    except (ValueError, KeyError, TypeError):
        return response
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("retry-after", "allow")}
    root = root_of(request)
    page = (
        environment()
        .get_template("explorer/error.html")
        .render(
            page_path="error.html",
            root=root,
            href=lambda target: server_href(root, target),
            version=__version__,
            kinds=KIND_NAMES,
            problem=problem,
            path=request.url.path,
        )
    )
    return HTMLResponse(page, status_code=response.status_code, headers=headers)


# --- The handlers ---------------------------------------------------------------------------------


def explorer_routes(context_of: ContextOf) -> list[BaseRoute]:
    """The explorer's routes (see the module doc), for the start of the server's route list."""
    pages = _Pages(context_of)
    routes: list[BaseRoute] = [
        Route("/", pages.home, name="home"),
        Route("/search.json", pages.search, name="search"),
        Route("/vocabulary.json", pages.vocabulary, name="vocabulary"),
        Route("/sparql", pages.sparql, methods=["GET", "POST"], name="sparql_or_editor"),
        Route("/queries", pages.reports, name="reports"),
        Route("/queries/{name}", pages.report, name="report"),
        Route("/reports/{name}/{local}.html", pages.report_for_entity, name="report_for"),
        Route("/network", pages.network, name="network_explorer"),
        Route("/map", pages.map, name="map"),
        Route("/timeline", pages.timeline, name="timeline"),
        Route("/def/", pages.ontology, name="ontology_page"),
        Route("/def.html", pages.ontology, name="ontology_html"),
        Route("/def/{term}.html", pages.ontology_term, name="ontology_term"),
        Route("/static/{path:path}", pages.static, name="explorer_static"),
        Route("/index.html", pages.to_site_path, name="site_index"),
        Route("/reports.html", pages.to_site_path, name="site_reports"),
        Route("/reports/{name}.html", pages.to_site_path, name="site_report"),
    ]
    for picture in PICTURES:
        routes.append(Route(f"/{picture}.html", pages.to_site_path))
    for kind, name in LIST_NAMES.items():
        routes += [
            Route(f"/{name}.html", pages.to_site_path),
            Route(f"/id/{kind}", pages.to_list),
            Route(f"/id/{kind}/", pages.listing),
            Route(f"/id/{kind}/{name}.csv", pages.listing_download),
            Route(f"/id/{kind}/{name}.xlsx", pages.listing_download),
            Route(f"/id/{kind}/{{name}}.html", pages.entity),
        ]
    return routes


class _Pages:
    def __init__(self, context_of: ContextOf) -> None:
        self.context_of = context_of

    async def _read(self, request: Request) -> tuple[ServerContext, Explorer]:
        context = self.context_of(request)
        return context, await _explorer(request, context)

    # --- Home and search

    async def home(self, request: Request) -> Response:
        context, explorer = await self._read(request)
        entries = [report_entry(query, explorer) for query in context.catalog]
        return render(
            request,
            "explorer/page.html",
            "index.html",
            layout="home.html",
            figures=explorer.graph.figures(),
            reports=entries,
        )

    async def search(self, request: Request) -> Response:
        _, explorer = await self._read(request)
        text = request.query_params.get("q", "")
        try:
            limit = max(1, min(int(request.query_params.get("limit", "12")), 50))
        except ValueError:
            raise CoopgraphError(
                f"limit {request.query_params['limit']!r} is not a number",
                hint="give limit=1 to 50",
            ) from None
        root = root_of(request)
        hits = [
            {
                "label": hit.label,
                "kind": hit.kind,
                "page": hit.page,
                "href": root + hit.page,
                "matched": hit.matched,
                "how": hit.how,
            }
            for hit in search(explorer.search_index, text, limit)
        ]
        return JSONResponse({"query": text, "results": hits})

    # --- Browse

    async def to_list(self, request: Request) -> Response:
        return RedirectResponse(root_of(request) + request.url.path.lstrip("/") + "/", 308)

    async def to_site_path(self, request: Request) -> Response:
        path = request.url.path[len(request.scope.get("root_path", "")) :].lstrip("/")
        target = root_of(request) + site_path(path)
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(target, 301)

    async def listing(self, request: Request) -> Response:
        _, explorer = await self._read(request)
        kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        listing = explorer.listings[kind]
        name = LIST_NAMES[kind]
        return render(
            request,
            "explorer/page.html",
            f"{name}.html",
            layout="listing.html",
            listing=listing,
            csv_href=f"{name}.csv",
            xlsx_href=f"{name}.xlsx",
            facet_values={facet.key: listing.facet_values(facet.key) for facet in listing.facets},
        )

    async def listing_download(self, request: Request) -> Response:
        _, explorer = await self._read(request)
        kind = request.url.path.split("/")[-2]
        listing = explorer.listings[kind]
        return _download(listing, request.url.path.rsplit("/", 1)[-1])

    async def entity(self, request: Request) -> Response:
        context, explorer = await self._read(request)
        kind = request.url.path.split("/")[-2]
        iri = NAMESPACE_OF_KIND[kind] + request.path_params["name"]
        build = PAGE_BUILDERS[kind]
        page = await context.call(build, context.engine, iri, explorer.graph.labels)
        if page is None:
            from coopgraph.web.app import resource  # noqa: PLC0415 - the server's own page

            return await resource(request)
        reports = sorted(explorer.report_links.get(iri, []), key=lambda r: r.title)
        local = request.path_params["name"]
        return render(
            request,
            "explorer/page.html",
            f"id/{kind}/{local}.html",
            layout=f"{kind}.html",
            explorer=explorer,
            page=page,
            reports=reports,
            alternates=_alternates(root_of(request) + f"id/{kind}/{local}"),
        )

    # --- Reports

    async def reports(self, request: Request) -> Response:
        context, explorer = await self._read(request)
        if request.url.path.endswith(".json") or not wants_html(request, (JSON,)):
            from coopgraph.web.app import queries_index  # noqa: PLC0415

            return await queries_index(request)
        missing = [q for q in context.catalog if q.name not in explorer.rows]
        if missing:
            counted = await context.call(count_rows, missing, context.engine)
            explorer.rows.update(counted)
        entries = [report_entry(query, explorer) for query in context.catalog]
        return render(
            request,
            "explorer/page.html",
            "reports.html",
            layout="reports.html",
            entries=entries,
        )

    async def report(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name.endswith(".xlsx"):
            context, explorer = await self._read(request)
            query = context.catalog.get(name[: -len(".xlsx")])
            arguments = {k: v for k, v in request.query_params.items() if v.strip()}
            listing = await context.call(
                report_as_listing, context.engine, explorer, query, arguments
            )
            return _download(listing, name)
        if name.endswith((".csv", ".json")) or not wants_html(request, (JSON, "text/csv")):
            from coopgraph.web.app import query_page  # noqa: PLC0415

            return await query_page(request)
        context, explorer = await self._read(request)
        query = context.catalog.get(name)
        arguments = {k: v for k, v in request.query_params.items() if v.strip()}
        from coopgraph.web.app import http_problem  # noqa: PLC0415

        answer = await context.call(
            report_answer,
            context.engine,
            explorer,
            query,
            arguments,
            root_of(request),
            lambda error: http_problem(error)[0] == 400,
        )
        return render(
            request,
            "explorer/report.html",
            f"reports/{query.name}.html",
            status=answer.status,
            **answer.context,
        )

    async def report_for_entity(self, request: Request) -> Response:
        context = self.context_of(request)
        query = context.catalog.get(request.path_params["name"])
        parameter = entity_parameter(query)
        if parameter is None:
            return RedirectResponse(root_of(request) + f"queries/{quote(query.name)}", 301)
        kind = ENTITY_PARAMETERS[parameter.kind]
        iri = NAMESPACE_OF_KIND[kind] + request.path_params["local"]
        target = f"queries/{quote(query.name)}?" + urlencode({parameter.name: iri})
        return RedirectResponse(root_of(request) + target, 301)

    # --- Pictures

    async def network(self, request: Request) -> Response:
        from coopgraph.report import charts  # noqa: PLC0415 - imports matplotlib

        context, explorer = await self._read(request)
        data = await context.call(charts.network_data, explorer.graph)
        return render(
            request,
            "explorer/network.html",
            "network.html",
            layout="network.html",
            data=data,
        )

    async def map(self, request: Request) -> Response:
        from coopgraph.report import charts  # noqa: PLC0415

        context, explorer = await self._read(request)
        data = await context.call(charts.map_data, explorer.graph)
        states = data["states"]
        return render(
            request,
            "explorer/page.html",
            "map.html",
            layout="map.html",
            data=data,
            spec=charts.map_spec(states),  # type: ignore[arg-type]
        )

    async def timeline(self, request: Request) -> Response:
        from coopgraph.report import charts  # noqa: PLC0415

        context, explorer = await self._read(request)
        events = await context.call(charts.timeline_data, explorer.graph)
        return render(
            request,
            "explorer/page.html",
            "timeline.html",
            layout="timeline.html",
            events=events,
            spec=charts.timeline_spec(events),
        )

    # --- The editor and the ontology

    async def sparql(self, request: Request) -> Response:
        from coopgraph.web.app import sparql_endpoint  # noqa: PLC0415 - the protocol

        if request.method != "GET" or request.query_params:
            return await sparql_endpoint(request)
        from coopgraph.web.operations import GRAPH_TYPES  # noqa: PLC0415

        if not wants_html(request, GRAPH_TYPES):
            return await sparql_endpoint(request)
        keeper = _keeper(request)
        if keeper.editor is None:
            from coopgraph.web import ui  # noqa: PLC0415

            context = self.context_of(request)
            keeper.editor = await context.call(lambda: ui.ui_page(context.catalog, context.engine))
        return HTMLResponse(keeper.editor, headers={"Vary": "Accept"})

    async def vocabulary(self, request: Request) -> Response:
        keeper = _keeper(request)
        if keeper.vocabulary is None:
            context = self.context_of(request)
            keeper.vocabulary = await context.call(vocabulary, context.engine)
        return JSONResponse(keeper.vocabulary)

    async def ontology(self, request: Request) -> Response:
        keeper = _keeper(request)
        if keeper.ontology_page is None:
            context = self.context_of(request)
            keeper.ontology_page = await context.call(ontology_page)
        return HTMLResponse(keeper.ontology_page)

    async def ontology_term(self, request: Request) -> Response:
        from coopgraph.publish.ontodoc import anchor  # noqa: PLC0415

        term = URIRef(str(CG) + request.path_params["term"])
        if term not in ontology_terms():
            from coopgraph.web.app import resource  # noqa: PLC0415 - the server's 404

            return await resource(request)
        return RedirectResponse(f"{root_of(request)}def/#{quote(anchor(term))}", 303)

    # --- Static files

    async def static(self, request: Request) -> Response:
        from coopgraph.report.site import SITE_ASSETS, STATIC, VENDORED_FOR_PAGES  # noqa: PLC0415

        path = request.path_params["path"]
        if path == "search-index.js":
            _, explorer = await self._read(request)
            text = json.dumps(explorer.search_index, ensure_ascii=False, separators=(",", ":"))
            body = f"window.COOPGRAPH_SEARCH = {text};\n".encode()
            return Response(body, media_type="text/javascript; charset=utf-8")
        if path == "world.js":
            keeper = _keeper(request)
            if keeper.world is None:
                from coopgraph.report import charts  # noqa: PLC0415

                topology = json.dumps(charts.world_topology(), separators=(",", ":"))
                keeper.world = f"window.COOPGRAPH_WORLD = {topology};\n".encode()
            return Response(keeper.world, media_type="text/javascript; charset=utf-8")
        allowed = {*SITE_ASSETS, *(f"vendor/{name}" for name in VENDORED_FOR_PAGES)}
        if path in allowed:
            from starlette.responses import FileResponse  # noqa: PLC0415

            media = _media_type(path)
            return FileResponse(STATIC / path, media_type=media)
        from coopgraph.web import ui  # noqa: PLC0415
        from coopgraph.web.app import ResourceNotFoundError  # noqa: PLC0415

        found = ui.static_file(path)
        if found is None:
            raise ResourceNotFoundError(f"no static file {path!r}", hint="see / for the pages")
        from starlette.responses import FileResponse  # noqa: PLC0415

        return FileResponse(found[0], media_type=found[1])


def _media_type(path: str) -> str:
    return {
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".txt": "text/plain; charset=utf-8",
        ".json": JSON,
    }.get(posixpath.splitext(path)[1], "application/octet-stream")


_FORMAT_NAMES = {".ttl": "Turtle", ".jsonld": "JSON-LD", ".nt": "N-Triples", ".rdf": "RDF/XML"}


def _alternates(document_base: str) -> list[tuple[str, str, str]]:
    """(media type, address, name) of each RDF document of the resource."""
    from coopgraph.query.export import RDF_FORMATS  # noqa: PLC0415
    from coopgraph.web.linked_data import DOCUMENT_FORMATS  # noqa: PLC0415

    return [
        (RDF_FORMATS[name].media_type, document_base + suffix, _FORMAT_NAMES.get(suffix, suffix))
        for suffix, name in DOCUMENT_FORMATS.items()
    ]


def _download(listing: Listing, file_name: str) -> Response:
    plain = listing.as_plain_rows()
    disposition = {"Content-Disposition": f'attachment; filename="{file_name}"'}
    if file_name.endswith(".csv"):
        return Response(
            csv_for_excel(plain).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers=disposition,
        )
    return Response(
        xlsx(plain, listing.title[:31]),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=disposition,
    )
