"""Pages listing published organisations, to test the page cache apart from the real views."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from investigations.caching import cache_keyed_on
from investigations.models import Organisation


def organisation_names(request):
    names = Organisation.objects.published().values_list("name", flat=True)
    if "starting" in request.GET:
        names = names.filter(name__startswith=request.GET["starting"])
    return HttpResponse(", ".join(names))


def organisation_names_and_address(request):
    return HttpResponse(
        f"{organisation_names(request).content.decode()} at {request.build_absolute_uri()}"
    )


def organisation_names_then_an_edit(request):
    """As a writer committing while the page renders: the rows read are already old."""
    response = organisation_names(request)
    editing = Organisation.objects.published().first()
    editing.name = "Equitix Ltd"
    editing.save()
    return response


cached_names = cache_keyed_on("starting")(organisation_names)

urlpatterns = [
    path("names/", cached_names),
    path("names-here/", cache_keyed_on("starting")(organisation_names_and_address)),
    path("names-then-an-edit/", cache_keyed_on()(organisation_names_then_an_edit)),
    path("uncached/names/", organisation_names),
    path("admin/names/", cached_names),
    path("never-cached/names/", never_cache(cached_names)),
]
