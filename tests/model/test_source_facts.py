"""Does the graph hold every fact the source text states?

The expectations are in tests/source_facts.toml, written from the source text
(Tool 4.9, "Bilateral and multilateral cooperation agreements or arrangements"), not from the
data. This module loads the ontology and data files, computes their OWL 2 RL closure once, and
looks each fact up by the names the text uses: instruments by title or name (or, for the three
bilateral agreements the text names only as antecedents, by parties and year), States by ISO
3166 alpha-3 code, organisations by name, modalities by their SKOS labels. Instance IRIs are
never named here, only the ontology's terms.

It also checks what the closure must derive (super-classes, cg:hasParty, cg:role, cg:involves,
modalities through provisions), that the ontology closes without an OWL RL error, and, in the
other direction, that the graph holds no instrument, organisation or State the text does not
name.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import owlrl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[2]
FACTS: dict[str, Any] = tomllib.loads(
    (Path(__file__).parent / "source_facts.toml").read_text("utf-8")
)

CG = Namespace("https://w3id.org/coopgraph/def/")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
OWLRL_ERROR_TEXT = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
MODALITY_SCHEME = URIRef("https://w3id.org/coopgraph/id/scheme/modalities")

NAME_PREDICATES = (RDFS.label, DCTERMS.title, DCTERMS.alternative, SKOS.prefLabel, SKOS.altLabel)
STATE_NAME_PREDICATES = (*NAME_PREDICATES, CG.isoShortName, CG.isoOfficialName)
DATE_PREDICATES = (
    CG.startDate,
    PROV.startedAtTime,
    DCTERMS.date,
    CG.date,
    CG.signatureDate,
    CG.conclusionDate,
    CG.adoptionDate,
)
ADDRESS_PREDICATES = {
    "text": (CG.textAvailableAt,),
    "more": (CG.moreInformationAt, RDFS.seeAlso),
    "source": (DCTERMS.source,),
}
LANGUAGE_CODES = {
    "english": {"en", "eng"},
    "french": {"fr", "fra", "fre"},
    "german": {"de", "deu", "ger"},
    "italian": {"it", "ita"},
    "russian": {"ru", "rus"},
    "spanish": {"es", "spa"},
}

Entry = dict[str, Any]
INSTRUMENTS: list[Entry] = FACTS["instrument"]
BY_KEY: dict[str, Entry] = {entry["key"]: entry for entry in INSTRUMENTS}


# ---------------------------------------------------------------------------
# Loading and closing the graph
# ---------------------------------------------------------------------------


def _load(folders: Iterable[str]) -> Graph:
    graph = Graph()
    for folder in folders:
        for path in sorted((ROOT / folder).glob("*.ttl")):
            graph.parse(path, format="turtle")
    return graph


def _closure(graph: Graph) -> Graph:
    closed = Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return closed


def _owlrl_errors(graph: Graph) -> list[str]:
    return sorted(
        str(text)
        for message in graph.subjects(RDF.type, OWLRL_ERROR)
        for text in graph.objects(message, OWLRL_ERROR_TEXT)
    )


@pytest.fixture(scope="module")
def asserted() -> Graph:
    return _load(["ontology", "data"])


@pytest.fixture(scope="module")
def closed(asserted: Graph) -> Graph:
    return _closure(asserted)


@pytest.fixture(scope="module")
def view(closed: Graph) -> View:
    return View(closed)


# ---------------------------------------------------------------------------
# Looking things up by the names the text uses
# ---------------------------------------------------------------------------


def norm(text: str) -> str:
    """Case-, space- and apostrophe-insensitive form of a name; a leading 'the' is dropped."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").replace("\u2013", "-")
    text = " ".join(text.split()).casefold()
    return text.removeprefix("the ")


def exact(text: str) -> str:
    """A title as written: only spacing and apostrophes are normalised."""
    return " ".join(unicodedata.normalize("NFC", text).replace("\u2019", "'").split())


def literal_key(node: Node) -> tuple[str, str | None]:
    assert isinstance(node, Literal), f"{node!r} is not a literal"
    return str(node), str(node.datatype) if node.datatype else None


