"""Markdown prose: rendering through a sanitiser, and finding its citation markers."""

import re

import markdown
import nh3

MARKER = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "sup", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "id"}, "sup": {"id", "class"}, "li": {"id"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitise_html(html):
    """Keep only a short allow-list: no images, iframes, scripts, styles or event handlers."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener",
        strip_comments=True,
    )


def render_markdown(text, render_marker=None):
    """Markdown to safe HTML. ``render_marker(key)`` returns the HTML for a ``[^key]``.

    Markers are swapped for placeholders before Markdown and the sanitiser run, so the
    footnote HTML that replaces them is ours, never the author's.
    """
    if not text:
        return ""
    keys = []

    def placeholder(match):
        keys.append(match.group(1))
        return f"CITEMARKER{len(keys) - 1}END"

    body = MARKER.sub(placeholder, text)
    html = sanitise_html(markdown.markdown(body, extensions=["tables", "sane_lists"]))

    def restore(match):
        key = keys[int(match.group(1))]
        return render_marker(key) if render_marker else ""

    return re.sub(r"CITEMARKER(\d+)END", restore, html)


def passages(text):
    """The passages of a prose text that make claims: its paragraphs and list items.

    Headings, rules and blank lines assert nothing, so they need no citation.
    """
    blocks = []
    for block in re.split(r"\n\s*\n", text or ""):
        blocks.extend(line.strip() for line in _list_items(block) if _is_passage(line))
    return blocks


def mark_unmarked_passages(text, key):
    """The text with ``[^key]`` at the end of each passage that has no marker of its own."""
    blocks = []
    for block in re.split(r"\n\s*\n", text or ""):
        items = _list_items(block)
        blocks.append("\n".join(_with_marker(item, key) for item in items))
    return "\n\n".join(blocks)


def _with_marker(passage, key):
    if not _is_passage(passage) or markers_in(passage):
        return passage
    return f"{passage.rstrip()} [^{key}]"


def _is_passage(line):
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#") and bool(set(stripped) - set("-*_ "))


def _list_items(block):
    lines = block.splitlines()
    if lines and all(re.match(r"\s*([-*+]|\d+\.)\s", line) for line in lines if line.strip()):
        return lines
    return [block]


def markers_in(text):
    return MARKER.findall(text or "")
