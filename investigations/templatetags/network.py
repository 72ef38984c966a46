"""Template helpers for the network picture: an edge's label, linked to its footnotes."""

from django import template
from django.utils.html import format_html, format_html_join

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
