"""The page models, read from the bundled data: what a person came for is on each page."""

from __future__ import annotations

import pytest

from coopgraph.build.engine import open_engine
from coopgraph.model.namespaces import INSTRUMENT, MODALITY, ORGANISATION, PARTICIPATION, STATE
from coopgraph.query.engine import OxigraphEngine
from coopgraph.report.listings import Graph
from coopgraph.report.pages import (
    _ROLE_ORDER,
    Labels,
    instrument_page,
    modality_page,
    organisation_page,
    state_page,
)
from coopgraph.report.terms import DateValue, Link, page_path

WEST_AFRICA = str(INSTRUMENT["west-africa-child-trafficking-agreement-2005"])


@pytest.fixture(scope="module")
def engine() -> OxigraphEngine:
    return open_engine()


@pytest.fixture(scope="module")
def graph(engine: OxigraphEngine) -> Graph:
    return Graph.read(engine)


def _labels(links: tuple[Link, ...]) -> set[str]:
    return {link.label for link in links}


def test_malis_page_lists_its_agreements_and_partners(engine: OxigraphEngine) -> None:
    page = state_page(engine, str(STATE["MLI"]))
    assert page is not None
    assert page.label == "Mali"
    assert ("ISO 3166-1 alpha-3", "MLI") in page.codes
    assert {t.instrument.iri.rsplit("/", 1)[-1] for t in page.instruments} == {
        "mali-cote-divoire-agreement-2000",
        "burkina-faso-mali-agreement-2004",
        "senegal-mali-agreement-2004",
        "mali-guinea-agreement-2005",
        "west-africa-child-trafficking-agreement-2005",
    }
    # Bound by each (a contracting party); the Côte d'Ivoire agreement it also signed.
    assert all("party" in t.roles for t in page.instruments)
    assert {t.roles for t in page.instruments} == {("party",), ("party", "signatory")}
    partners = {p.state.label: len(p.instruments) for p in page.partners}
    assert partners["Côte d'Ivoire"] == 2  # the bilateral agreement and the West Africa one
    assert partners["Senegal"] == 1
    assert "Mali" not in partners
    west_africa = next(t for t in page.instruments if t.instrument.iri == WEST_AFRICA)
    assert west_africa.date == DateValue("2005", "year")
    assert len(west_africa.modalities) == 13
    # Dates in order, a year as a year.
    assert [t.date.shown for t in page.instruments if t.date] == [
        "2000",
        "2004",
        "2004",
        "2005",
        "2005",
    ]


def test_a_page_shows_labels_never_participation_codes(engine: OxigraphEngine) -> None:
    page = state_page(engine, str(STATE["MLI"]))
    assert page is not None
    shown = [s.value.text for s in page.statements] + [s.predicate.label for s in page.statements]
    assert not [text for text in shown if "participation/" in text or text.startswith("part:")]


def test_the_west_africa_agreement_lists_13_modalities(engine: OxigraphEngine) -> None:
    page = instrument_page(engine, WEST_AFRICA)
    assert page is not None
    assert len(page.modalities) == 13
    stated = [m.modality.label for m in page.modalities if m.stated_of_the_instrument]
    assert stated == ["victim protection and assistance"]
    from_article = [m for m in page.modalities if m.provisions]
    assert len(from_article) == 12
    assert all(
        m.provisions == ("Article 8 (pledges of the contracting parties)",) for m in from_article
    )
    assert len(page.participants) == 9
    assert {p.role for p in page.participants} == {"party"}
    assert {r.relation for r in page.relations} >= {"draws upon"}
    assert len([r for r in page.relations if r.relation == "draws upon"]) == 5
    assert page.documents[0].how == "text"
    assert page.sources
    assert page.legal_nature == ("binding treaty",)


def test_an_agency_acting_for_a_state(engine: OxigraphEngine) -> None:
    mou = instrument_page(engine, str(INSTRUMENT["nigeria-italy-mou-2004"]))
    assert mou is not None
    acting = {p.who.label: _labels(p.acting_for) for p in mou.participants if p.who}
    assert acting["National Anti-Mafia Prosecutor of Italy"] == {"Italy"}
    assert _labels(mou.states) == {"Italy", "Nigeria"}
    nigeria = state_page(engine, str(STATE["NGA"]))
    assert nigeria is not None
    assert [a.agency.label for a in nigeria.agencies] == [
        "Attorney General and Minister of Justice of Nigeria"
    ]
    taking = next(
        t for t in nigeria.instruments if t.instrument.iri.endswith("nigeria-italy-mou-2004")
    )
    assert _labels(taking.through) == {"Attorney General and Minister of Justice of Nigeria"}