def expected_literal(value: str, datatype: str) -> tuple[str, str]:
    return value, str(XSD[datatype])


class View:
    """The closed graph, searched by names, codes and labels."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph

    def names(self, node: Node, predicates: Iterable[URIRef] = NAME_PREDICATES) -> set[str]:
        return {norm(str(o)) for p in predicates for o in self.g.objects(node, p)}

    def typed(self, cls: URIRef) -> list[URIRef]:
        return sorted({s for s in self.g.subjects(RDF.type, cls) if isinstance(s, URIRef)})

    def instruments(self) -> list[URIRef]:
        return self.typed(CG.Instrument)

    def uris(self, subject: Node, predicate: URIRef) -> set[URIRef]:
        return {o for o in self.g.objects(subject, predicate) if isinstance(o, URIRef)}

    def iso(self, state: Node) -> str:
        codes = {str(code) for code in self.g.objects(state, CG.iso3166Alpha3)}
        return codes.pop() if len(codes) == 1 else f"<no single ISO code: {state}>"

    def party_codes(self, instrument: URIRef, predicate: URIRef = CG.hasParty) -> set[str]:
        return {
            self.iso(state)
            for state in self.uris(instrument, predicate)
            if (state, RDF.type, CG.State) in self.g
        }

    def state(self, iso: str) -> URIRef:
        found = sorted(
            s
            for s in self.g.subjects(CG.iso3166Alpha3, Literal(iso))
            if isinstance(s, URIRef) and (s, RDF.type, CG.State) in self.g
        )
        assert len(found) == 1, f"{len(found)} States with ISO alpha-3 code {iso}: {found}"
        return found[0]

    def organisations_named(self, name: str) -> list[URIRef]:
        return [o for o in self.typed(CG.Organisation) if norm(name) in self.names(o)]

    def organisation(self, name: str) -> URIRef:
        found = self.organisations_named(name)
        assert len(found) == 1, f"{len(found)} organisations named {name!r}: {found}"
        return found[0]

    def modality(self, name: str) -> URIRef:
        found = sorted(
            c
            for c in self.g.subjects(SKOS.inScheme, MODALITY_SCHEME)
            if isinstance(c, URIRef)
            and norm(name) in self.names(c, (SKOS.prefLabel, SKOS.altLabel))
        )
        assert len(found) == 1, f"{len(found)} modality concepts labelled {name!r}: {found}"
        return found[0]

    def concept(self, cls: URIRef, name: str) -> URIRef:
        """The concept of class `cls` (e.g. cg:CrimeType) with this SKOS label."""
        found = [
            c
            for c in self.typed(cls)
            if norm(name) in self.names(c, (SKOS.prefLabel, SKOS.altLabel))
        ]
        assert len(found) == 1, f"{len(found)} {cls} concepts labelled {name!r}: {found}"
        return found[0]

    def broader_closure(self, concept: URIRef) -> set[URIRef]:
        seen: set[URIRef] = set()
        todo = [concept]
        while todo:
            for broader in self.uris(todo.pop(), SKOS.broader):
                if broader not in seen:
                    seen.add(broader)
                    todo.append(broader)
        return seen

    def covers(
        self, subject: URIRef, concept: URIRef, predicate: URIRef = CG.coversModality
    ) -> bool:
        """`subject` covers `concept` itself or a concept narrower than it."""
        return any(
            covered == concept or concept in self.broader_closure(covered)
            for covered in self.uris(subject, predicate)
        )

    def candidates(self, entry: Entry) -> list[URIRef]:
        if "match" in entry:
            parties, year = set(entry["match"]["parties"]), entry["match"]["year"]
            return [
                i
                for i in self.instruments()
                if self.party_codes(i) == parties
                and any(
                    str(d)[:4] == year
                    for date_property in (CG.signatureDate, CG.conclusionDate)
                    for d in self.g.objects(i, date_property)
                )
            ]
        wanted = {norm(n) for n in [entry.get("title", ""), *entry.get("names", [])] if n}
        return [i for i in self.instruments() if wanted & self.names(i)]

    def instrument(self, key: str) -> URIRef:
        found = self.candidates(BY_KEY[key])
        assert len(found) == 1, f"{len(found)} instruments match {key!r}: {found}"
        return found[0]

    def named(self, name: str) -> list[URIRef]:
        """Resources (other than source sections and documents) with this name."""
        skip = {CG.SourceSection, CG.SourceDocument, CG.Document}
        return sorted(
            {
                s
                for p in NAME_PREDICATES
                for s, o in self.g.subject_objects(p)
                if isinstance(s, URIRef)
                and norm(str(o)) == norm(name)
                and not any((s, RDF.type, c) in self.g for c in skip)
            }
        )

    def participations(self, instrument: URIRef) -> set[URIRef]:
        return self.uris(instrument, CG.hasParticipation)

    def neighbours(self, node: URIRef) -> set[URIRef]:
        ignore = {RDF.type, OWL.sameAs}
        out = {o for p, o in self.g.predicate_objects(node) if p not in ignore}
        into = {s for s, p in self.g.subject_predicates(node) if p not in ignore}
        return {n for n in out | into if isinstance(n, URIRef) and n != node}


# ---------------------------------------------------------------------------
# Parameters from the expectations
# ---------------------------------------------------------------------------


@cache
def _params(kind: str) -> list[Any]:
    params: list[Any] = []
    for e in INSTRUMENTS:
        key = e["key"]
        if kind == "title" and "title" in e:
            params.append(pytest.param(e, id=key))
        elif kind == "date":
            params += [pytest.param(e, *d, id=f"{key}-{d[0]}") for d in e.get("dates", [])]
        elif kind == "participant":
            for p in e.get("participants", []):
                who = p.get("agent") or p.get("members_of") or f"{p['count']} States"
                role = p.get("role") or p["role_concept"]
                params.append(pytest.param(e, p, id=f"{key}-{role}-{who}"))
        elif kind == "modality":
            params += [pytest.param(e, m, id=f"{key}-{m}") for m in e.get("modalities", [])]
        elif kind == "provision":
            for pr in e.get("provisions", []):
                pid = f"{key}-{pr['kind']}-{pr['number']}"
                params.append(pytest.param(e, pr, id=pid))
        elif kind == "provision-modality":
            for pr in e.get("provisions", []):
                pid = f"{key}-{pr['kind']}-{pr['number']}"
                params += [pytest.param(e, pr, m, id=f"{pid}-{m}") for m in pr["modalities"]]
        elif kind in ("crimes", "target_groups", "regions"):
            params += [pytest.param(e, v, id=f"{key}-{v}") for v in e.get(kind, [])]
        elif kind in ("draws_upon", "refers_to", "mentions"):
            params += [pytest.param(e, t, id=f"{key}->{t}") for t in e.get(kind, [])]
        elif kind == "part_of" and "part_of" in e:
            params.append(pytest.param(e, id=key))
    return params


def _ids(entries: list[Entry], field: str) -> list[Any]:
    return [pytest.param(e, id=str(e[field])) for e in entries]


ALL_MODALITY_NAMES = sorted(
    {m for e in INSTRUMENTS for m in e.get("modalities", [])}
    | {m for e in INSTRUMENTS for pr in e.get("provisions", []) for m in pr["modalities"]}
)


# ---------------------------------------------------------------------------
# Instruments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("entry", _ids(INSTRUMENTS, "key"))
def test_instrument_is_in_the_graph(view: View, entry: Entry) -> None:
    found = view.candidates(entry)
    assert len(found) == 1, f"expected one instrument for {entry['key']!r}, found {found}"


@pytest.mark.parametrize("entry", _params("title"))
def test_instrument_title_as_written(view: View, entry: Entry) -> None:
    instrument = view.instrument(entry["key"])
    titles = {exact(str(t)) for t in view.g.objects(instrument, DCTERMS.title)}
    assert exact(entry["title"]) in titles, f"dcterms:title is {titles}"
    for name in entry.get("names", []):
        assert norm(name) in view.names(instrument), f"{name!r} is not a name of {instrument}"


@pytest.mark.parametrize("entry", _ids(INSTRUMENTS, "key"))
def test_instrument_class(view: View, entry: Entry) -> None:
    instrument = view.instrument(entry["key"])
    assert (instrument, RDF.type, CG[entry["class"]]) in view.g
    assert (instrument, RDF.type, CG.Instrument) in view.g


@pytest.mark.parametrize(("entry", "prop", "value", "datatype"), _params("date"))
def test_instrument_date_at_the_stated_precision(
    view: View, entry: Entry, prop: str, value: str, datatype: str
) -> None:
    instrument = view.instrument(entry["key"])
    found = {literal_key(d) for d in view.g.objects(instrument, CG[prop])}
    assert found == {expected_literal(value, datatype)}


@pytest.mark.parametrize("entry", _ids([e for e in INSTRUMENTS if "dates" in e], "key"))
def test_participation_dates_keep_the_instrument_date(view: View, entry: Entry) -> None:
    """A date on a participation (signature, attendance) is the instrument's stated date."""
    instrument = view.instrument(entry["key"])
    allowed = {
        expected_literal(v, dt)
        for prop, v, dt in entry["dates"]
        if prop in ("signatureDate", "startDate", "conclusionDate", "adoptionDate")
    }
    wrong = {
        (str(p), literal_key(d))
        for p in view.participations(instrument)
        for d in view.g.objects(p, CG.date)
        if literal_key(d) not in allowed
    }
    assert not wrong, f"participation dates other than {allowed}: {wrong}"


