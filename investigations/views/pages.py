"""The home page. (404.html and 500.html are served by Django's default handlers.)"""

from django.shortcuts import render

from investigations.caching import cache_keyed_on
from investigations.models import LISTED_KINDS, Organisation


@cache_keyed_on()
def home(request):
    counts = [
        (kind.plural, kind.model.objects.published().count(), kind.list_route)
        for kind in LISTED_KINDS
    ]
    recent = Organisation.objects.published().order_by("-updated_at")[:8]
    return render(request, "home.html", {"counts": counts, "recent": recent})
