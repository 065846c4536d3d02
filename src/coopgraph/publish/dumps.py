"""Release dumps: the graph in every RDF format, byte for byte the same on unchanged inputs.

Determinism takes three things. Blank nodes are relabelled by W3C RDF Dataset
Canonicalization (RDFC-1.0, Oxigraph's implementation), so their labels no longer depend on
the parse that made them. Statements are written in one sorted order: N-Triples and N-Quads
line by line, TriG and RDF/XML from sorted quads by Oxigraph's streaming writers. rdflib's
Turtle writer sorts by itself; its JSON-LD writer does not, so the JSON document is
re-ordered (nodes by `@id`, values by content, `@list` arrays left alone). Compressed files
are gzip with no file name and a zero time stamp.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from coopgraph.model.namespaces import (
    ALL_PREFIXES,
    DATA_GRAPH,
    ENTAILMENTS_GRAPH,
    ONTOLOGY_GRAPH,
    bind_project_prefixes,
)
from coopgraph.model.terms import from_oxigraph, to_oxigraph
from coopgraph.query.export import RdfFormat, jsonld_context, rdf_format

RELEASE_GRAPHS = (ONTOLOGY_GRAPH, DATA_GRAPH, ENTAILMENTS_GRAPH)

_IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
_EU_FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
_W3C_FORMATS = "http://www.w3.org/ns/formats/"
GZIP_MEDIA_TYPE = URIRef(_IANA_MEDIA_TYPES + "application/gzip")


@dataclass(frozen=True)
class DumpFormat:
    """One serialisation of a release: the RDF format, whether it is gzipped, and the IRIs
    that name it in DCAT (IANA media type, EU file type) and VoID (W3C format)."""

    key: str
    rdf_name: str
    label: str
    gzip: bool
    file_type: str
    w3c_format: str

    @property
    def rdf(self) -> RdfFormat:
        return rdf_format(self.rdf_name)

    @property
    def suffix(self) -> str:
        return self.rdf.suffix + (".gz" if self.gzip else "")

    @property
    def media_type(self) -> str:
        return self.rdf.media_type

    @property
    def media_type_iri(self) -> URIRef:
        return URIRef(_IANA_MEDIA_TYPES + self.media_type)

    @property
    def file_type_iri(self) -> URIRef:
        return URIRef(_EU_FILE_TYPES + self.file_type)

    @property
    def w3c_format_iri(self) -> URIRef:
        return URIRef(_W3C_FORMATS + self.w3c_format)


DUMP_FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("turtle", "turtle", "Turtle", False, "RDF_TURTLE", "Turtle"),
    DumpFormat("nt", "nt", "N-Triples", True, "RDF_N_TRIPLES", "N-Triples"),
    DumpFormat("jsonld", "jsonld", "JSON-LD", False, "JSON_LD", "JSON-LD"),
    DumpFormat("xml", "xml", "RDF/XML", False, "RDF_XML", "RDF_XML"),
    DumpFormat("nquads", "nquads", "N-Quads", True, "RDF_N_QUADS", "N-Quads"),
    DumpFormat("trig", "trig", "TriG", False, "RDF_TRIG", "TriG"),
)


@dataclass(frozen=True)
class DumpFile:
    """A file written into a release: its name, format, size in bytes and SHA-256 (hex)."""

    name: str
    format: DumpFormat
    size: int
    sha256: str


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def gzip_bytes(content: bytes) -> bytes:
    """Deterministic gzip: no file name, modification time 0."""
    return gzip.compress(content, compresslevel=9, mtime=0)


Quad = tuple[Node, Node, Node, URIRef]


class CanonicalDataset:
    """Named graphs with canonical blank-node labels, in one sorted order.

    `graphs` fixes the order of the named graphs in quad dumps; a quad in another graph is
    refused.
    """

    def __init__(self, quads: Iterable[Quad], graphs: Sequence[URIRef] = RELEASE_GRAPHS) -> None:
        self.graph_names = tuple(graphs)
        order = {name: index for index, name in enumerate(self.graph_names)}
        dataset = ox.Dataset(
            ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), ox.NamedNode(str(g)))  # type: ignore[arg-type]
            for s, p, o, g in quads
        )
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        unknown = {_graph_iri(q) for q in dataset} - {str(name) for name in graphs}
        if unknown:
            raise ValueError(f"quads in unexpected graphs: {sorted(unknown)}")
        self.quads: tuple[ox.Quad, ...] = tuple(
            sorted(
                dataset,
                key=lambda q: (
                    order[URIRef(_graph_iri(q))],
                    str(q.subject),
                    str(q.predicate),
                    str(q.object),
                ),
            )
        )

    def subset(self, graphs: Sequence[URIRef]) -> CanonicalDataset:
        """The named graphs `graphs` alone (their blank nodes relabelled for that subset)."""
        wanted = {str(name) for name in graphs}
        return CanonicalDataset(
            (
                (
                    from_oxigraph(q.subject),
                    from_oxigraph(q.predicate),
                    from_oxigraph(q.object),
                    URIRef(_graph_iri(q)),
                )
                for q in self.quads
                if _graph_iri(q) in wanted
            ),
            graphs,
        )

    @cached_property
    def dataset(self) -> Dataset:
        """The named graphs as an rdflib Dataset."""
        dataset = Dataset()
        bind_project_prefixes(dataset)
        for name in self.graph_names:
            dataset.graph(name)
        for q in self.quads:
            graph = dataset.graph(URIRef(_graph_iri(q)))
            graph.add(
                (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
            )
        return dataset

    @cached_property
    def union(self) -> Graph:
        """Every triple of every named graph in one rdflib graph (what the triple dumps hold)."""
        graph = Graph()
        bind_project_prefixes(graph)
        for q in self.quads:
            graph.add(
                (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
            )
        return graph

    def _triples(self) -> list[ox.Triple]:
        """Distinct triples of all graphs, in sorted order."""
        seen: dict[str, ox.Triple] = {}
        for q in self.quads:
            seen.setdefault(str(q.triple), q.triple)
        return [seen[key] for key in sorted(seen)]

    def serialize(self, fmt: DumpFormat) -> bytes:
        """The dataset in `fmt` (gzipped when `fmt.gzip`)."""
        content = self._serialize(fmt.rdf_name)
        return gzip_bytes(content) if fmt.gzip else content

    def _serialize(self, name: str) -> bytes:
        prefixes = {prefix: str(namespace) for prefix, namespace in sorted(ALL_PREFIXES.items())}
        if name == "nt":
            return _sorted_lines(_oxigraph(self._triples(), ox.RdfFormat.N_TRIPLES))
        if name == "nquads":
            return _sorted_lines(_oxigraph(self.quads, ox.RdfFormat.N_QUADS))
        if name == "trig":
            return _oxigraph(self.quads, ox.RdfFormat.TRIG, prefixes)
        if name == "xml":
            return _oxigraph(self._triples(), ox.RdfFormat.RDF_XML, prefixes)
        if name == "turtle":
            return self.union.serialize(format="turtle", encoding="utf-8")
        if name == "jsonld":
            return canonical_jsonld(
                self.union.serialize(
                    format="json-ld", context=jsonld_context(), auto_compact=True, encoding="utf-8"
                )
            )
        raise ValueError(f"no dump writer for {name!r}")


def _oxigraph(
    statements: Iterable[ox.Triple] | Iterable[ox.Quad],
    fmt: ox.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """Oxigraph's streaming writer: statements are written in the order given."""
    content = ox.serialize(statements, format=fmt, prefixes=prefixes)
    assert content is not None  # no output stream given: the bytes are returned
    return content


