"""The pictures of the report pages, as data: Vega-Lite specifications (map, timeline, bar
charts, the coverage matrix) and the elements of the interactive network (Cytoscape.js).

Everything here is plain JSON-ready data built from the graph; the page's script hands a
specification to vega-embed, or the network data to Cytoscape.js. Data travel inside the
specification (`values`), never as a URL, so the pages work from the file system, where a
browser refuses to fetch.

- The map: the Natural Earth countries of `world-atlas` (countries-110m.json, TopoJSON, its
  features' ids are ISO 3166-1 numeric codes), each State matched by its `cg:iso3166Numeric`;
  coloured by the number of instruments it takes part in, or by the instruments covering one
  chosen modality (the page switches between them). A former State has no shape of its own:
  the page lists it beside the map.
- The timeline: one mark per dated event of an instrument, spanning the period the text's
  date covers: a year is drawn as a bar across that year, a month across that month, a day as
  a point; never a year as 1 January.
- The network: States, instruments and (optionally) organisations; an instrument with more
  than two State parties is one hub node linked to its parties (not a clique of lines), a
  bilateral one a line between its two parties. Colour shows the modality groups of an
  instrument: a hub shows every group it has (a pie), a line takes its group when it has one,
  and is drawn as "several groups" when it has more; never the first group of a tie.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from rdflib import URIRef

from coopgraph.report.listings import Graph
from coopgraph.report.network import (
    GROUP_COLOURS,
    GROUP_ORDER,
    NO_GROUP_COLOUR,
    SEVERAL_COLOUR,
    SPARE_COLOURS,
)
from coopgraph.report.terms import DateValue, page_path

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
VENDOR = Path(__file__).resolve().parent / "static" / "vendor"
WORLD_ATLAS = VENDOR / "world-atlas" / "countries-110m.json"

Spec = dict[str, object]


def world_topology() -> dict[str, object]:
    """The vendored Natural Earth countries (TopoJSON)."""
    data = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def country_ids() -> set[str]:
    """The ISO 3166-1 numeric codes the world map has a shape for."""
    objects = world_topology()["objects"]
    assert isinstance(objects, dict)
    return {str(g.get("id")) for g in objects["countries"]["geometries"] if g.get("id")}


# --- The map --------------------------------------------------------------------------------


def map_data(graph: Graph) -> dict[str, object]:
    """The States with their numeric codes, counts and the modalities their instruments
    cover; the former States apart, since the map has no shape for them."""
    shapes = country_ids()
    states: list[dict[str, object]] = []
    former: list[dict[str, object]] = []
    for state in graph.states:
        iri = str(state["iri"])
        instruments = sorted(graph.state_instruments.get(iri, ()))
        modalities: dict[str, int] = defaultdict(int)
        for instrument in instruments:
            covered = {
                ancestor
                for modality in graph.facts.modalities.get(instrument, ())
                for ancestor in graph.ancestors(modality)
            }
            for modality in covered:
                modalities[modality] += 1
        entry: dict[str, object] = {
            "id": str(state["numeric"]),
            "name": str(state["label"]),
            "page": page_path(iri),
            "instruments": len(instruments),
            "modalities": dict(sorted(modalities.items())),
        }
        if state["former"] or str(state["numeric"]) not in shapes:
            former.append(entry)
        else:
            states.append(entry)
    modality_names = sorted(
        ((iri, str(entry["label"])) for iri, entry in graph.modalities.items()),
        key=lambda item: item[1].casefold(),
    )
    return {"states": states, "unmapped": former, "modalities": modality_names}


def map_spec(
    states: Sequence[Mapping[str, object]], topology: Mapping[str, object] | None = None
) -> Spec:
    """A world map: every country in grey, the States of the graph coloured by `value` (the
    page sets it to the count it shows), with their names and counts on hover. Without
    `topology` the countries' data is left empty for the page to fill in (the site loads the
    shapes once, from static/world.js)."""
    values = [
        {"id": s["id"], "name": s["name"], "value": s["instruments"], "page": s["page"]}
        for s in states
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container",
        "height": 460,
        "projection": {"type": "equalEarth"},
        "layer": [
            {
                "data": {
                    "values": topology or {},
                    "format": {"type": "topojson", "feature": "countries"},
                },
                "mark": {
                    "type": "geoshape",
                    "fill": "#e6e9ec",
                    "stroke": "#ffffff",
                    "strokeWidth": 0.5,
                    "aria": False,  # the world behind the States: nothing to read out
                },
            },
            {
                "data": {
                    "values": topology or {},
                    "format": {"type": "topojson", "feature": "countries"},
                },
                "transform": [
                    {
                        "lookup": "id",
                        "from": {
                            "data": {"values": values},
                            "key": "id",
                            "fields": ["name", "value", "page"],
                        },
                    },
                    {"filter": "datum.name != null"},
                ],
                "mark": {
                    "type": "geoshape",
                    "stroke": "#333333",
                    "strokeWidth": 0.6,
                    "cursor": "pointer",
                },
                "encoding": {
                    "color": {
                        "field": "value",
                        "type": "quantitative",
                        "title": "instruments",
                        "scale": {"scheme": "blues", "domainMin": 0},
                        # The title names the chosen modality: long names must not be cut.
                        "legend": {"format": "d", "tickMinStep": 1, "titleLimit": 600},
                    },
                    "tooltip": [
                        {"field": "name", "type": "nominal", "title": "State"},
                        {"field": "value", "type": "quantitative", "title": "instruments"},
                    ],
                },
            },
        ],
    }


# --- The timeline ---------------------------------------------------------------------------

EVENT_NAMES = {
    "signed": "signature",
    "concluded": "conclusion",
    "adopted": "adoption",
    "in_force": "entry into force",
    "started": "start",
}


def timeline_data(graph: Graph) -> list[dict[str, object]]:
    """One entry per dated event of an instrument, with the period its date covers."""
    events: list[dict[str, object]] = []
    for instrument, dates in graph.facts.dates.items():
        for key, date in sorted(dates.items()):
            events.append(_event(graph, instrument, EVENT_NAMES[key], date))
    events.sort(key=lambda e: (str(e["start"]), str(e["instrument"])))
    return events


def _event(graph: Graph, instrument: str, event: str, date: DateValue) -> dict[str, object]:
    return {
        "instrument": graph.facts.labels.get(instrument, instrument),
        "page": page_path(instrument),
        "event": event,
        "date": date.shown,
        "precision": date.precision,
        "start": date.start,
        "end": date.end,
        "type": "; ".join(graph.facts.types.get(instrument, ())),
    }


def timeline_spec(events: Sequence[Mapping[str, object]]) -> Spec:
    """Instruments down the side, time across: a bar over the year or month a date covers,
    a point on the day of a dated event."""
    encoding_y = {
        "field": "instrument",
        "type": "nominal",
        "title": None,
        "sort": {"field": "start", "op": "min"},
        "axis": {"labelLimit": 420},
    }
    tooltip = [
        {"field": "instrument", "type": "nominal", "title": "instrument"},
        {"field": "event", "type": "nominal"},
        {"field": "date", "type": "nominal", "title": "date (as the text gives it)"},
        {"field": "precision", "type": "nominal"},
    ]
    colour = {
        "field": "event",
        "type": "nominal",
        "title": "event",
        "scale": {"range": ["#0072B2", "#D55E00", "#009E73"]},
    }
    periods = {
        "transform": [{"filter": "datum.precision != 'day'"}],
        "mark": {"type": "bar", "height": 12, "cornerRadius": 2, "cursor": "pointer"},
        "encoding": {
            "y": encoding_y,
            "x": {"field": "start", "type": "temporal", "title": "date, at the text's precision"},
            "x2": {"field": "end"},
            "color": colour,
            "tooltip": tooltip,
        },
    }
    days = {
        "transform": [{"filter": "datum.precision == 'day'"}],
        "mark": {
            "type": "point",
            "filled": True,
            "size": 90,
            "shape": "diamond",
            "cursor": "pointer",
        },
        "encoding": {
            "y": encoding_y,
            "x": {"field": "start", "type": "temporal", "title": "date, at the text's precision"},
            "color": colour,
            "tooltip": tooltip,
        },
    }
    # A layer only for marks there are: an empty one is a picture without a description.
    layers = [
        layer
        for layer, wanted in (
            (periods, any(e["precision"] != "day" for e in events)),
            (days, any(e["precision"] == "day" for e in events)),
        )
        if wanted
    ]
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container",
        "height": {"step": 24},
        "data": {"values": list(events)},
        "layer": layers,
    }


# --- Bar charts and the coverage matrix -------------------------------------------------------


def bar_spec(values: Sequence[Mapping[str, object]], category: str, measure: str) -> Spec:
    """Horizontal bars, longest first: `values` are {"category", "value", "page"}."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "width": "container",
        "height": {"step": 20},
        "data": {"values": list(values)},
        "mark": {"type": "bar", "cursor": "pointer", "color": "#0b5d8c"},
        "encoding": {
            "y": {
                "field": "category",
                "type": "nominal",
                "title": category,
                "sort": "-x",
                "axis": {"labelLimit": 360},
            },
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": measure,
                "axis": {"tickMinStep": 1},
            },
            "tooltip": [
                {"field": "category", "type": "nominal", "title": category},
                {"field": "value", "type": "quantitative", "title": measure},
            ],
        },
    }


