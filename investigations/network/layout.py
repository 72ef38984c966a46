"""Where each node goes, computed on the server with igraph and cached per graph version.

Ownership chains read top to bottom, owners above what they own, so a graph made mostly of
ownership links is laid out in layers (Sugiyama). Any other neighbourhood is a web with no
top, laid out by force (Kamada–Kawai's springs), started from a circle: unlike
Fruchterman–Reingold it is deterministic then, so the same graph always gets the same picture.
"""

import igraph
from django.core.cache import cache

LAYOUT_CACHE_SECONDS = 30 * 24 * 3600  # a version never changes; this only frees space


def positions(graph):
    """Each node's (x, y), both from 0 to 1, keyed by node key."""
    key = f"network-layout:{graph.version}"
    found = cache.get(key)
    if found is None:
        found = compute_positions(graph)
        cache.set(key, found, LAYOUT_CACHE_SECONDS)
    return found


def compute_positions(graph):
    keys = list(graph.nodes)
    if len(keys) == 1:
        return {keys[0]: (0.5, 0.5)}
    index = {key: number for number, key in enumerate(keys)}
    network = igraph.Graph(
        n=len(keys), edges=[(index[e.source], index[e.target]) for e in graph.edges], directed=True
    )
    layered = graph.is_ownership_chain
    if layered:
        coords = network.layout_sugiyama().coords[: len(keys)]
    else:
        coords = network.layout_kamada_kawai(seed=network.layout_circle().coords).coords
    return dict(zip(keys, _spread(_scaled(coords), layered=layered), strict=True))


# A node's label is about this share of the picture wide and high; nodes closer than
# that are pushed apart, so labels do not print over each other.
LABEL_BOX = (0.16, 0.07)
SPREAD_ROUNDS = 60


def _spread(points, layered):
    """Push apart nodes whose labels would overlap, a little each round, then rescale.
    Nodes in layers move only along their layer. Only nodes less than a label's width
    apart across can overlap, so each round compares a node with those next to it in a
    left-to-right order, not with every other node."""
    points = [list(point) for point in points]
    width, height = LABEL_BOX
    for _ in range(SPREAD_ROUNDS):
        moved = False
        ordered = sorted(points, key=lambda point: point[0])
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                dx, dy = second[0] - first[0], second[1] - first[1]
                if dx >= width:
                    break
                overlap_x, overlap_y = width - abs(dx), height - abs(dy)
                if overlap_x <= 0 or overlap_y <= 0:
                    continue
                moved = True
                # Along the axis that needs the smaller push; ties broken by the order.
                sideways = layered or overlap_x * height < overlap_y * width
                axis, overlap, gap = (0, overlap_x, dx) if sideways else (1, overlap_y, dy)
                push = overlap / 4 * (1 if gap >= 0 else -1)
                first[axis] -= push
                second[axis] += push
        if not moved:
            break
    return _scaled(points)


def _scaled(coords):
    """Into the unit square, keeping each axis's order; a flat axis is centred."""
    xs, ys = [x for x, _ in coords], [y for _, y in coords]
    return [(_unit(x, min(xs), max(xs)), _unit(y, min(ys), max(ys))) for x, y in coords]


def _unit(value, low, high):
    return 0.5 if high == low else (value - low) / (high - low)
