"""The DCAT-AP 3 description of a release (catalog.ttl), for open-data portals.

It is written to conform to the official DCAT-AP 3.0.1 shapes: the mandatory constraints
(dcat-ap-SHACL.ttl) and the class ranges (ranges.ttl), which check the rdf:type of every
value. So every value is typed here: the licence as a dcterms:LicenseDocument, media types
as dcterms:MediaType, file types as dcterms:MediaTypeOrExtent, the endpoint as an
rdfs:Resource, and so on; each skos:Concept has a skos:prefLabel. The recommended
properties (shapes_recommended.ttl) are given where the data has them.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from coopgraph.publish.dumps import GZIP_MEDIA_TYPE, DumpFile
from coopgraph.publish.release import (
    CATALOG,
    CONTACT,
    DATASET,
    LICENSE,
    ONTOLOGY_DATASET,
    PUBLISHER,
    SPARQL_SERVICE,
    Release,
)

ADMS = Namespace("http://www.w3.org/ns/adms#")
# DCAT 3 (rdflib's closed DCAT namespace is DCAT 2, without dcat:version).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEMES = URIRef(EU_AUTHORITY + "data-theme")
STABLE = URIRef(EU_AUTHORITY + "planned-availability/STABLE")
ATTRIBUTION = URIRef("http://purl.org/adms/licencetype/Attribution")
SHA256 = SPDX.checksumAlgorithm_sha256
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")

PREFIXES = {
    "adms": ADMS,
    "dcat": DCAT,
    "dcatap": DCATAP,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "prov": PROV,
    "rdfs": RDFS,
    "skos": SKOS,
    "spdx": SPDX,
    "vcard": VCARD,
    "xsd": XSD,
}


def catalog_graph(release: Release) -> Graph:
    """The catalogue, the release's two datasets (graph and ontology), their distributions
    and the SPARQL service, as one graph."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    _Writer(graph, release).write()
    return graph


