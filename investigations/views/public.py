from django.http import Http404, HttpResponse


def home(request):
    return HttpResponse("Investigations")


def placeholder(request, slug):
    raise Http404
