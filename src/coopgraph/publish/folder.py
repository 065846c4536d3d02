"""A release folder that linked-data portals accept as it is.

`publish` writes, from the store: the graph in six RDF formats (`coopgraph.*`), the ontology
alone in the same formats (`ontology.*`) and its documentation page (`ontology.html`), the
DCAT-AP 3 catalogue (`catalog.ttl`), the VoID description (`void.ttl`), the JSON-LD context
(`context.jsonld`), what changed since the previous release (`changes.md`), an index page
(`index.html`) and the checksums of every file (`SHA256SUMS`).

The dumps are byte-identical when the inputs are unchanged (see `coopgraph.publish.dumps`); the
descriptions carry the release date. The folder is assembled in a temporary sibling and
renamed into place at the end, so a failed run leaves the previous release as it was; it is
written only where no file of the user's would be lost (`coopgraph.outputs.atomic_folder`).
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from coopgraph import __version__
from coopgraph.model import resources
from coopgraph.model.labels import label_of
from coopgraph.model.namespaces import (
    CG,
    DATA_GRAPH,
    ENTAILMENTS_GRAPH,
    MODALITY_SCHEME,
    ONTOLOGY_GRAPH,
)
from coopgraph.model.stats import GraphStats, graph_stats, instances, subclasses
from coopgraph.outputs import atomic_folder
from coopgraph.publish.changes import (
    PreviousRelease,
    ReleaseChanges,
    changes_markdown,
    compare,
    read_previous,
)
from coopgraph.publish.coverage import coverage
from coopgraph.publish.dcat import catalog_graph
from coopgraph.publish.dumps import DUMP_FORMATS, CanonicalDataset, DumpFile, digest
from coopgraph.publish.ontodoc import ontology_page, ontology_terms
from coopgraph.publish.publisher import checked_publisher
from coopgraph.publish.release import (
    DEFAULT_BASE_URL,
    LICENSE,
    Release,
    ReleaseText,
    checked_base_url,
)
from coopgraph.publish.void import void_graph

Step = Callable[[str], None]

GRAPH_STEM = "coopgraph"
ONTOLOGY_STEM = "ontology"
CHECKSUMS = "SHA256SUMS"
STEPS = ("reading the graph", "dumps", "ontology", "catalogue", "VoID", "pages")


class QuadSource(Protocol):
    """What publishing needs of an engine: every quad, in the release's named graphs."""

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]: ...


@dataclass(frozen=True)
class PublishSummary:
    directory: Path
    release: Release
    files: tuple[str, ...]
    figures: GraphStats
    changes: ReleaseChanges | None


def publish_steps() -> int:
    """How many times `publish` calls its `step` callback."""
    return len(STEPS)


