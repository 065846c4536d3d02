"""Deterministic positions for drawing a weighted graph whose clusters should stand apart.

Each connected component (a cluster) is laid out on its own. The nodes of its 2-core (those
on a cycle, such as the parties to one multilateral instrument) go evenly on a circle, in
the angular order a seeded force-directed layout gives them, improved so that pairs with
heavy edges sit side by side; the other nodes (hanging off the circle) are placed by the
same force-directed layout with the circle held fixed. A cluster without a cycle is a tree:
force-directed, turned so that its long axis is horizontal. The clusters are then packed in
rows, largest first, with the row width whose result is closest to a target aspect ratio.

Everything is in a fixed order (nodes and edges sorted, a fixed seed), so the same graph
gives the same positions in every process, whatever Python's string hashing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import TypeVar

import networkx as nx

N = TypeVar("N", bound=str)
Point = tuple[float, float]

SEED = 2006  # any fixed number: the same graph always gets the same picture
SPACING = 1.0  # distance between neighbouring nodes on a cluster's circle
GAP = (3.0, 1.6)  # room between clusters, across and down (labels need the width)
ASPECT = 1.25  # width / height that the packed clusters aim at


def layout(nodes: Iterable[N], weights: Mapping[tuple[N, N], int]) -> dict[N, Point]:
    """Positions of `nodes`; `weights` maps a linked pair to the strength of its link
    (for the cooperation network: the number of instruments the pair shares)."""
    graph: nx.Graph[N] = nx.Graph()
    graph.add_nodes_from(sorted(set(nodes)))
    for (a, b), weight in sorted(weights.items()):
        graph.add_edge(min(a, b), max(a, b), weight=weight)
    return _pack([_cluster_layout(_induced(graph, cluster)) for cluster in clusters(graph)])


def clusters(graph: nx.Graph[N]) -> list[list[N]]:
    """The connected components, largest first, each in sorted order."""
    return sorted(
        (sorted(component) for component in nx.connected_components(graph)),
        key=lambda nodes: (-len(nodes), nodes[0]),
    )


def _induced(graph: nx.Graph[N], nodes: Iterable[N]) -> nx.Graph[N]:
    """The subgraph on `nodes` as a new graph with nodes and edges in sorted order. (A
    networkx subgraph view iterates in the order of a set, which changes from one process
    to the next with string hashing, and the force-directed layout depends on that order.)"""
    kept = sorted(set(nodes))
    induced: nx.Graph[N] = nx.Graph()
    induced.add_nodes_from(kept)
    edges = [(min(a, b), max(a, b), data) for a, b, data in graph.subgraph(kept).edges(data=True)]
    induced.add_edges_from(sorted(edges, key=lambda edge: (edge[0], edge[1])))
    return induced


def _cluster_layout(cluster: nx.Graph[N]) -> dict[N, Point]:
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
    positions: dict[N, Point] = {}
    for index, node in enumerate(ring):  # clockwise from the top
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
    placed = nx.spring_layout(cluster, pos=start, fixed=ring, k=SPACING, seed=SEED, method="force")
    positions.update({node: (float(placed[node][0]), float(placed[node][1])) for node in outside})
    return positions


def _ring_order(core: nx.Graph[N], order: list[N]) -> list[N]:
    """`order` improved by swaps for as long as one lowers the sum, over the edges, of
    weight x (distance round the circle)². In a clique only the edges heavier than the
    others change the sum, so their ends end up side by side."""
    index = {node: i for i, node in enumerate(order)}
    size = len(order)
    edges = [(a, b, int(data.get("weight", 1))) for a, b, data in core.edges(data=True)]

    def cost() -> int:
        total = 0
        for a, b, weight in edges:
            step = abs(index[a] - index[b])
            total += weight * min(step, size - step) ** 2
        return total

    best = cost()
    improved = True
    while improved:  # the cost is a whole number that only goes down: this ends
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


def _level(guide: Mapping[N, Point], tree: nx.Graph[N]) -> dict[N, Point]:
    """A tree's layout turned so that its principal axis is horizontal, edges about 1.5
    spacings long."""
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
    mean = sum(lengths) / len(lengths) if lengths else 0.0
    scale = 1.5 * SPACING / mean if mean > 0 else 1.0
    return {node: (x * scale, y * scale) for node, (x, y) in turned.items()}


Box = tuple[Mapping[N, Point], float, float, float, float]  # positions, left, top, w, h


def _pack(clusters: Sequence[Mapping[N, Point]]) -> dict[N, Point]:
    """Shelf packing of the clusters' bounding boxes (with GAP around them), left to right
    in rows, with the row width (among the widths of the first k boxes) whose result is
    closest to ASPECT."""
    boxes: list[Box[N]] = []
    for local in clusters:
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        width = max(xs) - min(xs) + GAP[0]
        height = max(ys) - min(ys) + GAP[1]
        boxes.append((local, min(xs), max(ys), width, height))
    widths = [box[3] for box in boxes]
    best: dict[N, Point] = {}
    best_score = math.inf
    for row_width in sorted({sum(widths[: k + 1]) for k in range(len(widths))}):
        positions, width, height = _shelves(boxes, max(row_width, *widths))
        score = abs(math.log(width / height / ASPECT))
        if score < best_score - 1e-9:
            best, best_score = positions, score
    return best


def _shelves(boxes: Sequence[Box[N]], row_width: float) -> tuple[dict[N, Point], float, float]:
    """The boxes in rows no wider than `row_width`: positions, total width and height."""
    positions: dict[N, Point] = {}
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
