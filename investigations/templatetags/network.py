"""Template helpers for the network picture: an edge's label, linked to its footnotes."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

LABEL_TEXT = (
    '<text x="{}" y="{}" text-anchor="middle" font-size="10.5" fill="#333"'
    ' paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round">{}</text>'
)
NOTE_LINK = '<a href="{}#{}" id="{}" aria-label="{}">{}</a>'


@register.simple_tag(takes_context=True)
def edge_label(context, drawn):
    """The label at the middle of the edge; a link to its first footnote, and a [n] link
    to each other one. Numbered as the page renders, like every other footnote."""
    edge = drawn.edge
    text = edge.label + (" (uncertain)" if drawn.uncertain else "")
    footnotes = context.get("footnotes")
    record, field_name = edge.citation
    uses = footnotes.cite(record, field_name) if footnotes is not None and record else []
    label = format_html(LABEL_TEXT, f"{drawn.label_x:.1f}", f"{drawn.label_y:.1f}", text)
    if not uses:
        return label
    base = context.get("note_base", "")
    (first_note, first_use), *others = uses
    described = f"{drawn.description}: note {first_note.number}"
    links = [format_html(NOTE_LINK, base, first_note.anchor, first_use.anchor, described, label)]
    x = drawn.label_x + 3.2 * len(text) + 4
    for note, use in others:
        marker = format_html(
            LABEL_TEXT, f"{x + 10:.1f}", f"{drawn.label_y:.1f}", f"[{note.number}]"
        )
        links.append(
            format_html(NOTE_LINK, base, note.anchor, use.anchor, f"Note {note.number}", marker)
        )
        x += 22
    return format_html_join("", "{}", ((link,) for link in links))


# The nodes and lines are written here rather than in the template: a picture of 60 nodes
# is thousands of template lookups, most of a page's rendering time.
NODE = (
    '<a href="{}{}" aria-label="{}"><title>{}</title><path transform="translate({} {}) scale({})"'
    ' d="{}" fill="{}" stroke="#1b1b1b" stroke-width="{}"{}/><text x="{}" y="{}"'
    ' text-anchor="middle" font-size="{}"{} fill="#1b1b1b" paint-order="stroke" stroke="#fff"'
    ' stroke-width="3" stroke-linejoin="round">{}</text></a>\n'
)
LINE = '<line x1="{}" y1="{}" x2="{}" y2="{}"{} marker-end="url(#network-arrow)"/>\n'
DASHED = mark_safe(' stroke-dasharray="6 4"')  # noqa: S308 - a constant


@register.simple_tag(takes_context=True)
def network_nodes(context, drawing):
    """Each node: a link to its record, named for screen readers, with its shape and label."""
    base = context.get("link_base", "")
    return format_html_join("", NODE, (_node_values(drawn, base) for drawn in drawing.nodes))


def _node_values(drawn, base):
    node, centre = drawn.node, drawn.node.depth == 0
    return (
        base,
        node.url,
        node.accessible_name,
        node.name,
        f"{drawn.x:.1f}",
        f"{drawn.y:.1f}",
        drawn.scale,
        drawn.shape,
        drawn.fill,
        "2.5" if centre else "1.2",
        mark_safe(' stroke-dasharray="3 2"') if node.kind == "more" else "",  # noqa: S308
        f"{drawn.x:.1f}",
        f"{drawn.label_y:.1f}",
        "13" if centre else "11.5",
        mark_safe(' font-weight="700"') if centre else "",  # noqa: S308
        drawn.label,
    )


@register.simple_tag
def network_lines(drawing):
    """The edges' lines; dashed when uncertain on the date, or folded."""
    return format_html_join(
        "",
        LINE,
        (
            (
                *(f"{value:.1f}" for value in (drawn.x1, drawn.y1, drawn.x2, drawn.y2)),
                DASHED if drawn.uncertain or not drawn.edge.link_kind else "",
            )
            for drawn in drawing.edges
        ),
    )
