"""The stored queries: metadata, golden results on both engines, parameters and errors."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from coopgraph.build.engine import open_engine
from coopgraph.build.reference import reference_graph
from coopgraph.errors import CoopgraphError, QueryError, UnknownNameError
from coopgraph.model.inputs import Inputs
from coopgraph.query.catalog import (
    CatalogError,
    StoredQuery,
    bind_arguments,
    load_catalog,
    read_stored_query,
    run_stored_query,
)
from coopgraph.query.engine import OxigraphEngine, RdflibEngine, with_values
from coopgraph.query.results import render_delimited

GOLDEN = Path(__file__).parent / "golden"
CATALOG = load_catalog()
UPDATE_GOLDEN = os.environ.get("COOPGRAPH_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def oxigraph(store_cache: Path) -> OxigraphEngine:
    return open_engine(Inputs.bundled(), store_cache)


@pytest.fixture(scope="module")
def rdflib_engine() -> RdflibEngine:
    return RdflibEngine(reference_graph(Inputs.bundled()))


def test_the_catalog_has_the_fifteen_reports() -> None:
    assert len(CATALOG) >= 15


@pytest.mark.parametrize("query", list(CATALOG), ids=lambda q: q.name)
def test_metadata_is_complete(query: StoredQuery) -> None:
    assert query.title and query.description
    for parameter in query.parameters:
        assert parameter.description
        assert parameter.example is not None, f"{parameter.name} has no example"


@pytest.mark.parametrize("query", list(CATALOG), ids=lambda q: q.name)
def test_golden_result(query: StoredQuery, oxigraph: OxigraphEngine) -> None:
    """Each stored query, with its example arguments, gives the reviewed golden rows."""
    table = run_stored_query(query, query.example_arguments(), oxigraph)
    text = render_delimited(table, ",")
    golden = GOLDEN / f"{query.name}.csv"
    if UPDATE_GOLDEN:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), (
        f"no golden result: run with COOPGRAPH_UPDATE_GOLDEN=1 and review {golden}"
    )
    expected = list(csv.reader(io.StringIO(golden.read_text(encoding="utf-8"))))
    actual = list(csv.reader(io.StringIO(text)))
    assert actual[0] == expected[0], "columns differ"
    assert sorted(actual[1:]) == sorted(expected[1:])
    assert len(actual) > 1, "a report must answer something on the bundled data"


@pytest.mark.parametrize("query", list(CATALOG), ids=lambda q: q.name)
def test_same_rows_on_oxigraph_and_rdflib(
    query: StoredQuery, oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine
) -> None:
    arguments = query.example_arguments()
    on_oxigraph = run_stored_query(query, arguments, oxigraph)
    on_rdflib = run_stored_query(query, arguments, rdflib_engine)
    assert on_oxigraph.variables == on_rdflib.variables
    assert on_oxigraph.as_set() == on_rdflib.as_set()


@pytest.mark.parametrize("query", list(CATALOG), ids=lambda q: q.name)
def test_defaults_give_the_same_rows_on_both_engines(
    query: StoredQuery, oxigraph: OxigraphEngine, rdflib_engine: RdflibEngine
) -> None:
    """With the arguments `coopgraph report` gives: the defaults, and the example of each
    required parameter."""
    arguments = query.report_arguments()
    assert run_stored_query(query, arguments, oxigraph).as_set() == (
        run_stored_query(query, arguments, rdflib_engine).as_set()
    )


def test_jit_pairs_are_the_seven_bound_south_east_european_states(oxigraph: OxigraphEngine) -> None:
    table = run_stored_query(CATALOG.get("shared-modality-pairs"), {}, oxigraph)
    state = "https://w3id.org/coopgraph/id/state/"
    # The five the text says entered into the Convention and ratified, and Serbia and Montenegro,
    # which ratified it in their own name (their predecessor only signed).
    seven = {URIRef(state + code) for code in ("ALB", "BIH", "MDA", "ROU", "MKD", "SRB", "MNE")}
    pairs = {frozenset((row["state_a"], row["state_b"])) for row in table.as_dicts()}
    assert len(pairs) == 21
    assert all(pair <= seven for pair in pairs)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Mali", "MLI"),
        ("MLI", "MLI"),
        ("ml", "MLI"),
        ("mali", "MLI"),
        ("Cote d'Ivoire", "CIV"),
        ("the former Yugoslav Republic of Macedonia", "MKD"),
        ("CSXX", "SCG"),
        ("https://w3id.org/coopgraph/id/state/NGA", "NGA"),
    ],
)
def test_a_state_can_be_named_as_a_person_would(
    typed: str, expected: str, oxigraph: OxigraphEngine
) -> None:
    query = CATALOG.get("cooperation-partners")
    bindings = bind_arguments(query, {"state": typed}, oxigraph)
    assert bindings["state"] == URIRef("https://w3id.org/coopgraph/id/state/" + expected)


def test_a_modality_by_label_or_alternative_label(oxigraph: OxigraphEngine) -> None:
    query = CATALOG.get("shared-modality-pairs")
    for typed in ("joint investigation teams", "JIT", "Joint-Investigation-Teams"):
        table = run_stored_query(query, {"modality": typed}, oxigraph)
        assert len(table) == 21


@pytest.mark.parametrize(
    "typed",
    [
        "information-exchange",  # the former slug
        "https://w3id.org/coopgraph/id/modality/information-exchange",  # the former IRI
        "information-and-intelligence-exchange",
        "information and intelligence exchange",
    ],
)
def test_a_replaced_modality_is_found_by_its_former_slug_or_iri(
    typed: str, oxigraph: OxigraphEngine
) -> None:
    bindings = bind_arguments(CATALOG.get("instruments-by-modality"), {"modality": typed}, oxigraph)
    expected = "https://w3id.org/coopgraph/id/modality/information-and-intelligence-exchange"
    assert bindings["modality"] == URIRef(expected)


def test_an_unknown_value_lists_close_matches(oxigraph: OxigraphEngine) -> None:
    with pytest.raises(CoopgraphError) as caught:
        run_stored_query(CATALOG.get("state-profile"), {"state": "Nigerria"}, oxigraph)
    assert "Nigeria" in str(caught.value)
    assert "close matches" in str(caught.value)


def test_a_missing_required_parameter_is_named(oxigraph: OxigraphEngine) -> None:
    with pytest.raises(CoopgraphError, match="needs parameter 'state'"):
        run_stored_query(CATALOG.get("state-profile"), {}, oxigraph)


def test_an_unknown_parameter_is_refused_with_the_known_ones(oxigraph: OxigraphEngine) -> None:
    with pytest.raises(UnknownNameError, match="stat"):
        run_stored_query(CATALOG.get("state-profile"), {"stat": "Mali"}, oxigraph)


def test_an_unknown_query_name_suggests_the_close_one() -> None:
    with pytest.raises(UnknownNameError) as caught:
        CATALOG.get("state-profil")
    assert caught.value.suggestions == ["state-profile"]


def test_a_bad_year_is_refused(oxigraph: OxigraphEngine) -> None:
    with pytest.raises(CoopgraphError, match="not a year"):
        run_stored_query(CATALOG.get("timeline"), {"from_year": "two thousand"}, oxigraph)


def test_year_parameters_filter_the_timeline(oxigraph: OxigraphEngine) -> None:
    table = run_stored_query(
        CATALOG.get("timeline"), {"from_year": "2005", "to_year": "2005"}, oxigraph
    )
    assert table.rows
    assert all(str(row["date"]).startswith("2005") for row in table.as_dicts())


INJECTION = '"} ; DROP ALL ; #'


def test_an_injection_attempt_is_a_plain_value(tmp_path: Path, oxigraph: OxigraphEngine) -> None:
    """A string parameter is bound as a literal: the query still runs, and finds nothing."""
    stored = tmp_path / "labelled.rq"
    stored.write_text(
        "#+ title: Resources with a label\n"
        "#+ description: test\n"
        "#+ params:\n"
        "#+   text:\n"
        "#+     type: string\n"
        "#+     description: a label\n"
        "#+     example: Mali\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?thing WHERE { ?thing rdfs:label ?label FILTER(STR(?label) = ?text) }\n",
        encoding="utf-8",
    )
    query = read_stored_query(stored)
    assert len(run_stored_query(query, {"text": "Mali"}, oxigraph)) == 1
    assert len(run_stored_query(query, {"text": INJECTION}, oxigraph)) == 0
    text = with_values(query.text, {"text": Literal(INJECTION)})
    assert 'VALUES (?text) { ("\\"} ; DROP ALL ; #") }' in text


def test_an_iri_with_syntax_characters_is_refused() -> None:
    with pytest.raises(QueryError, match="not a valid IRI"):
        with_values("SELECT * WHERE { ?s ?p ?x }", {"x": URIRef("http://x> } ; DROP ALL ; #")})


def test_values_block_binds_year_literals() -> None:
    text = with_values("SELECT * WHERE { ?s ?p ?y }", {"y": Literal("2005", datatype=XSD.gYear)})
    assert 'VALUES (?y) { ("2005"^^<http://www.w3.org/2001/XMLSchema#gYear>) }' in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("SELECT * WHERE { ?s ?p ?o }\n", "title"),
        ("#+ title: x\nSELECT * WHERE { ?s ?p \n", "broken.rq:2"),
        ("#+ title: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n", "not valid YAML"),
        (
            "#+ title: x\n#+ params:\n#+   who:\n#+     type: planet\n#+     description: d\n"
            "SELECT * WHERE { ?who ?p ?o }\n",
            "unknown type 'planet'",
        ),
        (
            "#+ title: x\n#+ params:\n#+   who:\n#+     type: state\n#+     description: d\n"
            "SELECT * WHERE { ?s ?p ?o }\n",
            "not a variable of the query",
        ),
    ],
)
def test_a_broken_stored_query_names_its_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(content, encoding="utf-8")
    with pytest.raises((CatalogError, QueryError)) as caught:
        read_stored_query(path)
    assert "broken.rq" in str(caught.value)
    assert message in str(caught.value)
