"""Organisations with their aliases, identifiers, written profile and financial filings."""

import re

from django.db import models
from django.urls import reverse

from .base import Citable, Featurable, Publishable, Sluggable
from .dates import PartialDateField
from .money import CurrencyField, MoneyField
from .validators import country_code, web_address
from .visibility import published_index

_COMPANY_SUFFIXES = re.compile(
    r"\b(ltd|limited|plc|llp|lp|l\.p|llc|inc|incorporated|group holdings|holdings|n\.v|nv|gmbh)\b\.?$"
)


def normalise_name(name):
    """A name for matching: lower case, no punctuation, no trailing company suffix.

    "Alliance Medical Ltd", "ALLIANCE MEDICAL LIMITED" and "Alliance Medical" all match.
    """
    text = re.sub(r"[^\w\s]", " ", name.lower().replace("&", " and "))
    text = " ".join(text.split())
    while True:
        stripped = _COMPANY_SUFFIXES.sub("", text).strip()
        if stripped == text or not stripped:
            return text
        text = stripped


class Organisation(Sluggable, Featurable, Publishable):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        LLP = "llp", "Limited liability partnership"
        LP = "lp", "Limited partnership"
        NHS_TRUST = "nhs_trust", "NHS trust or foundation trust"
        PUBLIC_BODY = "public_body", "Public body"
        REGULATOR = "regulator", "Regulator"
        FUND = "fund", "Fund or investor"
        CHARITY = "charity", "Charity"
        CONSORTIUM = "consortium", "Consortium or network"
        ACADEMIC = "academic", "University or academic institution"
        POLITICAL_PARTY = "political_party", "Political party"
        OTHER = "other", "Other"

    class OrgStatus(models.TextChoices):
        ACTIVE = "active", "Active"
        DISSOLVED = "dissolved", "Dissolved"
        IN_ADMINISTRATION = "in_administration", "In administration"
        IN_LIQUIDATION = "in_liquidation", "In liquidation"
        MERGED = "merged", "Merged into another body"
        UNKNOWN = "unknown", "Unknown"

    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, editable=False, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    org_status = models.CharField(
        "company status", max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_code],
        help_text="ISO 3166 two-letter code, such as GB or ZA.",
    )
    website = models.URLField(max_length=500, blank=True, validators=[web_address])
    founded = PartialDateField()
    dissolved = PartialDateField()
    summary = models.TextField(
        blank=True, help_text="One or two sentences in Markdown, cited with [^key] markers."
    )

    claim_fields = ("org_status", "website", "founded", "dissolved", "standfirst")
    prose_fields = ("summary",)
    claim_children = ("aliases", "identifiers", "sections", "filings")

    class Meta:
        ordering = ["name"]
        permissions = [("publish_organisation", "Can publish and unpublish organisations")]
        indexes = [
            models.Index(fields=["status", "kind", "name"]),
            # The admin's list: not deleted, by name and then newest first, as Django
            # completes the order; and its country filter's choices.
            models.Index(fields=["deleted_at", "name", "-id"]),
            models.Index(fields=["country"]),
            # The public list in its order, read and counted from the index alone; and by kind.
            published_index("name", "id", name="organisation_public_by_name"),
            published_index("kind", "name", "id", name="organisation_public_by_kind"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("organisation_detail", args=[self.slug])


class OrganisationAlias(Citable):
    class Kind(models.TextChoices):
        FORMER = "former", "Former name"
        TRADING = "trading", "Trading name"
        SHORT = "short", "Short name or abbreviation"
        VARIANT = "variant", "Spelling variant"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    normalised_name = models.CharField(max_length=300, editable=False, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.VARIANT)
    start = PartialDateField()
    end = PartialDateField()

    claim_fields = ("start", "end")
    public_parents = ("organisation",)

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        super().save(*args, **kwargs)


class Identifier(Citable):
    """An org-id: a register's scheme and the value in it, as GB-COH-02128897."""

    class Scheme(models.TextChoices):
        """Register codes of the org-id list (org-id.guide) that the project's data uses."""

        GB_COH = "GB-COH", "GB-COH: Companies House"
        GB_NHS = "GB-NHS", "GB-NHS: NHS ODS code"
        GB_CHC = "GB-CHC", "GB-CHC: Charity Commission (England and Wales)"
        GB_SC = "GB-SC", "GB-SC: Scottish Charity Register"
        GB_NIC = "GB-NIC", "GB-NIC: Charity Commission for Northern Ireland"
        GB_GOR = "GB-GOR", "GB-GOR: UK government organisation"
        GB_EDU = "GB-EDU", "GB-EDU: Get Information about Schools (England)"
        GB_LAE = "GB-LAE", "GB-LAE: Local authorities (England)"
        GB_LAS = "GB-LAS", "GB-LAS: Local authorities (Scotland)"
        GB_SRS = "GB-SRS", "GB-SRS: Supplier Registration Service (Cabinet Office)"
        GB_UKPRN = "GB-UKPRN", "GB-UKPRN: UK Register of Learning Providers"
        ZA_CIP = "ZA-CIP", "ZA-CIP: South African companies register"
        NL_KVK = "NL-KVK", "NL-KVK: Dutch chamber of commerce"
        GG_GFSC = "GG-GFSC", "GG-GFSC: Guernsey registry"
        XI_LEI = "XI-LEI", "XI-LEI: Legal Entity Identifier"

    REGISTER_URLS = {
        "GB-COH": "https://find-and-update.company-information.service.gov.uk/company/{value}",
        "GB-CHC": "https://register-of-charities.charitycommission.gov.uk/charity-details/?regid={value}",
    }

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="identifiers"
    )
    scheme = models.CharField(max_length=10, choices=Scheme.choices, default=Scheme.GB_COH)
    value = models.CharField(max_length=50)

    public_parents = ("organisation",)

    class Meta:
        ordering = ["scheme", "value"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="unique_identifier")
        ]

    def __str__(self):
        return self.org_id

    def save(self, *args, **kwargs):
        self.value = normalise_identifier(self.scheme, self.value)
        super().save(*args, **kwargs)

    @property
    def org_id(self):
        return f"{self.scheme}-{self.value}"

    @property
    def register_url(self):
        template = self.REGISTER_URLS.get(self.scheme)
        return template.format(value=self.value) if template else ""


