"""The explorer's report pages: a stored query asked as a person asks it.

`report_answer` resolves the values of a report's parameters as the CLI does (a label, a
code or an IRI, `coopgraph.query.catalog.resolve_value`), runs the report once every required
value is there, and gives what its page shows: the form (a pick-list from the graph for a
State, a modality, an organisation, an instrument or an instrument type; a text field for a
year), the run titled with what was asked, human headers and labels
(`coopgraph.report.report_pages`), a chart where one fits, and the query with its values
bound for the editor.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from rdflib import URIRef
from rdflib.term import Node

from coopgraph.errors import CoopgraphError
from coopgraph.query.catalog import Parameter, StoredQuery, resolve_value, run_stored_query
from coopgraph.query.engine import QueryEngine, with_values
from coopgraph.query.results import ResultTable
from coopgraph.report.listings import Listing
from coopgraph.report.report_pages import ReportRun, report_chart, report_listing
from coopgraph.web.explorer_graph import Explorer, entity_parameter

# Parameter kinds whose values the form offers as a pick-list of the entities of that kind.
PICKED_KINDS = ("state", "modality", "organisation", "instrument")


@dataclass(frozen=True)
class ReportEntry:
    """A report on the reports page (the fields of the report folder's ReportEntry)."""

    query: StoredQuery
    title: str
    path: str
    rows: int | str
    per_value: str | None


def report_entry(query: StoredQuery, explorer: Explorer) -> ReportEntry:
    parameter = entity_parameter(query)
    return ReportEntry(
        query,
        query.title,
        f"reports/{query.name}.html",
        explorer.rows.get(query.name, ""),
        parameter.kind if parameter is not None else None,
    )


def count_rows(queries: Sequence[StoredQuery], engine: QueryEngine) -> dict[str, int]:
    counted = {}
    for query in queries:
        try:
            counted[query.name] = len(run_stored_query(query, {}, engine))
        except CoopgraphError:
            continue  # a report that needs a value: no count without one
    return counted


def report_as_listing(
    engine: QueryEngine, explorer: Explorer, query: StoredQuery, arguments: Mapping[str, str]
) -> Listing:
    """The report's rows as a listing for people (human headers, labels), for a spreadsheet."""
    table = run_stored_query(query, arguments, engine)
    labels = explorer.graph.labels
    shown = {}
    for parameter in query.parameters:
        raw = arguments.get(parameter.name) or parameter.default
        if raw is not None:
            term = resolve_value(parameter, raw, engine)
            shown[parameter.name] = labels.label(term) if isinstance(term, URIRef) else str(term)
    run = ReportRun(query, arguments, shown, table)
    return report_listing(run, labels, explorer.entities_by_label, query.name)


@dataclass(frozen=True)
class FormField:
    """A parameter of a report as the form shows it."""

    parameter: Parameter
    value: str  # what the field holds: an IRI of the pick-list, or the text typed
    options: tuple[tuple[str, str], ...]  # (value, label); empty: a text field
    shown: str | None  # the value as a person reads it, when one is bound


@dataclass(frozen=True)
class ReportAnswer:
    """A report asked with arguments: what its page shows."""

    status: int  # 200, or 400 when a value names nothing or the run is refused as bad input
    context: dict[str, Any]  # for the template explorer/report.html


def report_answer(
    engine: QueryEngine,
    explorer: Explorer,
    query: StoredQuery,
    arguments: Mapping[str, str],
    root: str,
    is_bad_request: Callable[[CoopgraphError], bool],
) -> ReportAnswer:
    """Resolve the arguments as the CLI does, run the report when every required value is
    there, and say what the page shows: the form, the run, the error, the links."""
    labels = explorer.graph.labels
    shown: dict[str, str] = {}
    bound: dict[str, Node] = {}
    error: CoopgraphError | None = None
    for parameter in query.parameters:
        raw = arguments.get(parameter.name) or parameter.default
        if raw is None:
            continue
        try:
            term = resolve_value(parameter, raw, engine)
        except CoopgraphError as problem:
            error = error or problem
            continue
        bound[parameter.name] = term
        shown[parameter.name] = labels.label(term) if isinstance(term, URIRef) else str(term)
    fields = [_field(p, arguments, bound, shown, explorer) for p in query.parameters]
    missing = [p for p in query.parameters if p.required and p.name not in bound]
    table: ResultTable | None = None
    if error is None and not missing:
        try:
            table = run_stored_query(query, arguments, engine)
        except CoopgraphError as problem:
            if not is_bad_request(problem):
                raise
            error = problem
    run = ReportRun(query, arguments, shown, table or ResultTable((), ()))
    listing = report_listing(run, labels, explorer.entities_by_label, query.name)
    encoded = urlencode(dict(arguments))
    suffix = f"?{encoded}" if encoded else ""
    address = f"{root}queries/{quote(query.name)}"
    command = (
        "coopgraph query "
        + query.name
        + "".join(
            f" -p {name}={shlex.quote(shown.get(name, value))}" for name, value in arguments.items()
        )
    )
    context: dict[str, Any] = {
        "run": run,
        "listing": listing,
        "chart": report_chart(listing) if table is not None else None,
        "command": command,
        "csv_href": f"{address}.csv{suffix}",
        "json_href": f"{address}.json{suffix}",
        "xlsx_href": f"{address}.xlsx{suffix}",
        "markdown_href": None,
        "options": [],
        "fields": fields,
        "error": error,
        "missing": [p.name for p in missing],
        "has_table": table is not None,
        "action": address,
        "editor_href": f"{root}sparql#query={quote(with_values(query.text, bound))}",
    }
    return ReportAnswer(400 if error is not None else 200, context)


def _field(
    parameter: Parameter,
    arguments: Mapping[str, str],
    bound: Mapping[str, Node],
    shown: Mapping[str, str],
    explorer: Explorer,
) -> FormField:
    term = bound.get(parameter.name)
    given = arguments.get(parameter.name, "")
    kind = parameter.kind
    options: tuple[tuple[str, str], ...] = ()
    if kind in PICKED_KINDS:
        options = tuple(
            sorted(
                ((iri, label) for iri, label in explorer.entities.get(kind, [])),
                key=lambda option: option[1].casefold(),
            )
        )
    elif parameter.kind == "instrument-type":
        options = tuple(explorer.instrument_types)
    if options:
        value = str(term) if isinstance(term, URIRef) else given
    else:
        value = given or (str(term) if term is not None and parameter.name in arguments else "")
    return FormField(parameter, value, options, shown.get(parameter.name))
