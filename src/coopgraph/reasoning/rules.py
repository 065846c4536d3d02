"""The OWL 2 RL closure, fast: the rules the ontology licenses, compiled and run set-at-a-time
on integer-coded triples.

owlrl (`coopgraph.reasoning.reference`) applies every OWL 2 RL rule to every triple, in
Python; it is the reference. Here the work is split in two:

1. The schema (class and property axioms: rdfs:subClassOf, rdfs:subPropertyOf, rdfs:domain,
   rdfs:range, owl:inverseOf, property chains, restrictions, characteristics) is small. Its
   closure under the OWL 2 RL schema rules (scm-*) is computed here in Python, exactly as owlrl
   derives it, including owlrl's own conventions (every declared owl:Class is a subclass of
   owl:Thing, so domains and ranges reach owl:Thing).
2. The closed schema is compiled into a `Program`: one lookup table per rule kind (cax-sco,
   prp-spo1, prp-dom, prp-rng, prp-inv, prp-symp, prp-trp, prp-spo2, cls-hv, cls-svf, cls-int,
   cls-avf, prp-fp/prp-ifp with the eq-* rules). The data is read from the Oxigraph store as
   N-Triples, each term coded as an integer and each triple packed into one 64-bit integer;
   the program then runs semi-naively with numpy joins (sorted keys, searchsorted): a round
   only joins what the previous round derived with everything known.

The result is the same set of informative triples as `reasoning.entailments` (tests compare the
two on the bundled data and on generated data, and `benchmarks/run.py` at 100 k triples). A
schema that uses what this module does not compile (owl:hasKey, cardinality restrictions,
nested class expressions), or data of more terms than 64 bits can pack, raises
`UnsupportedSchema`, and callers fall back to owlrl.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np
import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Triple = tuple[Term, Term, Term]

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def _rdf(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDF_NS + name)


def _rdfs(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDFS_NS + name)


def _owl(name: str) -> ox.NamedNode:
    return ox.NamedNode(OWL_NS + name)


TYPE = _rdf("type")
FIRST, REST, NIL = _rdf("first"), _rdf("rest"), _rdf("nil")
SUBCLASS, SUBPROPERTY = _rdfs("subClassOf"), _rdfs("subPropertyOf")
DOMAIN, RANGE = _rdfs("domain"), _rdfs("range")
THING, NOTHING, RESOURCE = _owl("Thing"), _owl("Nothing"), _rdfs("Resource")
CLASS = _owl("Class")
EQUIVALENT_CLASS, EQUIVALENT_PROPERTY = _owl("equivalentClass"), _owl("equivalentProperty")
INVERSE_OF, CHAIN = _owl("inverseOf"), _owl("propertyChainAxiom")
ON_PROPERTY, HAS_VALUE = _owl("onProperty"), _owl("hasValue")
SOME_VALUES_FROM, ALL_VALUES_FROM = _owl("someValuesFrom"), _owl("allValuesFrom")
INTERSECTION_OF, UNION_OF = _owl("intersectionOf"), _owl("unionOf")
SAME_AS = _owl("sameAs")
OBJECT_PROPERTY, DATATYPE_PROPERTY = _owl("ObjectProperty"), _owl("DatatypeProperty")
PROPERTY = _rdf("Property")
SYMMETRIC, TRANSITIVE = _owl("SymmetricProperty"), _owl("TransitiveProperty")
FUNCTIONAL, INVERSE_FUNCTIONAL = _owl("FunctionalProperty"), _owl("InverseFunctionalProperty")

# What the schema is made of: read from the store before compiling.
SCHEMA_PREDICATES = frozenset(
    {
        SUBCLASS,
        SUBPROPERTY,
        DOMAIN,
        RANGE,
        EQUIVALENT_CLASS,
        EQUIVALENT_PROPERTY,
        INVERSE_OF,
        CHAIN,
        ON_PROPERTY,
        HAS_VALUE,
        SOME_VALUES_FROM,
        ALL_VALUES_FROM,
        INTERSECTION_OF,
        UNION_OF,
        FIRST,
        REST,
        *(
            _owl(name)
            for name in (
                "hasKey",
                "maxCardinality",
                "maxQualifiedCardinality",
                "cardinality",
                "qualifiedCardinality",
                "onClass",
                "oneOf",
                "complementOf",
                "disjointWith",
                "propertyDisjointWith",
            )
        ),
    }
)
SCHEMA_TYPES = frozenset(
    {
        CLASS,
        _owl("Restriction"),
        OBJECT_PROPERTY,
        DATATYPE_PROPERTY,
        PROPERTY,
        SYMMETRIC,
        TRANSITIVE,
        FUNCTIONAL,
        INVERSE_FUNCTIONAL,
    }
)
# Constructs whose OWL 2 RL rules derive sameAs from cardinalities or keys: not compiled.
UNSUPPORTED_PREDICATES = frozenset(
    _owl(name)
    for name in ("hasKey", "maxCardinality", "maxQualifiedCardinality", "oneOf", "onClass")
)
_VOCABULARY = (RDF_NS, RDFS_NS, OWL_NS, XSD_NS)
_TRIVIAL_CLASSES = frozenset({THING, RESOURCE, _owl("NamedIndividual")})


class UnsupportedSchema(Exception):
    """The schema uses OWL constructs this module does not compile; use owlrl instead."""


# --- The schema closure (OWL 2 RL scm-* rules, as owlrl applies them) ------------------------


class _Index:
    """A set of triples with the lookups the schema rules need."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self.triples: set[Triple] = set()
        self.by_p: dict[Term, set[tuple[Term, Term]]] = defaultdict(set)
        self.by_sp: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        self.by_po: dict[tuple[Term, Term], set[Term]] = defaultdict(set)
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> bool:
        if triple in self.triples:
            return False
        s, p, o = triple
        self.triples.add(triple)
        self.by_p[p].add((s, o))
        self.by_sp[(s, p)].add(o)
        self.by_po[(p, o)].add(s)
        return True

    def objects(self, s: Term, p: Term) -> set[Term]:
        return self.by_sp.get((s, p), set())

    def subjects(self, p: Term, o: Term) -> set[Term]:
        return self.by_po.get((p, o), set())

    def pairs(self, p: Term) -> set[tuple[Term, Term]]:
        return self.by_p.get(p, set())

    def items(self, head: Term) -> list[Term]:
        """The members of the RDF list starting at `head`."""
        members: list[Term] = []
        seen: set[Term] = set()
        while head != NIL and head not in seen:
            seen.add(head)
            first = self.objects(head, FIRST)
            if not first:
                break
            members.append(next(iter(first)))
            rest = self.objects(head, REST)
            if not rest:
                break
            head = next(iter(rest))
        return members


