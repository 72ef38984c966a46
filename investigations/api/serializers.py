"""The JSON of each resource. A list shows a record's fields and links; its detail adds
the citations of each claim and the rows its page shows.

Serializers read only what the views prepared (``claims.public_claims``): links to drafts
are already blank, withheld claims already gone, citations already marked stale or not.
"""

from django.urls import reverse
from rest_framework import serializers

from investigations import models

from .links import PageField, ResourceField, link, own_link


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


# Rows shown inside an organisation's detail: they have no resource of their own.


class AliasSerializer(RecordSerializer):
    citations = citations()

    class Meta:
        model = models.OrganisationAlias
        fields = ["name", "kind", "start", "end", "citations"]


class IdentifierSerializer(RecordSerializer):
    org_id = serializers.CharField(read_only=True, help_text="As GB-COH-02128897.")
    citations = citations()

    class Meta:
        model = models.Identifier
        fields = ["scheme", "value", "org_id", "citations"]


class ProfileSectionSerializer(RecordSerializer):
    citations = citations()

    class Meta:
        model = models.ProfileSection
        fields = ["heading", "title", "body", "citations"]


class FinancialFilingSerializer(RecordSerializer):
    citations = citations()

    class Meta:
        model = models.FinancialFiling
        fields = [
            "period_end",
            "period_months",
            "currency",
            "turnover",
            "operating_profit",
            "profit_before_tax",
            "net_assets",
            "employees",
            "citations",
        ]


def rows(serializer, attribute):
    """The rows a view prepared under ``attribute`` (see views.Shown)."""
    return serializer(source=attribute, many=True, read_only=True)


def links_to(model, attribute):
    return link(model, source=attribute, many=True)


def detail(serializer, **declared):
    """The detail serializer of a list's ``serializer``: its citations, and ``declared``
    fields for the rows and records its page shows."""
    declared["citations"] = citations()
    meta = type("Meta", (serializer.Meta,), {"fields": [*serializer.Meta.fields, *declared]})
    name = serializer.__name__.replace("Serializer", "DetailSerializer")
    return type(serializer)(name, (serializer,), {**declared, "Meta": meta})


OrganisationDetailSerializer = detail(
    OrganisationSerializer,
    aliases=rows(AliasSerializer, "shown_aliases"),
    identifiers=rows(IdentifierSerializer, "shown_identifiers"),
    sections=rows(ProfileSectionSerializer, "shown_sections"),
    filings=rows(FinancialFilingSerializer, "shown_filings"),
    relationships_out=rows(RelationshipSerializer, "shown_relationships_out"),
    relationships_in=rows(RelationshipSerializer, "shown_relationships_in"),
    contract_parties=rows(ContractPartySerializer, "shown_contract_parties"),
    concern_parties=rows(ConcernPartySerializer, "shown_concern_parties"),
    roles=rows(RoleSerializer, "shown_roles"),
    site_roles=rows(SiteRoleSerializer, "shown_site_roles"),
    framework_memberships=rows(FrameworkMembershipSerializer, "shown_framework_places"),
)
ContractDetailSerializer = detail(
    ContractSerializer,
    parties=rows(ContractPartySerializer, "shown_parties"),
    concerns=links_to(models.Concern, "shown_concerns"),
)
ConcernDetailSerializer = detail(
    ConcernSerializer,
    parties=rows(ConcernPartySerializer, "shown_parties"),
    contracts=links_to(models.Contract, "shown_contracts"),
    people=links_to(models.Person, "shown_people"),
)
PersonDetailSerializer = detail(
    PersonSerializer,
    roles=rows(RoleSerializer, "shown_roles"),
    concerns=links_to(models.Concern, "shown_concerns"),
)
SiteDetailSerializer = detail(
    SiteSerializer,
    roles=rows(SiteRoleSerializer, "shown_roles"),
    contracts=links_to(models.Contract, "shown_contracts"),
)
FrameworkDetailSerializer = detail(
    FrameworkSerializer,
    memberships=rows(FrameworkMembershipSerializer, "shown_memberships"),
    call_offs=links_to(models.Contract, "shown_call_offs"),
)
RelationshipDetailSerializer = detail(RelationshipSerializer)
ContractPartyDetailSerializer = detail(ContractPartySerializer)
ConcernPartyDetailSerializer = detail(ConcernPartySerializer)
RoleDetailSerializer = detail(RoleSerializer)
SiteRoleDetailSerializer = detail(SiteRoleSerializer)
FrameworkMembershipDetailSerializer = detail(FrameworkMembershipSerializer)


class SupportedClaimSerializer(serializers.Serializer):
    """A published claim that a source backs."""

    record = ResourceField(help_text="The record that makes the claim.")
    field = serializers.CharField(source="citation.field_name")
    marker = serializers.CharField(source="citation.marker")
    quote = serializers.CharField(source="citation.quote")
    locator = serializers.CharField(source="citation.locator")
    confidence = serializers.CharField(source="citation.confidence")
    stale = serializers.SerializerMethodField()

    def get_stale(self, claim) -> bool:
        return claim.citation.is_stale(claim.record)


SourceDetailSerializer = detail(
    SourceSerializer, supports=SupportedClaimSerializer(source="claims", many=True, read_only=True)
)
