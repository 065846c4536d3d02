"""The embedded store: built once per content of the inputs, atomically, and reused."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopgraph.engine import Inputs, open_engine
from coopgraph.errors import InputError


def test_second_open_reuses_the_store_without_parsing_or_reasoning(
    tmp_path: Path, own_data: list[Path]
) -> None:
    cache = tmp_path / "cache"
    first = open_engine(Inputs.with_data(own_data), cache)
    assert first.info is not None and first.info.rebuilt
    assert set(first.info.seconds) == {"parse", "reason", "load"}
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