def schema_closure(triples: Iterable[Triple]) -> _Index:
    """`triples` (the schema) closed under the OWL 2 RL schema rules as owlrl applies them."""
    index = _Index(triples)
    index.add((THING, TYPE, CLASS))  # cls-thing
    while True:
        new: set[Triple] = set()
        _schema_round(index, new.add)
        added = [t for t in new if index.add(t)]
        if not added:
            return index


def _schema_round(g: _Index, emit: Callable[[Triple], None]) -> None:
    for c in list(g.subjects(TYPE, CLASS)):  # scm-cls
        emit((c, SUBCLASS, c))
        emit((c, SUBCLASS, THING))
    for p in [
        *g.subjects(TYPE, OBJECT_PROPERTY),
        *g.subjects(TYPE, DATATYPE_PROPERTY),
        *g.subjects(TYPE, PROPERTY),
    ]:  # scm-op, scm-dp
        emit((p, SUBPROPERTY, p))
    for c1, c2 in list(g.pairs(SUBCLASS)):
        if c1 != c2:  # scm-sco
            for c3 in g.objects(c2, SUBCLASS):
                if c1 != c3:
                    emit((c1, SUBCLASS, c3))
        if (c2, SUBCLASS, c1) in g.triples:  # scm-eqc2
            emit((c1, EQUIVALENT_CLASS, c2))
    for c1, c2 in list(g.pairs(EQUIVALENT_CLASS)):  # scm-eqc1
        if c1 != c2:
            emit((c1, SUBCLASS, c2))
            emit((c2, SUBCLASS, c1))
    for p1, p2 in list(g.pairs(SUBPROPERTY)):
        if p1 != p2:  # scm-spo, scm-eqp2
            for p3 in g.objects(p2, SUBPROPERTY):
                if p1 != p3:
                    emit((p1, SUBPROPERTY, p3))
            if (p2, SUBPROPERTY, p1) in g.triples:
                emit((p1, EQUIVALENT_PROPERTY, p2))
    for p1, p2 in list(g.pairs(EQUIVALENT_PROPERTY)):  # scm-eqp1
        if p1 != p2:
            emit((p1, SUBPROPERTY, p2))
            emit((p2, SUBPROPERTY, p1))
    for key in (DOMAIN, RANGE):  # scm-dom1, scm-dom2, scm-rng1, scm-rng2
        for p, c1 in list(g.pairs(key)):
            for c2 in g.objects(c1, SUBCLASS):
                if c1 != c2:
                    emit((p, key, c2))
            for p1 in g.subjects(SUBPROPERTY, p):
                if p1 != p:
                    emit((p1, key, c1))
    for c1, i in list(g.pairs(HAS_VALUE)):  # scm-hv
        for p1 in g.objects(c1, ON_PROPERTY):
            for c2 in g.subjects(HAS_VALUE, i):
                for p2 in g.objects(c2, ON_PROPERTY):
                    if (p1, SUBPROPERTY, p2) in g.triples:
                        emit((c1, SUBCLASS, c2))
    for c1, y1 in list(g.pairs(SOME_VALUES_FROM)):  # scm-svf1, scm-svf2
        for p in g.objects(c1, ON_PROPERTY):
            for c2 in g.subjects(ON_PROPERTY, p):
                for y2 in g.objects(c2, SOME_VALUES_FROM):
                    if (y1, SUBCLASS, y2) in g.triples:
                        emit((c1, SUBCLASS, c2))
            for c2 in g.subjects(SOME_VALUES_FROM, y1):
                for p2 in g.objects(c2, ON_PROPERTY):
                    if (p, SUBPROPERTY, p2) in g.triples:
                        emit((c1, SUBCLASS, c2))
    for c1, y1 in list(g.pairs(ALL_VALUES_FROM)):  # scm-avf1, scm-avf2
        for p in g.objects(c1, ON_PROPERTY):
            for c2 in g.subjects(ON_PROPERTY, p):
                for y2 in g.objects(c2, ALL_VALUES_FROM):
                    if (y1, SUBCLASS, y2) in g.triples:
                        emit((c1, SUBCLASS, c2))
            for c2 in g.subjects(ALL_VALUES_FROM, y1):
                for p2 in g.objects(c2, ON_PROPERTY):
                    if (p, SUBPROPERTY, p2) in g.triples:
                        emit((c2, SUBCLASS, c1))
    for c, head in list(g.pairs(INTERSECTION_OF)):  # scm-int
        for member in g.items(head):
            emit((c, SUBCLASS, member))
    for c, head in list(g.pairs(UNION_OF)):  # scm-uni
        for member in g.items(head):
            emit((member, SUBCLASS, c))


def is_trivial(triple: Triple) -> bool:
    """`reasoning.is_trivial` on Oxigraph terms."""
    s, p, o = triple
    if isinstance(s, ox.Literal | ox.BlankNode) or isinstance(o, ox.BlankNode):
        return True
    if s.value.startswith(_VOCABULARY):
        return True
    if p in (SAME_AS, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY, SUBCLASS, SUBPROPERTY) and s == o:
        return True
    if p in (TYPE, SUBCLASS) and o in _TRIVIAL_CLASSES:
        return True
    return p == TYPE and o in (CLASS, _rdfs("Class"), _rdfs("Datatype"))


