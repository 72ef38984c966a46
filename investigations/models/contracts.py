"""Frameworks, contracts (often call-offs from a framework) and their many parties."""

from django.db import models
from django.db.models import Q
from django.urls import reverse

from .base import Citable, Publishable, Sluggable
from .dates import PartialDateField
from .money import CurrencyField, MoneyField, format_money
from .visibility import published_index


class ServiceCategory(models.TextChoices):
    CDC = "cdc", "Community diagnostic centre"
    PET_CT = "pet_ct", "PET-CT"
    MRI = "mri", "MRI"
    CT = "ct", "CT"
    IMAGING = "imaging", "Diagnostic imaging (general)"
    RADIOPHARMACEUTICALS = "radiopharmaceuticals", "Radiopharmaceuticals"
    OTHER = "other", "Other"


class Framework(Sluggable, Publishable):
    """A pre-approved list of suppliers from which buyers award call-off contracts."""

    name = models.CharField(max_length=300)
    reference = models.CharField(max_length=100, blank=True)
    buyer = models.ForeignKey(
        "investigations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="frameworks_run",
    )
    value = MoneyField("total value")
    currency = CurrencyField()
    supplier_count = models.PositiveIntegerField(null=True, blank=True)
    service_category = models.CharField(max_length=20, choices=ServiceCategory.choices, blank=True)
    start = PartialDateField()
    end = PartialDateField()
    description = models.TextField(blank=True, help_text="Markdown, cited with [^key] markers.")

    claim_fields = ("reference", "buyer", "value", "supplier_count", "start", "end")
    prose_fields = ("description",)
    claim_children = ("memberships",)

    class Meta:
        ordering = ["name"]
        permissions = [("publish_framework", "Can publish and unpublish frameworks")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("framework_detail", args=[self.slug])


class FrameworkMembership(Citable):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "investigations.Organisation", on_delete=models.CASCADE, related_name="framework_places"
    )
    lot = models.CharField(max_length=100, blank=True)
    start = PartialDateField("appointed")

    claim_fields = ("lot", "start")
    public_parents = ("framework", "organisation")

    class Meta:
        ordering = ["framework", "organisation__name"]

    def __str__(self):
        return f"{self.organisation} on {self.framework}"


