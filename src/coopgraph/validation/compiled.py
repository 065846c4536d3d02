"""SHACL validation compiled to SPARQL and run on an Oxigraph store, set at a time.

pySHACL validates one focus node at a time in Python (and parses a SPARQL constraint again for
each one); it stays the reference. Here each constraint of a top-level shape becomes one
SPARQL query over all of the shape's focus nodes at once, which returns only the violations:

- the focus nodes are a SPARQL pattern (class, subjects-of, objects-of, node and SPARQL
  targets), never a list in Python;
- a value-level component (sh:class, sh:datatype, sh:in, sh:pattern, sh:node, sh:not, sh:or,
  sh:xone, ...) becomes a FILTER on each value; cardinalities become GROUP BY ... HAVING;
- a nested shape (behind sh:node, sh:not, sh:or, sh:xone, sh:and, sh:qualifiedValueShape)
  becomes a SPARQL boolean expression "conforms(?x)";
- a SPARQL-based constraint keeps its own query, with `$this` pre-bound by joining the focus
  nodes into every group that mentions it (what pre-binding means for these queries).

Results are those pySHACL gives: the same focus node, path, value, constraint component,
source shape, severity and messages (tests compare the two on every shape case and on
generated data). Shapes that use what is not compiled here (sh:closed, property pairs other
than sh:equals and sh:disjoint, large cardinalities inside nested shapes, a top-level
constraint without sh:message, ...) raise `Unsupported`; callers then use pySHACL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from coopgraph.model.terms import from_oxigraph  # also quiets rdflib on ill-typed literals

STORE_REWRITES = frozenset(
    {
        *(XSD[name] for name in ("byte", "short", "int", "long", "dateTimeStamp")),
        *(XSD[f"unsigned{name}"] for name in ("Byte", "Short", "Int", "Long")),
        *(XSD[f"{name}Integer"] for name in ("positive", "negative", "nonNegative", "nonPositive")),
    }
)
"""Datatypes that Oxigraph does not keep: a well-formed "5"^^xsd:int is stored as
"5"^^xsd:integer, and an xsd:dateTimeStamp as an xsd:dateTime."""
_BASE_OF = {d: XSD.dateTime if d == XSD.dateTimeStamp else XSD.integer for d in STORE_REWRITES}


def _n3(graph: Graph, term: Node) -> str:
    return term.n3(graph.namespace_manager) if isinstance(term, URIRef | Literal) else str(term)


class Unsupported(Exception):
    """A shape uses SHACL features this module does not compile; use pySHACL for it."""


class MalformedShape(Exception):
    """A shape that SHACL does not allow (`sh:minCount "abc"`): `shape` says which."""

    def __init__(self, shape: Node, problem: str) -> None:
        super().__init__(problem)
        self.shape = shape
        self.problem = problem


@dataclass(frozen=True)
class Result:
    """One validation result, as pySHACL would report it (terms of rdflib)."""

    focus: Node
    path: Node | None
    value: Node | None
    component: URIRef
    shape: Node
    severity: URIRef
    messages: tuple[Literal, ...]


# --- Reading the shapes ------------------------------------------------------------------

_SHAPE_PREDICATES = frozenset(
    {
        SH["class"],
        SH.datatype,
        SH.nodeKind,
        SH.minCount,
        SH.maxCount,
        SH["in"],
        SH.pattern,
        SH.flags,
        SH.languageIn,
        SH.uniqueLang,
        SH.hasValue,
        SH.equals,
        SH.disjoint,
        SH["not"],
        SH["and"],
        SH["or"],
        SH.xone,
        SH.node,
        SH.property,
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.qualifiedValueShapesDisjoint,
        SH.minInclusive,
        SH.maxInclusive,
        SH.minExclusive,
        SH.maxExclusive,
        SH.minLength,
        SH.maxLength,
        SH.closed,
        SH.ignoredProperties,
        SH.sparql,
        SH.path,
        SH.severity,
        SH.message,
        SH.name,
        SH.description,
        SH.deactivated,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.targetClass,
        SH.targetNode,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.target,
        RDF.type,
        RDFS.label,
        RDFS.comment,
    }
)
_UNSUPPORTED = frozenset(
    {
        SH.lessThan,
        SH.lessThanOrEquals,
        SH.rule,
        SH.expression,
    }
)
_VALUE_COMPONENTS = {
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
}
_COMPARISONS = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}
_MAX_NESTED_COUNT = 3
_PLACEHOLDER = "?qualifiedValue"


def sparql_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3()
    raise Unsupported(f"a blank node {term!r} where SPARQL needs a term")


class _Vars:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, stem: str = "v") -> str:
        self.count += 1
        return f"?{stem}{self.count}"


@dataclass
class _Context:
    """What compiling needs of the data: the subclasses of each class, the ill-typed literals
    of each checked datatype (found once, with rdflib's notion of well-formed)."""

    subclasses: dict[URIRef, list[str]] = field(default_factory=dict)
    ill_typed: dict[URIRef, list[str]] = field(default_factory=dict)


class Shapes:
    """The shapes graph, compiled against one data store."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.prologue = self._prologue()
        self.vars = _Vars()
        self.context = _Context()

    # --- reading ----------------------------------------------------------------------

    def check_compiled(self, shape: Node) -> None:
        """Raise `Unsupported` when `shape`, or a shape it refers to, uses what is not
        compiled here."""
        custom = self.custom_parameters()
        for node in self.reachable(shape):
            for predicate in set(self.graph.predicates(node)) & _UNSUPPORTED:
                raise Unsupported(f"{_short(predicate)} is not compiled")
            for predicate in set(self.graph.predicates(node)) & custom.keys():
                component = _n3(self.graph, custom[predicate])
                raise Unsupported(f"it uses the constraint component {component}")
            if self.graph.value(node, SH.qualifiedValueShapesDisjoint) == Literal(True):
                raise Unsupported("sh:qualifiedValueShapesDisjoint is not compiled")

    def rewrite_unsafe(self, shape: Node, written: frozenset[URIRef]) -> str | None:
        """Why `shape` may give other results compiled than on pySHACL, given that the data
        has literals written with the datatypes `written` (of `STORE_REWRITES`), which the
        store keeps as their base type (xsd:integer, xsd:dateTime); or None.

        An sh:datatype check is safe when it accepts a written datatype exactly when it
        accepts that datatype's base type (e.g. sh:or of xsd:integer and the written
        xsd:nonNegativeInteger). An ill-typed literal of a written datatype may still pass
        it compiled where pySHACL fails it: `coopgraph.validation.literals` reports that
        literal in any case."""
        if not written:
            return None
        bases = {_BASE_OF[w] for w in written}
        for node in self.reachable(shape):
            for predicate, value in self.graph.predicate_objects(node):
                if predicate == SH.datatype:
                    if value not in written and value not in bases and value not in STORE_REWRITES:
                        continue
                    accepted = self._alternatives(node)
                    for w in written:
                        if (w in accepted) != (_BASE_OF[w] in accepted):
                            return (
                                f"sh:datatype {_n3(self.graph, value)} cannot tell "
                                f"{_n3(self.graph, w)} from {_n3(self.graph, _BASE_OF[w])} in the "
                                "store, and the data has such literals"
                            )
                elif predicate in (SH.hasValue, SH["in"]):
                    # Compared as terms (numeric comparisons, by value, are safe).
                    terms = [value] if predicate == SH.hasValue else self.items(value)
                    for term in terms:
                        if isinstance(term, Literal) and term.datatype in STORE_REWRITES | bases:
                            return (
                                f"{_short(predicate)} {_n3(self.graph, term)}: the store "
                                "keeps literals of its datatype rewritten, and the data has "
                                "such literals"
                            )
        return None

    def _alternatives(self, node: Node) -> set[Node]:
        """The datatypes a value may have to meet `node`'s sh:datatype: all those of the
        sh:or list that `node` is a member of (each member a datatype alone), else its own."""
        own = set(self.graph.objects(node, SH.datatype))
        cells = list(self.graph.subjects(RDF.first, node))
        for cell in cells:
            head = cell
            while True:
                previous = list(self.graph.subjects(RDF.rest, head))
                if len(previous) != 1:
                    break
                head = previous[0]
            if (None, SH["or"], head) not in self.graph:
                continue
            members = self.items(head)
            if all(
                set(self.graph.predicates(m)) <= {SH.datatype, SH.message, RDF.type}
                for m in members
            ):
                return {d for m in members for d in self.graph.objects(m, SH.datatype)}
        return own

    def custom_parameters(self) -> dict[Node, Node]:
        """The parameters of the constraint components the shapes graph declares
        (SHACL 1.0 §6), each with its component: not compiled here."""
        found: dict[Node, Node] = {}
        for component in set(self.graph.subjects(SH.parameter, None)):
            for parameter in self.graph.objects(component, SH.parameter):
                for path in self.graph.objects(parameter, SH.path):
                    found[path] = component
        return found

    def reachable(self, shape: Node) -> list[Node]:
        """`shape` and every shape it refers to (property, node, logical and qualified
        shapes), each once."""
        found: list[Node] = []
        pending = [shape]
        seen: set[Node] = set()
        while pending:
            node = pending.pop()
            if node in seen:
                continue
            seen.add(node)
            found.append(node)
            for predicate in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
                pending += self.graph.objects(node, predicate)
            for predicate in (SH["and"], SH["or"], SH.xone):
                for members in self.graph.objects(node, predicate):
                    pending += self.items(members)
        return found

    def implicit_class(self, shape: Node) -> bool:
        """A shape that is also a class targets the instances of that class (SHACL 1.0
        §2.1.3.1): an rdfs:Class, or an owl:Class (which OWL declares a subclass of it)."""
        if not isinstance(shape, URIRef):
            return False
        types = set(self.graph.objects(shape, RDF.type))
        if not types & {SH.NodeShape, SH.PropertyShape}:
            return False
        classes = {
            RDFS.Class,
            OWL.Class,
            *self.graph.transitive_subjects(RDFS.subClassOf, RDFS.Class),
        }
        return bool(types & classes)

    def _prologue(self) -> str:
        lines = []
        for declaration in self.graph.objects(None, SH.declare):
            prefix = self.graph.value(declaration, SH.prefix)
            namespace = self.graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(sorted(set(lines))) + "\n"

    def top_level(self) -> list[Node]:
        """Shapes with targets, in a stable order."""
        targets = (
            SH.targetClass,
            SH.targetNode,
            SH.targetSubjectsOf,
            SH.targetObjectsOf,
            SH.target,
        )
        found = {s for t in targets for s in self.graph.subjects(t, None)}
        for kind in (SH.NodeShape, SH.PropertyShape):
            found |= {s for s in self.graph.subjects(RDF.type, kind) if self.implicit_class(s)}
        return sorted(found, key=str)

    def objects(self, node: Node, predicate: URIRef) -> list[Node]:
        return sorted(self.graph.objects(node, predicate), key=lambda n: (str(type(n)), str(n)))

    def one(self, node: Node, predicate: URIRef) -> Node | None:
        values = self.objects(node, predicate)
        if len(values) > 1:
            raise Unsupported(f"{node} has several {predicate}")
        return values[0] if values else None

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.graph, node))

    def deactivated(self, shape: Node) -> bool:
        return self.graph.value(shape, SH.deactivated) == Literal(True)

    def severity(self, shape: Node) -> URIRef:
        severity = self.graph.value(shape, SH.severity)
        return severity if isinstance(severity, URIRef) else SH.Violation

    def messages(self, shape: Node) -> tuple[Literal, ...]:
        return tuple(m for m in self.objects(shape, SH.message) if isinstance(m, Literal))

    # --- paths ------------------------------------------------------------------------

    def path(self, node: Node) -> str:
        """A SHACL path in SPARQL property-path syntax."""
        if isinstance(node, URIRef):
            return f"<{node}>"
        if (node, RDF.first, None) in self.graph:
            return "(" + "/".join(self.path(step) for step in self.items(node)) + ")"
        alternatives = self.graph.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(a) for a in self.items(alternatives)) + ")"
        for predicate, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = self.graph.value(node, predicate)
            if inner is not None:
                return template.format(self.path(inner))
        raise Unsupported(f"the SHACL path {node!r}")

    # --- what the data must provide ------------------------------------------------------

    def prepare(self, store: ox.Store, graphs: Sequence[ox.NamedNode | ox.DefaultGraph]) -> None:
        """Look up, once, the subclasses of every class the shapes name and the ill-typed
        literals of every datatype they check."""
        classes = {c for c in self.graph.objects(None, SH["class"]) if isinstance(c, URIRef)}
        classes |= {c for c in self.graph.objects(None, SH.targetClass) if isinstance(c, URIRef)}
        classes |= {c for c in self.top_level() if isinstance(c, URIRef) and self.implicit_class(c)}
        if classes:
            query = (
                "SELECT ?class ?sub WHERE { VALUES ?class { "
                + " ".join(f"<{c}>" for c in classes)
                + f" }} ?sub <{RDFS.subClassOf}>* ?class }}"
            )
            found: dict[URIRef, set[str]] = {c: {f"<{c}>"} for c in classes}
            for row in _select(store, query, graphs):
                sub = row["sub"]
                if isinstance(sub, ox.NamedNode):
                    found[URIRef(row["class"].value)].add(str(sub))
            self.context.subclasses = {c: sorted(s) for c, s in found.items()}
        datatypes = {
            d
            for d in self.graph.objects(None, SH.datatype)
            if isinstance(d, URIRef)
            and d not in (XSD.string, RDF.langString, RDFS.Literal, RDFS.Datatype)
        }
        self.context.ill_typed = {d: [] for d in datatypes}
        if not datatypes:
            return
        listed = ", ".join(f"<{d}>" for d in sorted(datatypes))
        query = (
            "SELECT DISTINCT ?l WHERE "
            f"{{ ?s ?p ?l FILTER (isLiteral(?l) && DATATYPE(?l) IN ({listed})) }}"
        )
        for row in _select(store, query, graphs):
            term = row["l"]
            datatype = URIRef(term.datatype.value)
            literal = Literal(term.value, datatype=datatype)
            if getattr(literal, "ill_typed", False) or not _actual_datatype(literal, datatype):
                self.context.ill_typed[datatype].append(str(term))

    # --- conditions on one node ------------------------------------------------------------

    def instance_of(self, var: str, cls: Node) -> str:
        if not isinstance(cls, URIRef):
            raise Unsupported(f"sh:class {cls!r}")
        subs = self.context.subclasses.get(cls, [f"<{cls}>"])
        t = self.vars("t")
        return f"EXISTS {{ {var} a {t} . VALUES {t} {{ {' '.join(subs)} }} }}"

    def value_condition(self, predicate: URIRef, value: Node, var: str) -> str:
        """The condition a value-level parameter puts on the value node `var` (false where
        SPARQL would raise an error, e.g. comparing a string with a number)."""
        return f"COALESCE({self._value_condition(predicate, value, var)}, false)"

    def _value_condition(self, predicate: URIRef, value: Node, var: str) -> str:
        if predicate == SH["class"]:
            return self.instance_of(var, value)
        if predicate == SH.datatype:
            return self.datatype(var, value)
        if predicate == SH.nodeKind:
            if not isinstance(value, URIRef) or value not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {value}")
            return _NODE_KINDS[value].format(v=var)
        if predicate == SH["in"]:
            members = self.items(value)
            if not members:
                return "false"
            return "(" + " || ".join(f"sameTerm({var}, {sparql_term(m)})" for m in members) + ")"
        if predicate == SH.pattern:
            flags = self.graph.value(self._owner[value], SH.flags) if value in self._owner else None
            flag_text = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            pattern = Literal(str(value)).n3()
            return f"(!isBlank({var}) && REGEX(STR({var}), {pattern}{flag_text}))"
        if predicate == SH.languageIn:
            tags = ", ".join(Literal(str(t).lower()).n3() for t in self.items(value))
            if "*" in [str(t) for t in self.items(value)]:
                return f'(isLiteral({var}) && LANG({var}) != "")'
            return (
                f'(isLiteral({var}) && LANG({var}) != "" && (LCASE(LANG({var})) IN ({tags}) '
                f'|| LCASE(STRBEFORE(CONCAT(LANG({var}), "-"), "-")) IN ({tags})))'
            )
        if predicate in (SH.minLength, SH.maxLength):
            test = ">=" if predicate == SH.minLength else "<="
            return f"(!isBlank({var}) && STRLEN(STR({var})) {test} {_count(value)})"
        if predicate in _COMPARISONS:
            return f"({var} {_COMPARISONS[predicate]} {sparql_term(value)})"
        if predicate == SH.node:
            return self.conforms(value, var)
        if predicate == SH["not"]:
            return f"!({self.conforms(value, var)})"
        if predicate in (SH["and"], SH["or"]):
            parts = [self.conforms(member, var) for member in self.items(value)]
            if not parts:
                return "true"
            joiner = " && " if predicate == SH["and"] else " || "
            return "(" + joiner.join(parts) + ")"
        if predicate == SH.xone:
            parts = [f"IF({self.conforms(member, var)}, 1, 0)" for member in self.items(value)]
            return "((" + " + ".join(parts or ["0"]) + ") = 1)"
        raise Unsupported(f"{_short(predicate)} is not compiled")

    def datatype(self, var: str, datatype: Node) -> str:
        if datatype == RDF.langString:
            return f'(isLiteral({var}) && LANG({var}) != "")'
        if datatype == RDFS.Literal:
            return f"isLiteral({var})"
        if datatype == RDFS.Datatype:
            return f'(isLiteral({var}) && (DATATYPE({var}) != <{XSD.string}> || LANG({var}) = ""))'
        condition = f"(isLiteral({var}) && DATATYPE({var}) = {sparql_term(datatype)}"
        if datatype == XSD.string:
            condition += f' && LANG({var}) = ""'
        ill = self.context.ill_typed.get(datatype, []) if isinstance(datatype, URIRef) else []
        if ill:
            condition += f" && !({' || '.join(f'sameTerm({var}, {t})' for t in ill)})"
        return condition + ")"

    def conforms(self, shape: Node, var: str) -> str:
        """A SPARQL expression: `var` conforms to `shape`."""
        if self.deactivated(shape):
            return "true"
        path = self.graph.value(shape, SH.path)
        parts: list[str] = []
        if path is None:
            for predicate, value in self._parameters(shape):
                parts.append(self._node_condition(predicate, value, var))
            for prop in self.objects(shape, SH.property):
                parts.append(self.conforms(prop, var))
            if _true(self.graph.value(shape, SH.closed)):
                parts.append(f"NOT EXISTS {{ {self.closed_pattern(shape, var)} }}")
        else:
            if _true(self.graph.value(shape, SH.closed)):
                raise Unsupported("sh:closed on a property shape")
            parts += self._property_conditions(shape, self.path(path), var)
        if self.objects(shape, SH.sparql):
            raise Unsupported(f"a SPARQL constraint inside a nested shape ({shape})")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def closed_pattern(self, shape: Node, var: str, path: str = "", value: str = "") -> str:
        """A pattern matching the triples of `var` that closed `shape` does not allow: a
        predicate that is no sh:path of its property shapes nor an ignored property (nor
        rdf:type rdfs:Resource, which pySHACL always allows)."""
        path = path or self.vars("closedPath")
        value = value or self.vars("closedValue")
        allowed = {
            p
            for prop in self.objects(shape, SH.property)
            for p in self.graph.objects(prop, SH.path)
            if isinstance(p, URIRef)
        }
        for listed in self.objects(shape, SH.ignoredProperties):
            allowed |= {p for p in self.items(listed) if isinstance(p, URIRef)}
        tests = [f"!(sameTerm({path}, <{RDF.type}>) && sameTerm({value}, <{RDFS.Resource}>))"]
        if allowed:
            tests.append(f"{path} NOT IN ({', '.join(f'<{p}>' for p in sorted(allowed))})")
        return f"{var} {path} {value} FILTER ({' && '.join(tests)})"

    def _parameters(self, shape: Node) -> Iterator[tuple[URIRef, Node]]:
        """The parameters of `shape`, cheapest tests first: conditions are joined with &&,
        which stops at the first false (a missing value fails sh:minCount at once)."""
        for predicate in sorted(set(self.graph.predicates(shape)), key=_cost):
            if not isinstance(predicate, URIRef):
                continue
            if predicate not in _SHAPE_PREDICATES and str(predicate).startswith(str(SH)):
                raise Unsupported(f"{_short(predicate)} is not compiled")
            for value in self.objects(shape, predicate):
                yield predicate, value

    @property
    def _owner(self) -> dict[Node, Node]:
        """Which shape each sh:pattern value belongs to (to find its sh:flags)."""
        return {value: shape for shape, value in self.graph.subject_objects(SH.pattern)}

    def _node_condition(self, predicate: URIRef, value: Node, var: str) -> str:
        if predicate in _VALUE_COMPONENTS:
            return self.value_condition(predicate, value, var)
        if predicate == SH.hasValue:
            return f"sameTerm({var}, {sparql_term(value)})"
        if predicate in (SH.equals, SH.disjoint):
            w = self.vars()
            p = self.path(value)
            if predicate == SH.disjoint:
                return f"NOT EXISTS {{ {var} {p} {var} }}"
            return (
                f"(EXISTS {{ {var} {p} {var} }} && "
                f"NOT EXISTS {{ {var} {p} {w} FILTER (!sameTerm({w}, {var})) }})"
            )
        if predicate in (
            SH.minCount,
            SH.maxCount,
            SH.uniqueLang,
            SH.qualifiedValueShape,
            SH.qualifiedMinCount,
            SH.qualifiedMaxCount,
        ):
            raise Unsupported(f"{_short(predicate)} on a node shape")
        return "true"  # targets, names, messages, severity, property shapes (handled apart)

    def _property_conditions(self, shape: Node, path: str, f: str) -> list[str]:
        parts: list[str] = []
        for predicate, value in self._parameters(shape):
            if predicate in _VALUE_COMPONENTS or predicate == SH.property:
                v = self.vars()
                condition = (
                    self.conforms(value, v)
                    if predicate == SH.property
                    else self.value_condition(predicate, value, v)
                )
                parts.append(f"NOT EXISTS {{ {f} {path} {v} FILTER (!({condition})) }}")
            elif predicate == SH.minCount:
                parts.append(self._at_least(_count(value), path, f, "true"))
            elif predicate == SH.maxCount:
                parts.append("!" + self._at_least(_count(value) + 1, path, f, "true"))
            elif predicate == SH.uniqueLang and _true(value):
                a, b = self.vars(), self.vars()
                parts.append(
                    f"NOT EXISTS {{ {f} {path} {a} . {f} {path} {b} FILTER (!sameTerm({a}, {b}) "
                    f'&& isLiteral({a}) && isLiteral({b}) && LANG({a}) != "" '
                    f"&& LCASE(LANG({a})) = LCASE(LANG({b}))) }}"
                )
            elif predicate == SH.hasValue:
                parts.append(f"EXISTS {{ {f} {path} {sparql_term(value)} }}")
            elif predicate == SH.equals:
                v = self.vars()
                other = self.path(value)
                parts.append(
                    f"NOT EXISTS {{ {f} {path} {v} FILTER NOT EXISTS {{ {f} {other} {v} }} }} && "
                    f"NOT EXISTS {{ {f} {other} {v} FILTER NOT EXISTS {{ {f} {path} {v} }} }}"
                )
            elif predicate == SH.disjoint:
                v = self.vars()
                parts.append(f"NOT EXISTS {{ {f} {path} {v} . {f} {self.path(value)} {v} }}")
            elif predicate == SH.qualifiedValueShape:
                condition = self.conforms(value, _PLACEHOLDER)
                low = self.graph.value(shape, SH.qualifiedMinCount)
                high = self.graph.value(shape, SH.qualifiedMaxCount)
                if low is not None:
                    parts.append(self._at_least(_count(low), path, f, condition))
                if high is not None:
                    parts.append("!" + self._at_least(_count(high) + 1, path, f, condition))
        return parts

    def _at_least(self, n: int, path: str, f: str, condition: str) -> str:
        """`f` has at least `n` distinct values of `path` meeting `condition` (about
        `_PLACEHOLDER`, the value)."""
        if n <= 0:
            return "true"
        if n > _MAX_NESTED_COUNT:
            raise Unsupported(f"a count of {n} inside a nested shape")
        names = [self.vars() for _ in range(n)]
        patterns = " ".join(f"{f} {path} {v} ." for v in names)
        tests = [condition.replace(_PLACEHOLDER, v) for v in names if condition != "true"]
        tests += [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1 :]]
        where = f" FILTER ({' && '.join(tests)})" if tests else ""
        return f"EXISTS {{ {patterns}{where} }}"

    # --- the focus nodes of a top-level shape --------------------------------------------

    def focus_branches(self, shape: Node) -> list[str]:
        """Patterns binding ?this to the focus nodes of `shape`, one per target."""
        branches: list[str] = []
        implicit = [shape] if self.implicit_class(shape) else []
        for cls in [*self.objects(shape, SH.targetClass), *implicit]:
            if not isinstance(cls, URIRef):
                raise Unsupported(f"sh:targetClass {cls!r}")
            subs = self.context.subclasses.get(cls, [f"<{cls}>"])
            t = self.vars("targetType")
            branches.append(f"?this a {t} . VALUES {t} {{ {' '.join(subs)} }}")
        for prop in self.objects(shape, SH.targetSubjectsOf):
            branches.append(f"?this {sparql_term(prop)} {self.vars('targetValue')}")
        for prop in self.objects(shape, SH.targetObjectsOf):
            branches.append(f"{self.vars('targetSubject')} {sparql_term(prop)} ?this")
        for node in self.objects(shape, SH.targetNode):
            branches.append(f"VALUES ?this {{ {sparql_term(node)} }}")
        for target in self.objects(shape, SH.target):
            select = self.graph.value(target, SH.select)
            if select is None:
                raise Unsupported(f"a target of {shape} other than a SPARQL target")
            branches.append(f"{{ {_strip_prologue(str(select))} }}")
        return branches

    def focus_pattern(self, shape: Node) -> str:
        """A group binding ?this to each focus node of `shape`, once."""
        union = " UNION ".join(f"{{ {b} }}" for b in self.focus_branches(shape))
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def focus_test(self, shape: Node) -> str:
        """An expression: the bound ?this is a focus node of `shape`."""
        union = " UNION ".join(f"{{ {b} }}" for b in self.focus_branches(shape))
        return f"EXISTS {{ {union} }}"


_FIRST = (SH.minCount, SH.hasValue, SH.nodeKind, SH.datatype, SH["in"], SH.pattern)
_LAST = (SH.maxCount, SH.qualifiedValueShape, SH.uniqueLang, SH.equals, SH.disjoint)


def _cost(predicate: Node) -> tuple[int, str]:
    if predicate in _FIRST:
        return (0, str(_FIRST.index(predicate)))
    if predicate in _LAST:
        return (2, str(_LAST.index(predicate)))
    return (1, str(predicate))


def _actual_datatype(literal: Literal, datatype: URIRef) -> bool:
    """pySHACL's check that a well-formed literal's value is of the datatype's Python type."""
    value = literal.value
    expected = {
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: dt.date,
        XSD.time: dt.time,
        XSD.dateTime: dt.datetime,
    }.get(datatype)
    return expected is None or isinstance(value, expected)