# --- Compiling the rules for the data ------------------------------------------------------

Pairs = set[tuple[Term, Term]]


@dataclass
class Consequences:
    """What membership of a class entails: types (each with all its superclasses) and property
    values (from hasValue restrictions)."""

    types: set[Term] = field(default_factory=set)
    values: Pairs = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.types or self.values)


@dataclass
class Program:
    """The closed schema, compiled into the tables the data rules need (all terms are
    Oxigraph terms; classes and properties named by IRIs)."""

    schema_entailments: list[Triple]
    closure: set[Triple]
    by_type: dict[Term, Consequences]  # cax-sco, cls-hv1: x a C
    all_values: dict[Term, Pairs]  # cls-avf: x a C, x p y -> y a D: C -> (p, D)
    by_property: dict[Term, Consequences]  # cls-svf2: x p _
    by_some_values: dict[tuple[Term, Term], Consequences]  # cls-svf1: x p y, y a C
    by_value: dict[tuple[Term, Term], Consequences]  # cls-hv2: x p v
    intersections: list[tuple[list[Term], Consequences]]  # cls-int1
    super_properties: dict[Term, set[Term]]  # prp-spo1, prp-eqp
    domains: dict[Term, Consequences]  # prp-dom
    ranges: dict[Term, Consequences]  # prp-rng
    inverses: dict[Term, set[Term]]  # prp-inv1, prp-inv2
    symmetric: set[Term]  # prp-symp
    chains: list[tuple[Term, list[Term]]]  # prp-spo2, prp-trp
    functional: set[Term]  # prp-fp
    inverse_functional: set[Term]  # prp-ifp

    def terms(self) -> set[Term]:
        found: set[Term] = {TYPE, SAME_AS}
        for s, p, o in self.schema_entailments:
            found.update((s, p, o))
        for table in (self.by_type, self.by_property, self.domains, self.ranges):
            for key, value in table.items():
                found.add(key)
                found.update(value.types)
                found.update(t for pair in value.values for t in pair)
        for pair_key_table in (self.by_some_values, self.by_value):
            for (a, b), value in pair_key_table.items():
                found.update((a, b))
                found.update(value.types)
                found.update(t for pair in value.values for t in pair)
        for key, pairs in self.all_values.items():
            found.add(key)
            found.update(t for pair in pairs for t in pair)
        for parts, value in self.intersections:
            found.update(parts)
            found.update(value.types)
            found.update(t for pair in value.values for t in pair)
        for mapping in (self.super_properties, self.inverses):
            for key, values in mapping.items():
                found.add(key)
                found.update(values)
        for head, steps in self.chains:
            found.add(head)
            found.update(steps)
        found.update(self.symmetric | self.functional | self.inverse_functional)
        return found


def _is_datatype(term: Term) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith((XSD_NS, RDF_NS, RDFS_NS))


class _Compiler:
    def __init__(self, g: _Index) -> None:
        self.g = g
        self.supers: dict[Term, set[Term]] = defaultdict(set)
        for c, d in g.pairs(SUBCLASS):
            if c != d:
                self.supers[c].add(d)
        if any(d not in _TRIVIAL_CLASSES for d in self.supers.get(THING, ())):
            raise UnsupportedSchema("owl:Thing has a superclass")

    def restriction(self, node: Term) -> tuple[str, Term, Term] | None:
        properties = self.g.objects(node, ON_PROPERTY)
        if not properties:
            return None
        if len(properties) > 1:
            raise UnsupportedSchema("a restriction on several properties")
        prop = next(iter(properties))
        if not isinstance(prop, ox.NamedNode):
            raise UnsupportedSchema("a restriction on an anonymous property")
        for key, kind in ((HAS_VALUE, "hv"), (SOME_VALUES_FROM, "svf"), (ALL_VALUES_FROM, "avf")):
            values = self.g.objects(node, key)
            if len(values) == 1:
                value = next(iter(values))
                if kind != "hv" and (not isinstance(value, ox.NamedNode) or _is_datatype(value)):
                    raise UnsupportedSchema(f"{kind} of a class expression or a datatype")
                return kind, prop, value
        return "other", prop, prop

    def consequences(self, source: Term) -> tuple[Consequences, Pairs]:
        """What membership of `source` entails, and its allValuesFrom restrictions."""
        found = Consequences()
        all_values: Pairs = set()
        for d in {source} | self.supers.get(source, set()):
            if isinstance(d, ox.NamedNode):
                if d not in _TRIVIAL_CLASSES:
                    found.types.add(d)
                continue
            shape = self.restriction(d)
            if shape is None:
                continue
            kind, prop, value = shape
            if kind == "hv":
                found.values.add((prop, value))
            elif kind == "avf":
                all_values.add((prop, value))
        return found, all_values

    def compile(self, entailed: list[Triple]) -> Program:
        g = self.g
        program = Program(
            schema_entailments=entailed,
            closure=g.triples,
            by_type={},
            all_values={},
            by_property={},
            by_some_values={},
            by_value={},
            intersections=[],
            super_properties={},
            domains={},
            ranges={},
            inverses=defaultdict(set),
            symmetric=set(g.subjects(TYPE, SYMMETRIC)),
            chains=[],
            functional=set(g.subjects(TYPE, FUNCTIONAL)),
            inverse_functional=set(g.subjects(TYPE, INVERSE_FUNCTIONAL)),
        )
        for source in {c for c, _ in g.pairs(SUBCLASS)}:
            found, all_values = self.consequences(source)
            if isinstance(source, ox.NamedNode):
                found.types.discard(source)
                if found:
                    program.by_type[source] = found
                rows: Pairs = set()
                for prop, target in all_values:
                    reached, nested = self.consequences(target)
                    if reached.values or nested:
                        raise UnsupportedSchema("allValuesFrom a class with restrictions")
                    rows.update((prop, d) for d in reached.types)
                if rows:
                    program.all_values[source] = rows
                continue
            if all_values:
                raise UnsupportedSchema("allValuesFrom on the members of a restriction")
            shape = self.restriction(source)
            members = g.objects(source, INTERSECTION_OF)
            if shape is not None:
                kind, prop, value = shape
                if kind == "hv":
                    found.values.discard((prop, value))
                if not found:
                    continue
                if kind == "svf" and value == THING:
                    _merge(program.by_property, prop, found)
                elif kind == "svf":
                    _merge(program.by_some_values, (prop, value), found)
                elif kind == "hv":
                    _merge(program.by_value, (prop, value), found)
                elif kind == "other":
                    raise UnsupportedSchema("a restriction other than some/all values or hasValue")
            elif members:
                parts = g.items(next(iter(members)))
                if not parts or not all(isinstance(m, ox.NamedNode) for m in parts):
                    raise UnsupportedSchema("an intersection of class expressions")
                if found:
                    program.intersections.append((parts, found))
        for p, q in g.pairs(SUBPROPERTY):
            if p != q:
                program.super_properties.setdefault(p, set()).add(q)
        for key, table in ((DOMAIN, program.domains), (RANGE, program.ranges)):
            for p, c in g.pairs(key):
                found, all_values = self.consequences(c)
                if all_values:
                    raise UnsupportedSchema("a domain or range with allValuesFrom")
                if not isinstance(c, ox.NamedNode):
                    shape = self.restriction(c)
                    if shape is not None and shape[0] == "hv":
                        found.values.add((shape[1], shape[2]))
                if found:
                    _merge(table, p, found)
        for p, q in g.pairs(INVERSE_OF):
            program.inverses[p].add(q)
            program.inverses[q].add(p)
        for p in g.subjects(TYPE, TRANSITIVE):
            program.chains.append((p, [p, p]))
        for p, head in g.pairs(CHAIN):
            steps = g.items(head)
            if not steps or not all(isinstance(step, ox.NamedNode) for step in steps):
                raise UnsupportedSchema("a property chain of inverse or anonymous properties")
            program.chains.append((p, steps))
        program.chains.sort(key=str)
        used = set(program.super_properties) | set(program.domains) | set(program.ranges)
        used |= set(program.inverses) | set(program.by_property) | {p for p, _ in program.chains}
        if TYPE in used or SAME_AS in used:
            raise UnsupportedSchema("axioms about rdf:type or owl:sameAs")
        return program


