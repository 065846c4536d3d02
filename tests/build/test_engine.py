"""The embedded store: built once per content of the inputs, atomically, and reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.build.engine import open_engine
from coopgraph.errors import InputError
from coopgraph.model.inputs import Inputs


def test_second_open_reuses_the_store_without_parsing_or_reasoning(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    first = open_engine(Inputs.with_data(own_data), cache)
    assert first.info is not None and first.info.rebuilt
    assert set(first.info.seconds) == {
        "parse",
        "reason",
        "validate",
        "reports",
        "validate and reports (wall)",
        "load",
    }
    second = open_engine(Inputs.with_data(own_data), cache)
    assert second.info is not None and not second.info.rebuilt
    assert second.info.seconds == {}
    assert second.info.location == first.info.location
    assert second.info.asserted_triples == first.info.asserted_triples


def test_editing_a_data_file_triggers_one_rebuild(tmp_path: Path, own_data: list[Path]) -> None:
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data(own_data), cache)
    instruments = next(p for p in own_data if p.name == "instruments.ttl")
    instruments.write_text(
        instruments.read_text(encoding="utf-8").replace(
            'rdfs:label "Bali Process"@en', 'rdfs:label "The Bali Process"@en'
        ),
        encoding="utf-8",
    )
    rebuilt = open_engine(Inputs.with_data(own_data), cache)
    assert rebuilt.info is not None and rebuilt.info.rebuilt
    again = open_engine(Inputs.with_data(own_data), cache)
    assert again.info is not None and not again.info.rebuilt
    labels = again.select(
        "SELECT ?l WHERE { <https://w3id.org/coopgraph/id/instrument/bali-process> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    assert [str(row[0]) for row in labels.rows] == ["The Bali Process"]


def test_a_failed_rebuild_leaves_the_previous_store(tmp_path: Path, own_data: list[Path]) -> None:
    cache = tmp_path / "cache"
    good = open_engine(Inputs.with_data(own_data), cache)
    assert good.info is not None
    del good
    before = sorted(p.name for p in (cache / "stores").iterdir())
    broken = own_data[0]
    broken.write_text(
        broken.read_text(encoding="utf-8") + "\nthis is not turtle .\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        open_engine(Inputs.with_data(own_data), cache)
    assert broken.name in str(caught.value)
    assert sorted(p.name for p in (cache / "stores").iterdir()) == before


def test_the_store_holds_entailments_in_their_own_graph(tmp_path: Path) -> None:
    engine = open_engine(Inputs.bundled(), tmp_path)
    table = engine.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    graphs = {str(row[0]).rsplit("/", 1)[-1] for row in table.rows}
    assert graphs == {"ontology", "data", "entailments"}


def test_the_build_materialises_the_reports_and_the_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows a built store files are those its queries give, and validate() finds the
    report the build filed (same results as validating from scratch)."""
    from coopgraph.model import resources  # noqa: PLC0415
    from coopgraph.query.catalog import load_catalog, run_stored_query  # noqa: PLC0415
    from coopgraph.query.engine import OxigraphEngine  # noqa: PLC0415
    from coopgraph.validation import kept as kept_validation  # noqa: PLC0415
    from coopgraph.validation import validator as validation  # noqa: PLC0415

    monkeypatch.setenv("COOPGRAPH_CACHE_DIR", str(tmp_path))
    engine = open_engine(Inputs.bundled())
    assert engine.tables is not None and any(engine.tables.glob("*.json"))
    plain = OxigraphEngine(engine.store)  # the same store, without the tables
    for query in load_catalog():
        arguments = query.example_arguments()
        filed = run_stored_query(query, arguments, engine)
        assert filed.variables == run_stored_query(query, arguments, plain).variables
        assert filed.as_set() == run_stored_query(query, arguments, plain).as_set()
    assert engine.info is not None
    assert list(engine.info.location.glob("validation-*.json"))
    files = resources.ontology_files(), resources.data_files(), resources.shape_files()
    assert kept_validation.kept_report(*files) is not None
    kept = validation.validate()
    fresh = validation.validate(reference=True)
    assert kept.conforms == fresh.conforms
    assert [r.as_dict() for r in kept.results] == [r.as_dict() for r in fresh.results]


def test_a_report_with_other_arguments_is_filed_once_and_read_back(tmp_path: Path) -> None:
    from coopgraph.query.catalog import load_catalog, run_stored_query  # noqa: PLC0415
    from coopgraph.query.engine import OxigraphEngine  # noqa: PLC0415

    engine = open_engine(Inputs.bundled(), tmp_path)
    assert engine.tables is not None
    query = load_catalog().get("state-profile")
    before = set(engine.tables.glob("*.json"))
    first = run_stored_query(query, {"state": "Albania"}, engine)
    filed = set(engine.tables.glob("*.json")) - before
    assert len(filed) == 1 and len(first) > 0
    again = run_stored_query(query, {"state": "Albania"}, engine)
    plain = run_stored_query(query, {"state": "Albania"}, OxigraphEngine(engine.store))
    assert again.variables == plain.variables and again.as_set() == plain.as_set()
    assert [row for row in again.rows] == [row for row in plain.rows]  # same order


def test_a_damaged_table_is_run_again_not_trusted(tmp_path: Path) -> None:
    from coopgraph.query.catalog import load_catalog, run_stored_query  # noqa: PLC0415

    engine = open_engine(Inputs.bundled(), tmp_path)
    assert engine.tables is not None
    query = load_catalog().get("former-states")
    expected = run_stored_query(query, {}, engine)
    for table in engine.tables.glob("*.json"):
        table.write_bytes(b"not JSON")
    assert run_stored_query(query, {}, engine).as_set() == expected.as_set()


def test_validate_reads_the_report_the_build_filed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the store built in --cache-dir, validation is not run again (the compiled
    validator is not even constructed) and gives the same results."""
    from coopgraph.validation import compiled as shacl  # noqa: PLC0415
    from coopgraph.validation import validator as validation  # noqa: PLC0415

    fresh = validation.validate()
    open_engine(Inputs.bundled(), tmp_path)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(shacl, "Validator", refuse)
    kept = validation.validate(cache_dir=tmp_path)
    assert [r.as_dict() for r in kept.results] == [r.as_dict() for r in fresh.results]
    with pytest.raises(AssertionError, match="validated again"):
        validation.validate(cache_dir=tmp_path / "elsewhere")
