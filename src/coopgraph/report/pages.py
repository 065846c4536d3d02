"""The page of each State, instrument, modality and organisation, read from the graph.

Each `*_page(engine, iri)` function runs the queries of `coopgraph.report.page_queries` for one
entity through the `QueryEngine` protocol (the embedded store, rdflib, a remote endpoint) and
returns a plain, frozen model of what a person came for; `coopgraph.report.site` writes it as
HTML, and the server can render the same models. Every term is a `Link` with a label: a page
never shows a `part:` code. The raw statements stay on the model (`statements`), for the folded
section linked-data users read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from coopgraph.errors import QueryError
from coopgraph.model.namespaces import ENTAILMENTS_GRAPH, PARTICIPATION, compact
from coopgraph.query.engine import QueryEngine, sparql_term
from coopgraph.report import page_queries as q
from coopgraph.report.terms import DateValue, Link, english_first, local_name

Row = Mapping[str, Node]


def select(engine: QueryEngine, query: str, focus: str | None = None) -> list[Row]:
    """The rows of `query` (with the project's prefixes), `?focus` bound to `focus`."""
    bindings = {"focus": URIRef(focus)} if focus is not None else None
    return list(engine.select(q.PREFIXES + query, bindings).as_dicts())


# --- Labels ------------------------------------------------------------------------------------


class Labels:
    """The label of every IRI a page shows, looked up in bulk and remembered."""

    def __init__(self, engine: QueryEngine) -> None:
        self.engine = engine
        self.known: dict[str, str] = {}

    def remember(self, iri: str, label: str) -> None:
        self.known.setdefault(iri, label)

    def fetch(self, terms: Iterable[Node | str]) -> None:
        """Look up the labels of those of `terms` not yet known."""
        wanted: list[str] = []
        for term in terms:
            iri = str(term)
            if isinstance(term, (URIRef, str)) and iri not in self.known and iri not in wanted:
                wanted.append(iri)
        written = []
        for iri in wanted:
            try:
                written.append(sparql_term(URIRef(iri)))
            except QueryError:
                continue  # an IRI that cannot be written in SPARQL is shown by its name
        best: dict[str, tuple[tuple[int, int, str], str]] = {}
        for start in range(0, len(written), 200):
            chunk = " ".join(written[start : start + 200])
            for row in select(self.engine, q.LABELS % chunk):
                label: Node | None = row.get("label")
                if not isinstance(label, Literal) or not str(label).strip():
                    continue
                rank = int(str(row.get("rank", 9)))
                key = (0 if label.language in (None, "en") else 1, rank, str(label))
                term = str(row["term"])
                if term not in best or key < best[term][0]:
                    best[term] = (key, str(label).strip())
        participations = [
            iri for iri in wanted if iri not in best and iri.startswith(PARTICIPATION)
        ]
        for participation, name in self._participation_names(participations).items():
            best[participation] = ((9, 9, name), name)
        for term, (_, name) in best.items():
            self.known[term] = name

    def _participation_names(self, iris: Sequence[str]) -> dict[str, str]:
        if not iris:
            return {}
        rows = select(
            self.engine, q.PARTICIPATION_NAMES % " ".join(sparql_term(URIRef(i)) for i in iris)
        )
        self.fetch([row[name] for row in rows for name in ("agent", "instrument") if name in row])
        names: dict[str, str] = {}
        for row in rows:
            who = (
                self.label(row["agent"])
                if "agent" in row
                else f"{row['count']} participants"
                if "count" in row
                else "a participant"
            )
            role = str(row["role_label"]) if "role_label" in row else "participant"
            names[str(row["participation"])] = f"{who} as {role} in {self.label(row['instrument'])}"
        return names

    def label(self, term: Node | str) -> str:
        iri = str(term)
        if iri not in self.known:
            self.fetch([iri])
        return self.known.get(iri) or local_name(iri)

    def link(self, term: Node | str) -> Link:
        return Link(self.label(term), str(term))

    def links(self, terms: Iterable[Node | str]) -> tuple[Link, ...]:
        terms = list(dict.fromkeys(str(t) for t in terms))
        self.fetch(terms)
        return tuple(sorted((self.link(term) for term in terms), key=_link_order))


def _link_order(link: Link) -> tuple[str, str]:
    return (link.label.casefold(), link.iri)


# --- Raw statements ------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A statement's object as shown: a link (IRI) or a text with its language or datatype."""

    text: str
    link: Link | None = None
    note: str | None = None  # language tag or datatype, for a literal


@dataclass(frozen=True)
class Statement:
    predicate: Link
    compact: str  # the predicate as prefix:name, for linked-data users
    value: Value
    inferred: bool


def statements(engine: QueryEngine, iri: str, labels: Labels) -> tuple[Statement, ...]:
    """What the store says with `iri` as subject: stated first, then entailed, each once."""
    rows = select(engine, q.STATEMENTS, iri)
    labels.fetch(
        [row["p"] for row in rows] + [row["o"] for row in rows if isinstance(row["o"], URIRef)]
    )
    seen: dict[tuple[str, str], bool] = {}
    for row in rows:
        key = (str(row["p"]), row["o"].n3())
        inferred = row.get("g") == ENTAILMENTS_GRAPH
        seen[key] = seen.get(key, True) and inferred
    shown = []
    done: set[tuple[str, str]] = set()
    for row in rows:
        key = (str(row["p"]), row["o"].n3())
        if key in done:
            continue
        done.add(key)
        shown.append(
            Statement(
                labels.link(row["p"]),
                compact(URIRef(str(row["p"]))),
                _value(row["o"], labels),
                seen[key],
            )
        )
    return tuple(
        sorted(
            shown,
            key=lambda s: (s.inferred, s.predicate.iri != str(RDF.type), s.compact, s.value.text),
        )
    )


def _value(term: Node, labels: Labels) -> Value:
    if isinstance(term, URIRef):
        return Value(labels.label(term), labels.link(term))
    if isinstance(term, Literal):
        note = term.language or (compact(term.datatype) if term.datatype else None)
        return Value(str(term), None, note)
    return Value(str(term))


# --- Report links -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLink:
    """A stored report run for this entity: its query, its parameter, what it is called."""

    query: str
    parameter: str
    title: str


# --- States ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taking:
    """A State's part in one instrument."""

    instrument: Link
    types: tuple[str, ...]
    roles: tuple[str, ...]
    designations: tuple[str, ...]
    date: DateValue | None
    partners: tuple[Link, ...]
    modalities: tuple[Link, ...]
    through: tuple[Link, ...]  # the agencies that acted for the State in it


@dataclass(frozen=True)
class Partner:
    state: Link
    instruments: tuple[Link, ...]


@dataclass(frozen=True)
class Agency:
    agency: Link
    instruments: tuple[Link, ...]
    roles: tuple[str, ...]


@dataclass(frozen=True)
class NameInHistory:
    text: str
    valid_from: DateValue | None
    valid_until: DateValue | None
    note: str | None


@dataclass(frozen=True)
class StatePage:
    iri: str
    label: str
    codes: tuple[tuple[str, str], ...]  # (what, code): ISO 3166-1 alpha-2, alpha-3, ...
    other_names: tuple[str, ...]
    former: bool
    dissolved: DateValue | None
    successors: tuple[Link, ...]
    predecessors: tuple[Link, ...]
    names: tuple[NameInHistory, ...]
    notes: tuple[str, ...]
    instruments: tuple[Taking, ...]
    partners: tuple[Partner, ...]
    agencies: tuple[Agency, ...]
    memberships: tuple[Link, ...]
    former_memberships: tuple[tuple[Link, DateValue], ...]  # the organisation, and until when
    same_as: tuple[str, ...]  # addresses of the same State elsewhere (Wikidata)
    statements: tuple[Statement, ...]
    reports: tuple[ReportLink, ...] = ()

    kind = "state"


def _objects(rows: Iterable[Row], predicate: str) -> list[Node]:
    return [row["o"] for row in rows if str(row["p"]) == predicate]


_CG = "https://w3id.org/coopgraph/def/"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCTERMS = "http://purl.org/dc/terms/"


def state_page(engine: QueryEngine, iri: str, labels: Labels | None = None) -> StatePage | None:
    """The page of the State `iri`, None when the graph has no such State."""
    labels = labels or Labels(engine)
    own = select(engine, q.STATEMENTS, iri)
    if not any(str(row["p"]) == str(RDF.type) and str(row["o"]) == _CG + "State" for row in own):
        return None
    label = english_first(_objects(own, _RDFS + "label")) or local_name(iri)
    labels.remember(iri, label)
    codes = []
    for name, prop in (
        ("ISO 3166-1 alpha-2", "iso3166Alpha2"),
        ("ISO 3166-1 alpha-3", "iso3166Alpha3"),
        ("ISO 3166-1 numeric", "iso3166Numeric"),
        ("ISO 3166-3", "iso3166_3Code"),
    ):
        codes += [(name, str(value)) for value in _objects(own, _CG + prop)]
    other_names = sorted(
        {
            str(value)
            for prop in (_SKOS + "altLabel", _CG + "isoShortName", _CG + "isoOfficialName")
            for value in _objects(own, prop)
            if str(value) != label
        }
    )
    types = {str(t) for t in _objects(own, str(RDF.type))}
    successors = labels.links(_objects(own, _CG + "successorState"))
    predecessors = labels.links(_objects(own, _CG + "predecessorState"))
    dissolved = next(
        (DateValue.of(v) for v in _objects(own, _CG + "dissolutionDate") if DateValue.of(v)), None
    )
    names = tuple(
        sorted(
            (
                NameInHistory(
                    str(row["text"]),
                    DateValue.of(row.get("from")),
                    DateValue.of(row.get("until")),
                    str(row["note"]) if "note" in row else None,
                )
                for row in select(engine, q.STATE_NAMES, iri)
            ),
            key=lambda name: (
                name.valid_from.start if name.valid_from else "",
                name.valid_until.start if name.valid_until else "9999",
            ),
        )
    )
    takings = _takings(engine, iri, labels)
    partners: dict[str, set[str]] = defaultdict(set)
    for taking in takings:
        for partner in taking.partners:
            partners[partner.iri].add(taking.instrument.iri)
    agencies: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for row in select(engine, q.STATE_PARTICIPATIONS, iri):
        if is_true(row.get("through")):
            instruments, roles = agencies[str(row["agent"])]
            instruments.add(str(row["instrument"]))
            if "role_label" in row:
                roles.add(str(row["role_label"]))
    for row in select(engine, q.STATE_AGENCIES, iri):
        agencies[str(row["agency"])]
    return StatePage(
        iri=iri,
        label=label,
        codes=tuple(codes),
        other_names=tuple(other_names),
        former=_CG + "FormerState" in types,
        dissolved=dissolved,
        successors=successors,
        predecessors=predecessors,
        names=names,
        notes=tuple(sorted(str(v) for v in _objects(own, _CG + "note"))),
        instruments=takings,
        partners=tuple(
            sorted(
                (
                    Partner(labels.link(partner), labels.links(instruments))
                    for partner, instruments in partners.items()
                ),
                key=lambda p: (-len(p.instruments), p.state.label.casefold()),
            )
        ),
        agencies=tuple(
            sorted(
                (
                    Agency(labels.link(agency), labels.links(instruments), tuple(sorted(roles)))
                    for agency, (instruments, roles) in agencies.items()
                ),
                key=lambda a: a.agency.label.casefold(),
            )
        ),
        **_memberships(engine, iri, labels),
        same_as=tuple(
            sorted(
                str(v)
                for prop in (_SKOS + "exactMatch", "http://www.w3.org/2002/07/owl#sameAs")
                for v in _objects(own, prop)
            )
        ),
        statements=statements(engine, iri, labels),
    )


def _memberships(engine: QueryEngine, state: str, labels: Labels) -> dict[str, Any]:
    """The organisations the State is a member of, and those a cited page says it left: a
    membership is current unless its interval has an end."""
    current: set[str] = set()
    ends: dict[str, DateValue] = {}
    for row in select(engine, q.STATE_MEMBERSHIPS, state):
        organisation = str(row["organisation"])
        end = DateValue.of(row.get("end"))
        if end is None:
            current.add(organisation)
        elif organisation not in ends or end.lexical > ends[organisation].lexical:
            ends[organisation] = end
    former = sorted((o for o in ends if o not in current), key=lambda o: ends[o].lexical)
    return {
        "memberships": labels.links(sorted(current)),
        "former_memberships": tuple((labels.link(o), ends[o]) for o in former),
    }


def _takings(engine: QueryEngine, state: str, labels: Labels) -> tuple[Taking, ...]:
    rows = select(engine, q.STATE_PARTICIPATIONS, state)
    by_instrument: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_instrument[str(row["instrument"])].append(row)
    facts = InstrumentFacts.read(engine, labels, list(by_instrument))
    takings = []
    for instrument, own in by_instrument.items():
        dates = [DateValue.of(row.get("date")) for row in own]
        date = min((d for d in dates if d), default=None) or facts.first_date(instrument)
        takings.append(
            Taking(
                instrument=labels.link(instrument),
                types=facts.types.get(instrument, ()),
                roles=tuple(sorted({str(row["role_label"]) for row in own if "role_label" in row})),
                designations=tuple(
                    sorted(
                        {
                            str(row["designation"])
                            for row in own
                            if "designation" in row
                            and str(row["designation"]) != labels.label(state)
                        }
                    )
                ),
                date=date,
                partners=labels.links(
                    p for p in facts.state_parties.get(instrument, ()) if p != state
                ),
                modalities=labels.links(facts.modalities.get(instrument, ())),
                through=labels.links(row["agent"] for row in own if is_true(row.get("through"))),
            )
        )
    return tuple(
        sorted(takings, key=lambda t: (t.date.start if t.date else "9999", t.instrument.label))
    )


def is_true(term: Node | None) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


# --- Facts about all instruments, read once --------------------------------------------------


@dataclass
class InstrumentFacts:
    """What the lists and the pages need of every instrument, in a few queries."""

    labels: dict[str, str] = field(default_factory=dict)
    dates: dict[str, dict[str, DateValue]] = field(default_factory=dict)
    types: dict[str, tuple[str, ...]] = field(default_factory=dict)
    modalities: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    groups: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    group_labels: dict[str, str] = field(default_factory=dict)
    scope: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(dict))
    state_parties: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    participants: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def read(
        cls, engine: QueryEngine, labels: Labels, only: Sequence[str] | None = None
    ) -> InstrumentFacts:
        wanted = set(only) if only is not None else None

        def rows(query: str) -> list[Row]:
            found = select(engine, query)
            return [r for r in found if wanted is None or str(r["instrument"]) in wanted]

        facts = cls()
        for row in rows(q.INSTRUMENTS):
            iri = str(row["instrument"])
            if isinstance(row["label"], Literal) and (
                iri not in facts.labels or row["label"].language in (None, "en")
            ):
                facts.labels[iri] = str(row["label"])
                labels.known[iri] = str(row["label"])
            for key in DATED_ACTS:
                date = DateValue.of(row.get(key))
                if date:
                    facts.dates.setdefault(iri, {})[key] = date
        types: dict[str, set[str]] = defaultdict(set)
        for row in rows(q.INSTRUMENT_TYPES):
            types[str(row["instrument"])].add(str(row["type_label"]))
        facts.types = {iri: tuple(sorted(found)) for iri, found in types.items()}
        for row in rows(q.INSTRUMENT_MODALITIES):
            iri, modality = str(row["instrument"]), str(row["modality"])
            facts.modalities[iri].add(modality)
            labels.remember(modality, str(row["modality_label"]))
            if "group" in row:
                group = str(row["group"])
                facts.group_labels[group] = str(row["group_label"])
                labels.remember(group, str(row["group_label"]))
                facts.groups[iri].setdefault(group, set()).add(modality)
        for row in rows(q.INSTRUMENT_SCOPE):
            facet = str(row["facet"])
            facts.scope[str(row["instrument"])].setdefault(facet, set()).add(
                str(row["value_label"])
            )
        for row in rows(q.PARTICIPANTS):
            iri, agent = str(row["instrument"]), str(row["agent"])
            facts.participants[iri].add((agent, str(row.get("role_label", "participant"))))
            if "state" in row:
                facts.state_parties[iri].add(agent)
        return facts

    def first_date(self, instrument: str) -> DateValue | None:
        dates = self.dates.get(instrument, {})
        return next((dates[key] for key in DATED_ACTS if key in dates), None)


