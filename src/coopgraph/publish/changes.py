"""What changed since the previous release, computed from the graphs: the instruments added
and removed, and the facts (asserted triples of the ontology and the data) added and removed.

The previous release is read from its folder: its N-Quads dump (the named graphs) and its
catalogue (version and date). Blank nodes are matched by rdflib's graph canonicalisation, so
relabelled blank nodes are not reported as changes.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS

from coopgraph.errors import InputError
from coopgraph.model.labels import label_of
from coopgraph.model.namespaces import CG, DATA_GRAPH, ENTAILMENTS_GRAPH, ONTOLOGY_GRAPH
from coopgraph.model.stats import instances, subclasses
from coopgraph.publish.dcat import DCAT
from coopgraph.publish.dumps import CanonicalDataset
from coopgraph.publish.release import DATASET

QUAD_DUMP = "coopgraph.nq.gz"
CATALOG_FILE = "catalog.ttl"
ASSERTED_GRAPHS = (ONTOLOGY_GRAPH, DATA_GRAPH)


@dataclass(frozen=True)
class Instrument:
    iri: URIRef
    label: str


@dataclass(frozen=True)
class ReleaseChanges:
    """The difference between a previous release and this one."""

    previous_version: str | None
    previous_date: str | None
    added_instruments: tuple[Instrument, ...]
    removed_instruments: tuple[Instrument, ...]
    added_triples: tuple[str, ...]
    """Added facts, as sorted N-Triples lines."""
    removed_triples: tuple[str, ...]
    entailed_before: int
    entailed_now: int


@dataclass(frozen=True)
class PreviousRelease:
    folder: Path
    version: str | None
    date: str | None
    dataset: Dataset


def read_previous(folder: Path) -> PreviousRelease:
    """The previous release in `folder`, or an `InputError` saying what is missing."""
    dump = folder / QUAD_DUMP
    hint = "give --previous the folder of an earlier `coopgraph publish`"
    if not folder.is_dir():
        raise InputError(folder, "no such folder", hint=hint)
    try:
        content = gzip.decompress(dump.read_bytes())
    except FileNotFoundError:
        raise InputError(
            dump, "not found: the folder holds no coopgraph release", hint=hint
        ) from None
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(dump, f"cannot be read ({error})", hint=hint) from error
    dataset = Dataset()
    try:
        dataset.parse(data=content, format="nquads")
    except Exception as error:  # rdflib's parsers raise many unrelated types
        raise InputError(dump, f"is not valid N-Quads ({error})", hint=hint) from error
    version, issued = _catalog_facts(folder / CATALOG_FILE)
    return PreviousRelease(folder, version, issued, dataset)


def _catalog_facts(path: Path) -> tuple[str | None, str | None]:
    if not path.is_file():
        return None, None
    catalog = Graph()
    try:
        catalog.parse(path, format="turtle")
    except Exception as error:  # rdflib's parsers raise many unrelated types
        raise InputError(path, f"is not valid Turtle ({error})") from error
    version = catalog.value(DATASET, DCAT.version)
    issued = catalog.value(DATASET, DCTERMS.issued)
    return (
        str(version) if isinstance(version, Literal) else None,
        str(issued) if isinstance(issued, Literal) else None,
    )


def compare(previous: PreviousRelease, current: CanonicalDataset) -> ReleaseChanges:
    """The changes from `previous` to `current`."""
    before_asserted = _merge(previous.dataset.graph(name) for name in ASSERTED_GRAPHS)
    now_asserted = _merge(current.dataset.graph(name) for name in ASSERTED_GRAPHS)
    _both, removed, added = graph_diff(to_isomorphic(before_asserted), to_isomorphic(now_asserted))
    before_all = _merge(
        previous.dataset.graph(name) for name in (*ASSERTED_GRAPHS, ENTAILMENTS_GRAPH)
    )
    before_instruments = _instruments(before_all)
    now_instruments = _instruments(current.union)
    return ReleaseChanges(
        previous_version=previous.version,
        previous_date=previous.date,
        added_instruments=tuple(
            now_instruments[i] for i in sorted(set(now_instruments) - set(before_instruments))
        ),
        removed_instruments=tuple(
            before_instruments[i] for i in sorted(set(before_instruments) - set(now_instruments))
        ),
        added_triples=_lines(added),
        removed_triples=_lines(removed),
        entailed_before=len(previous.dataset.graph(ENTAILMENTS_GRAPH)),
        entailed_now=len(current.dataset.graph(ENTAILMENTS_GRAPH)),
    )


def _merge(graphs: Iterable[Graph]) -> Graph:
    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


def _instruments(graph: Graph) -> dict[URIRef, Instrument]:
    found = {}
    for node in instances(graph, subclasses(graph, CG.Instrument)):
        if isinstance(node, URIRef):
            found[node] = Instrument(node, label_of(graph, node) or str(node))
    return found


def _lines(graph: Graph) -> tuple[str, ...]:
    return tuple(sorted(" ".join(term.n3() for term in triple) + " ." for triple in graph))


# --- changes.md ---------------------------------------------------------------------------


def changes_markdown(version: str, release_date: str, changes: ReleaseChanges | None) -> str:
    """The changes page of a release; `changes` is None for a first release."""
    lines = [f"# Changes in coopgraph {version} ({release_date})", ""]
    if changes is None:
        lines += [
            "First release: there is no previous release to compare with.",
            "",
        ]
        return "\n".join(lines)
    previous = changes.previous_version or "(unknown version)"
    when = f" of {changes.previous_date}" if changes.previous_date else ""
    lines += [
        f"Compared with release {previous}{when}, from the graphs: facts are the asserted "
        "triples of the ontology and the data; the entailments are counted apart.",
        "",
        "| | added | removed |",
        "| --- | ---: | ---: |",
        f"| instruments | {len(changes.added_instruments)} | {len(changes.removed_instruments)} |",
        f"| facts (triples) | {len(changes.added_triples)} | {len(changes.removed_triples)} |",
        "",
        f"Entailed triples: {changes.entailed_before} before, {changes.entailed_now} now.",
        "",
    ]
    for title, instruments in (
        ("Instruments added", changes.added_instruments),
        ("Instruments removed", changes.removed_instruments),
    ):
        lines += [f"## {title}", ""]
        lines += [f"- {item.label} <{item.iri}>" for item in instruments] or ["None."]
        lines.append("")
    for title, triples in (
        ("Facts added", changes.added_triples),
        ("Facts removed", changes.removed_triples),
    ):
        lines += [f"## {title}", ""]
        if triples:
            lines += ["```", *triples, "```"]
        else:
            lines.append("None.")
        lines.append("")
    return "\n".join(lines)
