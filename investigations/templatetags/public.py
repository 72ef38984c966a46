"""Template helpers for the public site: footnote superscripts, prose, money, dates, links,
the navigation, the filings charts."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe

from investigations.charts import filings_charts
from investigations.models import LISTED_KINDS, format_money, is_public
from investigations.prose import mark_unmarked_passages, render_markdown

register = template.Library()

UNCITED_MARK = mark_safe(  # noqa: S308 - a constant
    '<sup class="uncited"><a href="#uncited" aria-label="Not cited">uncited</a></sup>'
)
# A marker no citation has, given while rendering to each passage that has no marker.
UNMARKED = "--unmarked--"


def superscripts(footnotes, record, field_name="", marker=""):
    """The claim's note numbers; the "uncited" mark if it needs one and has none."""
    if footnotes is None:
        return ""
    uses = footnotes.cite(record, field_name, marker)
    if not uses:
        return UNCITED_MARK if footnotes.mark_uncited(record, field_name, marker) else ""
    # Numbers and anchors the page made, nothing to escape: f-strings, as a page has hundreds.
    return mark_safe(  # noqa: S308
        "".join(
            f'<sup class="fn"><a href="#{note.anchor}" id="{use.anchor}" '
            f'aria-label="Note {note.number}">{note.number}</a></sup>'
            for note, use in uses
        )
    )


@register.simple_tag(takes_context=True)
def cite(context, record, field_name=""):
    """Superscript note numbers for a record (no field) or one of its field values."""
    return superscripts(context.get("footnotes"), record, field_name)


@register.simple_tag(takes_context=True)
def prose(context, record, field_name):
    """A Markdown field, sanitised, with its [^key] markers turned into note numbers."""
    footnotes = context.get("footnotes")

    def render_marker(key):
        return str(superscripts(footnotes, record, field_name, key))

    if footnotes is None:
        return mark_safe(render_markdown(getattr(record, field_name), render_marker))  # noqa: S308
    text = mark_unmarked_passages(footnotes.visible_prose(record, field_name), UNMARKED)
    return mark_safe(render_markdown(text, render_marker))  # noqa: S308


@register.filter
def money(amount, currency="GBP"):
    return format_money(amount, currency or "GBP")


@register.filter
def partial(value):
    """A PartialDate as known ("2016", "June 2022"); anything else unchanged."""
    return getattr(value, "display", value) or ""


@register.filter
def machine_datetime(moment):
    """A moment for <time datetime>: to the second, with its offset. HTML allows at most
    three digits of fractional seconds, and the 'c' date format gives six."""
    if not moment:
        return ""
    return timezone.localtime(moment).isoformat(timespec="seconds")


@register.simple_tag
def record_link(record):
    """A link to a public record's page, or its plain name if it has no page of its own.

    Nothing at all for a record the public may not see: views blank such links before a
    template sees them, and should one slip through, an empty string tells the reader
    nothing, not even that something was left out (a "—" would).
    """
    if not is_public(record):
        return ""
    get_url = getattr(record, "get_absolute_url", None)
    return format_html('<a href="{}">{}</a>', get_url(), record) if get_url else str(record)


@register.inclusion_tag("includes/filings_chart.html")
def filings_chart(organisation, filings):
    """The filings the page shows, as bar charts beside their table (investigations.charts)."""
    return {"charts": filings_charts(organisation, filings)}


@register.inclusion_tag("includes/site_nav.html")
def site_nav():
    """The main navigation: a link to each kind of record's list."""
    return {"kinds": LISTED_KINDS}


@register.filter
def share(relationship):
    """ "75%", "50–75%" or ""."""
    low, high = relationship.share_min, relationship.share_max
    shown = [f"{value.normalize():f}%" for value in (low, high) if value is not None]
    if len(shown) == 2 and low == high:
        return shown[0]
    return "–".join(shown)


