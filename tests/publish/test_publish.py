"""`coopgraph publish`: a release folder that linked-data portals accept as it is.

One release is published per module into a temporary folder and checked: the DCAT-AP 3
catalogue against the official shapes, every dump parsed back and compared as a graph with
the export of the same store, the VoID counts, the ontology page, the checksums, and the
byte-identity of a second release written by another process.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, SH, SKOS, VOID, XSD
from rdflib.term import Node

from coopgraph import __version__
from coopgraph.build.engine import open_engine
from coopgraph.cli import main
from coopgraph.errors import CoopgraphError, InputError
from coopgraph.model import resources
from coopgraph.model.inputs import Inputs
from coopgraph.model.namespaces import CG, DATA_GRAPH, ENTAILMENTS_GRAPH, INSTRUMENT, ONTOLOGY_GRAPH
from coopgraph.model.stats import graph_stats
from coopgraph.outputs import MARKER, atomic_folder
from coopgraph.publish.changes import compare, read_previous
from coopgraph.publish.coverage import first_day, last_day
from coopgraph.publish.dcat import DCAT, SPDX
from coopgraph.publish.dumps import DUMP_FORMATS, CanonicalDataset, DumpFormat, canonical_jsonld
from coopgraph.publish.folder import PublishSummary, publish
from coopgraph.publish.ontodoc import PROPERTY_KINDS, anchor
from coopgraph.publish.release import DATASET, LICENSE, ONTOLOGY_DATASET
from coopgraph.query.engine import OxigraphEngine
from coopgraph.query.export import graph_dataset, merged_graph

from ..conftest import STANDARDS

BASE_URL = "https://example.org/coopgraph/0.1.0"
RELEASE_DATE = date(2026, 1, 15)
DCAT_AP = STANDARDS / "dcat-ap-3.0.1"


# --- one release for the module -------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(store_cache: Path) -> OxigraphEngine:
    return open_engine(Inputs.bundled(), store_cache)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory, engine: OxigraphEngine) -> PublishSummary:
    folder = tmp_path_factory.mktemp("publish") / "release"
    return publish(folder, engine, base_url=BASE_URL, release_date=RELEASE_DATE)


@pytest.fixture(scope="module")
def folder(release: PublishSummary) -> Path:
    return release.directory


@pytest.fixture(scope="module")
def exported(engine: OxigraphEngine) -> Dataset:
    """What `coopgraph export --inferred` gives for the same store."""
    return graph_dataset(engine.quads(), include_entailments=True)


@pytest.fixture(scope="module")
def catalog(folder: Path) -> Graph:
    return Graph().parse(folder / "catalog.ttl", format="turtle")


def read_dump(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def assert_isomorphic(actual: Graph, expected: Graph, what: str) -> None:
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail(
            f"{what}: graphs differ\nonly in the dump:\n"
            + only_actual.serialize(format="nt")[:3000]
            + "\nonly in the export:\n"
            + only_expected.serialize(format="nt")[:3000]
        )


# --- the files --------------------------------------------------------------------------------


def test_the_release_folder_holds_every_file(folder: Path) -> None:
    expected = {
        "catalog.ttl",
        "void.ttl",
        "context.jsonld",
        "index.html",
        "ontology.html",
        "changes.md",
        "SHA256SUMS",
        *(f"coopgraph{fmt.suffix}" for fmt in DUMP_FORMATS),
        *(f"ontology{fmt.suffix}" for fmt in DUMP_FORMATS),
        MARKER,  # what coopgraph wrote, so that a later release may replace it
    }
    assert {path.name for path in folder.iterdir()} == expected


def test_the_release_folder_is_readable_by_a_web_server(folder: Path) -> None:
    assert folder.stat().st_mode & 0o755 == 0o755


def test_sha256sums_lists_every_other_file(folder: Path) -> None:
    import hashlib  # noqa: PLC0415

    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {name: checksum for checksum, name in (line.split("  ", 1) for line in lines)}
    others = {p.name for p in folder.iterdir()} - {"SHA256SUMS", MARKER}
    assert set(listed) == others
    for name, checksum in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == checksum


# --- every dump is the graph ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", DUMP_FORMATS, ids=[f.key for f in DUMP_FORMATS])
def test_each_dump_parses_back_to_the_export(
    folder: Path, exported: Dataset, fmt: DumpFormat
) -> None:
    path = folder / f"coopgraph{fmt.suffix}"
    data = read_dump(path)
    if fmt.rdf.quads:
        parsed = Dataset()
        parsed.parse(data=data, format=fmt.rdf.plugin)
        for name in (ONTOLOGY_GRAPH, DATA_GRAPH, ENTAILMENTS_GRAPH):
            assert len(exported.graph(name)) > 0
            assert_isomorphic(parsed.graph(name), exported.graph(name), f"{path.name} <{name}>")
    else:
        parsed_graph = Graph().parse(data=data, format=fmt.rdf.plugin)
        assert_isomorphic(parsed_graph, merged_graph(exported), path.name)


@pytest.mark.parametrize("fmt", DUMP_FORMATS, ids=[f.key for f in DUMP_FORMATS])
def test_each_ontology_dump_is_the_ontology_alone(
    folder: Path, exported: Dataset, fmt: DumpFormat
) -> None:
    path = folder / f"ontology{fmt.suffix}"
    data = read_dump(path)
    expected = exported.graph(ONTOLOGY_GRAPH)
    if fmt.rdf.quads:
        parsed = Dataset()
        parsed.parse(data=data, format=fmt.rdf.plugin)
        assert_isomorphic(parsed.graph(ONTOLOGY_GRAPH), expected, path.name)
        assert len(parsed.graph(DATA_GRAPH)) == 0
    else:
        parsed_graph = Graph().parse(data=data, format=fmt.rdf.plugin)
        assert_isomorphic(parsed_graph, expected, path.name)


def test_n_triples_and_n_quads_lines_are_sorted_and_gzip_is_deterministic(folder: Path) -> None:
    for name in ("coopgraph.nt.gz", "coopgraph.nq.gz"):
        raw = (folder / name).read_bytes()
        # RFC 1952: bytes 4-7 are the modification time, bit 3 of byte 3 flags a file name.
        assert raw[4:8] == b"\0\0\0\0", f"{name} carries a time stamp"
        assert not raw[3] & 0x08, f"{name} carries a file name"
        lines = gzip.decompress(raw).split(b"\n")
        assert lines[-1] == b""
        assert lines[:-1] == sorted(lines[:-1])


def test_the_jsonld_dump_uses_the_published_context(folder: Path) -> None:
    published = json.loads((folder / "context.jsonld").read_text(encoding="utf-8"))
    bundled = resources.asset_dir("ontology") / "context.jsonld"
    assert (folder / "context.jsonld").read_bytes() == bundled.read_bytes()
    dump = json.loads((folder / "coopgraph.jsonld").read_text(encoding="utf-8"))
    assert dump["@context"] == published["@context"]
    # Short keys and compact IRIs, as the context makes them.
    text = (folder / "coopgraph.jsonld").read_text(encoding="utf-8")
    assert '"coversModality"' in text
    assert '"state:MLI"' in text


@pytest.mark.slow
def test_publishing_again_in_another_process_gives_identical_bytes(
    folder: Path, tmp_path: Path
) -> None:
    """A second release from the same inputs, by another process with another hash seed and
    a store rebuilt from scratch (so blank nodes get other labels): every file is the same."""
    again = tmp_path / "again"
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "COOPGRAPH_CACHE_DIR": str(tmp_path / "fresh-cache"),
    }
    code = "from coopgraph.cli import main; main()"
    args = ["publish", "-o", str(again), "--base-url", BASE_URL, "--date", str(RELEASE_DATE)]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(path.name for path in again.iterdir())
    differing = [n for n in names if (folder / n).read_bytes() != (again / n).read_bytes()]
    assert differing == []


def test_publishing_twice_in_one_process_gives_identical_dumps(
    folder: Path, release: PublishSummary, engine: OxigraphEngine, tmp_path: Path
) -> None:
    again = publish(tmp_path / "again", engine, base_url=BASE_URL, release_date=date(2027, 2, 3))
    for dump in (*release.release.dumps, *release.release.ontology_dumps):
        assert (folder / dump.name).read_bytes() == (again.directory / dump.name).read_bytes()


# --- DCAT-AP 3 ----------------------------------------------------------------------------------


def official_shapes(*names: str) -> Graph:
    """The official shapes files, with the `sh:property` references to shapes that no loaded
    file defines taken out. Such a reference names a node without a single triple: it holds
    no constraint, but pyshacl (like Jena) refuses to run with it ("exists but is not a
    well-formed SHACL PropertyShape"). dcat-ap-SHACL.ttl refers to two shapes defined only in
    ranges.ttl, ranges.ttl to shapes defined only in dcat-ap-SHACL.ttl, and five are defined
    in neither (SEMICeu/DCAT-AP issue 448)."""
    shapes = Graph()
    for name in names:
        shapes.parse(DCAT_AP / name, format="turtle")
    for shape, reference in list(shapes.subject_objects(SH.property)):
        if (reference, None, None) not in shapes:
            shapes.remove((shape, SH.property, reference))
    return shapes


def shacl_results(data: Graph, shapes: Graph) -> list[tuple[str, str, str, str]]:
    """(severity, focus node, path, message) of every result."""
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    assert isinstance(report, Graph)
    return sorted(
        (
            str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.resultPath)),
            str(report.value(result, SH.resultMessage)),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )


OFFICIAL_CONFIGURATIONS = [
    ("dcat-ap-SHACL.ttl",),
    ("ranges.ttl",),
    ("dcat-ap-SHACL.ttl", "ranges.ttl"),
]


@pytest.mark.parametrize("names", OFFICIAL_CONFIGURATIONS, ids="+".join)
def test_the_catalogue_conforms_to_dcat_ap_3(catalog: Graph, names: tuple[str, ...]) -> None:
    results = shacl_results(catalog, official_shapes(*names))
    counts = Counter(severity for severity, *_ in results)
    print(f"DCAT-AP 3.0.1 {' + '.join(names)}: {dict(counts) or 'no results'}")
    violations = [r for r in results if r[0] == "Violation"]
    assert violations == [], "\n".join(" | ".join(r) for r in violations)


@pytest.mark.parametrize(
    ("remove", "names", "path"),
    [
        ((LICENSE, RDF.type, DCTERMS.LicenseDocument), ("ranges.ttl",), DCTERMS.license),
        ((DATASET, DCTERMS.title, None), ("dcat-ap-SHACL.ttl",), DCTERMS.title),
        ((None, SPDX.checksumValue, None), ("dcat-ap-SHACL.ttl",), SPDX.checksumValue),
    ],
    ids=["licence-untyped", "dataset-untitled", "checksum-without-value"],
)
def test_the_dcat_ap_check_is_not_vacuous(
    catalog: Graph,
    remove: tuple[URIRef | None, URIRef, URIRef | None],
    names: tuple[str, ...],
    path: URIRef,
) -> None:
    """Taking a required statement out of the catalogue gives a violation on its path."""
    broken = Graph()
    for triple in catalog:
        broken.add(triple)
    broken.remove(remove)
    results = shacl_results(broken, official_shapes(*names))
    assert any(r[0] == "Violation" and r[2] == str(path) for r in results), results


def test_the_official_shapes_still_need_their_dangling_references_taken_out() -> None:
    """If this fails, upstream fixed SEMICeu/DCAT-AP issue 448: validate the files as they
    are and drop `official_shapes`' pruning."""
    shapes = Graph().parse(DCAT_AP / "dcat-ap-SHACL.ttl", format="turtle")
    dangling = {r for r in shapes.objects(None, SH.property) if (r, None, None) not in shapes}
    assert dangling


# Recommended properties the release cannot give: coordinates of the States (the data has
# none) and a spatial or temporal coverage for the ontology, which has neither.
EXPECTED_RECOMMENDATION_GAPS = {
    "http://www.w3.org/ns/dcat#bbox",
    "http://www.w3.org/ns/dcat#centroid",
}


def test_recommended_properties_are_given_where_the_data_has_them(catalog: Graph) -> None:
    results = shacl_results(catalog, official_shapes("shapes_recommended.ttl"))
    print(f"DCAT-AP 3.0.1 shapes_recommended.ttl: {Counter(r[0] for r in results)}")
    unexpected = [
        r
        for r in results
        if r[2] not in EXPECTED_RECOMMENDATION_GAPS
        and not (
            r[1] == str(ONTOLOGY_DATASET) and r[2] in (str(DCTERMS.spatial), str(DCTERMS.temporal))
        )
    ]
    assert unexpected == [], "\n".join(" | ".join(r) for r in unexpected)


def test_catalogue_sizes_and_checksums_match_the_files(
    catalog: Graph, folder: Path, release: PublishSummary
) -> None:
    import hashlib  # noqa: PLC0415

    described = set()
    for distribution in catalog.subjects(RDF.type, DCAT.Distribution):
        url = str(catalog.value(distribution, DCAT.downloadURL))
        assert url.startswith(BASE_URL + "/")
        assert catalog.value(distribution, DCAT.accessURL) == URIRef(url)
        name = url[len(BASE_URL) + 1 :]
        content = (folder / name).read_bytes()
        size = catalog.value(distribution, DCAT.byteSize)
        assert size == Literal(len(content), datatype=XSD.nonNegativeInteger)
        checksum = catalog.value(distribution, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = catalog.value(checksum, SPDX.checksumValue)
        assert isinstance(value, Literal)
        assert value.datatype == XSD.hexBinary
        assert str(value).lower() == hashlib.sha256(content).hexdigest()
        described.add(name)
    dumps = {d.name for d in (*release.release.dumps, *release.release.ontology_dumps)}
    assert described == dumps


def test_distribution_formats_are_iana_and_eu_file_types(catalog: Graph) -> None:
    for distribution in catalog.subjects(RDF.type, DCAT.Distribution):
        media = str(catalog.value(distribution, DCAT.mediaType))
        assert media.startswith("https://www.iana.org/assignments/media-types/")
        file_type = str(catalog.value(distribution, DCTERMS.format))
        assert file_type.startswith("http://publications.europa.eu/resource/authority/file-type/")
        url = str(catalog.value(distribution, DCAT.downloadURL))
        compressed = catalog.value(distribution, DCAT.compressFormat)
        assert (compressed is not None) == url.endswith(".gz")


def test_catalogue_version_date_and_service(catalog: Graph) -> None:
    assert catalog.value(DATASET, DCAT.version) == Literal(__version__)
    assert catalog.value(DATASET, DCTERMS.issued) == Literal("2026-01-15", datatype=XSD.date)
    services = list(catalog.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    assert catalog.value(services[0], DCAT.endpointURL) == URIRef(BASE_URL + "/sparql")
    assert catalog.value(services[0], DCAT.servesDataset) == DATASET


def test_coverage_is_taken_from_the_data(catalog: Graph, exported: Dataset) -> None:
    period = catalog.value(DATASET, DCTERMS.temporal)
    assert catalog.value(period, RDF.type) == DCTERMS.PeriodOfTime
    # The earliest instrument date is a year (2000), the latest a day (2007-06-06).
    assert catalog.value(period, DCAT.startDate) == Literal("2000", datatype=XSD.gYear)
    assert catalog.value(period, DCAT.endDate) == Literal("2007-06-06", datatype=XSD.date)
    spatial = set(catalog.objects(DATASET, DCTERMS.spatial))
    assert URIRef("http://publications.europa.eu/resource/authority/country/MLI") in spatial
    # Serbia and Montenegro, a former State, by its Wikidata entity.
    assert URIRef("http://www.wikidata.org/entity/Q37024") in spatial
    assert len(spatial) == len(set(merged_graph(exported).subjects(RDF.type, CG.State)))
    for location in spatial:
        assert (location, RDF.type, DCTERMS.Location) in catalog


@pytest.mark.parametrize(
    ("lexical", "datatype", "first", "last"),
    [
        ("2004", XSD.gYear, date(2004, 1, 1), date(2004, 12, 31)),
        ("2004-02", XSD.gYearMonth, date(2004, 2, 1), date(2004, 2, 29)),
        ("2006-11-24", XSD.date, date(2006, 11, 24), date(2006, 11, 24)),
    ],
)
def test_a_date_spans_the_days_its_precision_allows(
    lexical: str, datatype: URIRef, first: date, last: date
) -> None:
    value = Literal(lexical, datatype=datatype)
    assert (first_day(value), last_day(value)) == (first, last)


# --- VoID -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def void(folder: Path) -> Graph:
    return Graph().parse(folder / "void.ttl", format="turtle")


def test_void_triples_equal_the_n_triples_dump(void: Graph, folder: Path) -> None:
    lines = gzip.decompress((folder / "coopgraph.nt.gz").read_bytes()).splitlines()
    assert void.value(DATASET, VOID.triples) == Literal(len(lines), datatype=XSD.integer)


def count(graph: Graph, subject: Node, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal), f"no {predicate} on {subject}"
    assert value.datatype == XSD.integer
    return int(value)


def test_void_partitions_and_named_graphs_add_up(void: Graph, exported: Dataset) -> None:
    merged = merged_graph(exported)
    classes = list(void.objects(DATASET, VOID.classPartition))
    properties = list(void.objects(DATASET, VOID.propertyPartition))
    assert count(void, DATASET, VOID.classes) == len(classes)
    assert count(void, DATASET, VOID.properties) == len(properties)
    assert len(properties) == len(set(merged.predicates()))
    assert sum(count(void, p, VOID.triples) for p in properties) == len(merged)
    for name in (ONTOLOGY_GRAPH, DATA_GRAPH, ENTAILMENTS_GRAPH):
        assert (DATASET, VOID.subset, name) in void
        assert count(void, name, VOID.triples) == len(exported.graph(name))
    instrument = next(p for p in classes if void.value(p, VOID["class"]) == CG.Instrument)
    assert count(void, instrument, VOID.entities) == graph_stats(merged).instruments


def test_void_describes_access_vocabularies_and_links(void: Graph, exported: Dataset) -> None:
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/coopgraph/id/")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE_URL + "/sparql")
    dumps = {str(d) for d in void.objects(DATASET, VOID.dataDump)}
    assert dumps == {f"{BASE_URL}/coopgraph{fmt.suffix}" for fmt in DUMP_FORMATS}
    vocabularies = set(void.objects(DATASET, VOID.vocabulary))
    for namespace in (str(CG), str(SKOS), str(OWL), "http://www.w3.org/ns/org#"):
        assert URIRef(namespace) in vocabularies
    assert set(void.objects(DATASET, VOID.exampleResource))
    linkset = next(void.subjects(RDF.type, VOID.Linkset))
    assert void.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
    wikidata_links = [
        (s, o)
        for s, o in merged_graph(exported).subject_objects(SKOS.exactMatch)
        if str(o).startswith("http://www.wikidata.org/entity/")
    ]
    assert void.value(linkset, VOID.triples) == Literal(len(wikidata_links), datatype=XSD.integer)
    assert wikidata_links


# --- the ontology's documentation -----------------------------------------------------------------


def test_the_documentation_lists_every_class_and_property(folder: Path, exported: Dataset) -> None:
    page = (folder / "ontology.html").read_text(encoding="utf-8")
    ontology = exported.graph(ONTOLOGY_GRAPH)
    kinds = [OWL.Class, *(kind for _key, _title, kind in PROPERTY_KINDS)]
    missing = []
    for kind in kinds:
        terms = [t for t in ontology.subjects(RDF.type, kind) if isinstance(t, URIRef)]
        assert terms, f"no {kind} in the ontology"
        for term in terms:
            label = ontology.value(term, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
            if f'id="{anchor(term)}"' not in page or (label is not None and str(label) not in page):
                missing.append(str(term))
    assert missing == []


def test_the_documentation_shows_the_modality_hierarchy(folder: Path) -> None:
    page = (folder / "ontology.html").read_text(encoding="utf-8")
    scheme = page[page.index('id="concept-schemes"') :]
    # A narrower modality sits in a nested list below its broader one, with its definition.
    top = scheme.index('id="modality-law-enforcement-cooperation"')
    narrower = scheme.index('id="modality-information-and-intelligence-exchange"')
    assert top < narrower
    assert scheme.count('<ul class="tree">') > 4
    assert "The exchange of information, intelligence, data or evidence" in scheme


# --- the index page and the changes ---------------------------------------------------------------


def test_the_index_page_links_everything_with_the_figures(
    folder: Path, release: PublishSummary
) -> None:
    page = (folder / "index.html").read_text(encoding="utf-8")
    for path in folder.iterdir():
        if path.name not in ("index.html", MARKER):
            assert f'href="{path.name}"' in page, path.name
    figures = release.figures
    for value in (figures.triples, figures.instruments, figures.states, figures.organisations):
        assert f'<td class="num">{value}</td>' in page


def test_a_first_release_says_so(folder: Path) -> None:
    assert "First release" in (folder / "changes.md").read_text(encoding="utf-8")


NEW_INSTRUMENT = """
@prefix cg:   <https://w3id.org/coopgraph/def/> .
@prefix inst: <https://w3id.org/coopgraph/id/instrument/> .
@prefix src:  <https://w3id.org/coopgraph/id/source/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

inst:release-test-agreement a cg:BilateralAgreement ;
    rdfs:label "Agreement added to test the release changes"@en ;
    cg:signatureDate "2008-03-01"^^xsd:date ;
    cg:sourceSection src:tool-4-9-overview .
"""


@pytest.fixture(scope="module")
def next_release(
    tmp_path_factory: pytest.TempPathFactory, store_cache: Path, folder: Path
) -> PublishSummary:
    """A release of the bundled data plus one instrument, with the first as previous."""
    data = tmp_path_factory.mktemp("next-data")
    files = []
    for path in resources.data_files():
        files.append(Path(shutil.copy(path, data / path.name)))
    extra = data / "zz-release-test.ttl"
    extra.write_text(NEW_INSTRUMENT, encoding="utf-8")
    engine = open_engine(Inputs.with_data([*files, extra]), store_cache)
    target = tmp_path_factory.mktemp("next") / "release"
    return publish(
        target, engine, base_url=BASE_URL, release_date=date(2026, 2, 1), previous=folder
    )


def test_the_previous_release_diff_finds_the_added_instrument(next_release: PublishSummary) -> None:
    changes = next_release.changes
    assert changes is not None
    assert changes.previous_version == __version__
    assert changes.previous_date == "2026-01-15"
    assert [i.iri for i in changes.added_instruments] == [INSTRUMENT["release-test-agreement"]]
    assert changes.removed_instruments == ()
    assert len(changes.added_triples) == 4
    assert changes.removed_triples == ()
    text = (next_release.directory / "changes.md").read_text(encoding="utf-8")
    assert "Agreement added to test the release changes" in text
    assert "| instruments | 1 | 0 |" in text
    assert "<https://w3id.org/coopgraph/id/instrument/release-test-agreement>" in text


def test_the_next_release_records_its_previous_version_and_new_coverage(
    next_release: PublishSummary,
) -> None:
    catalog = Graph().parse(next_release.directory / "catalog.ttl", format="turtle")
    assert catalog.value(DATASET, URIRef("http://www.w3.org/ns/adms#versionNotes")) is not None
    period = catalog.value(DATASET, DCTERMS.temporal)
    assert catalog.value(period, DCAT.endDate) == Literal("2008-03-01", datatype=XSD.date)


def test_the_diff_the_other_way_finds_the_removed_instrument(
    next_release: PublishSummary, engine: OxigraphEngine
) -> None:
    changes = compare(read_previous(next_release.directory), CanonicalDataset(engine.quads()))
    assert [i.iri for i in changes.removed_instruments] == [INSTRUMENT["release-test-agreement"]]
    assert changes.added_instruments == ()
    assert (len(changes.added_triples), len(changes.removed_triples)) == (0, 4)


@pytest.mark.parametrize(
    "content", [None, b"not gzip", gzip.compress(b"<not n-quads")], ids=["missing", "bad", "nq"]
)
def test_a_previous_folder_that_is_not_a_release_is_refused(
    tmp_path: Path, content: bytes | None
) -> None:
    if content is not None:
        (tmp_path / "coopgraph.nq.gz").write_bytes(content)
    with pytest.raises(InputError, match="earlier `coopgraph publish`"):
        read_previous(tmp_path)


# --- atomicity and the command line ---------------------------------------------------------------


def test_a_failed_publish_leaves_the_previous_folder_as_it_was(
    engine: OxigraphEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "release"
    with atomic_folder(target, "release") as previous:
        (previous / "keep.txt").write_text("previous release", encoding="utf-8")

    def broken(*_args: object) -> Graph:
        raise RuntimeError("VoID failed")

    monkeypatch.setattr("coopgraph.publish.folder.void_graph", broken)
    with pytest.raises(RuntimeError, match="VoID failed"):
        publish(target, engine, base_url=BASE_URL, release_date=RELEASE_DATE)
    assert sorted(p.name for p in target.iterdir()) == [MARKER, "keep.txt"]
    assert (target / "keep.txt").read_text(encoding="utf-8") == "previous release"
    assert [p.name for p in tmp_path.iterdir()] == ["release"]


def test_canonical_jsonld_keeps_list_order_and_sorts_the_rest() -> None:
    document = {
        "@context": {
            "b": "http://b/",
            "a": "http://a/",
            "steps": {"@id": "a:steps", "@container": "@list"},
        },
        "@graph": [
            {"id": "b:2", "a:p": ["z", "y"], "steps": ["b:9", "b:1"]},
            {"id": "b:1", "a:chain": {"@list": ["b:z", "b:a"]}},
        ],
    }
    ordered = json.loads(canonical_jsonld(json.dumps(document).encode()))
    assert [node["id"] for node in ordered["@graph"]] == ["b:1", "b:2"]
    assert ordered["@graph"][0]["a:chain"]["@list"] == ["b:z", "b:a"]
    assert ordered["@graph"][1]["a:p"] == ["y", "z"]
    assert ordered["@graph"][1]["steps"] == ["b:9", "b:1"]
    assert ordered["@context"] == document["@context"]


def test_cli_publish_writes_the_release(tmp_path: Path, store_cache: Path) -> None:
    target = tmp_path / "release"
    result = CliRunner().invoke(
        main,
        [
            "publish",
            "-o",
            str(target),
            "--base-url",
            BASE_URL + "/",
            "--date",
            "2026-01-15",
            "--cache-dir",
            str(store_cache),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"published coopgraph {__version__} of 2026-01-15" in result.stdout
    catalog = Graph().parse(target / "catalog.ttl", format="turtle")
    # The trailing slash of the base URL is not doubled.
    assert (None, DCAT.downloadURL, URIRef(BASE_URL + "/coopgraph.ttl")) in catalog


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/release", "example.org/release", "https://", "https://x.org/a b", "/tmp/x"],
)
def test_cli_refuses_a_base_url_that_is_not_http(tmp_path: Path, url: str) -> None:
    result = CliRunner().invoke(main, ["publish", "-o", str(tmp_path / "r"), "--base-url", url])
    assert result.exit_code == 2
    assert "base URL" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


def test_the_core_refuses_a_bad_base_url_before_writing(
    engine: OxigraphEngine, tmp_path: Path
) -> None:
    with pytest.raises(CoopgraphError, match="not an absolute http"):
        publish(tmp_path / "r", engine, base_url="mailto:someone@example.org")
    assert list(tmp_path.iterdir()) == []


def test_cli_reports_a_previous_folder_that_is_not_a_release(
    tmp_path: Path, store_cache: Path
) -> None:
    result = CliRunner().invoke(
        main,
        [
            "publish",
            "-o",
            str(tmp_path / "r"),
            "--previous",
            str(tmp_path / "missing"),
            "--cache-dir",
            str(store_cache),
        ],
    )
    assert result.exit_code == 2
    assert "missing" in result.stderr
    assert "earlier `coopgraph publish`" in result.stderr
