"""The report folder as a site: static HTML pages that work offline, from the file system.

`write_site(folder, engine, catalog, runs)` writes into `folder` (the report folder being
assembled): the home page (`index.html`: figures, ways in, the search box), a browse page for
States, instruments, modalities and organisations (each also as CSV and XLSX), a page per
entity at the path of its IRI (`id/state/MLI.html`), a page per stored report (`reports/`)
and, for a report that takes a State, a modality or an organisation, one per value of it
(`reports/state-profile/MLI.html`: "Cooperation profile of Mali"), the network, the map and the
timeline. Every link is relative, every script and style sheet is a copy in `static/` (the
vendored libraries of `static/vendor/`), and data travel inside the pages or in `.js` files
(a browser does not fetch from `file://`), so the folder opens offline and asks no other host.

The pages are rendered with the Jinja2 templates of `templates/`, from the models of
`coopgraph.report.pages`, `listings`, `report_pages` and `charts`; the server renders the same
models with the same templates.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from coopgraph import __version__
from coopgraph.errors import CoopgraphError
from coopgraph.query.catalog import Catalog, StoredQuery, run_stored_query
from coopgraph.query.engine import QueryEngine
from coopgraph.query.replaced import former_iris
from coopgraph.query.results import ResultTable
from coopgraph.query.spreadsheet import csv_for_excel, xlsx
from coopgraph.report import charts
from coopgraph.report.listings import Graph, Listing
from coopgraph.report.pages import PAGE_BUILDERS, EntityPage, ReportLink
from coopgraph.report.report_pages import (
    ENTITY_PARAMETERS,
    ReportRun,
    report_chart,
    report_listing,
)
from coopgraph.report.terms import KIND_NAMES, Link, local_name, page_path

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_DIR / "templates"
STATIC = PACKAGE_DIR / "static"
# What of static/ a site copies: its own scripts and styles, and the libraries the pages
# load (axe-core is there for the tests only).
SITE_ASSETS = ("site.css", "site.js", "pictures.js", "network.js")
VENDORED_FOR_PAGES = (
    "vega/vega.min.js",
    "vega-lite/vega-lite.min.js",
    "vega-embed/vega-embed.min.js",
    "cytoscape/cytoscape.min.js",
    "VENDORED.json",
    "THIRD-PARTY-LICENSES.txt",
)
Step = Callable[[str], None]


@dataclass(frozen=True)
class DefaultRun:
    """A stored report as `coopgraph report` ran it, with the arguments it was given."""

    query: StoredQuery
    arguments: Mapping[str, str]
    table: ResultTable


@dataclass
class SiteSummary:
    pages: list[str] = field(default_factory=list)  # paths relative to the folder

    def __len__(self) -> int:
        return len(self.pages)


def environment() -> jinja2.Environment:
    """The templates, HTML-escaped, undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json"] = script_json
    env.filters["json_attribute"] = lambda value: json.dumps(
        value, ensure_ascii=False, sort_keys=True
    )
    return env