# --- Instruments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    who: Link | None  # None: a group the text counts without naming
    role: str
    designation: str | None
    date: DateValue | None
    acting_for: tuple[Link, ...]
    count: int | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class CoveredModality:
    modality: Link
    group: tuple[Link, ...]  # the top concepts it falls under
    stated_of_the_instrument: bool
    provisions: tuple[str, ...]  # the labels of the provisions that cover it


@dataclass(frozen=True)
class ProvisionEntry:
    label: str
    description: str | None
    modalities: tuple[Link, ...]


@dataclass(frozen=True)
class Relation:
    relation: str
    other: Link


@dataclass(frozen=True)
class DocumentEntry:
    address: str
    label: str
    how: str  # "text", "more information", "source"
    languages: tuple[str, ...]


@dataclass(frozen=True)
class SourceEntry:
    section: str
    document: str | None


@dataclass(frozen=True)
class Commitment:
    text: str
    modalities: tuple[Link, ...]


@dataclass(frozen=True)
class InstrumentPage:
    iri: str
    label: str
    title: str | None
    other_titles: tuple[str, ...]
    description: str | None
    types: tuple[str, ...]
    legal_nature: tuple[str, ...]  # empty: not recorded
    dates: tuple[tuple[str, DateValue], ...]  # ("signed", date), ...
    regions: tuple[str, ...]
    crimes: tuple[Link, ...]
    target_groups: tuple[Link, ...]
    participants: tuple[Participant, ...]
    modalities: tuple[CoveredModality, ...]
    provisions: tuple[ProvisionEntry, ...]
    objectives: tuple[str, ...]
    commitments: tuple[Commitment, ...]  # empty: not recorded as statements of their own
    relations: tuple[Relation, ...]
    documents: tuple[DocumentEntry, ...]
    sources: tuple[SourceEntry, ...]
    notes: tuple[str, ...]
    statements: tuple[Statement, ...]
    reports: tuple[ReportLink, ...] = ()

    kind = "instrument"

    @property
    def states(self) -> tuple[Link, ...]:
        """The States taking part, named or acted for."""
        found = {p.who for p in self.participants if p.who and p.who.kind == "state"}
        found |= {s for p in self.participants for s in p.acting_for}
        return tuple(sorted(found, key=_link_order))


