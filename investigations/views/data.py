"""The /data/ page (the latest bulk dumps, the API, the formats, the licence, how to cite)
and the dump files, served only as a dump's manifest names them."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from investigations.exports import dumps
from investigations.models import LISTED_KINDS


def data_page(request):
    """Not in the page cache: a new dump changes it without changing any record."""
    latest = dumps.latest_dump()
    date = latest[0] if latest else timezone.now().date().isoformat()
    context = {
        "heading": "Data and downloads",
        "dump_date": latest[0] if latest else None,
        "dump_files": latest[1]["files"] if latest else [],
        "kinds": LISTED_KINDS,
        "licence": settings.DATA_LICENCE,
        "licence_url": settings.DATA_LICENCE_URL,
        "citation": how_to_cite(date, request.build_absolute_uri(reverse("data"))),
        "page_description": "Download the database: every list as CSV, XLSX or JSON, "
        "and bulk dumps of every published record with its citations.",
    }
    return render(request, "investigations/data.html", context)


def how_to_cite(date, url):
    return settings.DATA_CITATION.replace("{date}", date).replace("{url}", url)


def dump_file(request, date, name):
    path = dumps.dump_path(date, name)
    if path is None or not path.is_file():
        raise Http404("No such dump file.")
    content_type = "application/json" if name == dumps.MANIFEST else "application/gzip"
    return FileResponse(
        open(path, "rb"), as_attachment=name != dumps.MANIFEST, content_type=content_type
    )