_K = TypeVar("_K")


def _merge(table: dict[_K, Consequences], key: _K, found: Consequences) -> None:
    current = table.setdefault(key, Consequences())
    current.types |= found.types
    current.values |= found.values


def compile_program(schema: Iterable[Triple]) -> Program:
    """Close `schema` (the schema rules, as owlrl applies them) and compile the data rules."""
    asserted = set(schema)
    unsupported = {t[1] for t in asserted} & UNSUPPORTED_PREDICATES
    if unsupported:
        raise UnsupportedSchema(
            "the schema uses " + ", ".join(sorted(p.value for p in unsupported))
        )
    g = schema_closure(asserted)
    entailed = sorted((t for t in g.triples if t not in asserted and not is_trivial(t)), key=str)
    return _Compiler(g).compile(entailed)


def read_schema(store: ox.Store, graphs: Sequence[ox.NamedNode | ox.DefaultGraph]) -> set[Triple]:
    """The schema triples among `graphs` of `store`."""
    predicates = " ".join(str(p) for p in sorted(SCHEMA_PREDICATES, key=str))
    types = " ".join(str(t) for t in sorted(SCHEMA_TYPES, key=str))
    query = f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{
          {{ VALUES ?p {{ {predicates} }} ?s ?p ?o }}
          UNION {{ VALUES ?o {{ {types} }} ?s a ?o . BIND(<{RDF_NS}type> AS ?p) }}
        }}"""
    # A SELECT query: the answer is always solutions.
    solutions = cast(ox.QuerySolutions, store.query(query, default_graph=list(graphs)))
    return {(row["s"], row["p"], row["o"]) for row in solutions}


# --- Running the rules on integer-coded triples ----------------------------------------------

I64 = np.int64
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]
# Adds derived triples (subjects, one predicate or one per subject, objects) to a round's output.
_Emit = Callable[[np.ndarray, int | np.ndarray, np.ndarray], None]


class _Table:
    """A sorted lookup from term ids to lists of values (one or more id columns)."""

    def __init__(self, mapping: dict[int, list[tuple[int, ...]]], width: int) -> None:
        keys = sorted(mapping)
        self.keys = np.array(keys, dtype=I64)
        counts = [len(mapping[k]) for k in keys]
        self.offsets = np.zeros(len(keys) + 1, dtype=I64)
        self.offsets[1:] = np.cumsum(counts) if keys else []
        flat = [row for k in keys for row in mapping[k]]
        self.columns = [np.array([row[i] for row in flat], dtype=I64) for i in range(width)]

    def __len__(self) -> int:
        return len(self.keys)

    def expand(self, lookup: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """For each element of `lookup` found among the keys, one row per value:
        (the element's index in `lookup`, the value columns)."""
        if not len(self.keys) or not len(lookup):
            return np.zeros(0, dtype=I64), [np.zeros(0, dtype=I64) for _ in self.columns]
        pos = np.minimum(np.searchsorted(self.keys, lookup), len(self.keys) - 1)
        rows = np.nonzero(self.keys[pos] == lookup)[0]
        starts = self.offsets[pos[rows]]
        counts = self.offsets[pos[rows] + 1] - starts
        repeated = np.repeat(rows, counts)
        first = np.cumsum(counts) - counts
        index = np.arange(int(counts.sum()), dtype=I64) - np.repeat(first - starts, counts)
        return repeated, [column[index] for column in self.columns]


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (by sorting: numpy's hash-based unique is slow on large arrays)."""
    if not len(values):
        return values
    ordered = np.sort(values)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All index pairs (i, j) with left[i] == right[j]."""
    if not len(left) or not len(right):
        empty = np.zeros(0, dtype=I64)
        return empty, empty
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    lo = np.searchsorted(ordered, left, side="left")
    hi = np.searchsorted(ordered, left, side="right")
    counts = hi - lo
    i = np.repeat(np.arange(len(left), dtype=I64), counts)
    first = np.cumsum(counts) - counts
    j = order[np.arange(int(counts.sum()), dtype=I64) - np.repeat(first - lo, counts)]
    return i, j


class _Coded:
    """The triples as integer ids, with the sets the rules need."""

    def __init__(self, terms: Sequence[bytes] = ()) -> None:
        self.ids: dict[bytes, int] = {term: index for index, term in enumerate(terms)}

    def add_ntriples(self, data: bytes) -> Arrays:
        ids = self.ids
        code = ids.setdefault
        s_ids: list[int] = []
        p_ids: list[int] = []
        o_ids: list[int] = []
        for line in data.splitlines():
            if not line:
                continue
            s, p, rest = line.split(b" ", 2)
            s_ids.append(code(s, len(ids)))
            p_ids.append(code(p, len(ids)))
            o_ids.append(code(rest[:-2], len(ids)))
        return (
            np.array(s_ids, dtype=I64),
            np.array(p_ids, dtype=I64),
            np.array(o_ids, dtype=I64),
        )

    def id(self, term: Term) -> int:
        return self.ids.setdefault(str(term).encode("utf-8"), len(self.ids))

    def freeze(self) -> None:
        self.terms = list(self.ids)
        first = np.frombuffer(b"".join(t[:1] for t in self.terms), dtype=np.uint8)
        self.literal = first == ord('"')
        self.blank = first == ord("_")
        self.vocabulary = np.array(
            [t.startswith(_VOCABULARY_BYTES) for t in self.terms], dtype=bool
        )


_VOCABULARY_BYTES = tuple(f"<{ns}".encode() for ns in _VOCABULARY)


class _Engine:
    """Semi-naive evaluation of a `Program` over coded triples: each round joins what the
    previous round derived with everything known, and keeps what is new."""

    def __init__(self, coded: _Coded, program: Program, asserted: Arrays) -> None:
        self._code_program(coded, program)
        predicates = _unique(np.concatenate([asserted[1], self._program_predicates()]))
        self.pred_bits = max(1, len(predicates).bit_length())
        self.term_bits = max(1, self.size.bit_length())
        if 2 * self.term_bits + self.pred_bits > 63:
            raise UnsupportedSchema("too many terms to code a triple in 64 bits")
        if 2 * (self.term_bits + 1) + self.pred_bits <= 63:
            self.term_bits += 1  # room for the terms an edit adds (`coopgraph.reasoning.closure`)
        self.predicates = predicates
        self.pred_index = np.full(self.size, -1, dtype=I64)
        self.pred_index[predicates] = np.arange(len(predicates), dtype=I64)
        keys = _unique(self.pack(*asserted))
        self.asserted_keys = keys
        self.known = keys
        self.full = self.unpack(keys)
        self._tables()

    @classmethod
    def restored(
        cls,
        coded: _Coded,
        program: Program,
        *,
        known: np.ndarray,
        asserted: np.ndarray,
        predicates: np.ndarray,
        term_bits: int,
        pred_bits: int,
    ) -> _Engine:
        """An engine holding a closure computed before (kept by `coopgraph.reasoning.closure`)."""
        engine = cls.__new__(cls)
        engine._code_program(coded, program)
        engine.predicates = predicates
        engine.pred_bits = pred_bits
        engine.term_bits = term_bits
        engine.pred_index = np.full(engine.size, -1, dtype=I64)
        engine.pred_index[predicates] = np.arange(len(predicates), dtype=I64)
        engine.asserted_keys = asserted
        engine.known = known
        engine.full = engine.unpack(known)
        engine._tables()
        return engine

    def _code_program(self, coded: _Coded, program: Program) -> None:
        self.coded = coded
        self.program = program
        self.type = coded.id(TYPE)
        self.same_as = coded.id(SAME_AS)
        for term in program.terms():
            coded.id(term)
        coded.freeze()
        self.size = len(coded.terms)

    def schema_keys(self) -> np.ndarray:
        """The keys of what the closed schema entails whatever the data."""
        code = self.coded.id
        triples = self.program.schema_entailments
        if not triples:
            return np.zeros(0, dtype=I64)
        s, p, o = (np.array([code(t[i]) for t in triples], dtype=I64) for i in range(3))
        return _unique(self.pack(s, p, o))

    def _program_predicates(self) -> np.ndarray:
        code = self.coded.id
        found: set[Term] = {TYPE, SAME_AS}
        program = self.program
        for table in (program.by_type, program.by_property, program.domains, program.ranges):
            for value in table.values():
                found.update(q for q, _ in value.values)
        for other in (program.by_some_values, program.by_value):
            for value in other.values():
                found.update(q for q, _ in value.values)
        for _, value in program.intersections:
            found.update(q for q, _ in value.values)
        for values in (*program.super_properties.values(), *program.inverses.values()):
            found.update(values)
        found.update(head for head, _ in program.chains)
        found.update(program.symmetric)
        found.update(s_p_o[1] for s_p_o in program.schema_entailments)
        return np.array(sorted(code(t) for t in found), dtype=I64)

    # Packing triples into one integer each: subject, predicate index, object.
    def pack(self, s: np.ndarray, p: np.ndarray, o: np.ndarray) -> np.ndarray:
        index = self.pred_index[p]
        if len(index) and index.min() < 0:
            raise UnsupportedSchema("a derived triple with an unexpected predicate")
        return cast(
            np.ndarray, (s << (self.term_bits + self.pred_bits)) | (index << self.term_bits) | o
        )

    def unpack(self, keys: np.ndarray) -> Arrays:
        mask = (1 << self.term_bits) - 1
        s = keys >> (self.term_bits + self.pred_bits)
        p = self.predicates[(keys >> self.term_bits) & ((1 << self.pred_bits) - 1)]
        return s, p, keys & mask

    def _tables(self) -> None:
        code = self.coded.id
        program = self.program

        def consequences(
            table: dict[Term, Consequences], key_of: Callable[[Term], int]
        ) -> tuple[_Table, _Table]:
            types: dict[int, list[tuple[int, ...]]] = defaultdict(list)
            values: dict[int, list[tuple[int, ...]]] = defaultdict(list)
            for key, found in table.items():
                k = key_of(key)
                types[k] += [(code(d),) for d in sorted(found.types, key=str)]
                values[k] += [(code(q), code(v)) for q, v in sorted(found.values, key=str)]
            return _Table(types, 1), _Table(values, 2)

        self.by_type = consequences(program.by_type, code)
        self.by_property = consequences(program.by_property, code)
        self.domains = consequences(program.domains, code)
        self.ranges = consequences(program.ranges, code)
        self.by_value = {(code(p), code(v)): found for (p, v), found in program.by_value.items()}
        self.by_some_values = {
            (code(p), code(c)): found for (p, c), found in program.by_some_values.items()
        }
        self.all_values = _Table(
            {
                code(c): [(code(p), code(d)) for p, d in sorted(rows, key=str)]
                for c, rows in program.all_values.items()
            },
            2,
        )
        self.super_properties = _Table(
            {
                code(p): [(code(q),) for q in sorted(qs, key=str)]
                for p, qs in program.super_properties.items()
            },
            1,
        )
        self.inverses = _Table(
            {
                code(p): [(code(q),) for q in sorted(qs, key=str)]
                for p, qs in program.inverses.items()
            },
            1,
        )
        self.symmetric = np.array(sorted(code(p) for p in program.symmetric), dtype=I64)
        self.chains = [(code(h), [code(s) for s in steps]) for h, steps in program.chains]
        self.functional = [code(p) for p in sorted(program.functional, key=str)]
        self.inverse_functional = [code(p) for p in sorted(program.inverse_functional, key=str)]
        self.intersections = [
            ([code(part) for part in parts], found) for parts, found in program.intersections
        ]

    # --- The rules ---------------------------------------------------------------------

    def has(self, s: np.ndarray, p: int | np.ndarray, o: np.ndarray) -> np.ndarray:
        """Whether each triple is known."""
        keys = self.pack(s, np.broadcast_to(np.asarray(p, dtype=I64), s.shape), o)
        if not len(self.known):
            return np.zeros(len(keys), dtype=bool)
        pos = np.minimum(np.searchsorted(self.known, keys), len(self.known) - 1)
        return cast(np.ndarray, self.known[pos] == keys)

    def derive(self, delta: Arrays, out: list[Arrays]) -> None:
        """Everything the rules derive with at least one premise in `delta`."""
        s, p, o = delta
        full_s, full_p, full_o = self.full
        t = self.type
        not_literal = ~self.coded.literal[o]

        def emit(subject: np.ndarray, predicate: int | np.ndarray, obj: np.ndarray) -> None:
            if len(subject):
                pred = np.broadcast_to(np.asarray(predicate, dtype=I64), subject.shape)
                out.append((subject, pred.copy(), obj))

        def consequences(
            subjects: np.ndarray, keys: np.ndarray, tables: tuple[_Table, _Table]
        ) -> None:
            rows, (classes,) = tables[0].expand(keys)
            emit(subjects[rows], t, classes)
            rows, (props, values) = tables[1].expand(keys)
            emit(subjects[rows], props, values)

        typed = p == t
        xs, cs = s[typed], o[typed]
        consequences(xs, cs, self.by_type)  # cax-sco, cls-hv1
        consequences(s, p, self.by_property)  # cls-svf2
        consequences(s, p, self.domains)  # prp-dom
        consequences(o[not_literal], p[not_literal], self.ranges)  # prp-rng
        for (prop, value), found in self.by_value.items():  # cls-hv2
            hit = (p == prop) & (o == value)
            self._constant(s[hit], found, emit)
        rows, (supers,) = self.super_properties.expand(p)  # prp-spo1
        emit(s[rows], supers, o[rows])
        rows, (inverse,) = self.inverses.expand(p[not_literal])  # prp-inv
        emit(o[not_literal][rows], inverse, s[not_literal][rows])
        if len(self.symmetric):  # prp-symp
            hit = np.isin(p, self.symmetric) & not_literal
            emit(o[hit], p[hit], s[hit])
        if len(self.all_values):  # cls-avf
            self._all_values(delta, emit)
        for (prop, cls), found in self.by_some_values.items():  # cls-svf1
            hit = (p == prop) & self.has(o, t, np.full(len(o), cls))
            self._constant(s[hit], found, emit)
            ys = s[typed & (o == cls)]
            left = full_p == prop
            i, _ = _join(full_o[left], ys)
            self._constant(full_s[left][i], found, emit)
        for parts, found in self.intersections:  # cls-int1
            candidates = _unique(xs[np.isin(cs, parts)])
            ok = np.ones(len(candidates), dtype=bool)
            for part in parts:
                ok &= self.has(candidates, t, np.full(len(candidates), part))
            self._constant(candidates[ok], found, emit)
        for head, steps in self.chains:  # prp-spo2, prp-trp
            for at in range(len(steps)):
                x, y = self._chain(steps, at, delta)
                emit(x, head, y)

    def _constant(self, subjects: np.ndarray, found: Consequences, emit: _Emit) -> None:
        if not len(subjects):
            return
        code = self.coded.id
        for d in found.types:
            emit(subjects, self.type, np.full(len(subjects), code(d), dtype=I64))
        for q, v in found.values:
            emit(subjects, code(q), np.full(len(subjects), code(v), dtype=I64))

    def _relation(self, prop: int, arrays: Arrays) -> tuple[np.ndarray, np.ndarray]:
        s, p, o = arrays
        hit = p == prop
        return s[hit], o[hit]

    def _chain(self, steps: list[int], at: int, delta: Arrays) -> tuple[np.ndarray, np.ndarray]:
        """The (first, last) pairs of the chain with step `at` taken from `delta`."""
        x, y = self._relation(steps[0], delta if at == 0 else self.full)
        for index in range(1, len(steps)):
            if not len(x):
                break
            ns, no = self._relation(steps[index], delta if at == index else self.full)
            i, j = _join(y, ns)
            x, y = x[i], no[j]
        return x, y

    def _all_values(self, delta: Arrays, emit: _Emit) -> None:
        s, p, o = delta
        t = self.type
        full_s, full_p, full_o = self.full
        # x a C (delta) with x p y (full); x p y (delta) with x a C (full).
        typed = p == t
        rows, (props, targets) = self.all_values.expand(o[typed])
        xs = s[typed][rows]
        pair_left = xs * self.size + props
        pair_right = full_s * self.size + full_p
        i, j = _join(pair_left, pair_right)
        keep = ~self.coded.literal[full_o[j]]
        emit(full_o[j][keep], t, targets[i][keep])
        full_typed = full_p == t
        rows, (props, targets) = self.all_values.expand(full_o[full_typed])
        xs = full_s[full_typed][rows]
        i, j = _join(xs * self.size + props, s * self.size + p)
        keep = ~self.coded.literal[o[j]]
        emit(o[j][keep], t, targets[i][keep])

    def functional_pairs(self) -> Arrays | None:
        """prp-fp and prp-ifp over everything known: the owl:sameAs pairs they give."""
        s, p, o = self.full
        pairs: list[tuple[np.ndarray, np.ndarray]] = []
        for props, by_subject in ((self.functional, True), (self.inverse_functional, False)):
            for prop in props:
                hit = p == prop
                key, value = (s[hit], o[hit]) if by_subject else (o[hit], s[hit])
                if not len(key):
                    continue
                i, j = _join(key, key)
                differ = value[i] != value[j]
                if differ.any():
                    pairs.append((value[i][differ], value[j][differ]))
        if not pairs:
            return None
        a = np.concatenate([pair[0] for pair in pairs])
        b = np.concatenate([pair[1] for pair in pairs])
        return a, np.full(len(a), self.same_as, dtype=I64), b

    def equality(self, out: list[Arrays]) -> None:
        """The eq-* rules, set at a time: resources related by owl:sameAs form classes; every
        member is sameAs every other, and every triple is copied onto every member."""
        s, p, o = self.full
        hit = p == self.same_as
        a, b = s[hit], o[hit]
        if not len(a):
            return
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            root = x
            while parent.get(root, root) != root:
                root = parent[root]
            while parent.get(x, x) != root:
                parent[x], x = root, parent[x]
            return root

        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            rx, ry = find(x), find(y)
            if rx != ry:
                parent[rx] = ry
        classes: dict[int, list[int]] = defaultdict(list)
        for member in {*a.tolist(), *b.tolist()}:
            classes[find(member)].append(member)
        mapping = {m: [n for n in members] for members in classes.values() for m in members}
        table = _Table({m: [(n,) for n in ns] for m, ns in mapping.items()}, 1)
        pairs_i, (pairs_j,) = table.expand(np.array(sorted(mapping), dtype=I64))
        members = np.array(sorted(mapping), dtype=I64)
        out.append((members[pairs_i], np.full(len(pairs_i), self.same_as, dtype=I64), pairs_j))
        for position in range(3):
            columns = [s, p, o]
            rows, (replacement,) = table.expand(columns[position])
            copied = [column[rows] for column in columns]
            copied[position] = replacement
            out.append((copied[0], copied[1], copied[2]))

    def add(self, derived: list[Arrays]) -> Arrays | None:
        """Keep what is new in `derived`; return it (the next delta), or None."""
        parts = [d for d in derived if len(d[0])]
        if not parts:
            return None
        s = np.concatenate([d[0] for d in parts])
        p = np.concatenate([d[1] for d in parts])
        o = np.concatenate([d[2] for d in parts])
        keys = _unique(self.pack(s, p, o))
        if len(self.known):
            pos = np.minimum(np.searchsorted(self.known, keys), len(self.known) - 1)
            keys = keys[self.known[pos] != keys]
        if not len(keys):
            return None
        # `keys` are sorted and none is known: inserting them keeps `known` sorted.
        self.known = np.insert(self.known, np.searchsorted(self.known, keys), keys)
        self.full = self.unpack(self.known)
        return self.unpack(keys)

    def run(self, say: Callable[[str], None], outcome: Outcome) -> None:
        schema = [
            (self.coded.id(s), self.coded.id(p), self.coded.id(o))
            for s, p, o in self.program.schema_entailments
        ]
        first: list[Arrays] = []
        if schema:
            s_ids, p_ids, o_ids = zip(*schema, strict=True)
            first.append(
                (
                    np.array(s_ids, dtype=I64),
                    np.array(p_ids, dtype=I64),
                    np.array(o_ids, dtype=I64),
                )
            )
        self.add(first)
        delta: Arrays | None = self.full
        same_as = bool((self.full[1] == self.same_as).any())
        while delta is not None:
            outcome.rounds += 1
            say(f"reasoning: round {outcome.rounds}")
            derived: list[Arrays] = []
            self.derive(delta, derived)
            if same_as:
                self.equality(derived)
                pairs = self.functional_pairs()
                if pairs is not None:
                    derived.append(pairs)
            delta = self.add(derived)
            if delta is None and not same_as:
                # A fixpoint without owl:sameAs: check the functional properties once, here,
                # rather than in every round; if they equate resources, go on with equality.
                pairs = self.functional_pairs()
                if pairs is not None:
                    delta = self.add([pairs])
                    same_as = delta is not None

    def derived_keys(self) -> np.ndarray:
        pos = np.minimum(
            np.searchsorted(self.asserted_keys, self.known), len(self.asserted_keys) - 1
        )
        return cast(np.ndarray, self.known[self.asserted_keys[pos] != self.known])

    def schema_triples(self, keys: np.ndarray) -> set[Triple]:
        """The schema triples among `keys` (to see whether the data derived new axioms)."""
        s, p, o = self.unpack(keys)
        code = self.coded.id
        predicates = np.array(sorted(code(t) for t in SCHEMA_PREDICATES), dtype=I64)
        types = np.array(sorted(code(t) for t in SCHEMA_TYPES), dtype=I64)
        hit = np.isin(p, predicates) | ((p == self.type) & np.isin(o, types))
        terms = self.coded.terms
        return {
            (_parse_term(terms[x]), _parse_term(terms[y]), _parse_term(terms[z]))
            for x, y, z in zip(s[hit].tolist(), p[hit].tolist(), o[hit].tolist(), strict=True)
        }

    def informative(self, keys: np.ndarray) -> np.ndarray:
        """The keys among `keys` that are informative entailments (owlrl's trivial ones are
        left out)."""
        s, p, o = self.unpack(keys)
        coded = self.coded
        code = coded.id
        trivial = coded.literal[s] | coded.blank[s] | coded.blank[o] | coded.vocabulary[s]
        reflexive = np.array(
            sorted(
                code(t)
                for t in (SAME_AS, EQUIVALENT_CLASS, EQUIVALENT_PROPERTY, SUBCLASS, SUBPROPERTY)
            ),
            dtype=I64,
        )
        trivial |= np.isin(p, reflexive) & (s == o)
        trivial |= np.isin(p, [self.type, code(SUBCLASS)]) & np.isin(
            o, [code(c) for c in _TRIVIAL_CLASSES]
        )
        trivial |= (p == self.type) & np.isin(
            o, [code(c) for c in (CLASS, _rdfs("Class"), _rdfs("Datatype"))]
        )
        return cast(np.ndarray, keys[~trivial])

    def ntriples(self, keys: np.ndarray) -> bytes:
        """The triples of `keys` as N-Triples."""
        s, p, o = self.unpack(keys)
        terms = self.coded.terms
        return b"".join(
            b"%s %s %s .\n" % (terms[a], terms[b], terms[c])
            for a, b, c in zip(s.tolist(), p.tolist(), o.tolist(), strict=True)
        )


def _parse_term(text: bytes) -> Term:
    value = text.decode("utf-8")
    if value.startswith("<"):
        return ox.NamedNode(value[1:-1])
    if value.startswith("_:"):
        return ox.BlankNode(value[2:])
    quad = next(
        iter(ox.parse(f"<urn:s> <urn:p> {value} .".encode(), format=ox.RdfFormat.N_TRIPLES))
    )
    # One triple whose object is a plain RDF term: never a quoted triple.
    return cast(Term, quad.object)


@dataclass
class Outcome:
    """What reasoning did: the rounds it took, the triples it derived, the seconds per phase."""

    rounds: int = 0
    entailed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def clock(self, key: str, started: float) -> None:
        self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started


def entailments_ntriples(
    store: ox.Store,
    graphs: Sequence[ox.NamedNode | ox.DefaultGraph],
    progress: Callable[[str], None] | None = None,
    outcome: Outcome | None = None,
) -> bytes:
    """The informative OWL 2 RL entailments of `graphs` of `store`, as N-Triples (sorted by
    nothing in particular). Raises `UnsupportedSchema` for a schema this module does not
    compile."""
    outcome = outcome if outcome is not None else Outcome()
    started = time.perf_counter()
    schema = read_schema(store, graphs)
    # Without an output, dump returns the bytes.
    data = b"".join(
        cast(bytes, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g)) for g in graphs
    )
    outcome.clock("read", started)
    return reason([data], schema, progress, outcome).ntriples


@dataclass
class Reasoned:
    """A closure computed by `reason`: the engine that holds it (known and asserted triples as
    integer keys), the asserted keys of each part, and the informative entailments."""

    engine: _Engine
    part_keys: list[np.ndarray]
    schema: set[Triple]
    ntriples: bytes
    entailed: int


def reason(
    parts: Sequence[bytes],
    schema: set[Triple],
    progress: Callable[[str], None] | None = None,
    outcome: Outcome | None = None,
) -> Reasoned:
    """The OWL 2 RL closure of the asserted triples in `parts` (N-Triples, e.g. one per input
    file) with the schema triples among them, `schema`. Raises `UnsupportedSchema` for a
    schema this module does not compile."""
    say = progress or (lambda _message: None)
    outcome = outcome if outcome is not None else Outcome()
    started = time.perf_counter()
    schema = set(schema)
    coded = _Coded()
    coded_parts = [coded.add_ntriples(part) for part in parts]
    asserted = tuple(
        np.concatenate([arrays[i] for arrays in coded_parts]) if coded_parts else np.zeros(0, I64)
        for i in range(3)
    )
    outcome.clock("read", started)
    while True:
        started = time.perf_counter()
        program = compile_program(schema)
        engine = _Engine(coded, program, cast(Arrays, asserted))
        outcome.clock("compile", started)
        started = time.perf_counter()
        engine.run(say, outcome)
        outcome.clock("rules", started)
        derived = engine.derived_keys()
        new_schema = engine.schema_triples(derived) - program.closure
        if not new_schema:
            break
        # The data derived new schema axioms (rare; never with the bundled ontology):
        # compile again with them and run everything again.
        schema |= new_schema
    started = time.perf_counter()
    informative = engine.informative(derived)
    outcome.entailed = len(informative)
    text = engine.ntriples(informative)
    part_keys = [_unique(engine.pack(*arrays)) for arrays in coded_parts]
    outcome.clock("write", started)
    return Reasoned(engine, part_keys, schema, text, len(informative))
