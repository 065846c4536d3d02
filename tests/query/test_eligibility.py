"""Who is eligible by membership (issue 14, item 6): the cited member lists as the `eligibility`
stored query gives them. Membership never makes a State a party; an organisation with no cited
membership is said to have none recorded, not to have no members."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from coopgraph.build.engine import open_engine
from coopgraph.model.inputs import Inputs
from coopgraph.model.namespaces import sparql_prologue
from coopgraph.query.catalog import load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine

CATALOG = load_catalog()
ID = "https://w3id.org/coopgraph/id/"
TEU = ID + "instrument/treaty-on-european-union"
WEST_CENTRAL_AFRICA = ID + "instrument/west-central-africa-multilateral-agreement"
INTERPOL_MODEL = ID + "instrument/interpol-model-police-cooperation-agreement"
PUNCH = "https://punchng.com/breaking-ecowas-okays-withdrawal-of-niger-mali-bfaso-by-january-2025/"


@pytest.fixture(scope="module")
def rows(store_cache: Path) -> list[dict[str, str]]:
    engine = open_engine(Inputs.bundled(), store_cache)
    table = run_stored_query(CATALOG.get("eligibility"), {}, engine)
    return [
        {key: str(value) for key, value in row.items() if value is not None}
        for row in table.as_dicts()
    ]


@pytest.fixture(scope="module")
def oxigraph(store_cache: Path) -> OxigraphEngine:
    return open_engine(Inputs.bundled(), store_cache)


def test_interpol_membership_is_said_to_be_not_recorded(rows: list[dict[str, str]]) -> None:
    interpol = [row for row in rows if row["instrument"] == INTERPOL_MODEL]
    assert [(row["organisation_label"], row["status"]) for row in interpol] == [
        ("INTERPOL", "membership not recorded")
    ]
    assert interpol[0]["act_label"] == "eligible as a member"
    assert "member" not in interpol[0]


def test_every_member_each_page_names_has_a_row(rows: list[dict[str, str]]) -> None:
    # ECCAS's page names eleven member States, the MFWA page fifteen for ECOWAS; the EU's page
    # the 27 of today and the United Kingdom, which withdrew.
    per_organisation = Counter(row["organisation_label"] for row in rows)
    assert per_organisation == {
        "Economic Community of Central African States": 11,
        "Economic Community of West African States": 15,
        "European Union": 28,
        "INTERPOL": 1,
    }
    ecowas_in_graph = {
        row["member_label"]
        for row in rows
        if row["organisation_label"] == "Economic Community of West African States"
        and row["status"] == "member (a State of this graph)"
    }
    assert ecowas_in_graph == {
        "Benin", "Burkina Faso", "Côte d'Ivoire", "Guinea", "Liberia", "Mali", "Niger",
        "Nigeria", "Senegal", "Togo",
    }  # fmt: skip


def test_a_member_is_not_a_party_of_the_instrument(
    rows: list[dict[str, str]], oxigraph: OxigraphEngine
) -> None:
    members = [row for row in rows if row["status"] == "member (a State of this graph)"]
    assert members
    assert {row["engagement"] for row in members} == {"not named by the text"}
    for instrument in (TEU, WEST_CENTRAL_AFRICA):
        query = sparql_prologue() + f"SELECT ?state WHERE {{ <{instrument}> cg:hasParty ?state }}"
        assert len(oxigraph.select(query).rows) == 0


def test_entry_dates_are_compared_with_the_pre_lisbon_version(rows: list[dict[str, str]]) -> None:
    teu = {row["member_label"]: row for row in rows if row["instrument"] == TEU}
    assert teu["Croatia"]["member_from"] == "2013-07-01"
    assert teu["Croatia"]["text_version_note"].startswith("entered after the version")
    assert teu["Romania"]["member_from"] == "2007-01-01"
    assert teu["Romania"]["text_version_note"].startswith("entered before the version")
    assert (teu["United Kingdom"]["member_from"], teu["United Kingdom"]["member_until"]) == (
        "1973-01-01",
        "2020-01-31",
    )


def test_the_withdrawals_from_ecowas_end_on_the_day_a_cited_page_states(
    rows: list[dict[str, str]],
) -> None:
    ended = {
        row["member_label"]: (row["member_until"], row["end_source"])
        for row in rows
        if row["organisation_label"] == "Economic Community of West African States"
        and row.get("member_until")
    }
    assert ended == {state: ("2025-01-29", PUNCH) for state in ("Burkina Faso", "Mali", "Niger")}
    # No page gives an ECOWAS or ECCAS member's date of entry: none is recorded.
    african = [row for row in rows if row["instrument"] == WEST_CENTRAL_AFRICA]
    assert {row["member_from"] for row in african} == {""}