@pytest.mark.parametrize("entry", _ids(INSTRUMENTS, "key"))
def test_instrument_parties(view: View, entry: Entry) -> None:
    instrument = view.instrument(entry["key"])
    assert view.party_codes(instrument) == set(entry["parties"])


@pytest.mark.parametrize("entry", _ids([e for e in INSTRUMENTS if "signatories" in e], "key"))
def test_instrument_signatories(view: View, entry: Entry) -> None:
    instrument = view.instrument(entry["key"])
    assert view.party_codes(instrument, CG.hasSignatory) == set(entry["signatories"])


@pytest.mark.parametrize("entry", _ids([e for e in INSTRUMENTS if "through_agency" in e], "key"))
def test_instrument_states_involved_through_an_agency(view: View, entry: Entry) -> None:
    instrument = view.instrument(entry["key"])
    assert view.party_codes(instrument, CG.involvesThroughAgency) == set(entry["through_agency"])


@pytest.mark.parametrize(
    ("entry", "facet", "predicate"),
    [
        pytest.param(e, facet, predicate, id=f"{e['key']}-{facet}")
        for e in INSTRUMENTS
        for facet, predicate in (
            ("legal_nature", CG.legalNature),
            ("content_status", CG.contentStatus),
        )
        if facet in e
    ],
)
def test_instrument_legal_nature_and_content_status(
    view: View, entry: Entry, facet: str, predicate: URIRef
) -> None:
    instrument = view.instrument(entry["key"])
    labels = {
        label
        for concept in view.uris(instrument, predicate)
        for label in view.names(concept, (SKOS.prefLabel,))
    }
    assert labels == {norm(entry[facet])}


