"""Generate a synthetic coopgraph data set of any size, deterministically from a seed.

The data has the project's shape and is valid against its shapes (no violations; a few
undated instruments give warnings, as real sources do):

- every current ISO 3166-1 State (pycountry) and every former one (ISO 3166-3), with the
  successor States the ISO 3166-3 code names or that are well known, and a few dated names;
- regional and global organisations with their member States (org:Membership), and national
  agencies and offices that conclude instruments for their States;
- instruments of every type: mostly bilateral agreements and memoranda, some regional
  multilateral agreements, conventions and memoranda with tens of parties, declarations,
  model texts, treaty provisions and regional consultative processes with counted groups;
- dates at mixed precision (day, month, year), modalities, crimes and target groups from the
  bundled schemes, provisions covering modalities, participations in every role, lineage
  links, meetings, documents and source sections.

    python benchmarks/generate.py --size 100k --output /tmp/cg-100k.ttl
    python benchmarks/generate.py --size 1m --seed 7 --output /tmp/cg-1m.nt
    python benchmarks/generate.py --size 100k --output /tmp/cg-100k/     # one file per concern

`--size` is approximate (the generator stops at the first instrument past it). The output
format follows the suffix: .ttl (Turtle) or .nt (N-Triples); a path without one of these
suffixes is a folder, written with one file per concern and the instruments split into
files of `--per-file` instruments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pycountry
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SKOS

from coopgraph.model import resources

# --- Terms -------------------------------------------------------------------------------

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "cg": "https://w3id.org/coopgraph/def/",
    "state": "https://w3id.org/coopgraph/id/state/",
    "orgn": "https://w3id.org/coopgraph/id/organisation/",
    "inst": "https://w3id.org/coopgraph/id/instrument/",
    "part": "https://w3id.org/coopgraph/id/participation/",
    "art": "https://w3id.org/coopgraph/id/provision/",
    "modality": "https://w3id.org/coopgraph/id/modality/",
    "role": "https://w3id.org/coopgraph/id/role/",
    "scope": "https://w3id.org/coopgraph/id/scope/",
    "src": "https://w3id.org/coopgraph/id/source/",
    "event": "https://w3id.org/coopgraph/id/event/",
    "mship": "https://w3id.org/coopgraph/id/membership/",
    "name": "https://w3id.org/coopgraph/id/state-name/",
    "act": "https://w3id.org/coopgraph/id/act/",
    "nature": "https://w3id.org/coopgraph/id/legal-nature/",
    "content": "https://w3id.org/coopgraph/id/content-status/",
}
PYCOUNTRY = "<https://pypi.org/project/pycountry/>"
_SAFE_LOCAL = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


class Term(str):
    """A term in Turtle syntax with prefixed names: `cg:State`, `"x"@en`, `"2005"^^xsd:gYear`."""


def iri(prefix: str, local: str) -> Term:
    if not _SAFE_LOCAL.match(local):
        raise ValueError(f"unsafe local name {local!r}")
    return Term(f"{prefix}:{local}")


def full_iri(value: str) -> Term:
    return Term(f"<{value}>")


def text(value: str, lang: str = "en") -> Term:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return Term(f'"{escaped}"@{lang}')


def plain(value: str) -> Term:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return Term(f'"{escaped}"')


def typed(value: str, datatype: str) -> Term:
    return Term(f'"{value}"^^xsd:{datatype}')


def integer(value: int) -> Term:
    return Term(str(value))


A = Term("a")
_PREFIXED = re.compile(r"^([a-z]+):([A-Za-z][A-Za-z0-9_-]*)$")
_TYPED = re.compile(r'^(".*")\^\^xsd:(\w+)$')


def to_ntriples(term: Term) -> str:
    """`term` in N-Triples syntax."""
    if term == "a":
        return "<" + PREFIXES["rdf"] + "type>"
    first = term[0]
    if first == "<":
        return term
    if first == '"':
        if term.endswith('"') or '"@' in term[-8:]:
            return term
        match = _TYPED.match(term)
        assert match is not None, term
        return f"{match.group(1)}^^<{PREFIXES['xsd']}{match.group(2)}>"
    if first.isdigit():
        return f'"{term}"^^<{PREFIXES["xsd"]}integer>'
    match = _PREFIXED.match(term)
    assert match is not None, term
    return f"<{PREFIXES[match.group(1)]}{match.group(2)}>"


# --- Output ------------------------------------------------------------------------------


class Writer:
    """Writes subject blocks as Turtle or N-Triples."""

    def __init__(self, stream: TextIO, fmt: str) -> None:
        self.stream = stream
        self.fmt = fmt
        if fmt == "turtle":
            stream.write("# Synthetic coopgraph data: benchmarks/generate.py\n")
            for prefix, namespace in PREFIXES.items():
                stream.write(f"@prefix {prefix}: <{namespace}> .\n")
            stream.write("\n")

    def block(self, subject: Term, pairs: Sequence[tuple[Term, Term]]) -> None:
        if self.fmt == "turtle":
            lines = [f"{subject} {pairs[0][0]} {pairs[0][1]}"]
            lines += [f"    {p} {o}" for p, o in pairs[1:]]
            self.stream.write(" ;\n".join(lines) + " .\n")
        else:
            s = to_ntriples(subject)
            self.stream.write(
                "".join(f"{s} {to_ntriples(p)} {to_ntriples(o)} .\n" for p, o in pairs)
            )


class Sink:
    """Where each concern's blocks go; counts the triples written."""

    triples = 0

    def writer(self, concern: str, instrument: int) -> Writer:
        raise NotImplementedError


