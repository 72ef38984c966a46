"""Sources' files, served only while the reader may see the source, and never as a page of
this site: a file opened here could otherwise run script in its origin."""

from pathlib import PurePosixPath

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from investigations.models import Source
from investigations.uploads import served_type

# No script, no plugins, no requests, a unique origin: even a browser that renders the file
# as a page gives it nothing of this site. Nor may another site frame it.
SANDBOX = "sandbox; default-src 'none'; frame-ancestors 'none'"


def source_file(request, slug):
    source = get_object_or_404(Source.objects.visible_to(request.user), slug=slug)
    if not source.file:
        raise Http404("This source has no file.")
    return file_response(source)


def file_response(source):
    stored = source.file.open("rb")
    file_type = served_type(stored, source.file.name)
    response = FileResponse(
        stored,
        as_attachment=not file_type.inline,
        filename=source.original_name or PurePosixPath(source.file.name).name,
        content_type=file_type.content_type,
    )
    response["Content-Security-Policy"] = SANDBOX
    if not source.is_published:
        response["Cache-Control"] = "private, no-store"
    return response
