"""The detail of each resource: its list fields, the citations of each of its claims, and
the rows and records its page shows."""

from rest_framework import serializers

from investigations import models

from .links import ResourceField, link
from .serializers import (
    ConcernPartySerializer,
    ConcernSerializer,
    ContractPartySerializer,
    ContractSerializer,
    FrameworkMembershipSerializer,
    FrameworkSerializer,
    OrganisationSerializer,
    PersonSerializer,
    RecordSerializer,
    RelationshipSerializer,
    RoleSerializer,
    SiteRoleSerializer,
    SiteSerializer,
    SourceSerializer,
    citations,
)

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