@pytest.mark.parametrize(("entry", "expected"), _params("participant"))
def test_participant_in_its_role(view: View, entry: Entry, expected: Entry) -> None:
    instrument = view.instrument(entry["key"])
    participations = view.participations(instrument)
    if "role" in expected:
        agent = view.organisation(expected["agent"])
        matching = {p for p in participations if (p, CG[expected["role"]], agent) in view.g}
        assert matching, f"no cg:{expected['role']} {expected['agent']!r} of {instrument}"
        if "on_behalf_of" in expected:
            state = view.state(expected["on_behalf_of"])
            assert any((p, CG.onBehalfOf, state) in view.g for p in matching), (
                f"{expected['agent']!r} does not act on behalf of {expected['on_behalf_of']}"
            )
        else:
            assert not any(view.uris(p, CG.onBehalfOf) for p in matching), (
                f"{expected['agent']!r} acts for a State the text does not support"
            )
    elif "members_of" in expected:
        organisation = view.organisation(expected["members_of"])
        matching = {
            p
            for p in participations
            if (p, CG.membersOf, organisation) in view.g
            for role in view.uris(p, CG.role)
            if norm(expected["role_concept"]) in view.names(role, (SKOS.prefLabel,))
        }
        assert matching, f"no {expected['role_concept']} group of members of {organisation}"
    else:
        counted = {
            int(c.toPython())
            for p in participations
            for role in view.uris(p, CG.role)
            if norm(expected["role_concept"]) in view.names(role, (SKOS.prefLabel,))
            for c in view.g.objects(p, CG.participantCount)
            if isinstance(c, Literal)
        }
        assert counted == {expected["count"]}, f"{expected['role_concept']} counts: {counted}"


