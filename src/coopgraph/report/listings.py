"""The browse lists (States, instruments, modalities, organisations), the search index and the
graph's figures, read from the graph in a few queries.

A `Listing` is a table for people: columns with human headers, rows whose cells link to the
entity pages, and facets (instrument type, legal nature, modality group, crime, target group,
region, year) that each row carries as sets of values, so that a page can filter it and a
spreadsheet can hold it (`coopgraph.report.spreadsheets`).

The search index holds every name a person may type (labels, alternative labels, former names,
ISO codes, modality names), each with its key normalised as the CLI's parameter resolver
normalises (`coopgraph.query.catalog.normalise_name`), so the page's search finds what
`-p state=...` finds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from coopgraph.query.catalog import normalise_name
from coopgraph.query.engine import QueryEngine
from coopgraph.report import page_queries as q
from coopgraph.report.pages import InstrumentFacts, Labels, is_true, select
from coopgraph.report.terms import KIND_NAMES, DateValue, Link, page_path


@dataclass(frozen=True)
class Cell:
    """What a cell shows: links (to entity pages) or a text; `sort` orders the column."""

    text: str = ""
    links: tuple[Link, ...] = ()
    sort: str | float | None = None
    date: DateValue | None = None

    @property
    def plain(self) -> str:
        """The cell as text, for a spreadsheet: list items joined by "; "."""
        if self.links:
            return "; ".join(link.label for link in self.links)
        return self.text

    @property
    def sort_key(self) -> str | float:
        if self.sort is not None:
            return self.sort
        return self.plain.casefold()


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool = False


@dataclass(frozen=True)
class Facet:
    key: str
    label: str


@dataclass(frozen=True)
class ListingRow:
    cells: Mapping[str, Cell]
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Listing:
    name: str  # "states": the page states.html, the downloads states.csv and states.xlsx
    title: str
    intro: str
    columns: tuple[Column, ...]
    facets: tuple[Facet, ...]
    rows: tuple[ListingRow, ...]

    def facet_values(self, key: str) -> list[tuple[str, int]]:
        """The values of facet `key` with how many rows have each, most frequent first."""
        counts: dict[str, int] = defaultdict(int)
        for row in self.rows:
            for value in row.facets.get(key, ()):
                counts[value] += 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))

    def as_plain_rows(self) -> list[list[str | float]]:
        """The header and each row as plain values, for CSV and XLSX."""
        rows: list[list[str | float]] = [[column.header for column in self.columns]]
        for row in self.rows:
            cells: list[str | float] = []
            for column in self.columns:
                cell = row.cells.get(column.key, Cell())
                if column.numeric and isinstance(cell.sort, (int, float)):
                    cells.append(cell.sort)
                else:
                    cells.append(cell.plain)
            rows.append(cells)
        return rows


FACET_NAMES = {
    "type": "instrument type",
    "legal_nature": "legal nature",
    "group": "modality group",
    "modality": "modality",
    "crime": "crime",
    "target_group": "target group",
    "region": "region",
    "year": "year",
    "status": "status",
    "organisation_type": "type",
    "role": "role",
}


@dataclass
class Graph:
    """Everything the lists, the search and the pictures need, read once."""

    engine: QueryEngine
    labels: Labels
    facts: InstrumentFacts
    states: list[dict[str, object]]
    modalities: dict[str, dict[str, object]]
    organisations: dict[str, dict[str, object]]
    state_instruments: dict[str, set[str]]
    state_regions: dict[str, set[str]]
    instrument_states: dict[str, set[str]]
    organisation_roles: dict[str, set[tuple[str, str]]]

    @classmethod
    def read(cls, engine: QueryEngine) -> Graph:
        labels = Labels(engine)
        facts = InstrumentFacts.read(engine, labels)
        states = []
        seen: set[str] = set()
        for row in select(engine, q.STATES):
            iri = str(row["state"])
            if iri in seen:
                continue
            seen.add(iri)
            labels.remember(iri, str(row["label"]))
            states.append(
                {
                    "iri": iri,
                    "label": str(row["label"]),
                    "alpha2": str(row.get("alpha2", "")),
                    "alpha3": str(row.get("alpha3", "")),
                    "numeric": str(row.get("numeric", "")),
                    "iso3": str(row.get("iso3", "")),
                    "former": is_true(row.get("former")),
                }
            )
        state_instruments: dict[str, set[str]] = defaultdict(set)
        instrument_states: dict[str, set[str]] = defaultdict(set)
        for row in select(engine, q.STATE_INSTRUMENTS):
            state_instruments[str(row["state"])].add(str(row["instrument"]))
            instrument_states[str(row["instrument"])].add(str(row["state"]))
        state_regions: dict[str, set[str]] = defaultdict(set)
        for row in select(engine, q.STATE_REGIONS):
            state_regions[str(row["state"])].add(str(row["region_label"]))
        modalities: dict[str, dict[str, object]] = {}
        for row in select(engine, q.MODALITIES):
            iri = str(row["modality"])
            entry = modalities.setdefault(
                iri,
                {"label": str(row["label"]), "broader": set(), "top": set(), "definition": ""},
            )
            labels.remember(iri, str(row["label"]))
            if "broader" in row:
                entry["broader"].add(str(row["broader"]))  # type: ignore[attr-defined]
            if "top" in row:
                entry["top"].add(str(row["top"]))  # type: ignore[attr-defined]
            if "definition" in row:
                entry["definition"] = str(row["definition"])
        organisations: dict[str, dict[str, object]] = {}
        for row in select(engine, q.ORGANISATIONS):
            iri = str(row["organisation"])
            entry = organisations.setdefault(iri, {"label": str(row["label"]), "types": set()})
            labels.remember(iri, str(row["label"]))
            if "type_label" in row:
                entry["types"].add(str(row["type_label"]))  # type: ignore[attr-defined]
        roles: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for row in select(engine, q.ORGANISATION_ROLES):
            related = row.get("instrument") or row.get("for")
            roles[str(row["organisation"])].add(
                (str(row.get("role_label", "participant")), str(related or ""))
            )
        return cls(
            engine,
            labels,
            facts,
            states,
            modalities,
            organisations,
            state_instruments,
            state_regions,
            instrument_states,
            roles,
        )

    # --- Figures -------------------------------------------------------------------------

    def figures(self) -> list[tuple[str, int, str]]:
        """(what, how many, the list page) for the home page."""
        participations = sum(len(found) for found in self.facts.participants.values())
        return [
            ("instruments", len(self.facts.labels), "instruments.html"),
            ("States", len(self.states), "states.html"),
            ("organisations", len(self.organisations), "organisations.html"),
            ("cooperation modalities", len(self.modalities), "modalities.html"),
            ("participations", participations, "instruments.html"),
        ]

    # --- Facets of an instrument ----------------------------------------------------------

    def instrument_facets(self, iri: str) -> dict[str, tuple[str, ...]]:
        facts = self.facts
        scope = facts.scope.get(iri, {})
        date = facts.first_date(iri)
        return {
            "type": facts.types.get(iri, ()),
            "legal_nature": tuple(sorted(scope.get("legal_nature", ()))),
            "group": tuple(sorted(facts.group_labels[g] for g in facts.groups.get(iri, {}))),
            "modality": tuple(sorted(self.labels.label(m) for m in facts.modalities.get(iri, ()))),
            "crime": tuple(sorted(scope.get("crime", ()))),
            "target_group": tuple(sorted(scope.get("target_group", ()))),
            # The region the text names, and the M49 regions of the States it engages.
            "region": tuple(sorted(scope.get("region", set()) | scope.get("state_region", set()))),
            "year": (str(date.year),) if date else (),
        }

    def _merged_facets(self, instruments: Sequence[str]) -> dict[str, tuple[str, ...]]:
        merged: dict[str, set[str]] = defaultdict(set)
        for instrument in instruments:
            for key, values in self.instrument_facets(instrument).items():
                merged[key].update(values)
        return {key: tuple(sorted(values)) for key, values in merged.items()}

    # --- Lists ---------------------------------------------------------------------------

    def instruments_listing(self) -> Listing:
        facts = self.facts
        rows = []
        for iri, label in facts.labels.items():
            date = facts.first_date(iri)
            parties = self.labels.links(facts.state_parties.get(iri, ()))
            modalities = facts.modalities.get(iri, set())
            facets = self.instrument_facets(iri)
            rows.append(
                ListingRow(
                    {
                        "instrument": Cell(links=(Link(label, iri),), sort=label.casefold()),
                        "type": Cell("; ".join(facts.types.get(iri, ()))),
                        "date": Cell(
                            date.shown if date else "", sort=date.lexical if date else "", date=date
                        ),
                        "states": Cell(links=parties, sort=float(len(parties))),
                        "modalities": Cell(str(len(modalities)), sort=float(len(modalities))),
                        "region": Cell("; ".join(facets["region"])),
                    },
                    facets,
                )
            )
        rows.sort(key=lambda row: row.cells["instrument"].sort_key)
        return Listing(
            "instruments",
            "Instruments",
            "Every agreement, convention, memorandum, declaration, model and process in the graph, "
            "with its type, its first known date (at the precision of the text), the States "
            "taking part and how many cooperation modalities it covers.",
            (
                Column("instrument", "Instrument"),
                Column("type", "Type"),
                Column("date", "First date"),
                Column("states", "States taking part"),
                Column("modalities", "Modalities", numeric=True),
                Column("region", "Region"),
            ),
            _facets("type", "legal_nature", "group", "crime", "target_group", "region", "year"),
            tuple(rows),
        )

    def states_listing(self) -> Listing:
        rows = []
        for state in self.states:
            iri = str(state["iri"])
            instruments = sorted(self.state_instruments.get(iri, ()))
            partners = {
                partner
                for instrument in instruments
                for partner in self.facts.state_parties.get(instrument, ())
                if partner != iri
            }
            facets = self._merged_facets(instruments)
            # A State's region is where it lies (M49), not where its instruments reach.
            facets["region"] = tuple(sorted(self.state_regions.get(iri, ())))
            facets["status"] = ("former State",) if state["former"] else ("State",)
            rows.append(
                ListingRow(
                    {
                        "state": Cell(
                            links=(Link(str(state["label"]), iri),),
                            sort=str(state["label"]).casefold(),
                        ),
                        "alpha3": Cell(str(state["alpha3"] or state["iso3"])),
                        "alpha2": Cell(str(state["alpha2"])),
                        "instruments": Cell(str(len(instruments)), sort=float(len(instruments))),
                        "partners": Cell(str(len(partners)), sort=float(len(partners))),
                        "status": Cell("former State" if state["former"] else ""),
                    },
                    facets,
                )
            )
        rows.sort(key=lambda row: row.cells["state"].sort_key)
        return Listing(
            "states",
            "States",
            "Every State in the graph with its ISO 3166 codes, the number of instruments it takes "
            "part in (itself or through an agency acting for it) and of partner States it shares "
            "them with. The facets filter by what those instruments are and cover.",
            (
                Column("state", "State"),
                Column("alpha3", "ISO alpha-3"),
                Column("alpha2", "ISO alpha-2"),
                Column("instruments", "Instruments", numeric=True),
                Column("partners", "Partner States", numeric=True),
                Column("status", "Status"),
            ),
            _facets(
                "status", "type", "legal_nature", "group", "crime", "target_group", "region", "year"
            ),
            tuple(rows),
        )

    def modalities_listing(self) -> Listing:
        covering: dict[str, set[str]] = defaultdict(set)
        for instrument, modalities in self.facts.modalities.items():
            for modality in modalities:
                for ancestor in self.ancestors(modality):
                    covering[ancestor].add(instrument)
        rows = []
        for iri, entry in self.modalities.items():
            instruments = sorted(covering.get(iri, ()))
            states = {s for i in instruments for s in self.facts.state_parties.get(i, ())}
            groups = tuple(sorted(self.labels.label(t) for t in entry["top"]))  # type: ignore[attr-defined]
            broader = self.labels.links(entry["broader"])  # type: ignore[arg-type]
            rows.append(
                ListingRow(
                    {
                        "modality": Cell(
                            links=(Link(str(entry["label"]), iri),),
                            sort=str(entry["label"]).casefold(),
                        ),
                        "group": Cell("; ".join(groups)),
                        "broader": Cell(links=broader),
                        "instruments": Cell(str(len(instruments)), sort=float(len(instruments))),
                        "states": Cell(str(len(states)), sort=float(len(states))),
                    },
                    {
                        "group": groups,
                        **{
                            k: v
                            for k, v in self._merged_facets(instruments).items()
                            if k in ("type", "region", "year")
                        },
                    },
                )
            )
        rows.sort(key=lambda row: (row.cells["group"].plain, row.cells["modality"].sort_key))
        return Listing(
            "modalities",
            "Cooperation modalities",
            "The forms of cooperation the instruments provide for, as a SKOS scheme: each with "
            "its group (the top concept it falls under) and how many instruments cover it or a "
            "narrower modality, and how many States are party to them.",
            (
                Column("modality", "Modality"),
                Column("group", "Group"),
                Column("broader", "Broader modality"),
                Column("instruments", "Instruments", numeric=True),
                Column("states", "States", numeric=True),
            ),
            _facets("group", "type", "region", "year"),
            tuple(rows),
        )

    def organisations_listing(self) -> Listing:
        rows = []
        for iri, entry in self.organisations.items():
            roles = self.organisation_roles.get(iri, set())
            role_names = tuple(sorted({role for role, _ in roles}))
            instruments = sorted({related for _, related in roles if related in self.facts.labels})
            types = tuple(sorted(entry["types"]))  # type: ignore[call-overload]
            rows.append(
                ListingRow(
                    {
                        "organisation": Cell(
                            links=(Link(str(entry["label"]), iri),),
                            sort=str(entry["label"]).casefold(),
                        ),
                        "type": Cell("; ".join(types)),
                        "roles": Cell("; ".join(role_names)),
                        "instruments": Cell(
                            links=self.labels.links(instruments), sort=float(len(instruments))
                        ),
                    },
                    {"organisation_type": types, "role": role_names},
                )
            )
        rows.sort(key=lambda row: row.cells["organisation"].sort_key)
        return Listing(
            "organisations",
            "Organisations",
            "Every organisation the text names, with its type, the roles it plays (drafter, "
            "facilitator, agency acting for a State, ...) and the instruments it plays them in.",
            (
                Column("organisation", "Organisation"),
                Column("type", "Type"),
                Column("roles", "Roles"),
                Column("instruments", "Instruments"),
            ),
            _facets("organisation_type", "role"),
            tuple(rows),
        )

    def listings(self) -> list[Listing]:
        return [
            self.states_listing(),
            self.instruments_listing(),
            self.modalities_listing(),
            self.organisations_listing(),
        ]

    def ancestors(self, modality: str) -> set[str]:
        """The modality and every broader one."""
        found: set[str] = set()
        waiting = [modality]
        while waiting:
            current = waiting.pop()
            if current in found:
                continue
            found.add(current)
            entry = self.modalities.get(current)
            if entry is not None:
                waiting.extend(entry["broader"])  # type: ignore[arg-type]
        return found

    # --- Search --------------------------------------------------------------------------

    def search_index(self) -> list[dict[str, object]]:
        """One entry per entity with a page: its label, kind, page, and every name it goes by
        ([name, how, normalised key])."""
        names: dict[str, dict[str, object]] = {}
        for row in select(self.engine, q.NAMES):
            iri = str(row["term"])
            path = page_path(iri)
            if path is None:
                continue
            entry = names.setdefault(
                iri,
                {
                    "label": self.labels.label(iri),
                    "kind": KIND_NAMES[str(row["kind"])][0],
                    "page": path,
                    "names": [],
                },
            )
            name = str(row["name"]).strip()
            listed = entry["names"]
            assert isinstance(listed, list)
            if name and all(name != known[0] for known in listed):
                listed.append([name, str(row["how"]), normalise_name(name)])
        for entry in names.values():
            entry["names"].sort(key=lambda n: (n[1] != "name", n[0]))  # type: ignore[attr-defined]
        return sorted(names.values(), key=lambda e: (str(e["kind"]), str(e["label"]).casefold()))


def _facets(*keys: str) -> tuple[Facet, ...]:
    return tuple(Facet(key, FACET_NAMES[key]) for key in keys)
