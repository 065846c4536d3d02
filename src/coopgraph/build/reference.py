"""The reference build: rdflib parses the inputs and owlrl reasons over them, slowly, to hold
the fast build (`coopgraph.build.pipeline`) to the same graph."""

from __future__ import annotations

import time

from rdflib import Graph

from coopgraph.model.files import load_graph
from coopgraph.model.inputs import Inputs
from coopgraph.reasoning.reference import entailments


def build_graphs(
    inputs: Inputs, seconds: dict[str, float] | None = None
) -> tuple[Graph, Graph, Graph]:
    """Parse the inputs and reason with owlrl, the reference: (ontology, data, entailments),
    each a new graph."""
    timings = seconds if seconds is not None else {}
    started = time.perf_counter()
    ontology = load_graph(inputs.ontology)
    data = load_graph(inputs.data)
    timings["parse"] = time.perf_counter() - started
    started = time.perf_counter()
    union = Graph()
    for triple in ontology:
        union.add(triple)
    for triple in data:
        union.add(triple)
    derived = entailments(union)
    timings["reason"] = time.perf_counter() - started
    return ontology, data, derived


def reference_graph(inputs: Inputs) -> Graph:
    """What the store holds, as one rdflib graph (ontology, data and entailments), for the
    reference engine."""
    union = Graph()
    for graph in build_graphs(inputs):
        for triple in graph:
            union.add(triple)
    return union