@pytest.mark.parametrize(
    ("entry", "expected"), [p for p in _params("participant") if "act" in p.values[1]]
)
def test_participant_act(view: View, entry: Entry, expected: Entry) -> None:
    instrument = view.instrument(entry["key"])
    if "agent" in expected:
        agent = view.organisation(expected["agent"])
        matching = {
            p for p in view.participations(instrument) if (p, CG.participant, agent) in view.g
        }
    else:
        organisation = view.organisation(expected["members_of"])
        matching = {
            p for p in view.participations(instrument) if (p, CG.membersOf, organisation) in view.g
        }
    acts = {
        label
        for p in matching
        for act in view.uris(p, CG.act)
        for label in view.names(act, (SKOS.prefLabel,))
    }
    assert norm(expected["act"]) in acts, f"acts of {expected}: {acts}"


@pytest.mark.parametrize("name", ALL_MODALITY_NAMES)
def test_modality_named_by_the_text_is_in_the_scheme(view: View, name: str) -> None:
    view.modality(name)


@pytest.mark.parametrize(("entry", "name"), _params("crimes"))
def test_instrument_addresses_crime(view: View, entry: Entry, name: str) -> None:
    instrument = view.instrument(entry["key"])
    concept = view.concept(CG.CrimeType, name)
    assert view.covers(instrument, concept, CG.addressesCrime), (
        f"{concept} not addressed; addressed: {sorted(view.uris(instrument, CG.addressesCrime))}"
    )


@pytest.mark.parametrize(("entry", "name"), _params("target_groups"))
def test_instrument_target_group(view: View, entry: Entry, name: str) -> None:
    instrument = view.instrument(entry["key"])
    concept = view.concept(CG.TargetGroup, name)
    assert view.covers(instrument, concept, CG.targetGroup)


@pytest.mark.parametrize(("entry", "region"), _params("regions"))
def test_instrument_region(view: View, entry: Entry, region: str) -> None:
    instrument = view.instrument(entry["key"])
    regions = {norm(str(r)) for r in view.g.objects(instrument, CG.region)}
    assert norm(region) in regions, f"cg:region is {regions}"


@pytest.mark.parametrize(("entry", "name"), _params("modality"))
def test_instrument_covers_modality(view: View, entry: Entry, name: str) -> None:
    instrument = view.instrument(entry["key"])
    concept = view.modality(name)
    covered = sorted(view.uris(instrument, CG.coversModality))
    assert view.covers(instrument, concept), f"{concept} not covered; covered: {covered}"


def _provision(view: View, instrument: URIRef, kind: str, number: str) -> URIRef:
    linked = view.uris(instrument, CG.hasProvision) | {
        s for s in view.g.subjects(CG.provisionOf, instrument) if isinstance(s, URIRef)
    }
    found = [
        p
        for p in linked
        if {str(n) for n in view.g.objects(p, CG.provisionNumber)} == {number}
        and {norm(str(k)) for k in view.g.objects(p, CG.provisionKind)} == {kind}
    ]
    assert len(found) == 1, f"{len(found)} {kind} {number} of {instrument}: {found}"
    return found[0]


@pytest.mark.parametrize(("entry", "provision"), _params("provision"))
def test_provision_is_cited(view: View, entry: Entry, provision: Entry) -> None:
    instrument = view.instrument(entry["key"])
    found = _provision(view, instrument, provision["kind"], provision["number"])
    assert (found, CG.provisionOf, instrument) in view.g
    assert (instrument, CG.hasProvision, found) in view.g


