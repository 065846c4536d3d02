"""Serialisations: the whole graph in the RDF formats, query results in the W3C formats.

Format names are checked here and nowhere else (`coopgraph.query.formats` lists them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import XSD, Dataset, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from coopgraph.errors import UnknownNameError
from coopgraph.model import resources
from coopgraph.model.namespaces import (
    DATA_GRAPH,
    ENTAILMENTS_GRAPH,
    ONTOLOGY_GRAPH,
    bind_project_prefixes,
)
from coopgraph.query.formats import SPARQL_RESULT_FORMATS, TABLE_FORMAT_NAMES
from coopgraph.query.results import TABLE_FORMATS, ResultTable, render


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialisation: its rdflib plugin name, media type, file suffix, quad support."""

    name: str
    plugin: str
    media_type: str
    suffix: str
    quads: bool


RDF_FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        RdfFormat("turtle", "turtle", "text/turtle", ".ttl", quads=False),
        RdfFormat("nt", "nt11", "application/n-triples", ".nt", quads=False),
        RdfFormat("jsonld", "json-ld", "application/ld+json", ".jsonld", quads=False),
        RdfFormat("xml", "xml", "application/rdf+xml", ".rdf", quads=False),
        RdfFormat("trig", "trig", "application/trig", ".trig", quads=True),
        RdfFormat("nquads", "nquads", "application/n-quads", ".nq", quads=True),
    )
}


def rdf_format(name: str) -> RdfFormat:
    try:
        return RDF_FORMATS[name]
    except KeyError:
        raise UnknownNameError("RDF format", name, RDF_FORMATS) from None


def jsonld_context() -> dict[str, object]:
    """The published JSON-LD context (ontology/context.jsonld), as a mapping."""
    path = resources.asset_dir("ontology") / "context.jsonld"
    document = json.loads(path.read_text(encoding="utf-8"))
    context = document["@context"]
    assert isinstance(context, dict)
    return context


# --- The whole graph ---------------------------------------------------------------------


def graph_dataset(
    quads: Iterable[tuple[Node, Node, Node, URIRef]], include_entailments: bool
) -> Dataset:
    """A dataset with the ontology, the data and (optionally) the entailments graphs."""
    dataset = Dataset()
    bind_project_prefixes(dataset)
    for s, p, o, graph_name in quads:
        if graph_name == ENTAILMENTS_GRAPH and not include_entailments:
            continue
        dataset.graph(graph_name).add((s, p, o))
    return dataset


def merged_graph(dataset: Dataset) -> Graph:
    """Every triple of the dataset's named graphs, in one graph."""
    graph = Graph()
    bind_project_prefixes(graph)
    for name in (ONTOLOGY_GRAPH, DATA_GRAPH, ENTAILMENTS_GRAPH):
        for triple in dataset.graph(name):
            graph.add(triple)
    return graph


def serialize_dataset(dataset: Dataset, format_name: str) -> bytes:
    """The dataset in `format_name`: quads keep their named graphs, triple formats merge them."""
    fmt = rdf_format(format_name)
    if fmt.quads:
        return dataset.serialize(format=fmt.plugin, encoding="utf-8")
    return serialize_graph(merged_graph(dataset), format_name)


def serialize_graph(graph: Graph, format_name: str) -> bytes:
    """A graph in a triple format (JSON-LD compacted with the published context)."""
    fmt = rdf_format(format_name)
    if fmt.quads:
        dataset = Dataset()
        bind_project_prefixes(dataset)
        target = dataset.graph(DATA_GRAPH)
        for triple in graph:
            target.add(triple)
        return dataset.serialize(format=fmt.plugin, encoding="utf-8")
    if fmt.name == "jsonld":
        return graph.serialize(
            format="json-ld", context=jsonld_context(), auto_compact=True, encoding="utf-8"
        )
    return graph.serialize(format=fmt.plugin, encoding="utf-8")


# --- Query results -----------------------------------------------------------------------


def serialize_table(table: ResultTable, format_name: str, compact_iri: object = None) -> str:
    """A SELECT result in a table format of ours or in a W3C SPARQL results format."""
    if format_name == "srt":
        return sparql_tsv(table)
    if format_name in SPARQL_RESULT_FORMATS:
        result = Result("SELECT")
        result.vars = [Variable(name) for name in table.variables]
        result.bindings = [
            {Variable(k): v for k, v in row.items()}  # type: ignore[misc]
            for row in table.as_dicts()
        ]
        data = result.serialize(format=SPARQL_RESULT_FORMATS[format_name], encoding="utf-8")
        assert isinstance(data, bytes)
        return data.decode("utf-8")
    if format_name not in TABLE_FORMATS:
        raise UnknownNameError("result format", format_name, TABLE_FORMAT_NAMES)
    return render(table, format_name, compact_iri)  # type: ignore[arg-type]


def sparql_tsv(table: ResultTable) -> str:
    """The W3C SPARQL 1.1 TSV results format (rdflib reads it but cannot write it): a header of
    `?variables`, then one line per row, each term in Turtle syntax, an unbound cell empty."""
    lines = ["\t".join(f"?{name}" for name in table.variables)]
    for row in table.as_dicts():
        cells = []
        for name in table.variables:
            term = row.get(name)
            cells.append("" if term is None else _tsv_term(term))
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def _tsv_term(term: Node) -> str:
    if isinstance(term, Literal):
        # A tab or line break inside a string would end the cell or the row.
        text = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None and str(term.datatype) != str(XSD.string):
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    return term.n3()


def serialize_boolean(answer: bool, format_name: str) -> str:
    """An ASK answer: 'true'/'false', or the W3C JSON/XML form."""
    if format_name in ("srj", "srx"):
        result = Result("ASK")
        result.askAnswer = answer
        data = result.serialize(format=SPARQL_RESULT_FORMATS[format_name], encoding="utf-8")
        assert isinstance(data, bytes)
        return data.decode("utf-8")
    if format_name == "json":
        return json.dumps({"boolean": answer}) + "\n"
    return ("true" if answer else "false") + "\n"
