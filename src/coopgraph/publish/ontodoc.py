"""The ontology's documentation page, generated from the ontology graph itself: metadata, the
class hierarchy, every class and property with its definition, domain, range and axioms, and
every SKOS concept scheme as a tree (the modality hierarchy among them).

A small generator of our own rather than pyLODE: pyLODE 3.4.1 (the newest on PyPI) cannot be
imported from a wheel (its version module reads a pyproject.toml that is not installed), and
3.3.4 sets the root logger to DEBUG on import, writes pickles into its own package folder,
takes the page title from the last concept scheme when a graph has several, and its OntPub
profile does not show SKOS concept schemes. The page here is deterministic: everything is
sorted by label, then IRI.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS, VANN
from rdflib.term import Node

from coopgraph.model.labels import label_of
from coopgraph.model.namespaces import ALL_PREFIXES, CG

PROPERTY_KINDS = (
    ("object-properties", "Object properties", OWL.ObjectProperty),
    ("datatype-properties", "Datatype properties", OWL.DatatypeProperty),
    ("annotation-properties", "Annotation properties", OWL.AnnotationProperty),
)
_KIND_NAMES = {
    "object-properties": "object property",
    "datatype-properties": "datatype property",
    "annotation-properties": "annotation property",
}
CHARACTERISTICS = (
    (OWL.FunctionalProperty, "functional"),
    (OWL.InverseFunctionalProperty, "inverse functional"),
    (OWL.TransitiveProperty, "transitive"),
    (OWL.SymmetricProperty, "symmetric"),
    (OWL.AsymmetricProperty, "asymmetric"),
    (OWL.ReflexiveProperty, "reflexive"),
    (OWL.IrreflexiveProperty, "irreflexive"),
)
_PREFIXES = {**ALL_PREFIXES, "vann": VANN}

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
  line-height: 1.5; color: #222; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
article { border-left: 3px solid #dde; padding: 0.1rem 0 0.1rem 1rem; margin: 1.2rem 0; }
article h3 { margin: 0.3rem 0; } code { background: #f4f4f8; padding: 0 0.2rem; }
dl.facts { display: grid; grid-template-columns: 11rem 1fr; gap: 0.2rem 1rem; margin: 0.4rem 0; }
dl.facts dt { font-weight: 600; color: #555; } dl.facts dd { margin: 0; }
.iri { color: #666; font-size: 0.9em; word-break: break-all; }
.kind { font-size: 0.75em; color: #fff; background: #669; border-radius: 0.3rem;
  padding: 0 0.3rem; vertical-align: middle; }
ul.tree { list-style: none; padding-left: 1.2rem; border-left: 1px dotted #bbb; }
ul.tree > li { margin: 0.2rem 0; } .definition { color: #444; }
nav ul { columns: 2; }
"""


@dataclass(frozen=True)
class OntologyTerms:
    """The named terms the page documents, each list sorted by label then IRI."""

    classes: tuple[URIRef, ...]
    properties: dict[str, tuple[URIRef, ...]]
    schemes: tuple[URIRef, ...]


