"""The message pySHACL would write for a result of a shape without sh:message, so that such a
shape runs compiled (`coopgraph.validation.compiled`) and still reads as pySHACL's would.

pySHACL's own constraint components write it (`make_generic_messages`): the same words, for
the same shape. pySHACL is imported only when a result needs a message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from coopgraph.validation import compiled as shacl


def with_generic_messages(
    results: Sequence[shacl.Result], shapes_graph: Graph, data_graph: Graph
) -> list[shacl.Result]:
    """`results`, each without a message given the one pySHACL would write."""
    if all(
        result.messages or result.component == SH.SPARQLConstraintComponent for result in results
    ):
        return list(results)
    writer = _Writer(shapes_graph)
    return [
        dataclasses.replace(result, messages=writer.messages(result, data_graph))
        if not result.messages and result.component != SH.SPARQLConstraintComponent
        else result
        for result in results
    ]


# pySHACL writes both qualified results with the component of sh:qualifiedValueShape.
_QUALIFIED_NAME = "QualifiedValueShapeConstraintComponent"
_QUALIFIED = {SH.QualifiedMinCountConstraintComponent, SH.QualifiedMaxCountConstraintComponent}


class _Writer:
    def __init__(self, shapes_graph: Graph) -> None:
        from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP  # noqa: PLC0415 - slow
        from pyshacl.shapes_graph import ShapesGraph  # noqa: PLC0415

        self.graph = shapes_graph
        self.components = CONSTRAINT_PARAMETERS_MAP
        self.shapes = ShapesGraph(shapes_graph)
        _ = self.shapes.shapes  # harvests the shapes
        self.cache: dict[tuple[Node, URIRef, Node, Node | None], tuple[Literal, ...]] = {}

    def messages(self, result: shacl.Result, data_graph: Graph) -> tuple[Literal, ...]:
        key = (result.shape, result.component, result.focus, result.value)
        if key not in self.cache:
            self.cache[key] = self._write(result, data_graph)
        return self.cache[key]

    def _write(self, result: shacl.Result, data_graph: Graph) -> tuple[Literal, ...]:
        try:
            shape = self.shapes.lookup_shape_from_node(result.shape)
        except KeyError:
            return ()
        name = str(result.component)[len(str(SH)) :]
        if result.component in _QUALIFIED:
            name = _QUALIFIED_NAME
        for predicate in set(self.graph.predicates(result.shape)):
            component = self.components.get(predicate)
            if component is None or component.constraint_name() != name:
                continue
            try:
                written = component(shape).make_generic_messages(
                    data_graph, result.focus, result.value
                )
            except Exception:  # pySHACL's own errors: the result stands, without a message
                return ()
            return tuple(Literal(str(message)) for message in written)
        return ()