class _Writer:
    def __init__(self, graph: Graph, release: Release) -> None:
        self.graph = graph
        self.release = release
        self.text = release.text
        self.issued = Literal(release.date.isoformat(), datatype=XSD.date)

    def add(
        self, subject: URIRef | BNode, predicate: URIRef, obj: URIRef | BNode | Literal
    ) -> None:
        self.graph.add((subject, predicate, obj))

    def en(self, text: str) -> Literal:
        return Literal(text, lang="en")

    def write(self) -> None:
        self.catalog()
        self.dataset()
        self.ontology_dataset()
        self.service()
        self.shared_resources()

    # --- the catalogue -------------------------------------------------------------------

    def catalog(self) -> None:
        add, text = self.add, self.text
        add(CATALOG, RDF.type, DCAT.Catalog)
        add(CATALOG, DCTERMS.title, self.en(text.catalog_title))
        add(CATALOG, DCTERMS.description, self.en(text.catalog_description))
        add(CATALOG, DCTERMS.publisher, PUBLISHER)
        add(CATALOG, DCTERMS.license, LICENSE)
        add(CATALOG, DCTERMS.language, self.language)
        add(CATALOG, DCTERMS.issued, self.issued)
        add(CATALOG, DCTERMS.modified, self.issued)
        add(CATALOG, FOAF.homepage, self.release.index_page)
        add(CATALOG, DCAT.themeTaxonomy, DATA_THEMES)
        add(CATALOG, DCAT.dataset, DATASET)
        add(CATALOG, DCAT.dataset, ONTOLOGY_DATASET)
        add(CATALOG, DCAT.service, SPARQL_SERVICE)
        for location in self.locations():
            add(CATALOG, DCTERMS.spatial, location)

    # --- the graph ---------------------------------------------------------------------------

    def dataset(self) -> None:
        add, text, release = self.add, self.text, self.release
        self.common_dataset(DATASET, text.title, text.description)
        for keyword in release.keywords:
            add(DATASET, DCAT.keyword, self.en(keyword))
        for location in self.locations():
            add(DATASET, DCTERMS.spatial, location)
        if release.coverage.start is not None and release.coverage.end is not None:
            period = BNode("temporal")
            add(DATASET, DCTERMS.temporal, period)
            add(period, RDF.type, DCTERMS.PeriodOfTime)
            add(period, DCAT.startDate, release.coverage.start)
            add(period, DCAT.endDate, release.coverage.end)
        statement = BNode("provenance")
        add(DATASET, DCTERMS.provenance, statement)
        add(statement, RDF.type, DCTERMS.ProvenanceStatement)
        add(statement, RDFS.label, self.en(self.provenance_text()))
        activity = BNode("activity")
        add(DATASET, PROV.wasGeneratedBy, activity)
        add(activity, RDF.type, PROV.Activity)
        add(activity, RDFS.label, self.en(f"coopgraph publish {release.version}"))
        for dump in release.dumps:
            self.distribution(DATASET, dump, "the whole graph")

    def ontology_dataset(self) -> None:
        add, text = self.add, self.text
        self.common_dataset(ONTOLOGY_DATASET, text.ontology_title, text.ontology_description)
        for keyword in ("ontology", "OWL", "SKOS", *text.keywords[:1]):
            add(ONTOLOGY_DATASET, DCAT.keyword, self.en(keyword))
        add(ONTOLOGY_DATASET, FOAF.page, self.release.url("ontology.html"))
        for dump in self.release.ontology_dumps:
            self.distribution(ONTOLOGY_DATASET, dump, "the ontology")

    def common_dataset(self, dataset: URIRef, title: str, description: str) -> None:
        add, release = self.add, self.release
        add(dataset, RDF.type, DCAT.Dataset)
        add(dataset, DCTERMS.title, self.en(title))
        add(dataset, DCTERMS.description, self.en(description))
        add(dataset, DCTERMS.identifier, Literal(str(dataset)))
        add(dataset, DCTERMS.publisher, PUBLISHER)
        add(dataset, DCAT.contactPoint, CONTACT)
        add(dataset, DCTERMS.issued, self.issued)
        add(dataset, DCTERMS.modified, self.issued)
        add(dataset, DCAT.version, Literal(release.version))
        add(dataset, DCTERMS.language, self.language)
        add(dataset, DCAT.landingPage, release.index_page)
        add(dataset, DCTERMS.accessRights, self.public_access)
        for theme in self.themes():
            add(dataset, DCAT.theme, theme)
        if release.previous_version is not None:
            add(dataset, ADMS.versionNotes, self.en(self.version_notes()))

    def distribution(self, dataset: URIRef, dump: DumpFile, what: str) -> None:
        add, fmt = self.add, dump.format
        node = URIRef(f"{dataset}/distribution/{fmt.key}")
        url = self.release.url(dump.name)
        compressed = ", gzip-compressed" if fmt.gzip else ""
        add(dataset, DCAT.distribution, node)
        add(node, RDF.type, DCAT.Distribution)
        add(node, DCTERMS.title, self.en(f"{dump.name} ({fmt.label}{compressed})"))
        add(node, DCTERMS.description, self.en(self.distribution_text(dump, what)))
        add(node, DCAT.downloadURL, url)
        add(node, DCAT.accessURL, url)
        add(node, DCAT.mediaType, fmt.media_type_iri)
        add(fmt.media_type_iri, RDF.type, DCTERMS.MediaType)
        add(node, DCTERMS.format, fmt.file_type_iri)
        add(fmt.file_type_iri, RDF.type, DCTERMS.MediaTypeOrExtent)
        if fmt.gzip:
            add(node, DCAT.compressFormat, GZIP_MEDIA_TYPE)
            add(GZIP_MEDIA_TYPE, RDF.type, DCTERMS.MediaType)
        add(node, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger))
        checksum = BNode(f"checksum-{dataset.rsplit('/', 1)[-1]}-{fmt.key}")
        add(node, SPDX.checksum, checksum)
        add(checksum, RDF.type, SPDX.Checksum)
        add(checksum, SPDX.algorithm, SHA256)
        add(checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary))
        add(node, DCTERMS.license, LICENSE)
        add(node, DCATAP.availability, STABLE)
        add(node, DCTERMS.issued, self.issued)

    # --- the SPARQL endpoint -------------------------------------------------------------------

    def service(self) -> None:
        add, text, release = self.add, self.text, self.release
        endpoint = release.sparql_endpoint
        add(SPARQL_SERVICE, RDF.type, DCAT.DataService)
        add(SPARQL_SERVICE, DCTERMS.title, self.en(text.service_title))
        add(SPARQL_SERVICE, DCTERMS.description, self.en(text.service_description))
        add(SPARQL_SERVICE, DCAT.endpointURL, endpoint)
        # A SPARQL 1.1 service describes itself at its endpoint address (Service Description).
        add(SPARQL_SERVICE, DCAT.endpointDescription, endpoint)
        add(endpoint, RDF.type, RDFS.Resource)
        add(SPARQL_SERVICE, DCAT.servesDataset, DATASET)
        add(SPARQL_SERVICE, DCTERMS.conformsTo, SPARQL_PROTOCOL)
        add(SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard)
        add(SPARQL_PROTOCOL, DCTERMS.title, self.en("SPARQL 1.1 Protocol"))
        add(SPARQL_SERVICE, DCTERMS.publisher, PUBLISHER)
        add(SPARQL_SERVICE, DCAT.contactPoint, CONTACT)
        add(SPARQL_SERVICE, DCTERMS.license, LICENSE)
        add(SPARQL_SERVICE, DCTERMS.accessRights, self.public_access)
        add(SPARQL_SERVICE, DCAT.landingPage, release.index_page)
        for keyword in ("SPARQL", *text.keywords[:1]):
            add(SPARQL_SERVICE, DCAT.keyword, self.en(keyword))
        for theme in self.themes():
            add(SPARQL_SERVICE, DCAT.theme, theme)

    # --- the resources the descriptions share --------------------------------------------------

    def shared_resources(self) -> None:
        add, text = self.add, self.text
        add(PUBLISHER, RDF.type, FOAF.Agent)
        add(PUBLISHER, FOAF.name, self.en(text.publisher_name))
        publisher_type = URIRef(text.publisher_type)
        add(PUBLISHER, DCTERMS.type, publisher_type)
        self.concept(publisher_type, text.publisher_type_label)

        add(CONTACT, RDF.type, VCARD.Kind)
        add(CONTACT, RDF.type, VCARD.Organization)
        add(CONTACT, VCARD.fn, Literal(text.publisher_name))
        add(CONTACT, VCARD.hasURL, self.release.index_page)
        if text.contact_email:
            add(CONTACT, VCARD.hasEmail, URIRef(f"mailto:{text.contact_email}"))

        add(LICENSE, RDF.type, DCTERMS.LicenseDocument)
        add(LICENSE, RDFS.label, self.en("Creative Commons Attribution 4.0 International"))
        add(LICENSE, DCTERMS.type, ATTRIBUTION)
        self.concept(ATTRIBUTION, "Attribution")

        add(self.language, RDF.type, DCTERMS.LinguisticSystem)
        add(self.release.index_page, RDF.type, FOAF.Document)
        add(self.release.url("ontology.html"), RDF.type, FOAF.Document)

        add(DATA_THEMES, RDF.type, SKOS.ConceptScheme)
        add(DATA_THEMES, DCTERMS.title, self.en("Data theme"))
        for code, label in text.themes:
            theme = URIRef(f"{DATA_THEMES}/{code}")
            self.concept(theme, label)
            add(theme, SKOS.inScheme, DATA_THEMES)
        self.concept(STABLE, "stable")
        self.concept(self.public_access, "public")
        add(self.public_access, RDF.type, DCTERMS.RightsStatement)
        add(SHA256, RDF.type, SPDX.ChecksumAlgorithm)

        for place in self.release.coverage.places:
            add(place.location, RDF.type, DCTERMS.Location)
            add(place.location, SKOS.prefLabel, self.en(place.label))
            for other in place.same_as:
                add(place.location, SKOS.exactMatch, other)

    def concept(self, iri: URIRef, label: str) -> None:
        self.add(iri, RDF.type, SKOS.Concept)
        self.add(iri, SKOS.prefLabel, self.en(label))

    # --- values and texts -------------------------------------------------------------------

    @property
    def language(self) -> URIRef:
        return URIRef(f"{EU_AUTHORITY}language/{self.text.language}")

    @property
    def public_access(self) -> URIRef:
        return URIRef(EU_AUTHORITY + "access-right/PUBLIC")

    def themes(self) -> list[URIRef]:
        return [URIRef(f"{DATA_THEMES}/{code}") for code, _label in self.text.themes]

    def locations(self) -> list[URIRef]:
        return sorted({place.location for place in self.release.coverage.places})

    def provenance_text(self) -> str:
        sources = "; ".join(self.release.source_titles) or "the source documents"
        return (
            f"Facts taken from {sources}. Every instrument, participation and provision cites "
            "the source section it was taken from (cg:sourceSection). The data is checked "
            "against coopgraph's SHACL shapes before it is published. The entailments named "
            "graph holds the OWL 2 RL closure of the ontology and data, computed with owlrl; "
            f"the release was written by coopgraph {self.release.version}."
        )

    def version_notes(self) -> str:
        return (
            f"Changes since release {self.release.previous_version}: see "
            f"{self.release.url('changes.md')}."
        )

    def distribution_text(self, dump: DumpFile, what: str) -> str:
        fmt = dump.format
        graphs = (
            "with the ontology, the data and the OWL 2 RL entailments in separate named graphs"
            if fmt.rdf.quads
            else "with the ontology, the data and the OWL 2 RL entailments merged"
        )
        if what == "the ontology":
            graphs = "the OWL ontology and its SKOS concept schemes"
        extra = {
            "nt": " One triple per line, lines sorted, so that releases can be compared line by "
            "line.",
            "nquads": " One quad per line, lines sorted.",
            "jsonld": " Compacted with the coopgraph JSON-LD context (context.jsonld).",
        }.get(fmt.key, "")
        compressed = " Compressed with gzip." if fmt.gzip else ""
        return f"{what.capitalize()} in {fmt.label}, {graphs}.{extra}{compressed}"
