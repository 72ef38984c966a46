from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    """The baseline: what Django costs with no database work at all."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/ok/", trivial),
    path("", include("investigations.urls")),
]
