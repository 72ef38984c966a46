"""The graph as data: GEXF for Gephi, and JSON with each link's sources."""

import json
from xml.etree import ElementTree

from .drawing import FILLS
from .layout import positions

GEXF = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
CANVAS = 1000  # GEXF positions: the layout's unit square, scaled


def as_gexf(graph, absolute):
    """GEXF 1.3, with the server's layout and colours, and each record's address."""
    ElementTree.register_namespace("", GEXF)
    ElementTree.register_namespace("viz", VIZ)
    root = ElementTree.Element(f"{{{GEXF}}}gexf", version="1.3")
    meta = ElementTree.SubElement(root, f"{{{GEXF}}}meta")
    ElementTree.SubElement(meta, f"{{{GEXF}}}description").text = _title(graph)
    body = ElementTree.SubElement(
        root, f"{{{GEXF}}}graph", defaultedgetype="directed", mode="static"
    )
    _attributes(body, "node", ("kind", "url"))
    _attributes(body, "edge", ("standing",))
    nodes = ElementTree.SubElement(body, f"{{{GEXF}}}nodes")
    spots = positions(graph)
    for node in graph.nodes.values():
        element = ElementTree.SubElement(nodes, f"{{{GEXF}}}node", id=node.key, label=node.name)
        _values(element, kind=node.kind_label, url=absolute(node.url))
        x, y = spots[node.key]
        ElementTree.SubElement(
            element, f"{{{VIZ}}}position", x=f"{x * CANVAS:.1f}", y=f"{-y * CANVAS:.1f}", z="0"
        )
        red, green, blue = (int(FILLS[node.kind][i : i + 2], 16) for i in (1, 3, 5))
        ElementTree.SubElement(element, f"{{{VIZ}}}color", r=str(red), g=str(green), b=str(blue))
    edges = ElementTree.SubElement(body, f"{{{GEXF}}}edges")
    for number, edge in enumerate(graph.edges):
        element = ElementTree.SubElement(
            edges,
            f"{{{GEXF}}}edge",
            id=str(number),
            source=edge.source,
            target=edge.target,
            label=edge.label,
        )
        _values(element, standing=edge.standing)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _attributes(graph_element, kind, names):
    declared = ElementTree.SubElement(graph_element, f"{{{GEXF}}}attributes", {"class": kind})
    for name in names:
        ElementTree.SubElement(declared, f"{{{GEXF}}}attribute", id=name, title=name, type="string")


def _values(element, **values):
    holder = ElementTree.SubElement(element, f"{{{GEXF}}}attvalues")
    for name, value in values.items():
        ElementTree.SubElement(holder, f"{{{GEXF}}}attvalue", {"for": name, "value": value})


def as_json(graph, footnotes, absolute):
    """Nodes and links, each link with the sources and quoted passages that back it."""
    data = {
        "title": _title(graph),
        "around": graph.centre.key,
        "depth": graph.depth,
        "as_of": graph.as_of.isoformat() if graph.as_of else None,
        "nodes": [
            {"id": n.key, "name": n.name, "kind": n.kind, "url": absolute(n.url)}
            for n in graph.nodes.values()
        ],
        "links": [_link(edge, footnotes, absolute) for edge in graph.edges],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _link(edge, footnotes, absolute):
    record, field_name = edge.citation
    uses = footnotes.cite(record, field_name) if record else []
    start, end = edge.dates or ("", "")
    return {
        "source": edge.source,
        "target": edge.target,
        "kind": edge.link_kind.name if edge.link_kind else "more",
        "label": edge.label,
        "start": start or None,
        "end": end or None,
        "standing": edge.standing,
        "sources": [
            {
                "title": note.source.title,
                "url": absolute(note.source.get_absolute_url()),
                "quotes": [citation.quote for citation in use.citations if citation.quote],
            }
            for note, use in uses
        ],
    }


def _title(graph):
    on = f" on {graph.as_of:%-d %B %Y}" if graph.as_of else ""
    return f"Network around {graph.centre.name}{on}"