class Contract(Sluggable, Publishable):
    class ValueKind(models.TextChoices):
        TOTAL = "total", "Total value"
        ANNUAL = "annual", "Annual value"
        ESTIMATED = "estimated", "Estimated value"
        CEILING = "ceiling", "Maximum (ceiling) value"

    class Route(models.TextChoices):
        OPEN = "open", "Open procedure"
        RESTRICTED = "restricted", "Restricted procedure"
        COMPETITIVE_DIALOGUE = "competitive_dialogue", "Competitive dialogue"
        NEGOTIATED = "negotiated", "Competitive procedure with negotiation"
        CALL_OFF = "call_off", "Call-off from a framework"
        DIRECT_AWARD = "direct_award", "Direct award"
        AQP = "aqp", "Any Qualified Provider"
        PARTNERSHIP = "partnership", "Partnership agreement"
        UNKNOWN = "unknown", "Unknown"

    class ContractStatus(models.TextChoices):
        PLANNED = "planned", "Planned"
        TENDER = "tender", "Out to tender"
        AWARDED = "awarded", "Awarded"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"
        TERMINATED = "terminated", "Terminated early"
        CHALLENGED = "challenged", "Under legal challenge"

    title = models.CharField(max_length=400)
    reference = models.CharField(max_length=100, blank=True)
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_offs"
    )
    site = models.ForeignKey(
        "investigations.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    value = MoneyField("value")
    currency = CurrencyField()
    value_kind = models.CharField(max_length=10, choices=ValueKind.choices, default=ValueKind.TOTAL)
    awarded = PartialDateField("award date")
    start = PartialDateField("start date")
    end = PartialDateField("end date")
    duration_months = models.PositiveIntegerField(null=True, blank=True)
    extension_options = models.CharField(max_length=300, blank=True)
    procurement_route = models.CharField(
        max_length=25, choices=Route.choices, default=Route.UNKNOWN
    )
    contract_status = models.CharField(
        "contract status", max_length=12, choices=ContractStatus.choices, blank=True
    )
    service_category = models.CharField(max_length=20, choices=ServiceCategory.choices, blank=True)
    region = models.CharField(max_length=100, blank=True)
    lot = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True, help_text="Markdown, cited with [^key] markers.")

    slug_source_field = "title"
    claim_fields = (
        "reference",
        "framework",
        "site",
        "value",
        "awarded",
        "start",
        "end",
        "duration_months",
        "extension_options",
        "procurement_route",
        "contract_status",
        "region",
    )
    prose_fields = ("description",)
    claim_children = ("parties",)

    class Meta:
        ordering = ["-awarded", "title"]
        permissions = [("publish_contract", "Can publish and unpublish contracts")]
        # One per sort of the public list, each ending in the id the list pages by: the
        # ids of a deep page are then read from the index alone (views/lists.py). The
        # default order holds the value too, for the filters by award year and value.
        indexes = [
            published_index("-awarded", "title", "id", "value", name="contract_public_by_award"),
            published_index("-value", "id", name="contract_public_by_value"),
            published_index("title", "id", name="contract_public_by_title"),
            # The list filtered by a facet, in its default order; and that facet's counts.
            published_index(
                "service_category", "-awarded", "title", "id", name="contract_public_by_service"
            ),
            published_index(
                "contract_status", "-awarded", "title", "id", name="contract_public_by_status"
            ),
            # The biggest contracts of a kind of service: else the category's hundred
            # thousand are sorted by value to show 25 (100 ms at a million contracts).
            published_index(
                "service_category", "-value", "id", name="contract_public_service_value"
            ),
            # The admin's list: not deleted, in the default order and then newest first,
            # as Django completes it; and so within a region (its filter's choices, too).
            # Partial, so that PostgreSQL reads the order from them: "deleted_at IS NULL"
            # as an index's first column is no equality to its planner, which then sorts.
            models.Index(
                fields=["-awarded", "title", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="contract_admin_list",
            ),
            models.Index(
                fields=["region", "-awarded", "title", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="contract_admin_region",
            ),
            models.Index(
                fields=["deleted_at"],
                condition=Q(deleted_at__isnull=False),
                name="contract_deleted",
            ),
            # Most contracts have no site or framework. Their foreign key indexes hold
            # every contract, so SQLite's statistics say each site has thousands and it
            # walks the list index instead; these hold only the contracts that have one.
            models.Index(fields=["site"], condition=Q(site__isnull=False), name="contract_at_site"),
            models.Index(
                fields=["framework"],
                condition=Q(framework__isnull=False),
                name="contract_under_framework",
            ),
            # A framework's page shows its latest call-offs: read from here in order, not
            # sorted from all of a national framework's thousands.
            models.Index(
                fields=["framework", "awarded"],
                condition=Q(framework__isnull=False),
                name="call_offs_by_award",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("contract_detail", args=[self.slug])

    @property
    def value_display(self):
        return format_money(self.value, self.currency)


class ContractParty(Citable):
    class Role(models.TextChoices):
        BUYER = "buyer", "Buyer"
        LEAD_SUPPLIER = "lead_supplier", "Lead supplier"
        SUPPLIER = "supplier", "Supplier"
        CONSORTIUM_MEMBER = "consortium_member", "Consortium member"
        SUBCONTRACTOR = "subcontractor", "Subcontractor"
        OPERATOR = "operator", "Operator"
        FUNDER = "funder", "Funder or financier"
        GUARANTOR = "guarantor", "Guarantor"
        LANDLORD = "landlord", "Landlord"
        EQUIPMENT_SUPPLIER = "equipment_supplier", "Equipment supplier"
        ADVISER = "adviser", "Adviser"
        CHALLENGER = "challenger", "Losing bidder or challenger"

    BUYER_ROLES = (Role.BUYER,)
    SUPPLIER_ROLES = (Role.LEAD_SUPPLIER, Role.SUPPLIER, Role.OPERATOR)

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        "investigations.Organisation", on_delete=models.PROTECT, related_name="contract_parties"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    note = models.CharField(max_length=300, blank=True)

    public_parents = ("contract", "organisation")

    class Meta:
        verbose_name_plural = "contract parties"
        ordering = ["contract", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "organisation", "role"], name="unique_contract_party_role"
            )
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"
