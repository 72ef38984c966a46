"""Read-only list and detail endpoints of every public record and linking row.

Each viewset's queryset is ``published()``; a list filters it with the HTML list's own
FilterSet; every record and row it serves goes through ``claims.public_claims`` first.

A record that was published once and has since been deleted answers 410 Gone; anything
else the public may not see (a draft, an unpublished record, a row with a draft end)
answers 404, as an address that never existed does, so a draft's existence never shows.
An old slug redirects (301) to the record's new address.
"""

from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.settings import api_settings

from investigations import filters, models
from investigations.caching import cache_keyed_on
from investigations.models.visibility import has_status
from investigations.views.claims import claims_citing
from investigations.views.lookup import Moved, published_or_404
from investigations.views.profiles import published_parties

from . import details, serializers
from .claims import attach_citations, public_claims, withhold_claims
from .links import api_url, lookup_field


class Gone(APIException):
    status_code = 410
    default_detail = "This record was published, and has since been deleted."
    default_code = "gone"


class ErrorSerializer(drf_serializers.Serializer):
    detail = drf_serializers.CharField()


ERRORS = {
    429: OpenApiResponse(ErrorSerializer, "Too many requests: wait Retry-After seconds."),
}
DETAIL_ERRORS = {
    **ERRORS,
    404: OpenApiResponse(ErrorSerializer, "No public record here: never existed, or not public."),
    410: OpenApiResponse(ErrorSerializer, "Published once, and since deleted."),
}


def shown(name, queryset):
    """The published rows of the ``name`` relation, prefetched to ``shown_<name>``."""
    return Prefetch(name, queryset=queryset, to_attr=f"shown_{name}")


def was_deleted(model, **lookup):
    """True for a record that was published and has since been deleted."""
    if not has_status(model):
        return False
    deleted = model.objects.filter(**lookup, deleted_at__isnull=False, published_at__isnull=False)
    return deleted.exists()


def public_record(queryset, field, value):
    """The public record, or Gone, Http404 or Moved (``published_or_404``'s redirect)."""
    try:
        if field == "slug":
            return published_or_404(queryset, value)
        record = queryset.filter(pk=value).first()
        if record is None:
            raise Http404(f"No public {queryset.model._meta.verbose_name} at this address.")
        return record
    except Http404:
        if was_deleted(queryset.model, **{field: value}):
            raise Gone from None
        raise


class PublicViewSet(viewsets.ReadOnlyModelViewSet):
    """Subclasses name the ``model``, its two serializers and what the detail shows."""

    model = None
    detail_serializer_class = None
    related = ()  # the records every list row and detail links to, joined
    cited_rows = ()  # ``shown`` rows of the detail, whose claims are cited like the record's
    linked = ()  # ``shown`` records the detail only links to

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.lookup_field = lookup_field(cls.model)
        cls.lookup_value_regex = "[-a-zA-Z0-9_]+" if cls.lookup_field == "slug" else "[0-9]+"

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        """A list is kept by the page cache as the HTML lists are, keyed on its filters, its
        paging and its format, and made stale by any write to a table it read."""
        view = super().as_view(actions, **initkwargs)
        if actions.get("get") != "list":
            return view
        return cache_keyed_on(*cls.list_parameters())(view)

    @classmethod
    def list_parameters(cls):
        filterset = DjangoFilterBackend().get_filterset_class(cls, cls.model.objects.none())
        paging = cls.pagination_class
        return (
            *filterset.base_filters,
            paging.limit_query_param,
            paging.offset_query_param,
            api_settings.URL_FORMAT_OVERRIDE,
        )

    def get_queryset(self):
        queryset = self.model.objects.published().select_related(*self.related)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(*self.cited_rows, *self.linked)
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return self.detail_serializer_class
        return self.serializer_class

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        withhold_claims(public_claims(page), page)
        return page

    def retrieve(self, request, *args, **kwargs):
        try:
            record = self.get_object()
        except Moved as moved:
            return HttpResponsePermanentRedirect(api_url(moved.record, request))
        return Response(self.get_serializer(record).data)

    def get_object(self):
        record = public_record(
            self.get_queryset(), self.lookup_field, self.kwargs[self.lookup_field]
        )
        attributes = [prefetch.to_attr for prefetch in self.cited_rows]
        rows = [row for attribute in attributes for row in getattr(record, attribute)]
        footnotes = public_claims([record, *rows])
        attach_citations(footnotes, [record, *rows])
        withhold_claims(footnotes, [record])
        for attribute in attributes:
            setattr(record, attribute, withhold_claims(footnotes, getattr(record, attribute)))
        return record


def documented(viewset):
    """The errors each endpoint may answer, in the schema."""
    noun = viewset.model._meta.verbose_name
    return extend_schema_view(
        list=extend_schema(
            summary=f"List published {viewset.model._meta.verbose_name_plural}",
            responses={200: viewset.serializer_class, **ERRORS},
        ),
        retrieve=extend_schema(
            summary=f"One published {noun}, with the citations of its claims",
            responses={200: viewset.detail_serializer_class, **DETAIL_ERRORS},
        ),
    )(viewset)


