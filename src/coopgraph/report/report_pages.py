"""A stored report made for reading: what was asked in its title, human headers, labels that
link to the entity pages, and a chart where one fits.

`report_listing` turns a run of a stored query (its `ResultTable`) into a `Listing`: a column
`x` holding IRIs whose label is in `x_label` becomes one column of links headed as `x_label`
is; an IRI column without a label column gets the labels of the graph; the items of a list
column that name an entity link to its page; counts sort as numbers, dates at their precision.

`asked_title` says what was asked: "Cooperation profile of a State" run for Mali is
"Cooperation profile of Mali".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from coopgraph.query.catalog import StoredQuery
from coopgraph.query.results import LIST_SEPARATOR, ResultTable
from coopgraph.report import charts
from coopgraph.report.listings import Cell, Column, Listing, ListingRow
from coopgraph.report.pages import Labels
from coopgraph.report.terms import DateValue, Link, page_path

# The kinds of parameter whose values have pages, and so a report page per value.
ENTITY_PARAMETERS = {"state": "state", "modality": "modality", "organisation": "organisation"}
_ARTICLES = {
    "state": ("a State", "the State"),
    "modality": ("a modality", "the modality"),
    "organisation": ("an organisation", "the organisation"),
    "instrument": ("an instrument", "the instrument"),
    "instrument-type": ("a type", "the type"),
}
_NUMERIC = {XSD.integer, XSD.int, XSD.long, XSD.decimal, XSD.double, XSD.nonNegativeInteger}


@dataclass(frozen=True)
class ReportRun:
    """A stored query run with arguments; `shown` says them as a person reads them."""

    query: StoredQuery
    arguments: Mapping[str, str]  # parameter -> value as given (a label, a code, an IRI)
    shown: Mapping[str, str]  # parameter -> label of the value
    table: ResultTable

    @property
    def title(self) -> str:
        return asked_title(self.query, self.shown)


def asked_title(query: StoredQuery, shown: Mapping[str, str]) -> str:
    """The query's title with what it was asked about: "a State" becomes "Mali"; a value that
    the title does not mention is added after it ("Timeline of instruments (from year 2004)")."""
    title = query.title
    extra = []
    for parameter in query.parameters:
        value = shown.get(parameter.name)
        if value is None:
            continue
        phrases = _ARTICLES.get(parameter.kind, ())
        for phrase in phrases:
            pattern = re.compile(rf"\b{re.escape(phrase)}\b", re.IGNORECASE)
            if pattern.search(title):
                title = pattern.sub(value.replace("\\", "\\\\"), title, count=1)
                break
        else:
            extra.append(f"{parameter.name.replace('_', ' ')} {value}")
    return f"{title} ({', '.join(extra)})" if extra else title


def report_listing(
    run: ReportRun, labels: Labels, entities_by_label: Mapping[str, str], name: str
) -> Listing:
    """The run's table as a `Listing` of cells for people (see the module doc)."""
    table, query = run.table, run.query
    variables = table.variables
    merged = {v for v in variables if f"{v}_label" in variables}
    labels.fetch(
        value
        for row in table.rows
        for v, value in zip(variables, row, strict=True)
        if isinstance(value, URIRef) and v not in merged
    )
    columns: list[Column] = []
    keys: list[str] = []
    for variable in variables:
        if variable.endswith("_label") and variable[: -len("_label")] in merged:
            continue
        header = query.header(f"{variable}_label" if variable in merged else variable)
        numeric = (
            bool(table.rows)
            and all(
                isinstance(row[variables.index(variable)], Literal)
                and row[variables.index(variable)].datatype in _NUMERIC  # type: ignore[union-attr]
                for row in table.rows
                if row[variables.index(variable)] is not None
            )
            and any(row[variables.index(variable)] is not None for row in table.rows)
        )
        columns.append(Column(variable, header, numeric))
        keys.append(variable)
    rows = []
    for row in table.rows:
        values = dict(zip(variables, row, strict=True))
        cells = {}
        for variable in keys:
            value = values.get(variable)
            if variable in merged:
                label_value = values.get(f"{variable}_label")
                cells[variable] = _link_cell(value, label_value, labels)
            elif variable in query.list_columns:
                cells[variable] = _list_cell(value, entities_by_label)
            else:
                cells[variable] = _cell(value, labels)
        rows.append(ListingRow(cells))
    return Listing(name, run.title, query.description, tuple(columns), (), tuple(rows))


