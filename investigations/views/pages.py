"""The home page. (404.html and 500.html are served by Django's default handlers.)"""

from django.shortcuts import render

from investigations.caching import cache_keyed_on
from investigations.models import Concern, Contract, Organisation, Person, Source

COUNTED = (
    ("organisations", Organisation, "organisation_list"),
    ("contracts", Contract, "contract_list"),
    ("concerns", Concern, "concern_list"),
    ("people", Person, "person_list"),
    ("sources", Source, "source_list"),
)


@cache_keyed_on()
def home(request):
    counts = [(label, model.objects.published().count(), route) for label, model, route in COUNTED]
    recent = Organisation.objects.published().order_by("-updated_at")[:8]
    return render(request, "home.html", {"counts": counts, "recent": recent})
