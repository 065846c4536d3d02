"""Converting RDF terms between rdflib and Oxigraph, both ways."""

from __future__ import annotations

import logging

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node


class _IllTypedLiterals(logging.Filter):
    """rdflib logs a warning with a traceback for every ill-typed literal it converts;
    coopgraph's shapes report ill-typed literals as validation results instead. (A log
    handler that keeps such a record would also keep alive, through the traceback, the query
    results being converted, past the thread that made them.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiterals())


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


def from_oxigraph(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"cannot convert {term!r} to an rdflib term")
