"""The JSON of each resource in a list: a record's fields, and links to the records it
names. ``details`` adds what a detail shows besides.

Serializers read only what the views prepared (``claims.public_claims``): links to drafts
are already blank, withheld claims already gone, citations already marked stale or not.
"""

from django.urls import reverse
from rest_framework import serializers

from investigations import models

from .links import PageField, link, own_link


class CitationSerializer(serializers.ModelSerializer):
    field = serializers.CharField(
        source="field_name", help_text="The field it backs; blank for the record as a whole."
    )
    marker = serializers.CharField(help_text="For prose: the [^marker] of the passage it backs.")
    source = link(models.Source)
    source_title = serializers.CharField(source="source.title")
    stale = serializers.BooleanField(
        help_text="True when the value has changed since the citation was checked against "
        "it: the citation no longer backs what the record says."
    )

    class Meta:
        model = models.Citation
        fields = [
            "field",
            "marker",
            "source",
            "source_title",
            "quote",
            "locator",
            "confidence",
            "note",
            "stale",
        ]


def citations():
    return CitationSerializer(source="public_citations", many=True, read_only=True)


class RecordSerializer(serializers.ModelSerializer):
    """A record or row, read-only; a record with a page starts with ``common_fields``."""

    common_fields = ["url", "page", "slug"]

    def build_field(self, field_name, info, model_class, nested_depth):
        """Every model field read-only, so the schema says no field can be written."""
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        kwargs["read_only"] = True
        return field_class, kwargs


class OrganisationSerializer(RecordSerializer):
    url = own_link(models.Organisation)
    page = PageField()

    class Meta:
        model = models.Organisation
        fields = [
            *RecordSerializer.common_fields,
            "name",
            "kind",
            "org_status",
            "country",
            "website",
            "founded",
            "dissolved",
            "summary",
            "updated_at",
        ]


class ContractSerializer(RecordSerializer):
    url = own_link(models.Contract)
    page = PageField()
    framework = link(models.Framework, allow_null=True)
    site = link(models.Site, allow_null=True)

    class Meta:
        model = models.Contract
        fields = [
            *RecordSerializer.common_fields,
            "title",
            "reference",
            "framework",
            "site",
            "value",
            "currency",
            "value_kind",
            "awarded",
            "start",
            "end",
            "duration_months",
            "extension_options",
            "procurement_route",
            "contract_status",
            "service_category",
            "region",
            "lot",
            "description",
            "updated_at",
        ]


class ConcernSerializer(RecordSerializer):
    url = own_link(models.Concern)
    page = PageField()
    regulator = link(models.Organisation, allow_null=True)

    class Meta:
        model = models.Concern
        fields = [
            *RecordSerializer.common_fields,
            "title",
            "kind",
            "concern_status",
            "regulator",
            "occurred",
            "ended",
            "action_count",
            "penalty",
            "currency",
            "summary",
            "updated_at",
        ]


class PersonSerializer(RecordSerializer):
    url = own_link(models.Person)
    page = PageField()

    class Meta:
        model = models.Person
        fields = [*RecordSerializer.common_fields, "name", "description", "biography", "updated_at"]


class SiteSerializer(RecordSerializer):
    url = own_link(models.Site)
    page = PageField()

    class Meta:
        model = models.Site
        fields = [
            *RecordSerializer.common_fields,
            "name",
            "kind",
            "address",
            "locality",
            "region",
            "opened",
            "closed",
            "description",
            "updated_at",
        ]


class FrameworkSerializer(RecordSerializer):
    url = own_link(models.Framework)
    page = PageField()
    buyer = link(models.Organisation, allow_null=True)

    class Meta:
        model = models.Framework
        fields = [
            *RecordSerializer.common_fields,
            "name",
            "reference",
            "buyer",
            "value",
            "currency",
            "supplier_count",
            "service_category",
            "start",
            "end",
            "description",
            "updated_at",
        ]


class SourceSerializer(RecordSerializer):
    url = own_link(models.Source)
    page = PageField()
    source_url = serializers.URLField(source="url", help_text="Where the source is published.")
    file = serializers.SerializerMethodField(help_text="The source's document, if it has one.")

    class Meta:
        model = models.Source
        fields = [
            *RecordSerializer.common_fields,
            "title",
            "kind",
            "source_type",
            "publisher",
            "author",
            "published_on",
            "source_url",
            "archived_url",
            "accessed_on",
            "file",
            "file_sha256",
            "updated_at",
        ]

    def get_file(self, source) -> str | None:
        if not source.file:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("source_file", args=[source.slug])
        )


class RelationshipSerializer(RecordSerializer):
    url = own_link(models.Relationship)
    subject = link(models.Organisation)
    object = link(models.Organisation)

    class Meta:
        model = models.Relationship
        fields = [
            "url",
            "subject",
            "kind",
            "object",
            "share_min",
            "share_max",
            "value",
            "currency",
            "start",
            "end",
            "description",
            "updated_at",
        ]


class ContractPartySerializer(RecordSerializer):
    url = own_link(models.ContractParty)
    contract = link(models.Contract)
    organisation = link(models.Organisation)

    class Meta:
        model = models.ContractParty
        fields = ["url", "contract", "organisation", "role", "note"]


class ConcernPartySerializer(RecordSerializer):
    url = own_link(models.ConcernParty)
    concern = link(models.Concern)
    organisation = link(models.Organisation)
    parent_at_time = link(models.Organisation, allow_null=True)

    class Meta:
        model = models.ConcernParty
        fields = ["url", "concern", "organisation", "named_as", "parent_at_time"]


class RoleSerializer(RecordSerializer):
    url = own_link(models.Role)
    person = link(models.Person)
    organisation = link(models.Organisation)

    class Meta:
        model = models.Role
        fields = ["url", "person", "organisation", "kind", "title", "start", "end"]


class SiteRoleSerializer(RecordSerializer):
    url = own_link(models.SiteRole)
    site = link(models.Site)
    organisation = link(models.Organisation)

    class Meta:
        model = models.SiteRole
        fields = ["url", "site", "organisation", "kind", "start", "end"]


class FrameworkMembershipSerializer(RecordSerializer):
    url = own_link(models.FrameworkMembership)
    framework = link(models.Framework)
    organisation = link(models.Organisation)

    class Meta:
        model = models.FrameworkMembership
        fields = ["url", "framework", "organisation", "lot", "start"]
