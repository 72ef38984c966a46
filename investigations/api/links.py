"""Addresses of API resources: each public record by its slug, each linking row by its id."""

from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from investigations.models import (
    PUBLIC_KINDS,
    ConcernParty,
    ContractParty,
    FrameworkMembership,
    Relationship,
    Role,
    SiteRole,
)
from investigations.views.claims import page_of

# Every kind of public record, then the rows that link them: each has a list and a detail.
RESOURCE_MODELS = (
    *(kind.model for kind in PUBLIC_KINDS),
    Relationship,
    ContractParty,
    ConcernParty,
    Role,
    SiteRole,
    FrameworkMembership,
)


def prefix(model):
    """The resource's path under /api/: "organisations", "contract-parties"."""
    return slugify(str(model._meta.verbose_name_plural))


def lookup_field(model):
    """Records with a page are addressed by slug; the rows between them by id."""
    return "slug" if hasattr(model, "get_absolute_url") else "pk"


def view_name(model):
    return f"api:{model._meta.model_name}-detail"


def link(model, **kwargs):
    """A read-only link to the API resource of the related ``model`` record."""
    return serializers.HyperlinkedRelatedField(
        view_name=view_name(model), lookup_field=lookup_field(model), read_only=True, **kwargs
    )


def own_link(model):
    return serializers.HyperlinkedIdentityField(
        view_name=view_name(model), lookup_field=lookup_field(model)
    )


def api_url(record, request):
    """The resource of a record; for a row without one (an alias), its record's."""
    while type(record) not in RESOURCE_MODELS:
        record = page_of(record)
    field = lookup_field(type(record))
    return reverse(view_name(type(record)), kwargs={field: getattr(record, field)}, request=request)


@extend_schema_field(OpenApiTypes.URI)
class PageField(serializers.Field):
    """The public page of the record, for people rather than programs."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        return self.context["request"].build_absolute_uri(record.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class ResourceField(serializers.Field):
    """The API resource of whatever record the attribute holds (of any model)."""

    def to_representation(self, record):
        return api_url(record, self.context["request"])