class FileSink(Sink):
    """Everything in one file."""

    def __init__(self, writer: Writer) -> None:
        self.one = writer

    def writer(self, concern: str, instrument: int) -> Writer:
        return self.one


class FolderSink(Sink):
    """One Turtle file per concern, instruments split into files of `per_file` instruments."""

    CONCERNS = ("sources", "states", "organisations", "activities")

    def __init__(self, folder: Path, per_file: int) -> None:
        self.folder = folder
        self.per_file = per_file
        self.handles: list[TextIO] = []
        self.writers = {name: self._open(f"{name}.ttl") for name in self.CONCERNS}
        self.chunk = -1
        self.chunk_writer: Writer | None = None

    def _open(self, name: str) -> Writer:
        handle = (self.folder / name).open("w", encoding="utf-8")
        self.handles.append(handle)
        return Writer(handle, "turtle")

    def writer(self, concern: str, instrument: int) -> Writer:
        if concern in self.writers:
            return self.writers[concern]
        chunk = max(0, instrument - 1) // self.per_file
        if chunk != self.chunk or self.chunk_writer is None:
            if self.chunk_writer is not None:
                self.chunk_writer.stream.close()
            self.chunk = chunk
            self.chunk_writer = self._open(f"instruments-{chunk + 1:04d}.ttl")
        return self.chunk_writer

    def close(self) -> None:
        for handle in self.handles:
            if not handle.closed:
                handle.close()


# --- Reference data ----------------------------------------------------------------------

CONTINENTS = {
    "africa": "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS "
    "LR LY MG MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM "
    "ZW IO TF",
    "europe": "AL AD AT BY BE BA BG HR CY CZ DK EE FO FI FR DE GI GR GG HU IS IE IM IT JE LV LI "
    "LT LU MT MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB VA AX",
    "asia": "AF AM AZ BH BD BT BN KH CN GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM "
    "NP KP OM PK PS PH QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE",
    "americas": "AI AG AR AW BS BB BZ BM BO BQ BR VG CA KY CL CO CR CU CW DM DO EC SV FK GF GL GD "
    "GP GT GY HT HN JM MQ MX MS NI PA PY PE PR BL KN LC MF PM VC SX SR TT TC US UM UY VI VE",
    "oceania": "AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF CX CC "
    "HM AQ BV GS",
}

# (IRI local name, label, abbreviation or None, class, members: alpha-2 codes or a rule)
REGIONAL_ORGANISATIONS = (
    (
        "european-union",
        "European Union",
        "EU",
        "IntergovernmentalOrganisation",
        "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE",
    ),
    (
        "ecowas",
        "Economic Community of West African States",
        "ECOWAS",
        "RegionalEconomicCommunity",
        "BJ BF CV CI GM GH GN GW LR ML NE NG SN SL TG",
    ),
    (
        "eccas",
        "Economic Community of Central African States",
        "ECCAS",
        "RegionalEconomicCommunity",
        "AO BI CM CF TD CG CD GQ GA ST RW",
    ),
    (
        "sadc",
        "Southern African Development Community",
        "SADC",
        "RegionalEconomicCommunity",
        "AO BW KM CD SZ LS MG MW MU MZ NA SC ZA TZ ZM ZW",
    ),
    (
        "asean",
        "Association of Southeast Asian Nations",
        "ASEAN",
        "IntergovernmentalOrganisation",
        "BN KH ID LA MY MM PH SG TH VN",
    ),
    (
        "saarc",
        "South Asian Association for Regional Cooperation",
        "SAARC",
        "IntergovernmentalOrganisation",
        "AF BD BT IN MV NP PK LK",
    ),
    (
        "gcc",
        "Gulf Cooperation Council",
        "GCC",
        "IntergovernmentalOrganisation",
        "BH KW OM QA SA AE",
    ),
    (
        "cis",
        "Commonwealth of Independent States",
        "CIS",
        "IntergovernmentalOrganisation",
        "AM AZ BY KZ KG MD RU TJ UZ",
    ),
    (
        "mercosur",
        "Southern Common Market",
        "MERCOSUR",
        "RegionalEconomicCommunity",
        "AR BR PY UY BO",
    ),
    (
        "pacific-islands-forum",
        "Pacific Islands Forum",
        "PIF",
        "IntergovernmentalOrganisation",
        "AU CK FJ PF KI MH FM NR NC NZ NU PW PG WS SB TO TV VU",
    ),
    (
        "league-of-arab-states",
        "League of Arab States",
        "LAS",
        "IntergovernmentalOrganisation",
        "DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE",
    ),
    (
        "african-union",
        "African Union",
        "AU",
        "IntergovernmentalOrganisation",
        "continent:africa -RE -YT -SH -IO -TF -EH",
    ),
    (
        "oas",
        "Organization of American States",
        "OAS",
        "IntergovernmentalOrganisation",
        "AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC "
        "VC SR TT US UY VE",
    ),
    (
        "council-of-europe",
        "Council of Europe",
        "CoE",
        "IntergovernmentalOrganisation",
        "continent:europe -BY -RU -VA -FO -GI -GG -IM -JE -SJ -AX",
    ),
    (
        "osce",
        "OSCE",
        None,
        "IntergovernmentalOrganisation",
        "continent:europe -FO -GI -GG -IM -JE -SJ -AX US CA KZ KG TJ TM UZ MN",
    ),
    ("interpol", "INTERPOL", None, "IntergovernmentalOrganisation", "all"),
)
# Global bodies without memberships here: facilitators, drafters, channels, partners.
GLOBAL_ORGANISATIONS = (
    ("unodc", "UNODC", "IntergovernmentalOrganisation"),
    ("unicef", "UNICEF", "IntergovernmentalOrganisation"),
    ("unicri", "UNICRI", "IntergovernmentalOrganisation"),
    ("iom", "International Organization for Migration", "IntergovernmentalOrganisation"),
    ("ilo", "International Labour Organization", "IntergovernmentalOrganisation"),
    ("unhcr", "UNHCR", "IntergovernmentalOrganisation"),
    ("europol", "Europol", "IntergovernmentalOrganisation"),
    ("eurojust", "Eurojust", "IntergovernmentalOrganisation"),
    ("child-focus", "Child Focus", "CivilSocietyOrganisation"),
    ("la-strada", "La Strada International", "CivilSocietyOrganisation"),
    ("anti-slavery", "Anti-Slavery International", "CivilSocietyOrganisation"),
    ("ircp", "Institute for International Research on Criminal Policy", "ResearchOrganisation"),
    ("icmpd", "International Centre for Migration Policy Development", "ResearchOrganisation"),
)