# Registers whose values are case-sensitive, as GB-SRS-sid4gov.cabinetoffice.gov.uk/By5B2FN2.
CASE_SENSITIVE_SCHEMES = ("GB-SRS",)


def normalise_identifier(scheme, value):
    value = value.strip().replace(" ", "")
    if scheme not in CASE_SENSITIVE_SCHEMES:
        value = value.upper()
    if scheme == Identifier.Scheme.GB_COH and value.isdigit():
        value = value.zfill(8)
    return value


class ProfileSection(Citable):
    """A section of an organisation's written profile, in Markdown with [^key] citations."""

    class Heading(models.TextChoices):
        STRATEGY = "strategy", "Strategy"
        FINANCIALS = "financials", "Financials"
        CONTRACTS = "contracts", "Contracts"
        CONCERNS = "concerns", "Concerns"
        OWNERSHIP = "ownership", "Ownership"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sections"
    )
    heading = models.CharField(max_length=20, choices=Heading.choices)
    title = models.CharField(max_length=200, blank=True, help_text="Overrides the heading.")
    body = models.TextField(help_text="Markdown. Cite each paragraph with [^key] markers.")
    position = models.PositiveSmallIntegerField(default=0)

    prose_fields = ("body",)
    requires_record_citation = False
    public_parents = ("organisation",)

    class Meta:
        ordering = ["organisation", "position", "pk"]

    def __str__(self):
        return self.title or self.get_heading_display()


class FinancialFiling(Citable):
    """An organisation's reported figures for one accounting period."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="filings")
    period_end = models.DateField()
    period_months = models.PositiveSmallIntegerField(default=12)
    currency = CurrencyField()
    turnover = MoneyField("turnover")
    operating_profit = MoneyField("operating profit")
    profit_before_tax = MoneyField("profit before tax")
    net_assets = MoneyField("net assets")
    employees = models.PositiveIntegerField(null=True, blank=True)

    claim_fields = ("turnover", "operating_profit", "profit_before_tax", "net_assets", "employees")
    public_parents = ("organisation",)

    class Meta:
        ordering = ["organisation", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_end", "period_months"], name="unique_filing_period"
            )
        ]

    def __str__(self):
        return f"{self.organisation} — period ended {self.period_end:%d %B %Y}"