_PROLOGUE_LINE = re.compile(r"^\s*(PREFIX|BASE)\b[^\n]*\n", re.IGNORECASE | re.MULTILINE)


def _strip_prologue(query: str) -> str:
    """A query's text without its PREFIX and BASE lines (they go into the outer prologue)."""
    return _PROLOGUE_LINE.sub("", query)


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def prebind_this(query: str, shapes: Shapes, shape: Node) -> str:
    """`query` with `$this` pre-bound to the focus nodes of `shape`. A query without
    sub-selects, OPTIONAL or MINUS gets a FILTER testing that ?this is a focus node (so the
    query's own patterns drive the evaluation); otherwise the focus nodes are joined first
    into every group (the outer WHERE and each sub-select) that mentions `$this`."""
    text = query.replace("$this", "?this")
    matches = list(_WHERE.finditer(text))
    groups = [g for g in _groups(text) if "?this" in g.own and not g.subquery]
    simple = (
        len(matches) == 1
        and not re.search(r"\b(OPTIONAL|MINUS|SERVICE|GRAPH)\b", text, re.I)
        and all(g.binds_this for g in groups)
    )
    if simple:
        start = matches[0].end()
        depth, end = 1, start
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        return text[: end - 1] + f" FILTER ({shapes.focus_test(shape)}) " + text[end - 1 :]
    focus = shapes.focus_pattern(shape)
    # Every group that uses $this gets the focus nodes first, so that $this is bound there as
    # substituting each focus node would bind it (`{ FILTER ($this = ex:a) } UNION ...`).
    inserts = {g.start for g in groups}
    for match in matches:
        start = match.end()
        depth, end = 1, start
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            end += 1
        if "?this" in text[start:end]:
            inserts.add(start)
    for position in sorted(inserts, reverse=True):
        text = text[:position] + f" {focus} " + text[position:]
    return text


