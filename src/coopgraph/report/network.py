"""The cooperation network: States linked by the instruments that engage them, drawn.

`cooperation_network` reads the network through an engine with one SPARQL query: a node
for each State that an instrument `cg:engages` (bound by it, a signatory, or acted for by
its agency; labelled with its rdfs:label, flagged when it is a `cg:FormerState`), and an
edge for each pair of States and each instrument that engages both. `draw_network` draws
it to SVG and PNG with matplotlib's Agg renderer (no display needed);
`coopgraph.report.layout` places the nodes.

Colouring rule: an instrument covers many modalities, so all its edges take the colour of
one *modality group*, a top concept of the modality scheme. Each modality the instrument
covers counts once for every top concept it falls under (`skos:broader*`); the group with
the most modalities wins. When two or more groups hold the most, no group wins: the
instrument is drawn as `SEVERAL_GROUPS` (black), never silently as the group listed first.
An instrument that covers no modality gets `NO_GROUP`, drawn grey. `GROUP_ORDER` (the order
of the top concepts in ontology/modalities.ttl: law enforcement cooperation, judicial
cooperation, victim protection, capacity building, ...) orders the legend.

`cooperation_network(engine, modality=IRI)` keeps only the instruments that cover the
modality or a narrower one (`cg:coversModalityWithin`), for a picture of one modality.

Parallel edges stay visible: a pair of States sharing k instruments gets k lines, each in
its own instrument's colour, bent symmetrically about the straight line (a single line is
straight). A former State has a dashed outline and an italic label. The drawing is
reproducible: the layout is deterministic, the SVG keeps text as text and has fixed ids and
no date, so the same network gives the same SVG bytes.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import matplotlib as mpl
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerPatch
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch
from matplotlib.text import Annotation
from rdflib import Literal, URIRef
from rdflib.term import Node

from coopgraph.model.namespaces import MODALITY, MODALITY_SCHEME
from coopgraph.outputs import write_atomically
from coopgraph.query.engine import QueryEngine
from coopgraph.report.layout import GAP, Point, layout

# --- The network -----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ModalityGroup:
    """A top concept of the modality scheme; `iri` is None for "no modality recorded"."""

    iri: URIRef | None
    label: str


NO_GROUP = ModalityGroup(None, "no modality recorded")
# The instruments whose modalities are shared equally by two groups or more.
SEVERAL_GROUPS = ModalityGroup(None, "several groups (a tie)")

# The scheme's top concepts in the order of ontology/modalities.ttl. The order breaks ties
# between groups and orders the legend.
GROUP_ORDER: tuple[URIRef, ...] = (
    MODALITY["law-enforcement-cooperation"],
    MODALITY["judicial-cooperation-in-criminal-matters"],
    MODALITY["victim-protection-and-assistance"],
    MODALITY["capacity-building"],
    MODALITY["prevention"],
    MODALITY["legislation"],
    MODALITY["migration-and-border-management"],
    MODALITY["policy-coordination"],
)


@dataclass(frozen=True, order=True)
class StateNode:
    iri: URIRef
    label: str
    former: bool


@dataclass(frozen=True, order=True)
class Edge:
    """Two States (in IRI order) that are both parties to `instrument`."""

    states: tuple[URIRef, URIRef]
    instrument: URIRef
    instrument_label: str
    group: ModalityGroup


@dataclass(frozen=True)
class Network:
    """States in IRI order; edges in (pair of States, instrument) order."""

    nodes: tuple[StateNode, ...]
    edges: tuple[Edge, ...]

    def groups(self) -> tuple[ModalityGroup, ...]:
        """The modality groups of the edges, in legend order (`NO_GROUP` last)."""
        return tuple(sorted({edge.group for edge in self.edges}, key=_group_rank))

    def instruments(self, group: ModalityGroup | None = None) -> frozenset[URIRef]:
        """The instruments of the edges (of the edges of `group`, when given)."""
        return frozenset(
            edge.instrument for edge in self.edges if group is None or edge.group == group
        )


_ENGLISH = 'FILTER(LANG(?{0}) = "" || LANGMATCHES(LANG(?{0}), "en"))'

NETWORK_QUERY = f"""\
PREFIX cg: <https://w3id.org/coopgraph/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?instrument ?instrumentLabel ?state ?stateLabel ?former ?group ?groupLabel ?modalities
WHERE {{
  ?instrument cg:engages ?state .
  ?state a cg:State .
  BIND(EXISTS {{ ?state a cg:FormerState }} AS ?former)
  OPTIONAL {{ ?state rdfs:label ?stateLabel . {_ENGLISH.format("stateLabel")} }}
  OPTIONAL {{ ?instrument rdfs:label ?instrumentLabel . {_ENGLISH.format("instrumentLabel")} }}
  OPTIONAL {{
    {{
      SELECT ?instrument ?group (COUNT(DISTINCT ?modality) AS ?modalities) WHERE {{
        ?instrument cg:coversModality ?modality .
        ?modality skos:broader* ?group .
        ?group skos:topConceptOf <{MODALITY_SCHEME}> .
      }}
      GROUP BY ?instrument ?group
    }}
    OPTIONAL {{ ?group skos:prefLabel ?groupLabel . {_ENGLISH.format("groupLabel")} }}
  }}
}}
"""


COVERING_QUERY = """\
PREFIX cg: <https://w3id.org/coopgraph/def/>
SELECT DISTINCT ?instrument WHERE { ?instrument cg:coversModalityWithin ?modality }
"""


def cooperation_network(engine: QueryEngine, modality: URIRef | None = None) -> Network:
    """The States that are parties to an instrument, with an edge for each instrument that
    two of them share, in the modality group of the instrument (see the module doc); with
    `modality`, only the instruments that cover it or a narrower modality."""
    covering: set[Node] | None = None
    if modality is not None:
        rows = engine.select(COVERING_QUERY, {"modality": modality}).rows
        covering = {row[0] for row in rows if row[0] is not None}
    states: dict[URIRef, StateNode] = {}
    parties: dict[URIRef, set[URIRef]] = defaultdict(set)
    labels: dict[URIRef, str] = {}
    group_sizes: dict[URIRef, dict[ModalityGroup, int]] = defaultdict(dict)
    for row in engine.select(NETWORK_QUERY).as_dicts():
        instrument, state = row["instrument"], row["state"]
        if not isinstance(instrument, URIRef) or not isinstance(state, URIRef):
            continue  # a blank node has no name to show
        if covering is not None and instrument not in covering:
            continue
        node = StateNode(state, _text(row.get("stateLabel"), state), _true(row.get("former")))
        states[state] = min(node, states.get(state, node))  # one label when there are several
        parties[instrument].add(state)
        label = _text(row.get("instrumentLabel"), instrument)
        labels[instrument] = min(label, labels.get(instrument, label))
        group = row.get("group")
        if isinstance(group, URIRef):
            key = ModalityGroup(group, _text(row.get("groupLabel"), group))
            group_sizes[instrument][key] = _count(row.get("modalities"))
    edges = [
        Edge(pair, instrument, labels[instrument], main_group(group_sizes[instrument]))
        for instrument, members in parties.items()
        for pair in combinations(sorted(members), 2)
    ]
    return Network(tuple(sorted(states.values())), tuple(sorted(edges)))


def main_group(sizes: Mapping[ModalityGroup, int]) -> ModalityGroup:
    """The group holding the most of an instrument's modalities (`sizes`: modalities per
    group); SEVERAL_GROUPS when two or more hold the most; no modality at all: NO_GROUP."""
    if not sizes:
        return NO_GROUP
    most = max(sizes.values())
    leaders = [group for group, size in sizes.items() if size == most]
    return leaders[0] if len(leaders) == 1 else SEVERAL_GROUPS


def _group_rank(group: ModalityGroup) -> tuple[int, str]:
    """Legend order: GROUP_ORDER, then other top concepts, SEVERAL_GROUPS, NO_GROUP."""
    if group == SEVERAL_GROUPS:
        return (len(GROUP_ORDER) + 1, "")
    if group.iri is None:
        return (len(GROUP_ORDER) + 2, "")
    if group.iri in GROUP_ORDER:
        return (GROUP_ORDER.index(group.iri), "")
    return (len(GROUP_ORDER), str(group.iri))


def _text(term: Node | None, fallback: URIRef) -> str:
    if isinstance(term, Literal) and str(term).strip():
        return str(term).strip()
    return _local_name(fallback)


def _local_name(iri: URIRef) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _true(term: Node | None) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


def _count(term: Node | None) -> int:
    value = term.toPython() if isinstance(term, Literal) else 0
    return value if isinstance(value, int) else 0


# --- Drawing -------------------------------------------------------------------------------

TITLE = "Cooperation against trafficking in persons: States that share an instrument"
NOTE = (
    "One line for each instrument two States are both parties to;\n"
    "a pair sharing several instruments gets several curved lines.\n"
    "Colour: the modality group (top concept of the modality scheme)\n"
    "holding most of the instrument's modalities; black when two or\n"
    "more groups hold as many. Dashed outline, italic label: former State."
)
# Okabe-Ito and Tol colours, told apart with the common colour-vision deficiencies.
GROUP_COLOURS: Mapping[URIRef, str] = dict(
    zip(
        GROUP_ORDER,
        ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#8C6D1F", "#882255"),
        strict=True,
    )
)
SPARE_COLOURS = ("#44AA99", "#999933", "#AA4499", "#332288")  # for top concepts added later
NO_GROUP_COLOUR = "#9A9A9A"
SEVERAL_COLOUR = "#111111"
NODE_SIZE = 260.0  # marker area in points²
NODE_RADIUS = math.sqrt(NODE_SIZE) / 2  # points
NODE_FILL = "#F2F2F2"
NODE_EDGE = "#333333"
FORMER_DASHES = (0, (2.5, 1.5))
LABEL_OFFSET = 8.0  # points between a node's outline and its label
BEND = 0.3  # arc3 `rad` between neighbouring parallel lines
WIDTH = 15.0  # inches; the height follows the drawing's shape
PNG_DPI = 150


def draw_network(network: Network, svg_path: Path, png_path: Path) -> None:
    """Draw `network` to an SVG and a PNG file, each written atomically (a temporary file
    renamed into place); raises CoopgraphError when a file cannot be written."""
    with mpl.rc_context(
        {
            "svg.hashsalt": "coopgraph",  # fixed ids: the same picture gives the same bytes
            "svg.fonttype": "none",  # text stays text: searchable, selectable, small
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: same metrics everywhere
        }
    ):
        figure = _figure(network)
        svg = io.BytesIO()
        figure.savefig(svg, format="svg", metadata={"Date": None, "Title": TITLE})
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
    write_atomically(svg_path, svg.getvalue())
    write_atomically(png_path, png.getvalue())


def _figure(network: Network) -> Figure:
    weights: dict[tuple[URIRef, URIRef], int] = defaultdict(int)
    for edge in network.edges:
        weights[edge.states] += 1
    positions = layout([node.iri for node in network.nodes], weights)
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    aspect = (max(xs) - min(xs) + GAP[0]) / (max(ys) - min(ys) + GAP[1])
    # The drawing gets about 70 % of the width (the legend the rest), plus room for a title.
    height = min(max(0.7 * WIDTH / aspect + 1.2, 6.0), 12.0)
    figure = Figure(figsize=(WIDTH, round(height, 1)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_aspect("equal")
    axes.set_title(TITLE, fontsize=15, loc="left")
    colours = _palette(network.groups())
    _draw_edges(axes, network.edges, positions, colours)
    _draw_nodes(axes, network.nodes, positions)
    labels = _draw_labels(axes, network, positions)
    _legend(axes, network, colours)
    _fit(figure, axes, positions, labels)
    return figure


def _palette(groups: Sequence[ModalityGroup]) -> dict[ModalityGroup, str]:
    colours: dict[ModalityGroup, str] = {}
    spare = 0
    for group in groups:
        if group == SEVERAL_GROUPS:
            colours[group] = SEVERAL_COLOUR
        elif group.iri is None:
            colours[group] = NO_GROUP_COLOUR
        elif group.iri in GROUP_COLOURS:
            colours[group] = GROUP_COLOURS[group.iri]
        else:
            colours[group] = SPARE_COLOURS[spare % len(SPARE_COLOURS)]
            spare += 1
    return colours


def _draw_edges(
    axes: Axes,
    edges: Sequence[Edge],
    positions: Mapping[URIRef, Point],
    colours: Mapping[ModalityGroup, str],
) -> None:
    by_pair: dict[tuple[URIRef, URIRef], list[Edge]] = defaultdict(list)
    for edge in edges:
        by_pair[edge.states].append(edge)
    for (a, b), shared in sorted(by_pair.items()):
        shared.sort(key=lambda edge: (_group_rank(edge.group), edge.instrument))
        for index, edge in enumerate(shared):
            bend = (index - (len(shared) - 1) / 2) * BEND
            axes.add_patch(
                FancyArrowPatch(
                    positions[a],
                    positions[b],
                    arrowstyle="-",
                    connectionstyle=f"arc3,rad={bend:.3f}",
                    shrinkA=NODE_RADIUS,
                    shrinkB=NODE_RADIUS,
                    color=colours[edge.group],
                    linewidth=2.0,
                    alpha=0.85,
                    zorder=1,
                    gid=f"edge_{_local_name(a)}_{_local_name(b)}_{_local_name(edge.instrument)}",
                )
            )


def _draw_nodes(axes: Axes, nodes: Sequence[StateNode], positions: Mapping[URIRef, Point]) -> None:
    for former in (False, True):
        chosen = [node for node in nodes if node.former == former]
        if chosen:
            axes.scatter(
                [positions[node.iri][0] for node in chosen],
                [positions[node.iri][1] for node in chosen],
                s=NODE_SIZE,
                c=NODE_FILL,
                edgecolors=NODE_EDGE,
                linewidths=1.8 if former else 1.4,
                linestyles=FORMER_DASHES if former else "solid",
                zorder=3,
                gid="former-states" if former else "states",
            )


def _draw_labels(
    axes: Axes, network: Network, positions: Mapping[URIRef, Point]
) -> list[Annotation]:
    """Each label in the widest angle its node's lines leave free: outside its cluster,
    and clear of the line to a State hanging off the cluster."""
    neighbours: dict[URIRef, set[URIRef]] = defaultdict(set)
    for edge in network.edges:
        neighbours[edge.states[0]].add(edge.states[1])
        neighbours[edge.states[1]].add(edge.states[0])
    labels = []
    for node in network.nodes:
        x, y = positions[node.iri]
        angle = free_direction(
            [
                math.atan2(positions[other][1] - y, positions[other][0] - x)
                for other in sorted(neighbours[node.iri])
            ]
        )
        dx, dy = math.cos(angle), math.sin(angle)
        reach = NODE_RADIUS + LABEL_OFFSET
        labels.append(
            axes.annotate(
                node.label,
                (x, y),
                xytext=(dx * reach, dy * reach),
                textcoords="offset points",
                ha="left" if dx > 0.3 else "right" if dx < -0.3 else "center",
                va="bottom" if dy > 0.3 else "top" if dy < -0.3 else "center",
                fontsize=11,
                fontstyle="italic" if node.former else "normal",
                zorder=4,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85},
                gid=f"label_{_local_name(node.iri)}",
            )
        )
    return labels


def free_direction(angles: Sequence[float]) -> float:
    """The bisector of the widest gap between `angles` (radians); straight down if none."""
    if not angles:
        return -math.pi / 2
    ordered = sorted(angle % (2 * math.pi) for angle in angles)
    gaps = [
        ((ordered[(i + 1) % len(ordered)] - start) % (2 * math.pi) or 2 * math.pi, start)
        for i, start in enumerate(ordered)
    ]
    width, start = max(gaps, key=lambda gap: (round(gap[0], 9), -gap[1]))
    return start + width / 2


def _fit(
    figure: Figure, axes: Axes, positions: Mapping[URIRef, Point], labels: Sequence[Annotation]
) -> None:
    """Axis limits that hold every node and every label: the labels are measured after a
    layout pass, twice, since wider limits make them smaller in data units."""
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    margin = 0.6
    left, right = min(xs) - margin, max(xs) + margin
    bottom, top = min(ys) - margin, max(ys) + margin
    for _ in range(2):
        axes.set_xlim(left, right)
        axes.set_ylim(bottom, top)
        figure.draw_without_rendering()
        to_data = axes.transData.inverted()
        for label in labels:
            (x0, y0), (x1, y1) = to_data.transform(label.get_window_extent().get_points())
            left, right = min(left, x0 - 0.1), max(right, x1 + 0.1)
            bottom, top = min(bottom, y0 - 0.1), max(top, y1 + 0.1)
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)


def _legend(axes: Axes, network: Network, colours: Mapping[ModalityGroup, str]) -> None:
    handles: list[Artist] = []
    for group in network.groups():
        count = len(network.instruments(group))
        label = f"{group.label} ({count} instrument{'s' if count != 1 else ''})"
        handles.append(Line2D([], [], color=colours[group], linewidth=2.5, label=label))
    for label, dashes, width in (
        ("State", "solid", 1.4),
        ("former State", FORMER_DASHES, 1.8),
    ):
        handles.append(
            Circle(
                (0, 0), fc=NODE_FILL, ec=NODE_EDGE, linestyle=dashes, linewidth=width, label=label
            )
        )
    axes.legend(
        handles=handles,
        handler_map={Circle: HandlerPatch(patch_func=_legend_circle)},
        title="Modality group of the shared instrument",
        title_fontsize=11,
        fontsize=10.5,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        alignment="left",
    )
    axes.text(1.0, 0.0, NOTE, transform=axes.transAxes, fontsize=9.5, color="#444444")


def _legend_circle(
    legend: Legend,
    orig_handle: Artist,
    xdescent: float,
    ydescent: float,
    width: float,
    height: float,
    fontsize: float,
) -> Circle:
    del legend, orig_handle, fontsize
    return Circle((width / 2 - xdescent, height / 2 - ydescent), radius=height * 0.7)
