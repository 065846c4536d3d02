"""What a release covers, read from its graph: the States present (spatial coverage) and the
span of the instruments' dates (temporal coverage)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD
from rdflib.term import Node

from coopgraph.model.labels import label_of
from coopgraph.model.namespaces import CG, WIKIDATA
from coopgraph.model.stats import instances, subclasses

EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"

# The dates of an instrument, and those of the participations in it.
INSTRUMENT_DATE_PROPERTIES = (CG.signatureDate, CG.entryIntoForceDate, CG.startDate)
PARTICIPATION_DATE_PROPERTIES = (CG.date,)

_DATE_TYPES = (XSD.date, XSD.dateTime, XSD.gYearMonth, XSD.gYear)
_LEXICAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


@dataclass(frozen=True)
class Place:
    """A State present in the data, as a DCAT location: the EU country authority IRI for a
    current State (by its ISO 3166-1 alpha-3 code), its Wikidata entity for a former State;
    `same_as` holds the other identifiers known for it."""

    state: URIRef
    label: str
    location: URIRef
    same_as: tuple[URIRef, ...]


@dataclass(frozen=True)
class Coverage:
    places: tuple[Place, ...]
    start: Literal | None
    """The earliest instrument date, at the precision the data gives it."""
    end: Literal | None
    """The latest instrument date, at the precision the data gives it."""


def coverage(graph: Graph) -> Coverage:
    """The spatial and temporal coverage of `graph` (with its ontology and entailments)."""
    dates = instrument_dates(graph)
    start = min(dates, key=lambda d: (first_day(d), str(d)), default=None)
    end = max(dates, key=lambda d: (last_day(d), str(d)), default=None)
    return Coverage(places=states(graph), start=start, end=end)


def states(graph: Graph) -> tuple[Place, ...]:
    """Every State of `graph`, sorted by IRI."""
    former = subclasses(graph, CG.FormerState)
    places = []
    for state in sorted(instances(graph, subclasses(graph, CG.State)), key=str):
        if not isinstance(state, URIRef):
            continue
        wikidata = sorted(
            match
            for match in graph.objects(state, SKOS.exactMatch)
            if isinstance(match, URIRef) and str(match).startswith(str(WIKIDATA))
        )
        alpha3 = graph.value(state, CG.iso3166Alpha3)
        is_former = any(t in former for t in graph.objects(state, RDF.type))
        if alpha3 is not None and not is_former:
            location = URIRef(EU_COUNTRY + str(alpha3))
            same_as = tuple(wikidata)
        elif wikidata:
            location, same_as = wikidata[0], tuple(wikidata[1:])
        else:
            location, same_as = state, ()
        label = label_of(graph, state) or str(state)
        places.append(Place(state, label, location, same_as))
    return tuple(places)


def instrument_dates(graph: Graph) -> list[Literal]:
    """The date literals of every instrument and of the participations in it."""
    found: set[Literal] = set()
    for instrument in instances(graph, subclasses(graph, CG.Instrument)):
        for prop in INSTRUMENT_DATE_PROPERTIES:
            found.update(_dates(graph.objects(instrument, prop)))
        for participation in graph.objects(instrument, CG.hasParticipation):
            for prop in PARTICIPATION_DATE_PROPERTIES:
                found.update(_dates(graph.objects(participation, prop)))
    return sorted(found, key=str)


def _dates(values: Iterable[Node]) -> list[Literal]:
    return [
        value
        for value in values
        if isinstance(value, Literal)
        and value.datatype in _DATE_TYPES
        and _LEXICAL_DATE.match(str(value))
    ]


def _parts(value: Literal) -> tuple[int, int | None, int | None]:
    match = _LEXICAL_DATE.match(str(value))
    assert match is not None
    year, month, day = match.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def first_day(value: Literal) -> date:
    """The first day a date literal can mean: 2004 -> 2004-01-01, 2004-10 -> 2004-10-01."""
    year, month, day = _parts(value)
    return date(year, month or 1, day or 1)


def last_day(value: Literal) -> date:
    """The last day a date literal can mean: 2004 -> 2004-12-31, 2004-02 -> 2004-02-29."""
    year, month, day = _parts(value)
    month = month or 12
    return date(year, month, day or calendar.monthrange(year, month)[1])