# The acts an instrument's own date can record (the variables of `INSTRUMENTS`), in the order
# in which one stands for the instrument: signed, concluded or adopted, then in force, started.
DATED_ACTS = ("signed", "concluded", "adopted", "in_force", "started")

_DATE_NAMES = (
    ("signatureDate", "signed"),
    ("conclusionDate", "concluded"),
    ("adoptionDate", "adopted"),
    ("entryIntoForceDate", "entered into force"),
    ("startDate", "started"),
)
_LANGUAGE_NAMES = {
    "ENG": "English",
    "FRA": "French",
    "DEU": "German",
    "ITA": "Italian",
    "RUS": "Russian",
    "SPA": "Spanish",
    "ARA": "Arabic",
    "ZHO": "Chinese",
    "POR": "Portuguese",
}


def instrument_page(
    engine: QueryEngine, iri: str, labels: Labels | None = None
) -> InstrumentPage | None:
    """The page of the instrument `iri`, None when the graph has no such instrument."""
    labels = labels or Labels(engine)
    own = select(engine, q.STATEMENTS, iri)
    if not any(
        str(row["o"]) == _CG + "Instrument" for row in own if str(row["p"]) == str(RDF.type)
    ):
        return None
    facts = InstrumentFacts.read(engine, labels, [iri])
    label = english_first(_objects(own, _RDFS + "label")) or local_name(iri)
    labels.remember(iri, label)
    title = english_first(_objects(own, _DCTERMS + "title"))
    participants = []
    participation_rows: dict[str, list[Row]] = defaultdict(list)
    for row in select(engine, q.INSTRUMENT_PARTICIPATIONS, iri):
        participation_rows[str(row["participation"])].append(row)
    labels.fetch(
        [
            row[k]
            for rows in participation_rows.values()
            for row in rows
            for k in ("agent", "for")
            if k in row
        ]
    )
    for rows in participation_rows.values():
        first = rows[0]
        count = first.get("count")
        participants.append(
            Participant(
                who=labels.link(first["agent"]) if "agent" in first else None,
                role=", ".join(sorted({str(r["role_label"]) for r in rows if "role_label" in r}))
                or "participant",
                designation=english_first(r["designation"] for r in rows if "designation" in r),
                date=min((d for r in rows if (d := DateValue.of(r.get("date")))), default=None),
                acting_for=labels.links(r["for"] for r in rows if "for" in r),
                count=int(str(count)) if isinstance(count, Literal) else None,
                notes=tuple(sorted({str(r["note"]) for r in rows if "note" in r})),
            )
        )
    participants.sort(key=lambda p: (_ROLE_ORDER.get(p.role, 9), p.who.label if p.who else "~"))
    provisions_rows = select(engine, q.INSTRUMENT_PROVISIONS, iri)
    provision_labels: dict[str, str] = {}
    provision_entries: dict[str, tuple[str | None, set[str]]] = {}
    for row in provisions_rows:
        provision = str(row["provision"])
        shown = (
            str(row["label"])
            if "label" in row
            else f"{str(row.get('kind', 'provision')).capitalize()} {row.get('number', '')}".strip()
        )
        provision_labels[provision] = shown
        _description, covered = provision_entries.setdefault(
            provision, (str(row["description"]) if "description" in row else None, set())
        )
        if "modality" in row:
            covered.add(str(row["modality"]))
    modality_sources: dict[str, tuple[bool, set[str]]] = {}
    for row in select(engine, q.INSTRUMENT_MODALITY_SOURCES, iri):
        stated, provisions = modality_sources.setdefault(str(row["modality"]), (False, set()))
        if "provision" in row:
            provisions.add(
                provision_labels.get(str(row["provision"]), labels.label(row["provision"]))
            )
        modality_sources[str(row["modality"])] = (stated or is_true(row.get("stated")), provisions)
    labels.fetch(modality_sources)
    groups_of: dict[str, set[str]] = defaultdict(set)
    for group, members in facts.groups.get(iri, {}).items():
        for modality in members:
            groups_of[modality].add(group)
    modalities = tuple(
        sorted(
            (
                CoveredModality(
                    labels.link(modality),
                    labels.links(groups_of.get(modality, ())),
                    stated,
                    tuple(sorted(provisions, key=_natural)),
                )
                for modality, (stated, provisions) in modality_sources.items()
            ),
            key=lambda m: (m.group[0].label if m.group else "~", m.modality.label.casefold()),
        )
    )
    relations = tuple(
        sorted(
            (
                Relation(str(row["relation"]), labels.link(row["related"]))
                for row in select(engine, q.INSTRUMENT_RELATIONS, iri)
            ),
            key=lambda r: (r.relation, r.other.label),
        )
    )
    documents: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in select(engine, q.INSTRUMENT_DOCUMENTS, iri):
        languages = documents[(str(row["document"]), str(row["how"]))]
        if "language" in row:
            code = local_name(str(row["language"]))
            languages.add(_LANGUAGE_NAMES.get(code, code))
    labels.fetch(address for address, _ in documents)
    commitments: dict[str, tuple[str, set[str]]] = {}
    for row in select(engine, q.INSTRUMENT_COMMITMENTS, iri):
        _text, concerned = commitments.setdefault(
            str(row["commitment"]),
            (str(row.get("text", "")) or labels.label(row["commitment"]), set()),
        )
        if "modality" in row:
            concerned.add(str(row["modality"]))
    scope = facts.scope.get(iri, {})
    crimes = [row["o"] for row in own if str(row["p"]) == _CG + "addressesCrime"]
    groups = [row["o"] for row in own if str(row["p"]) == _CG + "targetGroup"]
    return InstrumentPage(
        iri=iri,
        label=label,
        title=title if title and title != label else None,
        other_titles=tuple(sorted({str(v) for v in _objects(own, _DCTERMS + "alternative")})),
        description=english_first(_objects(own, _DCTERMS + "description")),
        types=facts.types.get(iri, ()),
        legal_nature=tuple(sorted(scope.get("legal_nature", ()))),
        dates=tuple(
            (name, date)
            for prop, name in _DATE_NAMES
            for value in _objects(own, _CG + prop)
            if (date := DateValue.of(value))
        ),
        regions=tuple(sorted(scope.get("region", ()))),
        crimes=labels.links(crimes),
        target_groups=labels.links(groups),
        participants=tuple(participants),
        modalities=modalities,
        provisions=tuple(
            sorted(
                (
                    ProvisionEntry(provision_labels[p], description, labels.links(covered))
                    for p, (description, covered) in provision_entries.items()
                ),
                key=lambda p: _natural(p.label),
            )
        ),
        objectives=tuple(sorted(str(v) for v in _objects(own, _CG + "objective"))),
        commitments=tuple(
            Commitment(text, labels.links(concerned)) for text, concerned in commitments.values()
        ),
        relations=relations,
        documents=tuple(
            sorted(
                (
                    DocumentEntry(address, labels.label(address), how, tuple(sorted(languages)))
                    for (address, how), languages in documents.items()
                ),
                key=lambda d: (d.how, d.address),
            )
        ),
        sources=_sources(engine, iri),
        notes=tuple(sorted(str(v) for v in _objects(own, _CG + "note"))),
        statements=statements(engine, iri, labels),
    )