def script_json(value: object) -> Markup:
    """`value` as JSON that is safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def site_steps(catalog: Catalog) -> int:
    """How many times `write_site` calls its `step` callback."""
    return 6


class _Site:
    """The pages to write, and how each links to the others."""

    def __init__(self, folder: Path, env: jinja2.Environment) -> None:
        self.folder = folder
        self.env = env
        self.entity_pages: set[str] = set()
        self.summary = SiteSummary()

    def href(self, from_page: str, target: str | Link | None) -> str | None:
        """The relative address of `target` (a path under the root, or an entity) from the
        page at `from_page`; None for an entity without a page in this site."""
        if target is None:
            return None
        if isinstance(target, Link):
            path = target.path
            if path is None or path not in self.entity_pages:
                return None
            target = path
        start = posixpath.dirname(from_page) or "."
        return posixpath.relpath(target, start)

    def write(self, path: str, template: str, **context: object) -> None:
        root = posixpath.relpath(".", posixpath.dirname(path) or ".")
        root = "" if root == "." else root + "/"
        page = self.env.get_template(template).render(
            page_path=path,
            root=root,
            href=lambda target: self.href(path, target),
            version=__version__,
            kinds=KIND_NAMES,
            **context,
        )
        self.write_bytes(path, page.encode("utf-8"))
        self.summary.pages.append(path)

    def write_bytes(self, path: str, data: bytes) -> None:
        target = self.folder / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            raise CoopgraphError(
                f"{target}: cannot write the report page ({error.strerror})"
            ) from error


def write_site(
    folder: Path,
    engine: QueryEngine,
    catalog: Catalog,
    runs: Sequence[DefaultRun],
    step: Step | None = None,
) -> SiteSummary:
    """Write the site into `folder` (see the module doc)."""
    say = step or (lambda _label: None)
    site = _Site(folder, environment())
    say("pages: reading the graph")
    graph = Graph.read(engine)
    listings = graph.listings()
    entities: dict[str, list[tuple[str, str]]] = {}
    for listing in listings:
        kind = listing.name.rstrip("s").replace("modalitie", "modality")
        first = listing.columns[0].key
        entities[kind] = [
            (row.cells[first].links[0].iri, row.cells[first].links[0].label) for row in listing.rows
        ]
    site.entity_pages = {
        path for found in entities.values() for iri, _ in found if (path := page_path(iri))
    }
    entities_by_label = _entities_by_label(entities)

    say("pages: stored reports")
    report_links: dict[str, list[ReportLink]] = {}
    report_entries = _write_reports(
        site, engine, catalog, runs, graph, entities, entities_by_label, report_links
    )

    say("pages: States, instruments, modalities, organisations")
    for kind, found in entities.items():
        build = PAGE_BUILDERS[kind]
        for iri, _ in found:
            page: EntityPage | None = build(engine, iri, graph.labels)
            if page is None:
                continue
            path = page_path(iri)
            assert path is not None
            site.write(
                path,
                f"{kind}.html",
                page=page,
                reports=sorted(report_links.get(iri, []), key=lambda r: r.title),
            )

    for former, current in former_iris(engine).items():
        former_path, current_path = page_path(former), page_path(current)
        if former_path is not None and current_path in site.entity_pages:
            site.write(
                former_path,
                "moved.html",
                former=former,
                current=current_path,
                current_iri=current,
                label=graph.labels.label(current),
            )

    say("pages: lists")
    for listing in listings:
        _write_listing(site, listing, f"{listing.name}.html", "listing.html")

    say("pages: network, map, timeline")
    site.write("network.html", "network.html", data=charts.network_data(graph))
    map_data = charts.map_data(graph)
    site.write(
        "map.html",
        "map.html",
        data=map_data,
        spec=charts.map_spec(map_data["states"]),  # type: ignore[arg-type]
    )
    events = charts.timeline_data(graph)
    site.write("timeline.html", "timeline.html", events=events, spec=charts.timeline_spec(events))

    say("pages: home and search")
    site.write("reports.html", "reports.html", entries=report_entries)
    site.write(
        "index.html",
        "home.html",
        figures=graph.figures(),
        reports=report_entries,
    )
    _copy_assets(site, graph)
    return site.summary


def _entities_by_label(entities: Mapping[str, Sequence[tuple[str, str]]]) -> dict[str, str]:
    """Entity labels that name one entity only, to link the items of list columns."""
    seen: dict[str, set[str]] = {}
    for found in entities.values():
        for iri, label in found:
            seen.setdefault(label, set()).add(iri)
    return {label: next(iter(iris)) for label, iris in seen.items() if len(iris) == 1}


def _write_listing(
    site: _Site, listing: Listing, path: str, template: str, **context: object
) -> None:
    base = path[: -len(".html")]
    plain = listing.as_plain_rows()
    site.write_bytes(f"{base}.csv", csv_for_excel(plain).encode("utf-8"))
    site.write_bytes(f"{base}.xlsx", xlsx(plain, listing.title))
    name = posixpath.basename(base)
    site.write(
        path,
        template,
        listing=listing,
        csv_href=f"{name}.csv",
        xlsx_href=f"{name}.xlsx",
        facet_values={facet.key: listing.facet_values(facet.key) for facet in listing.facets},
        **context,
    )


@dataclass(frozen=True)
class ReportEntry:
    query: StoredQuery
    title: str
    path: str
    rows: int
    per_value: str | None  # the kind of value the report has a page for each of


def _write_reports(
    site: _Site,
    engine: QueryEngine,
    catalog: Catalog,
    runs: Sequence[DefaultRun],
    graph: Graph,
    entities: Mapping[str, Sequence[tuple[str, str]]],
    entities_by_label: Mapping[str, str],
    report_links: dict[str, list[ReportLink]],
) -> list[ReportEntry]:
    by_name = {run.query.name: run for run in runs}
    entries = []
    for query in catalog:
        default = by_name.get(query.name)
        table = default.table if default else run_stored_query(query, {}, engine)
        arguments = dict(default.arguments) if default else {}
        entity_parameters = [p for p in query.parameters if p.kind in ENTITY_PARAMETERS]
        picker_parameter = (
            entity_parameters[0] if len(query.parameters) == 1 and entity_parameters else None
        )
        options: list[tuple[str, str]] = []
        if picker_parameter is not None:
            kind = ENTITY_PARAMETERS[picker_parameter.kind]
            options = [
                (label, f"reports/{query.name}/{local_name(iri)}.html")
                for iri, label in sorted(entities.get(kind, []), key=lambda e: e[1].casefold())
            ]
        shown = {
            p.name: _shown(arguments.get(p.name) or p.default or "", graph)
            for p in query.parameters
            if p.name in arguments or p.default
        }
        path = f"reports/{query.name}.html"
        run = ReportRun(query, arguments, shown, table)
        _write_report_page(site, run, path, graph, entities_by_label, options, markdown=True)
        entries.append(
            ReportEntry(
                query,
                run.title,
                path,
                len(table),
                picker_parameter.kind if picker_parameter else None,
            )
        )
        if picker_parameter is None:
            continue
        kind = ENTITY_PARAMETERS[picker_parameter.kind]
        for iri, label in entities.get(kind, []):
            entity_table = run_stored_query(query, {picker_parameter.name: iri}, engine)
            entity_run = ReportRun(
                query, {picker_parameter.name: iri}, {picker_parameter.name: label}, entity_table
            )
            entity_path = f"reports/{query.name}/{local_name(iri)}.html"
            _write_report_page(site, entity_run, entity_path, graph, entities_by_label, options)
            report_links.setdefault(iri, []).append(
                ReportLink(query.name, picker_parameter.name, entity_run.title)
            )
    return entries


def _shown(value: str, graph: Graph) -> str:
    """A report argument as a person reads it: the label of an IRI, else the text."""
    if value.startswith(("http://", "https://")):
        return graph.labels.label(value)
    return value


def _write_report_page(
    site: _Site,
    run: ReportRun,
    path: str,
    graph: Graph,
    entities_by_label: Mapping[str, str],
    options: Sequence[tuple[str, str]],
    markdown: bool = False,
) -> None:
    """The page of one run, with its CSV and XLSX beside it (human headers, labels)."""
    listing = report_listing(run, graph.labels, entities_by_label, run.query.name)
    base = path[: -len(".html")]
    plain = listing.as_plain_rows()
    site.write_bytes(f"{base}.csv", csv_for_excel(plain).encode("utf-8"))
    site.write_bytes(f"{base}.xlsx", xlsx(plain, run.query.name))
    file_name = posixpath.basename(base)
    command = (
        "coopgraph query "
        + run.query.name
        + "".join(
            f" -p {name}={_quoted(run.shown.get(name, value))}"
            for name, value in run.arguments.items()
        )
    )
    site.write(
        path,
        "report.html",
        run=run,
        listing=listing,
        chart=report_chart(listing),
        command=command,
        csv_href=f"{file_name}.csv",
        xlsx_href=f"{file_name}.xlsx",
        markdown_href=site.href(path, f"{run.query.name}.md") if markdown else None,
        options=options,
    )


def _quoted(value: str) -> str:
    import shlex  # noqa: PLC0415

    return shlex.quote(value)


def _copy_assets(site: _Site, graph: Graph) -> None:
    for name in SITE_ASSETS:
        site.write_bytes(f"static/{name}", (STATIC / name).read_bytes())
    for name in VENDORED_FOR_PAGES:
        site.write_bytes(f"static/vendor/{name}", (STATIC / "vendor" / name).read_bytes())
    topology = charts.world_topology()
    site.write_bytes(
        "static/world.js",
        (
            "window.COOPGRAPH_WORLD = " + json.dumps(topology, separators=(",", ":")) + ";\n"
        ).encode(),
    )
    index = graph.search_index()
    site.write_bytes(
        "static/search-index.js",
        (
            "window.COOPGRAPH_SEARCH = "
            + json.dumps(index, ensure_ascii=False, separators=(",", ":"))
            + ";\n"
        ).encode("utf-8"),
    )