@documented
class OrganisationViewSet(PublicViewSet):
    model = models.Organisation
    serializer_class = serializers.OrganisationSerializer
    detail_serializer_class = details.OrganisationDetailSerializer
    filterset_class = filters.OrganisationFilter
    cited_rows = (
        shown("aliases", models.OrganisationAlias.objects.all()),
        shown("identifiers", models.Identifier.objects.all()),
        shown("sections", models.ProfileSection.objects.all()),
        shown("filings", models.FinancialFiling.objects.all()),
        shown(
            "relationships_out", models.Relationship.objects.published().select_related("object")
        ),
        shown(
            "relationships_in", models.Relationship.objects.published().select_related("subject")
        ),
        shown("contract_parties", published_parties().select_related("contract")),
        shown(
            "concern_parties",
            models.ConcernParty.objects.published().select_related("concern", "parent_at_time"),
        ),
        shown("roles", models.Role.objects.published().select_related("person")),
        shown("site_roles", models.SiteRole.objects.published().select_related("site")),
        shown(
            "framework_places",
            models.FrameworkMembership.objects.published().select_related("framework"),
        ),
    )


@documented
class ContractViewSet(PublicViewSet):
    model = models.Contract
    serializer_class = serializers.ContractSerializer
    detail_serializer_class = details.ContractDetailSerializer
    filterset_class = filters.ContractFilter
    related = ("framework", "site")
    cited_rows = (shown("parties", published_parties()),)
    linked = (shown("concerns", models.Concern.objects.published()),)


@documented
class ConcernViewSet(PublicViewSet):
    model = models.Concern
    serializer_class = serializers.ConcernSerializer
    detail_serializer_class = details.ConcernDetailSerializer
    filterset_class = filters.ConcernFilter
    related = ("regulator",)
    cited_rows = (
        shown(
            "parties",
            models.ConcernParty.objects.published().select_related(
                "organisation", "parent_at_time"
            ),
        ),
    )
    linked = (
        shown("contracts", models.Contract.objects.published()),
        shown("people", models.Person.objects.published()),
    )


@documented
class PersonViewSet(PublicViewSet):
    model = models.Person
    serializer_class = serializers.PersonSerializer
    detail_serializer_class = details.PersonDetailSerializer
    filterset_class = filters.PersonFilter
    cited_rows = (shown("roles", models.Role.objects.published().select_related("organisation")),)
    linked = (shown("concerns", models.Concern.objects.published()),)


@documented
class SiteViewSet(PublicViewSet):
    model = models.Site
    serializer_class = serializers.SiteSerializer
    detail_serializer_class = details.SiteDetailSerializer
    filterset_fields = ("kind",)
    cited_rows = (
        shown("roles", models.SiteRole.objects.published().select_related("organisation")),
    )
    linked = (shown("contracts", models.Contract.objects.published()),)


@documented
class FrameworkViewSet(PublicViewSet):
    model = models.Framework
    serializer_class = serializers.FrameworkSerializer
    detail_serializer_class = details.FrameworkDetailSerializer
    filterset_fields = ("service_category",)
    related = ("buyer",)
    cited_rows = (
        shown(
            "memberships",
            models.FrameworkMembership.objects.published().select_related("organisation"),
        ),
    )
    linked = (shown("call_offs", models.Contract.objects.published()),)


@documented
class SourceViewSet(PublicViewSet):
    model = models.Source
    serializer_class = serializers.SourceSerializer
    detail_serializer_class = details.SourceDetailSerializer
    filterset_class = filters.SourceFilter

    def get_object(self):
        source = super().get_object()
        source.claims = claims_citing(source)
        return source


def linking_rows(model, serializer, detail_serializer, fields, related=()):
    """The viewset of rows between records, filtered by their kind or role and by the
    slugs of the records at their ends."""
    viewset = type(
        f"{model.__name__}ViewSet",
        (PublicViewSet,),
        {
            "model": model,
            "serializer_class": serializer,
            "detail_serializer_class": detail_serializer,
            "related": (*model.public_parents, *related),
            "filterset_fields": {
                **{name: ["exact"] for name in fields},
                **{f"{parent}__slug": ["exact"] for parent in model.public_parents},
            },
        },
    )
    return documented(viewset)


VIEWSETS = {
    models.Organisation: OrganisationViewSet,
    models.Contract: ContractViewSet,
    models.Concern: ConcernViewSet,
    models.Person: PersonViewSet,
    models.Site: SiteViewSet,
    models.Framework: FrameworkViewSet,
    models.Source: SourceViewSet,
    models.Relationship: linking_rows(
        models.Relationship,
        serializers.RelationshipSerializer,
        details.RelationshipDetailSerializer,
        ("kind",),
    ),
    models.ContractParty: linking_rows(
        models.ContractParty,
        serializers.ContractPartySerializer,
        details.ContractPartyDetailSerializer,
        ("role",),
    ),
    models.ConcernParty: linking_rows(
        models.ConcernParty,
        serializers.ConcernPartySerializer,
        details.ConcernPartyDetailSerializer,
        (),
        related=("parent_at_time",),
    ),
    models.Role: linking_rows(
        models.Role, serializers.RoleSerializer, details.RoleDetailSerializer, ("kind",)
    ),
    models.SiteRole: linking_rows(
        models.SiteRole,
        serializers.SiteRoleSerializer,
        details.SiteRoleDetailSerializer,
        ("kind",),
    ),
    models.FrameworkMembership: linking_rows(
        models.FrameworkMembership,
        serializers.FrameworkMembershipSerializer,
        details.FrameworkMembershipDetailSerializer,
        (),
    ),
}
