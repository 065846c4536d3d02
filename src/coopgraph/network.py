"""The cooperation network: States linked by the instruments they are parties to, drawn.

`cooperation_network` reads the network from an engine with one SPARQL query: a node per
State that is `cg:hasParty` of some instrument, an edge per pair of States and instrument
they share. `draw_network` draws it to SVG and PNG with matplotlib (no display needed).

Colouring rule: an instrument covers many modalities, so its edges take the colour of one
*modality group*, a top concept of the modality scheme. Each modality the instrument covers
counts once for every top concept it falls under (`skos:broader*`); the group with the most
modalities wins, and a tie goes to the group listed first in `GROUP_ORDER` (the order of
the scheme's top concepts in ontology/modalities.ttl: law enforcement, judicial, victim
protection, ...). An instrument that covers no modality gets `NO_GROUP`, drawn grey.

Parallel edges stay visible: a pair of States sharing k instruments gets k lines, each in
its instrument's colour, bent symmetrically around the straight line (a single line is
straight). Former States (`cg:FormerState`, e.g. Serbia and Montenegro) have a dashed
outline. The layout is deterministic: each connected component is laid out on its own by a
seeded force-directed layout, and the components are packed in rows, largest first, so that
regional clusters (South-East Europe, West Africa, the Mekong) sit apart. The SVG keeps its
text as text, has a fixed id salt and no date, so the same network gives the same bytes.
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
import networkx as nx
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

from coopgraph.engine import QueryEngine
from coopgraph.export import write_atomically
from coopgraph.namespaces import MODALITY, MODALITY_SCHEME

# --- The network -----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ModalityGroup:
    """A top concept of the modality scheme; `iri` is None for "no modality recorded"."""

    iri: URIRef | None
    label: str


NO_GROUP = ModalityGroup(None, "no modality recorded")

# The scheme's top concepts in the order of ontology/modalities.ttl, with a colour each
# (Okabe-Ito and Tol colours, distinguishable with the common colour-vision deficiencies).
# The order breaks ties between groups and orders the legend.
GROUP_ORDER: tuple[URIRef, ...] = (
    MODALITY["law-enforcement-cooperation"],
    MODALITY["judicial-cooperation"],
    MODALITY["victim-protection-and-assistance"],
    MODALITY["capacity-building"],
    MODALITY["prevention"],
    MODALITY["legislative-cooperation"],
    MODALITY["migration-and-border-management"],
    MODALITY["policy-coordination"],
)
GROUP_COLOURS: Mapping[URIRef, str] = dict(
    zip(
        GROUP_ORDER,
        ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#8C6D1F", "#882255"),
        strict=True,
    )
)
# For a top concept added to the scheme later, before it is given a colour above.
_SPARE_COLOURS = ("#44AA99", "#999933", "#AA4499", "#332288")
NO_GROUP_COLOUR = "#9A9A9A"


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
    """Nodes in IRI order; edges in (state pair, instrument) order."""

    nodes: tuple[StateNode, ...]
    edges: tuple[Edge, ...]

    def groups(self) -> tuple[ModalityGroup, ...]:
        """The modality groups of the edges, in legend order (`NO_GROUP` last)."""
        return tuple(sorted({edge.group for edge in self.edges}, key=_group_rank))

    def instruments(self, group: ModalityGroup) -> frozenset[URIRef]:
        return frozenset(edge.instrument for edge in self.edges if edge.group == group)


NETWORK_QUERY = f"""\
PREFIX cg: <https://w3id.org/coopgraph/def/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?instrument ?instrumentLabel ?state ?stateLabel ?former ?group ?groupLabel ?modalities
WHERE {{
  ?instrument cg:hasParty ?state .
  ?state a cg:State .
  BIND(EXISTS {{ ?state a cg:FormerState }} AS ?former)
  OPTIONAL {{
    ?state rdfs:label ?stateLabel .
    FILTER(LANG(?stateLabel) = "" || LANGMATCHES(LANG(?stateLabel), "en"))
  }}
  OPTIONAL {{
    ?instrument rdfs:label ?instrumentLabel .
    FILTER(LANG(?instrumentLabel) = "" || LANGMATCHES(LANG(?instrumentLabel), "en"))
  }}
  OPTIONAL {{
    {{
      SELECT ?instrument ?group (COUNT(DISTINCT ?modality) AS ?modalities) WHERE {{
        ?instrument cg:coversModality ?modality .
        ?modality skos:broader* ?group .
        ?group skos:topConceptOf <{MODALITY_SCHEME}> .
      }}
      GROUP BY ?instrument ?group
    }}
    OPTIONAL {{
      ?group skos:prefLabel ?groupLabel .
      FILTER(LANG(?groupLabel) = "" || LANGMATCHES(LANG(?groupLabel), "en"))
    }}
  }}
}}
"""


def cooperation_network(engine: QueryEngine) -> Network:
    """The States that are parties to an instrument, and an edge for each instrument that
    two of them share, coloured by the instrument's modality group (see the module doc)."""
    states: dict[URIRef, StateNode] = {}
    parties: dict[URIRef, set[URIRef]] = defaultdict(set)
    instrument_labels: dict[URIRef, str] = {}
    group_sizes: dict[URIRef, dict[ModalityGroup, int]] = defaultdict(dict)
    for row in engine.select(NETWORK_QUERY).as_dicts():
        instrument, state = row["instrument"], row["state"]
        if not isinstance(instrument, URIRef) or not isinstance(state, URIRef):
            continue  # a blank node cannot be named in a picture
        states[state] = _first(
            states.get(state),
            StateNode(state, _text(row.get("stateLabel"), state), _true(row["former"])),
        )
        parties[instrument].add(state)
        label = _text(row.get("instrumentLabel"), instrument)
        instrument_labels[instrument] = min(label, instrument_labels.get(instrument, label))
        group = row.get("group")
        if isinstance(group, URIRef):
            modality_group = ModalityGroup(group, _text(row.get("groupLabel"), group))
            group_sizes[instrument][modality_group] = int(_number(row.get("modalities")))
    edges = [
        Edge(pair, instrument, instrument_labels[instrument], _main_group(group_sizes[instrument]))
        for instrument, members in parties.items()
        for pair in combinations(sorted(members), 2)
    ]
    return Network(tuple(sorted(states.values())), tuple(sorted(edges)))


