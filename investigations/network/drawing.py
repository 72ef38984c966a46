"""The picture's geometry: canvas size, node shapes and colours, edge ends, the legend.

Colours are the Okabe–Ito palette, told apart with colour blindness too, and every kind
also has its own shape, so the legend reads in greyscale and in print.
"""

import math
from collections import Counter
from dataclasses import dataclass

from .as_of import UNCERTAIN
from .graph import KIND_LABELS
from .layout import positions

R = 13  # a node's radius, in px
SHAPES = {
    "company": f"M{-R},0a{R},{R} 0 1,0 {2 * R},0a{R},{R} 0 1,0 {-2 * R},0Z",
    "public_body": "M-11,-11H11V11H-11Z",
    "fund": "M0,-15L15,0L0,15L-15,0Z",
    "partnership": "M-7,-12H7L14,0L7,12H-7L-14,0Z",
    "person": "M0,-14L13,11H-13Z",
    "site": "M0,-14L13,-3V12H-13V-3Z",
    "contract": "M-15,-10H15V10H-15Z",
    "concern": "M-13,-11H13L0,13Z",
    "framework": "M-10,-10H16L10,10H-16Z",
    "more": f"M{-R},0a{R},{R} 0 1,0 {2 * R},0a{R},{R} 0 1,0 {-2 * R},0Z",
}
FILLS = {
    "company": "#0072B2",
    "public_body": "#009E73",
    "fund": "#E69F00",
    "partnership": "#CC79A7",
    "person": "#D55E00",
    "site": "#56B4E9",
    "contract": "#F0E442",
    "concern": "#9E1B32",
    "framework": "#8C8C8C",
    "more": "#FFFFFF",
}
LABEL_CHARACTERS = 24
LEGEND_ROW = 24
MARGIN = 95  # room for the labels of the outermost nodes


@dataclass
class DrawnNode:
    node: object
    x: float
    y: float

    @property
    def shape(self):
        return SHAPES[self.node.kind]

    @property
    def fill(self):
        return FILLS[self.node.kind]

    @property
    def scale(self):
        return 1.4 if self.node.depth == 0 else 1

    @property
    def label(self):
        """The name, cut short but for the centre's, which the page's heading also gives."""
        name, room = self.node.name, LABEL_CHARACTERS * (2 if self.node.depth == 0 else 1)
        return name if len(name) <= room else name[: room - 1] + "…"

    @property
    def label_y(self):
        return self.y + R * self.scale + 13


@dataclass
class DrawnEdge:
    edge: object
    x1: float
    y1: float
    x2: float
    y2: float
    source: object  # the nodes at its ends
    target: object
    description: str  # "Life Healthcare, acquired 2016, Alliance Medical"
    stacked: int = 0  # how many edges between the same two nodes come before this one

    @property
    def uncertain(self):
        return self.edge.standing == UNCERTAIN

    @property
    def _along(self):
        """Labels sit nearer the end with fewer links: hubs would crowd them."""
        return (
            0.62
            if self.source.links > self.target.links
            else 0.38
            if self.source.links < self.target.links
            else 0.5
        )

    @property
    def label_x(self):
        return self.x1 + (self.x2 - self.x1) * self._along

    @property
    def label_y(self):
        return self.y1 + (self.y2 - self.y1) * self._along + 3 + 12 * self.stacked


@dataclass
class LegendEntry:
    kind: str
    x: float
    y: float

    @property
    def label(self):
        return KIND_LABELS[self.kind]

    @property
    def shape(self):
        return SHAPES[self.kind]

    @property
    def fill(self):
        return FILLS[self.kind]


@dataclass
class Drawing:
    width: int
    height: int
    nodes: list
    edges: list
    legend: list
    legend_height: int


def draw(graph):
    width = round(min(1400, max(560, 190 * math.sqrt(len(graph.nodes)))))
    legend = _legend(graph, width)
    legend_height = (legend[-1].y + LEGEND_ROW) if legend else 0
    placed = positions(graph)
    if graph.is_ownership_chain:
        layers = len({round(y, 6) for _, y in placed.values()})
        plot_height = max(160, 110 * (layers - 1))
    else:
        plot_height = max(260, round(width * 0.75))
    top = legend_height + 40
    spots = {
        key: (MARGIN + x * (width - 2 * MARGIN), top + y * plot_height)
        for key, (x, y) in placed.items()
    }
    nodes = [DrawnNode(node, *spots[key]) for key, node in graph.nodes.items()]
    pairs = Counter()
    edges = []
    for edge in graph.edges:
        pair = frozenset((edge.source, edge.target))
        ends = _ends(spots[edge.source], spots[edge.target])
        source, target = graph.nodes[edge.source], graph.nodes[edge.target]
        edges.append(DrawnEdge(edge, *ends, source, target, describe(graph, edge), pairs[pair]))
        pairs[pair] += 1  # the next label between these two goes below this one
    return Drawing(width, round(top + plot_height + 45), nodes, edges, legend, legend_height)


def describe(graph, edge):
    source, target = graph.nodes[edge.source], graph.nodes[edge.target]
    uncertain = f" (uncertain on {graph.as_of:%-d %B %Y})" if edge.standing == UNCERTAIN else ""
    return f"{source.name}, {edge.label}, {target.name}{uncertain}"


def _ends(start, end):
    """The line between two nodes, stopped short of each so the arrowhead shows."""
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1) or 1
    cut = min(R + 4, length / 3)
    dx, dy = (x2 - x1) / length * cut, (y2 - y1) / length * cut
    return x1 + dx, y1 + dy, x2 - dx, y2 - dy


def _legend(graph, width):
    """One entry per kind of node drawn, in rows that fit the width."""
    kinds = [kind for kind in KIND_LABELS if any(n.kind == kind for n in graph.nodes.values())]
    entries, x, y = [], 20, 20
    for kind in kinds:
        span = 40 + 7 * len(KIND_LABELS[kind])
        if x + span > width - 10 and x > 20:
            x, y = 20, y + LEGEND_ROW
        entries.append(LegendEntry(kind, x, y))
        x += span
    return entries
