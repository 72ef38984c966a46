"""Filtered, sorted, paginated lists of published records, with facet counts."""

from collections import Counter
from dataclasses import dataclass
from math import ceil

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.functional import cached_property

from investigations import filters
from investigations.caching import cache_keyed_on
from investigations.exports import downloads
from investigations.models import (
    Concern,
    ConcernParty,
    Contract,
    ContractParty,
    Framework,
    Organisation,
    Person,
    Site,
    SiteRole,
    Source,
    blank_private_links,
)

from .profiles import published_parties

PAGE_SIZE = 25
# A list counts no further than this, and pages no deeper: past it, a reader narrows the
# filters or downloads the lot. Counting, grouping and skipping a million rows on every
# page would cost each reader what only the last page needs.
COUNT_LIMIT = 10_000


@dataclass
class FacetValue:
    label: str
    count: int | None  # None: more records than a list counts
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    label: str
    values: list


def facets(queryset, request, fields, counted):
    """Counts of the filtered records by each choice field, all from one grouped query (a
    list with a text filter finds its records only by reading the table: once, not once a
    facet); the choices alone if there are more records than the list counts (not
    ``counted``)."""
    counts = {name: Counter() for name in fields}
    if counted and fields:
        for row in queryset.order_by().values(*fields).annotate(n=Count("pk")).order_by():
            for name in fields:
                counts[name][row[name]] += row["n"]
    found = []
    for name in fields:
        field = queryset.model._meta.get_field(name)
        labels = dict(field.choices)
        if counted:
            by_size = sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))
            choices = [(value, count) for value, count in by_size if value]
        else:
            choices = [(value, None) for value in labels]
        values = [
            facet_value(request, name, value, labels.get(value, value), count)
            for value, count in choices
        ]
        found.append(Facet(name, field.verbose_name.capitalize(), values))
    return found


def facet_value(request, name, value, label, count):
    """A facet choice, and the URL that selects it (or, once selected, removes it)."""
    query = request.GET.copy()
    query.pop("page", None)
    selected = request.GET.get(name) == value
    if selected:
        query.pop(name)
    else:
        query[name] = value
    return FacetValue(label, count, selected, f"?{query.urlencode()}")


class IdsFirstPaginator(Paginator):
    """Reads a page's ids first, then only that page's rows.

    A deep page's OFFSET then walks an index (see the models' list indexes) rather than
    reading and discarding whole rows, which makes page 2,000 about as quick as page 1.
    The order ends with the primary key, so equal values cannot shuffle between pages.
    """

    def __init__(self, object_list, per_page, **kwargs):
        ordering = list(object_list.query.order_by or object_list.model._meta.ordering)
        super().__init__(object_list.order_by(*ordering, "pk"), per_page, **kwargs)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(bottom, top), number, self)

    def rows(self, bottom, top):
        """The rows from ``bottom`` up to ``top`` in list order: their ids, then them."""
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


class CountLimitedPaginator(IdsFirstPaginator):
    """Counts up to COUNT_LIMIT rows, and pages only through those."""

    limit = COUNT_LIMIT

    @cached_property
    def count(self):
        """Exact up to the limit; beyond it, one more than the limit, read no further."""
        return self.object_list.order_by()[: self.limit + 1].count()

    @property
    def more_than_limit(self):
        return self.count > self.limit

    @cached_property
    def num_pages(self):
        return max(1, ceil(min(self.count, self.limit) / self.per_page))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count, self.limit)
        return self._get_page(self.rows(bottom, top), number, self)


def filtered_list(request, filterset_class, queryset, template, facet_fields=(), **context):
    """Filter by the GET parameters, paginate, and count the facets of what is left."""
    filterset = filterset_class(request.GET, queryset=queryset)
    if "format" in request.GET:
        return download_list(request, filterset)
    results = filterset.qs
    page = CountLimitedPaginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    blank_private_links(page.object_list)
    counted = not page.paginator.more_than_limit
    context.update(
        filter=filterset,
        page=page,
        facets=facets(results, request, facet_fields, counted),
        filtered=any(value for key, value in request.GET.items() if key not in ("page", "sort")),
        download_formats={fmt: label for fmt, (label, _) in downloads.FORMATS.items()},
    )
    return render(request, f"investigations/{template}", context)


def download_list(request, filterset):
    """Every record the filter selects, in the format asked for; a filter it cannot read is
    refused rather than silently dropped, as the page would, from a file that outlives it."""
    fmt = request.GET["format"]
    if fmt not in downloads.FORMATS:
        return plain_bad_request(f"There is no download format {fmt!r}: use csv, xlsx or json.")
    if not filterset.is_valid():
        problems = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
        return plain_bad_request("These filters cannot be used:\n" + "\n".join(problems))
    name = filterset.queryset.model._meta.verbose_name_plural
    return downloads.download(filterset.qs, fmt, request.build_absolute_uri, name)


def plain_bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def cached_list(filterset_class):
    """A list reads its filters' parameters, its page number and the download format. The
    page cache never stores a download: they stream (see caching.py)."""
    return cache_keyed_on(*filterset_class.base_filters, "page", "format")


@cached_list(filters.OrganisationFilter)
def organisation_list(request):
    return filtered_list(
        request,
        filters.OrganisationFilter,
        Organisation.objects.published(),
        "organisation_list.html",
        ("kind", "org_status"),
        heading="Organisations",
    )


@cached_list(filters.ContractFilter)
def contract_list(request):
    contracts = (
        Contract.objects.published()
        .select_related("framework", "site")  # both checked by blank_private_links
        .prefetch_related(Prefetch("parties", queryset=published_parties()))
    )
    return filtered_list(
        request,
        filters.ContractFilter,
        contracts,
        "contract_list.html",
        ("contract_status", "service_category"),
        heading="Contracts",
        buyer_roles=ContractParty.BUYER_ROLES,
        supplier_roles=ContractParty.SUPPLIER_ROLES,
    )


@cached_list(filters.ConcernFilter)
def concern_list(request):
    parties = ConcernParty.objects.published().select_related("organisation")
    concerns = (
        Concern.objects.published()
        .select_related("regulator")
        .prefetch_related(Prefetch("parties", queryset=parties))
    )
    return filtered_list(
        request,
        filters.ConcernFilter,
        concerns,
        "concern_list.html",
        ("kind", "concern_status"),
        heading="Concerns",
    )


@cached_list(filters.SourceFilter)
def source_list(request):
    return filtered_list(
        request,
        filters.SourceFilter,
        Source.objects.published(),
        "source_list.html",
        ("kind", "source_type"),
        heading="Sources",
    )


@cached_list(filters.PersonFilter)
def person_list(request):
    return filtered_list(
        request,
        filters.PersonFilter,
        Person.objects.published(),
        "person_list.html",
        heading="People",
    )


@cached_list(filters.SiteFilter)
def site_list(request):
    # Who runs each site now: operators whose role has not ended.
    operators = (
        SiteRole.objects.published()
        .filter(kind=SiteRole.Kind.OPERATOR, end="")
        .select_related("organisation")
    )
    sites = Site.objects.published().prefetch_related(
        Prefetch("roles", queryset=operators, to_attr="operators")
    )
    return filtered_list(
        request, filters.SiteFilter, sites, "site_list.html", ("kind",), heading="Sites"
    )


@cached_list(filters.FrameworkFilter)
def framework_list(request):
    frameworks = Framework.objects.published().select_related("buyer")  # for blank_private_links
    return filtered_list(
        request,
        filters.FrameworkFilter,
        frameworks,
        "framework_list.html",
        ("service_category",),
        heading="Frameworks",
    )