def matrix_spec(
    values: Sequence[Mapping[str, object]], rows: str, columns: str, measure: str
) -> Spec:
    """A heat map: `values` are {"row", "column", "value"}."""
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "data": {"values": list(values)},
        "mark": {"type": "rect", "stroke": "#ffffff"},
        "width": {"step": 16},
        "height": {"step": 16},
        "encoding": {
            "y": {"field": "row", "type": "nominal", "title": rows},
            "x": {
                "field": "column",
                "type": "nominal",
                "title": columns,
                "axis": {"labelAngle": -50, "labelLimit": 220},
            },
            "color": {
                "field": "value",
                "type": "quantitative",
                "title": measure,
                "scale": {"scheme": "blues"},
                "legend": {"format": "d", "tickMinStep": 1},
            },
            "tooltip": [
                {"field": "row", "type": "nominal", "title": rows},
                {"field": "column", "type": "nominal", "title": columns},
                {"field": "value", "type": "quantitative", "title": measure},
            ],
        },
    }


# --- The network ----------------------------------------------------------------------------


def group_palette(graph: Graph) -> list[dict[str, str]]:
    """The modality groups in legend order with their colours, then "several" and "none"."""
    known = set(graph.facts.group_labels)
    ordered = [str(g) for g in GROUP_ORDER if str(g) in known]
    ordered += sorted(known - set(ordered))
    spare = iter(SPARE_COLOURS * len(ordered))
    palette = [
        {
            "iri": group,
            "label": graph.facts.group_labels[group],
            "colour": GROUP_COLOURS.get(URIRef(group)) or next(spare),
        }
        for group in ordered
    ]
    palette.append({"iri": "several", "label": "several groups", "colour": SEVERAL_COLOUR})
    palette.append({"iri": "none", "label": "no modality recorded", "colour": NO_GROUP_COLOUR})
    return palette