def publish(
    directory: Path,
    engine: QuadSource,
    *,
    base_url: str | None = None,
    release_date: date | None = None,
    previous: Path | PreviousRelease | None = None,
    step: Step | None = None,
    publisher: str | None = None,
    contact: str | None = None,
    protected: Sequence[Path] = (),
) -> PublishSummary:
    """Write the release folder at `directory`, replacing a previous folder there.

    `base_url` is where the folder will be served (default: under https://w3id.org/coopgraph/
    with the version); `previous` is the folder of the previous release, to record what
    changed (a folder, or one already read with `read_previous`); `publisher` and `contact`
    (an e-mail address) are who publishes it and whom to write to (`dcterms:publisher`,
    `dcat:contactPoint`). Raises `CoopgraphError` for a bad base URL, publisher or contact, or
    an unreadable previous release, before anything is written; and for a `directory` that
    is not its to write (`coopgraph.outputs.check_output_folder`; `protected`: input files
    or folders it must not be, hold or lie in, besides coopgraph's bundled assets).
    """
    publisher, contact = checked_publisher(publisher, contact, "--publisher/--contact")
    say = step or (lambda _label: None)
    version = __version__
    base = checked_base_url(base_url or DEFAULT_BASE_URL.format(version=version))
    day = release_date or date.today()
    before = read_previous(previous) if isinstance(previous, Path) else previous

    say(STEPS[0])
    dataset = CanonicalDataset(engine.quads())
    ontology = dataset.subset([ONTOLOGY_GRAPH])
    union = dataset.union

    with atomic_folder(directory, "release", [*protected, *resources.asset_folders()]) as staging:
        say(STEPS[1])
        dumps = _write_dumps(staging, GRAPH_STEM, dataset)
        say(STEPS[2])
        ontology_dumps = _write_dumps(staging, ONTOLOGY_STEM, ontology)
        text = ReleaseText(
            publisher_name=publisher or ReleaseText.publisher_name, contact_email=contact
        )
        release = Release(
            version=version,
            date=day,
            base_url=base,
            dumps=dumps,
            ontology_dumps=ontology_dumps,
            coverage=coverage(union),
            keywords=(*text.keywords, *_modality_keywords(union)),
            source_titles=_source_titles(union),
            previous_version=before.version if before is not None else None,
            text=text,
        )
        generator = f"coopgraph {version}"
        _write(staging / "ontology.html", ontology_page(ontology.union, generator))
        say(STEPS[3])
        _write(staging / "catalog.ttl", _turtle(catalog_graph(release)))
        say(STEPS[4])
        _write(staging / "void.ttl", _turtle(void_graph(release, dataset)))
        say(STEPS[5])
        shutil.copyfile(
            resources.asset_dir("ontology") / "context.jsonld", staging / "context.jsonld"
        )
        changes = compare(before, dataset) if before is not None else None
        _write(staging / "changes.md", changes_markdown(version, day.isoformat(), changes))
        figures = graph_stats(union)
        _write(staging / "index.html", _index_page(release, dataset, ontology, figures, changes))
        files = _write_checksums(staging)
    return PublishSummary(directory, release, files, figures, changes)


# --- files --------------------------------------------------------------------------------


def _write_dumps(folder: Path, stem: str, dataset: CanonicalDataset) -> tuple[DumpFile, ...]:
    written = []
    for fmt in DUMP_FORMATS:
        content = dataset.serialize(fmt)
        name = stem + fmt.suffix
        (folder / name).write_bytes(content)
        written.append(DumpFile(name, fmt, len(content), digest(content)))
    return tuple(written)


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def _turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def _write_checksums(folder: Path) -> tuple[str, ...]:
    names = sorted(path.name for path in folder.iterdir() if path.is_file())
    lines = [f"{digest((folder / name).read_bytes())}  {name}\n" for name in names]
    _write(folder / CHECKSUMS, "".join(lines))
    return (*names, CHECKSUMS)


# --- facts for the descriptions -------------------------------------------------------------


def _modality_keywords(graph: Graph) -> tuple[str, ...]:
    """The labels of the top modalities: what a searcher would type."""
    tops = {c for c in graph.subjects(SKOS.topConceptOf, MODALITY_SCHEME)}
    tops |= set(graph.objects(MODALITY_SCHEME, SKOS.hasTopConcept))
    return tuple(sorted({label for c in tops if (label := label_of(graph, c))}))


def _source_titles(graph: Graph) -> tuple[str, ...]:
    documents = instances(graph, subclasses(graph, CG.SourceDocument))
    titles = {
        str(graph.value(d, DCTERMS.title) or graph.value(d, RDFS.label) or d) for d in documents
    }
    return tuple(sorted(titles))


# --- the index page ---------------------------------------------------------------------------


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def _dump_rows(dumps: tuple[DumpFile, ...]) -> list[str]:
    rows = []
    for dump in dumps:
        fmt = dump.format
        kind = fmt.label + (" (gzip)" if fmt.gzip else "")
        rows.append(
            f'<tr><td><a href="{_esc(dump.name)}">{_esc(dump.name)}</a></td>'
            f"<td>{_esc(kind)}</td><td>{_esc(fmt.media_type)}</td>"
            f'<td class="num">{_esc(_size(dump.size))}</td>'
            f"<td><code>{_esc(dump.sha256)}</code></td></tr>"
        )
    return rows


_INDEX_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem;
  line-height: 1.5; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; text-align: left; }