@pytest.mark.parametrize(("entry", "provision", "name"), _params("provision-modality"))
def test_provision_covers_modality(view: View, entry: Entry, provision: Entry, name: str) -> None:
    instrument = view.instrument(entry["key"])
    found = _provision(view, instrument, provision["kind"], provision["number"])
    concept = view.modality(name)
    assert view.covers(found, concept), f"{found} does not cover {concept}"
    assert view.covers(instrument, concept), f"{instrument} does not cover {concept} (derived)"


@pytest.mark.parametrize(("entry", "target"), _params("draws_upon"))
def test_draws_upon(view: View, entry: Entry, target: str) -> None:
    instrument, earlier = view.instrument(entry["key"]), view.instrument(target)
    assert (instrument, CG.drawsUpon, earlier) in view.g
    assert (earlier, CG.drawnUponBy, instrument) in view.g


@pytest.mark.parametrize(("entry", "target"), _params("refers_to"))
def test_refers_to(view: View, entry: Entry, target: str) -> None:
    assert (view.instrument(entry["key"]), CG.refersTo, view.instrument(target)) in view.g


@pytest.mark.parametrize(("entry", "name"), _params("mentions"))
def test_organisation_mentioned_with_instrument(view: View, entry: Entry, name: str) -> None:
    """The organisation is linked to the instrument, directly or through one node."""
    instrument, organisation = view.instrument(entry["key"]), view.organisation(name)
    near = view.neighbours(instrument)
    assert organisation in near or near & view.neighbours(organisation)


# ---------------------------------------------------------------------------
# Meetings and addresses
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("meeting", _ids(FACTS["meeting"], "what"))
def test_meeting_dated_and_linked_to_its_instrument(view: View, meeting: Entry) -> None:
    instrument = view.instrument(meeting["about"])
    date = expected_literal(*meeting["date"])
    dated = [
        m
        for m in view.typed(CG.Meeting)
        if any(literal_key(d) == date for p in DATE_PREDICATES for d in view.g.objects(m, p))
    ]
    assert dated, f"no cg:Meeting dated {date}"
    linked = [m for m in dated if instrument in view.neighbours(m)]
    assert linked, f"no meeting dated {date} is linked to {instrument}: {dated}"
    for name in meeting.get("with", []):
        organisation = view.organisation(name)
        assert any(organisation in view.neighbours(m) for m in linked), (
            f"{name!r} is not linked to the meeting {linked}"
        )


@pytest.mark.parametrize("project", _ids(FACTS["project"], "name"))
def test_project_with_its_organisations_and_outcomes(view: View, project: Entry) -> None:
    found = [p for p in view.named(project["name"]) if (p, RDF.type, CG.Project) in view.g]
    assert len(found) == 1, f"{len(found)} cg:Project named {project['name']!r}"
    for name in project["with"]:
        organisation = view.organisation(name)
        assert (found[0], PROV.wasAssociatedWith, organisation) in view.g, name
    for key in project["produced"]:
        assert (view.instrument(key), CG.outcomeOf, found[0]) in view.g, key


@pytest.mark.parametrize("address", _ids(FACTS["address"], "url"))
def test_address(view: View, address: Entry) -> None:
    if address.get("of") == "section":  # "Source: ..." under a section: the section's source
        subjects = [
            section
            for section in view.typed(CG.SourceSection)
            if norm(address["about"]) in view.names(section, (DCTERMS.title,))
        ]
    else:
        subjects = view.named(address["about"])
    assert subjects, f"nothing named {address['about']!r}"
    url = URIRef(address["url"])
    predicates = ADDRESS_PREDICATES[address["relation"]]
    assert any((s, p, url) in view.g for s in subjects for p in predicates), (
        f"{subjects} not linked to {url} by {predicates}"
    )


@pytest.mark.parametrize("address", _ids([a for a in FACTS["address"] if "languages" in a], "url"))
def test_address_languages(view: View, address: Entry) -> None:
    found = {
        norm(str(lang).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])
        for lang in view.g.objects(URIRef(address["url"]), DCTERMS.language)
    }
    for language in address["languages"]:
        codes = LANGUAGE_CODES[norm(language)] | {norm(language)}
        assert codes & found, f"{language} not among the languages {found}"
    assert len(found) == len(address["languages"]), f"languages {found}"