def _main_group(sizes: Mapping[ModalityGroup, int]) -> ModalityGroup:
    """The group with the most modalities; a tie goes to the group first in GROUP_ORDER."""
    if not sizes:
        return NO_GROUP
    return min(sizes, key=lambda group: (-sizes[group], _group_rank(group)))


def _group_rank(group: ModalityGroup) -> tuple[int, str, str]:
    if group.iri is None:
        return (len(GROUP_ORDER) + 1, "", group.label)
    if group.iri in GROUP_ORDER:
        return (GROUP_ORDER.index(group.iri), "", group.label)
    return (len(GROUP_ORDER), str(group.iri), group.label)


def _first(kept: StateNode | None, new: StateNode) -> StateNode:
    """One node per State whatever the number of rows: the smallest label wins."""
    return new if kept is None or new < kept else kept


def _text(term: Node | None, fallback: URIRef) -> str:
    if isinstance(term, Literal) and str(term).strip():
        return str(term).strip()
    return str(fallback).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _true(term: Node | None) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


def _number(term: Node | None) -> int:
    value = term.toPython() if isinstance(term, Literal) else 0
    return value if isinstance(value, int) else 0


# --- Layout --------------------------------------------------------------------------------

SEED = 2006  # any fixed number: the same network always gets the same picture
SPACING = 1.0  # distance between neighbouring States on a cluster's circle
GAP = (3.0, 1.6)  # room between clusters, across and down (labels need the width)
ASPECT = 1.25  # width / height that the packed clusters aim at
Point = tuple[float, float]


def layout(network: Network) -> dict[URIRef, Point]:
    """Deterministic positions: each connected component (a cluster) laid out on its own by
    `_cluster_layout`, then the clusters packed in rows, largest first."""
    graph = _graph(network)
    return _pack([_cluster_layout(_induced(graph, nodes)) for nodes in _clusters(graph)])


def _graph(network: Network) -> nx.Graph[URIRef]:
    """The simple graph of the network, weighted by the number of instruments a pair shares."""
    graph: nx.Graph[URIRef] = nx.Graph()
    graph.add_nodes_from(node.iri for node in network.nodes)
    for edge in network.edges:
        a, b = edge.states
        weight = graph.get_edge_data(a, b, {"weight": 0})["weight"]
        graph.add_edge(a, b, weight=weight + 1)
    return graph