td.num { text-align: right; } code { font-size: 0.8em; word-break: break-all; }
"""


def _index_page(
    release: Release,
    dataset: CanonicalDataset,
    ontology: CanonicalDataset,
    figures: GraphStats,
    changes: ReleaseChanges | None,
) -> str:
    text = release.text
    terms = ontology_terms(ontology.union)
    cover = release.coverage
    period = (
        f"{cover.start} to {cover.end}"
        if cover.start is not None and cover.end is not None
        else "no dated instrument"
    )
    places = ", ".join(sorted(place.label for place in cover.places)) or "none"
    graph_sizes = {name: len(dataset.dataset.graph(name)) for name in dataset.graph_names}
    if changes is None:
        change_line = "First release."
    else:
        change_line = (
            f"Since {changes.previous_version or 'the previous release'}: "
            f"{len(changes.added_instruments)} instruments added, "
            f"{len(changes.removed_instruments)} removed; "
            f"{len(changes.added_triples)} facts added, {len(changes.removed_triples)} removed."
        )
    figure_rows = [
        ("triples (ontology, data and entailments)", figures.triples),
        ("of which in the ontology graph", graph_sizes[ONTOLOGY_GRAPH]),
        ("of which in the data graph", graph_sizes[DATA_GRAPH]),
        ("of which in the entailments graph", graph_sizes[ENTAILMENTS_GRAPH]),
        ("instruments", figures.instruments),
        ("States", figures.states),
        ("organisations", figures.organisations),
        ("cooperation modalities", figures.modalities),
        ("ontology classes", len(terms.classes)),
        ("ontology properties", sum(len(p) for p in terms.properties.values())),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_esc(text.title)} {_esc(release.version)}</title>",
        '<link rel="alternate" type="text/turtle" href="catalog.ttl" title="DCAT-AP catalogue">',
        '<link rel="alternate" type="text/turtle" href="void.ttl" title="VoID description">',
        f"<style>{_INDEX_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{_esc(text.title)}</h1>",
        f"<p>Release <strong>{_esc(release.version)}</strong> of "
        f"{_esc(release.date.isoformat())}. {_esc(change_line)} "
        '<a href="changes.md">What changed</a>.</p>',
        f"<p>{_esc(text.description)}</p>",
        f'<p>Licence: <a href="{_esc(LICENSE)}">CC BY 4.0</a>. '
        f"Instrument dates: {_esc(period)}. States: {_esc(places)}.</p>",
        "<h2>Figures</h2>",
        "<table>",
        *(
            f'<tr><td>{_esc(name)}</td><td class="num">{value}</td></tr>'
            for name, value in figure_rows
        ),
        "</table>",
        "<h2>The graph</h2>",
        "<p>The ontology, the data and the OWL 2 RL entailments: merged in the triple formats, "
        "in separate named graphs in N-Quads and TriG.</p>",
        "<table>",
        "<tr><th>file</th><th>format</th><th>media type</th><th>size</th><th>SHA-256</th></tr>",
        *_dump_rows(release.dumps),
        "</table>",
        f'<p>SPARQL endpoint: <a href="{_esc(release.sparql_endpoint)}">'
        f"{_esc(release.sparql_endpoint)}</a>.</p>",
        "<h2>The ontology</h2>",
        '<p><a href="ontology.html">Documentation</a>: every class, property and concept '
        "scheme, with the modality hierarchy.</p>",
        "<table>",
        "<tr><th>file</th><th>format</th><th>media type</th><th>size</th><th>SHA-256</th></tr>",
        *_dump_rows(release.ontology_dumps),
        "</table>",
        "<h2>Descriptions</h2>",
        "<ul>",
        '<li><a href="catalog.ttl">catalog.ttl</a>: DCAT-AP 3 catalogue, datasets, '
        "distributions and SPARQL service, for data portals</li>",
        '<li><a href="void.ttl">void.ttl</a>: VoID description (size, classes, properties, '
        "vocabularies, links to Wikidata)</li>",
        '<li><a href="context.jsonld">context.jsonld</a>: the JSON-LD context of '
        f"{GRAPH_STEM}.jsonld</li>",
        '<li><a href="changes.md">changes.md</a>: what changed since the previous release</li>',
        f'<li><a href="{CHECKSUMS}">{CHECKSUMS}</a>: the SHA-256 checksum of every file '
        f"(<code>sha256sum -c {CHECKSUMS}</code>)</li>",
        "</ul>",
        f"<footer><p>Written by coopgraph {_esc(release.version)}.</p></footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)