# ---------------------------------------------------------------------------
# Organisations and States
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("entry", _ids(FACTS["organisation"], "name"))
def test_organisation(view: View, entry: Entry) -> None:
    organisation = view.organisation(entry["name"])
    assert (organisation, RDF.type, CG[entry["class"]]) in view.g
    for name in entry.get("names", []):
        assert norm(name) in view.names(organisation)
    if "agency_of" in entry:
        assert (organisation, CG.agencyOf, view.state(entry["agency_of"])) in view.g
    if "part_of" in entry:
        whole = view.organisation(entry["part_of"])
        assert (organisation, ORG.subOrganizationOf, whole) in view.g


@pytest.mark.parametrize("entry", _ids(FACTS["state"], "iso"))
def test_state_with_the_source_spelling(view: View, entry: Entry) -> None:
    state = view.state(entry["iso"])
    names = view.names(state, STATE_NAME_PREDICATES) | {
        norm(str(text))
        for name in view.g.objects(state, CG.hasName)
        for text in view.g.objects(name, CG.nameText)
    }
    assert norm(entry["spelling"]) in names, f"{entry['spelling']!r} not among {names}"
    if entry.get("former"):
        assert (state, RDF.type, CG.FormerState) in view.g
    if "current_name" in entry:
        preferred = view.names(state, (SKOS.prefLabel,))
        assert preferred == {norm(entry["current_name"])}, f"skos:prefLabel {preferred}"


# ---------------------------------------------------------------------------
# Nothing the text does not state
# ---------------------------------------------------------------------------


def test_every_instrument_in_the_graph_is_one_the_text_names(view: View) -> None:
    matched: dict[URIRef, list[str]] = {}
    for entry in INSTRUMENTS:
        for instrument in view.candidates(entry):
            matched.setdefault(instrument, []).append(entry["key"])
    unknown = [i for i in view.instruments() if i not in matched]
    ambiguous = {i: keys for i, keys in matched.items() if len(keys) > 1}
    assert not unknown, f"instruments the text does not name: {unknown}"
    assert not ambiguous, f"instruments matching several entries: {ambiguous}"


def test_every_organisation_in_the_graph_is_one_the_text_names(view: View) -> None:
    expected = {view.organisation(e["name"]) for e in FACTS["organisation"]}
    extra = [o for o in view.typed(CG.Organisation) if o not in expected]
    assert not extra, f"organisations the text does not name: {extra}"


def test_every_state_in_the_graph_is_one_the_text_names(view: View) -> None:
    """A State the text does not name is allowed only as the successor of a former State."""
    named = {view.state(e["iso"]) for e in FACTS["state"]}
    successors = {s for former in named for s in view.uris(former, CG.successorState)}
    extra = [s for s in view.typed(CG.State) if s not in named | successors]
    assert not extra, f"States the text does not name: {extra}"


# ---------------------------------------------------------------------------
# What the OWL 2 RL closure must derive
# ---------------------------------------------------------------------------


def test_ontology_alone_closes_without_error() -> None:
    ontology = _load(["ontology"])
    assert len(ontology) > 0
    closed = _closure(ontology)
    assert _owlrl_errors(closed) == []
    assert not list(closed.subjects(RDF.type, OWL.Nothing))


def test_ontology_and_data_close_without_error(closed: Graph) -> None:
    assert _owlrl_errors(closed) == []
    assert not list(closed.subjects(RDF.type, OWL.Nothing))


def test_bilateral_agreements_are_agreements_and_instruments(asserted: Graph, view: View) -> None:
    bilateral = list(asserted.subjects(RDF.type, CG.BilateralAgreement))
    expected = [e for e in INSTRUMENTS if e["class"] == "BilateralAgreement"]
    assert len(bilateral) == len(expected)
    for agreement in bilateral:
        for cls in (CG.Agreement, CG.BilateralInstrument, CG.Instrument, PROV.Entity):
            assert (agreement, RDF.type, cls) in view.g, f"{agreement} is not a {cls}"