def _induced(graph: nx.Graph[URIRef], nodes: Iterable[URIRef]) -> nx.Graph[URIRef]:
    """The subgraph on `nodes` as a new graph with nodes and edges in IRI order. (A
    networkx subgraph view iterates in the order of a set, which changes from one process
    to the next with string hashing, and the force-directed layout depends on that order.)"""
    kept = sorted(set(nodes))
    induced: nx.Graph[URIRef] = nx.Graph()
    induced.add_nodes_from(kept)
    edges = ((min(a, b), max(a, b), data) for a, b, data in graph.subgraph(kept).edges(data=True))
    induced.add_edges_from(sorted(edges, key=lambda edge: (edge[0], edge[1])))
    return induced


def _clusters(graph: nx.Graph[URIRef]) -> list[list[URIRef]]:
    """The connected components, largest first, each in IRI order."""
    return sorted(
        (sorted(component) for component in nx.connected_components(graph)),
        key=lambda nodes: (-len(nodes), nodes[0]),
    )


def _cluster_layout(cluster: nx.Graph[URIRef]) -> dict[URIRef, Point]:
    """The States of the cluster's 2-core (those on a cycle, such as the parties to a
    multilateral instrument) evenly on a circle, ordered so that States sharing several
    instruments are neighbours; the other States placed by a seeded force-directed layout
    with the circle held fixed. A cluster without a cycle is a tree: force-directed, turned
    so that its long axis is horizontal."""
    nodes = sorted(cluster)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    guide = {
        node: (float(x), float(y))
        for node, (x, y) in nx.spring_layout(cluster, seed=SEED, method="force").items()
    }
    core = sorted(nx.k_core(cluster, 2))
    if not core:
        return _level(guide, cluster)
    cx = sum(guide[node][0] for node in core) / len(core)
    cy = sum(guide[node][1] for node in core) / len(core)
    ring = _ring_order(
        _induced(cluster, core),
        sorted(core, key=lambda node: -math.atan2(guide[node][1] - cy, guide[node][0] - cx)),
    )
    radius = SPACING / (2 * math.sin(math.pi / len(ring)))
    positions: dict[URIRef, Point] = {}
    for index, node in enumerate(ring):
        angle = math.pi / 2 - 2 * math.pi * index / len(ring)
        positions[node] = (radius * math.cos(angle), radius * math.sin(angle))
    outside = [node for node in nodes if node not in positions]
    if not outside:
        return positions
    start = dict(positions)
    for node in outside:  # beyond the circle, in the direction the guide gives
        dx, dy = guide[node][0] - cx, guide[node][1] - cy
        norm = math.hypot(dx, dy) or 1.0
        start[node] = (dx / norm * (radius + SPACING), dy / norm * (radius + SPACING))
    placed = nx.spring_layout(
        cluster, pos=start, fixed=ring, k=SPACING, seed=SEED, method="force"
    )
    positions.update({node: (float(placed[node][0]), float(placed[node][1])) for node in outside})
    return positions


def _ring_order(core: nx.Graph[URIRef], order: list[URIRef]) -> list[URIRef]:
    """`order` improved by swaps while they lower the sum over the edges of (instruments
    shared) x (distance round the circle)². In a clique only the pairs that share several
    instruments change the sum, so they end up side by side."""
    index = {node: i for i, node in enumerate(order)}
    size = len(order)
    edges = [(a, b, int(data["weight"])) for a, b, data in core.edges(data=True)]

    def cost() -> int:
        total = 0
        for a, b, weight in edges:
            step = abs(index[a] - index[b])
            total += weight * min(step, size - step) ** 2
        return total

    best = cost()
    improved = True
    while improved:
        improved = False
        for i, j in combinations(range(size), 2):
            a, b = order[i], order[j]
            order[i], order[j], index[a], index[b] = b, a, j, i
            candidate = cost()
            if candidate < best:
                best, improved = candidate, True
            else:
                order[i], order[j], index[a], index[b] = a, b, i, j
    return order


def _level(guide: Mapping[URIRef, Point], tree: nx.Graph[URIRef]) -> dict[URIRef, Point]:
    """A tree's layout turned so its principal axis is horizontal, edges about 1.5 apart."""
    xs = [p[0] for p in guide.values()]
    ys = [p[1] for p in guide.values()]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    angle = -0.5 * math.atan2(2 * sxy, sxx - syy)
    cos, sin = math.cos(angle), math.sin(angle)
    turned = {
        node: ((x - mx) * cos - (y - my) * sin, (x - mx) * sin + (y - my) * cos)
        for node, (x, y) in guide.items()
    }
    lengths = [math.dist(turned[a], turned[b]) for a, b in tree.edges()]
    scale = 1.5 * SPACING / (sum(lengths) / len(lengths) or 1.0)
    return {node: (x * scale, y * scale) for node, (x, y) in turned.items()}


