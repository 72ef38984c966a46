"""Template helpers for the public site: footnote superscripts, prose, money, dates, links."""

from django import template
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from investigations.models import format_money
from investigations.prose import render_markdown
from investigations.views.lookup import public_url

register = template.Library()


def superscripts(footnotes, record, field_name="", marker=""):
    if footnotes is None:
        return ""
    uses = footnotes.cite(record, field_name, marker)
    return format_html_join(
        "",
        '<sup class="fn"><a href="#{}" id="{}" aria-label="Note {}">{}</a></sup>',
        ((note.anchor, use.anchor, note.number, note.number) for note, use in uses),
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

    text = footnotes.visible_prose(record, field_name) if footnotes else getattr(record, field_name)
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


@register.filter
def public(record):
    """True when the public may see this record (related rows may point at drafts)."""
    return record is not None and getattr(record, "is_published", True)


@register.filter
def url(record):
    """The public page of a record, or "" if it has none."""
    return public_url(record)


@register.simple_tag
def record_link(record):
    """A link to a published record's page; the plain name of anything else."""
    if record is None:
        return ""
    link = url(record) if public(record) else ""
    return format_html('<a href="{}">{}</a>', link, record) if link else str(record)


@register.filter
def share(relationship):
    """ "75%", "50–75%" or ""."""
    low, high = relationship.share_min, relationship.share_max
    shown = [f"{value.normalize():f}%" for value in (low, high) if value is not None]
    if len(shown) == 2 and low == high:
        return shown[0]
    return "–".join(shown)
