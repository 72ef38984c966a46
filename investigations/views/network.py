"""The network page, ``/network/?around=<kind>:<slug>&depth=1..3&as_of=YYYY-MM-DD``, and
its downloads: the picture as an SVG file, the graph as GEXF and as JSON."""

import re
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from investigations.caching import cache_keyed_on
from investigations.citations import Footnotes
from investigations.network.as_of import EXPLANATION, parse_as_of
from investigations.network.exports import as_gexf, as_json
from investigations.network.graph import CENTRES, MAX_DEPTH, neighbourhood
from investigations.network.picture import picture_of

from .profiles import ownership_chains

PARAMETERS = ("around", "depth", "as_of")
DEFAULT_DEPTH = 2
SLUG = re.compile(r"^[-\w]{1,200}$", re.ASCII)
AROUND_HELP = (
    "Say which record to draw the network around, as ?around=organisation:alliance-medical: "
    f"one of {', '.join(CENTRES)}, a colon, then the record's address as in its page's URL."
)


class BadQuery(ValueError):
    """A parameter the page cannot use; its message is shown to the reader."""


@dataclass
class NetworkQuery:
    record: object
    depth: int
    as_of: object


def read_query(parameters):
    kind, _, slug = parameters.get("around", "").partition(":")
    if kind not in CENTRES or not SLUG.match(slug):
        raise BadQuery(AROUND_HELP)
    depth = parameters.get("depth", str(DEFAULT_DEPTH))
    if depth not in {str(number) for number in range(1, MAX_DEPTH + 1)}:
        raise BadQuery(f"The depth is how many steps out to go: 1, 2 or {MAX_DEPTH}.")
    try:
        as_of = parse_as_of(parameters.get("as_of", ""))
    except ValueError as error:
        raise BadQuery(str(error)) from None
    record = CENTRES[kind].objects.published().filter(slug=slug).first()
    if record is None:
        raise Http404(f"No published {kind} at this address.")
    return NetworkQuery(record, int(depth), as_of)


def build(query):
    """The picture, the ownership chains of an organisation, and their footnotes."""
    graph = neighbourhood(query.record, query.depth, query.as_of)
    owners, holdings = [], []
    if query.record._meta.model_name == "organisation":
        owners, holdings = ownership_chains(query.record, query.as_of)
    chain = [link.relationship for link in owners + holdings]
    footnotes = Footnotes([query.record, *graph.cited_records(), *chain])
    picture = picture_of(graph, footnotes)
    return {"network": picture, "footnotes": footnotes, "owners": owners, "holdings": holdings}


def bad_query(request, error):
    context = {"heading": "Network", "error": str(error), "around_help": AROUND_HELP}
    return render(request, "investigations/network.html", context, status=400)


@cache_keyed_on(*PARAMETERS)
def network_page(request):
    try:
        query = read_query(request.GET)
    except BadQuery as error:
        return bad_query(request, error)
    context = build(query)
    context.update(
        centre=query.record,
        heading=f"Network around {query.record}",
        as_of_explanation=EXPLANATION,
        depths=range(1, MAX_DEPTH + 1),
        page_description=f"The published records tied to {query.record}, and how.",
    )
    return render(request, "investigations/network.html", context)


@cache_keyed_on(*PARAMETERS)
def network_download(request, file_format):
    try:
        query = read_query(request.GET)
    except BadQuery as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    context = build(query)
    graph = context["network"].graph

    def absolute(path):
        return request.build_absolute_uri(path)

    if file_format == "svg":
        body = _svg(request, context, absolute)
        content_type = "image/svg+xml"
    elif file_format == "gexf":
        body, content_type = as_gexf(graph, absolute), "application/gexf+xml"
    else:
        body, content_type = as_json(graph, context["footnotes"], absolute), "application/json"
    response = HttpResponse(body, content_type=content_type)
    name = f"network-{query.record.slug}-depth-{query.depth}"
    if query.as_of:
        name += f"-{query.as_of.isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response


def _svg(request, context, absolute):
    """The picture as a file: its links lead to the network page's notes and records."""
    picture = context["network"]
    svg = render_to_string(
        "includes/network.svg",
        {
            "graph": picture.graph,
            "drawing": picture.drawing,
            "footnotes": context["footnotes"],
            "note_base": absolute(picture.url),
            "link_base": absolute("/").rstrip("/"),
        },
        request=request,
    )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg
