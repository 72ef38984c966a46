"""Finding a published record by slug, following old slugs with a permanent redirect."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponsePermanentRedirect

from investigations.caching import shows_one_record
from investigations.models import SlugRedirect


class Moved(Exception):
    """Raised with a renamed record, and the response that sends the reader to its page."""

    def __init__(self, record):
        self.record = record
        self.response = HttpResponsePermanentRedirect(record.get_absolute_url())


def published_or_404(queryset, slug):
    """The published record with this slug; a redirect if it had this slug before.

    Drafts and deleted records raise the same 404 as records that never existed.
    """
    published = queryset.published()
    record = published.filter(slug=slug).first()
    if record is not None:
        return record
    content_type = ContentType.objects.get_for_model(queryset.model)
    old = SlugRedirect.objects.filter(content_type=content_type, old_slug=slug).first()
    renamed = old and published.filter(pk=old.object_id).first()
    if renamed:
        raise Moved(renamed)
    raise Http404(f"No published {queryset.model._meta.verbose_name} at this address.")


def detail_view(model, build):
    """A detail view: look the record up by slug, then render what ``build`` returns."""

    def view(request, slug):
        try:
            record = published_or_404(model.objects.all(), slug)
        except Moved as moved:
            return moved.response
        return build(request, record)

    view.__name__ = f"{model._meta.model_name}_detail"
    return shows_one_record(view)
