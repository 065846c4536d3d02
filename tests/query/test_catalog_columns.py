"""Human column headers: a `columns:` mapping in a stored query's header, else made from the
variable name."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.query.catalog import CatalogError, header_for, load_catalog, read_stored_query

QUERY = """\
#+ title: Pairs
#+ columns:
#+   state_a_label: State
#+   instrument_count: Shared instruments
SELECT ?state_a_label ?state_b_label ?instrument_count WHERE { ?s ?p ?o }
"""


def test_a_columns_header_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "pairs.rq"
    path.write_text(QUERY, encoding="utf-8")
    query = read_stored_query(path)
    assert query.header("state_a_label") == "State"
    assert query.header("instrument_count") == "Shared instruments"
    assert query.header("state_b_label") == "State B"  # not named: made from the variable


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("#+ columns: [a, b]", "'columns' must map column names to headers"),
        ("#+ columns: {state_a_label: ''}", "'columns' must map column names to headers"),
        ("#+ columns: {nowhere: Nowhere}", "'nowhere', which is not a variable of the query"),
    ],
)
def test_a_broken_columns_header_names_the_file(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "broken.rq"
    path.write_text(
        f"#+ title: Broken\n{header}\nSELECT ?state_a_label WHERE {{ ?s ?p ?o }}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match=message) as raised:
        read_stored_query(path)
    assert "broken.rq" in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "header"),
    [
        ("state_a_label", "State A"),
        ("instrument_label", "Instrument"),
        ("instrument_count", "Instrument count"),
        ("iso3166_3", "ISO 3166-3"),
        ("shared_instruments", "Shared instruments"),
        ("named_as", "Named as"),
    ],
)
def test_headers_made_from_variable_names(variable: str, header: str) -> None:
    assert header_for(variable) == header


def test_every_bundled_column_has_a_header_without_underscores() -> None:
    for query in load_catalog():
        for variable in set(query.text.split("?")):
            name = variable.split()[0].strip("(),;.") if variable.split() else ""
            if name.isidentifier():
                assert "_" not in query.header(name), (query.name, name)