def _link_cell(value: Node | None, label: Node | None, labels: Labels) -> Cell:
    if isinstance(value, URIRef):
        text = str(label) if label is not None else labels.label(value)
        return Cell(links=(Link(text, str(value)),), sort=text.casefold())
    return _cell(label if label is not None else value, labels)


def _list_cell(value: Node | None, entities_by_label: Mapping[str, str]) -> Cell:
    if value is None:
        return Cell()
    items = [item for item in str(value).split(LIST_SEPARATOR) if item]
    links = tuple(Link(item, entities_by_label.get(item, "")) for item in items)
    return Cell(links=links, sort=str(value).casefold())


def _cell(value: Node | None, labels: Labels) -> Cell:
    if value is None:
        return Cell()
    if isinstance(value, URIRef):
        text = labels.label(value)
        return Cell(links=(Link(text, str(value)),), sort=text.casefold())
    if isinstance(value, Literal):
        if value.datatype in _NUMERIC:
            number = value.toPython()
            if isinstance(number, (int, float)):
                return Cell(str(value), sort=float(number))
        date = (
            DateValue.of(value) if value.datatype in (XSD.date, XSD.gYear, XSD.gYearMonth) else None
        )
        if date is not None:
            return Cell(date.shown, sort=date.lexical, date=date)
    return Cell(str(value))


# --- Charts where they fit ------------------------------------------------------------------


def report_chart(listing: Listing) -> charts.Spec | None:
    """A chart for the report's rows, when the rows hold one: a matrix of two link columns
    and a count (the coverage matrix), or bars of a count for each row's first link column;
    a timeline for rows with dates and an instrument."""
    numeric = [c for c in listing.columns if c.numeric]
    linked = [
        c
        for c in listing.columns
        if all(row.cells[c.key].links for row in listing.rows)
        and not any(len(row.cells[c.key].links) > 1 for row in listing.rows)
    ]
    dated = [c for c in listing.columns if any(row.cells[c.key].date for row in listing.rows)]
    if not listing.rows:
        return None
    if numeric and len(linked) >= 2:
        count = numeric[0]
        values = [
            {
                "row": row.cells[linked[0].key].plain,
                "column": row.cells[linked[1].key].plain,
                "value": row.cells[count.key].sort,
            }
            for row in listing.rows
        ]
        return charts.matrix_spec(values, linked[0].header, linked[1].header, count.header)
    if numeric and linked:
        count = numeric[0]
        values = [
            {
                "category": " - ".join(row.cells[c.key].plain for c in linked[:2]),
                "value": row.cells[count.key].sort,
                "page": page_path(row.cells[linked[0].key].links[0].iri),
            }
            for row in listing.rows
        ]
        return charts.bar_spec(values[:60], " - ".join(c.header for c in linked[:2]), count.header)
    if dated and linked:
        date_column = dated[0]
        events = []
        for row in listing.rows:
            date = row.cells[date_column.key].date
            if date is None:
                continue
            link = row.cells[linked[0].key].links[0]
            event = next(
                (row.cells[c.key].plain for c in listing.columns if c.key == "event"),
                date_column.header,
            )
            events.append(
                {
                    "instrument": link.label,
                    "page": page_path(link.iri),
                    "event": event,
                    "date": date.shown,
                    "precision": date.precision,
                    "start": date.start,
                    "end": date.end,
                }
            )
        return charts.timeline_spec(events) if events else None
    return None
