"""What a page shows of an RDF term: a link to an entity with a label, a date at its precision.

`Link` names an IRI with its label and the kind of entity it is (a State, an instrument, a
modality, an organisation: the four kinds that have a page of their own); `page_path` is where
an entity's page sits under the site's root, mirroring its IRI (`id/state/MLI.html` for
https://w3id.org/coopgraph/id/state/MLI), so that a server can serve the same pages at the
same paths. `DateValue` keeps a date at the precision of the text: a year is shown and drawn
as a year, never as the first of January.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from coopgraph.model.namespaces import BASE, INSTRUMENT, MODALITY, ORGANISATION, STATE

ENTITY_KINDS: dict[str, str] = {
    str(STATE): "state",
    str(INSTRUMENT): "instrument",
    str(MODALITY): "modality",
    str(ORGANISATION): "organisation",
}
KIND_NAMES = {
    "state": ("State", "States"),
    "instrument": ("instrument", "instruments"),
    "modality": ("modality", "modalities"),
    "organisation": ("organisation", "organisations"),
}
_SAFE_LOCAL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def entity_kind(iri: str) -> str | None:
    """ "state", "instrument", "modality" or "organisation" for an IRI of those namespaces."""
    for namespace, kind in ENTITY_KINDS.items():
        if iri.startswith(namespace) and _SAFE_LOCAL_NAME.fullmatch(iri[len(namespace) :]):
            return kind
    return None


def page_path(iri: str) -> str | None:
    """The page of an entity relative to the site's root (`id/state/MLI.html`), None for an
    IRI that has no page of its own."""
    if entity_kind(iri) is None:
        return None
    return iri[len(BASE) :] + ".html"


def local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri


@dataclass(frozen=True, order=True)
class Link:
    """An IRI as a page shows it: its label, and its kind when it has a page."""

    label: str
    iri: str

    @property
    def kind(self) -> str | None:
        return entity_kind(self.iri)

    @property
    def path(self) -> str | None:
        return page_path(self.iri)


def english_first(literals: Iterable[Node]) -> str | None:
    """The English (or untagged) text among `literals`, else any, else None; ties by text."""
    ranked = sorted(
        (0 if term.language in (None, "en") else 1, str(term).strip())
        for term in literals
        if isinstance(term, Literal) and str(term).strip()
    )
    return ranked[0][1] if ranked else None


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class DateValue:
    """A date at the precision the text gives: "day", "month" or "year"."""

    lexical: str
    precision: str

    @classmethod
    def of(cls, term: Node | None) -> DateValue | None:
        if not isinstance(term, Literal):
            return None
        text = str(term).strip()
        if term.datatype == XSD.date and re.fullmatch(r"-?\d{4}-\d{2}-\d{2}", text):
            return cls(text, "day")
        if term.datatype == XSD.gYearMonth and re.fullmatch(r"-?\d{4}-\d{2}", text):
            return cls(text, "month")
        if re.fullmatch(r"-?\d{4}", text):
            return cls(text, "year")
        return None

    @property
    def year(self) -> int:
        return int(self.lexical[:4]) if not self.lexical.startswith("-") else int(self.lexical[:5])

    @property
    def shown(self) -> str:
        """ "5 May 2006", "October 2004", "2004"."""
        parts = self.lexical.split("-")
        if self.precision == "day":
            return f"{int(parts[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if self.precision == "month":
            return f"{_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        return parts[0]

    @property
    def start(self) -> str:
        """The first day the date covers (2004 -> 2004-01-01), for placing it on an axis."""
        if self.precision == "day":
            return self.lexical
        if self.precision == "month":
            return self.lexical + "-01"
        return self.lexical + "-01-01"

    @property
    def end(self) -> str:
        """The day after the last day the date covers (2004 -> 2005-01-01)."""
        year, *rest = (int(part) for part in self.lexical.split("-"))
        if self.precision == "year":
            return f"{year + 1:04d}-01-01"
        month = rest[0]
        if self.precision == "month":
            return f"{year + (month == 12):04d}-{month % 12 + 1:02d}-01"
        return self.lexical


def is_iri(term: Node | None) -> bool:
    return isinstance(term, URIRef)