def test_name_history_and_succession(engine: OxigraphEngine) -> None:
    macedonia = state_page(engine, str(STATE["MKD"]))
    assert macedonia is not None
    assert [n.text for n in macedonia.names] == [
        "Republic of Macedonia",
        "the former Yugoslav Republic of Macedonia",
        "North Macedonia",
    ]
    assert macedonia.names[0].valid_until == DateValue("2019-02-12", "day")
    serbia_and_montenegro = state_page(engine, str(STATE["SCG"]))
    assert serbia_and_montenegro is not None
    assert serbia_and_montenegro.former
    assert _labels(serbia_and_montenegro.successors) == {"Serbia", "Montenegro"}
    assert ("ISO 3166-3", "CSXX") in serbia_and_montenegro.codes


def test_counted_participants_without_names(engine: OxigraphEngine) -> None:
    bali = instrument_page(engine, str(INSTRUMENT["bali-process"]))
    assert bali is not None
    assert {(p.role, p.count) for p in bali.participants} == {
        ("participating State", 38),
        ("observer", 15),
    }
    assert all(p.who is None for p in bali.participants)


def test_a_modality_page(engine: OxigraphEngine) -> None:
    page = modality_page(engine, str(MODALITY["joint-investigation-teams"]))
    assert page is not None
    assert page.definition and page.definition.startswith("Teams of investigators")
    # Two groups (issue 14: joint investigation teams are also judicial cooperation).
    assert [a.label for a in page.path] == [
        "judicial cooperation in criminal matters",
        "law enforcement cooperation",
    ]
    assert [i.label for i, _ in page.instruments] == [
        "Police Cooperation Convention for South-East Europe"
    ]
    assert "Serbia and Montenegro" in _labels(page.states)
    broad = modality_page(engine, str(MODALITY["law-enforcement-cooperation"]))
    assert broad is not None
    assert broad.path == ()
    assert "joint investigation teams" in _labels(broad.narrower)
    through_narrower = [i.label for i, directly in broad.instruments if not directly]
    assert through_narrower  # an instrument covering a narrower modality only


def test_an_organisation_page(engine: OxigraphEngine) -> None:
    page = organisation_page(engine, str(ORGANISATION["unodc"]))
    assert page is not None
    roles = {(r.role, r.related.label) for r in page.roles}
    assert (
        "provider of technical assistance",
        "Memorandum of understanding between Nigeria and Italy",
    ) in roles
    commit = organisation_page(engine, str(ORGANISATION["commit"]))
    assert commit is not None
    # The text names no member of COMMIT: no membership is recorded (issue 14).
    assert not [r for r in commit.roles if r.role == "has member"]
    assert {r.role for r in commit.roles} == {"signatory"}


def test_no_page_for_what_is_not_there(engine: OxigraphEngine) -> None:
    assert state_page(engine, str(STATE["XXX"])) is None
    assert instrument_page(engine, str(STATE["MLI"])) is None
    assert modality_page(engine, str(INSTRUMENT["bali-process"])) is None
    assert organisation_page(engine, str(STATE["MLI"])) is None


def test_labels_name_a_participation_by_who_what_and_where(engine: OxigraphEngine) -> None:
    labels = Labels(engine)
    iri = PARTICIPATION["west-africa-child-trafficking-agreement-2005_MLI"]
    assert labels.label(iri) == (
        "Mali as party in "
        "Multilateral Cooperation Agreement to Combat Child Trafficking in West Africa"
    )


def test_dates_keep_the_precision_of_the_text() -> None:
    year, month, day = (
        DateValue("2004", "year"),
        DateValue("2004-10", "month"),
        DateValue("2006-05-05", "day"),
    )
    assert (year.shown, month.shown, day.shown) == ("2004", "October 2004", "5 May 2006")
    assert (year.start, year.end) == ("2004-01-01", "2005-01-01")
    assert (month.start, month.end) == ("2004-10-01", "2004-11-01")
    assert DateValue("2004-12", "month").end == "2005-01-01"


def test_entity_pages_sit_at_the_path_of_their_iri() -> None:
    assert page_path(str(STATE["MLI"])) == "id/state/MLI.html"
    assert page_path(str(INSTRUMENT["bali-process"])) == "id/instrument/bali-process.html"
    assert page_path("https://w3id.org/coopgraph/id/participation/x") is None
    assert page_path("http://example.org/state/MLI") is None


