"""The law's distinctions as the stored queries give them (issue 14): a successor State sees its
predecessor's instruments, an agency's arrangement binds no State, a declaration is adopted."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from coopgraph.build.engine import open_engine
from coopgraph.model.inputs import Inputs
from coopgraph.model.namespaces import sparql_prologue
from coopgraph.query.catalog import load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine, RdflibEngine

CATALOG = load_catalog()
INSTRUMENT = "https://w3id.org/coopgraph/id/instrument/"
SEE = URIRef(INSTRUMENT + "see-police-cooperation-convention-2006")


@pytest.fixture(scope="module")
def oxigraph(store_cache: Path) -> OxigraphEngine:
    return open_engine(Inputs.bundled(), store_cache)


def _rows(oxigraph: OxigraphEngine, name: str, **arguments: str) -> list[dict[str, str]]:
    table = run_stored_query(CATALOG.get(name), arguments, oxigraph)
    return [
        {key: str(value) for key, value in row.items() if value is not None}
        for row in table.as_dicts()
    ]


@pytest.mark.parametrize("state", ["Serbia", "Montenegro"])
def test_a_successor_state_profile_lists_the_see_convention_via_serbia_and_montenegro(
    oxigraph: OxigraphEngine, state: str
) -> None:
    rows = _rows(oxigraph, "state-profile", state=state)
    see = [row for row in rows if row["instrument"] == str(SEE)]
    (via,) = [row for row in see if row.get("via") == "Serbia and Montenegro"]
    assert via["date"] == "2006-05-05"  # the signature, the act the text dates
    assert via["acts"] == "signed"  # it never ratified (third review of issue 14)
    (own,) = [row for row in see if not row.get("via")]
    assert own["acts"] == "contracting party"  # its own ratification, an outside fact


@pytest.mark.parametrize("state", ["Serbia", "Montenegro"])
def test_a_successor_states_partners_in_its_own_name_and_none_from_a_mere_signature(
    oxigraph: OxigraphEngine, state: str
) -> None:
    rows = _rows(oxigraph, "cooperation-partners", state=state)
    partners = {row["partner_label"] for row in rows}
    other = {"Serbia", "Montenegro"} - {state}
    assert (
        partners
        == {"Albania", "Bosnia and Herzegovina", "Moldova", "North Macedonia"} | {"Romania"} | other
    )
    # Serbia and Montenegro only signed: no State is its partner, so nothing comes "via" it.
    assert all(row.get("via", "") == "" for row in rows)
    assert all("(via" not in row["instruments"] for row in rows)


_SUCCESSION = """
@prefix cg: <https://w3id.org/coopgraph/def/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
ex:old a cg:State ; rdfs:label "Old Union"@en .
ex:new a cg:State ; rdfs:label "New State"@en ; cg:predecessorState ex:old .
ex:partner a cg:State ; rdfs:label "Partner"@en .
ex:old-treaty a cg:Instrument ; rdfs:label "Old treaty"@en ;
    cg:hasParty ex:old , ex:partner ; cg:engages ex:old , ex:partner .
ex:new-treaty a cg:Instrument ; rdfs:label "New treaty"@en ;
    cg:hasParty ex:new , ex:partner ; cg:engages ex:new , ex:partner .
