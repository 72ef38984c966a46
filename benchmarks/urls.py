from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache


@never_cache
def trivial(request):
    """The baseline: what Django costs with no database work at all. Never cached, so it
    does not get the public pages' cache lookups for free."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/ok/", trivial),
    path("", include("investigations.urls")),
]