_ROLE_ORDER = {"party": 0, "signatory": 1, "concluding agency, office or association": 2}


def _natural(text: str) -> tuple[object, ...]:
    """ "Article 2" before "Article 14"."""
    import re  # noqa: PLC0415

    return tuple(
        int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)
    )


def _sources(engine: QueryEngine, iri: str) -> tuple[SourceEntry, ...]:
    return tuple(
        sorted(
            {
                SourceEntry(
                    str(row.get("section_title", local_name(str(row["section"])))),
                    str(row["document_title"]) if "document_title" in row else None,
                )
                for row in select(engine, q.SOURCES, iri)
            },
            key=lambda s: s.section,
        )
    )


# --- Modalities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModalityPage:
    iri: str
    label: str
    other_names: tuple[str, ...]
    definition: str | None
    path: tuple[Link, ...]  # from the top concept down to the modality's broader concept
    narrower: tuple[Link, ...]
    instruments: tuple[tuple[Link, bool], ...]  # (instrument, covers it itself, not narrower)
    states: tuple[Link, ...]
    statements: tuple[Statement, ...]
    reports: tuple[ReportLink, ...] = ()

    kind = "modality"


def modality_page(
    engine: QueryEngine, iri: str, labels: Labels | None = None
) -> ModalityPage | None:
    labels = labels or Labels(engine)
    own = select(engine, q.STATEMENTS, iri)
    label = english_first(_objects(own, _SKOS + "prefLabel"))
    if label is None or not _objects(own, _SKOS + "inScheme"):
        return None
    labels.remember(iri, label)
    ancestors = sorted(
        (int(str(row["depth"])), str(row["ancestor"]))
        for row in select(engine, q.MODALITY_PATH, iri)
        if str(row["ancestor"]) != iri
    )
    covering = {
        str(row["instrument"]): is_true(row.get("directly"))
        for row in select(engine, q.MODALITY_INSTRUMENTS, iri)
    }
    facts = InstrumentFacts.read(engine, labels, list(covering))
    states = {state for instrument in covering for state in facts.state_parties.get(instrument, ())}
    labels.fetch(covering)
    return ModalityPage(
        iri=iri,
        label=label,
        other_names=tuple(sorted(str(v) for v in _objects(own, _SKOS + "altLabel"))),
        definition=english_first(_objects(own, _SKOS + "definition")),
        path=tuple(labels.link(a) for _, a in ancestors),
        narrower=labels.links(row["narrower"] for row in select(engine, q.MODALITY_NARROWER, iri)),
        instruments=tuple(
            sorted(
                ((labels.link(i), directly) for i, directly in covering.items()),
                key=lambda item: item[0].label.casefold(),
            )
        ),
        states=labels.links(states),
        statements=statements(engine, iri, labels),
    )