def ontology_terms(graph: Graph) -> OntologyTerms:
    def named(cls: URIRef) -> tuple[URIRef, ...]:
        members = {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
        return tuple(sorted(members, key=lambda term: _sort_key(graph, term)))

    return OntologyTerms(
        classes=named(OWL.Class),
        properties={key: named(kind) for key, _title, kind in PROPERTY_KINDS},
        schemes=named(SKOS.ConceptScheme),
    )


def anchor(term: URIRef) -> str:
    """The page fragment of `term`: the local name for cg: terms, `prefix-local` else."""
    text = str(term)
    if text.startswith(str(CG)):
        return text[len(str(CG)) :]
    curie = _curie(term)
    if curie is not None:
        return curie.replace(":", "-")
    return "term-" + "".join(ch if ch.isalnum() else "-" for ch in text)


def ontology_page(graph: Graph, generator: str) -> str:
    """The documentation page of the ontology in `graph`, as HTML."""
    return "".join(_Page(graph, generator).render())


def _curie(term: URIRef) -> str | None:
    text = str(term)
    best = max(
        ((prefix, str(ns)) for prefix, ns in _PREFIXES.items() if text.startswith(str(ns))),
        key=lambda item: len(item[1]),
        default=None,
    )
    if best is None:
        return None
    local = text[len(best[1]) :]
    if local and all(ch.isalnum() or ch in "-_." for ch in local):
        return f"{best[0]}:{local}"
    return None


def _sort_key(graph: Graph, term: Node) -> tuple[str, str]:
    return ((label_of(graph, term) or "").casefold(), str(term))


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


class _Page:
    def __init__(self, graph: Graph, generator: str) -> None:
        self.graph = graph
        self.generator = generator
        self.terms = ontology_terms(graph)
        self.documented = set(self.terms.classes).union(
            *self.terms.properties.values(), self.terms.schemes, self._concepts()
        )

    # --- helpers --------------------------------------------------------------------------

    def _concepts(self) -> set[URIRef]:
        return {s for s in self.graph.subjects(SKOS.inScheme, None) if isinstance(s, URIRef)}

    def label(self, term: Node) -> str:
        found = label_of(self.graph, term)
        if found:
            return found
        if isinstance(term, URIRef):
            return _curie(term) or str(term)
        return str(term)

    def text(self, term: Node, *props: URIRef) -> str | None:
        values = [
            value
            for prop in props
            for value in self.graph.objects(term, prop)
            if isinstance(value, Literal)
        ]
        english = [v for v in values if (v.language or "en").lower().startswith("en")]
        chosen = sorted(english or values, key=str)
        return str(chosen[0]) if chosen else None

    def definition(self, term: Node) -> str | None:
        return self.text(term, SKOS.definition, RDFS.comment, DCTERMS.description)

    def sorted_terms(self, terms: Iterable[Node]) -> list[Node]:
        return sorted(set(terms), key=lambda term: _sort_key(self.graph, term))

    def link(self, term: Node) -> str:
        """A link to `term`: inside the page when documented here, else to its IRI."""
        if isinstance(term, BNode):
            return self.expression(term)
        if isinstance(term, Literal):
            return f"<code>{_esc(term)}</code>"
        assert isinstance(term, URIRef)
        shown = _esc(_curie(term) or str(term))
        if term in self.documented:
            return f'<a href="#{_esc(anchor(term))}" title="{_esc(term)}">{shown}</a>'
        return f'<a href="{_esc(term)}">{shown}</a>'

    def links(self, terms: Iterable[Node]) -> str:
        return ", ".join(self.link(term) for term in self.sorted_terms(terms))

    def expression(self, node: BNode) -> str:
        """An OWL class expression in words: `(p some C)`, `(A or B)`, ..."""
        g = self.graph
        on_property = g.value(node, OWL.onProperty)
        if on_property is not None:
            for prop, word in (
                (OWL.someValuesFrom, "some"),
                (OWL.allValuesFrom, "only"),
                (OWL.hasValue, "value"),
                (OWL.minCardinality, "min"),
                (OWL.maxCardinality, "max"),
                (OWL.cardinality, "exactly"),
                (OWL.qualifiedCardinality, "exactly"),
                (OWL.minQualifiedCardinality, "min"),
                (OWL.maxQualifiedCardinality, "max"),
            ):
                value = g.value(node, prop)
                if value is not None:
                    return f"({self.link(on_property)} {word} {self.link(value)})"
        for prop, word in (
            (OWL.unionOf, " or "),
            (OWL.intersectionOf, " and "),
            (OWL.oneOf, ", "),
        ):
            members = g.value(node, prop)
            if members is not None:
                parts = [self.link(m) for m in Collection(g, members)]
                return "(" + word.join(parts) + ")"
        complement = g.value(node, OWL.complementOf)
        if complement is not None:
            return f"(not {self.link(complement)})"
        return "(an anonymous class)"

    def facts(self, rows: Iterable[tuple[str, str]]) -> Iterator[str]:
        rows = [(name, value) for name, value in rows if value]
        if not rows:
            return
        yield '<dl class="facts">\n'
        for name, value in rows:
            yield f"<dt>{_esc(name)}</dt><dd>{value}</dd>\n"
        yield "</dl>\n"

    # --- the page -------------------------------------------------------------------------

    def render(self) -> Iterator[str]:
        g = self.graph
        ontology = next(
            (
                s
                for s in sorted(g.subjects(RDF.type, OWL.Ontology), key=str)
                if isinstance(s, URIRef)
            ),
            None,
        )
        title = (self.text(ontology, DCTERMS.title, RDFS.label) if ontology else None) or (
            "Ontology"
        )
        yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        yield f"<title>{_esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        yield f"<header>\n<h1>{_esc(title)}</h1>\n"
        if ontology is not None:
            yield from self.metadata(ontology)
        yield "</header>\n"
        yield from self.contents()
        yield from self.class_hierarchy()
        yield from self.classes()
        for key, title_, _kind in PROPERTY_KINDS:
            yield from self.properties(key, title_)
        yield from self.schemes()
        yield from self.namespaces()
        yield f"<footer><p>Generated from the ontology by {_esc(self.generator)}.</p></footer>\n"
        yield "</body>\n</html>\n"

    def metadata(self, ontology: URIRef) -> Iterator[str]:
        g = self.graph
        description = self.text(ontology, DCTERMS.description, RDFS.comment)
        if description:
            yield f"<p>{_esc(description)}</p>\n"
        yield from self.facts(
            [
                ("IRI", f"<code>{_esc(ontology)}</code>"),
                (
                    "Version IRI",
                    ", ".join(
                        f'<a href="{_esc(v)}">{_esc(v)}</a>'
                        for v in sorted(g.objects(ontology, OWL.versionIRI), key=str)
                    ),
                ),
                ("Version", _esc(self.text(ontology, OWL.versionInfo) or "")),
                ("Licence", self.links(g.objects(ontology, DCTERMS.license))),
                (
                    "Creator",
                    ", ".join(
                        _esc(c) for c in sorted(g.objects(ontology, DCTERMS.creator), key=str)
                    ),
                ),
                (
                    "Preferred prefix",
                    _esc(self.text(ontology, VANN.preferredNamespacePrefix) or ""),
                ),
                (
                    "Namespace",
                    f"<code>{_esc(self.text(ontology, VANN.preferredNamespaceUri) or '')}</code>"
                    if self.text(ontology, VANN.preferredNamespaceUri)
                    else "",
                ),
                ("See also", self.links(g.objects(ontology, RDFS.seeAlso))),
            ]
        )

    def contents(self) -> Iterator[str]:
        terms = self.terms
        yield "<nav>\n<h2>Contents</h2>\n<ul>\n"
        yield '<li><a href="#class-hierarchy">Class hierarchy</a></li>\n'
        yield f'<li><a href="#classes">Classes</a> ({len(terms.classes)})</li>\n'
        for key, title, _kind in PROPERTY_KINDS:
            yield f'<li><a href="#{key}">{title}</a> ({len(terms.properties[key])})</li>\n'
        yield f'<li><a href="#concept-schemes">Concept schemes</a> ({len(terms.schemes)})</li>\n'
        yield '<li><a href="#namespaces">Namespaces</a></li>\n</ul>\n</nav>\n'

    # --- classes --------------------------------------------------------------------------

    def named_superclasses(self, cls: URIRef) -> list[URIRef]:
        return [o for o in self.graph.objects(cls, RDFS.subClassOf) if isinstance(o, URIRef)]

    def class_hierarchy(self) -> Iterator[str]:
        classes = set(self.terms.classes)
        roots = [
            c
            for c in self.terms.classes
            if not any(parent in classes for parent in self.named_superclasses(c))
        ]
        yield '<section id="class-hierarchy">\n<h2>Class hierarchy</h2>\n'
        yield from self.class_tree(roots, classes, ())
        yield "</section>\n"

    def class_tree(
        self, classes: Iterable[Node], documented: set[URIRef], path: tuple[Node, ...]
    ) -> Iterator[str]:
        yield '<ul class="tree">\n'
        for cls in self.sorted_terms(classes):
            yield f"<li>{self.link(cls)} {_esc(self.label(cls))}"
            children = [
                c
                for c in self.graph.subjects(RDFS.subClassOf, cls)
                if c in documented and c not in path
            ]
            if children:
                yield "\n"
                yield from self.class_tree(children, documented, (*path, cls))
            yield "</li>\n"
        yield "</ul>\n"

    def classes(self) -> Iterator[str]:
        g = self.graph
        yield '<section id="classes">\n<h2>Classes</h2>\n'
        for cls in self.terms.classes:
            superclasses = list(g.objects(cls, RDFS.subClassOf))
            subclasses = [s for s in g.subjects(RDFS.subClassOf, cls) if isinstance(s, URIRef)]
            yield from self.article(cls, "class")
            yield from self.facts(
                [
                    ("Subclass of", self.links(superclasses)),
                    ("Superclass of", self.links(subclasses)),
                    ("Equivalent to", self.links(g.objects(cls, OWL.equivalentClass))),
                    ("Disjoint with", self.links(g.objects(cls, OWL.disjointWith))),
                    ("In the domain of", self.links(g.subjects(RDFS.domain, cls))),
                    ("In the range of", self.links(g.subjects(RDFS.range, cls))),
                    ("Instances", self.links(self.documented_instances(cls))),
                ]
            )
            yield "</article>\n"
        yield "</section>\n"

    def documented_instances(self, cls: URIRef) -> list[URIRef]:
        """Instances of `cls` that are concept schemes' concepts documented on this page."""
        return [
            s
            for s in self.graph.subjects(RDF.type, cls)
            if isinstance(s, URIRef) and s in self.documented and s not in self.terms.classes
        ]

    def article(self, term: URIRef, kind: str) -> Iterator[str]:
        curie = _curie(term)
        yield f'<article id="{_esc(anchor(term))}">\n'
        yield f'<h3>{_esc(self.label(term))} <span class="kind">{_esc(kind)}</span></h3>\n'
        shown = f"<code>{_esc(curie)}</code> · " if curie else ""
        yield f'<p class="iri">{shown}{_esc(term)}</p>\n'
        definition = self.definition(term)
        if definition:
            yield f'<p class="definition">{_esc(definition)}</p>\n'

    # --- properties -----------------------------------------------------------------------

    def properties(self, key: str, title: str) -> Iterator[str]:
        g = self.graph
        yield f'<section id="{key}">\n<h2>{_esc(title)}</h2>\n'
        for prop in self.terms.properties[key]:
            characteristics = [word for cls, word in CHARACTERISTICS if (prop, RDF.type, cls) in g]
            chains = [
                " ∘ ".join(self.link(step) for step in Collection(g, chain))
                for chain in g.objects(prop, OWL.propertyChainAxiom)
            ]
            yield from self.article(prop, _KIND_NAMES[key])
            yield from self.facts(
                [
                    ("Domain", self.links(g.objects(prop, RDFS.domain))),
                    ("Range", self.links(g.objects(prop, RDFS.range))),
                    ("Subproperty of", self.links(g.objects(prop, RDFS.subPropertyOf))),
                    (
                        "Superproperty of",
                        self.links(
                            s for s in g.subjects(RDFS.subPropertyOf, prop) if isinstance(s, URIRef)
                        ),
                    ),
                    (
                        "Inverse of",
                        self.links(
                            [*g.objects(prop, OWL.inverseOf), *g.subjects(OWL.inverseOf, prop)]
                        ),
                    ),
                    ("Characteristics", _esc(", ".join(characteristics))),
                    ("Property chain", "<br>".join(sorted(chains))),
                    ("Axioms", "<br>".join(self.axioms(prop))),
                ]
            )
            yield "</article>\n"
        yield "</section>\n"

    def axioms(self, prop: URIRef) -> list[str]:
        """General class axioms on restrictions of `prop`: `(prop some C) ⊑ D`."""
        g = self.graph
        found = []
        for restriction in g.subjects(OWL.onProperty, prop):
            if not isinstance(restriction, BNode):
                continue
            for superclass in g.objects(restriction, RDFS.subClassOf):
                found.append(
                    f"{self.expression(restriction)} is a subclass of {self.link(superclass)}"
                )
        return sorted(found)

    # --- concept schemes ------------------------------------------------------------------

    def schemes(self) -> Iterator[str]:
        g = self.graph
        yield '<section id="concept-schemes">\n<h2>Concept schemes</h2>\n'
        for scheme in self.terms.schemes:
            members = {c for c in g.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)} | {
                c for c in g.subjects(SKOS.topConceptOf, scheme) if isinstance(c, URIRef)
            }
            tops = set(g.objects(scheme, SKOS.hasTopConcept)) | set(
                g.subjects(SKOS.topConceptOf, scheme)
            )
            roots = {
                c
                for c in members
                if c in tops or not any(b in members for b in g.objects(c, SKOS.broader))
            }
            yield from self.article(scheme, "concept scheme")
            yield from self.facts([("Concepts", str(len(members)))])
            yield from self.concept_tree(roots, members, ())
            yield "</article>\n"
        yield "</section>\n"

    def concept_tree(
        self, concepts: Iterable[Node], members: set[URIRef], path: tuple[Node, ...]
    ) -> Iterator[str]:
        g = self.graph
        yield '<ul class="tree">\n'
        for concept in self.sorted_terms(concepts):
            assert isinstance(concept, URIRef)
            alt = sorted(str(a) for a in g.objects(concept, SKOS.altLabel))
            definition = self.definition(concept)
            yield f'<li id="{_esc(anchor(concept))}"><strong>{_esc(self.label(concept))}</strong>'
            yield f" <code>{_esc(_curie(concept) or concept)}</code>"
            if alt:
                yield f" <em>also: {_esc('; '.join(alt))}</em>"
            if definition:
                yield f'<br><span class="definition">{_esc(definition)}</span>'
            narrower = {
                c for c in g.subjects(SKOS.broader, concept) if c in members and c not in path
            } | {c for c in g.objects(concept, SKOS.narrower) if c in members and c not in path}
            if narrower:
                yield "\n"
                yield from self.concept_tree(narrower, members, (*path, concept))
            yield "</li>\n"
        yield "</ul>\n"

    # --- namespaces -----------------------------------------------------------------------

    def namespaces(self) -> Iterator[str]:
        used = {
            prefix
            for prefix, namespace in _PREFIXES.items()
            if any(str(term).startswith(str(namespace)) for term in self.documented)
        }
        yield '<section id="namespaces">\n<h2>Namespaces</h2>\n<dl class="facts">\n'
        for prefix in sorted(used):
            yield f"<dt>{_esc(prefix)}</dt><dd><code>{_esc(_PREFIXES[prefix])}</code></dd>\n"
        yield "</dl>\n</section>\n"