# ISO 3166-3 codes whose last two letters do not name the successor(s) (split or ambiguous).
KNOWN_SUCCESSORS = {
    "ANHH": ("BES", "CUW", "SXM"),
    "BYAA": ("BLR",),
    "CSHH": ("CZE", "SVK"),
    "CSXX": ("SRB", "MNE"),
    "FQHH": ("ATA", "ATF"),
    "GEHH": ("KIR", "TUV"),
    "NTHH": ("SAU", "IRQ"),
    "PCHH": ("FSM", "MHL", "MNP", "PLW"),
    "SUHH": (
        "ARM",
        "AZE",
        "BLR",
        "EST",
        "GEO",
        "KAZ",
        "KGZ",
        "LVA",
        "LTU",
        "MDA",
        "RUS",
        "TJK",
        "TKM",
        "UKR",
        "UZB",
    ),
    "YUCS": ("SCG",),
}

# Current States with a dated former name: (alpha-3, former name, last month of its use).
RENAMED_STATES = (
    ("MKD", "the former Yugoslav Republic of Macedonia", "2019-02"),
    ("SWZ", "Swaziland", "2018-04"),
    ("CZE", "Czech Republic", "2016-05"),
    ("TUR", "Turkey", "2022-06"),
    ("CPV", "Cape Verde", "2013-10"),
    ("LKA", "Ceylon", "1972-05"),
    ("BFA", "Upper Volta", "1984-08"),
    ("BEN", "Dahomey", "1975-11"),
)

# (class, share of instruments, IRI stem). Registers of treaties are overwhelmingly bilateral:
# multilateral agreements with parties are 2 % here (about their share in the UN Treaty
# Series), regional ones with tens of parties; declarations, model texts, treaty provisions
# and consultative processes make up most of the rest.
# What each kind of instrument is in law (cg:legalNature), and the act each role states
# (cg:act): a State is a party only of a binding treaty, by an act of consent.
LEGAL_NATURES = {
    "BilateralMemorandumOfUnderstanding": "non-binding-arrangement",
    "MultilateralMemorandumOfUnderstanding": "non-binding-arrangement",
    "Declaration": "declaration",
    "ModelAgreement": "model",
    "ModelProtocol": "model",
    "RegionalConsultativeProcess": "process",
}
ACTS = {
    "party": "contracting-party",
    "signatory": "signature",
    "contractingAuthority": "signature",
    "observer": "observation",
    "participatingState": "attendance",
    "eligibleMembersOf": "eligibility-by-membership",
}

ROLES = (
    *ACTS,
    "facilitator",
    "technicalAssistanceProvider",
    "drafter",
    "convener",
    "cooperationChannel",
    "implementationPartner",
)