def _pack(clusters: Sequence[Mapping[URIRef, Point]]) -> dict[URIRef, Point]:
    """Shelf packing of the clusters' bounding boxes, left to right in rows, with the row
    width (among the widths of the first k boxes) whose result is closest to ASPECT."""
    boxes: list[tuple[Mapping[URIRef, Point], float, float, float, float]] = []
    for local in clusters:
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        width = max(xs) - min(xs) + GAP[0]
        height = max(ys) - min(ys) + GAP[1]
        boxes.append((local, min(xs), max(ys), width, height))
    widths = [box[3] for box in boxes]
    candidates = sorted({sum(widths[: k + 1]) for k in range(len(widths))})
    best: dict[URIRef, Point] = {}
    best_score = math.inf
    for row_width in candidates:
        positions, width, height = _shelves(boxes, max(row_width, *widths))
        score = abs(math.log(width / height / ASPECT)) if height else math.inf
        if score < best_score - 1e-9:
            best, best_score = positions, score
    return best


def _shelves(
    boxes: Sequence[tuple[Mapping[URIRef, Point], float, float, float, float]],
    row_width: float,
) -> tuple[dict[URIRef, Point], float, float]:
    positions: dict[URIRef, Point] = {}
    x = y = row_height = used_width = 0.0
    for local, left, top, width, height in boxes:
        if x > 0 and x + width > row_width + 1e-9:
            x, y, row_height = 0.0, y - row_height, 0.0
        for node, (u, v) in local.items():
            positions[node] = (x + GAP[0] / 2 + u - left, y - GAP[1] / 2 + v - top)
        x += width
        used_width = max(used_width, x)
        row_height = max(row_height, height)
    return positions, used_width, row_height - y


# --- Drawing -------------------------------------------------------------------------------

TITLE = "Cooperation against trafficking in persons: States that share an instrument"
NODE_SIZE = 260.0  # marker area in points²
NODE_RADIUS = math.sqrt(NODE_SIZE) / 2  # in points
NODE_FILL = "#F2F2F2"
NODE_EDGE = "#333333"
LABEL_OFFSET = 8.0  # points between a node's outline and its label
BEND = 0.3  # arc3 `rad` between neighbouring parallel lines
NOTE = (
    "One line for each instrument two States are both parties to;\n"
    "a pair sharing several instruments gets several curved lines.\n"
    "Colour: the modality group (top concept of the modality scheme)\n"
    "holding most of the instrument's modalities; ties go to the\n"
    "group listed first. Dashed outline, italic label: former State."
)

RC: Mapping[str, object] = {
    "svg.hashsalt": "coopgraph",  # fixed ids: the same picture gives the same bytes
    "svg.fonttype": "none",  # text stays text: searchable, selectable, small
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs everywhere
}


def draw_network(network: Network, svg_path: Path, png_path: Path) -> None:
    """Draw `network` to an SVG and a PNG file, each written atomically."""
    with mpl.rc_context(dict(RC)):
        figure = _figure(network)
        svg = io.BytesIO()
        figure.savefig(svg, format="svg", metadata={"Date": None})
        png = io.BytesIO()
        figure.savefig(png, format="png", dpi=150, metadata={"Software": None})
    write_atomically(svg_path, svg.getvalue())
    write_atomically(png_path, png.getvalue())