def test_every_instance_has_the_types_of_its_super_classes(asserted: Graph, view: View) -> None:
    missing = []
    for subject, cls in asserted.subject_objects(RDF.type):
        if not isinstance(cls, URIRef) or not str(cls).startswith(str(CG)):
            continue
        for sup in asserted.transitive_objects(cls, RDFS.subClassOf):
            if isinstance(sup, URIRef) and (subject, RDF.type, sup) not in view.g:
                missing.append((subject, sup))
    assert not missing, missing


def test_uk_us_memorandum_involves_both_states_through_their_agencies_and_binds_neither(
    asserted: Graph, view: View
) -> None:
    memorandum = view.instrument("uk-us-mou")
    assert view.party_codes(memorandum) == set()
    for state in (view.state("GBR"), view.state("USA")):
        assert (state, CG.involvedThroughAgencyIn, memorandum) in view.g
        assert (state, CG.partyTo, memorandum) not in view.g
    # through agencies only: no participation states a State as cg:party
    stated = [
        p
        for p in asserted.objects(memorandum, CG.hasParticipation)
        if (p, CG.party, None) in asserted
    ]
    assert not stated, stated


def test_has_party_derived_from_every_party_participation(asserted: Graph, view: View) -> None:
    missing = [
        (instrument, state)
        for instrument, participation in asserted.subject_objects(CG.hasParticipation)
        for state in asserted.objects(participation, CG.party)
        if (instrument, CG.hasParty, state) not in view.g
    ]
    assert not missing, missing


def test_has_party_only_from_a_stated_act_of_consent(asserted: Graph, view: View) -> None:
    """A State is bound only where a participation of it as party states an act of consent."""
    unsupported = [
        (instrument, state)
        for instrument, state in view.g.subject_objects(CG.hasParty)
        if not any(
            (participation, CG.party, state) in asserted
            and any(
                (act, RDF.type, CG.ConsentToBeBound) in view.g
                for act in asserted.objects(participation, CG.act)
            )
            for participation in asserted.objects(instrument, CG.hasParticipation)
        )
    ]
    assert not unsupported, unsupported


def test_the_united_states_and_italy_are_bound_by_no_instrument(view: View) -> None:
    for iso in ("USA", "ITA"):
        assert not view.uris(view.state(iso), CG.partyTo), iso


def test_every_participation_states_its_act(asserted: Graph) -> None:
    without = sorted(
        str(p)
        for p in asserted.subjects(RDF.type, CG.Participation)
        if (p, CG.act, None) not in asserted
    )
    assert not without, without


def test_involvement_through_an_agency_derived_from_every_agency_participation(
    asserted: Graph, view: View
) -> None:
    missing = [
        (instrument, state)
        for instrument, participation in asserted.subject_objects(CG.hasParticipation)
        for state in asserted.objects(participation, CG.onBehalfOf)
        if (instrument, CG.involvesThroughAgency, state) not in view.g
        or (instrument, CG.hasParty, state) in view.g
    ]
    assert not missing, missing


def test_role_and_involves_derived_from_every_role_property(asserted: Graph, view: View) -> None:
    role_properties = list(asserted.subject_objects(CG.rolePropertyOf))
    assert len(role_properties) >= 10
    missing = []
    for prop, role in role_properties:
        for participation, agent in asserted.subject_objects(prop):
            if (participation, CG.role, role) not in view.g:
                missing.append(("role", participation, role))
            for instrument in asserted.subjects(CG.hasParticipation, participation):
                if (instrument, CG.involves, agent) not in view.g:
                    missing.append(("involves", instrument, agent))
    assert not missing, missing


def test_modalities_of_provisions_are_modalities_of_their_instrument(
    asserted: Graph, view: View
) -> None:
    missing = [
        (instrument, modality)
        for instrument, provision in asserted.subject_objects(CG.hasProvision)
        for modality in asserted.objects(provision, CG.coversModality)
        if (instrument, CG.coversModality, modality) not in view.g
    ]
    assert not missing, missing