KINDS = (
    ("BilateralAgreement", 0.58, "bilateral-agreement"),
    ("BilateralMemorandumOfUnderstanding", 0.376, "bilateral-mou"),
    ("MultilateralAgreement", 0.008, "multilateral-agreement"),
    ("Convention", 0.004, "convention"),
    ("Treaty", 0.003, "treaty"),
    ("MultilateralMemorandumOfUnderstanding", 0.005, "multilateral-mou"),
    ("Declaration", 0.012, "declaration"),
    ("ModelAgreement", 0.002, "model-agreement"),
    ("ModelProtocol", 0.002, "model-protocol"),
    ("TreatyProvision", 0.004, "treaty-provision"),
    ("RegionalConsultativeProcess", 0.004, "process"),
)
TOPICS = (
    "Police Cooperation",
    "Cooperation against Trafficking in Persons",
    "Mutual Legal Assistance in Criminal Matters",
    "Extradition",
    "Cooperation in Combating Organized Crime",
    "Protection of Child Victims of Trafficking",
    "Border Security Cooperation",
    "Exchange of Information on Transnational Crime",
    "Readmission and Return",
    "Cooperation between Prosecution Services",
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass
class StateInfo:
    local: str  # IRI local name (alpha-3)
    label: str
    alpha2: str
    continent: str
    former: bool = False
    until_year: int | None = None  # the last year a former State existed
    agencies: dict[str, str] = field(default_factory=dict)  # kind -> organisation local name


@dataclass
class Organisation:
    local: str
    label: str
    members: list[str]  # State local names


@dataclass
class Schemes:
    modalities: list[str]
    crimes: list[str]
    target_groups: list[str]


def load_schemes() -> Schemes:
    """The concepts of the bundled schemes, sorted, as local names."""
    graph = Graph()
    for path in resources.ontology_files():
        graph.parse(path, format="turtle")
    base = "https://w3id.org/coopgraph/id/"

    def concepts(scheme: str, namespace: str) -> list[str]:
        found = {
            str(concept)[len(base + namespace) :]
            for concept in graph.subjects(SKOS.inScheme, URIRef(base + "scheme/" + scheme))
            if (concept, RDF.type, None) in graph
        }
        return sorted(found)

    return Schemes(
        concepts("modalities", "modality/"),
        concepts("crimes", "scope/"),
        concepts("target-groups", "scope/"),
    )


# --- The generator -----------------------------------------------------------------------


class Generator:
    def __init__(self, seed: int, target: int, sink: Sink) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.target = target
        self.sink = sink
        self.schemes = load_schemes()
        self.states: dict[str, StateInfo] = {}
        self.current: list[str] = []
        self.former: list[str] = []
        self.by_continent: dict[str, list[str]] = {}
        self.organisations: list[Organisation] = []
        self.global_orgs: list[str] = []
        self.instruments: list[str] = []
        self.treaties: list[str] = []
        self.treaty_titles: dict[str, int] = {}
        self.treaty_sections: dict[str, Term] = {}
        self.sections = 0
        self.section: Term = iri("src", "register-states")
        self.count = 0
        self.documents = 0
        self.meetings = 0
        self.agency_labels: dict[str, str] = {}
        self.cumulative: list[float] = []

    @property
    def triples(self) -> int:
        return self.sink.triples

    def emit(self, concern: str, subject: Term, pairs: list[tuple[Term, Term]]) -> None:
        self.sink.writer(concern, self.count).block(subject, pairs)
        self.sink.triples += len(pairs)

    # --- Sources -------------------------------------------------------------------------

    def sources(self) -> None:
        document = iri("src", "synthetic-register")
        self.emit(
            "sources",
            document,
            [
                (A, iri("cg", "SourceDocument")),
                (iri("rdfs", "label"), text(f"Synthetic treaty register (seed {self.seed})")),
                (iri("dcterms", "title"), text(f"Synthetic treaty register (seed {self.seed})")),
                (iri("dcterms", "identifier"), plain(f"synthetic-register-{self.seed}")),
            ],
        )
        for local, title in (
            ("register-states", "Register of States"),
            ("register-organisations", "Register of organisations"),
            ("register-activities", "Register of meetings"),
        ):
            self.section_block(iri("src", local), title)

    def section_block(self, section: Term, title: str) -> None:
        self.emit(
            "sources",
            section,
            [
                (A, iri("cg", "SourceSection")),
                (iri("dcterms", "isPartOf"), iri("src", "synthetic-register")),
                (iri("rdfs", "label"), text(f"Synthetic treaty register, {title}")),
                (iri("dcterms", "title"), text(title)),
            ],
        )

    def next_section(self) -> Term:
        """A new source section every 40 instruments."""
        if self.count % 40 == 0:
            self.sections += 1
            self.section = iri("src", f"register-part-{self.sections:05d}")
            self.section_block(self.section, f"Part {self.sections}")
        return self.section

    # --- States --------------------------------------------------------------------------

    def states_block(self) -> None:
        continent_of = {code: name for name, codes in CONTINENTS.items() for code in codes.split()}
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
            label = getattr(country, "common_name", None) or country.name
            info = StateInfo(
                country.alpha_3,
                label,
                country.alpha_2,
                continent_of.get(country.alpha_2, "oceania"),
            )
            self.states[info.local] = info
            self.current.append(info.local)
            self.by_continent.setdefault(info.continent, []).append(info.local)
            pairs = [
                (A, iri("cg", "State")),
                (iri("rdfs", "label"), text(label)),
                (iri("skos", "prefLabel"), text(label)),
                (iri("cg", "iso3166Alpha2"), plain(country.alpha_2)),
                (iri("cg", "iso3166Alpha3"), plain(country.alpha_3)),
                (iri("cg", "iso3166Numeric"), plain(country.numeric)),
                (iri("cg", "isoShortName"), text(country.name)),
            ]
            official = getattr(country, "official_name", None)
            if official:
                pairs.append((iri("cg", "isoOfficialName"), text(official)))
            pairs.append((iri("dcterms", "source"), Term(PYCOUNTRY)))
            self.emit("states", iri("state", info.local), pairs)
        by_alpha2 = {self.states[s].alpha2: s for s in self.current}
        for country in sorted(pycountry.historic_countries, key=lambda c: c.alpha_4):
            # The IRI is the alpha-3 code, unless a current State now has it (ATF): then alpha-4.
            local = country.alpha_3 if country.alpha_3 not in self.states else country.alpha_4
            withdrawal = country.withdrawal_date
            year = int(withdrawal[:4])
            label = country.name
            info = StateInfo(local, label, country.alpha_2, "former", True, year - 1)
            self.states[local] = info
            self.former.append(local)
            pairs = [
                (A, iri("cg", "FormerState")),
                (iri("rdfs", "label"), text(label)),
                (iri("skos", "prefLabel"), text(label)),
                (iri("cg", "iso3166_3Code"), plain(country.alpha_4)),
                (iri("cg", "iso3166Alpha2"), plain(country.alpha_2)),
                (iri("cg", "iso3166Alpha3"), plain(country.alpha_3)),
            ]
            numeric = getattr(country, "numeric", None)
            if numeric:
                pairs.append((iri("cg", "iso3166Numeric"), plain(numeric)))
            pairs.append((iri("cg", "isoShortName"), text(country.name)))
            if len(withdrawal) == 10:
                pairs.append((iri("cg", "isoWithdrawalDate"), typed(withdrawal, "date")))
            pairs.append((iri("cg", "dissolutionDate"), typed(withdrawal[:4], "gYear")))
            successors = KNOWN_SUCCESSORS.get(country.alpha_4)
            if successors is None:
                successor = by_alpha2.get(country.alpha_4[2:])
                successors = (successor,) if successor else ()
            for successor in successors:
                pairs.append((iri("cg", "successorState"), iri("state", successor)))
            pairs.append((iri("dcterms", "source"), Term(PYCOUNTRY)))
            self.emit("states", iri("state", local), pairs)
        for alpha3, former_name, until in RENAMED_STATES:
            info = self.states[alpha3]
            old, new = iri("name", f"{alpha3}-1"), iri("name", f"{alpha3}-2")
            self.emit(
                "states",
                iri("state", alpha3),
                [(iri("cg", "hasName"), old), (iri("cg", "hasName"), new)],
            )
            for node, name, key in (
                (old, former_name, "validUntil"),
                (new, info.label, "validFrom"),
            ):
                when = "until" if key == "validUntil" else "since"
                self.emit(
                    "states",
                    node,
                    [
                        (A, iri("cg", "StateName")),
                        (iri("rdfs", "label"), text(f"{name} (name {when} {until[:4]})")),
                        (iri("cg", "nameText"), text(name)),
                        (iri("cg", key), typed(until, "gYearMonth")),
                        (iri("cg", "sourceSection"), iri("src", "register-states")),
                    ],
                )
        # How active each State is in concluding instruments: a few very active, a long tail.
        order = list(self.current)
        self.rng.shuffle(order)
        rank = {state: index + 1 for index, state in enumerate(order)}
        weights = [1.0 / rank[state] ** 0.7 for state in self.current]
        self.cumulative = list(itertools.accumulate(weights))

    # --- Organisations -------------------------------------------------------------------

    def members(self, rule: str) -> list[str]:
        by_alpha2 = {self.states[s].alpha2: s for s in self.current}
        chosen: list[str] = []
        for token in rule.split():
            if token == "all":
                chosen += self.current
            elif token.startswith("continent:"):
                chosen += [s for s in self.current if self.states[s].continent == token[10:]]
            elif token.startswith("-"):
                chosen = [s for s in chosen if self.states[s].alpha2 != token[1:]]
            elif token in by_alpha2:
                chosen.append(by_alpha2[token])
        return sorted(set(chosen))

    def organisations_block(self) -> None:
        section = iri("src", "register-organisations")
        for local, label, abbreviation, cls, rule in REGIONAL_ORGANISATIONS:
            members = self.members(rule)
            pairs = [(A, iri("cg", cls)), (iri("rdfs", "label"), text(label))]
            if abbreviation:
                pairs.append((iri("skos", "altLabel"), text(abbreviation)))
            pairs.append((iri("cg", "sourceSection"), section))
            self.emit("organisations", iri("orgn", local), pairs)
            for member in members:
                self.emit(
                    "organisations",
                    iri("mship", f"{local}-{member}"),
                    [
                        (A, iri("org", "Membership")),
                        (iri("org", "member"), iri("state", member)),
                        (iri("org", "organization"), iri("orgn", local)),
                        # An outside fact: it cites a page (shapes/memberships.ttl).
                        (
                            iri("dcterms", "source"),
                            full_iri(f"https://example.org/members/{local}"),
                        ),
                    ],
                )
            self.organisations.append(Organisation(local, label, members))
        for local, label, cls in GLOBAL_ORGANISATIONS:
            self.emit(
                "organisations",
                iri("orgn", local),
                [
                    (A, iri("cg", cls)),
                    (iri("rdfs", "label"), text(label)),
                    (iri("cg", "sourceSection"), section),
                ],
            )
            self.global_orgs.append(local)
        # The EU's bodies are part of it.
        for body in ("europol", "eurojust"):
            self.emit(
                "organisations",
                iri("orgn", body),
                [(iri("org", "subOrganizationOf"), iri("orgn", "european-union"))],
            )

    def agency(self, state: str, kind: str) -> str:
        """The national agency or office of `state` of `kind`, described on first use."""
        info = self.states[state]
        if kind in info.agencies:
            return info.agencies[kind]
        local = f"{state.lower()}-{kind}"
        label, cls = {
            "police": (f"National Police of {info.label}", "NationalAgency"),
            "justice": (f"Ministry of Justice of {info.label}", "NationalAgency"),
            "prosecutor": (f"Prosecutor General of {info.label}", "PublicOffice"),
            "interior": (f"Ministry of the Interior of {info.label}", "NationalAgency"),
        }[kind]
        self.emit(
            "organisations",
            iri("orgn", local),
            [
                (A, iri("cg", cls)),
                (iri("rdfs", "label"), text(label)),
                (iri("cg", "agencyOf"), iri("state", state)),
                (iri("cg", "sourceSection"), iri("src", "register-organisations")),
            ],
        )
        info.agencies[kind] = local
        self.agency_labels[local] = label
        return local

    def agency_label(self, local: str) -> str:
        return "the " + self.agency_labels[local][0].lower() + self.agency_labels[local][1:]

    # --- Dates ---------------------------------------------------------------------------

    def year(self, latest: int = 2024) -> int:
        return max(1950, min(latest, latest - int(self.rng.expovariate(1 / 14))))

    def date(self, year: int) -> tuple[dt.date, Term]:
        day = dt.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return day, self.at_precision(day)

    def at_precision(self, day: dt.date) -> Term:
        roll = self.rng.random()
        if roll < 0.7:
            return typed(day.isoformat(), "date")
        if roll < 0.9:
            return typed(day.isoformat()[:7], "gYearMonth")
        return typed(str(day.year), "gYear")

    # --- Instruments ---------------------------------------------------------------------

    def pick_state(self, exclude: Sequence[str] = ()) -> str:
        while True:
            state = self.rng.choices(self.current, cum_weights=self.cumulative)[0]
            if state not in exclude:
                return state

    def partner(self, first: str) -> str:
        continent = self.states[first].continent
        if self.rng.random() < 0.6 and len(self.by_continent.get(continent, [])) > 1:
            while True:
                other = self.rng.choice(self.by_continent[continent])
                if other != first:
                    return other
        return self.pick_state(exclude=(first,))

    def modalities(self, low: int, high: int) -> list[str]:
        return sorted(set(self.rng.sample(self.schemes.modalities, self.rng.randint(low, high))))

    def kind(self) -> tuple[str, str]:
        roll = self.rng.random()
        total = 0.0
        for cls, share, stem in KINDS:
            total += share
            if roll < total:
                return cls, stem
        return KINDS[0][0], KINDS[0][2]

    def instrument(self) -> None:
        cls, stem = self.kind()
        treaty = ""
        if cls == "TreatyProvision":
            treaty = self.rng.choice(self.treaties) if self.treaties else ""
            if not treaty or self.treaty_titles.get(treaty, 0) >= len(ROMAN):
                cls, stem = "Treaty", "treaty"
        self.count += 1
        section = self.next_section()
        if treaty and cls == "TreatyProvision":
            section = self.treaty_sections[treaty]  # a provision cites its treaty's section
        local = f"{stem}-{self.count:07d}"
        subject = iri("inst", local)
        nature = LEGAL_NATURES.get(cls, "binding-treaty")
        binding = nature == "binding-treaty"
        pairs: list[tuple[Term, Term]] = [
            (A, iri("cg", cls)),
            (iri("cg", "legalNature"), iri("nature", nature)),
            (iri("cg", "contentStatus"), iri("content", "described")),
        ]
        participations: list[tuple[Term, list[tuple[Term, Term]]]] = []
        provisions: list[tuple[Term, list[tuple[Term, Term]]]] = []
        extra: list[tuple[str, Term, list[tuple[Term, Term]]]] = []
        modalities: list[str] = []
        year = self.year()
        topic = self.rng.choice(TOPICS)

        def participation(
            suffix: str, role_pairs: list[tuple[Term, Term]], when: Term | None
        ) -> None:
            node = iri("part", f"{local}_{suffix}")
            if binding is False:  # the States of an arrangement sign it; none is bound
                role_pairs = [
                    (iri("cg", "signatory"), o) if p == iri("cg", "party") else (p, o)
                    for p, o in role_pairs
                ]
            names = [str(p).rsplit(":", 1)[-1] for p, _ in role_pairs]
            # a counted group of unnamed States (cg:role) is the observers here
            stated = next((ACTS.get(n, "support") for n in names if n in ROLES), "observation")
            body = [
                (A, iri("cg", "Participation")),
                *role_pairs,
                (iri("cg", "act"), iri("act", stated)),
            ]
            if when is not None:
                body.append((iri("cg", "date"), when))
            body.append((iri("cg", "sourceSection"), section))
            participations.append((node, body))

        if cls in ("BilateralAgreement", "BilateralMemorandumOfUnderstanding"):
            former = self.former and self.rng.random() < 0.03
            if former:
                first = self.rng.choice(self.former)
                until = self.states[first].until_year or 1990
                year = max(1950, until - int(self.rng.expovariate(1 / 8)))
                second = self.pick_state()
            else:
                first = self.pick_state()
                second = self.partner(first)
            day, signed = self.date(year)
            word = "Agreement" if cls == "BilateralAgreement" else "Memorandum of Understanding"
            names = f"{self.states[first].label} and {self.states[second].label}"
            label = f"{names}: {word} on {topic} ({year})"
            by_agencies = cls == "BilateralMemorandumOfUnderstanding" and self.rng.random() < 0.5
            for state in (first, second):
                when = signed if self.rng.random() < 0.5 else None
                if by_agencies and not self.states[state].former:
                    kind = self.rng.choice(("police", "justice", "prosecutor", "interior"))
                    agency = self.agency(state, kind)
                    participation(
                        state,
                        [
                            (iri("cg", "contractingAuthority"), iri("orgn", agency)),
                            (iri("cg", "onBehalfOf"), iri("state", state)),
                            (iri("cg", "designation"), text(self.agency_label(agency))),
                        ],
                        when,
                    )
                else:
                    participation(
                        state,
                        [
                            (iri("cg", "party"), iri("state", state)),
                            (
                                iri("cg", "designation"),
                                text(f"Government of {self.states[state].label}"),
                            ),
                        ],
                        when,
                    )
            modalities = self.modalities(1, 4)
            if self.rng.random() < 0.08:
                org = self.rng.choice(self.global_orgs)
                role = self.rng.choice(("facilitator", "technicalAssistanceProvider"))
                participation(org, [(iri("cg", role), iri("orgn", org))], None)
        elif cls in (
            "MultilateralAgreement",
            "Convention",
            "Treaty",
            "MultilateralMemorandumOfUnderstanding",
            "Declaration",
            "RegionalConsultativeProcess",
        ):
            organisation = self.rng.choice(
                self.organisations[:-1] if self.rng.random() < 0.9 else self.organisations
            )
            members = organisation.members
            share = self.rng.uniform(0.6, 1.0)
            parties = sorted(self.rng.sample(members, max(3, int(len(members) * share))))
            if len(parties) > 60:
                parties = sorted(self.rng.sample(parties, 60))
            day, signed = self.date(year)
            noun = {
                "MultilateralAgreement": "Multilateral Agreement",
                "Convention": "Convention",
                "Treaty": "Treaty",
                "MultilateralMemorandumOfUnderstanding": "Memorandum of Understanding",
                "Declaration": "Declaration",
                "RegionalConsultativeProcess": "Regional Consultative Process",
            }[cls]
            label = f"{organisation.label}: {noun} on {topic} ({year})"
            pairs.append((iri("cg", "region"), text(organisation.label)))
            role = (
                "participatingState"
                if cls in ("Declaration", "RegionalConsultativeProcess")
                else "party"
            )
            for state in parties:
                later = day + dt.timedelta(days=self.rng.randint(0, 1500))
                when = (
                    self.at_precision(later if later.year <= 2025 else day)
                    if self.rng.random() < 0.6
                    else None
                )
                participation(
                    state,
                    [
                        (iri("cg", role), iri("state", state)),
                        (iri("cg", "designation"), text(self.states[state].label)),
                    ],
                    when,
                )
            outsiders = [s for s in self.current if s not in set(members)]
            for state in sorted(
                self.rng.sample(outsiders, min(len(outsiders), self.rng.randint(0, 3)))
            ):
                participation(
                    f"{state}-observer", [(iri("cg", "observer"), iri("state", state))], None
                )
            if cls == "RegionalConsultativeProcess":
                participation(
                    "observer-states",
                    [
                        (iri("cg", "role"), iri("role", "observer")),
                        (iri("cg", "participantCount"), integer(self.rng.randint(2, 20))),
                        (iri("cg", "designation"), text("observer States from outside the region")),
                    ],
                    None,
                )
                participation(
                    "convener", [(iri("cg", "convener"), iri("orgn", organisation.local))], None
                )
            elif cls == "Declaration":
                participation(
                    "convener", [(iri("cg", "convener"), iri("orgn", organisation.local))], None
                )
            elif cls == "MultilateralMemorandumOfUnderstanding" and self.rng.random() < 0.5:
                participation(
                    "signatory", [(iri("cg", "signatory"), iri("orgn", organisation.local))], signed
                )
            if cls in ("Convention", "Treaty") and self.rng.random() < 0.5:
                participation(
                    "eligible",
                    [(iri("cg", "eligibleMembersOf"), iri("orgn", organisation.local))],
                    None,
                )
            if self.rng.random() < 0.3:
                org = self.rng.choice(self.global_orgs)
                role = self.rng.choice(
                    ("implementationPartner", "cooperationChannel", "technicalAssistanceProvider")
                )
                participation(org, [(iri("cg", role), iri("orgn", org))], None)
            modalities = self.modalities(3, 8)
            if cls == "Convention" and self.rng.random() < 0.5:
                pairs.append(
                    (
                        iri("cg", "encourages"),
                        iri(
                            "cg",
                            self.rng.choice(
                                (
                                    "BilateralAgreement",
                                    "MultilateralAgreement",
                                    "BilateralMemorandumOfUnderstanding",
                                )
                            ),
                        ),
                    )
                )
            if cls == "Treaty":
                self.treaties.append(local)
                self.treaty_sections[local] = section
        elif cls in ("ModelAgreement", "ModelProtocol"):
            organisation = self.rng.choice(self.organisations)
            day, signed = self.date(year)
            noun = "agreement" if cls == "ModelAgreement" else "protocol"
            label = f"{organisation.label} model {noun} on {topic} ({year})"
            participation(
                "drafter", [(iri("cg", "drafter"), iri("orgn", organisation.local))], None
            )
            participation(
                "eligible",
                [(iri("cg", "eligibleMembersOf"), iri("orgn", organisation.local))],
                None,
            )
            modalities = self.modalities(2, 6)
        else:  # TreatyProvision
            number = self.treaty_titles.get(treaty, 0)
            self.treaty_titles[treaty] = number + 1
            day, signed = self.date(year)
            label = f"Title {ROMAN[number]} of {treaty.replace('-', ' ')}"
            pairs[0:0] = [(A, iri("cg", "Provision"))]
            pairs += [
                (iri("cg", "provisionOf"), iri("inst", treaty)),
                (iri("cg", "provisionKind"), plain("title")),
                (iri("cg", "provisionNumber"), plain(ROMAN[number])),
            ]
            extra.append(
                ("instruments", iri("inst", treaty), [(iri("cg", "hasProvision"), subject)])
            )
            org = self.rng.choice(self.global_orgs)
            participation("channel", [(iri("cg", "cooperationChannel"), iri("orgn", org))], None)
            modalities = self.modalities(1, 4)

        pairs.append((iri("rdfs", "label"), text(label)))
        if self.rng.random() < 0.5:
            pairs.append((iri("dcterms", "title"), text(label.rsplit(" (", 1)[0])))
        if self.rng.random() < 0.3:
            pairs.append(
                (iri("dcterms", "description"), text(f"An instrument on {topic.lower()}."))
            )
        undated = self.rng.random() < 0.02
        if cls == "RegionalConsultativeProcess":
            pairs.append((iri("cg", "startDate"), signed))
        elif not undated:
            pairs.append((iri("cg", "signatureDate"), signed))
            if self.rng.random() < 0.5:
                later = day + dt.timedelta(days=self.rng.randint(0, 1000))
                pairs.append((iri("cg", "entryIntoForceDate"), self.at_precision(later)))
        # Modalities: most on the instrument, some through its provisions.
        on_provisions: list[str] = []
        if cls != "TreatyProvision" and self.rng.random() < 0.3:
            count = min(len(modalities), self.rng.randint(1, 3))
            on_provisions, modalities = modalities[:count], modalities[count:]
        for modality in modalities:
            pairs.append((iri("cg", "coversModality"), iri("modality", modality)))
        for crime in sorted(set(self.rng.sample(self.schemes.crimes, self.rng.randint(1, 2)))):
            pairs.append((iri("cg", "addressesCrime"), iri("scope", crime)))
        if self.rng.random() < 0.3:
            pairs.append(
                (
                    iri("cg", "targetGroup"),
                    iri("scope", self.rng.choice(self.schemes.target_groups)),
                )
            )
        for index, modality in enumerate(on_provisions, start=1):
            number = index * self.rng.randint(1, 5)
            node = iri("art", f"{local}_article-{index}-{number}")
            pairs.append((iri("cg", "hasProvision"), node))
            provisions.append(
                (
                    node,
                    [
                        (A, iri("cg", "Provision")),
                        (iri("rdfs", "label"), text(f"Article {index}.{number}")),
                        (iri("cg", "provisionKind"), plain("article")),
                        (iri("cg", "provisionNumber"), plain(f"{index}.{number}")),
                        (iri("cg", "provisionOf"), subject),
                        (iri("cg", "coversModality"), iri("modality", modality)),
                        (iri("cg", "sourceSection"), section),
                    ],
                )
            )
        # Lineage: earlier instruments this one builds on.
        if self.instruments and self.rng.random() < 0.06:
            pairs.append((iri("cg", "drawsUpon"), iri("inst", self.rng.choice(self.instruments))))
        if self.instruments and self.rng.random() < 0.05:
            pairs.append((iri("cg", "refersTo"), iri("inst", self.rng.choice(self.instruments))))
        if self.treaties and cls not in ("TreatyProvision", "Treaty") and self.rng.random() < 0.02:
            pairs.append((iri("cg", "implements"), iri("inst", self.rng.choice(self.treaties))))
        if self.rng.random() < 0.03:
            self.meetings += 1
            meeting = iri("event", f"meeting-{self.meetings:06d}")
            pairs.append((iri("cg", "outcomeOf"), meeting))
            extra.append(
                (
                    "activities",
                    meeting,
                    [
                        (A, iri("cg", "Meeting")),
                        (iri("rdfs", "label"), text(f"Preparatory meeting {self.meetings}")),
                        (iri("cg", "startDate"), typed(str(max(1950, year - 1)), "gYear")),
                        (iri("prov", "generated"), subject),
                        (iri("cg", "sourceSection"), iri("src", "register-activities")),
                    ],
                )
            )
        if self.rng.random() < 0.15:
            self.documents += 1
            document = full_iri(f"https://treaties.example.org/text/{self.documents:07d}.pdf")
            pairs.append((iri("cg", "textAvailableAt"), document))
            extra.append(
                (
                    "instruments",
                    document,
                    [
                        (A, iri("cg", "Document")),
                        (iri("rdfs", "label"), text(f"{label} (text)")),
                        (iri("cg", "sourceSection"), section),
                    ],
                )
            )
        for node, _body in participations:
            pairs.append((iri("cg", "hasParticipation"), node))
        pairs.append((iri("cg", "sourceSection"), section))
        self.emit("instruments", subject, pairs)
        for node, body in participations:
            self.emit("instruments", node, body)
        for node, body in provisions:
            self.emit("instruments", node, body)
        for concern, node, body in extra:
            self.emit(concern, node, body)
        self.instruments.append(local)

    def run(self, progress: bool = False) -> int:
        self.sources()
        self.states_block()
        self.organisations_block()
        started = time.perf_counter()
        next_report = 0.0
        while self.triples < self.target:
            self.instrument()
            if progress and time.perf_counter() - started > next_report:
                print(f"\r{self.triples:>12,} triples", end="", file=sys.stderr, flush=True)
                next_report += 1.0
        if progress:
            print(f"\r{self.triples:>12,} triples, {self.count:,} instruments", file=sys.stderr)
        return self.triples


# --- Command line -------------------------------------------------------------------------

SIZES = {"k": 1_000, "m": 1_000_000}


def parse_size(value: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", value.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a size such as 10k, 100k, 1m, 10m")
    number = float(match.group(1))
    return int(number * SIZES.get(match.group(2).lower(), 1))


def fmt_of(path: Path) -> str | None:
    return {".ttl": "turtle", ".nt": "nt"}.get(path.suffix.lower())


def generate(
    size: int, output: Path, seed: int = 1, per_file: int = 5000, progress: bool = False
) -> list[Path]:
    """Write the data set to `output` (a .ttl or .nt file, or a folder); return the files."""
    fmt = fmt_of(output)
    if fmt is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        with output.open("w", encoding="utf-8") as stream:
            Generator(seed, size, FileSink(Writer(stream, fmt))).run(progress)
        return [output]
    return _generate_folder(size, output, seed, per_file, progress)


def _generate_folder(
    size: int, folder: Path, seed: int, per_file: int, progress: bool
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.ttl"):
        old.unlink()
    sink = FolderSink(folder, per_file)
    try:
        Generator(seed, size, sink).run(progress)
    finally:
        sink.close()
    return sorted(folder.glob("*.ttl"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--size",
        type=parse_size,
        default=parse_size("10k"),
        help="approximate number of triples: 10k, 100k, 1m, 10m",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--output", type=Path, required=True, help="a .ttl or .nt file, or a folder"
    )
    parser.add_argument(
        "--per-file", type=int, default=5000, help="instruments per file when writing a folder"
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(
        args.size,
        args.output,
        args.seed,
        args.per_file,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    if not args.quiet:
        shown = ", ".join(str(p) for p in paths[:3]) + (" ..." if len(paths) > 3 else "")
        print(f"wrote {shown} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
