"""The search page."""

from django.shortcuts import render

from investigations.caching import cache_keyed_on
from investigations.search import search as run_search


@cache_keyed_on("q")
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    groups = run_search(query) if query else []
    context = {"query": query, "groups": groups, "total": sum(len(g.records) for g in groups)}
    return render(request, "investigations/search.html", context)