# --- Organisations --------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleEntry:
    role: str
    related: Link  # the instrument, the member State, or the State it is an agency of
    acting_for: tuple[Link, ...]


@dataclass(frozen=True)
class OrganisationPage:
    iri: str
    label: str
    other_names: tuple[str, ...]
    types: tuple[str, ...]
    notes: tuple[str, ...]
    roles: tuple[RoleEntry, ...]
    sources: tuple[SourceEntry, ...]
    statements: tuple[Statement, ...]
    reports: tuple[ReportLink, ...] = ()

    kind = "organisation"


def organisation_page(
    engine: QueryEngine, iri: str, labels: Labels | None = None
) -> OrganisationPage | None:
    labels = labels or Labels(engine)
    own = select(engine, q.STATEMENTS, iri)
    if not any(
        str(row["o"]) == _CG + "Organisation" for row in own if str(row["p"]) == str(RDF.type)
    ):
        return None
    label = english_first(_objects(own, _RDFS + "label")) or local_name(iri)
    labels.remember(iri, label)
    types = sorted(
        {
            str(row["type_label"])
            for row in select(engine, q.ORGANISATIONS)
            if str(row["organisation"]) == iri and "type_label" in row
        }
    )
    grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in select(engine, q.ORGANISATION_ROLES):
        if str(row["organisation"]) != iri:
            continue
        role = str(row.get("role_label", "participant"))
        if "instrument" in row:
            acting = grouped[(role, str(row["instrument"]))]
            if "for" in row:
                acting.add(str(row["for"]))
        elif "for" in row:
            grouped[(role, str(row["for"]))]
    labels.fetch([r for _, r in grouped if r] + [a for v in grouped.values() for a in v])
    return OrganisationPage(
        iri=iri,
        label=label,
        other_names=tuple(sorted(str(v) for v in _objects(own, _SKOS + "altLabel"))),
        types=tuple(types),
        notes=tuple(sorted(str(v) for v in _objects(own, _CG + "note"))),
        roles=tuple(
            sorted(
                (
                    RoleEntry(role, labels.link(related), labels.links(acting))
                    for (role, related), acting in grouped.items()
                ),
                key=lambda r: (r.role, r.related.label),
            )
        ),
        sources=_sources(engine, iri),
        statements=statements(engine, iri, labels),
    )


EntityPage = StatePage | InstrumentPage | ModalityPage | OrganisationPage

PAGE_BUILDERS = {
    "state": state_page,
    "instrument": instrument_page,
    "modality": modality_page,
    "organisation": organisation_page,
}