def test_the_lists(graph: Graph) -> None:
    states = graph.states_listing()
    mali = next(row for row in states.rows if row.cells["state"].plain == "Mali")
    assert mali.cells["instruments"].sort == 5
    assert "child trafficking" in mali.facets["crime"]
    # A State's region is the M49 region it lies in; an instrument's, the region the text
    # names and the M49 regions of its States.
    assert mali.facets["region"] == ("Africa", "Western Africa")
    instruments = graph.instruments_listing()
    assert len(instruments.rows) == 21  # the Treaty on European Union once, not also its Title VI
    west_africa = next(
        row
        for row in instruments.rows
        if "Child Trafficking in West Africa" in row.cells["instrument"].plain
    )
    assert set(west_africa.facets["region"]) == {"West Africa", "Western Africa", "Africa"}
    facet = dict(instruments.facet_values("type"))
    assert facet["bilateral agreement"] >= 5
    years = dict(instruments.facet_values("year"))
    assert years["2005"] >= 2
    assert instruments.as_plain_rows()[0] == [c.header for c in instruments.columns]
    modalities = graph.modalities_listing()
    teams = next(
        row for row in modalities.rows if row.cells["modality"].plain == "joint investigation teams"
    )
    assert teams.cells["group"].plain == (
        "judicial cooperation in criminal matters; law enforcement cooperation"
    )
    organisations = graph.organisations_listing()
    assert len(organisations.rows) == 20  # with ICE's Operations, the joint committee (issue 14)


def test_the_search_index_holds_every_name_a_person_may_type(graph: Graph) -> None:
    index = {entry["label"]: entry for entry in graph.search_index()}
    ivory = index["Côte d'Ivoire"]
    keys = {name[2] for name in ivory["names"]}  # type: ignore[attr-defined]
    assert "cote d ivoire" in keys  # normalised as the CLI's resolver does
    assert "civ" in keys and "ci" in keys
    macedonia = {name[0] for name in index["North Macedonia"]["names"]}  # type: ignore[attr-defined]
    assert "the former Yugoslav Republic of Macedonia" in macedonia
    assert index["joint investigation teams"]["kind"] == "modality"
    assert {name[0] for name in index["joint investigation teams"]["names"]} >= {"JIT"}  # type: ignore[attr-defined]
    assert index["Mali"]["page"] == "id/state/MLI.html"


def test_a_membership_a_cited_page_ended_is_a_former_one(engine: OxigraphEngine) -> None:
    united_kingdom = state_page(engine, str(STATE["GBR"]))
    assert united_kingdom is not None
    assert "European Union" not in _labels(united_kingdom.memberships)
    assert [(o.label, until) for o, until in united_kingdom.former_memberships] == [
        ("European Union", DateValue("2020-01-31", "day"))
    ]
    italy = state_page(engine, str(STATE["ITA"]))
    assert italy is not None and "European Union" in _labels(italy.memberships)
    assert italy.former_memberships == ()
    mali = state_page(engine, str(STATE["MLI"]))
    assert mali is not None
    assert [o.label for o, _ in mali.former_memberships] == [
        "Economic Community of West African States"
    ]
    eu = organisation_page(engine, str(ORGANISATION["european-union"]))
    assert eu is not None
    roles = {(r.role, r.related.label) for r in eu.roles}
    assert ("had member (until 2020-01-31)", "United Kingdom") in roles
    assert ("has member", "Italy") in roles and ("has member", "United Kingdom") not in roles


def test_the_participant_order_names_roles_of_the_role_scheme(engine: OxigraphEngine) -> None:
    # Parties, then signatories, then agencies on an instrument's page: the order is keyed by
    # role label, so a relabelled role must not silently drop out of it.
    labels = {
        str(row[0])
        for row in engine.select(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?label WHERE { ?role "
            "skos:inScheme <https://w3id.org/coopgraph/id/scheme/roles> ; skos:prefLabel ?label }"
        ).rows
    }
    assert set(_ROLE_ORDER) <= labels, set(_ROLE_ORDER) - labels
    page = instrument_page(engine, str(INSTRUMENT["see-police-cooperation-convention-2006"]))
    assert page is not None
    ranks = [_ROLE_ORDER.get(p.role, 9) for p in page.participants]
    assert ranks == sorted(ranks) and ranks[0] == 0
