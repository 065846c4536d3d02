"""An edit to a data file revises the earlier store (parse the file, DRed on the closure,
apply the difference, carry over the reports it cannot change), and the revised store holds
exactly what a full build of the edited files holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph.build import footprint
from coopgraph.build.engine import StoreEngine, open_engine
from coopgraph.errors import CoopgraphError
from coopgraph.model.inputs import Inputs
from coopgraph.model.namespaces import DATA_GRAPH, ENTAILMENTS_GRAPH
from coopgraph.query import tables
from coopgraph.query.catalog import load_catalog, run_stored_query
from coopgraph.query.engine import OxigraphEngine
from coopgraph.validation.validator import validate

CG = "https://w3id.org/coopgraph/def/"
BALI = "<https://w3id.org/coopgraph/id/instrument/bali-process>"

Quads = dict[str, set[tuple[str, str, str]]]


def _graphs(engine: OxigraphEngine) -> Quads:
    found: Quads = {}
    for name in (DATA_GRAPH, ENTAILMENTS_GRAPH):
        quads = engine.store.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))
        found[str(name)] = {(str(q.subject), str(q.predicate), str(q.object)) for q in quads}
    return found


def _reports(engine: OxigraphEngine) -> dict[str, object]:
    rows: dict[str, object] = {}
    for query in load_catalog():
        try:
            rows[query.name] = run_stored_query(query, query.report_arguments(), engine).rows
        except CoopgraphError as error:
            rows[query.name] = str(error)
    return rows


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _file(own_data: list[Path], name: str) -> Path:
    return next(path for path in own_data if path.name == name)


def _assert_same_as_a_full_build(
    revised: StoreEngine, own_data: list[Path], tmp_path: Path
) -> None:
    full = open_engine(Inputs.with_data(own_data), tmp_path / "full-cache")
    assert full.info is not None and full.info.revised_from is None
    assert revised.info is not None
    assert revised.info.asserted_triples == full.info.asserted_triples
    assert revised.info.entailed_triples == full.info.entailed_triples
    revised_graphs, full_graphs = _graphs(revised), _graphs(full)
    for name, triples in full_graphs.items():
        missing, extra = triples - revised_graphs[name], revised_graphs[name] - triples
        assert not missing and not extra, (name, sorted(missing)[:3], sorted(extra)[:3])
    assert _reports(revised) == _reports(full)


def test_an_edit_revises_the_earlier_store_to_what_a_full_build_gives(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    first = open_engine(Inputs.with_data(own_data), cache)
    assert first.info is not None
    del first
    instruments = _file(own_data, "instruments.ttl")
    _edit(instruments, 'rdfs:label "Bali Process"@en', 'rdfs:label "The Bali Process"@en')
    revised = open_engine(Inputs.with_data(own_data), cache)
    assert revised.info is not None and revised.info.rebuilt
    assert revised.info.revised_from is not None
    assert set(revised.info.seconds) >= {"parse", "reason", "store", "revise (wall)"}
    labels = revised.select(
        f"SELECT ?l WHERE {{ {BALI} <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    )
    assert [str(row[0]) for row in labels.rows] == ["The Bali Process"]
    _assert_same_as_a_full_build(revised, own_data, tmp_path)


def test_removing_and_adding_facts_that_entail_others(tmp_path: Path, own_data: list[Path]) -> None:
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data(own_data), cache)
    instruments = _file(own_data, "instruments.ttl")
    text = instruments.read_text(encoding="utf-8")
    # Law-enforcement cooperation gone from every instrument of this file: what it entailed
    # (cg:coversModalityWithin, over skos:broader too) goes, unless something else entails it.
    old = "cg:coversModality modality:law-enforcement-cooperation , "
    assert text.count(old) > 2
    instruments.write_text(text.replace(old, "cg:coversModality "), encoding="utf-8")
    extra = instruments.parent / "more.ttl"
    extra.write_text(
        f"@prefix cg: <{CG}> .\n"
        f"{BALI} cg:coversModality <https://w3id.org/coopgraph/id/modality/training> .\n",
        encoding="utf-8",
    )
    files = [*own_data, extra]
    revised = open_engine(Inputs.with_data(files), cache)
    assert revised.info is not None and revised.info.revised_from is not None, (
        revised.info and revised.info.not_revised
    )
    manifest = json.loads((revised.info.location / "manifest.json").read_text())
    assert manifest["revision"]["entailments_removed"] > 0
    _assert_same_as_a_full_build(revised, files, tmp_path)


def test_a_triple_still_stated_in_another_file_stays(tmp_path: Path, own_data: list[Path]) -> None:
    states = _file(own_data, "states.ttl")
    copy = states.parent / "copy-of-states.ttl"
    shutil.copyfile(states, copy)
    files = [*own_data, copy]
    cache = tmp_path / "cache"
    before = open_engine(Inputs.with_data(files), cache)
    assert before.info is not None
    count = before.info.asserted_triples
    del before
    copy.write_text("", encoding="utf-8")
    revised = open_engine(Inputs.with_data(files), cache)
    assert revised.info is not None and revised.info.revised_from is not None
    assert revised.info.asserted_triples == count
    _assert_same_as_a_full_build(revised, files, tmp_path)


def test_reports_the_edit_cannot_change_are_carried_over(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    earlier = open_engine(Inputs.with_data(own_data), cache)
    assert earlier.info is not None
    earlier_tables = earlier.info.location / tables.FOLDER
    # A date changes: only the reports that read cg:signatureDate run again; the tables of
    # the others are the earlier store's own files (linked, not computed).
    _edit(
        _file(own_data, "instruments.ttl"),
        'cg:signatureDate "2006-05-05"^^xsd:date',
        'cg:signatureDate "2006-05-06"^^xsd:date',
    )
    revised = open_engine(Inputs.with_data(own_data), cache)
    assert revised.info is not None and revised.info.revised_from is not None
    manifest = json.loads((revised.info.location / "manifest.json").read_text())
    changed = frozenset({CG + "signatureDate"})
    to_run = 0
    for query in load_catalog():
        prefix = tables.query_digest(query.text)
        found = sorted((revised.info.location / tables.FOLDER).glob(f"{prefix}-*.json"))
        assert found, f"{query.name} has no table"
        table = found[0]
        carried = table.stat().st_ino == (earlier_tables / table.name).stat().st_ino
        reads_dates = footprint.reads(query.text).touched_by(changed, frozenset())
        assert carried != reads_dates, query.name
        to_run += reads_dates
    assert 0 < to_run < len(load_catalog())
    assert manifest["reports_to_run"] == to_run
    _assert_same_as_a_full_build(revised, own_data, tmp_path)


@pytest.mark.parametrize(
    ("addition", "why"),
    [
        ('[] rdfs:label "anonymous"@en .\n', "blank nodes"),
        (f"<{CG}NewClass> rdfs:subClassOf <{CG}Instrument> .\n", "class or property axioms"),
        ('<https://example.org/a> <https://example.org/never-seen> "x" .\n', "predicate new"),
    ],
)
def test_an_edit_that_cannot_be_revised_is_built_in_full(
    tmp_path: Path, own_data: list[Path], addition: str, why: str
) -> None:
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data(own_data), cache)
    path = _file(own_data, "sources.ttl")
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        + addition,
        encoding="utf-8",
    )
    built = open_engine(Inputs.with_data(own_data), cache)
    assert built.info is not None and built.info.rebuilt
    assert built.info.revised_from is None
    assert built.info.not_revised is not None and why in built.info.not_revised
    assert "validate" in built.info.seconds  # the full build ran


def test_an_edit_of_most_of_the_triples_is_built_in_full(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data(own_data), cache)
    for name in ("instruments.ttl", "commitments.ttl", "states.ttl"):
        _file(own_data, name).write_text("", encoding="utf-8")
    built = open_engine(Inputs.with_data(own_data), cache)
    assert built.info is not None and built.info.rebuilt
    assert built.info.revised_from is None
    assert built.info.not_revised == "the edit changes most of the triples"


def test_an_edit_of_comments_only_changes_nothing_but_the_inputs_hash(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data(own_data), cache)
    for path in own_data:
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    revised = open_engine(Inputs.with_data(own_data), cache)
    assert revised.info is not None and revised.info.revised_from is not None
    manifest = json.loads((revised.info.location / "manifest.json").read_text())
    assert manifest["reports_to_run"] == 0
    assert all(count == 0 for key, count in manifest["revision"].items() if key != "insert_rounds")


def test_a_revision_keeps_the_validation_report_as_a_build_does(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data(own_data), cache)
    _edit(
        _file(own_data, "instruments.ttl"),
        'rdfs:label "Bali Process"@en',
        'rdfs:label "The Bali Process"@en',
    )
    revised = open_engine(Inputs.with_data(own_data), cache)
    assert revised.info is not None and revised.info.revised_from is not None
    (kept,) = [
        path
        for path in revised.info.location.glob("validation-*.json")
        if not path.name.startswith("validation-checks-")
    ]
    assert validate(own_data, cache_dir=cache).results == validate(own_data, reference=True).results
    # Without the kept report (a store above the in-memory limit keeps none), validate
    # validates once, then keeps its report with the store.
    kept.unlink()
    first = validate(own_data, cache_dir=cache)
    assert kept.is_file()
    assert validate(own_data, cache_dir=cache).results == first.results


def test_a_store_built_by_another_layout_is_not_revised_from(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    first = open_engine(Inputs.with_data(own_data), cache)
    assert first.info is not None
    manifest_path = first.info.location / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["layout"] = "0"
    manifest_path.write_text(json.dumps(manifest))
    _edit(
        _file(own_data, "instruments.ttl"),
        'rdfs:label "Bali Process"@en',
        'rdfs:label "The Bali Process"@en',
    )
    built = open_engine(Inputs.with_data(own_data), cache)
    assert built.info is not None and built.info.rebuilt
    assert built.info.revised_from is None and built.info.not_revised is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # Valid: only the checks that read signature dates run again.
        ('cg:signatureDate "2006-05-05"^^xsd:date', 'cg:signatureDate "2006-05-06"^^xsd:date'),
        # Ill-typed: a new violation, found by a check that ran again.
        ('cg:signatureDate "2006-05-05"^^xsd:date', 'cg:signatureDate "2006-13-45"^^xsd:date'),
        # A label gone: a violation of the checks that read labels.
        ('rdfs:label "Bali Process"@en ;', ""),
    ],
)
def test_validation_checks_the_edit_cannot_change_keep_their_results(
    tmp_path: Path, own_data: list[Path], old: str, new: str
) -> None:
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data(own_data), cache)
    _edit(_file(own_data, "instruments.ttl"), old, new)
    revised = open_engine(Inputs.with_data(own_data), cache)
    assert revised.info is not None and revised.info.revised_from is not None
    manifest = json.loads((revised.info.location / "manifest.json").read_text())
    assert 0 < manifest["validation_checks_reused"] < manifest["validation_checks"]
    kept = validate(own_data, cache_dir=cache)
    reference = validate(own_data, reference=True)
    assert kept.results == reference.results
    assert kept.conforms == reference.conforms


def test_other_data_altogether_is_built_in_full_without_trying_to_revise(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data(own_data), cache)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    copies = []
    for path in own_data:
        copies.append(elsewhere / path.name)
        shutil.copyfile(path, copies[-1])
    _edit(_file(copies, "instruments.ttl"), "Bali Process", "The Bali Process")
    built = open_engine(Inputs.with_data(copies), cache)
    assert built.info is not None and built.info.rebuilt
    assert built.info.revised_from is None and built.info.not_revised is None


def test_a_data_file_dropped_from_the_inputs_is_revised_away(
    tmp_path: Path, own_data: list[Path]
) -> None:
    extra = own_data[0].parent / "more.ttl"
    extra.write_text(
        f"@prefix cg: <{CG}> .\n"
        f"{BALI} cg:coversModality <https://w3id.org/coopgraph/id/modality/training> .\n",
        encoding="utf-8",
    )
    cache = tmp_path / "cache"
    open_engine(Inputs.with_data([*own_data, extra]), cache)
    revised = open_engine(Inputs.with_data(own_data), cache)
    assert revised.info is not None and revised.info.revised_from is not None
    _assert_same_as_a_full_build(revised, own_data, tmp_path)