def network_data(graph: Graph) -> dict[str, object]:
    """What the network page's script draws and filters: States, instruments (with their
    State parties, organisations, types and modality groups) and organisations."""
    facts = graph.facts
    states = {str(s["iri"]): s for s in graph.states}
    instruments = []
    used_states: set[str] = set()
    used_organisations: set[str] = set()
    for iri, label in sorted(facts.labels.items(), key=lambda item: item[1].casefold()):
        members = sorted(s for s in graph.instrument_states.get(iri, ()) if s in states)
        organisations = sorted(
            {agent for agent, _ in facts.participants.get(iri, ()) if agent in graph.organisations}
        )
        if not members and not organisations:
            continue
        used_states.update(members)
        used_organisations.update(organisations)
        groups = facts.groups.get(iri, {})
        instruments.append(
            {
                "id": iri,
                "label": label,
                "page": page_path(iri),
                "types": list(facts.types.get(iri, ())),
                "states": members,
                "organisations": organisations,
                "modalities": sorted(
                    {a for m in facts.modalities.get(iri, ()) for a in graph.ancestors(m)}
                ),
                "groups": {g: len(m) for g, m in sorted(groups.items())},
            }
        )
    modality_names = sorted(
        ((iri, str(entry["label"])) for iri, entry in graph.modalities.items()),
        key=lambda item: item[1].casefold(),
    )
    types = sorted({t for i in instruments for t in i["types"]})  # type: ignore[union-attr]
    return {
        "states": [
            {
                "id": iri,
                "label": str(states[iri]["label"]),
                "page": page_path(iri),
                "former": bool(states[iri]["former"]),
            }
            for iri in sorted(used_states, key=lambda i: str(states[i]["label"]))
        ],
        "organisations": [
            {"id": iri, "label": str(graph.organisations[iri]["label"]), "page": page_path(iri)}
            for iri in sorted(
                used_organisations, key=lambda i: str(graph.organisations[i]["label"])
            )
        ],
        "instruments": instruments,
        "groups": group_palette(graph),
        "modalities": modality_names,
        "types": types,
    }
