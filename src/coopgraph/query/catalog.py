"""The stored queries: one SPARQL file each in queries/, with a metadata header.

The header is made of `#+ ` comment lines holding YAML (the grlc convention), so each file
stays valid SPARQL for any other tool:

    #+ title: States sharing instruments that cover a modality
    #+ description: ...
    #+ params:
    #+   modality:
    #+     type: modality
    #+     description: the cooperation modality
    #+     example: joint investigation teams
    #+     default: https://w3id.org/coopgraph/id/modality/joint-investigation-teams
    #+ list_columns: [instruments]
    #+ columns:
    #+   state_a_label: State
    #+   instrument_count: Shared instruments

`columns` gives a column a header for people (the report pages, the spreadsheets); a column
it does not name gets one made from its variable name (`header_for`).

Parameter values are bound as RDF terms (never pasted into the query text), so no value can
change what a query does. A parameter left out and without a default stays unbound.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from coopgraph.errors import CoopgraphError, QueryError, UnknownNameError
from coopgraph.model import resources
from coopgraph.query.engine import QueryEngine, syntax_error
from coopgraph.query.replaced import former_iris
from coopgraph.query.results import ResultTable

PARAMETER_KINDS = (
    "state",
    "modality",
    "instrument-type",
    "instrument",
    "organisation",
    "year",
    "string",
    "iri",
)

_CANDIDATES: dict[str, str] = {
    "state": """
        SELECT DISTINCT ?term ?name WHERE {
          ?term a cg:State .
          { ?term rdfs:label|skos:prefLabel|skos:altLabel|cg:isoShortName|cg:isoOfficialName ?name }
          UNION { ?term cg:iso3166Alpha2|cg:iso3166Alpha3|cg:iso3166_3Code ?name }
          UNION { ?term cg:hasName/cg:nameText ?name }
        }""",
    "modality": """
        SELECT DISTINCT ?term ?name WHERE {
          ?term skos:inScheme <https://w3id.org/coopgraph/id/scheme/modalities> ;
                skos:prefLabel|skos:altLabel ?name .
        }""",
    "instrument-type": """
        SELECT DISTINCT ?term ?name WHERE {
          ?term rdfs:subClassOf* cg:Instrument ; rdfs:label ?name .
        }""",
    "instrument": """
        SELECT DISTINCT ?term ?name WHERE {
          ?term a cg:Instrument ; rdfs:label|dcterms:title|dcterms:alternative ?name .
        }""",
    "organisation": """
        SELECT DISTINCT ?term ?name WHERE {
          ?term a cg:Organisation ; rdfs:label|skos:altLabel ?name .
        }""",
}

CANDIDATE_PREFIXES = """
PREFIX cg: <https://w3id.org/coopgraph/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


class CatalogError(CoopgraphError):
    """A stored query file is broken (its header or its SPARQL)."""


@dataclass(frozen=True)
class Parameter:
    """A typed parameter of a stored query."""

    name: str
    kind: str
    description: str
    example: str | None
    default: str | None
    required: bool


@dataclass(frozen=True)
class StoredQuery:
    """One stored query: its metadata and its SPARQL text."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    list_columns: frozenset[str]
    text: str
    path: Path
    columns: Mapping[str, str] = field(default_factory=dict)

    def header(self, variable: str) -> str:
        """The header people read for the column `variable`."""
        return self.columns.get(variable) or header_for(variable)

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise UnknownNameError(f"parameter of {self.name}", name, [p.name for p in self.parameters])

    def example_arguments(self) -> dict[str, str]:
        """The example value of every parameter that has one."""
        return {p.name: p.example for p in self.parameters if p.example is not None}

    def report_arguments(self) -> dict[str, str]:
        """The arguments `coopgraph report` runs it with: the defaults, and the example of a
        required parameter."""
        return {p.name: p.example for p in self.parameters if p.required and p.example is not None}


class Catalog:
    """The stored queries, by name."""

    def __init__(self, queries: Sequence[StoredQuery]) -> None:
        self._queries = {query.name: query for query in sorted(queries, key=lambda q: q.name)}

    def __iter__(self) -> Iterator[StoredQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def names(self) -> list[str]:
        return list(self._queries)

    def get(self, name: str) -> StoredQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownNameError("stored query", name, self._queries) from None


def load_catalog(directory: Path | None = None) -> Catalog:
    """Read and check every `*.rq` file of `directory` (default: the bundled queries)."""
    folder = directory or resources.asset_dir("queries")
    return Catalog([read_stored_query(path) for path in sorted(folder.glob("*.rq"))])


def load_stored_query(name: str, directory: Path | None = None) -> StoredQuery:
    """The stored query `name` of `directory` (default: the bundled queries), read and checked
    alone: running one report need not parse the others."""
    folder = directory or resources.asset_dir("queries")
    names = sorted(path.stem for path in folder.glob("*.rq"))
    if name not in names:
        raise UnknownNameError("stored query", name, names)
    return read_stored_query(folder / f"{name}.rq")


def read_stored_query(path: Path) -> StoredQuery:
    """Parse one stored query file; a broken header or query names the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(f"{path}: cannot read the stored query ({error})") from error
    metadata = _header(path, text)
    _check_sparql(path, text)
    title = metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        raise CatalogError(f"{path}: the header has no title", hint="add a '#+ title: ...' line")
    params = metadata.get("params") or {}
    if not isinstance(params, dict):
        raise CatalogError(f"{path}: 'params' must be a mapping of parameter names")
    parameters = tuple(_parameter(path, name, spec) for name, spec in params.items())
    for parameter in parameters:
        if not re.search(rf"\?{re.escape(parameter.name)}\b", text):
            raise CatalogError(
                f"{path}: parameter {parameter.name!r} is not a variable of the query",
                hint=f"use ?{parameter.name} in the query or remove the parameter",
            )
    return StoredQuery(
        name=path.stem,
        title=title.strip(),
        description=str(metadata.get("description", "")).strip(),
        parameters=parameters,
        list_columns=_list_columns(path, metadata.get("list_columns")),
        text=text,
        path=path,
        columns=_columns(path, metadata.get("columns"), text),
    )