@dataclass(frozen=True)
class _Group:
    """A `{ ... }` group of a query: its own text (without the groups inside it), whether it
    is the body of a WHERE, whether it wraps a sub-select, whether a triple pattern of its
    own binds ?this."""

    own: str
    body: bool
    subquery: bool
    binds_this: bool
    start: int
    """Where its content starts in the query."""


_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^\s<>"{}|^`\\]*>|#[^\n]*'
)
_TERM = r"(?:a|<[^>]*>|[A-Za-z_][\w.-]*:[\w.-]*|:[\w.-]*|\?\w+|\^?[A-Za-z_][\w.-]*:[\w.-]*)"
_THIS_SUBJECT = re.compile(rf"(?:^|[.;{{\s])\?this\s+\^?{_TERM}")
_THIS_OBJECT = re.compile(rf"{_TERM}[*+?)]*\s+\?this\s*(?:[.;,]|$)")


def without_strings(query: str) -> str:
    """`query` with its strings, IRIs and comments blanked out (the same length)."""
    return _SKIPPED.sub(
        lambda m: (
            "<" + "_" * (len(m.group(0)) - 2) + ">"
            if m.group(0).startswith("<")
            else "_" * len(m.group(0))
        ),
        query,
    )


def _groups(query: str) -> list[_Group]:
    """The groups of `query`, strings, IRIs and comments aside."""
    text = without_strings(query)
    found: list[_Group] = []
    stack: list[tuple[int, list[str], bool]] = []
    own: list[str] = []
    start = 0
    for position, char in enumerate(text):
        if char == "{":
            own.append(text[start:position])
            before = text[:position].rstrip()
            stack.append((position, own, re.search(r"\bWHERE$", before, re.I) is not None))
            own, start = [], position + 1
        elif char == "}" and stack:
            own.append(text[start:position])
            body_text = " ".join(own).strip()
            opened, outer, body = stack.pop()
            found.append(
                _Group(
                    body_text,
                    body,
                    re.match(r"SELECT\b", body_text, re.I) is not None,
                    bool(_THIS_SUBJECT.search(body_text) or _THIS_OBJECT.search(body_text)),
                    opened + 1,
                )
            )
            own, start = outer, position + 1
    return found


