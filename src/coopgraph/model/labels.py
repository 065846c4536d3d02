"""Human-readable names of resources: rdfs:label or skos:prefLabel, English first."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label)


def label_of(graph: Graph, node: Node, language: str = "en") -> str | None:
    """The best label of `node`: in `language`, else without a language tag, else any;
    ties are broken by text so the answer is stable."""
    labels = [
        value
        for prop in LABEL_PROPERTIES
        for value in graph.objects(node, prop)
        if isinstance(value, Literal)
    ]
    if not labels:
        return None
    return str(min(labels, key=lambda label: (_language_rank(label, language), str(label))))


def _language_rank(label: Literal, language: str) -> int:
    tag = (label.language or "").lower()
    if tag == language or tag.startswith(language + "-"):
        return 0
    return 1 if not tag else 2