def _columns(path: Path, value: object, text: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
    ):
        raise CatalogError(
            f"{path}: 'columns' must map column names to headers",
            hint="write e.g. '#+ columns: {state_a_label: State}'",
        )
    for name in value:
        if not re.search(rf"\?{re.escape(name)}\b", text):
            raise CatalogError(
                f"{path}: 'columns' names {name!r}, which is not a variable of the query",
                hint=f"use ?{name} in the query or remove it from 'columns'",
            )
    return {name: header.strip() for name, header in value.items()}


# Words a header made from a variable name spells out.
_HEADER_WORDS = {"iso3166": "ISO 3166", "iri": "IRI", "a": "A", "b": "B"}


def header_for(variable: str) -> str:
    """A header made from a variable name: `state_a_label` -> "State A",
    `instrument_count` -> "Instrument count", `iso3166_3` -> "ISO 3166-3"."""
    words = [word for word in variable.split("_") if word]
    if len(words) > 1 and words[-1] == "label":
        words = words[:-1]
    shown: list[str] = []
    for word in words:
        if word.isdigit() and shown:
            shown[-1] += f"-{word}"
        else:
            shown.append(_HEADER_WORDS.get(word, word))
    text = " ".join(shown) or variable
    return text[0].upper() + text[1:]


def _list_columns(path: Path, value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogError(f"{path}: 'list_columns' must be a list of column names")
    return frozenset(value)


def _header(path: Path, text: str) -> dict[str, object]:
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    try:
        metadata = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: the '#+' header is not valid YAML ({error})") from error
    if not isinstance(metadata, dict):
        raise CatalogError(f"{path}: the '#+' header must be a YAML mapping")
    return metadata


# A text in which Oxigraph could read a SERVICE keyword: a \u escape may spell one.
_MAY_CALL_OUT = re.compile(r"service|\\u|\\U", re.IGNORECASE)


def _check_sparql(path: Path, text: str) -> None:
    """Parse the query as the engine that runs it, Oxigraph, does: on an empty in-memory store,
    where it finds nothing. Oxigraph starts to evaluate what it parses, so a text that could
    hold a SERVICE clause (which would call out) is parsed by rdflib's parser only; so is a
    text Oxigraph refuses, for the message and position the rest of coopgraph gives."""
    if not _MAY_CALL_OUT.search(text):
        try:
            ox.Store().query(text)
        except SyntaxError as error:
            _check_with_rdflib(path, text)
            raise syntax_error(str(path), str(error), text) from error
        return
    _check_with_rdflib(path, text)


def _check_with_rdflib(path: Path, text: str) -> None:
    from pyparsing import ParseException  # noqa: PLC0415 - the rare, slow path
    from rdflib.plugins.sparql.parser import parseQuery  # noqa: PLC0415

    try:
        parseQuery(text)
    except ParseException as error:
        raise QueryError(str(path), error.msg, line=error.lineno, column=error.col) from error


def _parameter(path: Path, name: str, spec: object) -> Parameter:
    if not isinstance(spec, dict):
        raise CatalogError(f"{path}: parameter {name!r} must be a mapping (type, description, ...)")
    kind = spec.get("type", "string")
    if kind not in PARAMETER_KINDS:
        raise CatalogError(
            f"{path}: parameter {name!r} has unknown type {kind!r}",
            hint="use one of " + ", ".join(PARAMETER_KINDS),
        )
    description = spec.get("description")
    if not description:
        raise CatalogError(f"{path}: parameter {name!r} has no description")
    example = spec.get("example")
    default = spec.get("default")
    return Parameter(
        name=name,
        kind=kind,
        description=str(description),
        example=None if example is None else str(example),
        default=None if default is None else str(default),
        required=bool(spec.get("required", False)),
    )


# --- Binding values ---------------------------------------------------------------------


def bind_arguments(
    query: StoredQuery, arguments: Mapping[str, str], engine: QueryEngine
) -> dict[str, Node]:
    """Turn the user's text arguments into RDF terms, adding defaults; check names and values."""
    for name in arguments:
        query.parameter(name)
    bindings: dict[str, Node] = {}
    for parameter in query.parameters:
        raw = arguments.get(parameter.name)
        if raw is None:
            if parameter.required:
                example = (
                    f" (e.g. -p {parameter.name}={parameter.example!r})"
                    if parameter.example
                    else ""
                )
                raise CoopgraphError(
                    f"stored query {query.name!r} needs parameter {parameter.name!r}: "
                    f"{parameter.description}",
                    hint=f"give it with -p {parameter.name}=VALUE{example}",
                )
            if parameter.default is None:
                continue
            raw = parameter.default
        bindings[parameter.name] = resolve_value(parameter, raw, engine)
    return bindings


def resolve_value(parameter: Parameter, raw: str, engine: QueryEngine) -> Node:
    """The RDF term a person means by `raw` for a parameter of `parameter.kind`."""
    text = raw.strip()
    if parameter.kind == "string":
        return Literal(raw)
    if parameter.kind == "year":
        if not re.fullmatch(r"-?\d{4}", text):
            raise CoopgraphError(
                f"parameter {parameter.name!r}: {raw!r} is not a year",
                hint="give four digits, e.g. 2005",
            )
        return Literal(text, datatype=XSD.gYear)
    if parameter.kind == "iri":
        return URIRef(text)
    return _resolve_term(parameter, text, engine)


def _resolve_term(parameter: Parameter, text: str, engine: QueryEngine) -> URIRef:
    candidates = engine.select(CANDIDATE_PREFIXES + _CANDIDATES[parameter.kind])
    by_key: dict[str, set[URIRef]] = {}
    for row in candidates.rows:
        term, name = row
        if not isinstance(term, URIRef) or name is None:
            continue
        by_key.setdefault(normalise_name(str(name)), set()).add(term)
        by_key.setdefault(normalise_name(_local_name(term)), set()).add(term)
        by_key.setdefault(str(term), set()).add(term)
    for former, current in former_iris(engine).items():
        if any(URIRef(current) in terms for terms in by_key.values()):
            by_key.setdefault(normalise_name(_local_name(URIRef(former))), set()).add(
                URIRef(current)
            )
            by_key.setdefault(former, set()).add(URIRef(current))
    matches = by_key.get(text) or by_key.get(normalise_name(text)) or set()
    if len(matches) == 1:
        return next(iter(matches))
    if len(matches) > 1:
        raise CoopgraphError(
            f"parameter {parameter.name!r}: {text!r} names several {parameter.kind}s: "
            + ", ".join(sorted(matches)),
            hint="give the IRI of the one you mean",
        )
    names = sorted({str(row[1]) for row in candidates.rows if row[1] is not None})
    close = difflib.get_close_matches(text, names, n=5, cutoff=0.5)
    close += [n for n in names if text.lower() in n.lower() and n not in close][: 5 - len(close)]
    hint = (
        "close matches: " + ", ".join(repr(name) for name in close)
        if close
        else f"run 'coopgraph queries' to see an example value for {parameter.name!r}"
    )
    raise CoopgraphError(
        f"parameter {parameter.name!r}: no {parameter.kind} matches {text!r}", hint=hint
    )


def _local_name(term: URIRef) -> str:
    return re.split(r"[/#]", str(term))[-1]


def normalise_name(text: str) -> str:
    """Case-, accent-, hyphen- and spacing-insensitive form of a name: how a typed value is
    matched to the graph's names (here, and by the report pages' search, whose script
    normalises the same way)."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-'\u2019]+", " ", letters).strip().casefold()


def run_stored_query(
    query: StoredQuery, arguments: Mapping[str, str], engine: QueryEngine
) -> ResultTable:
    """Run a stored query with the user's arguments on `engine`."""
    bindings = bind_arguments(query, arguments, engine)
    return engine.select(query.text, bindings, query.list_columns)