ex:memorandum a cg:Instrument ; rdfs:label "Memorandum"@en ; cg:engages ex:new , ex:partner .
"""


def test_a_successor_states_partners_through_its_predecessor_are_marked_via() -> None:
    engine = RdflibEngine(Graph().parse(data=_SUCCESSION, format="turtle"))
    table = run_stored_query(CATALOG.get("cooperation-partners"), {"state": "New State"}, engine)
    (row,) = [{key: str(value) for key, value in r.items()} for r in table.as_dicts()]
    assert row["partner_label"] == "Partner" and row["instrument_count"] == "3"
    assert set(row["instruments"].split("; ")) == {
        "Memorandum",
        "New treaty",
        "Old treaty (via Old Union)",
    }
    assert row["bound_count"] == "2"  # the memorandum binds neither
    assert set(row["binding_both"].split("; ")) == {"New treaty", "Old treaty (via Old Union)"}
    assert row["via"] == "Old Union"
    # The predecessor itself sees its own treaty only, unmarked.
    table = run_stored_query(CATALOG.get("cooperation-partners"), {"state": "Old Union"}, engine)
    assert [str(r["instruments"]) for r in table.as_dicts()] == ["Old treaty"]


def test_serbia_and_montenegro_are_bound_by_their_own_ratification_not_their_predecessors(
    oxigraph: OxigraphEngine,
) -> None:
    # Serbia and Montenegro signed on 5 May 2006 and ended on 5 June 2006 without ratifying.
    (serbia,) = _rows(oxigraph, "successor-obligations", state="Serbia")
    assert serbia["instrument"] == str(SEE)
    assert serbia["succession"] == "bound in its own name"
    assert serbia["succession_date"] == "2006-06-05"
    (montenegro,) = _rows(oxigraph, "successor-obligations", state="Montenegro")
    assert montenegro["succession"] == "bound in its own name"
    assert montenegro["succession_date"] == "2006-06-03"
    assert _rows(oxigraph, "successor-obligations", state="Serbia and Montenegro") == []


@pytest.mark.parametrize("state", ["United States", "Italy"])
def test_the_united_states_and_italy_are_bound_by_nothing(
    oxigraph: OxigraphEngine, state: str
) -> None:
    assert _rows(oxigraph, "successor-obligations", state=state) == []
    rows = [r for r in _rows(oxigraph, "participations") if r.get("acting_for_label") == state]
    assert rows and all(row["binding"] == "not bound" for row in rows)
    profile = _rows(oxigraph, "state-profile", state=state)
    assert profile and all(row["roles"] != "party" for row in profile)


def test_the_brussels_statement_is_adopted_not_signed(oxigraph: OxigraphEngine) -> None:
    events = {
        row["event"]
        for row in _rows(oxigraph, "timeline")
        if row["instrument"].endswith("brussels-statement-2006")
    }
    assert events == {"adoption by a meeting", "meeting"}


def test_silence_is_not_absence_in_the_gaps(oxigraph: OxigraphEngine) -> None:
    rows = _rows(oxigraph, "modality-gaps", modality="extradition")
    mali_senegal = next(r for r in rows if r["kind"] == "pair" and r["state_b_label"] == "Senegal")
    assert mali_senegal["content_unknown"] == "1"  # the 2004 agreement is named only
    assert "(named only)" in mali_senegal["what_the_text_says"]


def test_articles_in_numeric_order(oxigraph: OxigraphEngine) -> None:
    rows = _rows(oxigraph, "provisions")
    west_central = [
        row["provision_label"]
        for row in rows
        if row["instrument"].endswith("west-central-africa-multilateral-agreement")
    ]
    assert list(dict.fromkeys(west_central)) == ["Article 2", "Article 14", "Article 16"]


def test_cooperation_by_region_tells_within_from_across(oxigraph: OxigraphEngine) -> None:
    rows = {row["instrument"]: row for row in _rows(oxigraph, "cooperation-by-region")}
    uk_us = rows[INSTRUMENT + "uk-us-mou-2007"]
    assert uk_us["extent"] == "across regions"
    assert set(uk_us["sub_regions"].split("; ")) == {"Northern Europe", "Northern America"}
    see = rows[str(SEE)]
    assert see["extent"] == "across sub-regions of one region"
    assert set(see["sub_regions"].split("; ")) == {"Southern Europe", "Eastern Europe"}
    assert (see["text_region"], see.get("text_region_m49", "")) == ("South-East Europe", "")
    west_africa = rows[INSTRUMENT + "west-africa-child-trafficking-agreement-2005"]
    assert west_africa["extent"] == "within one sub-region"
    assert (west_africa["text_region"], west_africa["text_region_m49"]) == (
        "West Africa",
        "Western Africa",
    )


def test_documents_and_languages_gives_languages_only_where_the_text_says(
    oxigraph: OxigraphEngine,
) -> None:
    rows = _rows(oxigraph, "documents-and-languages")
    with_languages = {
        (row["instrument"], row["address"]): set(row["languages"].split("; "))
        for row in rows
        if row.get("languages")
    }
    assert with_languages == {
        (INSTRUMENT + "brussels-statement-2006", "http://www.osce.org/spmu/documents.html"): {
            "English",
            "French",
            "German",
            "Italian",
            "Russian",
            "Spanish",
        }
    }
    # The UNICEF page is the source of the Benin-Nigeria section, not an address of its text.
    (benin_nigeria,) = [
        row for row in rows if row["instrument"] == INSTRUMENT + "benin-nigeria-agreement-2005"
    ]
    assert benin_nigeria.get("address", "") == ""
    assert len({row["instrument"] for row in rows}) == 21


def _select(oxigraph: OxigraphEngine, where: str) -> list[dict[str, str]]:
    query = sparql_prologue() + "SELECT * WHERE { " + where + " }"
    return [
        {key: str(value) for key, value in row.items() if value is not None}
        for row in oxigraph.select(query).as_dicts()
    ]


def test_the_treaty_on_european_union_is_one_instrument_in_its_pre_lisbon_version(
    oxigraph: OxigraphEngine,
) -> None:
    titles = _select(
        oxigraph, "?i a cg:Instrument ; rdfs:label ?l . FILTER(CONTAINS(?l, 'European Union'))"
    )
    assert [row["i"] for row in titles] == [INSTRUMENT + "treaty-on-european-union"]
    # The old IRIs still resolve: Title VI as the Treaty's provision, the member States'
    # second participation as a pointer to the Treaty's.
    (title_vi,) = _select(oxigraph, "inst:teu-title-vi a cg:Provision ; cg:provisionOf ?treaty")
    assert title_vi["treaty"] == INSTRUMENT + "treaty-on-european-union"
    (replaced,) = _select(oxigraph, "part:teu-title-vi_eu-members dcterms:isReplacedBy ?by")
    assert replaced["by"].endswith("treaty-on-european-union_eu-members")
    (version,) = _select(
        oxigraph,
        "inst:treaty-on-european-union cg:textVersion ?v . "
        "?v rdfs:label ?label ; dcterms:source ?s "
        "FILTER(CONTAINS(STR(?s), 'CELEX'))",
    )
    assert version["label"] == "Treaty on European Union before the Treaty of Lisbon"


def test_the_joint_action_plan_and_the_guidelines_are_resources_as_the_text_states_them(
    oxigraph: OxigraphEngine,
) -> None:
    (plan,) = _select(
        oxigraph, "?committee cg:establishedToImplement ?plan . ?plan a cg:ActionPlan"
    )
    assert plan["committee"].endswith("benin-nigeria-joint-committee")
    (guidelines,) = _select(oxigraph, "?guidelines a cg:Guidelines ; prov:wasGeneratedBy ?project")
    assert guidelines["project"].endswith("nigeria-italy-programme")
    # Outcomes, not instruments: nothing is counted twice.
    assert not _select(oxigraph, "?outcome a cg:Outcome , cg:Instrument")


def test_modality_coverage_tells_bound_states_from_states_involved_through_an_agency(
    oxigraph: OxigraphEngine,
) -> None:
    rows = _rows(oxigraph, "modality-coverage")
    for row in rows:
        ways = int(row["bound"]) + int(row["signatory"]) + int(row["through_agency"])
        assert int(row["instrument_count"]) == ways, row
    # The United States takes part in the UK-US memorandum only through ICE: involved, not bound.
    united_states = [row for row in rows if row["state_label"] == "United States"]
    assert united_states
    assert all((row["bound"], row["through_agency"]) == ("0", "1") for row in united_states)
    # Mali is bound by its bilateral agreements.
    assert any(int(row["bound"]) > 0 for row in rows if row["state_label"] == "Mali")


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("Ivory Coast", "CIV"),  # Q1008's English label on Wikidata
        ("Yugoslavia", "SCG"),  # the short name until 4 February 2003
        ("Federal Republic of Yugoslavia", "SCG"),
        ("Côte d'Ivoire", "CIV"),
    ],
)
def test_a_state_is_found_by_its_alias_or_former_name(
    oxigraph: OxigraphEngine, name: str, state: str
) -> None:
    by_alias = _rows(oxigraph, "state-profile", state=name)
    by_code = _rows(oxigraph, "state-profile", state=state)
    assert by_alias and by_alias == by_code


def test_the_federal_republic_of_yugoslavia_is_a_dated_cited_former_name(
    oxigraph: OxigraphEngine,
) -> None:
    (name,) = _select(
        oxigraph,
        "state:SCG cg:hasName ?n . ?n cg:nameText 'Federal Republic of Yugoslavia'@en ; "
        "cg:validUntil ?until ; dcterms:source ?source "
        "FILTER(CONTAINS(STR(?source), 'wikipedia'))",
    )
    assert name["until"] == "2003-02-04"


@pytest.mark.parametrize(("state", "partner"), [("Thailand", "Lao"), ("Italy", "Nigeria")])
def test_partners_through_a_memorandum_are_partners_bound_by_nothing_together(
    oxigraph: OxigraphEngine, state: str, partner: str
) -> None:
    rows = _rows(oxigraph, "cooperation-partners", state=state)
    (row,) = [row for row in rows if row["partner_label"].startswith(partner)]
    assert row["bound_count"] == "0" and row.get("binding_both", "") == ""
    assert int(row["instrument_count"]) >= 1


def test_a_partner_that_only_signed_is_not_marked_via(oxigraph: OxigraphEngine) -> None:
    rows = _rows(oxigraph, "cooperation-partners", state="Albania")
    (signatory,) = [row for row in rows if row["partner_label"] == "Serbia and Montenegro"]
    assert signatory["instruments"] == "Police Cooperation Convention for South-East Europe"
    assert signatory["bound_count"] == "0" and signatory.get("via", "") == ""