@register.simple_tag
def external_link(address, text="", css_class=""):
    """A link to a web address; only http and https are ever linked, anything else is shown
    as text (a ``javascript:`` address stored before the validators would run on click)."""
    if not address:
        return ""
    if not str(address).lower().startswith(("http://", "https://")):
        return text or address
    return format_html(
        '<a{} href="{}" rel="nofollow noopener">{}</a>',
        format_html(' class="{}"', css_class) if css_class else "",
        address,
        text or address,
    )


@register.simple_tag(takes_context=True)
def footnote_sections(context):
    """The page's notes, each source's passages with links back to their uses, and its list
    of sources.

    Written as f-strings with every value escaped, and marked safe once: a profile has
    hundreds of uses, and rendering them a template node (or a format_html) at a time took
    a fifth of its page's time.
    """
    footnotes = context.get("footnotes")
    notes = footnotes.notes if footnotes else []
    if not notes:
        return ""
    sources = "\n".join(
        f'<li><a href="{escape(source.get_absolute_url())}">{escape(source.title)}</a>'
        f"{_comma(source.publisher)}"
        f"{f' ({escape(source.published_on.display)})' if source.published_on else ''}</li>"
        for source in footnotes.sources
    )
    return mark_safe(  # noqa: S308 - every value in it passed through escape()
        '<section class="notes" aria-labelledby="notes-heading">\n'
        f'<h2 id="notes-heading">Notes</h2>\n<ol>\n{"".join(map(_note, notes))}</ol>\n'
        "</section>\n"
        '<section class="sources" aria-labelledby="sources-heading">\n'
        f'<h2 id="sources-heading">Sources</h2>\n<ul>\n{sources}\n</ul>\n</section>'
    )


def _comma(value):
    return f", {escape(value)}" if value else ""


def _note(note):
    backlinks = " ".join(
        f'<a href="#{use.anchor}" aria-label="Back to use {use.letter} of note {note.number}">'
        f"{use.letter}</a>"
        for use in note.uses
    )
    several_uses = len(note.uses) > 1
    passages = "".join(
        f"<li>{_passage(citation, uses, several_uses)}</li>\n" for citation, uses in note.citations
    )
    return (
        f'<li id="{note.anchor}">\n<span class="backlinks">{backlinks}</span>\n'
        f"{source_reference(note.source)}\n"
        f'<ul class="note-citations">\n{passages}</ul>\n</li>\n'
    )


def _passage(citation, uses, several_uses):
    parts = []
    if several_uses:
        letters = ", ".join(f'<a href="#{use.anchor}">{use.letter}</a>' for use in uses)
        parts.append(f'<span class="uses">{letters}:</span>')
    if citation.quote:
        parts.append(f"<q>{escape(citation.quote)}</q>")
    if citation.locator:
        parts.append(f'<span class="locator">({escape(citation.locator)})</span>')
    confidence = escape(citation.get_confidence_display().lower())
    parts.append(
        f'<span class="confidence confidence-{escape(citation.confidence)}">'
        f"Confidence: {confidence}</span>"
    )
    if citation.note:
        parts.append(f'<span class="citation-note">{escape(citation.note)}</span>')
    return " ".join(parts)


def source_reference(source):
    """A source as a note cites it, as escaped HTML: title, publisher, author, date, then
    its links."""
    published = source.published_on.display if source.published_on else ""
    details = "".join(map(_comma, (source.publisher, source.author, published)))
    parts = [
        f'<cite><a href="{escape(source.get_absolute_url())}">{escape(source.title)}</a>'
        f"</cite>{details}."
    ]
    if source.url:
        parts.append(conditional_escape(external_link(source.url, "Original", "external")))
    if source.archived_url:
        link = external_link(source.archived_url, "Archived copy", "archived")
        parts.append(conditional_escape(link))
    if source.accessed_on:
        accessed = format_date(source.accessed_on, "j F Y")
        parts.append(f'<span class="accessed">Accessed {accessed}.</span>')
    parts.append(f'<span class="print-url">{escape(source.url)}</span>')
    return "\n".join(parts)