# --- Running the shapes on a store --------------------------------------------------------


def _select(
    store: ox.Store, query: str, graphs: Sequence[ox.NamedNode | ox.DefaultGraph]
) -> ox.QuerySolutions:
    """The solutions of a SELECT `query` over `graphs` (as the default graph)."""
    # Only a SELECT is asked: never a boolean or triples answer.
    return cast(ox.QuerySolutions, store.query(query, default_graph=list(graphs)))


def _count(value: Node) -> int:
    """A count parameter (sh:minCount and the like), an integer literal in the shapes."""
    # Every rdflib term is a str, and int() reads its lexical form (as it always did): the
    # cast only names what a well-formed shapes graph holds.
    return int(cast(Literal, value))


_term = from_oxigraph


@dataclass
class _Check:
    """One query and how to read its rows into results."""

    query: str
    kind: str  # "value": rows (?this ?value); "flags": ?this and one ?c<i> per check; "sparql"
    shape: Node
    path: Node | None = None
    component: URIRef = SH.ConstraintComponent
    flags: list[tuple[Node, Node | None, URIRef, bool]] = field(default_factory=list)
    constraint: Node | None = None


def _simple(path: Node | None, graph: Graph) -> bool:
    """A path that an index can drive from either end: an IRI, the inverse of one, or
    alternatives of these."""
    if isinstance(path, URIRef):
        return True
    if path is None or len(set(graph.predicate_objects(path))) != 1:
        return False
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return isinstance(inverse, URIRef)
    alternatives = graph.value(path, SH.alternativePath)
    return alternatives is not None and all(
        _simple(member, graph) for member in Collection(graph, alternatives)
    )


