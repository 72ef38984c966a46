"""A record's published neighbourhood: the records around it and the links between them.

The walk goes out one step at a time, a few queries a step (one, or two when the picture
fills, for the links of the records reached; one per kind of link drawn, for their rows),
to at most ``MAX_DEPTH`` steps. Past
``NODE_LIMIT`` records the picture stops being readable, so each record shows at most a
few of its links; the rest fold into one "and N more" node that leads onward.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode

from investigations.models import Concern, Contract, Framework, Organisation, Person, Site

from .as_of import HELD
from .links import LINK_KINDS, OWNERSHIP_KINDS, read_reaches

MAX_DEPTH = 3
NODE_LIMIT = 60
FANOUT = {0: 24}  # links shown from the centre; from any other record, DEFAULT_FANOUT
DEFAULT_FANOUT = 8

# The records a network can be drawn around, by the name ``?around=<name>:<slug>`` uses.
CENTRES = {
    model._meta.model_name: model
    for model in (Organisation, Person, Site, Contract, Concern, Framework)
}

ORGANISATION_SHAPES = {
    Organisation.Kind.NHS_TRUST: "public_body",
    Organisation.Kind.PUBLIC_BODY: "public_body",
    Organisation.Kind.REGULATOR: "public_body",
    Organisation.Kind.FUND: "fund",
    Organisation.Kind.LLP: "partnership",
    Organisation.Kind.LP: "partnership",
    Organisation.Kind.CONSORTIUM: "partnership",
}
KIND_LABELS = {
    "company": "Company",
    "public_body": "Public body",
    "fund": "Investor or fund",
    "partnership": "Partnership or consortium",
    "person": "Person",
    "site": "Site",
    "contract": "Contract",
    "concern": "Concern",
    "framework": "Framework",
    "more": "More links, folded",
}


def record_key(record):
    return f"{record._meta.model_name}:{record.slug}"


def network_url(key, **parameters):
    return f"{reverse('network')}?{urlencode({'around': key, **parameters})}"


@dataclass
class Node:
    key: str
    name: str
    kind: str  # a key of KIND_LABELS
    url: str
    depth: int
    record: object = None  # None for an "and N more" node
    links: int = 0  # how many edges of the graph touch it

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def accessible_name(self):
        return f"{self.name} ({self.kind_label.lower()})"


def node_for(record, depth):
    model_name = record._meta.model_name
    kind = (
        ORGANISATION_SHAPES.get(record.kind, "company")
        if model_name == "organisation"
        else model_name
    )
    return Node(record_key(record), str(record), kind, record.get_absolute_url(), depth, record)


@dataclass
class Edge:
    """A link from ``source`` to ``target`` (node keys); a folded one has no link kind."""

    source: str
    target: str
    standing: str  # as_of.HELD or as_of.UNCERTAIN
    link_kind: object = None
    row: object = None
    folded: str = ""  # how many links a folded edge stands for: "12", or "93+" past a limit

    @property
    def identity(self):
        name = self.link_kind.name if self.link_kind else "more"
        return (name, getattr(self.row, "pk", None), self.source, self.target)

    @property
    def label(self):
        if self.link_kind is None:
            return f"{self.folded} more"
        return self.link_kind.label(self.row)

    @property
    def citation(self):
        """(record, field name) whose footnotes back this link; (None, "") if folded."""
        return self.link_kind.citation_of(self.row) if self.link_kind else (None, "")

    @property
    def is_ownership(self):
        return self.link_kind is not None and getattr(self.row, "kind", None) in OWNERSHIP_KINDS

    @property
    def dates(self):
        return self.link_kind.dates(self.row) if self.link_kind else None


@dataclass
class Graph:
    centre: Node
    depth: int
    as_of: object  # a date or None
    nodes: dict = field(default_factory=dict)
    edges: list = field(default_factory=list)
    left_out: int = 0  # links past the node limit that not even a folded node shows
    left_out_at_least: bool = False  # some were counted only up to REACH_LIMIT
    unread: bool = False  # once the picture was full, some records' other links went unread
    linked: set = field(default_factory=set)  # the identities of ``edges``

    def add(self, node):
        self.nodes.setdefault(node.key, node)
        return self.nodes[node.key]

    def room(self):
        return NODE_LIMIT - len(self.nodes)

    def link(self, edge):
        if edge.identity not in self.linked:
            self.linked.add(edge.identity)
            self.edges.append(edge)
            self.nodes[edge.source].links += 1
            self.nodes[edge.target].links += 1

    def drawn_rows(self):
        """The pks of the rows of the links drawn, by link kind."""
        rows = defaultdict(set)
        for edge in self.edges:
            if edge.link_kind:
                rows[edge.link_kind].add(edge.row.pk)
        return rows

    def fold(self, node, count):
        more = Node(
            f"more:{node.key}", f"and {count} more", "more", onward_url(node), node.depth + 1
        )
        self.add(more)
        self.link(Edge(node.key, more.key, HELD, folded=count))

    def cited_records(self):
        return [edge.citation[0] for edge in self.edges if edge.link_kind]

    def withhold(self, footnotes):
        """Blank the values only unpublished sources back; drop the links they back whole,
        and the records only those links reached."""
        footnotes.withhold(self.cited_records())
        self.edges = [
            edge
            for edge in self.edges
            if not edge.link_kind or not footnotes.withheld(*edge.citation)
        ]
        reached = connected(self.centre.key, self.edges)
        self.nodes = {key: node for key, node in self.nodes.items() if key in reached}
        self.edges = [edge for edge in self.edges if edge.source in reached]

    @property
    def version(self):
        """A hash of what the picture shows, so a layout is computed once per version."""
        data = [
            sorted((node.key, node.kind, node.name) for node in self.nodes.values()),
            sorted((edge.source, edge.target, edge.label, edge.standing) for edge in self.edges),
        ]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()

    @property
    def is_ownership_chain(self):
        """Mostly ownership links: drawn in layers, owners above what they own."""
        ownership = sum(edge.is_ownership for edge in self.edges)
        return ownership > 0 and ownership * 2 >= len(self.edges)


def onward_url(node):
    """Where an "and N more" node leads: the network around the record whose links it
    folds; for the centre itself, its page, which lists them all."""
    return node.url if node.depth == 0 else network_url(node.key)


def connected(start, edges):
    neighbours = defaultdict(set)
    for edge in edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    reached, frontier = {start}, [start]
    while frontier:
        frontier = [far for near in frontier for far in neighbours[near] - reached]
        reached.update(frontier)
    return reached


def neighbourhood(record, depth=1, as_of=None):
    """The published records within ``depth`` links of ``record``, on ``as_of`` if given."""
    centre = node_for(record, 0)
    graph = Graph(centre, depth, as_of)
    graph.add(centre)
    frontier = [centre]
    for level in range(1, min(depth, MAX_DEPTH) + 1):
        frontier = _grow(graph, frontier, level, as_of)
    return graph


def _grow(graph, frontier, level, as_of):
    """Add the records the frontier links to, as many as there is room for; fold the rest.

    The frontier is read in order, in at most two batches, until the step has no room left
    for another record: of the records after, only the links to records drawn are read, as
    their others could not be drawn. One query a batch: a few columns of at most REACH_LIMIT
    links a record and kind, to choose what to draw; then one a kind of link drawn, for the
    whole rows of its links."""
    drawn = {identity_of(node) for node in graph.nodes.values() if node.record}
    found, reaches, cut, chosen = [], {}, set(), []
    pending, folding = list(frontier), False
    # Enough records to fill the room if each showed two links, as most records reached at
    # a step can; then, if the room is not full, all the others.
    size = _room_left(graph, chosen, folding) // 2 + 1
    while pending and _room_left(graph, chosen, folding):
        batch, pending, size = pending[:size], pending[size:], len(pending)
        read, reaches_here, cut_here = _reaches(batch, as_of)
        found += read
        reaches.update(reaches_here)
        cut |= cut_here
        for node in batch:
            unseen = [reach for reach in reaches[node.key] if reach.far not in drawn]
            room = min(FANOUT.get(node.depth, DEFAULT_FANOUT), _room_left(graph, chosen, folding))
            shown = unseen if len(unseen) <= room else unseen[: max(room - 1, 0)]
            folding |= len(shown) < len(unseen)
            chosen.extend(reach.far for reach in shown)
            drawn.update(reach.far for reach in shown)
    graph.unread |= bool(pending)
    records, edges = _link_rows(found, drawn, graph.drawn_rows(), pending, as_of)
    grown = [graph.add(node_for(records[far], level)) for far in chosen]
    for edge in edges:
        graph.link(edge)
    for node in frontier[: len(frontier) - len(pending)]:
        hidden = {reach.far for reach in reaches[node.key]} - drawn
        at_least = identity_of(node) in cut
        if hidden and graph.room() > 0:
            graph.fold(node, f"{len(hidden)}{'+' if at_least else ''}")
        elif hidden:
            graph.left_out += len(hidden)
            graph.left_out_at_least |= at_least
    return grown


def _room_left(graph, chosen, folding):
    """The records a step may still draw; once a record's links are folded, the last place
    is kept for its "and N more" node."""
    room = graph.room() - len(chosen)
    return 0 if folding and room == 1 else room


def identity_of(node):
    return type(node.record), node.record.pk


def _reaches(frontier, as_of):
    """Every link read from the frontier; for each frontier node, the records it links
    to, each once: ownership first, then by kind of link, then by name; and the nodes whose
    links were cut at REACH_LIMIT."""
    ids_by_model = defaultdict(list)
    keys = {}
    for node in frontier:
        ids_by_model[type(node.record)].append(node.record.pk)
        keys[identity_of(node)] = node.key
    found, cut = read_reaches(ids_by_model, as_of)
    found.sort(key=lambda reach: (not reach.ownership, _rank(reach), reach.far_name, reach.far))
    reaches = {key: {} for key in keys.values()}
    for reach in found:
        if reach.far != reach.near:
            reaches[keys[reach.near]].setdefault(reach.far, reach)
    return found, {key: list(by_far.values()) for key, by_far in reaches.items()}, cut


def _link_rows(found, drawn, drawn_rows, unread=(), as_of=None):
    """The edges of every link read whose ends are both drawn, and of every link from the
    ``unread`` nodes to records drawn, from their rows read whole but those drawn already
    (pks by link kind); and the records at their ends, by (model, pk).

    A kind whose links read are all drawn already is read again all the same, so that how
    many queries a step runs depends on the kinds of link it reaches, not on the rows."""
    pks, standings = defaultdict(set), {}
    for reach in found:
        if reach.far in drawn and reach.far != reach.near:
            pks[reach.link_kind].add(reach.pk)
            standings[(reach.link_kind, reach.pk)] = reach.standing
    for link_kind, read in pks.items():
        pks[link_kind] = (read - drawn_rows[link_kind]) or read
    unread_pks, drawn_pks = defaultdict(list), defaultdict(list)
    if unread:
        for node in unread:
            unread_pks[type(node.record)].append(node.record.pk)
        for model, pk in drawn:
            drawn_pks[model].append(pk)
    records, edges, between = {}, [], (unread_pks, drawn_pks)
    for link_kind in LINK_KINDS:
        for row in link_kind.rows_by_pk(pks[link_kind], between, drawn_rows[link_kind]):
            near, far = (link_kind.record_at(row, end) for end in link_kind.ends)
            standing = standings.get((link_kind, row.pk)) or link_kind.standing(row, as_of)
            if standing and (type(near), near.pk) != (type(far), far.pk):
                records.update({(type(near), near.pk): near, (type(far), far.pk): far})
                edges.append(Edge(record_key(near), record_key(far), standing, link_kind, row))
    return records, edges


def _rank(reach):
    return LINK_KINDS.index(reach.link_kind)
