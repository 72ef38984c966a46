"""The home page. (404.html and 500.html are served by Django's default handlers.)"""

from django.shortcuts import render

from investigations.caching import cache_keyed_on
from investigations.citations import Footnotes
from investigations.models import LISTED_KINDS, Organisation, featured_records


@cache_keyed_on()
def home(request):
    counts = [
        (kind.plural, kind.model.objects.published().count(), kind.list_route)
        for kind in LISTED_KINDS
    ]
    recent = Organisation.objects.published().order_by("-updated_at")[:8]
    featured = featured_records()
    # A standfirst backed only by an unpublished source is withheld, as on the record's page.
    featured = Footnotes(featured).withhold(featured)
    context = {"featured": featured, "counts": counts, "recent": recent}
    return render(request, "home.html", context)