class Validator:
    """Runs the compiled shapes on `store`, whose `graphs` are the data graph.

    Checks of one top-level shape that look at each focus node (cardinalities, node-level
    components, sh:hasValue) share one query that enumerates the focus nodes once. Checks of
    the values of a simple path (sh:class, sh:datatype, sh:in, ..., sh:maxCount) start from
    the path's triples and test focus-node membership only for the rare offending value."""

    def __init__(
        self,
        shapes: Graph,
        store: ox.Store,
        graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
        leave: Mapping[Node, str] | None = None,
    ) -> None:
        """`leave`: top-level shapes not to compile (left to pySHACL), each with why."""
        leave = leave or {}
        self.shapes = Shapes(shapes)
        self.store = store
        self.graphs = graphs
        self.shapes.prepare(store, graphs)
        self.checks: list[_Check] = []
        self._value_checks: dict[tuple[str, str, str], list[tuple[str, Node, Node, URIRef]]] = {}
        self._value_tops: dict[tuple[str, str, str], tuple[Node, Node]] = {}
        self.compiled: list[Node] = []
        self.fallback: list[tuple[Node, str]] = []
        """The top-level shapes left to pySHACL, each with what it uses that is not compiled."""
        for shape in self.shapes.top_level():
            if self.shapes.deactivated(shape):
                continue
            if shape in leave:
                self.fallback.append((shape, leave[shape]))
                continue
            checks = len(self.checks)
            value_checks = {group: list(found) for group, found in self._value_checks.items()}
            value_tops = dict(self._value_tops)
            try:
                self.shapes.check_compiled(shape)
                self._compile(shape)
            except Unsupported as error:
                # Whole shapes fall back, never a part of one: undo what it had added.
                del self.checks[checks:]
                self._value_checks, self._value_tops = value_checks, value_tops
                self.fallback.append((shape, str(error)))
            else:
                self.compiled.append(shape)
        self._group_value_checks()

    def rewrite_unsafe(self, written: frozenset[URIRef]) -> dict[Node, str]:
        """The compiled shapes that may give other results than pySHACL on data with
        literals of the `written` datatypes (see `Shapes.rewrite_unsafe`), each with why."""
        found = {shape: self.shapes.rewrite_unsafe(shape, written) for shape in self.compiled}
        return {shape: why for shape, why in found.items() if why is not None}

    def _require_messages(self, shape: Node) -> None:
        """Results of a shape without sh:message get pySHACL's generic message later
        (`coopgraph.validation.messages`)."""

    def _compile(self, shape: Node) -> None:
        s = self.shapes
        flags: list[tuple[str, tuple[Node, Node | None, URIRef, bool]]] = []
        path_node = s.graph.value(shape, SH.path)
        if path_node is None:
            for predicate, value in s._parameters(shape):
                if predicate in _VALUE_COMPONENTS:
                    self._require_messages(shape)
                    condition = s.value_condition(predicate, value, "?this")
                    flags.append((condition, (shape, None, _VALUE_COMPONENTS[predicate], True)))
                elif predicate == SH.hasValue:
                    self._require_messages(shape)
                    condition = s._node_condition(predicate, value, "?this")
                    flags.append((condition, (shape, None, SH.HasValueConstraintComponent, False)))
                elif predicate in (SH.equals, SH.disjoint):
                    raise Unsupported(f"{_short(predicate)} on a node shape")
                elif predicate == SH.closed:
                    if _true(value):
                        pattern = s.closed_pattern(shape, "?this", "?path", "?value")
                        self.checks.append(
                            _Check(
                                f"SELECT DISTINCT ?this ?path ?value WHERE "
                                f"{{ {s.focus_pattern(shape)} {pattern} }}",
                                "closed",
                                shape,
                                component=SH.ClosedConstraintComponent,
                            )
                        )
                else:
                    s._node_condition(predicate, value, "?this")  # raises if not compiled
            properties = [p for p in s.objects(shape, SH.property) if not s.deactivated(p)]
        else:
            properties = [shape]
        for prop in properties:
            prop_path = s.graph.value(prop, SH.path)
            if prop_path is None:
                raise Unsupported(f"a property shape of {shape} without sh:path")
            flags += self._property(shape, prop, prop_path)
        if flags:
            columns = " ".join(f"?c{i}" for i in range(len(flags)))
            binds = " ".join(
                f"BIND (COALESCE({c}, false) AS ?c{i})" for i, (c, _) in enumerate(flags)
            )
            failing = " || ".join(f"!?c{i}" for i in range(len(flags)))
            self.checks.append(
                _Check(
                    f"SELECT ?this {columns} WHERE {{ {s.focus_pattern(shape)} {binds} "
                    f"FILTER ({failing}) }}",
                    "flags",
                    shape,
                    flags=[meta for _, meta in flags],
                )
            )
        for constraint in s.objects(shape, SH.sparql):
            self._sparql(shape, path_node, constraint)

    def _values(
        self,
        top: Node,
        prop: Node,
        path_node: Node,
        mine: str,
        condition: str,
        component: URIRef,
        other: str = "",
    ) -> None:
        """A check of the values of a property shape: rows (?this ?value) that violate.
        Checks of the same values (same top-level shape and path) share one query."""
        group = (str(top), mine, other)
        self._value_checks.setdefault(group, []).append((condition, prop, path_node, component))
        self._value_tops.setdefault(group, (top, path_node))

    def _pair_check(
        self,
        top: Node,
        prop: Node,
        path_node: Node,
        driver: Node,
        mine: str,
        test: str,
        component: URIRef,
    ) -> None:
        """sh:equals and sh:disjoint: values of `mine` for which `test` (on ?this and
        ?value) holds."""
        s = self.shapes
        if _simple(driver, s.graph):
            query = (
                f"SELECT DISTINCT ?this ?value WHERE {{ ?this {mine} ?value . {test} "
                f"FILTER ({s.focus_test(top)}) }}"
            )
        else:
            query = (
                f"SELECT DISTINCT ?this ?value WHERE {{ {s.focus_pattern(top)} "
                f"?this {mine} ?value . {test} }}"
            )
        self.checks.append(_Check(query, "value", prop, path_node, component))

    def _group_value_checks(self) -> None:
        """One query per group of value checks: each check a flag column. On a simple path
        the conditions are tested once per distinct value (a value shared by many focus nodes,
        such as a source section, is tested once), and focus-node membership only for the
        rare value that fails."""
        s = self.shapes
        for (_top, mine, other), checks in self._value_checks.items():
            top, path_node = self._value_tops[(_top, mine, other)]
            binds = " ".join(
                f"BIND (COALESCE({condition}, false) AS ?c{i})"
                for i, (condition, _p, _n, _c) in enumerate(checks)
            )
            failing = " || ".join(f"!?c{i}" for i in range(len(checks)))
            columns = " ".join(f"?c{i}" for i in range(len(checks)))
            if _simple(path_node, s.graph) and not other:
                query = (
                    f"SELECT DISTINCT ?this ?value {columns} WHERE {{ "
                    f"{{ SELECT DISTINCT ?value WHERE {{ ?anyFocus {mine} ?value }} }} "
                    f"{binds} FILTER ({failing}) "
                    f"?this {mine} ?value FILTER ({s.focus_test(top)}) }}"
                )
            elif _simple(path_node, s.graph):
                query = (
                    f"SELECT DISTINCT ?this ?value {columns} WHERE {{ ?this {mine} ?value {other} "
                    f"{binds} FILTER (({failing}) && {s.focus_test(top)}) }}"
                )
            else:
                query = (
                    f"SELECT DISTINCT ?this ?value {columns} WHERE {{ {s.focus_pattern(top)} "
                    f"?this {mine} ?value {other} {binds} FILTER ({failing}) }}"
                )
            self.checks.append(
                _Check(
                    query,
                    "values",
                    top,
                    path_node,
                    flags=[(prop, node, component, False) for _c, prop, node, component in checks],
                )
            )

    def _property(
        self, top: Node, prop: Node, path_node: Node
    ) -> list[tuple[str, tuple[Node, Node | None, URIRef, bool]]]:
        """The checks of property shape `prop` (of top-level shape `top`): value checks are
        added as queries; focus-level ones are returned as (condition on ?this, what)."""
        s = self.shapes
        path = s.path(path_node)
        flags: list[tuple[str, tuple[Node, Node | None, URIRef, bool]]] = []
        for predicate, value in s._parameters(prop):
            if predicate in (
                SH.path,
                SH.message,
                SH.severity,
                SH.name,
                SH.description,
                SH.order,
                SH.group,
                SH.defaultValue,
                SH.deactivated,
                RDF.type,
                SH.qualifiedMinCount,
                SH.qualifiedMaxCount,
                SH.flags,
                SH.sparql,
                RDFS.label,
                RDFS.comment,
            ) or str(predicate).startswith(str(SH.target)):
                continue
            self._require_messages(prop)
            if predicate in _VALUE_COMPONENTS:
                condition = s.value_condition(predicate, value, "?value")
                self._values(top, prop, path_node, path, condition, _VALUE_COMPONENTS[predicate])
            elif predicate == SH.minCount:
                condition = s._at_least(_count(value), path, "?this", "true")
                flags.append((condition, (prop, path_node, SH.MinCountConstraintComponent, False)))
            elif predicate == SH.maxCount:
                n = _count(value)
                if n < _MAX_NESTED_COUNT:
                    condition = "!" + s._at_least(n + 1, path, "?this", "true")
                    flags.append(
                        (condition, (prop, path_node, SH.MaxCountConstraintComponent, False))
                    )
                else:
                    self.checks.append(
                        _Check(
                            f"SELECT ?this WHERE {{ {s.focus_pattern(top)} ?this {path} ?value }} "
                            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {n})",
                            "focus",
                            prop,
                            path_node,
                            SH.MaxCountConstraintComponent,
                        )
                    )
            elif predicate == SH.uniqueLang:
                if not _true(value):
                    continue
                self.checks.append(
                    _Check(
                        f"SELECT DISTINCT ?this ?lang WHERE {{ {s.focus_pattern(top)} "
                        f"?this {path} ?a . ?this {path} ?b "
                        "FILTER (!sameTerm(?a, ?b) && isLiteral(?a) && isLiteral(?b) "
                        '&& LANG(?a) != "" '
                        f"&& LCASE(LANG(?a)) = LCASE(LANG(?b))) BIND (LCASE(LANG(?a)) AS ?lang) }}",
                        "focus",
                        prop,
                        path_node,
                        SH.UniqueLangConstraintComponent,
                    )
                )
            elif predicate == SH.hasValue:
                condition = f"EXISTS {{ ?this {path} {sparql_term(value)} }}"
                flags.append((condition, (prop, path_node, SH.HasValueConstraintComponent, False)))
            elif predicate == SH.equals:
                other = s.path(value)
                for mine, theirs, driver in ((path, other, path_node), (other, path, value)):
                    self._pair_check(
                        top,
                        prop,
                        path_node,
                        driver,
                        mine,
                        f"FILTER NOT EXISTS {{ ?this {theirs} ?value }}",
                        SH.EqualsConstraintComponent,
                    )
            elif predicate == SH.disjoint:
                self._pair_check(
                    top,
                    prop,
                    path_node,
                    path_node,
                    path,
                    f"?this {s.path(value)} ?value",
                    SH.DisjointConstraintComponent,
                )
            elif predicate == SH.qualifiedValueShape:
                condition = s.conforms(value, _PLACEHOLDER)
                for key, component in (
                    (SH.qualifiedMaxCount, SH.QualifiedMaxCountConstraintComponent),
                    (SH.qualifiedMinCount, SH.QualifiedMinCountConstraintComponent),
                ):
                    bound = s.graph.value(prop, key)
                    if bound is None:
                        continue
                    n = _count(bound)
                    if key == SH.qualifiedMaxCount:
                        test = "!" + s._at_least(n + 1, path, "?this", condition)
                    else:
                        test = s._at_least(n, path, "?this", condition)
                    flags.append((test, (prop, path_node, component, False)))
            elif predicate == SH.property:
                raise Unsupported("a property shape inside a property shape")
            elif predicate == SH.closed:
                if _true(value):
                    raise Unsupported("sh:closed on a property shape")
            elif predicate == SH.ignoredProperties:
                continue
            elif str(predicate).startswith(str(SH)):
                raise Unsupported(f"{_short(predicate)} on a property shape")
                # Not SHACL's: SHACL ignores it.
        return flags

    def _sparql(self, shape: Node, path_node: Node | None, constraint: Node) -> None:
        s = self.shapes
        if s.deactivated(constraint):
            return
        select = s.graph.value(constraint, SH.select)
        if select is None:
            raise Unsupported(f"a SPARQL constraint of {shape} without sh:select")
        text = _strip_prologue(str(select))
        if "$currentShape" in text or "$shapesGraph" in text:
            raise Unsupported("$currentShape or $shapesGraph in a SPARQL constraint")
        if path_node is not None:
            text = text.replace("$PATH", s.path(path_node))
        query = prebind_this(text, s, shape)
        try:
            # On an empty store: whether it parses as rewritten, and what it selects.
            solutions = ox.Store().query(s.prologue + query)
        except SyntaxError as error:
            raise Unsupported("its SPARQL constraint does not parse pre-bound") from error
        if not isinstance(solutions, ox.QuerySolutions) or "this" not in [
            variable.value for variable in solutions.variables
        ]:
            raise Unsupported("its SPARQL constraint does not select $this")
        self.checks.append(
            _Check(
                query,
                "sparql",
                shape,
                path_node,
                SH.SPARQLConstraintComponent,
                constraint=constraint,
            )
        )

    def results(self) -> list[Result]:
        return [result for found in self.results_by_check().values() for result in found]

    def check_texts(self) -> list[str]:
        """The full text of each check's query (with the shapes' prefixes)."""
        return [self.shapes.prologue + check.query for check in self.checks]

    def results_by_check(
        self, earlier: Mapping[str, list[Result]] | None = None
    ) -> dict[str, list[Result]]:
        """The results of each check, by its query's full text; a check whose text is in
        `earlier` is not run: its results are those (the caller knows they still hold)."""
        earlier = earlier or {}
        found: dict[str, list[Result]] = {}
        for check in self.checks:
            text = self.shapes.prologue + check.query
            if text in earlier:
                found[text] = list(earlier[text])
            else:
                found.setdefault(text, []).extend(self._run(check))
        return found

    def _run(self, check: _Check) -> list[Result]:
        s = self.shapes
        solutions = _select(self.store, s.prologue + check.query, self.graphs)
        names = [variable.value for variable in solutions.variables]
        found: list[Result] = []
        if check.kind == "sparql":
            return self._sparql_results(check, solutions, names)
        for row in solutions:
            this = _term(row["this"])
            value: Node | None
            if check.kind in ("values", "flags"):
                # One row, several checks: a result for each whose flag is not true. The
                # value is the row's value, or for node-level checks the focus node itself.
                checked = _term(row["value"]) if check.kind == "values" else None
                for i, (shape, path, component, value_is_focus) in enumerate(check.flags):
                    flag = row[f"c{i}"]
                    if flag is not None and flag.value == "true":
                        continue
                    value = this if value_is_focus else checked
                    found.append(
                        Result(
                            this,
                            path,
                            value,
                            component,
                            shape,
                            s.severity(shape),
                            s.messages(shape),
                        )
                    )
                continue
            if check.kind == "closed":
                found.append(
                    Result(
                        this,
                        _term(row["path"]),
                        _term(row["value"]),
                        check.component,
                        check.shape,
                        s.severity(check.shape),
                        s.messages(check.shape),
                    )
                )
                continue
            value = _term(row["value"]) if check.kind == "value" else None
            found.append(
                Result(
                    this,
                    check.path,
                    value,
                    check.component,
                    check.shape,
                    s.severity(check.shape),
                    s.messages(check.shape),
                )
            )
        return found

    def _sparql_results(
        self, check: _Check, solutions: ox.QuerySolutions, names: list[str]
    ) -> list[Result]:
        s = self.shapes
        if "this" not in names:
            raise Unsupported(f"a SPARQL constraint of {check.shape} that does not select $this")
        messages = s.messages(check.shape)
        # A "sparql" check always has the constraint it was made from.
        constraint_messages = s.messages(cast(Node, check.constraint))
        seen: set[tuple[tuple[str, Node], ...]] = set()
        found: list[Result] = []
        for row in solutions:
            bound = {name: _term(row[name]) for name in names if row[name] is not None}
            bound.pop("failure", None)
            key = tuple(sorted(bound.items(), key=lambda item: item[0]))
            if key in seen or "this" not in bound:
                continue
            seen.add(key)
            this = bound["this"]
            value = bound.get("value", this if check.path is None else None)
            path = bound.get("path", check.path)
            texts = [_format(m, bound) for m in constraint_messages if m not in messages]
            texts += [_format(m, bound) for m in messages]
            found.append(
                Result(
                    this,
                    path,
                    value,
                    check.component,
                    check.shape,
                    s.severity(check.shape),
                    tuple(texts),
                )
            )
        return found


def _true(value: Node | None) -> bool:
    """The boolean `true` itself: SHACL activates sh:uniqueLang only for it (not for
    `"1"^^xsd:boolean`, another literal of the same value)."""
    return isinstance(value, Literal) and value.datatype == XSD.boolean and str(value) == "true"


def _short(term: Node) -> str:
    """`sh:name` for a SHACL term, else the term in N3."""
    text = str(term)
    return "sh:" + text[len(str(SH)) :] if text.startswith(str(SH)) else f"<{text}>"


def _format(message: Literal, bound: dict[str, Node]) -> Literal:
    """pySHACL's substitution of `{?name}` and `{$name}` in a SPARQL constraint's message."""
    text = str(message)
    for name, value in bound.items():
        text = re.sub(f"{{[?$]{name}}}", str(value).replace("\\", "\\\\"), text)
    return Literal(text)
