"""The SHACL shapes in shapes/, driven by the small Turtle cases in tests/shapes/.

`<case>.ok.ttl` must give no result at all (not even a warning); its header names the shapes
it exercises, `# covers: cgsh:ShapeA cgsh:ShapeB`, and each of them must target a node of
the case. `<case>.bad-<what>.ttl` must not conform; its first line says what it must give,
`# expect: <Severity> <shape> [<path>]`, with more expect lines below it if needed. Every
result must match an expect line and every expect line a result, so a bad case fails for
its stated reason only. A result of a blank property shape counts as the named shape it
belongs to.

A case is validated with the ontology and the SKOS schemes (ontology/*.ttl); when it refers
to bundled States (data/states.ttl with state-history.ttl), organisations
(organisations.ttl) or sources (sources.ttl), those files come along as context, with the
context they refer to in turn. Validation is run the way the project runs it: no OWL
reasoning, SHACL-AF (SPARQL) enabled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import takewhile
from pathlib import Path

import owlrl
import pyshacl
import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

ROOT = Path(__file__).resolve().parents[2]
SHAPES_DIR = ROOT / "shapes"
CASES_DIR = Path(__file__).parent / "shapes"
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
DATA_FILES = sorted((ROOT / "data").glob("*.ttl"))
CONTEXT_GROUPS = (
    ("states.ttl", "state-history.ttl"),
    ("organisations.ttl",),
    ("sources.ttl",),
)

OK_CASES = sorted(CASES_DIR.glob("*.ok.ttl"))
BAD_CASES = sorted(CASES_DIR.glob("*.bad-*.ttl"))

CG = Namespace("https://w3id.org/coopgraph/def/")
CGSH = Namespace("https://w3id.org/coopgraph/shapes/")
INST = Namespace("https://w3id.org/coopgraph/id/instrument/")
EVENT = Namespace("https://w3id.org/coopgraph/id/event/")

_EXPECT = re.compile(r"^# expect: (Violation|Warning|Info) (\S+)(?: (\S+))?$")
_COVERS = re.compile(r"^# covers:((?: \S+)+)$")
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Result:
    severity: str
    shape: str
    path: str | None
    focus: Node
    message: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.severity} {self.shape}{where} at {self.focus.n3()}: {self.message}"


@dataclass(frozen=True)
class Expected:
    severity: str
    shape: str
    path: str | None

    def matches(self, result: Result) -> bool:
        return (
            self.severity == result.severity
            and self.shape == result.shape
            and (self.path is None or self.path == result.path)
        )


# --- loading and validating -------------------------------------------------------


def _parse(files: Iterable[Path]) -> Graph:
    graph = Graph()
    for file in files:
        graph.parse(file, format="turtle")
    return graph


@cache
def shapes_graph() -> Graph:
    return _parse(sorted(SHAPES_DIR.glob("*.ttl")))


@cache
def _ontology() -> Graph:
    return _parse(ONTOLOGY_FILES)


@cache
def _context() -> tuple[Graph, ...]:
    return tuple(_parse(ROOT / "data" / name for name in group) for group in CONTEXT_GROUPS)


def _copy(*graphs: Graph) -> Graph:
    merged = Graph()
    for graph in graphs:
        merged += graph
    return merged


def case_data_graph(case: Path) -> Graph:
    """The ontology, the case, and the bundled context the case refers to, directly or through
    the context it brings in (organisations refer to States and sources)."""
    case_graph = _parse([case])
    pending = list(_context())
    included: list[Graph] = []
    referred = _nodes(case_graph)
    while more := [graph for graph in pending if not referred.isdisjoint(graph.subjects())]:
        for graph in more:
            pending.remove(graph)
            included.append(graph)
            referred |= _nodes(graph)
    return _copy(_ontology(), *included, case_graph)


def validate(data: Graph) -> tuple[bool, list[Result]]:
    """Validate in place; `conforms` is False when there is any result, even a warning."""
    shapes = shapes_graph()
    conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, inplace=True
    )
    assert isinstance(report, Graph), report
    results = [_result(report, node) for node in report.objects(None, SH.result)]
    return bool(conforms), sorted(results, key=str)


def _result(report: Graph, node: Node) -> Result:
    shapes = shapes_graph()
    path = report.value(node, SH.resultPath)
    focus = report.value(node, SH.focusNode)
    severity = report.value(node, SH.resultSeverity)
    assert focus is not None and isinstance(severity, URIRef)
    return Result(
        severity=_SEVERITIES[severity],
        shape=_compact(_named_shape(report.value(node, SH.sourceShape))),
        path=render_path(shapes, path) if path is not None else None,
        focus=focus,
        message="; ".join(sorted(str(m) for m in report.objects(node, SH.resultMessage))),
    )


def _named_shape(shape: Node | None) -> Node | None:
    """A blank shape (a property shape, a list member) stands for the named shape above it."""
    graph = shapes_graph()
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        shape = next(graph.subjects(None, shape), None)
    return shape


def _compact(term: Node | None) -> str:
    assert term is not None
    return term.n3(shapes_graph().namespace_manager)


def _expand(curie: str) -> URIRef:
    return shapes_graph().namespace_manager.expand_curie(curie)


def render_path(graph: Graph, path: Node) -> str:
    """A SHACL path in SPARQL syntax, as written in expect lines: `^cg:hasParticipation`."""
    if isinstance(path, URIRef):
        return _compact(path)
    if (path, RDF.first, None) in graph:
        return "/".join(render_path(graph, step) for step in Collection(graph, path))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(render_path(graph, a) for a in Collection(graph, alternatives)) + ")"
    for predicate, (before, after) in {
        SH.inversePath: ("^", ""),
        SH.zeroOrMorePath: ("", "*"),
        SH.oneOrMorePath: ("", "+"),
        SH.zeroOrOnePath: ("", "?"),
    }.items():
        inner = graph.value(path, predicate)
        if inner is not None:
            return before + render_path(graph, inner) + after
    raise AssertionError(f"unknown SHACL path {path!r}")


# --- case headers --------------------------------------------------------------


def _header(case: Path) -> list[str]:
    """The comment lines at the top of a case."""
    lines = case.read_text(encoding="utf-8").splitlines()
    return list(takewhile(lambda line: line.startswith("#"), lines))


def expectations(case: Path) -> list[Expected]:
    header = _header(case)
    assert header and _EXPECT.match(header[0]), (
        f"{case.name}: the first line must be `# expect: <Severity> <shape> [<path>]`"
    )
    found = [_EXPECT.match(line) for line in header]
    return [Expected(m[1], m[2], m[3]) for m in found if m is not None]


def covered_shapes(case: Path) -> set[str]:
    found = [_COVERS.match(line) for line in _header(case)]
    return {name for m in found if m is not None for name in m[1].split()}


# --- what the shapes target --------------------------------------------------------


def node_shapes() -> set[URIRef]:
    graph = shapes_graph()
    return {s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}


def focus_nodes(shape: URIRef, data: Graph) -> set[Node]:
    """The nodes `shape` targets in `data` (class, subjects-of, objects-of, node and SPARQL
    targets), computed independently of pySHACL."""
    shapes = shapes_graph()
    nodes: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        assert isinstance(cls, URIRef)
        query = "SELECT ?node WHERE { ?node a/rdfs:subClassOf* ?class }"
        nodes |= {row[0] for row in _rows(data.query(query, initBindings={"class": cls}))}
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        nodes |= set(data.subjects(prop, None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        nodes |= set(data.objects(None, prop))
    nodes |= {node for node in shapes.objects(shape, SH.targetNode) if _nodes_of(data, node)}
    for target in shapes.objects(shape, SH.target):
        select = shapes.value(target, SH.select)
        assert isinstance(select, Literal), f"{shape}: only SPARQL targets are used"
        nodes |= {row[0] for row in _rows(data.query(str(select), initNs=sparql_prefixes()))}
    return nodes


def _rows(result: Iterable[object]) -> Iterator[tuple[Node, ...]]:
    for row in result:
        assert isinstance(row, tuple)
        yield row


def _nodes_of(graph: Graph, node: Node) -> bool:
    return (node, None, None) in graph or (None, None, node) in graph


def _nodes(graph: Graph) -> set[Node]:
    return {term for triple in graph for term in (triple[0], triple[2])}


def sparql_prefixes() -> dict[str, URIRef]:
    graph = shapes_graph()
    return {
        str(graph.value(declaration, SH.prefix)): URIRef(
            str(graph.value(declaration, SH.namespace))
        )
        for declaration in graph.objects(CGSH[""], SH.declare)
    }


# --- the cases -----------------------------------------------------------------------


def test_there_are_cases_and_every_file_is_named_as_one() -> None:
    files = set(CASES_DIR.glob("*"))
    assert OK_CASES and BAD_CASES
    assert files == set(OK_CASES) | set(BAD_CASES), (
        "cases are <case>.ok.ttl or <case>.bad-<what>.ttl"
    )


@pytest.mark.parametrize("case", OK_CASES, ids=[case.name for case in OK_CASES])
def test_an_ok_case_gives_no_result(case: Path) -> None:
    conforms, results = validate(case_data_graph(case))
    assert not results, "\n".join(map(str, results))
    assert conforms


@pytest.mark.parametrize("case", BAD_CASES, ids=[case.name for case in BAD_CASES])
def test_a_bad_case_gives_what_it_expects_and_nothing_else(case: Path) -> None:
    expected = expectations(case)
    conforms, results = validate(case_data_graph(case))
    report = "\n".join(map(str, results)) or "no results"
    missing = [e for e in expected if not any(e.matches(r) for r in results)]
    unexpected = [r for r in results if not any(e.matches(r) for e in expected)]
    assert not missing, f"{case.name}: missing {missing}; got:\n{report}"
    assert not unexpected, f"{case.name}: unexpected results:\n" + "\n".join(map(str, unexpected))
    assert not conforms


def test_every_shape_has_a_bad_case() -> None:
    expected = {_expand(e.shape) for case in BAD_CASES for e in expectations(case)}
    assert sorted(node_shapes() - expected) == []


def test_every_shape_has_an_ok_case_that_it_targets() -> None:
    uncovered = set(node_shapes())
    for case in OK_CASES:
        data = case_data_graph(case)
        in_case = _nodes(_parse([case]))
        for name in sorted(covered_shapes(case)):
            shape = _expand(name)
            assert shape in node_shapes(), f"{case.name} covers {name}, which is not a shape"
            assert focus_nodes(shape, data) & in_case, f"{name} targets nothing in {case.name}"
            uncovered.discard(shape)
    assert sorted(uncovered) == []


def test_expect_lines_name_existing_shapes() -> None:
    for case in BAD_CASES:
        for expectation in expectations(case):
            assert _expand(expectation.shape) in node_shapes(), f"{case.name}: {expectation}"


# --- the bundled data ------------------------------------------------------------------

# The source gives no date for these instruments, nor cg:startDate for this meeting (its date
# is stated with prov:startedAtTime only): warnings that do not break conformance.
BUNDLED_WARNINGS = {
    ("Warning", "cgsh:InstrumentDatedShape", INST["organized-crime-convention"]),
    ("Warning", "cgsh:InstrumentDatedShape", INST["interpol-model-police-cooperation-agreement"]),
    ("Warning", "cgsh:InstrumentDatedShape", INST["european-model-protocols"]),
    ("Warning", "cgsh:InstrumentDatedShape", INST["treaty-on-european-union"]),
    ("Warning", "cgsh:InstrumentDatedShape", INST["refugee-convention"]),
    ("Warning", "cgsh:InstrumentDatedShape", INST["greece-albania-child-victims-agreement"]),
}


def _bundled() -> Graph:
    return _copy(_ontology(), _parse(DATA_FILES))


def test_the_bundled_data_has_no_violation_and_only_the_known_warnings() -> None:
    _conforms, results = validate(_bundled())
    violations = [r for r in results if r.severity == "Violation"]
    assert not violations, "\n".join(map(str, violations))
    assert {(r.severity, r.shape, r.focus) for r in results} == BUNDLED_WARNINGS


KNOWN_AFTER_REASONING: set[tuple[str, str]] = set()


def test_the_shapes_hold_on_the_owl_rl_closure_of_the_bundled_data() -> None:
    data = _bundled()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(data)
    _conforms, results = validate(data)
    violations = {(r.shape, r.path) for r in results if r.severity == "Violation"}
    assert violations == KNOWN_AFTER_REASONING, "\n".join(map(str, results))


# --- the shapes themselves --------------------------------------------------------------


def _role_properties() -> set[Node]:
    ontology = _ontology()
    return set(ontology.subjects(RDFS.subPropertyOf, CG.participant)) - {CG.participant}


def test_the_shapes_list_every_role_property_of_the_ontology() -> None:
    shapes = shapes_graph()
    roles = _role_properties()
    assert len(roles) == 12
    targeted = set(shapes.objects(CGSH.ParticipationShape, SH.targetSubjectsOf))
    assert targeted - {CG.participantCount, CG.onBehalfOf} == roles
    branches = shapes.value(CGSH.ParticipationRoleShape, SH.xone)
    assert branches is not None
    in_branches = {
        shapes.value(prop, SH.path)
        for branch in Collection(shapes, branches)
        for prop in shapes.objects(branch, SH.property)
    }
    assert in_branches - {CG.role, CG.participantCount, CG.designation, CG.participant} == roles
    typed = {
        shapes.value(prop, SH.path) for prop in shapes.objects(CGSH.ParticipantShape, SH.property)
    }
    assert typed - {CG.membersOf} == roles


_NOT_CONSTRAINTS = {
    RDF.type,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.property,
    SH.sparql,
}


def test_every_shape_is_named_described_and_explains_its_results() -> None:
    shapes = shapes_graph()
    for shape in node_shapes():
        assert shapes.value(shape, SH.name) is not None, f"{shape} needs sh:name"
        assert shapes.value(shape, SH.description) is not None, f"{shape} needs sh:description"
        if set(shapes.predicates(shape)) - _NOT_CONSTRAINTS:
            assert shapes.value(shape, SH.message) is not None, f"{shape}'s own constraints"
    for prop in shapes.objects(None, SH.property):
        if shapes.value(prop, SH.path) is not None and _in_named_shape(prop):
            assert shapes.value(prop, SH.message) is not None, f"a property shape of {_named(prop)}"
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.message) is not None, f"SPARQL in {_named(constraint)}"
    # pySHACL adds a node shape's own sh:message to the results of its SPARQL constraints too.
    for shape in node_shapes():
        if (shape, SH.sparql, None) in shapes:
            assert (shape, SH.message, None) not in shapes, f"{shape}: message would be doubled"


def _in_named_shape(prop: Node) -> bool:
    """A property shape directly under a named shape (not one inside sh:or, sh:node, ...)."""
    return any(isinstance(s, URIRef) for s in shapes_graph().subjects(SH.property, prop))


def _named(node: Node) -> str:
    return _compact(_named_shape(node))