def _graph_iri(quad: ox.Quad) -> str:
    name = quad.graph_name
    return name.value if isinstance(name, ox.NamedNode) else ""


def _sorted_lines(content: bytes) -> bytes:
    lines = sorted(line for line in content.split(b"\n") if line)
    return b"".join(line + b"\n" for line in lines)


# --- JSON-LD in a stable order ------------------------------------------------------------


def canonical_jsonld(content: bytes) -> bytes:
    """The JSON-LD document `content` with its nodes and values in a stable order.

    Node objects of `@graph` are sorted by `@id` (or its alias `id`), every other array by
    content, except ordered ones (`@list`, and the terms the context declares with
    `"@container": "@list"`) and the `@context` itself, left as they are. Object keys are
    sorted.
    """
    document = json.loads(content)
    ordered_keys = {"@list"}
    if isinstance(document, dict) and isinstance(document.get("@context"), dict):
        ordered_keys |= {
            term
            for term, definition in document["@context"].items()
            if isinstance(definition, dict) and "@list" in _as_list(definition.get("@container"))
        }
    ordered = _order(document, ordered=False, ordered_keys=ordered_keys)
    return (json.dumps(ordered, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _order(value: object, *, ordered: bool, ordered_keys: set[str]) -> object:
    if isinstance(value, dict):
        return {
            key: item
            if key == "@context"
            else _order(item, ordered=key in ordered_keys, ordered_keys=ordered_keys)
            for key, item in value.items()
        }
    if isinstance(value, list):
        items = [_order(item, ordered=False, ordered_keys=ordered_keys) for item in value]
        return items if ordered else sorted(items, key=_sort_key)
    return value


def _sort_key(item: object) -> tuple[str, str]:
    node_id = ""
    if isinstance(item, dict):
        found = item.get("@id", item.get("id", ""))
        node_id = found if isinstance(found, str) else ""
    return (node_id, json.dumps(item, sort_keys=True, ensure_ascii=False))
