"""A page listing published organisations, to test the page cache apart from the real views."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from investigations.models import Organisation


def organisation_names(request):
    names = Organisation.objects.published().values_list("name", flat=True)
    return HttpResponse(", ".join(names))


urlpatterns = [
    path("names/", organisation_names),
    path("admin/names/", organisation_names),
    path("never-cached/names/", never_cache(organisation_names)),
]