def _figure(network: Network) -> Figure:
    positions = layout(network)
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    aspect = (max(xs) - min(xs) + GAP[0]) / (max(ys) - min(ys) + GAP[1])
    # The drawing gets about 10.5 of the 15 inches (the legend the rest): height to match.
    height = min(max(10.5 / aspect + 1.2, 6.0), 12.0)
    figure = Figure(figsize=(15, round(height, 1)), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_aspect("equal")
    axes.set_title(TITLE, fontsize=15, loc="left")
    _draw_edges(axes, network, positions)
    _draw_nodes(axes, network, positions)
    labels = _draw_labels(axes, network, positions)
    _legend(axes, network)
    _fit(figure, axes, positions, labels)
    return figure


def _draw_edges(axes: Axes, network: Network, positions: Mapping[URIRef, Point]) -> None:
    by_pair: dict[tuple[URIRef, URIRef], list[Edge]] = defaultdict(list)
    for edge in network.edges:
        by_pair[edge.states].append(edge)
    for pair, edges in sorted(by_pair.items()):
        ordered = sorted(edges, key=lambda edge: (_group_rank(edge.group), edge.instrument))
        for index, edge in enumerate(ordered):
            bend = (index - (len(ordered) - 1) / 2) * BEND
            axes.add_patch(
                FancyArrowPatch(
                    positions[pair[0]],
                    positions[pair[1]],
                    arrowstyle="-",
                    connectionstyle=f"arc3,rad={bend:.3f}",
                    shrinkA=NODE_RADIUS,
                    shrinkB=NODE_RADIUS,
                    color=_colour(edge.group),
                    linewidth=2.0,
                    alpha=0.85,
                    zorder=1,
                    gid=f"edge {_local_name(pair[0])} {_local_name(pair[1])} "
                    f"{_local_name(edge.instrument)}",
                )
            )


def _draw_nodes(axes: Axes, network: Network, positions: Mapping[URIRef, Point]) -> None:
    for former in (False, True):
        nodes = [node for node in network.nodes if node.former == former]
        if nodes:
            axes.scatter(
                [positions[node.iri][0] for node in nodes],
                [positions[node.iri][1] for node in nodes],
                s=NODE_SIZE,
                c=NODE_FILL,
                edgecolors=NODE_EDGE,
                linewidths=1.8 if former else 1.4,
                linestyles=(0, (2.5, 1.5)) if former else "solid",
                zorder=3,
            )


def _draw_labels(
    axes: Axes, network: Network, positions: Mapping[URIRef, Point]
) -> list[Annotation]:
    """Each label in the widest angle left free by the node's lines, so that it sits
    outside its cluster and clear of the line to a neighbour hanging off the circle."""
    neighbours: dict[URIRef, set[URIRef]] = defaultdict(set)
    for edge in network.edges:
        neighbours[edge.states[0]].add(edge.states[1])
        neighbours[edge.states[1]].add(edge.states[0])
    labels = []
    for node in network.nodes:
        x, y = positions[node.iri]
        angle = _free_direction(
            [
                math.atan2(positions[other][1] - y, positions[other][0] - x)
                for other in neighbours[node.iri]
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
                bbox={
                    "boxstyle": "round,pad=0.1",
                    "facecolor": "white",
                    "edgecolor": "none",
                    "alpha": 0.85,
                },
            )
        )
    return labels


def _free_direction(angles: Sequence[float]) -> float:
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
    """Axis limits that hold every node and every label: the labels' extent is measured
    after a layout pass, twice, since wider limits make the labels smaller in data units."""
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    margin = 0.6
    left, right = min(xs) - margin, max(xs) + margin
    bottom, top = min(ys) - margin, max(ys) + margin
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)
    for _ in range(2):
        figure.draw_without_rendering()
        to_data = axes.transData.inverted()
        for label in labels:
            (x0, y0), (x1, y1) = to_data.transform(label.get_window_extent().get_points())
            left, right = min(left, x0 - 0.1), max(right, x1 + 0.1)
            bottom, top = min(bottom, y0 - 0.1), max(top, y1 + 0.1)
        axes.set_xlim(left, right)
        axes.set_ylim(bottom, top)


def _legend(axes: Axes, network: Network) -> None:
    handles: list[Artist] = []
    for group in network.groups():
        count = len(network.instruments(group))
        handles.append(
            Line2D(
                [],
                [],
                color=_colour(group),
                linewidth=2.5,
                label=f"{group.label} ({count} instrument{'s' if count != 1 else ''})",
            )
        )
    for label, linestyle, width in (
        ("State", "solid", 1.4),
        ("former State", (0, (2.5, 1.5)), 1.8),
    ):
        handles.append(
            Circle(
                (0, 0),
                facecolor=NODE_FILL,
                edgecolor=NODE_EDGE,
                linestyle=linestyle,
                linewidth=width,
                label=label,
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
    axes.text(1.0, 0.0, NOTE, transform=axes.transAxes, fontsize=9.5, color="#444444", va="bottom")


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
    return Circle((width / 2 - xdescent, height / 2 - ydescent), radius=height * 0.55)


def _colour(group: ModalityGroup) -> str:
    if group.iri is None:
        return NO_GROUP_COLOUR
    known = GROUP_COLOURS.get(group.iri)
    if known is not None:
        return known
    return _SPARE_COLOURS[sum(str(group.iri).encode()) % len(_SPARE_COLOURS)]


def _local_name(iri: URIRef) -> str:
    return str(iri).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
