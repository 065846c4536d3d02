"""A release of the graph: what it is called, who publishes it, where it is served, which
files it holds. The catalogue (DCAT-AP), the VoID description and the index page are all
written from one `Release` value, so they cannot disagree.

The version is the package's (`coopgraph.__version__`, from pyproject.toml); the release date
is given when publishing. The dataset, catalogue, service and distribution IRIs are
persistent (the same in every release, under https://w3id.org/coopgraph/), so a portal that
harvests a new release updates its record instead of adding another one; the download
addresses are under the release's base URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from rdflib import URIRef

from coopgraph.errors import CoopgraphError
from coopgraph.model.namespaces import BASE, ID
from coopgraph.publish.coverage import Coverage
from coopgraph.publish.dumps import DumpFile

DEFAULT_BASE_URL = "https://w3id.org/coopgraph/release/{version}"

CATALOG = URIRef(BASE + "catalog")
DATASET = URIRef(BASE + "dataset")
ONTOLOGY_DATASET = URIRef(BASE + "dataset/ontology")
SPARQL_SERVICE = URIRef(BASE + "service/sparql")
PUBLISHER = URIRef(BASE + "publisher")
CONTACT = URIRef(BASE + "contact")
URI_SPACE = ID
WIKIDATA_DATASET = URIRef("https://www.wikidata.org/")
WIKIDATA_LINKSET = URIRef(BASE + "dataset/linkset/wikidata")

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class ReleaseText:
    """The words and names a release is described with. One place to edit them."""

    title: str = "coopgraph: cooperation against trafficking in persons"
    description: str = (
        "A knowledge graph of the agreements and arrangements (bilateral and multilateral "
        "agreements, conventions, memoranda of understanding, declarations, model agreements, "
        "treaty provisions and regional processes) by which States and organisations cooperate "
        "against trafficking in persons: who takes part in each and in what role, when, and "
        "which forms of police and judicial cooperation each provides for, with the source "
        "section of every fact. Published with its OWL ontology and SKOS concept schemes, and "
        "with the OWL 2 RL entailments in a named graph of their own."
    )
    ontology_title: str = "coopgraph ontology"
    ontology_description: str = (
        "The OWL ontology and SKOS concept schemes (cooperation modalities, participation "
        "roles, crime types, target groups) of the coopgraph knowledge graph."
    )
    catalog_title: str = "coopgraph catalogue"
    catalog_description: str = (
        "The releases of the coopgraph knowledge graph of cooperation against trafficking in "
        "persons: the graph, its ontology and its SPARQL endpoint."
    )
    service_title: str = "coopgraph SPARQL endpoint"
    service_description: str = (
        "A SPARQL 1.1 endpoint over the coopgraph knowledge graph: the ontology, the data and "
        "the OWL 2 RL entailments, each in its own named graph; the default graph is their "
        "union."
    )
    publisher_name: str = "coopgraph developers"
    # The contact point's e-mail address (`publish --contact`); None: none is written.
    contact_email: str | None = None
    # ADMS publisher type; change it if the publisher is of another kind.
    publisher_type: str = "http://purl.org/adms/publishertype/NonProfitOrganisation"
    publisher_type_label: str = "Non-Profit Organisation"
    keywords: tuple[str, ...] = (
        "trafficking in persons",
        "human trafficking",
        "international cooperation",
        "linked data",
    )
    # EU data themes (http://publications.europa.eu/resource/authority/data-theme).
    themes: tuple[tuple[str, str], ...] = (
        ("JUST", "Justice, legal system and public safety"),
        ("INTR", "International issues"),
    )
    language: str = "ENG"


@dataclass(frozen=True)
class Release:
    """Everything the descriptions of one release say."""

    version: str
    date: date
    base_url: str
    dumps: tuple[DumpFile, ...]
    ontology_dumps: tuple[DumpFile, ...]
    coverage: Coverage
    keywords: tuple[str, ...]
    source_titles: tuple[str, ...]
    previous_version: str | None = None
    text: ReleaseText = field(default_factory=ReleaseText)

    def url(self, name: str) -> URIRef:
        """The address of the file `name` of this release."""
        return URIRef(f"{self.base_url}/{name}")

    @property
    def sparql_endpoint(self) -> URIRef:
        return URIRef(f"{self.base_url}/sparql")

    @property
    def index_page(self) -> URIRef:
        return self.url("index.html")


def checked_base_url(url: str) -> str:
    """`url` without a trailing slash, if it is an absolute http(s) URL; else an error."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CoopgraphError(
            f"the base URL {url!r} is not an absolute http:// or https:// URL",
            hint="give the address the release will be served from, "
            "e.g. --base-url https://example.org/coopgraph/0.1.0",
        )
    if parts.query or parts.fragment:
        raise CoopgraphError(
            f"the base URL {url!r} has a query or a fragment",
            hint="give the folder address alone, e.g. https://example.org/coopgraph/0.1.0",
        )
    if any(ch.isspace() or ch in '<>"{}|\\^`' for ch in url):
        raise CoopgraphError(
            f"the base URL {url!r} has characters an IRI cannot hold",
            hint="percent-encode spaces and quotes in the address",
        )
    return url.rstrip("/")
